"""The exceptions readydocs raises. The CLI turns each into one line and an exit code.

Validation problems in a workbook are not exceptions: they are data (see
validate.py). Exceptions are for things that stop a command outright.
"""

from __future__ import annotations


class ReadydocsError(Exception):
    """Base class. ``exit_code`` follows the CLI contract: 1 invalid input, 2 unreadable or usage.

    ``code`` names the kind of error for programs (``validate --json``);
    ``file`` is the file it concerns, when there is one.
    """

    exit_code = 1
    code = "error"

    def __init__(self, message: str, hint: str | None = None, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = file

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class FrameworkError(ReadydocsError):
    """A framework file is missing, malformed or inconsistent."""

    exit_code = 2
    code = "framework-unusable"


class UnreadableFileError(ReadydocsError):
    """A file cannot be opened or parsed at all (missing, not an xlsx, encrypted, too large)."""

    exit_code = 2
    code = "unreadable-file"


class InvalidInputError(ReadydocsError):
    """The input was read but cannot be used (for example respondents from different places)."""

    exit_code = 1
    code = "invalid-input"


class TemplateError(ReadydocsError):
    """A Word template is broken, unsafe or asks for a variable the pipeline does not provide."""

    exit_code = 1
    code = "template-unusable"


class UndefinedVariableError(TemplateError):
    """A template uses a variable readydocs does not provide.

    ``template`` is the template file, ``names`` the variables when known (a
    check before rendering finds them all; Jinja, failing while filling in,
    names one in its message), ``where`` the part and paragraph when known.
    The message is plain; the command line and the web page put the template
    linter's line in its place, which names the paragraph and the nearest real
    name (lint.explain_undefined).
    """

    def __init__(self, message: str, hint: str | None = None, file: str | None = None, *, template: str = "",
                 names: tuple[str, ...] = (), where: str = ""):
        super().__init__(message, hint, file)
        self.template = template
        self.names = names
        self.where = where


class OutputConflictError(ReadydocsError):
    """A generated file was edited by a person since the last build; it is not overwritten."""

    exit_code = 1
    code = "output-edited"


class FolderOwnerError(ReadydocsError):
    """An output folder holds another place's documents (its manifest says whose); nothing is written there."""

    exit_code = 1


class FolderBusyError(ReadydocsError):
    """Another build held the output folder for longer than this one would wait."""

    exit_code = 2


class WriteError(ReadydocsError):
    """An output file could not be written (folder read-only, disk full, file open elsewhere)."""

    exit_code = 2
    code = "write-failed"


class MissingExtraError(ReadydocsError):
    """An option needs an optional package that is not installed (for example matplotlib for --chart-image)."""

    exit_code = 2
    code = "extra-missing"


class OfficeMissingError(ReadydocsError):
    """LibreOffice (soffice), needed to convert a document, is not installed or not on PATH."""

    exit_code = 2
    code = "office-missing"
