"""The intake form's fields: what the workbook asks for, independent of where it sits.

workbook.py lays these fields out; intake.py reads them back through the
defined names declared here, so neither depends on the other's layout and
another program can fill the workbook by name (docs/workbook.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

SHEET_INSTRUCTIONS = "Instructions"
SHEET_PROFILE = "Profile"
SHEET_RATINGS = "Ratings"
REQUIRED_SHEETS = (SHEET_PROFILE, SHEET_RATINGS)

# Workbook-level defined names recording the framework that made the workbook.
NAME_FRAMEWORK_ID = "meta.framework_id"
NAME_FRAMEWORK_VERSION = "meta.framework_version"
NAME_FORM_VERSION = "meta.form_version"
META_NAMES = (NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, NAME_FORM_VERSION)

# The form's version, a whole number written as text in meta.form_version.
# Adding an optional field keeps the version (an older workbook lacks the field's
# name and reads it as blank); adding a required field, or changing what an
# existing name holds, raises it. Workbooks from OLDEST_FORM_VERSION on are read.
FORM_VERSION = 1
OLDEST_FORM_VERSION = 1

# The completion counter on the Instructions sheet (formulas; readydocs never reads them).
NAME_PROGRESS_RATINGS = "progress.ratings"
NAME_PROGRESS_DONT_KNOW = "progress.dont_know"
NAME_PROGRESS_PROFILE = "progress.profile"

JURISDICTION_TYPES = ("City", "County", "Town", "Village", "Township", "Consolidated city-county", "Other")

MAX_INSIGHTS = 5

# What a profile field holds: text, or a date for the date fields.
ProfileValue = str | date | None

# Every date the form takes (assessment, launch, due dates, --date) lies in this
# range; a year outside it is a typo (2206 for 2026). Word's zip format cannot
# stamp a file after 2107, so the range also keeps every document writable.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2100, 12, 31)


@dataclass(frozen=True)
class ProfileField:
    key: str
    label: str
    help: str
    kind: str = "text"  # text | long | date | email | choice
    required: bool = False  # a build needs a value here, so the workbook must have the cell
    since: int = 1  # the form version that added the field

    @property
    def name(self) -> str:
        """The workbook defined name of this field's input cell."""
        return f"profile.{self.key}"


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("municipality_name", "Municipality name", "The local government this assessment is for, as it should appear in the documents.", required=True),
    ProfileField("jurisdiction_type", "Jurisdiction type", "Choose from the list.", kind="choice"),
    ProfileField("state", "State", "State, commonwealth or territory."),
    ProfileField("organization_name", "Organization for letterhead", "Department or office named in document headers. Leave blank to use the municipality name."),
    ProfileField("logo_file", "Logo file (optional)", "Path to a PNG or JPEG logo placed in document headers, relative to this workbook."),
    ProfileField("advocate_name", "Mobility Advocate name", "The person leading this assessment.", required=True),
    ProfileField("advocate_title", "Mobility Advocate title", "Job title."),
    ProfileField("advocate_email", "Mobility Advocate email", "Where colleagues can send questions.", kind="email"),
    ProfileField("sponsor_name", "Leadership sponsor name", "The senior leader who will sign the internal launch memo."),
    ProfileField("sponsor_title", "Leadership sponsor title", "For example City Manager or County Administrator."),
    ProfileField("respondent_name", "Respondent name", "Who filled in the ratings in this workbook (if different from the advocate)."),
    ProfileField("respondent_role", "Respondent role", "For example Department head, Budget office, Front-line staff."),
    ProfileField("respondent_department", "Respondent department", "The respondent's department or office."),
    ProfileField("assessment_date", "Assessment date", "The date the ratings were agreed. Used as the date of every document.", kind="date", required=True),
    ProfileField("target_launch_date", "Target launch date", "When leadership hopes to announce the process.", kind="date"),
    ProfileField("departments", "Departments to involve", "One per line (Alt+Enter in Excel starts a new line in the cell).", kind="long"),
    *(ProfileField(f"insight_{n}", f"Mobility Metrics insight {n}", "A preliminary finding from the Mobility Metrics, one sentence.", kind="long") for n in range(1, MAX_INSIGHTS + 1)),
    ProfileField("priorities", "Local priorities", "Priorities this work should connect to, one per line.", kind="long"),
)

PROFILE_BY_KEY = {f.key: f for f in PROFILE_FIELDS}


@dataclass(frozen=True)
class RatingColumn:
    key: str
    header: str
    width: int
    is_input: bool
    required: bool = False  # every indicator's cell in this column must be in the workbook
    since: int = 1  # the form version that added the column


# Columns of the Ratings sheet, left to right.
RATING_COLUMNS: tuple[RatingColumn, ...] = (
    RatingColumn("id", "ID", 9, False),
    RatingColumn("condition", "Condition", 26, False),
    RatingColumn("statement", "Indicator statement", 60, False),
    RatingColumn("rating", "Rating", 20, True, required=True),
    RatingColumn("evidence", "Evidence and notes", 42, True),
    RatingColumn("next_step", "Suggested next step", 36, True),
    RatingColumn("owner", "Owner", 18, True),
    RatingColumn("due", "Due date", 13, True),
)
RATING_INPUTS = tuple(c.key for c in RATING_COLUMNS if c.is_input)
# The Rating column's position (1-based), for the formulas that count answers.
RATING_INPUTS_COLUMN = next(n for n, c in enumerate(RATING_COLUMNS, start=1) if c.key == "rating")


def indicator_name(field: str, indicator_id: str) -> str:
    """Defined name of one indicator input cell, e.g. rating.LEAD_1.

    Hyphens are not allowed in Excel names, and a bare 'LEAD1' would be read as
    a cell reference, so the field prefix and an underscore are always used.
    """
    return f"{field}.{indicator_id.replace('-', '_')}"


@dataclass(frozen=True)
class NamedInput:
    """A defined name readydocs reads, the sheet it belongs on, and whether a build needs it."""

    name: str
    sheet: str
    required: bool
    since: int = 1


def named_inputs(indicator_ids: Iterable[str]) -> list[NamedInput]:
    """Every defined name the form has for these indicators: meta, profile, then ratings row by row.

    Required: the meta names, the profile fields that need a value, and each
    indicator's rating. Every other input may be missing from a workbook and
    reads as blank (docs/workbook.md).
    """
    inputs = [NamedInput(name, SHEET_INSTRUCTIONS, True) for name in META_NAMES]
    inputs += [NamedInput(f.name, SHEET_PROFILE, f.required, f.since) for f in PROFILE_FIELDS]
    columns = [c for c in RATING_COLUMNS if c.is_input]
    inputs += [NamedInput(indicator_name(c.key, ind), SHEET_RATINGS, c.required, c.since) for ind in indicator_ids for c in columns]
    return inputs


_WHOLE_NUMBER = re.compile(r"^\s*(\d{1,6})(?:\.0*)?\s*$")


def read_form_version(value: Any) -> int | None:
    """The form version a meta.form_version cell holds ("1", 1 or 1.0), or None when it holds no whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and value >= 0 else None
    m = _WHOLE_NUMBER.match(value) if isinstance(value, str) else None
    return int(m.group(1)) if m else None


def readable_form_versions() -> str:
    """The form versions this readydocs reads, as a phrase: "version 1" or "versions 1 to 3"."""
    if OLDEST_FORM_VERSION == FORM_VERSION:
        return f"version {FORM_VERSION}"
    return f"versions {OLDEST_FORM_VERSION} to {FORM_VERSION}"
