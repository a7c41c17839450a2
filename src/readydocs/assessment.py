"""The typed model of one place's assessment: its workbooks, read, checked and pooled.

Reading the workbook (intake.py) and checking it (validate.py) give one
Response per respondent; an Assessment is one place's responses with the
problems found, ready for scoring (scoring.py) and summing up (summary.py).
Nothing here renders or writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .errors import InvalidInputError
from .form import NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION
from .framework import Framework
from .intake import MAX_UNCOMPRESSED_BYTES, Intake, read_intake
from .places import normalise
from .scoring import Scores, score
from .response import Response
from .validate import WARNING, Problem, Report, clean_text, combine, validate


@dataclass
class Assessment:
    """One place's workbooks, read and checked."""

    framework: Framework
    report: Report
    responses: list[Response]

    @property
    def valid(self) -> bool:
        return self.report.valid


# Problems about the list of files given rather than about a workbook's cells (distinct_workbooks).
INPUT_NOTES = ("duplicate-workbook",)


def read_workbook(path: str | Path, framework: Framework) -> tuple[Report, Response]:
    """Read and check one workbook: its problems (as data) and its answers.

    The answers are usable only when ``report.valid``; a file that cannot be
    read at all raises UnreadableFileError.
    """
    return validate(read_intake(path, framework), framework)


def assess(paths: Sequence[str | Path], framework: Framework) -> Assessment:
    """Read and validate every workbook for one place (one per respondent).

    A workbook given twice (the same path, or a copy with the same bytes) is
    read once, with a warning, so no respondent is counted twice.
    """
    distinct, notes = distinct_workbooks(paths)
    reports, responses = [], []
    intakes = [read_intake(p, framework) for p in distinct]
    if len(intakes) > 1:
        _check_same_framework(intakes)
    for intake in intakes:
        report, response = validate(intake, framework)
        reports.append(report)
        responses.append(response)
    assessment = Assessment(framework, combine([Report(notes), *reports]), responses)
    if assessment.valid and len(responses) > 1:
        _check_same_place(responses)
    return assessment


def distinct_workbooks(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The workbooks to read, each once, and a warning for each path left out."""
    seen: dict[object, Path] = {}
    out: list[Path] = []
    notes: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        keys: list[object] = []
        try:
            info = os.stat(path)
            keys.append(("path", os.path.realpath(path)))
            # Only a regular file of plausible size is read here; anything else is left to read_intake to refuse.
            if len(paths) > 1 and stat.S_ISREG(info.st_mode) and info.st_size <= MAX_UNCOMPRESSED_BYTES:
                keys.append(("bytes", hashlib.sha256(path.read_bytes()).hexdigest()))
        except OSError:
            pass
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            notes.append(duplicate_note(path, first, same_file=seen.get(keys[0]) == first))
            continue
        for k in keys:
            seen[k] = path
        out.append(path)
    return out, notes


def duplicate_note(path: Path, first: Path, same_file: bool) -> Problem:
    """The warning for a workbook left out because ``first`` (the same file, or the same bytes) is read instead."""
    same = "the same file as" if same_file else "an identical copy of"
    return Problem("duplicate-workbook", WARNING, f"{same} {first}; its answers are counted once.", file=str(path))


def _check_same_framework(intakes: Sequence[Intake]) -> None:
    """Respondents for one place must have used workbooks from one framework version."""
    made_from: dict[str, list[str]] = {}
    for intake in intakes:
        fid, fver = intake.meta.get(NAME_FRAMEWORK_ID), intake.meta.get(NAME_FRAMEWORK_VERSION)
        if fid is None or fver is None:
            continue  # validation reports the missing framework id for this workbook
        key = f"{clean_text(fid.value)[0] or '(blank)'} version {clean_text(fver.value)[0] or '(blank)'}"
        made_from.setdefault(key, []).append(f"{intake.path.name} ({fver.where})")
    if len(made_from) > 1:
        listing = "; ".join(f"{', '.join(files)}: {key}" for key, files in made_from.items())
        raise InvalidInputError(f"These workbooks were made from different framework versions ({listing}).",
                                "Every respondent for one place needs a workbook from the same version: copy the answers "
                                "into fresh workbooks from 'readydocs init'.")


_FIELD_PLURALS = {"municipality": "municipalities", "state": "states", "jurisdiction_type": "jurisdiction types"}


def _check_same_place(responses: Sequence[Response]) -> None:
    """Respondents pooled into one report must name one place (municipality, state and jurisdiction type)."""
    identities = [r.profile.identity for r in responses]
    if len(set(identities)) == 1:
        return
    first = identities[0]
    attr, label = first.differing_field(next(i for i in identities if i != first))
    groups: dict[str, tuple[str, list[str]]] = {}  # normalised value -> (value as first typed, files)
    for r, identity in zip(responses, identities):
        typed = getattr(identity, attr)
        groups.setdefault(normalise(typed), (typed, []))[1].append(r.source.name)
    listing = "; ".join(f"{', '.join(files)}: {typed or '(blank)'}" for typed, files in groups.values())
    raise InvalidInputError(f"These workbooks name different {_FIELD_PLURALS[attr]} ({listing}).",
                            f"If they are one place, correct the {label} in the wrong workbook; otherwise build each place "
                            "separately, or use 'readydocs batch' for a cohort.")


def score_assessment(assessment: Assessment) -> Scores:
    return score([r.answers for r in assessment.responses], assessment.framework)


def as_of(assessment: Assessment, override: dt.date | None = None) -> dt.date:
    """The date the documents carry: --date, else the assessment date, else 1 January 1980 (never the clock)."""
    if override:
        return override
    dates = [d for r in assessment.responses if (d := r.profile.assessment_date)]
    return max(dates) if dates else dt.date(1980, 1, 1)
