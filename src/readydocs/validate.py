"""Checking a workbook: every problem at once, as data, plus the clean values.

Longer than most modules because every rule a workbook is checked
against reads the same cells and adds to the same report; one pass over the
inputs finds every problem at once.

A problem is not an exception: it has a kebab-case code, a severity, a message
saying what is wrong and what to do, and the sheet and cell it concerns. The
report knows whether the workbook may be built (no errors), and the CLI's
exit code follows that.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from .branding import logo_problem
from .form import (
    FIRST_DATE, FORM_VERSION, LAST_DATE, META_NAMES, NAME_FORM_VERSION, NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION,
    OLDEST_FORM_VERSION, PROFILE_FIELDS, SHEET_INSTRUCTIONS, SHEET_RATINGS, indicator_name, read_form_version,
    readable_form_versions,
)
from .framework import Framework
from .intake import Cell, Intake
from .response import Profile, RatingRow, Response
from .wording import shorten

ERROR = "error"
WARNING = "warning"

DONT_KNOW = None  # how a "Don't know" answer is held in Response.answers


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    file: str | None = None

    @property
    def where(self) -> str:
        parts = [self.file] if self.file else []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.cell:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)

    def line(self) -> str:
        """The problem on one line, whatever line breaks a quoted cell value or path brought into it."""
        where = self.where
        text = f"{self.severity}: {where}: {self.message} [{self.code}]" if where else f"{self.severity}: {self.message} [{self.code}]"
        return " ".join(text.splitlines())


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def extend(self, other: "Report") -> None:
        self.problems.extend(other.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self.problems],
        }

    def flat(self) -> list[tuple[str | None, str | None, str]]:
        """(sheet, cell, code) for each problem, the shape tests compare."""
        return [(p.sheet, p.cell, p.code) for p in self.problems]


# XML 1.0 allows tab, newline, carriage return and everything from U+0020 up,
# less the surrogates and U+FFFE/U+FFFF. Word documents are XML, so anything
# else cannot be written and is removed (with a warning).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NUMBERED_CHOICE = re.compile(r"^(\d+(?:\.0+)?)\s*(?:[-\u2013\u2014:.)]\s*(.*))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Profile fields that become a document property (title, author), and what Word
# allows there: 255 characters, less room for the document's name before the place.
PROPERTY_FIELDS = {"municipality_name": "title", "advocate_name": "author"}
MAX_PROPERTY_TEXT = 200


def clean_text(value: Any) -> tuple[str | None, bool]:
    """A cell's text as the person wrote it, ready for a document.

    Returns (text or None when blank, whether illegal characters were removed).
    Excel writes a vertical tab for some line breaks: that becomes a line break.
    Numbers typed into a text field keep their digits (3.0 reads as "3").
    """
    if value is None:
        return None, False
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    cleaned = _ILLEGAL_XML.sub("", text)
    removed = cleaned != text
    cleaned = cleaned.strip()
    return (cleaned or None), removed


def interpret_rating(value: Any, framework: Framework) -> tuple[str, int | None]:
    """Read a rating cell as the person meant it.

    Returns (kind, value) where kind is "blank", "dont-know", "rating" or "invalid".
    Accepts 3, 3.0, "3", " 3 ", the dropdown text "3 - Partly in place" and the label alone.
    """
    scale = framework.scale
    if value is None:
        return "blank", None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return "invalid", None
    if isinstance(value, (int, float)):
        if float(value).is_integer() and int(value) in {lv.value for lv in scale.levels}:
            return "rating", int(value)
        return "invalid", None
    text = " ".join(str(value).split())
    if not text:
        return "blank", None
    folded = _fold(text)
    if folded == _fold(scale.dont_know) or _is_dont_know_spelling(folded, scale.dont_know):
        return "dont-know", None
    for lv in scale.levels:
        if folded in (_fold(scale.choice(lv.value)), _fold(lv.label)):
            return "rating", lv.value
    m = _NUMBERED_CHOICE.match(text)
    if m:
        number = int(float(m.group(1)))
        label = m.group(2)
        for lv in scale.levels:
            if lv.value == number and (not label or _fold(label) == _fold(lv.label)):
                return "rating", lv.value
    return "invalid", None


# Ways people type "Don't know" instead of picking it: no apostrophe, "DK".
_DONT_KNOW_SPELLINGS = frozenset({"dk", "d/k", "dont know", "don't know", "do not know", "dunno"})


def _is_dont_know_spelling(folded: str, dont_know: str) -> bool:
    """Only for a scale whose own answer is "Don't know": another framework's wording is not guessed at."""
    return _fold(dont_know) == "don't know" and folded.rstrip(".!?") in _DONT_KNOW_SPELLINGS


def _as_typed(value: Any, dont_know: str) -> str:
    """A note on how a "Don't know" someone typed was read; nothing for the dropdown's own answer."""
    if value == dont_know:
        return ""
    if str(value).strip() == dont_know:
        return " (the spaces around it were ignored)"
    return f" ('{_show(value)}' was read as \"{dont_know}\")"


def _fold(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").casefold().split())


def validate(intake: Intake, framework: Framework) -> tuple[Report, Response]:
    """Check one workbook against the framework; return the report and the cleaned answers."""
    report = Report()
    file = str(intake.path)
    add = lambda code, severity, message, sheet=None, cell=None: report.problems.append(  # noqa: E731
        Problem(code, severity, message, sheet, cell, file))

    for sheet in intake.missing_sheets:
        add("missing-sheet", ERROR, f"The sheet '{sheet}' is missing or was renamed. Use a workbook made by 'readydocs init', or rename the sheet back to '{sheet}'.", sheet)
    if intake.missing_sheets:
        return report, Response(intake.path)

    form_version = _check_form_version(intake, add)
    if form_version is not None:
        _check_framework(intake, framework, add)
    # A workbook of another form or framework has other names: say that once, not per cell.
    if report.errors or form_version is None:
        return report, Response(intake.path)

    required: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for wanted in intake.missing:
        if wanted.name in META_NAMES or wanted.since > form_version:
            continue  # meta names are checked above; a field newer than the workbook's form is blank
        (required if wanted.required else optional).setdefault(wanted.sheet, []).append(wanted.name)
    for sheet, names in required.items():
        add("missing-input", ERROR, f"The workbook has no input cell named {_some(names)}, which a build needs. Copy your answers into a fresh workbook from 'readydocs init'.", sheet)
    for sheet, names in optional.items():
        add("missing-optional-input", WARNING, f"The workbook has no input cell named {_some(names)}, so {'that field reads' if len(names) == 1 else 'those fields read'} as blank. "
            "If you typed an answer there, name its cell again (Excel: Formulas > Name Manager) or copy your answers into a fresh workbook from 'readydocs init'.", sheet)
    for b in intake.broken:
        add("broken-name", ERROR, f"The defined name {b.name} ('{_show(b.target)}') {b.reason}, so this input cannot be read. Point the name at its cell again (Excel: Formulas > Name Manager), or copy your answers into a fresh workbook from 'readydocs init'.", b.home_sheet)
    for m in intake.misplaced:
        found = f"is labelled {m.found}" if m.found else "has no indicator ID"
        add("indicator-row-mismatch", ERROR, f"The input named {m.cell.name} is on a row that {found}, not {m.indicator}: rows were deleted, inserted or moved without the names following. Copy your answers into a fresh workbook from 'readydocs init'.", m.cell.sheet, m.cell.ref)
    if intake.misplaced:
        # Every answer under a shifted name would be read from the wrong indicator.
        return report, Response(intake.path)

    profile: dict[str, Any] = {}
    for f in PROFILE_FIELDS:
        c = intake.profile.get(f.key)
        if c is None:
            profile[f.key] = None
            continue
        if not _usable(c, add, "a date (yyyy-mm-dd)" if f.kind == "date" else "text"):
            profile[f.key] = None
            continue
        if f.kind == "date":
            profile[f.key] = _read_date(c, f.label, add)
        else:
            profile[f.key] = _read_text(c, f.label, add)
        if f.required and profile[f.key] is None and c.error is None:
            if f.kind == "date" and c.value not in (None, ""):
                continue  # already reported as not a date
            add("missing-value", ERROR, f"{f.label} is required. Fill in this cell.", c.sheet, c.ref)
        if f.key in PROPERTY_FIELDS and profile[f.key] and len(profile[f.key]) > MAX_PROPERTY_TEXT:
            add("text-too-long", ERROR, f"{f.label} is {len(profile[f.key]):,} characters long; it goes into every document's {PROPERTY_FIELDS[f.key]}, which holds at most {MAX_PROPERTY_TEXT}. Shorten it (the other fields have room for more).", c.sheet, c.ref)
        if f.kind == "email" and profile[f.key] and not _EMAIL.match(profile[f.key]):
            add("invalid-email", WARNING, f"'{_show(profile[f.key])}' does not look like an email address. Check it: it is printed on the documents.", c.sheet, c.ref)

    if profile.get("logo_file"):

        logo = logo_problem(profile["logo_file"], intake.path)
        if logo:
            c = intake.profile["logo_file"]
            add(logo[0], ERROR, logo[1], c.sheet, c.ref)

    launch, assessed = profile.get("target_launch_date"), profile.get("assessment_date")
    if launch and assessed and launch < assessed:
        c = intake.profile["target_launch_date"]
        add("launch-before-assessment", WARNING, f"The target launch date ({launch.isoformat()}) is before the assessment date ({assessed.isoformat()}). Check both dates.", c.sheet, c.ref)

    answers: dict[str, int | None] = {}
    rows: dict[str, RatingRow] = {}
    low_cut = framework.scale.levels[len(framework.scale.levels) // 2 - 1].value if len(framework.scale.levels) > 2 else framework.scale.low
    for ind in framework.indicators:
        cells = intake.ratings.get(ind.id, {})
        notes: dict[str, Any] = {}
        for key in ("evidence", "next_step", "owner"):
            c = cells.get(key)
            notes[key] = _read_text(c, key.replace("_", " "), add) if c is not None and _usable(c, add, "text") else None
        due = cells.get("due")
        notes["due"] = _read_date(due, "Due date", add) if due is not None and _usable(due, add, "a date (yyyy-mm-dd)") else None
        row = rows[ind.id] = RatingRow(**notes)

        c = cells.get("rating")
        if c is None:
            continue
        if not _usable(c, add, "a rating from the dropdown"):
            continue
        kind, value = interpret_rating(c.value, framework)
        if kind == "blank":
            add("missing-rating", ERROR, f"{ind.id} has no rating. Choose one from the dropdown, or \"{framework.scale.dont_know}\".", c.sheet, c.ref)
        elif kind == "invalid":
            add("invalid-rating", ERROR, f"{ind.id}: '{_show(c.value)}' is not on the rating scale. Choose one of: {'; '.join(framework.scale.choices)}.", c.sheet, c.ref)
        elif kind == "dont-know":
            answers[ind.id] = DONT_KNOW
            add("dont-know", WARNING, f"{ind.id} is rated \"{framework.scale.dont_know}\"{_as_typed(c.value, framework.scale.dont_know)}; "
                "it is left out of the score, and listed as an information gap unless another respondent rates it.", c.sheet, c.ref)
        elif value is not None:  # a rating on the scale
            answers[ind.id] = value
            if value <= low_cut and not row.evidence:
                ev = cells.get("evidence")
                add("low-rating-without-evidence", WARNING, f"{ind.id} is rated {value} with no evidence note. Add a sentence on what you saw, so leadership can act on it.",
                    (ev or c).sheet, (ev or c).ref)
    _check_document_inputs(intake, framework, profile, answers, add)
    return report, Response(intake.path, Profile.from_fields(profile), answers, rows)


def _check_document_inputs(intake: Intake, framework: Framework, profile: dict[str, Any],
                           answers: dict[str, int | None], add) -> None:
    """Warnings about what the documents will be able to say: too few ratings, no one to sign the memo."""
    total = len(framework.indicators)
    rated = sum(1 for v in answers.values() if v is not None)
    if answers and rated * 2 < total:
        how_many = f"None of the {total} indicators has" if rated == 0 else f"Only {rated} of {total} indicators {'has' if rated == 1 else 'have'}"
        add("few-ratings", WARNING, f"{how_many} a rating; with fewer than half rated, most "
            f"conditions cannot be scored. Ask the colleagues who know each area and replace \"{framework.scale.dont_know}\" "
            "answers with ratings before building.", SHEET_RATINGS)
    c = intake.profile.get("sponsor_name")
    # Without an advocate either, the memo has no sender at all: the required-field error says so.
    if c is not None and not profile.get("sponsor_name") and profile.get("advocate_name"):
        add("no-sponsor", WARNING, "No leadership sponsor is named. The launch memo is a leadership memo: name the senior "
            "leader who will sign it, or it goes out from the Mobility Advocate on behalf of the organization.", c.sheet, c.ref)


def _some(names: list[str]) -> str:
    """The first five names, and how many more."""
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _check_form_version(intake: Intake, add) -> int | None:
    """The workbook's form version when this readydocs reads it; otherwise None, with the error reported."""
    cell = intake.meta.get(NAME_FORM_VERSION)
    if cell is None:
        add("missing-form-version", ERROR, f"The workbook does not say which version of the form it is (no cell named {NAME_FORM_VERSION}). Use a workbook made by 'readydocs init'.", SHEET_INSTRUCTIONS)
        return None
    version = read_form_version(cell.value)
    if version is None:
        held = f"holds '{_show(cell.value)}', not a version number" if clean_text(cell.value)[0] else "is blank"
        add("missing-form-version", ERROR, f"The form version cell {held}. Set it back to the version the workbook was made with ({FORM_VERSION} for this readydocs), or use a workbook made by 'readydocs init'.", cell.sheet, cell.ref)
    elif version < OLDEST_FORM_VERSION:
        add("form-too-old", ERROR, f"This workbook is form version {version}, older than any this readydocs reads (it reads form {readable_form_versions()}). Copy the answers into a fresh workbook from 'readydocs init'.", cell.sheet, cell.ref)
    elif version > FORM_VERSION:
        add("form-too-new", ERROR, f"This workbook is form version {version}, from a newer readydocs; this one reads form {readable_form_versions()}. Install the newer readydocs, or copy the answers into a fresh workbook from 'readydocs init'.", cell.sheet, cell.ref)
    else:
        return version
    return None


def _check_framework(intake: Intake, framework: Framework, add) -> None:
    fid = intake.meta.get(NAME_FRAMEWORK_ID)
    fver = intake.meta.get(NAME_FRAMEWORK_VERSION)
    if fid is None or fver is None:
        add("missing-framework-id", ERROR, "The workbook does not say which framework it was made from. Use a workbook made by 'readydocs init'.", "Instructions")
        return
    got_id, _ = clean_text(fid.value)
    got_ver, _ = clean_text(fver.value)
    if got_id != framework.id:
        add("framework-mismatch", ERROR, f"This workbook was made for framework '{_show(got_id)}', not '{framework.id}'. Pass the matching file with --framework, or copy the answers into a workbook from 'readydocs init'.", fid.sheet, fid.ref)
    elif got_ver != framework.version:
        add("framework-version-mismatch", ERROR, f"This workbook was made for {framework.id} version {_show(got_ver)}; this framework is version {framework.version}. Copy the answers into a fresh workbook from 'readydocs init', or pass the matching framework with --framework.", fver.sheet, fver.ref)


def _usable(c: Cell, add, expected: str) -> bool:
    if c.error is not None:
        add("error-value", ERROR, f"The cell shows the error {_show(c.error)}. Replace it with {expected}.", c.sheet, c.ref)
        return False
    if c.formula_without_value:
        add("formula-without-value", ERROR, f"The cell holds a formula with no saved result. Type {expected} instead, or open and save the workbook in Excel so the result is stored.", c.sheet, c.ref)
        return False
    return True


def _read_text(c: Cell, label: str, add) -> str | None:
    text, removed = clean_text(c.value)
    if removed:
        add("control-characters", WARNING, f"{label.capitalize()} held invisible control characters that a Word document cannot contain; they were left out. Check the text reads as intended.", c.sheet, c.ref)
    return text


def _read_date(c: Cell, label: str, add) -> dt.date | None:
    v = c.value
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    day = _as_date(v)
    if day is None:
        add("invalid-date", ERROR, f"{label}: '{_show(v)}' is not a date. Enter a date such as 2026-10-15.", c.sheet, c.ref)
    elif not FIRST_DATE <= day <= LAST_DATE:
        add("implausible-date", ERROR, f"{label}: {day.isoformat()} is not a plausible date for this assessment. Enter a date from {FIRST_DATE.year} to {LAST_DATE.year}, such as 2026-10-15.", c.sheet, c.ref)
        return None
    return day


def _as_date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        text = v.strip()
        for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d %B %Y", "%B %d, %Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                pass
    return None


def _show(value: Any, limit: int = 40) -> str:
    return shorten(clean_text(value)[0] or "", limit)  # one line, whatever breaks it held (\n, U+2028, U+0085)


def combine(reports: Iterable[Report]) -> Report:
    out = Report()
    for r in reports:
        out.extend(r)
    return out


__all__ = [
    "Problem", "Report", "Response", "validate", "interpret_rating", "clean_text", "combine",
    "ERROR", "WARNING", "SHEET_RATINGS", "indicator_name",
]
