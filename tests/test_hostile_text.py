"""Text that must come through exactly: in the body, tables, headers, footers and document properties.

Every hostile string in tests/hostile.py is put into the workbook, a build
runs, and the documents are read back with python-docx (and, where
LibreOffice is installed, converted to PDF and read with pdftotext).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from hostile import (
    ADVOCATE, HOSTILE, ORGANIZATION, PLACE, cell_of, fill_hostile, in_pdf, paragraphs, xml_text_runs,
)
from readydocs import office
from readydocs.cli import cli
from readydocs.places import slugify
from readydocs.pipeline import build
from readydocs.catalogue import DOCUMENTS

needs_office = pytest.mark.skipif(not office.available() or shutil.which("pdftotext") is None,
                                  reason="LibreOffice (soffice) and pdftotext are needed to check the PDF text")


def _custom_templates(folder: Path) -> Path:
    """A readiness report template that puts workbook text in tables, a header and a footer."""
    folder.mkdir()
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "{{ place.organization }}"
    d.sections[0].footer.paragraphs[0].text = "{{ place.name }} | {{ advocate.name }}"
    d.add_paragraph("{{ place.name }}")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "{{ place.name }}"
    t.rows[0].cells[1].text = "{{ advocate.name }}"
    loop = d.add_table(rows=3, cols=1)
    loop.rows[0].cells[0].text = "{%tr for i in insights %}"
    loop.rows[1].cells[0].text = "{{ i }}"
    loop.rows[2].cells[0].text = "{%tr endfor %}"
    notes = d.add_table(rows=5, cols=2)
    notes.rows[0].cells[0].text = "{%tr for c in conditions %}"
    notes.rows[1].cells[0].text = "{%tr for n in c.notes %}"
    notes.rows[2].cells[0].text = "{{ n.indicator }}"
    notes.rows[2].cells[1].text = "{{ n.text }}"
    notes.rows[3].cells[0].text = "{%tr endfor %}"
    notes.rows[4].cells[0].text = "{%tr endfor %}"
    d.save(folder / "readiness-report.docx")
    return folder


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory, _sample_master, framework):
    d = tmp_path_factory.mktemp("hostile")
    wb = d / "hostile.xlsx"
    evidence = fill_hostile(_sample_master, wb, framework)
    result = build([wb], d / "out", framework)
    assert result.assessment.valid, result.assessment.report.flat()
    custom = build([wb], d / "custom-out", framework, templates_dir=_custom_templates(d / "templates"))
    return {"workbook": wb, "result": result, "custom": custom, "evidence": evidence,
            "docs": {p.name: p for p in result.written if p.suffix == ".docx"}}


def test_every_document_opens_and_is_in_a_safe_folder(hostile_build):
    result = hostile_build["result"]
    # The Hebrew letters have no ASCII spelling, so a hash of the whole name keeps the folder its own.
    assert result.out_dir.name == slugify(PLACE)
    assert re.fullmatch(r"town-of-hope-glory-cafe-x-1-[0-9a-f]{8}", slugify(PLACE))
    assert sorted(hostile_build["docs"]) == sorted(name for name, _ in DOCUMENTS)
    for path in hostile_build["docs"].values():
        docx.Document(path)


def test_control_characters_are_reported_at_their_cells(hostile_build, framework):
    report = hostile_build["result"].assessment.report
    flagged = sorted((s, c) for s, c, code in report.flat() if code == "control-characters")
    wb = openpyxl.load_workbook(hostile_build["workbook"])
    typed_with_controls = sorted(
        (cell_of(wb, name).parent.title, cell_of(wb, name).coordinate) for name in wb.defined_names
        if isinstance(cell_of(wb, name).value, str) and "_x0001_" in cell_of(wb, name).value)
    assert len(typed_with_controls) == 4  # insight 3, two evidence cells, one next step
    assert flagged == typed_with_controls
    assert {p.severity for p in report.problems if p.code == "control-characters"} == {"warning"}


@pytest.mark.parametrize("key", list(HOSTILE))
def test_each_hostile_string_shows_exactly_in_the_report(hostile_build, key):
    shown = HOSTILE[key][1]
    text = paragraphs(docx.Document(hostile_build["docs"]["readiness-report.docx"]))["body"]
    assert any(p.endswith(": " + shown) or p.startswith(shown) for p in text), (key, shown[:80])


@pytest.mark.parametrize("key", list(HOSTILE)[:5])
def test_insights_show_exactly_in_memo_and_talking_points(hostile_build, key):
    shown = HOSTILE[key][1]
    for name in ("internal-launch-memo.docx", "talking-points.docx"):
        assert shown in paragraphs(docx.Document(hostile_build["docs"][name]))["body"], (name, key)


def test_names_show_in_body_headers_footers_and_properties(hostile_build, framework):
    for name, title in DOCUMENTS:
        doc = docx.Document(hostile_build["docs"][name])
        text = paragraphs(doc)
        assert any(PLACE in p for p in text["body"]), name
        assert any(ADVOCATE in p for p in text["body"]), name
        assert text["headers"][0].startswith(ORGANIZATION), name
        assert any(PLACE in p for p in text["footers"]), name
        cp = doc.core_properties
        assert cp.title == f"{title}: {PLACE}"
        assert cp.author == ADVOCATE
        assert cp.last_modified_by == ADVOCATE


def test_lists_keep_what_was_typed(hostile_build):
    body = paragraphs(docx.Document(hostile_build["docs"]["internal-launch-memo.docx"]))["body"]
    for item in ("Housing & Community <Dev>", "-1 unit pilot", "Parks; Recreation", "@Library", "Jobs", "=Transit", "+Health"):
        assert item in body, item


def test_no_double_escaping_anywhere(hostile_build):
    """"&amp;" reaches the reader only where the person typed it."""
    typed = HOSTILE["entities typed"][1]
    for path in hostile_build["docs"].values():
        text = paragraphs(docx.Document(path))
        for where, paras in text.items():
            for p in paras:
                assert p.replace(typed, "").count("&amp;") == 0, (path.name, where, p[:80])
                assert "&lt;" not in p.replace(typed, ""), (path.name, where, p[:80])


def test_line_breaks_and_tabs_are_real(hostile_build):
    """No raw newline or tab sits inside a text run: each became <w:br/> or <w:tab/>."""
    for path in hostile_build["docs"].values():
        runs = xml_text_runs(path)
        assert not [r for r in runs if "\n" in r or "\t" in r or "\r" in r], path.name
    import zipfile

    with zipfile.ZipFile(hostile_build["docs"]["readiness-report.docx"]) as z:
        body = z.read("word/document.xml").decode("utf-8")
        header = next(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/header"))
    assert "<w:br/>" in body and "<w:tab/>" in body
    # Jinja-looking text in the header was not taken as template code.
    assert "{% raw %}" in header


def test_tables_headers_and_footers_of_a_custom_template(hostile_build):
    custom = hostile_build["custom"]
    doc = docx.Document(custom.out_dir / "readiness-report.docx")
    text = paragraphs(doc)
    assert PLACE in text["tables"] and ADVOCATE in text["tables"]
    for key in list(HOSTILE)[:5]:
        assert HOSTILE[key][1] in text["tables"], key
    for ind, shown in hostile_build["evidence"].items():
        assert shown in text["tables"], ind
    assert text["headers"][0] == ORGANIZATION
    assert text["footers"][0] == f"{PLACE} | {ADVOCATE}"
    assert text["body"][0] == PLACE


def test_workbook_unchanged_and_cli_reports_warnings(hostile_build, tmp_path):
    wb = hostile_build["workbook"]
    before = wb.read_bytes()
    result = CliRunner().invoke(cli, ["build", str(wb), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    insight_3 = cell_of(openpyxl.load_workbook(wb), "profile.insight_3").coordinate
    assert "[control-characters]" in result.stderr and f"sheet Profile, cell {insight_3}:" in result.stderr
    assert wb.read_bytes() == before


@needs_office
def test_libreoffice_converts_every_document_and_shows_the_text(hostile_build, tmp_path):
    for name, path in hostile_build["docs"].items():
        pdf = office.convert(path, "pdf", tmp_path)
        text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert in_pdf(PLACE, text) and in_pdf(ADVOCATE, text) and in_pdf(ORGANIZATION, text), name
        for key in list(HOSTILE)[:5]:
            assert in_pdf(HOSTILE[key][1], text), (name, key)
        if name == "readiness-report.docx":
            for key, (_, shown) in HOSTILE.items():
                if key == "longest cell":
                    assert in_pdf(shown[:300], text) and in_pdf(shown[-300:], text)
                else:
                    assert in_pdf(shown, text), key
