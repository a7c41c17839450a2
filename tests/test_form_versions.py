"""Forms that evolve: optional inputs a workbook lacks read as blank; its form version is checked.

A build needs the meta names, the required profile fields and every
indicator's rating; any other defined name may be missing (an older form, or
a name deleted in Excel's Name Manager) and reads as blank, with a warning
when the workbook's own form version should have had it. A workbook of a form
version this readydocs does not read is one error at the version cell.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from readydocs import form
from readydocs.cli import cli
from readydocs.intake import read_intake
from readydocs.validate import validate
from readydocs.workbook import named_cell

# Where write_intake puts meta.form_version (checked below, not assumed).
FORM_VERSION_CELL = ("Instructions", "C32")


def _edit(path: Path, delete: tuple[str, ...] = (), values: dict[str, object] | None = None) -> Path:
    """Delete defined names and set cells by name, as Excel's Name Manager or another program would."""
    wb = openpyxl.load_workbook(path)
    for name, value in (values or {}).items():
        named_cell(wb, name).value = value
    for name in delete:
        del wb.defined_names[name]
    wb.save(path)
    return path


def _check(path, framework):
    return validate(read_intake(path, framework), framework)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def test_the_form_version_cell_is_where_the_tests_look(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    (sheet, ref), = wb.defined_names[form.NAME_FORM_VERSION].destinations
    assert (sheet, ref.replace("$", "")) == FORM_VERSION_CELL
    assert wb[sheet][ref.replace("$", "")].value == "1"


def test_required_inputs_are_the_meta_names_required_fields_and_ratings(framework):
    inputs = form.named_inputs(ind.id for ind in framework.indicators)
    required = {i.name for i in inputs if i.required}
    ratings = {form.indicator_name("rating", ind.id) for ind in framework.indicators}
    assert required == set(form.META_NAMES) | {"profile.municipality_name", "profile.advocate_name", "profile.assessment_date"} | ratings
    # 3 meta + 22 profile + 27 indicators x 5 inputs, as docs/workbook.md counts them
    assert len(inputs) == 3 + 22 + 27 * 5
    assert len(required) == 3 + 3 + 27


def test_a_deleted_optional_profile_name_reads_blank_with_a_warning(sample_xlsx, framework):
    _edit(sample_xlsx, delete=("profile.sponsor_name",))
    report, response = _check(sample_xlsx, framework)
    assert report.errors == []
    missing = [p for p in report.problems if p.code == "missing-optional-input"]
    assert [(p.sheet, p.cell, p.severity) for p in missing] == [("Profile", None, "warning")]
    assert "profile.sponsor_name, so that field reads as blank" in missing[0].message
    assert response.profile.sponsor_name is None
    assert response.profile.sponsor_title == "City Manager"


def test_a_workbook_without_the_sponsor_name_builds_a_memo_from_the_advocate(sample_xlsx, tmp_path):
    _edit(sample_xlsx, delete=("profile.sponsor_name",))
    result = run("build", sample_xlsx, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    memo = _docx_text(tmp_path / "out" / "city-of-riverbend" / "internal-launch-memo.docx")
    assert "Marcus Oyelaran" not in memo
    (sender,) = [line for line in memo.splitlines() if line.startswith("From:")]
    assert sender.startswith("From: Dana Whitfield, Senior Policy Analyst, Office of the City Manager")


def test_deleted_optional_rating_inputs_read_blank_and_are_listed_once(sample_xlsx, framework):
    before, kept = _check(sample_xlsx, framework)
    assert kept.rows["LEAD-1"].evidence.startswith("The mayor backed the process")
    _edit(sample_xlsx, delete=("evidence.LEAD_1", "owner.CAP_2", "due.CAP_2"))
    report, response = _check(sample_xlsx, framework)
    assert report.errors == []
    missing = [p for p in report.problems if p.code == "missing-optional-input"]
    assert [(p.sheet, p.cell) for p in missing] == [("Ratings", None)]
    assert "no input cell named evidence.LEAD_1, owner.CAP_2, due.CAP_2, so those fields read as blank" in missing[0].message
    assert response.rows["LEAD-1"].evidence is None
    assert (response.rows["CAP-2"].owner, response.rows["CAP-2"].due) == (None, None)
    assert response.answers == kept.answers
    # every other problem is as before
    assert [p for p in report.problems if p.code != "missing-optional-input"] == before.problems


def test_more_than_five_missing_names_are_counted(sample_xlsx, framework):
    names = tuple(form.indicator_name("next_step", ind.id) for ind in framework.indicators[:7])
    _edit(sample_xlsx, delete=names)
    report, _ = _check(sample_xlsx, framework)
    (missing,) = [p for p in report.problems if p.code == "missing-optional-input"]
    assert f"named {', '.join(names[:5])} and 2 more, so those fields read as blank" in missing.message


def test_a_deleted_rating_name_is_an_error_a_build_stops_on(sample_xlsx):
    _edit(sample_xlsx, delete=("rating.LEAD_1",))
    result = run("validate", sample_xlsx)
    assert result.exit_code == 1
    assert (f"error: {sample_xlsx}, sheet Ratings: The workbook has no input cell named rating.LEAD_1, which a build needs. "
            "Copy your answers into a fresh workbook from 'readydocs init'. [missing-input]") in result.output.splitlines()


def test_a_deleted_required_profile_name_is_an_error(sample_xlsx, framework):
    _edit(sample_xlsx, delete=("profile.assessment_date", "profile.state"))
    report, _ = _check(sample_xlsx, framework)
    assert [(p.sheet, p.cell, p.code) for p in report.errors] == [("Profile", None, "missing-input")]
    assert "named profile.assessment_date, which a build needs" in report.errors[0].message
    assert "profile.state" not in report.errors[0].message
    assert [p.code for p in report.warnings if "profile.state" in p.message] == ["missing-optional-input"]


@pytest.mark.parametrize("value", ["1", 1, 1.0, " 1 ", "1.0"])
def test_the_current_form_version_written_any_usual_way_is_read(sample_xlsx, framework, value):
    before, _ = _check(sample_xlsx, framework)
    _edit(sample_xlsx, values={form.NAME_FORM_VERSION: value})
    report, _ = _check(sample_xlsx, framework)
    assert report.problems == before.problems


def test_form_version_0_is_refused_as_too_old(sample_xlsx, framework):
    _edit(sample_xlsx, values={form.NAME_FORM_VERSION: "0"})
    report, response = _check(sample_xlsx, framework)
    assert report.flat() == [(*FORM_VERSION_CELL, "form-too-old")]
    assert report.errors[0].message == (
        "This workbook is form version 0, older than any this readydocs reads (it reads form version 1). "
        "Copy the answers into a fresh workbook from 'readydocs init'.")
    assert response.answers == {}


def test_a_future_form_version_is_refused_on_one_line(sample_xlsx, tmp_path):
    _edit(sample_xlsx, values={form.NAME_FORM_VERSION: "2"})
    result = run("build", sample_xlsx, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (f"error: {sample_xlsx}, sheet Instructions, cell C32: This workbook is form version 2, from a newer readydocs; "
            "this one reads form version 1. Install the newer readydocs, or copy the answers into a fresh workbook "
            "from 'readydocs init'. [form-too-new]") in result.output.splitlines()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))


@pytest.mark.parametrize("value, held", [("two", "holds 'two', not a version number"), (None, "is blank"),
                                         ("1.5", "holds '1.5', not a version number"), (-1, "holds '-1', not a version number")])
def test_a_form_version_that_is_not_a_number_is_an_error_at_its_cell(sample_xlsx, framework, value, held):
    _edit(sample_xlsx, values={form.NAME_FORM_VERSION: value})
    report, _ = _check(sample_xlsx, framework)
    assert report.flat() == [(*FORM_VERSION_CELL, "missing-form-version")]
    assert report.errors[0].message.startswith(f"The form version cell {held}. Set it back")


def test_a_deleted_form_version_name_is_one_error(sample_xlsx, framework):
    _edit(sample_xlsx, delete=(form.NAME_FORM_VERSION,))
    report, _ = _check(sample_xlsx, framework)
    assert report.flat() == [("Instructions", None, "missing-form-version")]
    assert "no cell named meta.form_version" in report.errors[0].message


def test_the_form_version_is_checked_before_the_framework(sample_xlsx, framework):
    _edit(sample_xlsx, values={form.NAME_FORM_VERSION: "3", form.NAME_FRAMEWORK_ID: "housing-readiness"})
    report, _ = _check(sample_xlsx, framework)
    assert [code for _, _, code in report.flat()] == ["form-too-new"]


@pytest.fixture
def form_2_adds_sponsor_name(monkeypatch):
    """As if form version 2 had added the sponsor's name (optional) to a form 1 without it."""
    fields = tuple(dataclasses.replace(f, since=2) if f.key == "sponsor_name" else f for f in form.PROFILE_FIELDS)
    monkeypatch.setattr(form, "PROFILE_FIELDS", fields)
    monkeypatch.setattr(form, "FORM_VERSION", 2)
    import readydocs.validate

    monkeypatch.setattr(readydocs.validate, "FORM_VERSION", 2)


def test_an_older_form_without_a_newer_field_reads_it_blank_without_a_warning(sample_xlsx, framework, form_2_adds_sponsor_name):
    before, _ = _check(sample_xlsx, framework)
    _edit(sample_xlsx, delete=("profile.sponsor_name",))  # the workbook says form 1
    report, response = _check(sample_xlsx, framework)
    assert report.problems == before.problems
    assert response.profile.sponsor_name is None


def test_a_workbook_of_the_form_that_added_a_field_is_warned_when_it_lacks_it(sample_xlsx, framework, form_2_adds_sponsor_name):
    _edit(sample_xlsx, delete=("profile.sponsor_name",), values={form.NAME_FORM_VERSION: "2"})
    report, _ = _check(sample_xlsx, framework)
    assert [(p.sheet, p.code) for p in report.problems if "sponsor_name" in p.message] == [("Profile", "missing-optional-input")]
    assert report.errors == []
