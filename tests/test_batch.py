"""readydocs batch: places grouped from many workbooks, built in worker processes, summarised in one workbook."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from readydocs.batch import collect_inputs, run_batch
from readydocs.cli import cli
from readydocs.cohort import FILENAME, headers
from readydocs.errors import UnreadableFileError
from readydocs.form import indicator_name
from readydocs.workbook import rate_every_indicator, set_named_cells


SAMPLE_SCORES = [("83", 83, "In place"), ("56", 56, "Developing"), ("22", 22, "Not yet in place"), ("78", 78, "In place"),
                 ("50", 50, "Developing"), ("78", 78, "In place"), ("89", 89, "In place"), ("22", 22, "Not yet in place"),
                 ("83", 83, "In place")]


@pytest.fixture
def cohort_dir(sample_xlsx, tmp_path, framework):
    """Riverbend (two respondents), Lakeside (one) and a file that is not a workbook."""
    d = tmp_path / "intakes"
    (d / "riverbend").mkdir(parents=True)
    rate_every_indicator(sample_xlsx, framework, "4 - Fully in place", d / "riverbend" / "a.xlsx")
    rate_every_indicator(sample_xlsx, framework, "2 - Starting", d / "riverbend" / "b.xlsx")
    set_named_cells(d / "riverbend" / "b.xlsx", {"profile.municipality_name": "  city of  RIVERBEND "})
    set_named_cells(sample_xlsx, {"profile.municipality_name": "Lakeside County"}, d / "lakeside.xlsx")
    (d / "broken.xlsx").write_text("not a workbook")
    (d / "~$lakeside.xlsx").write_text("Excel lock file")
    (d / "notes.txt").write_text("ignored")
    return d


def test_batch_builds_good_places_and_reports_the_broken_one(cohort_dir, tmp_path, framework):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert "Built 2 of 3 places from 4 workbooks" in result.output
    assert f"Not built: (municipality not known) ({cohort_dir / 'broken.xlsx'})" in result.output
    assert f"  {cohort_dir / 'broken.xlsx'}: is not an Excel .xlsx workbook." in result.output
    assert "[2/2] " in result.output  # plain progress lines when not on a terminal
    for slug in ("city-of-riverbend", "lakeside-county"):
        assert sorted(p.name for p in (out / slug).iterdir()) == [".readydocs-lock", ".readydocs-manifest.json",
            "internal-launch-memo.docx", "readiness-action-plan.xlsx", "readiness-report.docx", "scores.json", "talking-points.docx"]

    wb = openpyxl.load_workbook(out / FILENAME)
    ws = wb["Places"]
    cols = headers(framework)
    assert len(cols) == 6 + 2 * 9 + 3
    assert [c.value for c in ws[1]] == cols
    assert cols[6:8] == ["Leadership commitment: score", "Leadership commitment: status"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 2
    day = dt.datetime(2026, 10, 15)
    level = "Ready while strengthening named conditions"
    # Riverbend: one respondent all 4, one all 2 -> every indicator 3 -> every condition 66.67 -> 67,
    # and every condition's respondents 100 and 33.33 apart: all disagree.
    river = ["City of Riverbend", "Minnesota", 2, day, level, 67] + [67, "Developing"] * 9
    river += ["; ".join(c.name for c in framework.conditions), "city-of-riverbend", None]
    # Lakeside: the sample's scores, average 561.11 / 9 = 62.3.
    lake = ["Lakeside County", "Minnesota", 1, day, level, 62]
    for _, n, status in SAMPLE_SCORES:
        lake += [n, status]
    lake += [None, "lakeside-county", None]
    assert rows == [river, lake]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:AA3"
    assert ws["D2"].number_format == "yyyy-mm-dd"
    rules = {str(rng.sqref): [r.formula[0] for r in rng.rules] for rng in ws.conditional_formatting}
    assert rules["G2:G3"] == ["AND(ISNUMBER(G2),G2>=75)", "AND(ISNUMBER(G2),G2>=50,G2<75)", "AND(ISNUMBER(G2),G2>=0,G2<50)"]
    assert rules["H2:H3"] == ['H2="In place"', 'H2="Developing"', 'H2="Not yet in place"', 'H2="Not enough information"']
    assert rules["E2:E3"] == ['E2="Ready to launch"', 'E2="Ready while strengthening named conditions"', 'E2="Build readiness first"']
    fills = [rng.rules[0].dxf.fill.fgColor.rgb for rng in ws.conditional_formatting if str(rng.sqref) == "G2:G3"]
    assert fills == ["00C6E7D8"]

    failed = [[c.value for c in row] for row in wb["Not built"].iter_rows()]
    assert failed[0] == ["Place", "Workbooks", "Problem"]
    assert failed[1][:2] == ["(not known)", "broken.xlsx"]
    assert failed[1][2].endswith("is not an Excel .xlsx workbook. Open it in Excel or LibreOffice and save it as .xlsx.")
    assert len(failed) == 2


def test_invalid_workbook_fails_only_its_place(sample_xlsx, tmp_path, framework):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(sample_xlsx, d / "riverbend.xlsx")
    set_named_cells(sample_xlsx, {"profile.municipality_name": "Hilltown", indicator_name("rating", "LEAD-1"): None}, d / "hilltown.xlsx")
    result = run_batch([d], tmp_path / "out", framework, jobs=1)
    assert [(p.name, p.ok) for p in result.places] == [("City of Riverbend", True), ("Hilltown", False)]
    hill = result.places[1]
    assert len(hill.problems) == 1 and "sheet Ratings, cell D4: LEAD-1 has no rating" in hill.problems[0]
    assert not (tmp_path / "out" / "hilltown").exists()
    assert (tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx").exists()
    ws = openpyxl.load_workbook(tmp_path / "out" / FILENAME)["Not built"]
    assert [c.value for c in ws[2]][:2] == ["Hilltown", "hilltown.xlsx"]


def test_names_that_would_share_a_folder_are_refused(sample_xlsx, tmp_path, framework):
    d = tmp_path / "in"
    d.mkdir()
    set_named_cells(sample_xlsx, {"profile.municipality_name": "St. Paul"}, d / "a.xlsx")
    set_named_cells(sample_xlsx, {"profile.municipality_name": "St Paul"}, d / "b.xlsx")
    result = run_batch([d], tmp_path / "out", framework, jobs=1)
    assert [p.ok for p in result.places] == [False, False]
    assert "would share the folder 'st-paul'" in result.places[0].problems[0]


def test_collect_inputs_files_folders_and_patterns(tmp_path):
    (tmp_path / "x").mkdir()
    for name in ("x/a.xlsx", "x/b.XLSX", "x/.hidden.xlsx", "x/~$a.xlsx", "c.xlsx"):
        (tmp_path / name).write_text("")
    got = collect_inputs([tmp_path / "x", str(tmp_path / "*.xlsx"), tmp_path / "x" / "a.xlsx"])
    assert [p.name for p in got] == ["a.xlsx", "b.XLSX", "c.xlsx"]
    with pytest.raises(UnreadableFileError, match="no files match this pattern"):
        collect_inputs([str(tmp_path / "nothing-*.xlsx")])
    with pytest.raises(UnreadableFileError, match="no such file or folder"):
        collect_inputs([tmp_path / "missing.xlsx"])


def test_batch_with_nothing_to_read_is_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "empty"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "holds no .xlsx workbooks" in result.output


def _png(path):
    from PIL import Image

    Image.new("RGB", (400, 100), "#0b4f5c").save(path, format="PNG")
    return path


def _edit(path):
    import docx

    d = docx.Document(path)
    d.add_paragraph("Reviewed by the city manager's office.")
    d.save(path)
    return path.read_bytes()


def test_a_place_with_an_edited_document_stays_in_the_summary_until_forced(cohort_dir, tmp_path, framework):
    (cohort_dir / "broken.xlsx").unlink()
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "1"]).exit_code == 0
    memo = out / "lakeside-county" / "internal-launch-memo.docx"
    edited = _edit(memo)
    result = CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert "Built 1 of 2 places" in result.stdout
    assert f"Documents not replaced: Lakeside County ({cohort_dir / 'lakeside.xlsx'})" in result.stderr
    assert f"  {memo} has been changed since readydocs wrote it; not overwritten." in result.stderr
    assert memo.read_bytes() == edited
    wb = openpyxl.load_workbook(out / FILENAME)
    rows = {r[0]: r for r in wb["Places"].iter_rows(min_row=2, values_only=True)}
    lake = rows["Lakeside County"]
    assert lake[-2:] == ("lakeside-county", "Documents not replaced")
    assert [lake[6 + 2 * n] for n in range(9)] == [n for _, n, _ in SAMPLE_SCORES]  # its scores are all there
    assert rows["City of Riverbend"][-2:] == ("city-of-riverbend", None)
    # The documents were not replaced, so the place is also listed with why.
    (listed,) = wb["Not built"].iter_rows(min_row=2, values_only=True)
    assert listed[:2] == ("Lakeside County", "lakeside.xlsx")
    assert listed[2].startswith(f"{memo} has been changed since readydocs wrote it")

    forced = CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    copies = list(memo.parent.glob("internal-launch-memo.edited-*.docx"))
    assert len(copies) == 1 and copies[0].read_bytes() == edited
    assert memo.read_bytes() != edited
    rows = {r[0]: r for r in openpyxl.load_workbook(out / FILENAME)["Places"].iter_rows(min_row=2, values_only=True)}
    assert rows["Lakeside County"][-2:] == ("lakeside-county", None)


def test_an_edited_cohort_summary_is_kept(cohort_dir, tmp_path):
    (cohort_dir / "broken.xlsx").unlink()
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "1"]).exit_code == 0
    wb = openpyxl.load_workbook(out / FILENAME)
    wb["Places"]["A10"] = "Our notes for the cohort call"
    wb.save(out / FILENAME)
    edited = (out / FILENAME).read_bytes()
    result = CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {out / FILENAME} has been changed since readydocs wrote it; not overwritten. Rename that file to keep "
        "your edits and build again, or rerun with --force to keep a dated copy beside it and replace it.")
    assert "Built 2 of 2 places" in result.stdout
    assert (out / FILENAME).read_bytes() == edited
    forced = CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(out), "--jobs", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    (copy,) = out.glob("cohort-summary.edited-*.xlsx")
    assert copy.read_bytes() == edited


def test_batch_takes_build_s_options_for_every_place(cohort_dir, tmp_path, monkeypatch):
    import docx

    (cohort_dir / "broken.xlsx").unlink()
    logo = _png(tmp_path / "cohort-logo.png")
    set_named_cells(cohort_dir / "lakeside.xlsx", {"profile.logo_file": "missing.png"})  # --logo replaces it
    templates = tmp_path / "my-templates"
    assert CliRunner().invoke(cli, ["templates", "export", str(templates)]).exit_code == 0
    d = docx.Document(templates / "talking-points.docx")
    d.add_paragraph("Cohort edition for {{ place.name }}")
    d.save(templates / "talking-points.docx")
    monkeypatch.chdir(tmp_path)  # -o defaults to outputs, as in build
    result = CliRunner().invoke(cli, ["batch", str(cohort_dir), "--jobs", "1", "--logo", str(logo),
                                      "--templates", str(templates), "--date", "2027-01-20"])
    assert result.exit_code == 0, result.output
    for slug, name in (("city-of-riverbend", "City of Riverbend"), ("lakeside-county", "Lakeside County")):
        folder = tmp_path / "outputs" / slug
        talking = docx.Document(folder / "talking-points.docx")
        assert f"Cohort edition for {name}" in [p.text for p in talking.paragraphs]
        report = docx.Document(folder / "readiness-report.docx")
        header_xml = report.sections[0].header._element.xml
        assert "<pic:pic" in header_xml or "graphicData" in header_xml
        assert report.core_properties.created.date() == dt.date(2027, 1, 20)
    assert (tmp_path / "outputs" / FILENAME).exists()


def test_batch_with_a_bad_logo_stops_once(cohort_dir, tmp_path):
    result = CliRunner().invoke(cli, ["batch", str(cohort_dir), "-o", str(tmp_path / "out"), "--logo", str(tmp_path / "nope.png")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: --logo: the logo file {tmp_path / 'nope.png'} was not found. Check the path."]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_batch_pdf_writes_each_place_s_pdfs_through_the_manifest(sample_xlsx, tmp_path):
    import json

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(sample_xlsx), "-o", str(out), "--pdf", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    folder = out / "city-of-riverbend"
    manifest = json.loads((folder / ".readydocs-manifest.json").read_text("utf-8"))
    for name in ("readiness-report.pdf", "internal-launch-memo.pdf", "talking-points.pdf"):
        assert (folder / name).read_bytes().startswith(b"%PDF-")
        assert name in manifest["files"]


def test_batch_pdf_failure_leaves_the_documents_written_and_says_so(sample_xlsx, tmp_path, monkeypatch):
    script = tmp_path / "broken-soffice"
    script.write_text("#!/bin/sh\necho 'no display' >&2\nexit 3\n")
    script.chmod(0o755)
    monkeypatch.setenv("READYDOCS_SOFFICE", str(script))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(sample_xlsx), "-o", str(out), "--pdf", "--jobs", "1"])
    assert result.exit_code == 1
    folder = out / "city-of-riverbend"
    assert (folder / "readiness-report.docx").exists() and not list(folder.glob("*.pdf"))
    assert f"PDFs not written: City of Riverbend ({sample_xlsx})." in result.stderr
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("City of Riverbend")]
    assert row.split("  ")[0] == "City of Riverbend" and "Ready while strengthening named conditions" in row  # scored
    assert row.endswith("written, no PDFs")
    (place,) = openpyxl.load_workbook(out / FILENAME)["Places"].iter_rows(min_row=2, values_only=True)
    assert place[-2:] == ("city-of-riverbend", "PDFs not written")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_misspelt_template_variable_is_told_with_its_paragraph_in_a_batch(sample_xlsx, tmp_path, jobs):
    """As in build: the linter's line (paragraph, nearest real name) for each place, from a worker too."""
    import docx

    from readydocs.render import default_templates_dir

    custom = tmp_path / "tpl"
    custom.mkdir()
    d = docx.Document(str(default_templates_dir() / "talking-points.docx"))
    d.add_paragraph("Budget line: {{ place.nmae }}")
    d.save(str(custom / "talking-points.docx"))
    result = CliRunner().invoke(cli, ["batch", str(sample_xlsx), "-o", str(tmp_path / "out"), "--jobs", jobs,
                                      "--templates", str(custom)])
    assert result.exit_code == 1
    told = [line for line in result.stderr.splitlines() if "talking-points.docx" in line]
    assert len(told) == 1 and told[0].startswith(f"  {custom / 'talking-points.docx'}, paragraph "), result.stderr
    assert "\u201cBudget line: {{ place.nmae }}\u201d" in told[0] and "Did you mean \u201cname\u201d?" in told[0]


def test_a_worker_never_loads_openpyxl_or_numpy(sample_xlsx, tmp_path):
    """Workers read workbooks and earlier plans with xlsxcells and write the plan and the cohort summary as XML,
    so none needs openpyxl, nor the numpy it brings: not for a place, nor for the cohort files at the end."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pathlib import Path\n"
            "from readydocs import batch\n"
            "from readydocs.framework import load_framework\n"
            "batch._init_worker(load_framework())\n"
            f"checked = batch._check(Path({str(sample_xlsx)!r}))\n"
            "options = batch.PlaceOptions()\n"
            f"for _ in range(2):  # the second time over the first, reading its action plan\n"
            f"    built = batch._build(checked.place, [checked], Path({str(tmp_path)!r}), 'x', options)\n"
            "    assert built.ok\n"
            "scored = [batch.ScoredPlace.of(built)]\n"
            "assert batch._summary_bytes(scored, [])[:2] == b'PK'\n"
            "assert batch._cohort_report(scored, 1, False, options)[:2] == b'PK'\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy')))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
