"""xlsxvalues.py reads every encoding as openpyxl's helpers do (openpyxl stays installed: it writes the intake)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.text import Text
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel
from openpyxl.workbook.defined_name import DefinedName

from readydocs import xlsxvalues as xv

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - the kind of failure is compared
        return ("error", type(exc))


def test_every_column_letter_and_index():
    for n in range(1, 18279):
        letters = get_column_letter(n)
        assert xv.column_letter(n) == letters and xv.column_index(letters) == n
        assert xv.column_index(letters.lower()) == n
    for bad in (0, 18279, -1):
        assert _outcome(xv.column_letter, bad) == _outcome(get_column_letter, bad)
    for bad in ("", "AAAA", "A1", "ß", "Ä", "$A"):
        assert _outcome(xv.column_index, bad) == _outcome(column_index_from_string, bad)


@given(st.text(alphabet="ABCXYZabz$:0123456789 ", max_size=12))
def test_range_boundaries(text):
    assert _outcome(xv.range_boundaries, text) == _outcome(range_boundaries, text)


def test_range_boundaries_of_merges_as_written():
    for text in ("A1:B2", "C5:C9", "AA10:ZZZ1048576", "B3:A1"):
        assert xv.range_boundaries(text) == range_boundaries(text)


@settings(max_examples=500)
@given(st.one_of(st.integers(min_value=0, max_value=2958465), st.floats(min_value=0, max_value=2958465.99)),
       st.sampled_from([WINDOWS_EPOCH, MAC_EPOCH]), st.booleans())
def test_serial_dates(value, epoch, duration):
    assert _outcome(xv.from_excel, value, epoch, duration) == _outcome(
        lambda v, e, d: from_excel(v, e, timedelta=d), value, epoch, duration)


def test_serial_dates_at_the_edges():
    for value in (0, 0.5, 0.99999999, 1, 59, 59.5, 60, 61, 45580, 45580.25, 2958465, 2958466, 1e12):
        for epoch in (WINDOWS_EPOCH, MAC_EPOCH):
            assert _outcome(xv.from_excel, value, epoch) == _outcome(from_excel, value, epoch), (value, epoch)
    assert xv.from_excel(46310, WINDOWS_EPOCH) == dt.datetime(2026, 10, 15)


FORMAT_PIECES = st.sampled_from(['yyyy', 'mm', 'dd', 'd', 'h', ':', 's', '0', '#', ',', '.', '"', '"day"', '[h]', '[mm]',
                                 '[ss]', '[$-409]', '[Red]', '\\d', '_m', ';', '@', ' ', 'AM/PM', 'General', 'E+00'])


@settings(max_examples=500)
@given(st.lists(FORMAT_PIECES, max_size=8).map("".join))
def test_number_formats(code):
    assert xv.is_date_format(code) == is_date_format(code)
    assert xv.is_duration_format(code) == is_timedelta_format(code)


def test_builtin_formats():
    assert xv.BUILTIN_FORMATS == BUILTIN_FORMATS
    for code in list(BUILTIN_FORMATS.values()) + [None, "yyyy-mm-dd", "[$-409]mmmm d, yyyy;@", '"d"0']:
        assert xv.is_date_format(code) == is_date_format(code), code
        assert xv.is_duration_format(code) == is_timedelta_format(code), code


TEXTS = [
    f"<si {NS}><t>Plain</t></si>",
    f"<si {NS}><t xml:space=\"preserve\">  spaced  </t></si>",
    f"<si {NS}><t/></si>",
    f"<si {NS}><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space=\"preserve\"> and plain</t></r></si>",
    f"<si {NS}><r><t>Run</t></r><r><rPr/></r></si>",
    f"<si {NS}><t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh><phoneticPr fontId=\"1\"/></si>",
    f"<si {NS}><t>first</t><t>second</t></si>",
    f"<si {NS}><r><t>a</t></r><t>b</t></si>",
    f"<si {NS}></si>",
]


def test_text_content():
    for xml in TEXTS:
        element = ET.fromstring(xml)
        assert xv.text_content(element, MAIN) == Text.from_tree(element).content, xml


@given(st.sampled_from(["Profile", "Ratings", "My sheet", "Bob''s", "A1", "TRUE", "_x", "1st", "a.b", "Sheet!"]),
       st.sampled_from(["$C$5", "C5", "$A$1:$B$2", "A:A", "1:1", "#REF!", "$c$5", "$C$5,$D$6", "$C$5+1", ""]),
       st.booleans())
def test_defined_names(sheet, cells, quoted):
    text = (f"'{sheet}'" if quoted else sheet) + "!" + cells

    def theirs(t):
        return list(DefinedName("name", attr_text=t).destinations)

    assert _outcome(xv.destinations, text) == _outcome(theirs, text)


def test_defined_names_that_are_not_references():
    for text in ("42", '"text"', "SUM(Profile!$C$5)", "Profile!$C$5 Ratings!$D$6", "#REF!"):
        assert _outcome(xv.destinations, text) == _outcome(lambda t: list(DefinedName("n", attr_text=t).destinations),
                                                           text), text


def test_validating_the_sample_loads_no_openpyxl(sample_xlsx):
    code = ("import sys\n"
            "from readydocs.cli import cli\n"
            "try:\n"
            f"    cli(['validate', {str(sample_xlsx)!r}], standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in ('openpyxl', 'numpy') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
