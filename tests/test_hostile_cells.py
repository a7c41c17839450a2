"""Cells of the wrong kind, and workbooks people have rearranged.

Ratings typed as text, labels, floats or with stray spaces read as meant;
dates, booleans, error values, unknown labels and formulas with no saved
result are errors naming the exact cell. Merged cells, hidden rows and extra
sheets keep working; a renamed or deleted sheet or another framework version
is one clear error.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from readydocs.intake import read_intake
from readydocs.assessment import assess, score_assessment
from readydocs.validate import interpret_rating, validate
from readydocs.workbook import named_cell, set_named_cells


def _report(path, framework):
    return validate(read_intake(path, framework), framework)


def _cell_of(path, name):
    wb = openpyxl.load_workbook(path)
    (sheet, ref), = wb.defined_names[name].destinations
    return sheet, ref.replace("$", "")


@pytest.mark.parametrize("value,expected", [
    (3, ("rating", 3)), (3.0, ("rating", 3)), ("3", ("rating", 3)), (" 3 ", ("rating", 3)), ("3.0", ("rating", 3)),
    ("3 - Partly in place", ("rating", 3)), ("  3  -  Partly   in place ", ("rating", 3)), ("3 \u2013 partly in place", ("rating", 3)),
    ("3: Partly in place", ("rating", 3)), ("Partly in place", ("rating", 3)), ("PARTLY IN PLACE", ("rating", 3)),
    ("1 - Not in place", ("rating", 1)), (4, ("rating", 4)), ("Don't know", ("dont-know", None)),
    ("don\u2019t know", ("dont-know", None)), (None, ("blank", None)), ("   ", ("blank", None)), ("", ("blank", None)),
    (0, ("invalid", None)), (5, ("invalid", None)), (3.5, ("invalid", None)), (-1, ("invalid", None)),
    ("3 - Fully in place", ("invalid", None)), ("Mostly", ("invalid", None)), ("three", ("invalid", None)),
    (True, ("invalid", None)), (False, ("invalid", None)), (dt.datetime(2026, 1, 3), ("invalid", None)),
    (dt.date(2026, 1, 3), ("invalid", None)), (dt.time(3, 0), ("invalid", None)), ("=3", ("invalid", None)),
    ("{{ 3 }}", ("invalid", None)),
])
def test_interpret_rating(framework, value, expected):
    assert interpret_rating(value, framework) == expected


@pytest.mark.parametrize("value", [3, 3.0, "3", " 3 ", "3 - Partly in place", "Partly in place", " partly in place "])
def test_rating_typed_any_usual_way_reads_as_meant(sample_xlsx, framework, value):
    set_named_cells(sample_xlsx, {"rating.LEAD_2": value})
    report, response = _report(sample_xlsx, framework)
    assert report.errors == []
    assert response.answers["LEAD-2"] == 3


def test_wrong_kinds_of_rating_are_errors_at_their_cells(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)

    def put(name, value):
        named_cell(wb, name).value = value

    put("rating.LEAD_1", dt.datetime(2026, 3, 3))
    put("rating.LEAD_2", True)
    put("rating.LEAD_3", "#N/A")
    put("rating.LEAD_4", "Mostly there")
    put("rating.PART_1", "=1+2")  # a formula with no saved result
    put("rating.PART_2", 7)
    put("rating.PART_3", None)
    put("rating.CAP_1", "#DIV/0!")
    wb.save(sample_xlsx)
    report, _ = _report(sample_xlsx, framework)
    got = sorted((s, c, code) for s, c, code in report.flat() if code not in ("dont-know", "low-rating-without-evidence"))
    expected = sorted([
        ("Ratings", "D4", "invalid-rating"),
        ("Ratings", "D5", "invalid-rating"),
        ("Ratings", "D6", "error-value"),
        ("Ratings", "D7", "invalid-rating"),
        (*_cell_of(sample_xlsx, "rating.PART_1"), "formula-without-value"),
        (*_cell_of(sample_xlsx, "rating.PART_2"), "invalid-rating"),
        (*_cell_of(sample_xlsx, "rating.PART_3"), "missing-rating"),
        (*_cell_of(sample_xlsx, "rating.CAP_1"), "error-value"),
    ])
    assert got == expected
    by_cell = {p.cell: p for p in report.errors}
    assert "2026-03-03" in by_cell["D4"].message and "Choose one of: 1 - Not in place;" in by_cell["D4"].message
    assert "'TRUE' is not on the rating scale" in by_cell["D5"].message
    assert "#N/A" in by_cell["D6"].message and "a rating from the dropdown" in by_cell["D6"].message
    assert "'Mostly there' is not on the rating scale" in by_cell["D7"].message
    assert "formula with no saved result" in by_cell[_cell_of(sample_xlsx, "rating.PART_1")[1]].message


def test_wrong_kinds_in_profile_cells(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {
        "profile.assessment_date": "next Tuesday",
        "profile.target_launch_date": True,
        "profile.municipality_name": "#REF!",
        "profile.state": 42.0,
        "profile.advocate_title": dt.datetime(2026, 5, 1),
    })
    report, response = _report(sample_xlsx, framework)
    assert sorted(report.flat()) == sorted([
        ("Profile", "B17", "invalid-date"),
        ("Profile", _cell_of(sample_xlsx, "profile.target_launch_date")[1], "invalid-date"),
        ("Profile", "B4", "error-value"),
        ("Ratings", "D18", "dont-know"),
    ])
    # Numbers and dates typed into text fields keep what was typed.
    assert response.profile.state == "42"
    assert response.profile.advocate_title == "2026-05-01"


def test_formula_with_saved_value_reads_the_value(sample_xlsx, framework, tmp_path):
    """A formula cell saved by a spreadsheet program carries its result, which is what is read."""
    import zipfile

    set_named_cells(sample_xlsx, {"rating.LEAD_2": "=1+2"})
    patched = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(sample_xlsx) as zin, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":
                assert b"<f>1+2</f><v></v>" in data or b"<f>1+2</f><v/>" in data
                data = data.replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>").replace(b"<f>1+2</f><v/>", b"<f>1+2</f><v>3</v>")
            zout.writestr(info.filename, data)
    report, response = _report(patched, framework)
    assert report.errors == []
    assert response.answers["LEAD-2"] == 3


def test_merged_cells_hidden_rows_and_extra_sheets_keep_working(sample_xlsx, framework):
    before = score_assessment(assess([sample_xlsx], framework))
    wb = openpyxl.load_workbook(sample_xlsx)
    ws = wb["Ratings"]
    ws.merge_cells("E4:F4")  # evidence merged over the next-step cell: Excel keeps the upper-left text
    ws.merge_cells("A1:C1")
    for r in (5, 6, 7):
        ws.row_dimensions[r].hidden = True
    wb["Profile"].row_dimensions[4].hidden = True
    wb.create_sheet("Our notes").append(["anything", 1, dt.date(2026, 1, 1)])
    wb.create_sheet("Copy of Ratings", 0)
    wb.move_sheet("Ratings", offset=2)
    wb.save(sample_xlsx)
    report, response = _report(sample_xlsx, framework)
    assert report.errors == []
    assert response.rows["LEAD-1"].evidence
    assert response.rows["LEAD-1"].next_step is None
    assert response.profile.municipality_name == "City of Riverbend"
    intake = read_intake(sample_xlsx, framework)
    assert intake.ratings["LEAD-2"]["rating"].hidden is True
    assert score_assessment(assess([sample_xlsx], framework)) == before


def test_renamed_required_sheet_is_one_clear_error(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Ratings"].title = "Ratings (old)"
    wb.save(sample_xlsx)
    report, _ = _report(sample_xlsx, framework)
    assert report.flat() == [("Ratings", None, "missing-sheet")]
    assert "rename the sheet back to 'Ratings'" in report.errors[0].message


def test_renamed_sheet_with_names_following_it_is_one_clear_error(sample_xlsx, framework):
    """Excel updates defined names when a sheet is renamed; the sheet is still reported, once."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Profile"].title = "Profil"
    for dn in list(wb.defined_names.values()):
        dn.attr_text = dn.attr_text.replace("Profile!", "Profil!")
    wb.save(sample_xlsx)
    report, _ = _report(sample_xlsx, framework)
    assert report.flat() == [("Profile", None, "missing-sheet")]


def test_deleted_required_sheet_is_one_clear_error(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)
    del wb["Profile"]
    wb.save(sample_xlsx)
    report, _ = _report(sample_xlsx, framework)
    assert report.flat() == [("Profile", None, "missing-sheet")]


def test_other_framework_version_is_one_clear_error(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"meta.framework_version": "0.9"})
    report, _ = _report(sample_xlsx, framework)
    assert report.flat() == [("Instructions", "C31", "framework-version-mismatch")]
    assert "version 0.9" in report.errors[0].message and "version 1.0" in report.errors[0].message


def test_other_framework_is_one_clear_error(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"meta.framework_id": "housing-readiness"})
    report, _ = _report(sample_xlsx, framework)
    assert [code for _, _, code in report.flat()] == ["framework-mismatch"]


def test_missing_framework_names_is_one_clear_error(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)
    del wb.defined_names["meta.framework_id"]
    wb.save(sample_xlsx)
    report, _ = _report(sample_xlsx, framework)
    assert report.flat() == [("Instructions", None, "missing-framework-id")]


def test_control_characters_are_removed_with_a_warning_naming_the_cell(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {
        "profile.organization_name": "Office_x0001_ of_x001F_ Mobility",
        "evidence.LEAD_3": "Budget line_x000B_approved",
        "next_step.LEAD_3": "Tab\tkept",
    })
    report, response = _report(sample_xlsx, framework)
    warnings = [(s, c, code) for s, c, code in report.flat() if code == "control-characters"]
    assert warnings == [("Profile", _cell_of(sample_xlsx, "profile.organization_name")[1], "control-characters")]
    assert response.profile.organization_name == "Office of Mobility"
    assert response.rows["LEAD-3"].evidence == "Budget line\napproved"  # a vertical tab is Excel's line break
    assert response.rows["LEAD-3"].next_step == "Tab\tkept"
