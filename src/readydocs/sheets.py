"""What the spreadsheets written with openpyxl share: house styles and reproducible saving.

The intake form (workbook.py) and the survey forms (survey.py) are written
with openpyxl, in the palette of palette.py, and saved with fixed timestamps
so the same input gives the same bytes. (The action plan and the cohort
summary are written as XML in the same palette: planxml.py, summaryxml.py.)
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.writer.excel import ExcelWriter

from .outputs import normalise_zip
from .palette import DATE_FORMAT, FONT_NAME, FONT_SIZE, GRID_GREY, INPUT_YELLOW, MUTED, TEAL, TITLE_SIZE, WHITE

_thin = Side(style="thin", color=GRID_GREY)
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor=TEAL)
INPUT_FILL = PatternFill("solid", fgColor=INPUT_YELLOW)
UNLOCKED = Protection(locked=False)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)


def font(**kw) -> Font:
    kw.setdefault("size", FONT_SIZE)
    return Font(name=FONT_NAME, **kw)


HEADER_FONT = font(bold=True, color=WHITE)
TITLE_FONT = font(bold=True, size=TITLE_SIZE, color=TEAL)
HINT_FONT = font(italic=True, color=MUTED)


def header_cell(cell) -> None:
    cell.fill = HEADER_FILL
    cell.font = HEADER_FONT
    cell.border = BORDER
    cell.alignment = Alignment(vertical="center", wrap_text=True)


def workbook_bytes(wb: Workbook, when: dt.datetime) -> bytes:
    """Serialise with fixed document properties and zip entry times (openpyxl's save stamps the clock)."""
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "readydocs"
    wb.properties.lastModifiedBy = "readydocs"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalise_zip(raw.getvalue(), when)
