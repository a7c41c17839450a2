"""The logo and organization in each document's header."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from readydocs.a11y import check_docx
from readydocs.cli import cli
from readydocs.assessment import assess
from readydocs.catalogue import DOCUMENTS
from readydocs.pipeline import build
from readydocs.workbook import set_named_cells


ORG = "City of Riverbend Office of the City Manager"


def _png(path: Path, size=(400, 100)) -> Path:
    from PIL import Image

    Image.new("RGB", size, "#0b4f5c").save(path, format="PNG")
    return path


def _cell(workbook: Path, name: str) -> str:
    wb = openpyxl.load_workbook(workbook)
    (sheet, ref), = wb.defined_names[name].destinations
    return ref.replace("$", "")


def _header_pictures(path: Path):
    d = docx.Document(str(path))
    header = d.sections[0].header
    pics = list(header._element.iter(qn("wp:docPr")))
    return header, pics


def test_logo_from_the_workbook_is_in_every_header_with_alt_text(sample_xlsx, tmp_path, framework):
    (tmp_path / "brand").mkdir()
    _png(tmp_path / "brand" / "logo.png")
    set_named_cells(sample_xlsx, {"profile.logo_file": "brand/logo.png"})
    result = build([sample_xlsx], tmp_path / "out", framework)
    assert result.assessment.valid
    for filename, _ in DOCUMENTS:
        path = result.out_dir / filename
        header, pics = _header_pictures(path)
        assert [p.text for p in header.paragraphs] == ["", ORG]  # the logo on its own line
        assert header.paragraphs[0]._p.find(".//" + qn("wp:docPr")) is not None
        (pic,) = pics
        assert pic.get("descr") == f"Logo of {ORG}"
        extent = next(header._element.iter(qn("wp:extent")))
        # 400 x 100 pixels: 12 mm high would be 48 mm wide, within the 60 mm limit.
        assert round(int(extent.get("cy")) / 36000, 1) == 12.0
        assert round(int(extent.get("cx")) / 36000, 1) == 48.0
        assert check_docx(path) == []


def test_a_wide_logo_is_narrowed_to_sixty_millimetres(sample_xlsx, tmp_path, framework):
    logo = _png(tmp_path / "wide.png", size=(1000, 100))
    result = build([sample_xlsx], tmp_path / "out", framework, logo=logo)
    header, _ = _header_pictures(result.out_dir / "talking-points.docx")
    extent = next(header._element.iter(qn("wp:extent")))
    assert round(int(extent.get("cx")) / 36000, 1) == 60.0
    assert round(int(extent.get("cy")) / 36000, 1) == 6.0


def test_no_logo_leaves_the_header_as_text(sample_xlsx, tmp_path, framework):
    result = build([sample_xlsx], tmp_path / "out", framework)
    header, pics = _header_pictures(result.out_dir / "readiness-report.docx")
    assert pics == [] and [p.text for p in header.paragraphs] == [ORG]


def test_missing_logo_is_a_validation_error_at_its_cell(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"profile.logo_file": "logos/missing.png"})
    report = assess([sample_xlsx], framework).report
    ref = _cell(sample_xlsx, "profile.logo_file")
    assert ("Profile", ref, "logo-not-found") in report.flat()
    (p,) = [p for p in report.problems if p.code == "logo-not-found"]
    assert p.severity == "error"
    assert f"looked for {sample_xlsx.parent / 'logos' / 'missing.png'}" in p.message


def test_a_logo_that_is_not_an_image_is_a_validation_error(sample_xlsx, tmp_path, framework):
    (tmp_path / "logo.png").write_text("not really a picture")
    set_named_cells(sample_xlsx, {"profile.logo_file": str(tmp_path / "logo.png")})
    report = assess([sample_xlsx], framework).report
    assert ("Profile", _cell(sample_xlsx, "profile.logo_file"), "logo-not-image") in report.flat()


def test_windows_style_relative_path_and_quotes_work(sample_xlsx, tmp_path, framework):
    (tmp_path / "brand").mkdir()
    _png(tmp_path / "brand" / "logo.png")
    set_named_cells(sample_xlsx, {"profile.logo_file": '"brand\\logo.png"'})
    assert assess([sample_xlsx], framework).report.errors == []


def test_cli_logo_replaces_a_broken_workbook_logo(sample_xlsx, tmp_path):
    set_named_cells(sample_xlsx, {"profile.logo_file": "gone.png"})
    runner = CliRunner()
    failed = runner.invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "a")])
    assert failed.exit_code == 1 and "[logo-not-found]" in failed.output

    logo = _png(tmp_path / "city.png")
    ok = runner.invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "b"), "--logo", str(logo)])
    assert ok.exit_code == 0, ok.output
    _, pics = _header_pictures(tmp_path / "b" / "city-of-riverbend" / "internal-launch-memo.docx")
    assert len(pics) == 1


@pytest.mark.parametrize("content", [None, b"GIF89a not a png"])
def test_cli_logo_that_cannot_be_used_is_one_line(sample_xlsx, tmp_path, content):
    logo = tmp_path / "logo.png"
    if content is not None:
        logo.write_bytes(content)
    out = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "o"), "--logo", str(logo)])
    assert out.exit_code == 2
    errors = [line for line in out.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and f"--logo: the logo file {logo}" in errors[0]
    assert not (tmp_path / "o").exists()


def test_tilde_for_an_unknown_user_is_not_found_not_a_crash(tmp_path):
    from readydocs.branding import logo_problem

    workbook = tmp_path / "intake.xlsx"
    code, message = logo_problem("~no_such_user_here/logo.png", workbook)
    assert code == "logo-not-found"
    assert "~no_such_user_here/logo.png" in message
