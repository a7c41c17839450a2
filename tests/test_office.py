"""LibreOffice as a real client of both formats: it opens every document we write, and re-saves our workbook."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from hostile import in_pdf
from readydocs import office
from readydocs.cli import cli
from readydocs.errors import OfficeMissingError
from readydocs.intake import read_intake
from readydocs.assessment import assess, score_assessment
from readydocs.pipeline import build
from readydocs.validate import validate

needs_office = pytest.mark.skipif(not office.available(), reason="LibreOffice (soffice) is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory, _sample_master, framework):
    return build([_sample_master], tmp_path_factory.mktemp("sample-build"), framework)


@needs_office
@needs_pdftotext
def test_every_sample_document_converts_and_carries_its_text(sample_build, tmp_path):
    docs = [p for p in sample_build.written if p.suffix == ".docx"]
    assert len(docs) == 3
    with ThreadPoolExecutor(max_workers=3) as pool:  # separate profiles: parallel conversions do not collide
        pdfs = list(pool.map(lambda p: office.convert(p, "pdf", tmp_path / p.stem), docs))
    for path, pdf in zip(docs, pdfs):
        assert pdf == tmp_path / path.stem / f"{path.stem}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        text = _pdf_text(pdf)
        d = docx.Document(path)
        body = [p.text for p in d.paragraphs if p.text.strip()]
        assert len(body) > 10
        for para in body:  # every paragraph of the document is in the PDF
            assert in_pdf(para, text), (path.name, para[:60])
        assert in_pdf("City of Riverbend", text)
        header = d.sections[0].header.paragraphs[0].text
        assert header and in_pdf(header, text)


@needs_office
def test_workbook_resaved_by_libreoffice_validates_and_scores_the_same(_sample_master, framework, tmp_path):
    src = tmp_path / "in" / "sample.xlsx"
    src.parent.mkdir()
    shutil.copyfile(_sample_master, src)
    resaved = office.convert(src, "xlsx", tmp_path / "resaved")
    assert resaved.read_bytes() != src.read_bytes()  # really rewritten by LibreOffice
    before_report, before = validate(read_intake(src, framework), framework)
    after_report, after = validate(read_intake(resaved, framework), framework)
    assert [(s, c, code) for s, c, code in after_report.flat()] == before_report.flat()
    assert after.answers == before.answers
    assert after.profile == before.profile
    assert after.rows == before.rows
    assert score_assessment(assess([resaved], framework)) == score_assessment(assess([src], framework))
    a = CliRunner().invoke(cli, ["score", "--json", str(src)])
    b = CliRunner().invoke(cli, ["score", "--json", str(resaved)])
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout


@needs_office
def test_convert_never_replaces_its_input(_sample_master, tmp_path):
    src = shutil.copyfile(_sample_master, tmp_path / "sample.xlsx")
    before = src.read_bytes()
    with pytest.raises(office.ConversionError):
        office.convert(src, "xlsx", tmp_path)
    assert src.read_bytes() == before


def test_missing_libreoffice_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("READYDOCS_SOFFICE", str(tmp_path / "no-soffice-here"))
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(OfficeMissingError) as info:
        office.convert(tmp_path / "a.docx", "pdf", tmp_path / "out")
    assert info.value.exit_code == 2
    assert "LibreOffice (soffice) is needed" in str(info.value) and "apt-get install libreoffice-writer-nogui" in str(info.value)
    assert not (tmp_path / "out").exists()
    assert office.available() is False
