"""No input ever gives a traceback: each reproduction is one line at its cell or file, and the CLI's safety net
turns anything unforeseen into one line and a log file.

Cells checked by hand against the sample layout: Profile B8 is the logo file,
B17 the assessment date; on Ratings, LEAD-1 is row 4 and CAP-1 row 11, with the
rating in column D and the due date in column H.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.workbook.defined_name import DefinedName

from readydocs import assessment
from readydocs.baseline import load_baseline
from readydocs.cli import cli
from readydocs.errors import FrameworkError, UnreadableFileError
from readydocs.framework import MAX_FRAMEWORK_BYTES, load_framework
from readydocs.intake import read_intake
from readydocs.outputs import normalise_zip
from readydocs.validate import validate
from readydocs.workbook import set_named_cells



def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _report(path, framework):
    return validate(read_intake(path, framework), framework)


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# --------------------------------------------------------------------------
# The safety net


@pytest.fixture
def broken_assess(monkeypatch, tmp_path):
    """A bug nobody foresaw: assess fails with an exception that is not ours. Logs go to tmp_path."""
    def fail(*args, **kwargs):
        raise ZeroDivisionError("division by zero in a place nobody expected")

    monkeypatch.setattr(assessment, "assess", fail)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_unexpected_exception_is_one_line_with_a_log_file_and_exit_2(broken_assess, sample_xlsx):
    result = run("validate", sample_xlsx)
    assert result.exit_code == 2
    assert result.stdout == ""
    line = _one_line(result.stderr)
    assert line.startswith("internal error: ZeroDivisionError: division by zero in a place nobody expected.")
    assert "please report it" in line
    log = Path(re.search(r"log file (\S+readydocs-error-\S+\.log)", line).group(1))
    assert log.parent == broken_assess
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "ZeroDivisionError: division by zero in a place nobody expected" in text
    assert "in fail" in text  # the frame that raised


def test_debug_shows_the_traceback_instead(broken_assess, sample_xlsx):
    result = run("--debug", "validate", sample_xlsx)
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError" in result.stderr
    assert "internal error" not in result.stderr
    assert list(broken_assess.glob("readydocs-error-*.log")) == []


def test_usage_errors_keep_exit_2_and_our_errors_keep_their_codes(sample_xlsx, tmp_path):
    assert run("validate").exit_code == 2
    assert run("build", sample_xlsx, "--bogus").exit_code == 2
    missing = run("validate", tmp_path / "nope.xlsx")
    assert missing.exit_code == 2
    assert _one_line(missing.stderr).startswith("Error: ")


def test_the_installed_command_has_the_safety_net_too(tmp_path):
    """Through the real entry point: a framework file that makes the parser fail is still one line."""
    fw = tmp_path / "deep.toml"
    fw.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "readydocs", "validate", "--framework", str(fw), "any.xlsx"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    line = _one_line(proc.stderr)
    assert line == (f"Error: {fw}: arrays or tables nested far deeper than a framework needs; it was not read. "
                    "A framework nests tables two or three levels deep: compare it with readydocs docs framework.")


# --------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize("value", [dt.date(2206, 10, 15), dt.datetime(2108, 1, 1), "2206-10-15", dt.date(1999, 12, 31)])
def test_implausible_assessment_date_is_an_error_at_its_cell(sample_xlsx, framework, value):
    set_named_cells(sample_xlsx, {"profile.assessment_date": value})
    report, response = _report(sample_xlsx, framework)
    assert [p for p in report.flat() if p[2] != "dont-know"] == [("Profile", "B17", "implausible-date")]
    assert response.profile.assessment_date is None
    year = value.year if not isinstance(value, str) else 2206
    assert f"Assessment date: {year}-" in report.errors[0].message
    assert "Enter a date from 2000 to 2100" in report.errors[0].message


def test_every_date_cell_is_checked(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"due.LEAD_1": dt.date(2150, 1, 1), "profile.target_launch_date": dt.date(1970, 1, 1)})
    report, _ = _report(sample_xlsx, framework)
    assert sorted(p for p in report.flat() if p[2] == "implausible-date") == [
        ("Profile", "B18", "implausible-date"), ("Ratings", "H4", "implausible-date")]


def test_first_and_last_plausible_dates_are_accepted(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"profile.assessment_date": dt.date(2000, 1, 1), "profile.target_launch_date": dt.date(2100, 12, 31)})
    report, response = _report(sample_xlsx, framework)
    assert report.errors == []
    assert response.profile.assessment_date == dt.date(2000, 1, 1)


def test_validate_and_score_stop_at_a_year_2206(sample_xlsx):
    set_named_cells(sample_xlsx, {"profile.assessment_date": dt.date(2206, 10, 15)})
    for command in ("validate", "score"):
        result = run(command, sample_xlsx)
        assert result.exit_code == 1
        assert "error: " + str(sample_xlsx) + ", sheet Profile, cell B17: Assessment date: 2206-10-15 is not a plausible date" in result.stderr


@pytest.mark.parametrize("command", ["build", "batch"])
def test_document_date_past_2100_is_a_usage_error(sample_xlsx, tmp_path, command):
    result = run(command, sample_xlsx, "-o", tmp_path / "out", "--date", "2150-01-01")
    assert result.exit_code == 2
    assert "'--date': 2150-01-01 is not a plausible document date. Give one from 2000 to 2100" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("when", [dt.datetime(2108, 1, 1), dt.datetime(2150, 6, 1, 9), dt.datetime(9999, 12, 31, 23, 59, 59),
                                  dt.datetime(1, 1, 1)])
def test_zip_timestamps_are_clamped_to_what_a_zip_can_hold(when):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "a")
        zf.writestr("b.txt", "b")
    with zipfile.ZipFile(io.BytesIO(normalise_zip(buf.getvalue(), when))) as zf:
        stamps = {i.date_time for i in zf.infolist()}
        assert zf.read("b.txt") == b"b"
    expected = (2107, 12, 31, 23, 59, 58) if when.year > 2107 else (1980, 1, 1, 0, 0, 0)
    assert stamps == {expected}


# --------------------------------------------------------------------------
# Defined names


def _retarget(path: Path, name: str, text: str, chartsheet: str | None = None) -> None:
    wb = openpyxl.load_workbook(path)
    if chartsheet:
        from openpyxl.chart import BarChart, Reference

        chart = BarChart()
        chart.add_data(Reference(wb["Lists"], min_col=1, min_row=1, max_row=3))
        wb.create_chartsheet(chartsheet).add_chart(chart)
    del wb.defined_names[name]
    wb.defined_names[name] = DefinedName(name, attr_text=text)
    wb.save(path)


BROKEN_TARGETS = [
    ("rating.CAP_1", "Ratings!#REF!", "points at a deleted cell (#REF!)"),
    ("profile.state", "Profile!$5:$5", "points at a whole row"),
    ("evidence.LEAD_2", "Ratings!$E:$E", "points at a whole column"),
    ("rating.LEAD_1", "Ratings!$D$4:$D$5", "points at the range D4:D5, not one cell"),
    ("rating.LRN_2", "Ratings!$D$0", "points at D0, which is not a cell of a sheet"),
    ("owner.EQ_1", "Ratings!$G$1048577", "points at G1048577, which is not a cell of a sheet"),
    ("profile.advocate_name", "Gone!$B$9", "points at sheet 'Gone', which this workbook does not have"),
    ("next_step.DATA_3", "'Chart 1'!$A$1", "points at 'Chart 1', a chart sheet"),
]


@pytest.mark.parametrize("name, target, reason", BROKEN_TARGETS, ids=[t[1] for t in BROKEN_TARGETS])
def test_broken_defined_name_is_one_error_naming_it(sample_xlsx, framework, name, target, reason):
    _retarget(sample_xlsx, name, target, chartsheet="Chart 1" if "Chart" in target else None)
    report, _ = _report(sample_xlsx, framework)
    home = "Profile" if name.startswith("profile.") else "Ratings"
    assert report.errors and [p.code for p in report.errors] == ["broken-name"]
    error = report.errors[0]
    assert (error.sheet, error.cell) == (home, None)
    assert error.message == (f"The defined name {name} ('{target}') {reason}, so this input cannot be read. "
                             "Point the name at its cell again (Excel: Formulas > Name Manager), or copy your answers "
                             "into a fresh workbook from 'readydocs init'.")


def test_broken_name_through_the_cli_is_one_line_exit_1(sample_xlsx):
    _retarget(sample_xlsx, "rating.CAP_1", "Ratings!#REF!")
    result = run("validate", sample_xlsx)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {sample_xlsx}, sheet Ratings: The defined name rating.CAP_1 ('Ratings!#REF!') points at a deleted "
                      "cell (#REF!), so this input cannot be read. Point the name at its cell again (Excel: Formulas > Name "
                      "Manager), or copy your answers into a fresh workbook from 'readydocs init'. [broken-name]"]


def test_name_holding_a_constant_is_broken_not_a_crash(sample_xlsx, framework):
    _retarget(sample_xlsx, "rating.CAP_1", '"3 - Partly in place"')
    report, _ = _report(sample_xlsx, framework)
    assert [(p.code, p.message.split(") ")[1][:40]) for p in report.errors] == [
        ("broken-name", "holds a value or a formula, not a cell, ")]


# --------------------------------------------------------------------------
# Rows moved under the names


def test_row_deleted_by_a_script_is_caught_by_the_printed_id(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Ratings"].delete_rows(11)  # CAP-1's row; openpyxl leaves the names where they were
    wb.save(sample_xlsx)
    report, response = _report(sample_xlsx, framework)
    mismatches = [p for p in report.errors if p.code == "indicator-row-mismatch"]
    assert [(p.sheet, p.cell) for p in mismatches][:2] == [("Ratings", "D11"), ("Ratings", "D12")]
    assert mismatches[0].message.startswith("The input named rating.CAP_1 is on a row that is labelled CAP-2, not CAP-1:")
    # The last indicator's names now point at the empty row below the table.
    assert mismatches[-1].message.startswith("The input named rating.LRN_2 is on a row that has no indicator ID, not LRN-2:")
    assert len(mismatches) == 30 - 11 + 1  # CAP-1 (row 11) to LRN-2 (row 30)
    assert response.answers == {}  # no answer is taken from the wrong row


def test_inserted_row_is_caught_too(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Ratings"].insert_rows(20)
    wb.save(sample_xlsx)
    report, _ = _report(sample_xlsx, framework)
    first = next(p for p in report.errors if p.code == "indicator-row-mismatch")
    assert (first.sheet, first.cell) == ("Ratings", "D20")
    assert "has no indicator ID, not" in first.message


# --------------------------------------------------------------------------
# --baseline and --framework files


def _scores_json(sample_xlsx) -> dict:
    result = run("score", "--json", sample_xlsx)
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_scores_json_with_a_byte_order_mark_is_read(sample_xlsx, framework, tmp_path):
    doc = _scores_json(sample_xlsx)
    path = tmp_path / "scores.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode("utf-8"))
    earlier = load_baseline(path, framework)
    assert earlier.scores == {c["id"]: c["score"] for c in doc["conditions"]}
    assert earlier.place == "City of Riverbend"


@pytest.mark.parametrize("content, what", [
    ("[" * 100_000 + "]" * 100_000, "nested far deeper than a scores.json"),
    ('{"conditions": [{"id": "LEAD", "score": ' + "9" * 5000 + "}]}", "a number with thousands of digits"),
])
def test_hostile_baseline_is_one_line_exit_2(sample_xlsx, tmp_path, content, what):
    path = tmp_path / "scores.json"
    path.write_text(content, encoding="utf-8")
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--baseline", path)
    assert result.exit_code == 2
    # The workbook's own warnings come first; then the one error line.
    line = _one_line("\n".join(x for x in result.stderr.splitlines() if not x.startswith("warning:")))
    assert line == (f"Error: {path}: is not the scores.json of a readydocs build ({what}). "
                    "Give the scores.json from an earlier build's folder, or the earlier intake workbook.")
    assert "Traceback" not in result.output
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_deep_framework_toml_is_one_line(tmp_path):
    fw = tmp_path / "deep.toml"
    fw.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="nested far deeper than a framework needs") as info:
        load_framework(fw)
    assert info.value.file == str(fw)


def test_framework_that_is_not_a_regular_file_or_too_large(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * MAX_FRAMEWORK_BYTES)
    with pytest.raises(FrameworkError, match="is larger than the 1 MB limit"):
        load_framework(big)
    with pytest.raises(FrameworkError, match=r"is not a regular file \(a device, pipe or socket\)"):
        load_framework(Path("/dev/zero"))


# --------------------------------------------------------------------------
# The logo


PNG_HEAD = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("value", ["\\\\server\\share\\logo.png", "//server/share/logo.png", "https://example.org/logo.png",
                                   "file:///etc/passwd", " \"http://example.org/x.png\" "])
def test_logo_cell_naming_a_url_or_network_path_is_refused(sample_xlsx, framework, value):
    set_named_cells(sample_xlsx, {"profile.logo_file": value})
    report, _ = _report(sample_xlsx, framework)
    assert [p for p in report.flat() if p[2].startswith("logo")] == [("Profile", "B8", "logo-not-local")]


def test_windows_drive_path_is_not_taken_for_a_url(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"profile.logo_file": "C:\\logos\\seal.png"})
    report, _ = _report(sample_xlsx, framework)
    assert [p for p in report.flat() if p[2].startswith("logo")] == [("Profile", "B8", "logo-not-found")]


def test_logo_cell_naming_dev_zero_is_refused_at_once(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"profile.logo_file": "/dev/zero"})
    report, _ = _report(sample_xlsx, framework)
    logo = [p for p in report.errors if p.code.startswith("logo")]
    assert [(p.sheet, p.cell, p.code) for p in logo] == [("Profile", "B8", "logo-not-found")]
    assert "is not a regular file (a device, pipe or socket)" in logo[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_logo_that_is_a_named_pipe_does_not_hang(sample_xlsx, tmp_path):
    fifo = tmp_path / "logo.png"
    os.mkfifo(fifo)
    set_named_cells(sample_xlsx, {"profile.logo_file": "logo.png"})  # beside the workbook
    # A pipe nobody writes to would block a plain open() forever: the timeout is the test.
    proc = subprocess.run([sys.executable, "-m", "readydocs", "validate", str(sample_xlsx)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "sheet Profile, cell B8: Logo file 'logo.png' is not a regular file (a device, pipe or socket)" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "readydocs", "build", str(sample_xlsx), "-o", str(tmp_path / "out"),
                           "--logo", str(fifo)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"Error: --logo: the logo file {fifo} is not a regular file (a device, pipe or socket)." in proc.stderr


def test_logo_past_the_size_cap_is_refused_without_reading_it_all(sample_xlsx, framework, tmp_path):
    from readydocs.branding import MAX_LOGO_BYTES

    big = tmp_path / "big.png"
    with big.open("wb") as fh:
        fh.write(PNG_HEAD)
        fh.truncate(MAX_LOGO_BYTES + 1)
    set_named_cells(sample_xlsx, {"profile.logo_file": str(big)})
    report, _ = _report(sample_xlsx, framework)
    logo = [p for p in report.errors if p.code.startswith("logo")]
    assert [(p.cell, p.code) for p in logo] == [("B8", "logo-not-found")]
    assert "is larger than the 5 MB limit for a logo" in logo[0].message
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--logo", "/dev/zero")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == ("Error: --logo: the logo file /dev/zero is not a regular file (a device, pipe or socket). "
                                        "Check the path.")


# --------------------------------------------------------------------------
# CSV and map files: a CSV of respondents, a survey export and its map


def _survey_template(tmp_path) -> tuple[Path, Path]:
    assert run("survey-template", "-o", tmp_path / "tpl").exit_code == 0
    return tmp_path / "tpl" / "survey-answers.csv", tmp_path / "tpl" / "survey-map.toml"


def test_respondents_csv_that_is_a_device_is_refused_at_once(sample_xlsx):
    result = run("init", sample_xlsx, "--respondents", "/dev/zero")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == ("Error: /dev/zero: is not a regular file (a device, pipe or socket). "
                                        "Give a CSV file with one line per respondent: name, role, department.")


def test_survey_export_or_map_that_is_a_device_is_refused_at_once(tmp_path):
    answers, survey_map = _survey_template(tmp_path)
    result = run("import-survey", "/dev/zero", "--map", survey_map, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert _one_line(result.stderr).startswith("Error: /dev/zero: is not a regular file (a device, pipe or socket). Give the CSV")
    result = run("import-survey", answers, "--map", "/dev/zero", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == ("Error: /dev/zero: is not a regular file (a device, pipe or socket). "
                                        "Give the map file written by 'readydocs survey-template'.")
    assert not (tmp_path / "out").exists()


def test_respondents_csv_past_its_limit_is_refused(sample_xlsx, tmp_path):
    from readydocs.handout import MAX_CSV_BYTES

    big = tmp_path / "people.csv"
    big.write_bytes(b"Ana Ruiz, Budget office\n" * (MAX_CSV_BYTES // 24 + 1))
    result = run("init", sample_xlsx, "--respondents", big)
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (f"Error: {big}: is larger than the 1 MB limit. "
                                        "Give a CSV file with one line per respondent: name, role, department.")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_csv_and_map_files_that_are_named_pipes_do_not_hang(sample_xlsx, tmp_path):
    answers, survey_map = _survey_template(tmp_path)
    fifo = tmp_path / "people.csv"
    os.mkfifo(fifo)
    # A pipe nobody writes to would block a plain open() forever: the timeout is the test.
    for args in (["init", str(sample_xlsx), "--respondents", str(fifo)],
                 ["import-survey", str(fifo), "--map", str(survey_map), "-o", str(tmp_path / "out")],
                 ["import-survey", str(answers), "--map", str(fifo), "-o", str(tmp_path / "out")]):
        proc = subprocess.run([sys.executable, "-m", "readydocs", *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, (args, proc.stderr)
        assert _one_line(proc.stderr).startswith(f"Error: {fifo}: is not a regular file (a device, pipe or socket). ")


# --------------------------------------------------------------------------
# Other spreadsheet formats


def _strict(src: Path, out: Path) -> Path:
    """A Strict Open XML workbook: Excel's "Strict Open XML Spreadsheet" writes the purl.oclc.org namespaces."""
    transitional = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info).replace(transitional, strict).replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    return out


def test_strict_open_xml_workbook_says_what_it_is_and_how_to_save_it(sample_xlsx, framework, tmp_path):
    path = _strict(sample_xlsx, tmp_path / "strict.xlsx")
    with pytest.raises(UnreadableFileError) as info:
        read_intake(path, framework)
    assert str(info.value) == (f"{path}: is saved as a \"Strict Open XML Spreadsheet\", a variant of .xlsx that readydocs cannot "
                               "read. In Excel choose File > Save As and pick \"Excel Workbook (.xlsx)\" as the file type, "
                               "then give that file.")
    result = run("validate", path)
    assert result.exit_code == 2
    assert "Strict Open XML Spreadsheet" in _one_line(result.stderr)


# --------------------------------------------------------------------------
# check-docs and --json


def test_check_docs_checks_every_file_and_names_the_unreadable_one(tmp_path, sample_xlsx):
    root = Path(__file__).resolve().parents[1] / "templates"
    good = sorted(root.glob("*.docx"))[:2]
    result = run("check-docs", sample_xlsx, good[0], tmp_path / "missing.docx", good[1])
    assert result.exit_code == 2
    assert f"{good[0]}: no accessibility problems found." in result.stdout
    assert f"{good[1]}: no accessibility problems found." in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert [e.split(":")[1].strip() for e in errors] == [str(sample_xlsx), str(tmp_path / "missing.docx")]
    assert "2 of 4 files could not be checked." in result.stderr


@pytest.mark.parametrize("command", ["validate", "score"])
def test_json_output_reports_an_unreadable_file_as_json(command, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("name,rating\n", encoding="utf-8")
    result = run(command, "--json", bad)
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"error": {
        "code": "unreadable-file",
        "message": f"{bad}: is not an Excel .xlsx workbook. Open it in Excel or LibreOffice and save it as .xlsx.",
        "file": str(bad)}}


def test_json_output_reports_a_bad_framework_as_json(sample_xlsx, tmp_path):
    fw = tmp_path / "fw.toml"
    fw.write_text("id = [unclosed", encoding="utf-8")
    result = run("validate", "--json", "--framework", fw, sample_xlsx)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["file"]) == ("framework-unusable", str(fw))


def test_score_json_of_an_invalid_workbook_is_the_json_report(blank_xlsx):
    result = run("score", "--json", blank_xlsx)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["errors"] == len(report["problems"]) - report["warnings"]


def test_name_pointing_below_the_last_stored_row_reads_an_empty_cell(sample_xlsx, framework):
    _retarget(sample_xlsx, "profile.state", "Profile!$B$900")
    report, response = _report(sample_xlsx, framework)
    assert report.errors == []
    assert response.profile.state is None  # the sample's state is not read from its old cell
    _retarget(sample_xlsx, "owner.LEAD_1", "Ratings!$G$1048576")
    report, _ = _report(sample_xlsx, framework)
    assert [(p.sheet, p.cell, p.code) for p in report.errors] == [("Ratings", "G1048576", "indicator-row-mismatch")]


def test_excel_owner_file_beside_a_workbook_is_skipped_with_a_note(sample_xlsx, tmp_path):
    owner = sample_xlsx.with_name("~$" + sample_xlsx.name)
    owner.write_bytes(b"\x0bJane Smith" + b"\x00" * 150)  # what Excel leaves while the workbook is open
    for command in ("validate", "score"):
        result = run(command, owner, sample_xlsx)
        assert result.exit_code == 0, result.output
        assert f"note: skipped {owner}, the owner file Excel keeps while a workbook is open." in result.stderr
    result = run("build", sample_xlsx, owner, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").rglob("*.docx"))) == 3
    alone = run("validate", owner)
    assert alone.exit_code == 2
    assert "only Excel owner files (~$...) were given. Give the workbook itself." in alone.stderr


@pytest.mark.parametrize("name, cell", [("profile.municipality_name", "B4"), ("profile.advocate_name", "B9")])
def test_name_too_long_for_a_document_property_is_an_error_at_its_cell(sample_xlsx, tmp_path, name, cell):
    set_named_cells(sample_xlsx, {name: "X" * 300})
    result = run("build", sample_xlsx, "-o", tmp_path / "out")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {sample_xlsx}, sheet Profile, cell {cell}: ")
    assert "is 300 characters long" in errors[0] and errors[0].endswith("[text-too-long]")
    assert "internal error" not in result.output


def test_longest_allowed_names_build(sample_xlsx, tmp_path):
    import docx

    from readydocs.validate import MAX_PROPERTY_TEXT

    place, advocate = "P" * MAX_PROPERTY_TEXT, "A" * MAX_PROPERTY_TEXT
    set_named_cells(sample_xlsx, {"profile.municipality_name": place, "profile.advocate_name": advocate})
    result = run("build", sample_xlsx, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for path in (tmp_path / "out").rglob("*.docx"):
        props = docx.Document(path).core_properties
        assert props.title.endswith(": " + place) and props.author == advocate
