"""A template filled from its prepared parts writes the very bytes the copy of python-docx's Document writes.

render_document fills a template without pictures from parts prepared once
per process (render._PreparedTemplate); documents with pictures, and
templates that path does not cover, go through a copy of the opened
Document. Both must give the same file, and the same one-line errors.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest

from hostile import with_footnote
from readydocs import render
from readydocs.assessment import as_of, assess, score_assessment
from readydocs.catalogue import COHORT_REPORT, PLACE_DOCUMENTS
from readydocs.charts import native_chart_data
from readydocs.cohort_report import cohort_context
from readydocs.context import build_context
from readydocs.errors import TemplateError
from readydocs.render import DocumentProps, render_document, resolve_template
from readydocs.scoresjson import place_scores, scores_document
from readydocs.summary import summarise
from readydocs.workbook import set_named_cells

PROPS = DocumentProps("Readiness report: Ciudad de C\u00f3rdoba & <Co>", "Mobility", "Ana Ruiz", "en-US", "readiness",
                      dt.datetime(2026, 10, 15, 9, 0, 0))


def _copied(path: Path, context: dict, charts=None, monkeypatch=None) -> bytes:
    """The document as the copy path writes it."""
    with monkeypatch.context() as m:
        m.setattr(render, "_prepared", lambda p: SimpleNamespace(fillable=False))
        return render_document(path, context, PROPS, {}, native_charts=charts)


def _both(path: Path, context: dict, monkeypatch, charts=None) -> tuple[bytes, bytes]:
    assert render._prepared(path).fillable
    return render_document(path, context, PROPS, {}, native_charts=charts), _copied(path, context, charts, monkeypatch)


def _summary(path: Path, framework):
    a = assess([path], framework)
    return summarise(a.responses, score_assessment(a), framework, as_of=as_of(a, None))


@pytest.mark.parametrize("doc", PLACE_DOCUMENTS, ids=lambda d: d.filename)
def test_default_templates_are_the_same_bytes_either_way(doc, sample_xlsx, framework, monkeypatch):
    summary = _summary(sample_xlsx, framework)
    context, charts = build_context(summary), native_chart_data(summary)
    assert "rounds" not in charts  # no earlier round: that chart leaves the report, and its relationship with it
    path = resolve_template(doc.template, None)
    fast, copied = _both(path, context, monkeypatch, charts)
    assert fast == copied
    names = zipfile.ZipFile(io.BytesIO(fast)).namelist()
    if doc.filename == "readiness-report.docx":
        assert [n for n in names if n.startswith("word/charts/chart")] == ["word/charts/chart1.xml"]


def test_a_second_place_is_not_touched_by_the_first(sample_xlsx, framework, monkeypatch, tmp_path):
    """The prepared parts are shared between documents: filling one leaves nothing behind for the next."""
    first = _summary(sample_xlsx, framework)
    other = tmp_path / "other.xlsx"
    other.write_bytes(sample_xlsx.read_bytes())
    set_named_cells(other, {"profile.municipality_name": "Town of Ashford"})
    second = _summary(other, framework)
    path = resolve_template("readiness-report.docx", None)
    earlier = render_document(path, build_context(first), PROPS, {}, native_charts=native_chart_data(first))
    fast, copied = _both(path, build_context(second), monkeypatch, native_chart_data(second))
    assert fast == copied != earlier
    titles = [d.paragraphs[1].text for d in (docx.Document(io.BytesIO(b)) for b in (earlier, fast))]
    assert titles == ["City of Riverbend", "Town of Ashford"]


def test_cohort_report_without_charts_is_the_same_either_way(sample_xlsx, framework, monkeypatch, tmp_path):
    other = tmp_path / "other.xlsx"
    other.write_bytes(sample_xlsx.read_bytes())
    set_named_cells(other, {"profile.municipality_name": "Town of Ashford"})
    places = [place_scores(scores_document(_summary(p, framework))) for p in (sample_xlsx, other)]
    context = cohort_context(places, framework)
    fast, copied = _both(resolve_template(COHORT_REPORT.template, None), context, monkeypatch)
    assert fast == copied
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(fast)).paragraphs)
    assert "Town of Ashford" in text and "City of Riverbend" in text


def _custom(tmp_path: Path) -> Path:
    """A template with a table whose rows a loop makes, two sections, a header and a footnote."""
    d = docx.Document()
    d.add_paragraph("{{ place }} & co")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Name", "Score"
    table.cell(1, 0).text = "{%tr for n in names %}"
    table.rows[1].cells[1].text = ""
    row = table.add_row()
    row.cells[0].text, row.cells[1].text = "{{ n }}", "{{ loop.index }}"
    end = table.add_row()
    end.cells[0].text = "{%tr endfor %}"
    d.add_paragraph("Line one\nline two\tafter a tab")
    d.add_section()
    d.add_paragraph("Second section for {{ place }}")
    d.sections[0].header.paragraphs[0].text = "Header: {{ place }}"
    path = tmp_path / "custom.docx"
    d.save(path)
    return with_footnote(path, "Note on {{ place }}")


def test_tables_sections_headers_and_footnotes_are_the_same_either_way(tmp_path, monkeypatch):
    path = _custom(tmp_path)
    context = {"place": "Ciudad de C\u00f3rdoba <Norte>", "names": ["Ana", "Bo", "Cy"]}
    fast, copied = _both(path, context, monkeypatch)
    assert fast == copied
    d = docx.Document(io.BytesIO(fast))
    assert d.paragraphs[0].text == "Ciudad de C\u00f3rdoba <Norte> & co"
    assert [[c.text for c in r.cells] for r in d.tables[0].rows] == [["Name", "Score"], ["Ana", "1"], ["Bo", "2"], ["Cy", "3"]]
    assert d.sections[0].header.paragraphs[0].text == "Header: Ciudad de C\u00f3rdoba <Norte>"
    footnotes = zipfile.ZipFile(io.BytesIO(fast)).read("word/footnotes.xml").decode()
    assert "Note on Ciudad de C\u00f3rdoba &lt;Norte&gt;" in footnotes


@pytest.mark.parametrize("where, text, told", [
    ("body", "{{ missing_name }}", ": uses variables readydocs does not provide: missing_name."),
    ("body", "{{ 1 / 0 }}", ", paragraph 2, \u201c{{ 1 / 0 }}\u201d: the template could not be filled in (ZeroDivisionError"),
    ("body", "{% for x in names %}", ", paragraph 2, \u201c{% for x in names %}\u201d: template syntax error"),
    ("header", "{{ place.attr.deeper }}", ", header paragraph 1, \u201c{{ place.attr.deeper }}\u201d: "),
])
def test_errors_are_the_same_one_line_either_way(tmp_path, monkeypatch, where, text, told):
    d = docx.Document()
    d.add_paragraph("First {{ place }}")
    if where == "body":
        d.add_paragraph(text)
    else:
        d.sections[0].header.paragraphs[0].text = text
    path = tmp_path / "broken.docx"
    d.save(path)
    context = {"place": "Riverbend", "names": []}
    with pytest.raises(TemplateError) as fast:
        render_document(path, context, PROPS, {})
    with pytest.raises(TemplateError) as copied:
        _copied(path, context, None, monkeypatch)
    assert type(fast.value) is type(copied.value)
    assert (fast.value.message, fast.value.hint) == (copied.value.message, copied.value.hint)
    assert fast.value.message.startswith(f"{path}{told}"), fast.value.message


def test_a_header_shown_through_two_relationships_takes_the_copy_path(tmp_path):
    """The copy path fills such a header once per relationship; the prepared path does not try to."""
    d = docx.Document()
    d.add_paragraph("{{ place }}")
    d.sections[0].header.paragraphs[0].text = "Header {{ place }}"
    header_rel = next(r for r in d.part.rels.values() if r.reltype.endswith("/header"))
    d.part.rels.add_relationship(header_rel.reltype, header_rel.target_part, "rIdSecondHeader")
    path = tmp_path / "twice.docx"
    d.save(path)
    assert not render._prepared(path).fillable
    out = render_document(path, {"place": "Riverbend"}, PROPS, {})
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "Riverbend"


def _column_loop(tmp_path: Path) -> Path:
    """A table of three grid columns whose middle column a {%tc %} loop repeats once per name."""
    d = docx.Document()
    table = d.add_table(rows=1, cols=3)
    first, middle, last = table.rows[0].cells
    first.text, middle.text, last.text = "{%tc for n in names %}", "{{ n }}", "{%tc endfor %}"
    path = tmp_path / "columns.docx"
    d.save(path)
    return path


@pytest.mark.parametrize("names, columns", [(["Ana", "Bo", "Cy", "Di"], 4), (["Ana"], 1), (["Ana", "Bo", "Cy"], 3)])
def test_a_column_loop_still_gets_docxtpl_table_fix(tmp_path, monkeypatch, names, columns):
    """More cells than the grid has columns, fewer, and as many: each document's grid matches its cells."""
    fast, copied = _both(_column_loop(tmp_path), {"names": names}, monkeypatch)
    assert fast == copied
    table = docx.Document(io.BytesIO(fast)).tables[0]
    assert [c.text for c in table.rows[0].cells] == names
    assert len(table._tbl.tblGrid.findall(docx.oxml.ns.qn("w:gridCol"))) == columns


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.mark.parametrize("table, changed", [
    ("<w:tblGrid><w:gridCol w:w='10'/><w:gridCol w:w='10'/></w:tblGrid><w:tr><w:tc/><w:tc/></w:tr>", False),
    ("<w:tblGrid><w:gridCol w:w='10'/></w:tblGrid><w:tr><w:tc/><w:tc/></w:tr>", True),  # a cell more than columns
    ("<w:tblGrid><w:gridCol w:w='10'/><w:gridCol w:w='10'/></w:tblGrid><w:tr><w:tc/></w:tr>", True),  # a column too many
    ("<w:tblGrid><w:gridCol w:w='10'/><w:gridCol w:w='10'/></w:tblGrid>"
     "<w:tr><w:tc><w:tcPr><w:gridSpan w:val='2'/></w:tcPr></w:tc></w:tr>", False),  # one cell over both columns
    ("<w:tblGrid><w:gridCol w:w='10'/></w:tblGrid><w:tr><w:tc><w:tbl><w:tblGrid><w:gridCol w:w='5'/>"
     "<w:gridCol w:w='5'/></w:tblGrid><w:tr><w:tc/><w:tc/></w:tr></w:tbl></w:tc></w:tr>", True),  # an inner row counts for the outer table
    ("<w:tblGrid><w:gridCol w:w='10'/><w:gridCol w:w='10'/></w:tblGrid><w:tr><w:tc/><w:tc><w:tbl><w:tblGrid>"
     "<w:gridCol w:w='5'/></w:tblGrid><w:tr><w:tc/></w:tr></w:tbl></w:tc></w:tr>", False),
])
def test_tables_to_fix_tells_when_docxtpl_would_change_a_table(table, changed):
    from docxtpl import DocxTemplate
    from lxml import etree

    xml = f"<w:body {W}><w:tbl>{table}</w:tbl></w:body>"
    before = etree.tostring(etree.fromstring(xml))
    fixed = etree.tostring(DocxTemplate.fix_tables(None, xml))  # docxtpl's own, on a parse of its own
    assert (fixed != before) is changed
    assert render._tables_to_fix(etree.fromstring(xml)) is changed


@pytest.mark.parametrize("table", [
    "<w:tr><w:tc/></w:tr>",  # no grid: docxtpl's own fix_tables decides (and fails as it does)
    "<w:tblGrid><w:gridCol w:w='10'/><w:gridCol w:w='10'/></w:tblGrid>"
    "<w:tr><w:tc><w:tcPr><w:gridSpan w:val='2.0'/></w:tcPr></w:tc></w:tr>",  # a span int() refuses
])
def test_unusual_tables_are_left_to_docxtpl(table):
    from lxml import etree

    assert render._tables_to_fix(etree.fromstring(f"<w:body {W}><w:tbl>{table}</w:tbl></w:body>")) is True
