"""Excel's encodings of cell values (column letters, serial dates, number formats, text runs, defined names).

The reader (xlsxcells.py, intake.py) gives values as openpyxl would. Loading
openpyxl costs more than reading an intake workbook does, so the forms Excel,
LibreOffice and readydocs write are decoded here; anything else is handed to
openpyxl's own helper, imported only then, so a value never reads differently.
tests/test_xlsxvalues.py compares each function with openpyxl's.

Imports inside functions: openpyxl, only for the rare forms decoded by its helpers,
so that `readydocs validate` of an ordinary workbook never loads it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterator

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)
_SECONDS_PER_DAY = 86400
_MAX_COLUMN = 18278  # ZZZ: the widest column openpyxl names

_LETTERS = re.compile(r"[A-Z]{1,3}")
_RANGE = re.compile(r"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)")
# A name pointing at one cell or range of one sheet: Sheet!$A$1, 'My sheet'!$A$1:$B$2 (no '' in the quoted name).
_ONE_DESTINATION = re.compile(r"(?:'(?P<quoted>[^']+)'|(?P<plain>[A-Za-z_][A-Za-z0-9_.]*))!"
                              r"(?P<cells>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)")
# Number formats: quoted text and bracketed locale or colour codes say nothing about dates (as openpyxl reads them).
_LITERAL_OR_LOCALE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CODE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def column_index(letters: str) -> int:
    """1 for A ... 18278 for ZZZ; ValueError for anything else."""
    up = letters.upper()
    if not _LETTERS.fullmatch(up):
        raise ValueError(f"{letters} is not a valid column name")
    n = 0
    for ch in up:
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(index: int) -> str:
    """A for 1 ... ZZZ for 18278; ValueError for anything else."""
    if not isinstance(index, int) or not 1 <= index <= _MAX_COLUMN:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def range_boundaries(text: str) -> tuple[Any, Any, Any, Any]:
    """(first column, first row, last column, last row) of a range such as B2:D5 (openpyxl's for other forms)."""
    m = _RANGE.fullmatch(text)
    if m is None:
        from openpyxl.utils.cell import range_boundaries as general

        return general(text)
    return column_index(m.group(1)), int(m.group(2)), column_index(m.group(3)), int(m.group(4))


def from_excel(value: int | float, epoch: dt.datetime, duration: bool = False) -> Any:
    """A serial number as the date, time, date and time or duration it stands for, to the millisecond.

    Day 60 of the 1900 system is Excel's 29 February 1900, which never was: days 1-59 are moved one
    day on so that what follows is right, as Excel and openpyxl do.
    """
    if duration:
        span = dt.timedelta(days=value)
        if span.microseconds:
            span = dt.timedelta(seconds=span.total_seconds() // 1, microseconds=round(span.microseconds, -3))
        return span
    day, fraction = divmod(value, 1)
    time_of_day = dt.timedelta(milliseconds=round(fraction * _SECONDS_PER_DAY * 1000))
    if 0 <= value < 1 and time_of_day.days == 0:
        minutes, seconds = divmod(time_of_day.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, time_of_day.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + time_of_day


def from_iso8601(text: str) -> Any:
    """A cell of type "d" (an ISO 8601 date, rare outside Strict files): openpyxl's reading."""
    from openpyxl.utils.datetime import from_ISO8601

    return from_ISO8601(text)


def is_date_format(code: str | None) -> bool:
    """Whether a number format shows a date or time (its first section, literals and locales left out)."""
    if code is None:
        return False
    return _DATE_CODE.search(_LITERAL_OR_LOCALE.sub("", code.split(";")[0])) is not None


def is_duration_format(code: str | None) -> bool:
    """Whether a number format shows elapsed time ([h]:mm and the like)."""
    return code is not None and _DURATION.search(code.split(";")[0]) is not None


def builtin_format_code(index: int) -> str | None:
    """The format code of a built-in number format id, None for others."""
    return BUILTIN_FORMATS.get(index)


# The number formats a workbook may use by id alone (ECMA-376 18.8.30, as openpyxl lists them).
BUILTIN_FORMATS = {
    0: 'General',
    1: '0',
    2: '0.00',
    3: '#,##0',
    4: '#,##0.00',
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: '0%',
    10: '0.00%',
    11: '0.00E+00',
    12: '# ?/?',
    13: '# ??/??',
    14: 'mm-dd-yy',
    15: 'd-mmm-yy',
    16: 'd-mmm',
    17: 'mmm-yy',
    18: 'h:mm AM/PM',
    19: 'h:mm:ss AM/PM',
    20: 'h:mm',
    21: 'h:mm:ss',
    22: 'm/d/yy h:mm',
    37: '#,##0_);(#,##0)',
    38: '#,##0_);[Red](#,##0)',
    39: '#,##0.00_);(#,##0.00)',
    40: '#,##0.00_);[Red](#,##0.00)',
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: 'mm:ss',
    46: '[h]:mm:ss',
    47: 'mmss.0',
    48: '##0.0E+0',
    49: '@',
}



def text_content(element: Any, main: str) -> str:
    """The text of an <is> or <si> element without its formatting: one plain text, or the runs' texts.

    Phonetic guides (rPh, phoneticPr) are not part of the text. Any other
    shape is read by openpyxl.
    """
    kept = [child for child in element if child.tag not in (f"{main}rPh", f"{main}phoneticPr")]
    if len(kept) == 1 and kept[0].tag == f"{main}t":
        return kept[0].text or ""
    if all(child.tag == f"{main}r" for child in kept):
        runs = [child.findall(f"{main}t") for child in kept]
        if all(len(t) <= 1 for t in runs):
            return "".join(t[0].text or "" for t in runs if t)
    return _openpyxl_text(element)


def _openpyxl_text(element: Any) -> str:
    from openpyxl.cell.text import Text

    text = Text.from_tree(element)  # typed as optional, though it always builds a Text from an element
    return text.content if text is not None else ""


def destinations(text: str) -> list[tuple[str, str]]:
    """The (sheet, cells) a defined name's text points at; openpyxl's reading for anything but one plain reference."""
    m = _ONE_DESTINATION.fullmatch(text)
    if m is not None:
        return [(m.group("quoted") or m.group("plain"), m.group("cells"))]
    return list(_openpyxl_destinations(text))


def _openpyxl_destinations(text: str) -> Iterator[tuple[str, str]]:
    from openpyxl.workbook.defined_name import DefinedName

    return DefinedName("name", attr_text=text).destinations
