"""readydocs: readiness assessment for Mobility Action Planning, from an Excel intake to Word documents.

The public API, for scripts and other programs (docs/api.md shows it in use)::

    import readydocs

    framework = readydocs.load_framework()
    assessment = readydocs.assess(["my-city.xlsx"], framework)
    if assessment.valid:
        result = readydocs.build(["my-city.xlsx"], "outputs", framework, assessment=assessment)

Names are imported on first use, so ``import readydocs`` (and the command
line's ``--help``) stays fast: rendering libraries load only when a document is
built. Library functions print nothing; problems come back as data
(``Assessment.report``) or as one of the exceptions below.
"""

from __future__ import annotations

# Not imported from typing: `readydocs --help` loads this package, and typing costs more than the rest of it.
TYPE_CHECKING = False

from .version import __version__

# public name -> module that defines it
_EXPORTS = {
    "load_framework": "framework",
    "Framework": "framework",
    "read_workbook": "assessment",
    "assess": "assessment",
    "score_assessment": "assessment",
    "Assessment": "assessment",
    "summarise": "summary",
    "Summary": "summary",
    "build": "pipeline",
    "BuildResult": "pipeline",
    "run_batch": "batch",
    "Report": "validate",
    "Problem": "validate",
    "ReadydocsError": "errors",
    "FrameworkError": "errors",
    "UnreadableFileError": "errors",
    "InvalidInputError": "errors",
    "TemplateError": "errors",
    "OutputConflictError": "errors",
    "FolderOwnerError": "errors",
    "FolderBusyError": "errors",
    "WriteError": "errors",
    "OfficeMissingError": "errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from typing import Any

    from .batch import run_batch
    from .errors import (FolderBusyError, FolderOwnerError, FrameworkError, InvalidInputError, OfficeMissingError,
                         OutputConflictError, ReadydocsError, TemplateError, UnreadableFileError, WriteError)
    from .framework import Framework, load_framework
    from .assessment import Assessment, assess, read_workbook, score_assessment
    from .pipeline import BuildResult, build
    from .summary import Summary, summarise
    from .validate import Problem, Report


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'readydocs' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
