"""What the generated spreadsheets share: house styles and reproducible saving.

The cohort summary (cohort.py) is written with openpyxl like the intake form,
in the palette of palette.py, and saved with fixed timestamps so the same input
gives the same bytes. (The action plan is written as XML in the same
palette: planxml.py.)
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

# Fill per band position (best first) and for "no score": pale enough that black text stays readable.
BAND_FILLS = ("C6E7D8", "FBE5B0", "F4C7C3", "E0E0E0")
NO_SCORE_FILL = "E7E6E6"

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


def band_fill(position: int) -> PatternFill:
    return PatternFill("solid", fgColor=BAND_FILLS[min(position, len(BAND_FILLS) - 1)],
                       bgColor=BAND_FILLS[min(position, len(BAND_FILLS) - 1)])


def stamp_for(day: dt.date | None) -> dt.datetime:
    """Created/modified time of a generated workbook: 09:00 on the assessment date, never the clock."""
    day = day or dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day, 9, 0, 0)


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
