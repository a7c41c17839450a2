"""Respondent copies: one intake workbook per person who will rate the place.

The advocate fills in the Profile once; each copy carries that profile with
the place's fields locked (so every respondent's workbook names the same
place, which pooling requires) and the respondent's own name and role filled
in. The list of people comes from the command line ("Name, Role") or from a
CSV file with columns name, role and department.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .errors import InvalidInputError, UnreadableFileError
from .form import PROFILE_FIELDS, ProfileValue
from .framework import Framework
from .intake import read_intake
from .localfile import read_input
from .places import slugify
from .validate import validate
from .workbook import write_intake

# A cohort's largest place has a few dozen respondents; the bound keeps a
# mistaken file (a whole staff directory) from writing thousands of workbooks.
MAX_RESPONDENTS = 200
MAX_CSV_BYTES = 1024 * 1024
RESPONDENT_FIELDS = ("respondent_name", "respondent_role", "respondent_department")
# Everything else on the Profile describes the place and who leads the work: the same on every copy.
SHARED_FIELDS = tuple(f.key for f in PROFILE_FIELDS if f.key not in RESPONDENT_FIELDS)


@dataclass(frozen=True)
class Respondent:
    name: str
    role: str = ""
    department: str = ""

    def profile(self) -> dict[str, str]:
        values = {"respondent_name": self.name, "respondent_role": self.role, "respondent_department": self.department}
        return {k: v for k, v in values.items() if v}


def parse_respondent(text: str) -> Respondent:
    """'Name, Role' (the role may itself contain commas); a name alone is fine too."""
    name, _, role = text.partition(",")
    name, role = " ".join(name.split()), " ".join(role.split())
    if not name:
        raise InvalidInputError(f"--respondent '{text}' has no name before the comma.",
                                "Write it as \"Name, Role\", for example --respondent \"Ana Ruiz, Budget office\".")
    return Respondent(name, role)


def read_respondents(path: Path) -> list[Respondent]:
    """People from a CSV file: name, role, department (a header row with those words is optional)."""
    raw = read_input(path, MAX_CSV_BYTES, "Give a CSV file with one line per respondent: name, role, department.")
    if raw.startswith(b"PK"):
        raise UnreadableFileError(f"{path}: is a spreadsheet, not a CSV file.",
                                  "Save the list from Excel as CSV (File > Save As > CSV UTF-8) and give that file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's plain "CSV" on Windows
    rows = list(csv.reader(io.StringIO(text)))
    people: list[Respondent] = []
    for line, row in enumerate(rows, start=1):
        cells = [" ".join(c.split()) for c in row] + ["", "", ""]
        if not any(cells):
            continue
        if line == 1 and cells[0].casefold() == "name":
            continue  # header row
        if not cells[0]:
            raise InvalidInputError(f"{path}, line {line}: has no name in the first column.",
                                    "Put one respondent per line: name, role, department.")
        people.append(Respondent(cells[0], cells[1], cells[2]))
    if not people:
        raise InvalidInputError(f"{path}: lists no respondents.", "Put one respondent per line: name, role, department.")
    return people


def copy_path(base: Path, respondent: Respondent) -> Path:
    """Where a respondent's copy goes: beside ``base``, named after it and the person."""

    return base.with_name(f"{base.stem}-{slugify(respondent.name)}{base.suffix}")


def shared_profile(path: Path, framework: Framework) -> dict[str, ProfileValue]:
    """The place's fields as the advocate filled them in ``path`` (blank ones left out)."""

    _, response = validate(read_intake(path, framework), framework)
    values = response.profile.as_fields()
    return {k: values[k] for k in SHARED_FIELDS if values[k] not in (None, "")}


def plan_copies(base: Path, respondents: Sequence[Respondent]) -> list[tuple[Respondent, Path]]:
    """Each respondent's file name; two people whose names give one file name are refused."""
    if len(respondents) > MAX_RESPONDENTS:
        raise InvalidInputError(f"{len(respondents)} respondents is more than the {MAX_RESPONDENTS} one command writes copies for.",
                                "Split the list and run init once per part.")
    planned: dict[Path, Respondent] = {}
    for r in respondents:
        target = copy_path(base, r)
        if target in planned:
            raise InvalidInputError(f"{planned[target].name} and {r.name} would both get {target.name}.",
                                    "Tell them apart in the list, for example with a middle initial.")
        planned[target] = r
    return [(r, p) for p, r in planned.items()]


def write_copies(copies: Iterable[tuple[Respondent, Path]], framework: Framework,
                 shared: dict[str, ProfileValue]) -> list[Path]:
    """Write each copy: the shared profile locked, the respondent's own fields filled and open."""

    written = []
    for respondent, target in copies:
        written.append(write_intake(target, framework, profile={**shared, **respondent.profile()},
                                    locked=shared.keys()))
    return written
