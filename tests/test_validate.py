"""Each validation code with the exact sheet and cell it reports."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from readydocs.intake import read_intake
from readydocs.validate import interpret_rating, validate
from readydocs.workbook import set_named_cells



def check(path, framework):
    report, response = validate(read_intake(path, framework), framework)
    return report, response


def test_sample_is_valid_with_one_dont_know_warning(sample_xlsx, framework):
    report, response = check(sample_xlsx, framework)
    assert report.valid
    assert report.flat() == [("Ratings", "D18", "dont-know")]
    assert response.answers["STAFF-2"] is None
    assert response.answers["CAP-3"] == 1
    assert response.profile.municipality_name == "City of Riverbend"
    assert response.profile.assessment_date == dt.date(2026, 10, 15)


def test_blank_workbook_names_every_empty_rating_cell(blank_xlsx, framework):
    report, _ = check(blank_xlsx, framework)
    assert not report.valid
    expected = [("Profile", "B4", "missing-value"), ("Profile", "B9", "missing-value"), ("Profile", "B17", "missing-value")]
    # 27 indicators on rows 4-30 of the Ratings sheet, rating in column D.
    expected += [("Ratings", f"D{row}", "missing-rating") for row in range(4, 31)]
    assert report.flat() == expected
    assert all(p.severity == "error" for p in report.problems)


@pytest.mark.parametrize("value, expected", [
    (3, ("rating", 3)), (3.0, ("rating", 3)), ("3", ("rating", 3)), ("  3 ", ("rating", 3)),
    ("3 - Partly in place", ("rating", 3)), ("3 -  partly in PLACE ", ("rating", 3)), ("Partly in place", ("rating", 3)),
    ("3.0", ("rating", 3)), ("Don't know", ("dont-know", None)), ("don\u2019t know", ("dont-know", None)),
    (None, ("blank", None)), ("   ", ("blank", None)),
    (5, ("invalid", None)), (0, ("invalid", None)), (2.5, ("invalid", None)), (True, ("invalid", None)),
    (dt.datetime(2026, 1, 3), ("invalid", None)), ("3 - Fully in place", ("invalid", None)), ("maybe", ("invalid", None)),
])
def test_interpret_rating(framework, value, expected):
    assert interpret_rating(value, framework) == expected


def test_rating_errors_and_warnings_point_at_their_cells(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {
        "rating.LEAD_1": 7,                    # D4: out of scale
        "rating.LEAD_2": "probably",           # D5: unknown label
        "rating.PART_1": None,                 # D8: blank
        "rating.CAP_1": "1 - Not in place",    # D11: low rating ...
        "evidence.CAP_1": None,                # ... with no evidence note -> warning on E11
        "rating.CULT_1": dt.datetime(2026, 3, 1),  # D14: a date
        "rating.CULT_2": True,                 # D15: a boolean
        "profile.municipality_name": "   ",   # B4: blank after trimming
        "profile.advocate_email": "not-an-email",  # B11
        "profile.target_launch_date": dt.datetime(2026, 1, 1),  # B18: before the assessment date
    })
    report, _ = check(sample_xlsx, framework)
    assert sorted(report.flat(), key=str) == sorted([
        ("Profile", "B4", "missing-value"),
        ("Profile", "B11", "invalid-email"),
        ("Profile", "B18", "launch-before-assessment"),
        ("Ratings", "D4", "invalid-rating"),
        ("Ratings", "D5", "invalid-rating"),
        ("Ratings", "D8", "missing-rating"),
        ("Ratings", "E11", "low-rating-without-evidence"),
        ("Ratings", "D14", "invalid-rating"),
        ("Ratings", "D15", "invalid-rating"),
        ("Ratings", "D18", "dont-know"),
    ], key=str)
    severities = {p.code: p.severity for p in report.problems}
    assert severities["launch-before-assessment"] == "warning"
    assert severities["invalid-rating"] == "error"
    msg = next(p.message for p in report.problems if p.cell == "D5")
    assert "'probably' is not on the rating scale" in msg and "4 - Fully in place" in msg


def test_workbook_from_another_framework_is_one_error(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"meta.framework_id": "other-instrument"})
    report, _ = check(sample_xlsx, framework)
    assert report.flat() == [("Instructions", "C30", "framework-mismatch")]


def test_workbook_from_another_framework_version(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"meta.framework_version": "0.9"})
    report, _ = check(sample_xlsx, framework)
    assert report.flat() == [("Instructions", "C31", "framework-version-mismatch")]
    assert "version 0.9" in report.problems[0].message


def test_missing_required_sheet(sample_xlsx, framework):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["Ratings"].title = "My ratings"
    wb.save(sample_xlsx)
    report, _ = check(sample_xlsx, framework)
    assert ("Ratings", None, "missing-sheet") in report.flat()
    assert not report.valid


def test_date_typed_as_text_is_read_and_nonsense_is_an_error(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"profile.assessment_date": "2026-10-15", "profile.target_launch_date": "next spring"})
    report, response = check(sample_xlsx, framework)
    assert response.profile.assessment_date == dt.date(2026, 10, 15)
    assert ("Profile", "B18", "invalid-date") in report.flat()


def test_text_keeps_what_was_typed(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"evidence.LEAD_1": "Line one\nLine two & <three>", "profile.state": 55})
    _, response = check(sample_xlsx, framework)
    assert response.rows["LEAD-1"].evidence == "Line one\nLine two & <three>"
    assert response.profile.state == "55"


def test_fewer_than_half_rated_warns_once_on_the_ratings_sheet(sample_xlsx, framework):
    # The sample answers STAFF-2 "Don't know"; 12 more leave 14 of 27 rated, more than half: no warning.
    # One more leaves 13 of 27, fewer than half.
    ids = [i.id for i in framework.indicators]
    set_named_cells(sample_xlsx, {f"rating.{i.replace('-', '_')}": "Don't know" for i in ids[:12]})
    report, _ = check(sample_xlsx, framework)
    assert not [p for p in report.problems if p.code == "few-ratings"]
    set_named_cells(sample_xlsx, {f"rating.{ids[12].replace('-', '_')}": "Don't know"})
    report, _ = check(sample_xlsx, framework)
    few = [p for p in report.problems if p.code == "few-ratings"]
    assert [(p.sheet, p.cell, p.severity) for p in few] == [("Ratings", None, "warning")]
    assert few[0].message.startswith("Only 13 of 27 indicators have a rating;")


def test_no_sponsor_warns_at_the_sponsor_cell(sample_xlsx, framework):
    set_named_cells(sample_xlsx, {"profile.sponsor_name": None, "profile.sponsor_title": None})
    report, _ = check(sample_xlsx, framework)
    assert ("Profile", "B12", "no-sponsor") in report.flat()
    assert report.valid  # a warning: the memo then goes out from the advocate
