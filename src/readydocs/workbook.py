"""Writes the Excel intake workbook a city fills in; the only module that does.

Longer than most modules because the four sheets are one layout: their
cells, styles and defined names refer to one another, and splitting them
would spread one layout over several files.

The layout lives here; the fields come from form.py and the conditions,
indicators and rating scale from the framework. Every input cell gets a
workbook-level defined name (form.py), so intake.py and other programs find
cells by name, never by position (docs/workbook.md).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
from openpyxl.styles.proxy import StyleProxy
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import absolute_coordinate, coordinate_from_string
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from . import form
from .outputs import write_atomic
from .sheets import (
    BORDER, DATE_FORMAT, HEADER_FILL, HEADER_FONT, HINT_FONT, INPUT_FILL, MUTED, TEAL,
    TOP_WRAP, UNLOCKED, font, workbook_bytes,
)
from .framework import Framework
from .sample import DONT_KNOW, SAMPLE_PROFILE, sample_inputs
from .wording import shorten

# Hidden sheet holding the dropdown options (a range, so labels may contain commas).
SHEET_LISTS = "Lists"

WORKBOOK_TITLE = "Readiness assessment intake"
CREATOR = "readydocs"

# First row of data on Profile and Ratings: row 1 title, row 2 hint, row 3 header.
HEADER_ROW = 3
FIRST_ROW = 4

# The shared palette and styles (sheets.py); the intake form adds a pale teal
# band between conditions and larger titles of its own.
TEAL_BAND = "E4F0EF"
_teal_line = Side(style="medium", color=TEAL)
TITLE_FONT = font(bold=True, size=16, color=TEAL)
SECTION_FONT = font(bold=True, size=12, color=TEAL)
BAND_FILL = PatternFill("solid", fgColor=TEAL_BAND)
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
LOCKED = Protection(locked=True)
TOP = Alignment(vertical="top")
# Excel's own check on the date cells takes the form's range (validation checks it again).
DATE_MIN = int(to_excel(form.FIRST_DATE))
DATE_MAX = int(to_excel(form.LAST_DATE))

# Excel caps data-validation prompt and error texts.
_DV_TITLE_MAX = 32
_DV_TEXT_MAX = 255

# Rows that wrap text start at a height estimated from their text but are
# not marked as set by hand (FittedRow), so Excel and LibreOffice fit them
# again as people type and every note shows in full, on screen and in print.
# The estimate is generous: LibreOffice without Calibri uses a wider font.
LINE_HEIGHT = 15
CHARS_PER_WIDTH = 1.0
LONG_FIELD_LINES = 3


def write_intake(path: Path, framework: Framework, sample: bool = False,
                 profile: Mapping[str, form.ProfileValue] | None = None, locked: Iterable[str] = ()) -> Path:
    """Write an intake workbook for ``framework`` to ``path`` and return the path.

    With ``sample=True`` the fictional City of Riverbend example from
    sample.py is filled in. ``profile`` fills Profile fields by key (over the
    sample's), and the fields named in ``locked`` are written as locked, grey
    cells: a respondent's copy keeps the place as the advocate entered it. The file is written to a temporary file in the
    same folder and moved into place, so a reader never sees half a workbook.
    An existing file is replaced; deciding whether that is allowed is the
    caller's job.
    """
    path = Path(path)
    stamp = _timestamp(sample)
    wb = build_intake(framework, sample=sample, profile=profile, locked=locked)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    data = workbook_bytes(wb, stamp)
    write_atomic(path, data)
    return path


def build_intake(framework: Framework, sample: bool = False,
                 profile: Mapping[str, form.ProfileValue] | None = None, locked: Iterable[str] = ()) -> Workbook:
    """The intake workbook in memory (write_intake saves it)."""
    wb = Workbook()
    wb.properties.title = WORKBOOK_TITLE
    wb.properties.subject = framework.title
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.language = framework.language

    instructions = wb.worksheets[0]  # a new workbook's one sheet
    instructions.title = form.SHEET_INSTRUCTIONS
    profile_ws = wb.create_sheet(form.SHEET_PROFILE)
    ratings = wb.create_sheet(form.SHEET_RATINGS)
    lists = wb.create_sheet(SHEET_LISTS)

    rating_range, jurisdiction_range = _fill_lists(lists, framework)
    _fill_instructions(wb, instructions, framework)
    values = {**(SAMPLE_PROFILE if sample else {}), **(profile or {})}
    unknown = (set(values) | set(locked)) - set(form.PROFILE_BY_KEY)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    _fill_profile(wb, profile_ws, jurisdiction_range, values, frozenset(locked))
    _fill_ratings(wb, ratings, framework, rating_range, sample)

    for ws in (instructions, profile_ws, ratings, lists):
        _protect(ws)
    lists.sheet_state = "hidden"
    wb.active = 0
    # The progress counts have no stored result: have Excel calculate them on opening.
    wb.calculation.fullCalcOnLoad = True
    return wb


# --------------------------------------------------------------------------
# Filling a workbook by name, as another program would


def named_cell(wb: Workbook, name: str) -> Cell:
    """The one cell the workbook-level defined ``name`` points at (KeyError if there is none)."""
    (sheet, ref), = wb.defined_names[name].destinations
    return wb[sheet][ref.replace("$", "")]


def set_named_cells(path: Path, values: Mapping[str, Any], target: Path | None = None) -> Path:
    """Set cells by defined name in the workbook at ``path``; save to ``target`` (or in place) and return it.

    Values go in as openpyxl stores them: a date stays a date, text stays
    text. Tests, benchmarks and scripts fill workbooks this way, by name, so
    they keep working when the layout moves.
    """
    wb = load_workbook(path)
    for name, value in values.items():
        named_cell(wb, name).value = value
    out = Path(target or path)
    wb.save(out)
    return out


def rate_every_indicator(path: Path, framework: Framework, value: Any, target: Path | None = None) -> Path:
    """Give every indicator of ``framework`` the same rating ``value`` (a number, a choice's text or None)."""
    return set_named_cells(path, {form.indicator_name("rating", i.id): value for i in framework.indicators}, target)


# --------------------------------------------------------------------------
# Sheets


def _fill_lists(ws: Worksheet, framework: Framework) -> tuple[str, str]:
    """Dropdown options; returns the absolute references of the two lists."""
    ws["A1"] = "Rating choices"
    ws["B1"] = "Jurisdiction types"
    for cell in (ws["A1"], ws["B1"]):
        cell.font = font(bold=True)
    choices = framework.scale.choices
    for n, choice in enumerate(choices, start=2):
        ws.cell(row=n, column=1, value=choice)
    for n, kind in enumerate(form.JURISDICTION_TYPES, start=2):
        ws.cell(row=n, column=2, value=kind)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 28
    rating_range = _ref(ws.title, f"A2:A{len(choices) + 1}")
    jurisdiction_range = _ref(ws.title, f"B2:B{len(form.JURISDICTION_TYPES) + 1}")
    return rating_range, jurisdiction_range


def _fill_instructions(wb: Workbook, ws: Worksheet, framework: Framework) -> None:
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 88
    ws.sheet_view.showGridLines = False

    ws["A1"] = WORKBOOK_TITLE
    ws["A1"].font = TITLE_FONT
    _fit_row(ws, 1, 24)
    ws["A2"] = framework.title
    ws["A2"].font = font(bold=True, size=12, color=MUTED)

    row = _fill_progress(wb, ws, framework, 4) + 1
    ws.cell(row=row, column=1, value="How to fill in this workbook").font = SECTION_FONT
    row += 1
    n_ind = len(framework.indicators)
    n_cond = len(framework.conditions)
    gap_label = framework.insufficient.label
    steps = [
        ("What this is",
         f"A short self-assessment of whether your local government is ready to start a Mobility Action "
         f"Planning process. It asks about {n_ind} statements (indicators) grouped under {n_cond} readiness "
         f"conditions. readydocs reads your answers and drafts Word documents you can edit and share."),
        ("Yellow cells are yours",
         "Type only in the light yellow cells. Everything else is locked so the layout stays intact "
         "(there is no password: Review > Unprotect Sheet if you really need to change it)."),
        ("Fill in the Profile sheet",
         "Who the assessment is for and who is leading it. Fields marked * are required. "
         "Enter dates as yyyy-mm-dd, for example 2026-10-15."),
        ("Rate each indicator",
         "On the Ratings sheet, pick a rating for every indicator from the dropdown in the Rating column. "
         "Rate how things are today, not how they will be once plans go ahead."),
        ("\"Don't know\" is fine",
         f"If you are not sure, choose \"{framework.scale.dont_know}\". It becomes an information gap to "
         f"follow up rather than a low score. If most answers for one condition are unknown, the report "
         f"marks that condition \"{gap_label}\"."),
        ("Add evidence and next steps",
         "Note briefly what each rating rests on (a memo, a meeting, a budget line). Where a rating is low "
         "or unknown, suggest a next step, who owns it and a due date."),
        ("Several people rating?",
         "Give each person their own copy: once the Profile is filled in, readydocs init with --respondent "
         "makes one copy per person with the Profile locked, and readydocs reads the copies together."),
        ("Check and build",
         "Save and close the file. Start readydocs serve and drop this workbook on the page it opens in "
         "your web browser: it lists anything missing or unclear, cell by cell, and makes the documents. "
         "At a command prompt, readydocs validate followed by this file's name does the same check, and "
         "readydocs build makes the documents."),
    ]
    for n, (title, text) in enumerate(steps, start=1):
        num = ws.cell(row=row, column=1, value=n)
        num.font = font(bold=True, color=TEAL)
        num.alignment = Alignment(horizontal="center", vertical="top")
        head = ws.cell(row=row, column=2, value=title)
        head.font = font(bold=True)
        head.alignment = TOP_WRAP
        body = ws.cell(row=row, column=3, value=text)
        body.alignment = TOP_WRAP
        row += 1

    row += 1
    ws.cell(row=row, column=1, value="The rating scale").font = SECTION_FONT
    row += 1
    for col, header in enumerate(("Value", "Rating", "What it means"), start=1):
        _header_cell(ws.cell(row=row, column=col, value=header))
    row += 1
    levels = framework.scale.levels
    for i, level in enumerate(levels):
        meaning = level.meaning or _scale_position(i, len(levels))
        _table_row(ws, row, (level.value, framework.scale.choice(level.value), meaning))
        row += 1
    dont_know_meaning = framework.scale.dont_know_meaning or "Not sure: reported as an information gap, not counted as a low rating."
    _table_row(ws, row, ("", framework.scale.dont_know, dont_know_meaning))
    row += 1

    row += 1
    ws.cell(row=row, column=1, value="About this workbook").font = SECTION_FONT
    row += 1
    about = [
        ("Framework", framework.title, None),
        ("Framework id", framework.id, form.NAME_FRAMEWORK_ID),
        ("Framework version", framework.version, form.NAME_FRAMEWORK_VERSION),
        ("Form version", form.FORM_VERSION, form.NAME_FORM_VERSION),
    ]
    for label, value, name in about:
        ws.cell(row=row, column=2, value=label).font = font(bold=True)
        cell = ws.cell(row=row, column=3, value=str(value))
        cell.alignment = Alignment(horizontal="left")
        if name:
            _name_cell(wb, name, ws, cell.coordinate)
        row += 1
    note = ws.cell(row=row, column=2, value="Made by readydocs. Please do not change these cells.")
    note.font = HINT_FONT

    _fit_rows(ws, 3, ws.max_row)
    _page_setup(ws, landscape=False, title_rows=None)


def _fill_progress(wb: Workbook, ws: Worksheet, framework: Framework, row: int) -> int:
    """The completion counter: plain COUNTA/COUNTIF formulas that update as people type.

    readydocs never reads these cells (they have no input name); Excel and
    LibreOffice calculate them when the file opens. Returns the last row used.
    """
    ws.cell(row=row, column=1, value="Your progress").font = SECTION_FONT
    n = len(framework.indicators)
    rating_col = get_column_letter(form.RATING_INPUTS_COLUMN)
    ratings = _ref(form.SHEET_RATINGS, f"{rating_col}{FIRST_ROW}:{rating_col}{FIRST_ROW + n - 1}")
    required = [FIRST_ROW + i for i, f in enumerate(form.PROFILE_FIELDS) if f.required]
    required_refs = ",".join(_ref(form.SHEET_PROFILE, f"B{r}") for r in required)
    dont_know = framework.scale.dont_know.replace('"', '""')
    counters = (
        (form.NAME_PROGRESS_RATINGS, "Indicators rated", f"=COUNTA({ratings})", n),
        (form.NAME_PROGRESS_DONT_KNOW, f"Of which \"{framework.scale.dont_know}\"", f'=COUNTIF({ratings},"{dont_know}")', None),
        (form.NAME_PROGRESS_PROFILE, "Required profile fields filled", f"=COUNTA({required_refs})", len(required)),
    )
    for name, label, formula, total in counters:
        row += 1
        ws.cell(row=row, column=2, value=label).font = font(bold=True)
        cell = ws.cell(row=row, column=3, value=formula)
        cell.alignment = Alignment(horizontal="left")
        cell.number_format = f'0" of {total}"' if total is not None else "0"
        _name_cell(wb, name, ws, cell.coordinate)
    row += 1
    hint = ws.cell(row=row, column=2, value="These counts update as you fill in the workbook; readydocs does not read them.")
    hint.font = HINT_FONT
    return row + 1


def _fill_profile(wb: Workbook, ws: Worksheet, jurisdiction_range: str, values: Mapping[str, form.ProfileValue],
                  locked: frozenset[str]) -> None:
    widths = (34, 52, 64)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.sheet_view.showGridLines = False

    ws["A1"] = "Profile"
    ws["A1"].font = TITLE_FONT
    _fit_row(ws, 1, 24)
    ws["A2"] = "Fill in the yellow cells. Fields marked * are required."
    ws["A2"].font = HINT_FONT
    for col, header in enumerate(("Field", "Your answer", "Help"), start=1):
        _header_cell(ws.cell(row=HEADER_ROW, column=col, value=header))

    date_cells: list[str] = []
    choice_cells: list[str] = []
    first_long: int | None = None
    for row, field in enumerate(form.PROFILE_FIELDS, start=FIRST_ROW):
        label = ws.cell(row=row, column=1, value=field.label + (" *" if field.required else ""))
        label.font = font(bold=True)
        label.alignment = TOP_WRAP
        label.border = BORDER
        help_cell = ws.cell(row=row, column=3, value=field.help)
        help_cell.font = font(color=MUTED)
        help_cell.alignment = TOP_WRAP
        help_cell.border = BORDER

        cell = ws.cell(row=row, column=2)
        _input_cell(cell)
        if field.key in locked:
            _locked_cell(cell)
            help_cell.value = "Filled in by the advocate, the same on every respondent's copy."
        if field.kind == "long" and first_long is None:
            first_long = row
        if field.kind == "date":
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="left", vertical="top")
            date_cells.append(cell.coordinate)
        elif field.kind == "choice":
            choice_cells.append(cell.coordinate)
        if values.get(field.key) is not None:
            cell.value = values[field.key]
        _name_cell(wb, field.name, ws, cell.coordinate)

    if date_cells:
        ws.add_data_validation(_date_validation(date_cells))
    if choice_cells:
        dv = DataValidation(
            type="list", formula1=jurisdiction_range, allow_blank=True,
            showErrorMessage=True, showInputMessage=True,
            errorTitle="Choose from the list",
            error="Please choose one of the jurisdiction types in the list, or Other.",
            promptTitle="Jurisdiction type", prompt="Choose from the list.",
        )
        dv.sqref = " ".join(choice_cells)
        ws.add_data_validation(dv)

    _fit_rows(ws, FIRST_ROW, FIRST_ROW + len(form.PROFILE_FIELDS) - 1)
    for row, field in enumerate(form.PROFILE_FIELDS, start=FIRST_ROW):
        if field.kind == "long":  # room to type a list, even while blank
            _fit_row(ws, row, max(ws.row_dimensions[row].height, LONG_FIELD_LINES * LINE_HEIGHT + 4))
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1).coordinate
    _page_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    if first_long is not None and first_long > FIRST_ROW:
        # Print the short fields on one page and the long free-text ones on the next.
        ws.row_breaks.append(Break(id=first_long - 1))


def _fill_ratings(wb: Workbook, ws: Worksheet, framework: Framework, rating_range: str, sample: bool) -> None:
    columns = form.RATING_COLUMNS
    col_of = {c.key: n for n, c in enumerate(columns, start=1)}
    for n, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(n)].width = c.width
    ws.sheet_view.showGridLines = False

    ws["A1"] = f"Ratings: {framework.title}"
    ws["A1"].font = TITLE_FONT
    _fit_row(ws, 1, 24)
    ws["A2"] = ("Pick a rating for every indicator from the dropdown. Add evidence where you can, and a next step, "
                "owner and due date where the rating is low or unknown.")
    ws["A2"].font = HINT_FONT
    for n, c in enumerate(columns, start=1):
        _header_cell(ws.cell(row=HEADER_ROW, column=n, value=c.header))
    _fit_row(ws, HEADER_ROW, 20)

    rating_cells: list[str] = []
    due_cells: list[str] = []
    row = FIRST_ROW
    for index, condition in enumerate(framework.conditions):
        band = BAND_FILL if index % 2 == 0 else None
        for pos, indicator in enumerate(condition.indicators):
            first = pos == 0
            values = sample_inputs(indicator.id) if sample else {}
            texts = {"id": indicator.id, "condition": condition.name, "statement": indicator.statement}
            for c in columns:
                cell = ws.cell(row=row, column=col_of[c.key])
                if c.is_input:
                    _input_cell(cell)
                    _name_cell(wb, form.indicator_name(c.key, indicator.id), ws, cell.coordinate)
                    value = values.get(c.key)
                    if c.key == "rating":
                        cell.alignment = Alignment(horizontal="center", vertical="top")
                        value = _rating_text(framework, value)
                        rating_cells.append(cell.coordinate)
                    elif c.key == "due":
                        cell.number_format = DATE_FORMAT
                        cell.alignment = Alignment(horizontal="center", vertical="top")
                        due_cells.append(cell.coordinate)
                    if value is not None:
                        cell.value = value
                else:
                    cell.value = texts.get(c.key)
                    cell.alignment = TOP_WRAP
                    cell.border = BORDER
                    if band is not None:
                        cell.fill = band
                    if c.key == "id":
                        cell.font = font(bold=True, color=TEAL)
                    elif c.key == "condition":
                        cell.font = font(bold=True) if first else font(color=MUTED)
                if first:
                    cell.border = _with_top(cell.border, _teal_line)
            row += 1

    last = row - 1
    if rating_cells:
        choices = framework.scale.choices
        prompt = (f"Choose how true this is today, from {choices[0]} to {choices[-2]}. "
                  f"Not sure? Choose {framework.scale.dont_know}.")
        dv = DataValidation(
            type="list", formula1=rating_range, allow_blank=True,
            showErrorMessage=True, showInputMessage=True,
            errorStyle="stop", errorTitle="Please use the list",
            error=shorten(f"Please choose one of the ratings in the list. If you are not sure, choose "
                          f"\"{framework.scale.dont_know}\"; that is a perfectly good answer.", _DV_TEXT_MAX),
            promptTitle="Rating", prompt=shorten(prompt, _DV_TEXT_MAX),
        )
        dv.sqref = _sqref(rating_cells)
        ws.add_data_validation(dv)
    if due_cells:
        ws.add_data_validation(_date_validation(due_cells))

    _fit_rows(ws, FIRST_ROW, last, min_lines=2)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=2).coordinate
    _page_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    if last >= FIRST_ROW:
        ws.print_area = f"A1:{get_column_letter(len(columns))}{last}"


# --------------------------------------------------------------------------
# Cells and sheets


def _ref(sheet: str, cells: str) -> str:
    """An absolute, always-quoted reference such as 'Profile'!$B$4."""
    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!{absolute_coordinate(cells)}"


def _name_cell(wb: Workbook, name: str, ws: Worksheet, coordinate: str) -> None:
    if name in wb.defined_names:
        raise ValueError(f"defined name {name!r} used twice")
    wb.defined_names[name] = DefinedName(name, attr_text=_ref(ws.title, coordinate))


def _input_cell(cell) -> None:
    cell.fill = INPUT_FILL
    cell.border = BORDER
    cell.protection = UNLOCKED
    cell.alignment = TOP_WRAP


def _locked_cell(cell) -> None:
    """An input cell the respondent must not change: grey, locked, still named and read."""
    cell.fill = LOCKED_FILL
    cell.protection = LOCKED


def _header_cell(cell) -> None:
    cell.fill = HEADER_FILL
    cell.font = HEADER_FONT
    cell.border = BORDER
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def _table_row(ws: Worksheet, row: int, values: tuple) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="center" if col == 1 else None)
        if col == 2:
            cell.font = font(bold=True)


def _with_top(border: Border | StyleProxy, side: Side) -> Border:
    return Border(left=border.left, right=border.right, top=side, bottom=border.bottom)


def _rating_text(framework: Framework, value: object) -> str | None:
    """The dropdown text for a sample rating (an int on the scale, or DONT_KNOW)."""
    if value == DONT_KNOW:
        return framework.scale.dont_know
    if not isinstance(value, int):
        return None
    try:
        return framework.scale.choice(value)
    except (KeyError, ValueError):
        return None  # not on this framework's scale: leave the cell blank


def _scale_position(position: int, count: int) -> str:
    """A neutral description for a framework whose scale levels have no meaning text."""
    if position == 0:
        return "The lowest rating: this is not there yet."
    if position == count - 1:
        return "The highest rating: this is fully there."
    return "Between the lowest and the highest rating."


def _date_validation(cells: list[str]) -> DataValidation:
    dv = DataValidation(
        type="date", operator="between", formula1=str(DATE_MIN), formula2=str(DATE_MAX),
        allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorTitle="Please enter a date",
        error="Enter a date such as 2026-10-15 (year-month-day).",
        promptTitle="Date", prompt="Enter a date as yyyy-mm-dd, for example 2026-10-15.",
    )
    dv.sqref = _sqref(cells)
    return dv


def _sqref(cells: list[str]) -> str:
    """Cell list as a compact sqref: runs of cells down one column become ranges (D4:D30)."""
    runs: list[list[tuple[str, int]]] = []
    for coordinate in cells:
        col, row = coordinate_from_string(coordinate)
        if runs and runs[-1][-1][0] == col and runs[-1][-1][1] == row - 1:
            runs[-1].append((col, row))
        else:
            runs.append([(col, row)])
    parts = []
    for run in runs:
        (col, top), (_, bottom) = run[0], run[-1]
        parts.append(f"{col}{top}" if top == bottom else f"{col}{top}:{col}{bottom}")
    return " ".join(parts)


class FittedRow(RowDimension):
    """A row height written without customHeight: applications treat it as fitted to the text, not fixed."""

    @property
    def customHeight(self) -> bool:
        return False


def _fit_row(ws: Worksheet, row: int, height: float) -> None:
    ws.row_dimensions[row] = FittedRow(ws, index=row, ht=height)


def _lines(text: str | None, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` characters wide (Excel's width unit)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH) - 2)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in (text or "").split("\n"))


def _fit_rows(ws: Worksheet, first: int, last: int, min_lines: int = 1) -> None:
    """Estimate every row's height from its wrapped text cells (merged cells are not used here)."""
    widths = {letter: dim.width for letter, dim in ws.column_dimensions.items() if dim.width}
    for row in range(first, last + 1):
        lines = min_lines
        for cell in ws[row]:
            if isinstance(cell.value, str) and not cell.value.startswith("=") and cell.alignment.wrap_text:
                lines = max(lines, _lines(cell.value, widths.get(cell.column_letter, 8.43)))
        _fit_row(ws, row, lines * LINE_HEIGHT + 4)


def _protect(ws: Worksheet) -> None:
    """Protect without a password; people may still resize rows and columns."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _page_setup(ws: Worksheet, landscape: bool, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None  # a new sheet has both; only a read one may lack them
    header.left.text = "&A"
    header.right.text = WORKBOOK_TITLE
    footer.center.text = "Page &P of &N"
    ws.sheet_properties.tabColor = TEAL


# --------------------------------------------------------------------------
# Saving


def _timestamp(sample: bool) -> datetime:
    """Created/modified time: fixed for the sample so regenerating it gives the same bytes."""
    if sample:
        when = SAMPLE_PROFILE.get("assessment_date")
        if isinstance(when, date):
            return datetime.combine(when, time(9, 0))
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
