"""The streaming cell reader gives what openpyxl gives, whatever the chunking, namespace prefixes or date system."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from defusedxml import ElementTree as DET

from readydocs import xlsxcells
from readydocs.errors import UnreadableFileError
from readydocs.intake import read_intake
from readydocs.assessment import assess, score_assessment
from readydocs.workbook import set_named_cells



def _cells(intake) -> dict:
    out = {f"meta:{k}": (c.where, c.value, c.error, c.formula_without_value, c.hidden) for k, c in intake.meta.items()}
    out.update({k: (c.where, c.value, c.error, c.formula_without_value, c.hidden) for k, c in intake.profile.items()})
    for ind, row in intake.ratings.items():
        out.update({f"{ind}:{k}": (c.where, c.value, c.error, c.formula_without_value, c.hidden) for k, c in row.items()})
    return out


def _openpyxl_values(path: Path) -> dict:
    """Every named cell's value as openpyxl's full reader gives it, keyed by sheet!cell."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, dn in wb.defined_names.items():
        (sheet, ref), = dn.destinations
        out[f"{sheet}!{ref.replace('$', '')}"] = wb[sheet][ref.replace("$", "")].value
    return out


@pytest.fixture
def varied(sample_xlsx):
    """The sample with every kind of value in the named cells: text, numbers, dates, booleans, errors, formulas."""
    set_named_cells(sample_xlsx, {
        "profile.state": 12.5, "profile.organization_name": True, "profile.advocate_title": "#N/A",
        "profile.respondent_name": "=1+2", "evidence.LEAD_1": "Ünïcödé \U0001F600 & <tags>",
        "due.CAP_1": dt.date(2027, 2, 5), "owner.LEAD_2": 42, "next_step.EQ_1": dt.datetime(2026, 3, 1, 12, 30),
    })
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Ratings"].row_dimensions[6].hidden = True
    wb.save(sample_xlsx)
    return sample_xlsx


def test_values_match_openpyxl(varied, framework):
    intake = read_intake(varied, framework)
    expected = _openpyxl_values(varied)
    for where, value, error, formula, _ in _cells(intake).values():
        got = error if error else value
        if formula:
            assert expected[where] is None
        else:
            assert got == expected[where], where
    assert intake.profile["respondent_name"].formula_without_value is True
    assert intake.profile["advocate_title"].error == "#N/A"
    assert intake.ratings["CAP-1"]["due"].value == dt.datetime(2027, 2, 5)
    assert intake.ratings["LEAD-3"]["rating"].hidden is True  # row 6
    assert intake.ratings["LEAD-2"]["rating"].hidden is False


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
def test_any_chunk_size_reads_the_same(varied, framework, monkeypatch, chunk):
    """Tags split across reads (down to one byte at a time) are found all the same."""
    whole = _cells(read_intake(varied, framework))
    monkeypatch.setattr(xlsxcells, "_CHUNK", chunk)
    assert _cells(read_intake(varied, framework)) == whole


def _rewrite_sheets(src: Path, out: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = change(data)
            zout.writestr(info, data)
    return out


def test_prefixed_namespace_as_the_open_xml_sdk_writes_it(varied, framework, tmp_path):
    def prefix(data: bytes) -> bytes:
        data = re.sub(rb"<(/?)([A-Za-z][\w]*)([\s/>])", rb"<\1x:\2\3", data)
        return data.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                            b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')

    prefixed = _rewrite_sheets(varied, tmp_path / "prefixed.xlsx", prefix)
    assert b"<x:row " in zipfile.ZipFile(prefixed).read("xl/worksheets/sheet3.xml")
    assert _cells(read_intake(prefixed, framework)) == _cells(read_intake(varied, framework))


def test_self_closing_and_missing_rows_read_as_empty(sample_xlsx, framework, tmp_path):
    def hollow(data: bytes) -> bytes:  # row 4 of every sheet becomes <row r="4"/>; row 5 disappears
        data = re.sub(rb'<row r="4"[^>]*>.*?</row>', b'<row r="4"/>', data, flags=re.S)
        return re.sub(rb'<row r="5"[^>]*>.*?</row>', b"", data, flags=re.S)

    path = _rewrite_sheets(sample_xlsx, tmp_path / "hollow.xlsx", hollow)
    intake = read_intake(path, framework)
    assert intake.profile["municipality_name"].value is None  # Profile B4
    assert intake.profile["jurisdiction_type"].value is None  # Profile B5
    assert intake.profile["state"].value is not None  # Profile B6 as before
    assert {m.indicator for m in intake.misplaced} == {"LEAD-1", "LEAD-2"}  # their IDs went with the rows


def test_1904_date_system(sample_xlsx, framework):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.load_workbook(sample_xlsx)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(sample_xlsx)
    set_named_cells(sample_xlsx, {"profile.assessment_date": dt.date(2026, 10, 15)})
    with zipfile.ZipFile(sample_xlsx) as zf:
        assert b'date1904="1"' in zf.read("xl/workbook.xml")
    assert read_intake(sample_xlsx, framework).profile["assessment_date"].value == dt.datetime(2026, 10, 15)


def test_shared_text_as_excel_and_libreoffice_store_it(sample_xlsx, framework, tmp_path):
    """Text in the shared table (with a rich-text run and a phonetic hint, which is not text) is resolved by index."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Profile"]["B4"] = None
    wb.save(sample_xlsx)
    out = tmp_path / "shared.xlsx"
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="2" uniqueCount="2"><si><t>unused</t></si><si><r><t>City of </t></r><r><rPr><b/></rPr><t>Riverbend</t></r>'
           '<rPh sb="0" eb="1"><t>ignored</t></rPh></si></sst>')
    with zipfile.ZipFile(sample_xlsx) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb'<c r="B4"([^>]*?)(/>|>.*?</c>)', rb'<c r="B4" t="s"><v>1</v></c>', data, count=1, flags=re.S)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            zout.writestr(info, data)
        zout.writestr("xl/sharedStrings.xml", sst)
    assert openpyxl.load_workbook(out)["Profile"]["B4"].value == "City of Riverbend"
    assert read_intake(out, framework).profile["municipality_name"].value == "City of Riverbend"


def test_utf16_sheet_and_dangling_shared_text_are_one_line(sample_xlsx, framework, tmp_path):
    utf16 = _rewrite_sheets(sample_xlsx, tmp_path / "utf16.xlsx",
                            lambda data: data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    with pytest.raises(UnreadableFileError, match=r"cannot be opened as a workbook \(XlsxError\)"):
        read_intake(utf16, framework)
    dangling = _rewrite_sheets(sample_xlsx, tmp_path / "dangling.xlsx",
                               lambda data: re.sub(rb'<c r="B4"([^>]*?)(/>|>.*?</c>)', rb'<c r="B4" t="s"><v>7</v></c>', data,
                                                   count=1, flags=re.S))
    with pytest.raises(UnreadableFileError, match=r"cannot be opened as a workbook \(XlsxError\)"):
        read_intake(dangling, framework)


def test_scores_are_unchanged_by_padding(sample_xlsx, framework, tmp_path):
    from test_large_workbook import padded_workbook

    before = score_assessment(assess([sample_xlsx], framework))
    small = padded_workbook(sample_xlsx, tmp_path / "small-padding.xlsx", sheet_rows=50, ratings_rows=50)
    assert score_assessment(assess([small], framework)) == before


def test_text_hidden_under_a_merge_is_not_read(sample_xlsx, framework, tmp_path, monkeypatch):
    """LibreOffice can keep the text of cells it merges away; Excel shows only the top-left cell, and so do we."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Ratings"].merge_cells("E4:F4")
    wb.save(sample_xlsx)

    def keep_hidden_text(data: bytes) -> bytes:  # put a value back into F4, under the merge
        if b"<mergeCell " not in data:
            return data
        data = re.sub(rb'<c r="F4"[^>]*?(/>|>.*?</c>)', b"", data, count=1, flags=re.S)
        return data.replace(b'<c r="G4"', b'<c r="F4" t="inlineStr"><is><t>hidden next step</t></is></c><c r="G4"', 1)

    path = _rewrite_sheets(sample_xlsx, tmp_path / "merged.xlsx", keep_hidden_text)
    assert b"hidden next step" in zipfile.ZipFile(path).read("xl/worksheets/sheet3.xml")
    intake = read_intake(path, framework)
    assert intake.ratings["LEAD-1"]["next_step"].value is None
    assert intake.ratings["LEAD-1"]["evidence"].value  # the top-left keeps its text
    monkeypatch.setattr(xlsxcells, "_CHUNK", 5)  # a <mergeCell> tag cut across reads is still found
    assert read_intake(path, framework).ratings["LEAD-1"]["next_step"].value is None


@pytest.mark.parametrize("batch", [1, 300])
def test_rows_parsed_in_batches_read_the_same(varied, framework, monkeypatch, batch):
    """The wanted rows of a sheet are parsed together a batch at a time; where the batches break changes nothing."""
    whole = _cells(read_intake(varied, framework))
    monkeypatch.setattr(xlsxcells, "_BATCH_BYTES", batch)
    assert _cells(read_intake(varied, framework)) == whole


def test_a_row_cut_at_an_end_tag_inside_a_comment_is_refused(sample_xlsx, framework, tmp_path):
    """Row 10 is cut at the "</row>" in its comment; parsed together with row 11, whose text "-->" ends that comment,
    the two would read as one row holding row 11's cells. Each must parse as one row, as when each was parsed alone."""
    def comments(data: bytes) -> bytes:
        data = re.sub(rb'(<row r="10"[^>]*>)', rb"\1<!-- </row> -->", data, count=1)
        return re.sub(rb'(<row r="11"[^>]*>)', rb"\1-->", data, count=1)

    path = _rewrite_sheets(sample_xlsx, tmp_path / "comment.xlsx", comments)
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet3.xml")
    assert b"<!-- </row> -->" in sheet and b"-->" in sheet
    ET.fromstring(sheet)  # well-formed XML: only the row scanner is misled
    with pytest.raises(UnreadableFileError) as excinfo:
        read_intake(path, framework)
    assert excinfo.value.message == f"{path}: cannot be opened as a workbook (ParseError)."
    assert excinfo.value.hint == "Open it in Excel or LibreOffice and save it again as .xlsx."


def test_a_doctype_or_entity_inside_a_row_is_never_expanded(sample_xlsx, tmp_path):
    """The zip guard refuses these bytes first; the reader on its own refuses them too (asked directly here)."""
    for n, inside in enumerate([b'<!DOCTYPE x [<!ENTITY a "boom">]>', b'<c r="Z4" t="inlineStr"><is><t>&a;</t></is></c>',
                                b'<c r="Z4" t="inlineStr"><is><t>&#x41;&amp;</t></is></c>']):
        path = _rewrite_sheets(sample_xlsx, tmp_path / f"inside-{n}.xlsx",
                               lambda data: re.sub(rb'(<row r="4"[^>]*>)', rb"\1" + inside, data, count=1))
        with xlsxcells.XlsxWorkbook(path) as wb:
            if n < 2:
                with pytest.raises(ET.ParseError):
                    wb.read_rows([("Ratings", 4, 26)])
            else:  # character references and the predefined entities are text, as in any XML
                assert wb.read_rows([("Ratings", 4, 26)]).cells[("Ratings", 4)][25].value == "A&"


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<a xmlns="urn:x" xmlns:r="urn:r"><b r:id="1">t</b><!-- c --><?pi x?></a>',
    '<?xml version="1.0" encoding="UTF-16"?><a><b>Ünï</b></a>'.encode("utf-16"),
    b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>',
    b'<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>',
    b'<!-- first --><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
    b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
    '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'.encode("utf-16"),
    b"<a>&e;</a>", b"<a></a><!DOCTYPE a>", b"<a><b></a>", b"", b"   ", b"<?xml version='1.0'?>", b"text",
])
def test_a_whole_part_is_refused_or_read_as_defusedxml_does(xml):
    try:
        expected = ET.tostring(DET.fromstring(xml, forbid_dtd=True))
    except Exception as exc:
        with pytest.raises(type(exc)):
            xlsxcells._parse_part(xml)
    else:
        assert ET.tostring(xlsxcells._parse_part(xml)) == expected


def test_parts_kept_between_workbooks_are_kept_by_their_bytes(varied, sample_xlsx, framework, tmp_path, monkeypatch):
    """The workbook and styles parts of a cohort's workbooks are parsed once; a workbook whose parts differ
    (here the 1904 date system, and other date styles) reads as it would alone, before and after the others."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    mac = tmp_path / "mac.xlsx"
    wb = openpyxl.load_workbook(varied)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(mac)
    set_named_cells(mac, {"profile.assessment_date": dt.date(2026, 10, 15)})

    def alone(path):
        xlsxcells._book_shape.cache_clear()
        xlsxcells._date_styles.cache_clear()
        return _cells(read_intake(path, framework))

    expected = {p: alone(p) for p in (varied, mac, sample_xlsx)}
    assert b'date1904="1"' in zipfile.ZipFile(mac).read("xl/workbook.xml")  # read as 1900 dates, it would be 4 years off
    assert b"date1904" not in zipfile.ZipFile(varied).read("xl/workbook.xml")
    assert expected[mac]["assessment_date"][1] == dt.datetime(2026, 10, 15)
    for path in (varied, mac, sample_xlsx, varied, mac):
        assert _cells(read_intake(path, framework)) == expected[path]
    assert xlsxcells._book_shape.cache_info().hits >= 2
    xlsxcells._book_shape.cache_clear()
    monkeypatch.setattr(xlsxcells, "_KEPT_BYTES", 100)  # parts larger than this are parsed every time, never kept
    assert _cells(read_intake(mac, framework)) == expected[mac]
    assert xlsxcells._book_shape.cache_info().currsize == 0


def test_only_short_references_and_names_are_kept():
    """What is kept between workbooks stays small whatever a hostile workbook holds: long texts are read each time."""
    from readydocs import intake

    assert xlsxcells._column_of("AB12") == 28 and xlsxcells._column_of("12") == 0
    kept = xlsxcells._short_column_of.cache_info().currsize
    assert xlsxcells._column_of("C" + "9" * 10_000) == 3
    assert xlsxcells._short_column_of.cache_info().currsize == kept
    grids = {"Ratings": True}
    assert intake._target("Ratings!$D$5", grids) == ("Ratings", 5, 4)
    kept = intake._kept_cell_named.cache_info().currsize
    long = "'" + "R" * 1000 + "'!$D$5"
    assert intake._target(long, grids) == f"points at sheet '{'R' * 1000}', which this workbook does not have"
    assert intake._kept_cell_named.cache_info().currsize == kept
