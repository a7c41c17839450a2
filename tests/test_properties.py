"""Property-based tests: any value in any input cell gives a report or one of our errors, never a crash,
and every document built from such a workbook opens.

The examples add up to well over 500 per run of `make test`: many cheap
validate-only examples, fewer full builds.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readydocs.cli import cli
from readydocs.errors import ReadydocsError
from readydocs.form import (
    FORM_VERSION, NAME_FORM_VERSION, NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, PROFILE_FIELDS, RATING_INPUTS, indicator_name,
)
from readydocs.framework import load_framework
from readydocs.assessment import assess
from readydocs.pipeline import build
from readydocs.validate import clean_text
from readydocs.workbook import named_cell

FRAMEWORK = load_framework()
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "sample-intake.xlsx"
INPUT_NAMES = [f.name for f in PROFILE_FIELDS] + [indicator_name(k, i.id) for i in FRAMEWORK.indicators for k in RATING_INPUTS]
# Free text only: the logo cell names a file, so arbitrary text there is rightly an
# error (logo-not-found); test_branding covers it, and the validate-only property
# below still puts any value in it.
TEXT_NAMES = [f.name for f in PROFILE_FIELDS if f.kind != "date" and f.key != "logo_file"] + [
    indicator_name(k, i.id) for i in FRAMEWORK.indicators for k in ("evidence", "next_step", "owner")]
DATE_NAMES = [f.name for f in PROFILE_FIELDS if f.kind == "date"] + [indicator_name("due", i.id) for i in FRAMEWORK.indicators]
RATING_NAMES = [indicator_name("rating", i.id) for i in FRAMEWORK.indicators]
CODE = re.compile(r"^[a-z]+(-[a-z]+)*$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Any text a person could get into a cell: every plane, controls included, no lone surrogates
# (a workbook cannot hold them), up to Excel's 32,767 characters.
any_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(list("&<>\"';{}%#=+-@_x0B \t\n\r") + ["\x0b", "\x01", "\x1f", "\u2028", "\u202e", "\u0301",
                                                                   "\U0001F600", "\u05d0", "{{", "}}", "{%", "%}", "_x000B_"]),
             max_size=30).map("".join),
    st.builds(lambda c: c * 32767, st.sampled_from(["x", "&", "\u05d0"])),  # Excel's longest cell
)
any_value = st.one_of(
    st.none(), any_text, st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(), st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?"]),
    st.sampled_from(["=1+2", "=A1", "=NOW()", "=1/0"]),
    st.sampled_from(FRAMEWORK.scale.choices + [" 3 ", "3.0", "Partly in place", "4 \u2013 fully in place"]),
    st.sampled_from([1, 2, 3, 4, 1.0, 4.0]),
)
META = {NAME_FRAMEWORK_ID: FRAMEWORK.id, NAME_FRAMEWORK_VERSION: FRAMEWORK.version, NAME_FORM_VERSION: FORM_VERSION}


def _store(cell, value) -> None:
    """Put a value in a cell the way Excel stores it."""
    if isinstance(value, str) and value.startswith("=") and value in ("=1+2", "=A1", "=NOW()", "=1/0"):
        cell.value = value  # a real formula, saved with no cached result
        return
    if isinstance(value, str) and value in ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?"):
        cell.value = value  # openpyxl stores these as error values
        return
    if isinstance(value, str):
        # Excel writes characters XML cannot hold as _xHHHH_ escapes.
        value = _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
        cell.value = value
        cell.data_type = "s"  # typed text, even when it starts with "="
        return
    cell.value = value


_sample = openpyxl.load_workbook(SAMPLE)
BASE = {name: named_cell(_sample, name).value for name in INPUT_NAMES + list(META)}
del _sample


class Workbooks:
    """One workbook object, refilled per example and saved to a fresh file."""

    def __init__(self, folder: Path):
        self.wb = openpyxl.load_workbook(SAMPLE)
        self.cells = {name: named_cell(self.wb, name)
                      for name in INPUT_NAMES + [NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, NAME_FORM_VERSION]}
        self.formats = {name: cell.number_format for name, cell in self.cells.items()}
        self.dir = folder
        self.n = 0

    def make(self, values: dict[str, object]) -> Path:
        """Every input cell not given is set to a fixed valid value, so no example leaks into the next."""
        for name, value in {**BASE, **values}.items():
            # A date sets the cell's number format, and a number in a date-formatted cell reads as a date
            # (in Excel too): restore the form's format so no example inherits one from the last.
            self.cells[name].number_format = self.formats[name]
            _store(self.cells[name], value)
        self.n += 1
        path = self.dir / f"wb{self.n}.xlsx"
        self.wb.save(path)
        return path


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    return Workbooks(tmp_path_factory.mktemp("props"))


def _check_report(report) -> None:
    for p in report.problems:
        assert CODE.match(p.code), p.code
        assert p.severity in ("error", "warning")
        line = p.line()
        assert len(line.splitlines()) == 1, line
        assert p.sheet in (None, "Instructions", "Profile", "Ratings")


@settings(max_examples=350, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({name: any_value for name in INPUT_NAMES}),
       meta=st.fixed_dictionaries({name: st.one_of(st.just(v), st.just(v), st.just(v), any_value) for name, v in META.items()}))
def test_any_values_in_any_cells_validate_without_crashing(workbooks, values, meta):
    path = workbooks.make({**values, **meta})
    before = path.read_bytes()
    try:
        assessment = assess([path], FRAMEWORK)
    except ReadydocsError as exc:  # our own, one line
        assert len(str(exc).splitlines()) == 1
        return
    finally:
        assert path.read_bytes() == before
    _check_report(assessment.report)
    # Every cleaned text is something a Word document can hold.
    for response in assessment.responses:
        texts = [v for v in response.profile.as_fields().values() if isinstance(v, str)]
        texts += [v for row in response.rows.values() for v in dataclasses.astuple(row) if isinstance(v, str)]
        for t in texts:
            assert not _XML_ILLEGAL.search(t) and "\r" not in t


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({name: any_value for name in INPUT_NAMES[:12] + RATING_NAMES[:6]}))
def test_cli_validate_gives_exit_0_or_1_and_one_line_per_problem(workbooks, values):
    path = workbooks.make(values)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert all(re.match(r"^(error|warning): |^(valid|not valid): ", line) for line in lines), lines


valid_rating = st.sampled_from(FRAMEWORK.scale.choices + [1, 2, 3, 4, 2.0, "3", " 4 ", "Starting", "fully in place"])
valid_date = st.one_of(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), st.none())
# Text that is exactly an error literal ("#N/A") is read as the error, as Excel does when one is typed.
ERROR_LITERALS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!"}
build_text = st.one_of(st.none(), any_text.filter(lambda t: t not in ERROR_LITERALS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    text=st.fixed_dictionaries({name: build_text for name in TEXT_NAMES}),
    ratings=st.fixed_dictionaries({name: valid_rating for name in RATING_NAMES}),
    dates=st.fixed_dictionaries({name: valid_date for name in DATE_NAMES}),
    place=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80).filter(lambda s: clean_text(s)[0]),
    advocate=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(lambda s: clean_text(s)[0]),
)
def test_any_text_builds_documents_that_open(workbooks, tmp_path_factory, text, ratings, dates, place, advocate):
    values = {**text, **ratings, **dates, "profile.municipality_name": place, "profile.advocate_name": advocate,
              "profile.assessment_date": dates["profile.assessment_date"] or dt.date(2026, 10, 15)}
    path = workbooks.make(values)
    out = tmp_path_factory.mktemp("prop-build")
    try:
        result = build([path], out, FRAMEWORK)
    except ReadydocsError as exc:
        pytest.fail(f"a valid workbook should build: {exc}")
    assert result.assessment.valid, [e.line() for e in result.assessment.report.errors]
    _check_report(result.assessment.report)
    docs = [p for p in result.written if p.suffix == ".docx"]
    assert len(docs) == 3
    shown_place = clean_text(place)[0]
    for p in docs:
        d = docx.Document(p)
        assert d.core_properties.title.endswith(": " + shown_place)
        assert d.core_properties.author == clean_text(advocate)[0]
    report = docx.Document(out / result.out_dir.name / "readiness-report.docx")
    assert shown_place in [para.text for para in report.paragraphs]
    assert result.out_dir.parent == out and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", result.out_dir.name)
