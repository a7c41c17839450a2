"""Answers from an online survey: a CSV export in, one intake workbook per respondent out.

One module for the whole import (the template, the map, reading the CSV and
mapping its cells), longer than most: each part only makes sense with the
others, and the map's format is defined by what the reader accepts.

Many teams collect ratings with an online form rather than one workbook per
person. The export has one row per respondent: profile columns and one
column per indicator. A map file (TOML) says which column holds which
workbook field; ``readydocs survey-template`` writes a CSV header and a map
that match the framework, so a team can build its form from them.

Reading is strict and complete: every cell that cannot be mapped (a column the
map names but the export lacks, a column the map does not know, a rating not
on the scale, a date that is not a date, an empty row) is a problem with its
row and column, all are reported together, and nothing is written while there
is one. No answer is dropped: a column is either mapped or listed under
``ignore`` in the map.

CSV text may be UTF-8 (with or without a byte-order mark), UTF-16 with a
byte-order mark (Excel's "Unicode text"), or Windows-1252 (older Excel
exports; reported in a note); the delimiter is a comma, a semicolon (Excel in
many European locales) or a tab, taken from the header row; quoted cells may
hold line breaks. Bounds: docs/safety.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .baseline import identity
from .errors import InvalidInputError, UnreadableFileError
from .form import PROFILE_BY_KEY, PROFILE_FIELDS, RATING_INPUTS, indicator_name
from .framework import Framework
from .localfile import read_input
from .outputs import write_atomic
from .places import slugify
from .sheets import workbook_bytes
from .xlsxparts import stamp_for
from .validate import interpret_rating
from .wording import closest, did_you_mean, shorten, tally
from .workbook import build_intake, named_cell

MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5_000  # respondents in one export
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 32_767  # what an Excel cell holds
MAX_MAP_BYTES = 1024 * 1024
CSV_NAME = "survey-answers.csv"
MAP_NAME = "survey-map.toml"
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)
# Map sections for the per-indicator columns besides the rating (form.RATING_INPUTS).
NOTE_SECTIONS = tuple(k for k in RATING_INPUTS if k != "rating")  # evidence, next_step, owner, due
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class SurveyProblem:
    file: str
    row: int | None  # 1-based row of the CSV (1 is the header); None for the map file
    column: str  # spreadsheet-style letter, or a map key
    header: str  # the column's header text, when known
    code: str
    message: str

    def line(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}" + (f" ({shorten(self.header, 40)})" if self.header else "")
                         if self.row is not None else f"key {self.column}")
        return " ".join(f"error: {', '.join(where)}: {self.message} [{self.code}]".split())


class SurveyError(InvalidInputError):
    """The export or the map has problems; nothing was written."""

    def __init__(self, problems: list[SurveyProblem]):
        super().__init__(f"{tally(len(problems), 'problem')} in the survey answers; nothing was written.",
                         "Fix them in the export or the map and import again.")
        self.problems = problems


@dataclass
class SurveyMap:
    source: str
    profile: dict[str, str] = field(default_factory=dict)  # profile field key -> column header
    ratings: dict[str, str] = field(default_factory=dict)  # indicator id -> column header
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # section -> indicator id -> header
    ignore: list[str] = field(default_factory=list)
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS


@dataclass
class Imported:
    written: list[Path]
    places: dict[str, list[Path]]  # folder name -> workbooks
    notes: list[str]


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA: how a spreadsheet names the column."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


# --------------------------------------------------------------------------
# The template: a CSV header and a map that match the framework


def template_headers(framework: Framework) -> dict[str, Any]:
    """Column headers for every profile field, each indicator's rating and its evidence note."""
    return {
        "profile": {f.key: f.label for f in PROFILE_FIELDS if f.key != "logo_file"},
        "ratings": {i.id: f"{i.id}: {i.statement}" for i in framework.indicators},
        "evidence": {i.id: f"{i.id} evidence" for i in framework.indicators},
    }


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def template_files(framework: Framework) -> tuple[bytes, bytes]:
    """(the CSV header row, the map file), as bytes."""
    heads = template_headers(framework)
    columns = list(heads["profile"].values()) + [h for i in framework.indicators
                                                 for h in (heads["ratings"][i.id], heads["evidence"][i.id])]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(columns)
    lines = [
        f"# {MAP_NAME}: which column of a survey export holds which answer of the intake workbook.",
        "# Change the text on the right of each line to the column header your survey tool exports;",
        "# delete profile and evidence lines your form does not ask (every indicator needs its rating). See 'readydocs docs cohort'.",
        "",
        "[survey]",
        f"framework = {_toml_string(framework.key)}",
        "# Columns of the export that hold no answers (a timestamp, a respondent id): listed here, they are skipped.",
        "ignore = []",
        "# How dates are written in the export (Python strptime codes), tried in order.",
        "date_formats = [" + ", ".join(_toml_string(f) for f in DEFAULT_DATE_FORMATS) + "]",
        "",
        "[profile]",
        *(f"{key} = {_toml_string(h)}" for key, h in heads["profile"].items()),
        "",
        "# One column per indicator: the answer as the scale label (\"Partly in place\"), the number (3),",
        f"# the dropdown text (\"3 - Partly in place\") or \"{framework.scale.dont_know}\".",
        "[ratings]",
        *(f"{iid} = {_toml_string(h)}" for iid, h in heads["ratings"].items()),
        "",
        "# Optional: an evidence note per indicator. Sections next_step, owner and due work the same way.",
        "[evidence]",
        *(f"{iid} = {_toml_string(h)}" for iid, h in heads["evidence"].items()),
        "",
    ]
    return ("\ufeff" + buf.getvalue()).encode("utf-8"), "\n".join(lines).encode("utf-8")


def write_template(folder: Path, framework: Framework, force: bool = False) -> list[Path]:
    """Write survey-answers.csv (header only) and survey-map.toml into ``folder``."""

    folder = Path(folder)
    targets = [folder / CSV_NAME, folder / MAP_NAME]
    taken = [p for p in targets if p.exists()]
    if taken and not force:
        raise UnreadableFileError(f"{', '.join(str(p) for p in taken)} already {'exists' if len(taken) == 1 else 'exist'}.",
                                  "Choose another folder, or add --force to replace them.")
    for path, data in zip(targets, template_files(framework)):
        write_atomic(path, data)
    return targets


# --------------------------------------------------------------------------
# Reading the map


def load_map(path: Path, framework: Framework) -> tuple[SurveyMap, list[SurveyProblem]]:
    path = Path(path)
    name = path.name
    raw = read_input(path, MAX_MAP_BYTES, "Give the map file written by 'readydocs survey-template'.")
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UnreadableFileError(f"{path}: is not UTF-8 text.", "Save it as UTF-8.")
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise UnreadableFileError(f"{path}: is not valid TOML ({exc}).", "Fix the syntax at the line shown.")
    problems: list[SurveyProblem] = []

    def problem(key: str, code: str, message: str) -> None:
        problems.append(SurveyProblem(name, None, key, "", code, message))

    m = SurveyMap(str(path))
    survey = data.get("survey", {})
    if not isinstance(survey, dict):
        problem("survey", "survey-map-key", "must be a table.")
        survey = {}
    fw = survey.get("framework")
    if fw is not None and fw != framework.key:
        problem("survey.framework", "survey-map-framework", f"names framework '{fw}', but this import uses '{framework.key}'. "
                "Make a new map with 'readydocs survey-template', or pass the matching --framework.")
    ignore = survey.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        problem("survey.ignore", "survey-map-key", "must be a list of column headers.")
    else:
        m.ignore = ignore
    formats = survey.get("date_formats", list(DEFAULT_DATE_FORMATS))
    if not isinstance(formats, list) or not formats or not all(isinstance(x, str) and "%" in x for x in formats):
        problem("survey.date_formats", "survey-map-key", "must be a list of date formats such as \"%Y-%m-%d\".")
    else:
        m.date_formats = tuple(formats)
    for key in data:
        if key not in ("survey", "profile", "ratings", *NOTE_SECTIONS):
            problem(key, "survey-map-key", f"is not a section of a survey map (survey, profile, ratings, {', '.join(NOTE_SECTIONS)}).")

    def headers_of(section: str, known: set[str], what: str) -> dict[str, str]:
        table = data.get(section, {})
        if not isinstance(table, dict):
            problem(section, "survey-map-key", "must be a table.")
            return {}
        out = {}
        for key, header in table.items():
            if key not in known:
                problem(f"{section}.{key}", "survey-map-key", f"is not {what}.{did_you_mean(key, known)}")
            elif not isinstance(header, str) or not header.strip():
                problem(f"{section}.{key}", "survey-map-key", "must be the column header, as text.")
            else:
                out[key] = header
        return out

    ids = {i.id for i in framework.indicators}
    m.profile = headers_of("profile", set(PROFILE_BY_KEY), "a workbook profile field")
    m.ratings = headers_of("ratings", ids, "an indicator of the framework")
    for section in NOTE_SECTIONS:
        got = headers_of(section, ids, "an indicator of the framework")
        if got:
            m.notes[section] = got
    if "municipality_name" not in m.profile:
        problem("profile.municipality_name", "survey-map-missing",
                "is missing: the import needs the column naming each respondent's municipality.")
    for iid in sorted(ids - set(m.ratings)):
        problem(f"ratings.{iid}", "survey-map-missing", "is missing: every indicator needs the column holding its rating.")
    return m, problems


# --------------------------------------------------------------------------
# Reading the export


def read_csv(path: Path) -> tuple[list[list[str]], list[str]]:
    """The rows of the export (header first) and notes on how it was read."""
    path = Path(path)
    raw = read_input(path, MAX_CSV_BYTES, "Give the CSV file exported from the survey tool (a larger export: split it into several files).")
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
            notes.append(f"{path.name}: not UTF-8; read as Windows-1252 text. Check accented letters in the workbooks, "
                         "or export as \"CSV UTF-8\" next time.")
    if "\x00" in text:
        raise UnreadableFileError(f"{path}: is not a text CSV file.", "Export the answers from the survey tool as CSV.")
    header_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=lambda d: header_line.count(d))
    rows: list[list[str]] = []
    csv.field_size_limit(MAX_CELL_CHARS * 4 + 1)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise UnreadableFileError(f"{path}: has more than {MAX_ROWS} answer rows.", "Split the export into several files.")
    except csv.Error as exc:
        raise UnreadableFileError(f"{path}: is not a well-formed CSV file near row {len(rows) + 1} ({exc}).",
                                  "Export it again from the survey tool, as CSV.")
    # Blank lines after the last answer are how many tools end a file; they are not rows.
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise UnreadableFileError(f"{path}: is empty.", "Export the answers from the survey tool as CSV, with the header row.")
    if len(rows[0]) > MAX_COLUMNS:
        raise UnreadableFileError(f"{path}: has {len(rows[0])} columns, more than {MAX_COLUMNS}.", "Check the export.")
    return rows, notes


# --------------------------------------------------------------------------
# Mapping answers to workbooks


@dataclass
class Respondent:
    row: int
    values: dict[str, Any]  # workbook defined name -> cell value


def parse(csv_path: Path, survey_map: SurveyMap, framework: Framework) -> tuple[list[Respondent], list[SurveyProblem], list[str]]:
    """Every respondent's workbook values, and every problem found (row and column each)."""

    rows, notes = read_csv(csv_path)
    name = Path(csv_path).name
    header = rows[0]
    problems: list[SurveyProblem] = []

    def add(row: int | None, col: int | None, code: str, message: str) -> None:
        problems.append(SurveyProblem(name, row, column_letter(col + 1) if col is not None else "",
                                      header[col] if col is not None and col < len(header) else "", code, message))

    position: dict[str, int] = {}
    for n, h in enumerate(header):
        key = _fold(h)
        if not key:
            if any(n < len(r) and r[n].strip() for r in rows[1:]):
                add(1, n, "survey-unnamed-column", "this column has answers but no header. Give it a header and map it, "
                    "or delete the column.")
            continue
        if key in position:
            add(1, n, "survey-duplicate-column", f"the header repeats column {column_letter(position[key] + 1)}. "
                "Give each column its own header.")
            continue
        position[key] = n

    wanted: dict[str, tuple[str, str, str]] = {}  # folded header -> (kind, field, header as the map has it)
    for key, h in survey_map.profile.items():
        wanted[_fold(h)] = ("profile", key, h)
    for iid, h in survey_map.ratings.items():
        wanted[_fold(h)] = ("rating", iid, h)
    for section, table in survey_map.notes.items():
        for iid, h in table.items():
            wanted[_fold(h)] = (section, iid, h)
    ignored = {_fold(h) for h in survey_map.ignore}
    for folded, (kind, key, typed) in wanted.items():
        if folded not in position:
            close = closest(folded, position, cutoff=0.75)
            hint = f" The export has \u201c{header[position[close]]}\u201d (column {column_letter(position[close] + 1)}): " \
                   "fix the spelling in one of them." if close else " Add the column to the export, or fix the header in the map."
            add(1, None, "survey-missing-column",
                f"the map's column \u201c{shorten(typed, 60)}\u201d ({kind} {key}) is not in the export.{hint}")
    for folded, n in position.items():
        if folded not in wanted and folded not in ignored:
            add(1, n, "survey-unmapped-column", "the map does not say what this column holds, so its answers would be lost. "
                "Map it in the survey map, or list it under [survey] ignore.")

    columns = {n: wanted[folded][:2] for folded, n in position.items() if folded in wanted}
    respondents = []
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            add(r, None, "survey-empty-row", "the row is empty. Delete it from the export, or fill in the respondent's answers.")
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            add(r, len(header), "survey-extra-cells", f"the row has {len(cells)} cells but the header {len(header)}: a delimiter "
                "inside an unquoted answer, probably. Export again with quoted text.")
        values: dict[str, Any] = {}
        for n, (kind, key) in columns.items():
            text = cells[n] if n < len(cells) else ""
            if len(text) > MAX_CELL_CHARS:
                add(r, n, "survey-too-long", f"the answer has {len(text)} characters, more than a workbook cell holds ({MAX_CELL_CHARS}).")
                continue
            if kind == "rating":
                got, number = interpret_rating(text, framework)
                if got == "rating" and number is not None:
                    values[indicator_name("rating", key)] = framework.scale.choice(number)
                elif got == "dont-know":
                    values[indicator_name("rating", key)] = framework.scale.dont_know
                elif got == "blank":
                    add(r, n, "survey-no-rating", f"{key} has no answer. Every indicator needs a rating or "
                        f"\u201c{framework.scale.dont_know}\u201d.")
                else:
                    choices = ", ".join(f"{lv.value} or {lv.label}" for lv in framework.scale.levels)
                    add(r, n, "survey-unknown-rating", f"\u201c{shorten(text, 40)}\u201d is not a rating. Use {choices}, "
                        f"or \u201c{framework.scale.dont_know}\u201d.")
                continue
            text = text.strip()
            if not text:
                continue
            field_kind = PROFILE_BY_KEY[key].kind if kind == "profile" else ("date" if kind == "due" else "text")
            if field_kind == "date":
                day = _date(text, survey_map.date_formats)
                if day is None:
                    add(r, n, "survey-bad-date", f"\u201c{shorten(text, 40)}\u201d is not a date in the map's formats "
                        f"({', '.join(survey_map.date_formats)}). Write it as 2026-10-15, or add its format to date_formats.")
                    continue
                value: Any = day
            else:
                value = text
            values[PROFILE_BY_KEY[key].name if kind == "profile" else indicator_name(kind, key)] = value
        if "municipality_name" in survey_map.profile and not values.get(PROFILE_BY_KEY["municipality_name"].name):
            col = position.get(_fold(survey_map.profile["municipality_name"]))
            if col is not None:
                add(r, col, "survey-no-municipality", "names no municipality, so the answers cannot be given to a place.")
        respondents.append(Respondent(r, values))
    return respondents, problems, notes


def _date(text: str, formats: tuple[str, ...]) -> dt.date | None:
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    # Survey tools often add the time to a date ("2026-10-15 14:03:22"): the date part is what counts.
    head = text.split(" ")[0].split("T")[0]
    if head != text:
        return _date(head, formats)
    return None


def import_survey(csv_path: Path, map_path: Path, out_dir: Path, framework: Framework) -> Imported:
    """Read, check and, only when nothing is wrong, write one workbook per respondent in out_dir/<place>/."""

    survey_map, problems = load_map(map_path, framework)
    if problems:
        raise SurveyError(problems)
    respondents, problems, notes = parse(csv_path, survey_map, framework)
    name_key = PROFILE_BY_KEY["municipality_name"].name

    def add(row: int, code: str, message: str) -> None:
        problems.append(SurveyProblem(Path(csv_path).name, row, "", "", code, message))

    # Places by identity; two identities that would share a folder are a problem, as in batch.
    folders: dict[str, tuple[tuple[str, str, str], int]] = {}
    targets: list[tuple[Path, Respondent]] = []
    used: set[Path] = set()
    for resp in respondents:
        place = resp.values.get(name_key)
        if not place:
            continue
        ident = identity(place, resp.values.get("profile.state"), resp.values.get("profile.jurisdiction_type"))
        folder = slugify(place)
        if folder in folders and folders[folder][0] != ident:
            add(resp.row, "survey-place-clash", f"\u201c{shorten(place, 40)}\u201d would share the folder \u2018{folder}\u2019 with the "
                f"place of row {folders[folder][1]}, which differs in name, state or type. Spell one place the same way "
                "in every row, or tell different places apart.")
            continue
        folders.setdefault(folder, (ident, resp.row))
        who = resp.values.get(PROFILE_BY_KEY["respondent_name"].name) or resp.values.get(PROFILE_BY_KEY["advocate_name"].name)
        stem = f"row-{resp.row:03d}" + (f"-{slugify(who)[:40]}" if who else "")
        path = Path(out_dir) / folder / f"{stem}.xlsx"
        used.add(path)
        targets.append((path, resp))
    if problems:
        raise SurveyError(sorted(problems, key=lambda p: (p.row or 0, p.column.rjust(3))))
    existing = [p for p, _ in targets if p.exists()]
    if existing:
        raise UnreadableFileError(f"{existing[0]}: already exists{f' (and {len(existing) - 1} more)' if len(existing) > 1 else ''}; "
                                  "nothing was written.", "Import into an empty folder, or move the earlier workbooks away.")
    # Everything is checked before anything is written.
    made = []
    for path, resp in targets:
        wb = build_intake(framework)
        for defined, value in resp.values.items():
            named_cell(wb, defined).value = value
        day = resp.values.get(PROFILE_BY_KEY["assessment_date"].name)
        made.append((path, workbook_bytes(wb, stamp_for(day if isinstance(day, dt.date) else None))))
    out = Imported([], {}, notes)
    for path, data in made:
        write_atomic(path, data)
        out.written.append(path)
        out.places.setdefault(path.parent.name, []).append(path)
    return out
