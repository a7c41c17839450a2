"""Reading a filled intake workbook. The only module that opens a workbook for reading.

Every value keeps the place it came from (sheet and cell), so validation can
say exactly where a problem is. Inputs are found through the workbook's
defined names (see form.py), not by position, so a re-styled or re-saved
workbook still reads.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from defusedxml import DefusedXmlException

from . import xlsxvalues
from .errors import UnreadableFileError
from .form import (
    META_NAMES, PROFILE_FIELDS, RATING_INPUTS, SHEET_PROFILE, SHEET_RATINGS, NamedInput, indicator_name, named_inputs,
)
from .framework import Framework
from .xlsxcells import XlsxWorkbook

# The zip-level limits are shared by every Office file readydocs opens (zipguard.py).
from .zipguard import MAX_COMPRESSION_RATIO, MAX_PARTS, MAX_UNCOMPRESSED_BYTES, check_workbook  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Cell:
    """One input value and where it came from."""

    sheet: str
    ref: str  # A1 reference, e.g. "D5"
    name: str  # the defined name that points here
    value: Any  # as stored: str, int, float, datetime, bool or None
    error: str | None = None  # an Excel error value such as "#N/A"
    formula_without_value: bool = False
    hidden: bool = False  # the row is hidden

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.ref}"


@dataclass
class Intake:
    """What one workbook holds, cell by cell."""

    path: Path
    sheets: list[str]
    meta: dict[str, Cell]
    profile: dict[str, Cell]
    # indicator id -> input column key (rating, evidence, ...) -> cell
    ratings: dict[str, dict[str, Cell]]
    # defined names the form has that the workbook lacks (validation decides which matter)
    missing: list[NamedInput] = field(default_factory=list)
    # required sheets that are missing
    missing_sheets: list[str] = field(default_factory=list)
    # expected defined names that do not point at one cell
    broken: list["BrokenName"] = field(default_factory=list)
    # indicators whose inputs sit on a row labelled with another indicator's ID
    misplaced: list["MisplacedInput"] = field(default_factory=list)


def is_owner_file(path: Path) -> bool:
    """Excel's owner file (~$name.xlsx): a few bytes naming who has a workbook open, never a workbook."""
    return Path(path).name.startswith("~$")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """An exception and the ones it was raised from (openpyxl wraps parser errors in ValueError)."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


# Excel stores characters XML cannot hold (a vertical tab for some line breaks,
# a carriage return) as _xHHHH_; the XML gives the escape as text. Only
# control characters are decoded, so text that merely looks like an escape
# keeps its letters.
_OOXML_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f])_")


def _unescape(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


# Excel's grid: a defined name pointing past it (row 0, row 1048577, column XFE) is broken.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
_A1 = re.compile(r"^([A-Za-z]{1,3})([0-9]{1,7})$")


@dataclass(frozen=True)
class BrokenName:
    """A defined name the framework expects that does not point at one usable cell."""

    name: str
    home_sheet: str  # the sheet the input belongs on
    target: str  # what the name holds, e.g. "Ratings!#REF!"
    reason: str  # why it cannot be read, e.g. "points at a whole row"


@dataclass(frozen=True)
class MisplacedInput:
    """An indicator's input cell on a row that another indicator's ID labels (or none does).

    A row deleted or moved by a program that leaves the names alone shifts
    every later answer under the wrong name; the ID printed in column A shows it.
    """

    indicator: str
    cell: Cell
    found: str | None  # the indicator ID printed on that row, if any


def read_intake(path: str | Path, framework: Framework) -> Intake:
    """Open a workbook and collect every input cell the framework expects.

    Only the rows the defined names point at are parsed (xlsxcells.py), so a
    workbook padded with millions of other cells costs little more than a
    plain one (docs/safety.md).
    """
    path = Path(path)
    try:
        return _read(path, check_workbook(path), framework)
    except UnreadableFileError as exc:
        exc.file = exc.file or str(path)
        raise


def _read(path: Path, source: bytes | Path, framework: Framework) -> Intake:
    try:
        with XlsxWorkbook(source) as wb:
            return _collect(path, wb, framework)
    except UnreadableFileError:
        raise
    except Exception as exc:  # a part missing or malformed: one line, whatever the parser raised
        raise _unopenable(path, exc) from exc


def _unopenable(path: Path, exc: Exception) -> UnreadableFileError:
    if any(isinstance(e, DefusedXmlException) for e in _chain(exc)):
        return UnreadableFileError(
            f"{path}: declares XML entities or a DOCTYPE, which Excel never writes; it was not opened.",
            "Open it in Excel or LibreOffice and save it again as .xlsx, or use the workbook made by 'readydocs init'.")
    return UnreadableFileError(f"{path}: cannot be opened as a workbook ({type(exc).__name__}).",
                               "Open it in Excel or LibreOffice and save it again as .xlsx.")


def _collect(path: Path, wb: "XlsxWorkbook", framework: Framework) -> Intake:
    intake = Intake(path=path, sheets=list(wb.sheetnames), meta={}, profile={}, ratings={})
    intake.missing_sheets = [s for s in (SHEET_PROFILE, SHEET_RATINGS) if s not in wb.sheetnames]

    targets: dict[str, tuple[str, int, int]] = {}  # name -> (sheet, row, column)
    for wanted in named_inputs(ind.id for ind in framework.indicators):
        text = wb.defined_names.get(wanted.name)
        if text is None:
            intake.missing.append(wanted)
            continue
        found = _target(text, wb.grids)
        if isinstance(found, str):
            intake.broken.append(BrokenName(wanted.name, wanted.sheet, text, found))
        else:
            targets[wanted.name] = found

    rows = wb.read_rows(targets.values())

    def cell(name: str) -> Cell | None:
        if name not in targets:
            return None
        sheet, row, column = targets[name]
        ref = f"{xlsxvalues.column_letter(column)}{row}"
        raw = rows.cells[(sheet, row)][column - 1]  # read_rows gives every named row, stored or not
        value = raw.value
        if isinstance(value, str):
            value = _unescape(value)
        error = None
        if raw.error or (isinstance(value, str) and value in _ERROR_VALUES):
            error, value = str(value), None
        return Cell(sheet=sheet, ref=ref, name=name, value=value, error=error,
                    formula_without_value=raw.formula_without_value, hidden=(sheet, row) in rows.hidden)

    for meta_name in META_NAMES:
        if (c := cell(meta_name)) is not None:
            intake.meta[meta_name] = c
    for f in PROFILE_FIELDS:
        if (c := cell(f.name)) is not None:
            intake.profile[f.key] = c
    ids = {ind.id for ind in framework.indicators}
    labels_on = {key: {v.value.strip() for v in cells if isinstance(v.value, str)} & ids for key, cells in rows.cells.items()}
    for ind in framework.indicators:
        inputs: dict[str, Cell] = {}
        for key in RATING_INPUTS:
            if (c := cell(indicator_name(key, ind.id))) is not None:
                inputs[key] = c
        intake.ratings[ind.id] = inputs
        for c in inputs.values():
            sheet, row, _ = targets[c.name]
            labels = labels_on[(sheet, row)]  # the indicator IDs printed on the row
            if ind.id not in labels:
                intake.misplaced.append(MisplacedInput(ind.id, c, min(labels) if labels else None))
                break  # one report per indicator
    return intake


def _target(text: str, grids: dict[str, bool]) -> tuple[str, int, int] | str:
    """Where a defined name's text points, as (sheet, row, column), or why it does not point at one cell."""
    found = _kept_cell_named(text) if len(text) <= _KEPT_NAME else _cell_named(text)
    if isinstance(found, str):
        return found
    sheet = found[0]
    if sheet not in grids:
        return f"points at sheet '{sheet}', which this workbook does not have"
    if not grids[sheet]:
        return f"points at '{sheet}', a chart sheet"
    return found


def _cell_named(text: str) -> tuple[str, int, int] | str:
    """_target's reading of the text alone, whatever sheets the workbook has (kept for short texts: every
    workbook of a form repeats its names)."""
    if "#REF!" in text.upper():
        return "points at a deleted cell (#REF!)"
    try:
        destinations = xlsxvalues.destinations(text)
    except Exception:
        destinations = []
    if not destinations:
        return "holds a value or a formula, not a cell"
    if len(destinations) > 1:
        return "points at more than one place"
    sheet, ref = destinations[0]
    ref = ref.replace("$", "").upper()
    if ":" in ref:
        first, last = ref.split(":", 1)
        if first != last:
            return f"points at the range {ref}, not one cell"
        ref = first
    if ref.isdigit():
        return "points at a whole row"
    if ref.isalpha():
        return "points at a whole column"
    m = _A1.match(ref)
    column = _column_index(m.group(1)) if m else 0
    if not m or not 1 <= int(m.group(2)) <= MAX_ROW or not 1 <= column <= MAX_COLUMN:
        return f"points at {ref or 'nothing'}, which is not a cell of a sheet"
    return sheet, int(m.group(2)), column


_KEPT_NAME = 256  # characters: a name's text as Excel writes it is far shorter
_kept_cell_named = functools.lru_cache(maxsize=4096)(_cell_named)


def _column_index(letters: str) -> int:
    """1 for A ... 16384 for XFD; 0 for letters past the widest column openpyxl knows."""
    try:
        return xlsxvalues.column_index(letters)
    except ValueError:
        return 0


_ERROR_VALUES = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!"})
