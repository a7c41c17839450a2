"""What the workbooks readydocs writes as XML (planxml.py, summaryxml.py) share.

Text is stored as XlsxWriter stores it: control characters as _xHHHH_
escapes (and a literal escape with its underscore escaped, so it reads back
as typed), cut at 32,767 UTF-16 units, Excel's limit for a cell. A lone
surrogate, which no XML can hold, becomes U+FFFD. Dates are Excel's serial
numbers. Both workbooks carry Office's 2007 theme.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

from . import palette

MAX_TEXT = 32767  # UTF-16 units in one cell
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ESCAPED = re.compile('["&<>\n]')
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANY_WORK = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff&<>]|_x[0-9a-fA-F]{4}_")  # what cell_text changes
_EXCEL_EPOCH = dt.datetime(1899, 12, 31)
DATE_FORMAT_ID = 164  # the first number format id a workbook may define: the house date format's
DATE_FORMATS = f'<numFmts count="1"><numFmt numFmtId="{DATE_FORMAT_ID}" formatCode="{palette.DATE_FORMAT}"/></numFmts>'


def cut_text(text: str) -> str:
    """The longest start of the text within a cell's limit, never splitting a character above U+FFFF."""
    if len(text) <= MAX_TEXT // 2 or len(text.encode("utf-16-le", "surrogatepass")) // 2 <= MAX_TEXT:
        return text
    length = 0
    for n, ch in enumerate(text):
        length += 2 if ord(ch) > 0xFFFF else 1
        if length > MAX_TEXT:
            return text[:n]
    return text


def cell_text(text: str) -> str:
    """Text as XML character data: control characters as _xHHHH_ escapes, then &, < and > escaped."""
    if not _ANY_WORK.search(text):
        return text
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    text = _SURROGATE.sub("\ufffd", text)
    if _ESCAPED.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def serial_date(value: dt.date) -> float:
    """Excel's serial number of a date or date and time (1900 counted as a leap year, as Excel does)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo:
            raise TypeError("Excel doesn't support timezones in datetimes.")
        delta = value - _EXCEL_EPOCH
    else:
        delta = dt.datetime.fromordinal(value.toordinal()) - _EXCEL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / (60 * 60 * 24)
    if isinstance(value, dt.datetime) and value.isocalendar() == (1900, 1, 1):
        serial -= 1
    return serial + 1 if serial > 59 else serial


def stamp_for(day: dt.date | None) -> dt.datetime:
    """Created/modified time of a generated file (workbook, cohort report): 09:00 on the assessment date, never the clock."""
    day = day or dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day, 9, 0, 0)


@functools.cache
def theme_xml() -> str:
    """Office's 2007 theme as XlsxWriter writes it (data/xlsx-theme.xml; tests/test_planxml.py checks it is that)."""
    return (Path(__file__).parent / "data" / "xlsx-theme.xml").read_bytes().decode("utf-8")
