"""Accessibility checks: every default document passes; a deliberately bad one fails on each point."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from readydocs.a11y import check_docx
from readydocs.cli import cli
from readydocs.pipeline import build
from readydocs.catalogue import DOCUMENTS
from readydocs.workbook import rate_every_indicator, set_named_cells



def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "#0b4f5c").save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory, _sample_master, framework):
    """The sample built as is, and a variant with two respondents and the lowest ratings (build first, memo draft)."""
    import shutil

    tmp = tmp_path_factory.mktemp("a11y")
    sample = tmp / "sample.xlsx"
    shutil.copyfile(_sample_master, sample)
    low = rate_every_indicator(sample, framework, framework.scale.levels[0].value, target=tmp / "low.xlsx")
    set_named_cells(low, {"profile.respondent_name": "Second respondent"})
    first = build([sample], tmp / "one", framework)
    second = build([sample, low], tmp / "two", framework)
    assert first.assessment.valid and second.assessment.valid
    return first, second


def test_every_default_document_passes(built):
    docs = [p for r in built for p in r.written if p.suffix == ".docx"]
    assert len(docs) == 2 * len(DOCUMENTS)
    for path in docs:
        assert check_docx(path) == [], path


def test_default_documents_meet_each_point(built):
    first, _ = built
    report = first.out_dir / "readiness-report.docx"
    d = docx.Document(str(report))
    cp = d.core_properties
    assert cp.title == "Readiness report: City of Riverbend"
    assert cp.author == "Dana Whitfield" and cp.language == "en-US"
    # The chart's alt text states every score, not just "chart".
    (shape,) = d.inline_shapes
    descr = shape._inline.docPr.get("descr")
    assert "Leadership commitment 83 (In place)" in descr and "Organizational capacity 22 (Not yet in place)" in descr
    # The score table's header row is marked, and status words sit beside the scores.
    table = d.tables[0]
    assert table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    statuses = [row.cells[2].text for row in table.rows[1:]]
    assert "In place" in statuses and "Not yet in place" in statuses
    # Heading levels in order, never skipping one.
    levels = [int(p.style.name.split()[-1]) for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert "Title" in {p.style.name for p in d.paragraphs}


def _bad_document(path: Path) -> Path:
    d = docx.Document()
    cp = d.core_properties
    cp.title, cp.author, cp.language = "", "", ""
    # No default language either.
    for lang in d.styles.element.iter(qn("w:lang")):
        lang.getparent().remove(lang)
    d.add_paragraph("Report", style="Title")
    d.add_paragraph("Introduction", style="Heading 1")
    d.add_paragraph("Details", style="Heading 3")
    d.add_paragraph("", style="Heading 2")
    d.add_paragraph().add_run().add_picture(io.BytesIO(_png()), width=Mm(20))
    d.add_paragraph().add_run().add_picture(io.BytesIO(_png()), width=Mm(20))
    t = d.add_table(rows=2, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Condition", "Status"
    t.rows[1].cells[0].text = "Leadership"
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), "C0504D")
    t.rows[1].cells[1]._tc.get_or_add_tcPr().append(shd)
    symbol = d.add_paragraph().add_run("\u25cf")
    symbol.font.color.rgb = RGBColor(0x1B, 0x7F, 0x6B)
    d.save(path)
    # Second picture: alt text that says nothing.
    d = docx.Document(str(path))
    d.inline_shapes[1]._inline.docPr.set("descr", "chart")
    d.save(path)
    return path


def test_a_bad_document_fails_on_each_point(tmp_path):
    path = _bad_document(tmp_path / "bad.docx")
    found = [(p.where, p.code) for p in check_docx(path)]
    assert found == [
        ("document properties", "no-title"),
        ("document properties", "no-author"),
        ("document properties", "no-language"),
        ("paragraph 3 (heading 3) \u201cDetails\u201d", "heading-skip"),
        ("paragraph 4 (heading 2)", "empty-heading"),
        ("paragraph 5, picture \u201cPicture 1\u201d", "no-alt-text"),
        ("paragraph 6, picture \u201cPicture 2\u201d", "vague-alt-text"),
        ("table 1, row 2, cell 2", "colour-only"),
        ("paragraph 11 \u201c\u25cf\u201d", "colour-only"),
        ("table 1 (first row \u201cCondition | Status\u201d)", "no-table-header"),
    ]


def test_first_heading_must_be_level_one(tmp_path):
    d = docx.Document()
    d.core_properties.title = "T"
    d.core_properties.author = "A"
    d.add_paragraph("Straight to a subsection", style="Heading 2")
    d.save(tmp_path / "h.docx")
    (p,) = check_docx(tmp_path / "h.docx")
    assert p.code == "heading-skip" and "first heading is level 2" in p.message


def test_decorative_picture_needs_no_alt_text(tmp_path):
    d = docx.Document()
    d.core_properties.title, d.core_properties.author = "T", "A"
    d.add_paragraph().add_run().add_picture(io.BytesIO(_png()), width=Mm(20))
    doc_pr = d.inline_shapes[0]._inline.docPr
    ext_lst = OxmlElement("a:extLst")
    ext = OxmlElement("a:ext")
    ext.set("uri", "{C183D7F6-B498-43B3-948B-1728B52AA6E4}")
    from lxml import etree

    deco = etree.SubElement(ext, "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative")
    deco.set("val", "1")
    ext_lst.append(ext)
    doc_pr.append(ext_lst)
    d.save(tmp_path / "deco.docx")
    assert check_docx(tmp_path / "deco.docx") == []


def test_check_docs_cli(tmp_path, built):
    runner = CliRunner()
    first, _ = built
    good = [str(p) for p in first.written if p.suffix == ".docx"]
    ok = runner.invoke(cli, ["check-docs", *good])
    assert ok.exit_code == 0
    assert ok.output.count("no accessibility problems found") == 3

    bad = _bad_document(tmp_path / "bad.docx")
    out = runner.invoke(cli, ["check-docs", good[0], str(bad)])
    assert out.exit_code == 1
    assert f"{bad}: table 1 (first row \u201cCondition | Status\u201d): the first row is not marked as a header row" in out.output
    assert "[heading-skip]" in out.output and "10 problems found." in out.output

    (tmp_path / "notes.docx").write_text("plain text")
    unreadable = runner.invoke(cli, ["check-docs", str(tmp_path / "notes.docx")])
    assert unreadable.exit_code == 2
    assert unreadable.output.strip().splitlines() == [f"Error: {tmp_path / 'notes.docx'}: is not a Word .docx document. Give a .docx file saved from Word or LibreOffice."]

    missing = runner.invoke(cli, ["check-docs", str(tmp_path / "nowhere.docx")])
    assert missing.exit_code == 2
    assert missing.output.strip() == f"Error: {tmp_path / 'nowhere.docx'}: no such file. Check the file name."
