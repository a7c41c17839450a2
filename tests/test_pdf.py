"""build --pdf: PDFs through LibreOffice when it is there, one clear line when it is not."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

import readydocs.office as office
import readydocs.pdf as pdf
from readydocs.cli import cli

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")


@needs_soffice
@needs_pdftotext
def test_pdf_of_each_document_is_written(sample_xlsx, tmp_path):
    out = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path), "--pdf"])
    assert out.exit_code == 0, out.output
    folder = tmp_path / "city-of-riverbend"
    expected = {
        "readiness-report.pdf": ["Readiness for Mobility Action Planning", "Overall readiness: Ready while strengthening named"],
        "internal-launch-memo.pdf": ["Memorandum", "City of Riverbend begins Mobility Action Planning"],
        "talking-points.pdf": ["Talking points: Mobility Action", "For department heads"],
    }
    for name, phrases in expected.items():
        path = folder / name
        assert f"Wrote {path}" in out.output
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        for phrase in phrases:
            assert phrase in " ".join(text.split()), (name, phrase)
        assert "City of Riverbend Office of the City Manager" in text  # the header
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        if info:
            assert "Tagged:          yes" in info
    assert not list(folder.glob(".*.tmp"))


def test_without_libreoffice_the_docx_files_are_written_and_one_line_says_why(sample_xlsx, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(office, "KNOWN_LOCATIONS", ())
    monkeypatch.delenv("READYDOCS_SOFFICE", raising=False)
    out = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "o"), "--pdf"])
    assert out.exit_code == 1
    folder = tmp_path / "o" / "city-of-riverbend"
    assert sorted(p.name for p in folder.iterdir()) == [".readydocs-lock", ".readydocs-manifest.json",
        "internal-launch-memo.docx", "readiness-action-plan.xlsx", "readiness-report.docx", "scores.json",
        "talking-points.docx"]
    errors = [line for line in out.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert errors[0].startswith("Error: PDFs were not written: LibreOffice (soffice) is needed for this and was not found.")
    assert "Install LibreOffice" in errors[0]


def test_a_failed_conversion_names_the_document(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    doc = tmp_path / "report.docx"
    doc.write_bytes(b"x")
    with pytest.raises(pdf.PdfError) as info:
        pdf.to_pdf([doc])
    assert f"{doc}: LibreOffice did not produce a PDF (exit code 1). LibreOffice said: Error: source file could not be loaded" in str(info.value)
    assert not (tmp_path / "report.pdf").exists()


@needs_soffice
def test_parallel_conversions_do_not_collide(sample_xlsx, tmp_path, framework):
    from concurrent.futures import ThreadPoolExecutor

    from readydocs.pipeline import build

    result = build([sample_xlsx], tmp_path / "built", framework)
    source = result.out_dir / "talking-points.docx"
    copies = []
    for i in range(3):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        copies.append(shutil.copyfile(source, folder / "talking-points.docx"))
    with ThreadPoolExecutor(max_workers=3) as pool:
        made = list(pool.map(lambda p: pdf.to_pdf([p]), copies))
    for (path,), docx_path in zip(made, copies):
        assert path == docx_path.with_suffix(".pdf")
        assert path.read_bytes().startswith(b"%PDF-")
