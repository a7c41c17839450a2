"""The intake workbook as written by workbook.write_intake, read back with openpyxl."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import openpyxl
import pytest

from readydocs import form
from readydocs.framework import load_framework
from readydocs.sample import (
    DONT_KNOW,
    SAMPLE_EVIDENCE,
    SAMPLE_FOLLOW_UP,
    SAMPLE_PROFILE,
    SAMPLE_RATINGS,
)
from readydocs.errors import WriteError
from readydocs.workbook import SHEET_LISTS, write_intake


@pytest.fixture(scope="module")
def sample_path(framework, tmp_path_factory) -> Path:
    return write_intake(tmp_path_factory.mktemp("sample") / "sample-intake.xlsx", framework, sample=True)


@pytest.fixture(scope="module")
def blank_path(framework, tmp_path_factory) -> Path:
    return write_intake(tmp_path_factory.mktemp("blank") / "intake.xlsx", framework)


@pytest.fixture(scope="module")
def sample_wb(sample_path):
    return openpyxl.load_workbook(sample_path)


@pytest.fixture(scope="module")
def blank_wb(blank_path):
    return openpyxl.load_workbook(blank_path)


def expected_names(framework) -> dict[str, str]:
    """Every input defined name and the sheet its cell must be on."""
    names = {f.name: form.SHEET_PROFILE for f in form.PROFILE_FIELDS}
    for ind in framework.indicators:
        for key in form.RATING_INPUTS:
            names[form.indicator_name(key, ind.id)] = form.SHEET_RATINGS
    return names


def destination(wb, name: str) -> tuple[str, str]:
    """(sheet, coordinate) of a name that must point at exactly one cell."""
    dests = list(wb.defined_names[name].destinations)
    assert len(dests) == 1, f"{name} points to {dests}"
    sheet, ref = dests[0]
    coord = ref.replace("$", "")
    assert ":" not in coord, f"{name} is a range, not one cell: {ref}"
    assert ref.count("$") == 2, f"{name} is not an absolute reference: {ref}"
    return sheet, coord


def value_of(wb, name: str):
    sheet, coord = destination(wb, name)
    return wb[sheet][coord].value


def resolve_range(wb, formula: str) -> list:
    sheet, ref = formula.lstrip("=").rsplit("!", 1)
    sheet = sheet.strip("'").replace("''", "'")
    return [row[0].value for row in wb[sheet][ref.replace("$", "")]]


# --------------------------------------------------------------------------
# Structure


def test_sheets_and_order(sample_wb):
    assert sample_wb.sheetnames[:3] == [form.SHEET_INSTRUCTIONS, form.SHEET_PROFILE, form.SHEET_RATINGS]
    assert sample_wb.sheetnames == [form.SHEET_INSTRUCTIONS, form.SHEET_PROFILE, form.SHEET_RATINGS, SHEET_LISTS]
    assert sample_wb[SHEET_LISTS].sheet_state == "hidden"
    for name in form.REQUIRED_SHEETS + (form.SHEET_INSTRUCTIONS,):
        assert sample_wb[name].sheet_state == "visible"
    assert sample_wb.active.title == form.SHEET_INSTRUCTIONS


def test_every_input_has_a_single_cell_name_on_the_right_sheet(sample_wb, framework):
    names = expected_names(framework)
    assert len(names) == len(form.PROFILE_FIELDS) + len(framework.indicators) * len(form.RATING_INPUTS)
    seen = set()
    for name, sheet in names.items():
        assert name in sample_wb.defined_names, name
        got_sheet, coord = destination(sample_wb, name)
        assert got_sheet == sheet, name
        assert (got_sheet, coord) not in seen, f"{name} shares a cell"
        seen.add((got_sheet, coord))


def test_profile_rows_follow_form_order(sample_wb):
    ws = sample_wb[form.SHEET_PROFILE]
    rows = []
    for field in form.PROFILE_FIELDS:
        _, coord = destination(sample_wb, field.name)
        cell = ws[coord]
        assert cell.column_letter == "B"
        label = ws.cell(row=cell.row, column=1)
        assert label.value == field.label + (" *" if field.required else "")
        assert label.font.b
        assert ws.cell(row=cell.row, column=3).value == field.help
        rows.append(cell.row)
    assert rows == sorted(rows) and len(set(rows)) == len(rows)


def test_ratings_rows_follow_framework_order(sample_wb, framework):
    ws = sample_wb[form.SHEET_RATINGS]
    col = {c.key: n for n, c in enumerate(form.RATING_COLUMNS, start=1)}
    header_row = None
    for row in ws.iter_rows(min_row=1, max_row=10):
        if [c.value for c in row[: len(form.RATING_COLUMNS)]] == [c.header for c in form.RATING_COLUMNS]:
            header_row = row[0].row
            break
    assert header_row is not None, "header row with RATING_COLUMNS headers not found"
    for offset, ind in enumerate(framework.indicators, start=1):
        r = header_row + offset
        assert ws.cell(row=r, column=col["id"]).value == ind.id
        assert ws.cell(row=r, column=col["condition"]).value == framework.condition(ind.condition_id).name
        assert ws.cell(row=r, column=col["statement"]).value == ind.statement
        assert ws.cell(row=r, column=col["statement"]).alignment.wrap_text
        for key in form.RATING_INPUTS:
            _, coord = destination(sample_wb, form.indicator_name(key, ind.id))
            assert ws[coord].row == r and ws[coord].column == col[key], (key, ind.id)


def test_meta_names(sample_wb, blank_wb):
    for wb in (sample_wb, blank_wb):
        for name in (form.NAME_FRAMEWORK_ID, form.NAME_FRAMEWORK_VERSION, form.NAME_FORM_VERSION):
            sheet, _ = destination(wb, name)
            assert sheet == form.SHEET_INSTRUCTIONS
        assert value_of(wb, form.NAME_FRAMEWORK_ID) == "mobility-readiness"
        assert value_of(wb, form.NAME_FRAMEWORK_VERSION) == "1.0"
        assert value_of(wb, form.NAME_FORM_VERSION) == str(form.FORM_VERSION)


def test_only_input_cells_are_unlocked(sample_wb, framework):
    inputs = {destination(sample_wb, n) for n in expected_names(framework)}
    for ws in sample_wb.worksheets:
        unlocked = {(ws.title, c.coordinate) for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert unlocked == {d for d in inputs if d[0] == ws.title}, ws.title


def test_input_cells_are_marked(sample_wb, framework):
    for name in expected_names(framework):
        sheet, coord = destination(sample_wb, name)
        cell = sample_wb[sheet][coord]
        assert cell.fill.fill_type == "solid", name
        assert cell.border.left.style == "thin", name


def test_sheets_protected_without_password(sample_wb):
    for ws in sample_wb.worksheets:
        assert ws.protection.sheet is True, ws.title
        assert not ws.protection.password, ws.title
        assert ws.protection.hashValue is None, ws.title
        assert ws.protection.formatColumns is False and ws.protection.formatRows is False


def test_rating_validation_covers_every_rating_cell(sample_wb, framework):
    ws = sample_wb[form.SHEET_RATINGS]
    list_dvs = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(list_dvs) == 1
    dv = list_dvs[0]
    for ind in framework.indicators:
        _, coord = destination(sample_wb, form.indicator_name("rating", ind.id))
        assert coord in dv.sqref, ind.id
    assert resolve_range(sample_wb, dv.formula1) == framework.scale.choices
    assert dv.showErrorMessage and dv.error and dv.showInputMessage and dv.prompt
    assert len(dv.prompt) <= 255 and len(dv.error) <= 255


def test_profile_validations(sample_wb):
    ws = sample_wb[form.SHEET_PROFILE]
    dvs = ws.data_validations.dataValidation
    for field in form.PROFILE_FIELDS:
        _, coord = destination(sample_wb, field.name)
        cell = ws[coord]
        covering = [dv for dv in dvs if coord in dv.sqref]
        if field.kind == "date":
            assert cell.number_format == "yyyy-mm-dd"
            assert [dv.type for dv in covering] == ["date"] and covering[0].allow_blank
        elif field.kind == "choice":
            assert [dv.type for dv in covering] == ["list"]
            assert resolve_range(sample_wb, covering[0].formula1) == list(form.JURISDICTION_TYPES)
        else:
            assert covering == [], field.key
        if field.kind == "long":
            assert cell.alignment.wrap_text
            assert ws.row_dimensions[cell.row].height >= 30


def test_due_dates_are_date_cells(sample_wb, framework):
    ws = sample_wb[form.SHEET_RATINGS]
    date_dvs = [dv for dv in ws.data_validations.dataValidation if dv.type == "date"]
    for ind in framework.indicators:
        _, coord = destination(sample_wb, form.indicator_name("due", ind.id))
        assert ws[coord].number_format == "yyyy-mm-dd"
        assert any(coord in dv.sqref for dv in date_dvs), ind.id


def test_freeze_panes_and_print_setup(sample_wb):
    profile, ratings = sample_wb[form.SHEET_PROFILE], sample_wb[form.SHEET_RATINGS]
    _, first_input = destination(sample_wb, form.PROFILE_FIELDS[0].name)
    assert profile.freeze_panes == f"A{profile[first_input].row}"
    assert ratings.freeze_panes is not None and ratings.freeze_panes.startswith("B")
    assert ratings.page_setup.orientation == "landscape"
    for ws in (profile, ratings):
        assert ws.print_title_rows
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "&A" in ws.oddHeader.left.text and "&P" in ws.oddFooter.center.text


def test_workbook_properties(sample_wb):
    assert sample_wb.properties.title == "Readiness assessment intake"
    assert sample_wb.properties.creator == "readydocs"
    assert sample_wb.properties.created == datetime(2026, 10, 15, 9, 0)
    assert sample_wb.properties.modified == datetime(2026, 10, 15, 9, 0)


def test_instructions_show_scale(sample_wb, framework):
    ws = sample_wb[form.SHEET_INSTRUCTIONS]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for choice in framework.scale.choices:
        assert choice in texts
    assert framework.title in texts
    assert any("readydocs validate" in t for t in texts) and any("readydocs build" in t for t in texts)


# --------------------------------------------------------------------------
# Values


def test_sample_values_come_back(sample_wb, framework):
    assert value_of(sample_wb, "rating.CAP_3") == "1 - Not in place"
    assert value_of(sample_wb, "rating.LEAD_1") == "4 - Fully in place"
    assert value_of(sample_wb, "rating.STAFF_2") == framework.scale.dont_know
    assert value_of(sample_wb, "profile.municipality_name") == "City of Riverbend"
    assessment = value_of(sample_wb, "profile.assessment_date")
    assert isinstance(assessment, date) and assessment.date() == date(2026, 10, 15)
    launch = value_of(sample_wb, "profile.target_launch_date")
    assert launch.date() == date(2027, 1, 12)
    assert value_of(sample_wb, "profile.logo_file") is None
    assert value_of(sample_wb, "profile.departments").split("\n")[0] == "Housing and Community Development"


def test_every_sample_value_written(sample_wb, framework):
    for field in form.PROFILE_FIELDS:
        got = value_of(sample_wb, field.name)
        want = SAMPLE_PROFILE.get(field.key)
        if isinstance(want, date):
            assert got.date() == want, field.key
        else:
            assert got == want, field.key
    for ind in framework.indicators:
        want = SAMPLE_RATINGS[ind.id]
        text = framework.scale.dont_know if want == DONT_KNOW else framework.scale.choice(want)
        assert value_of(sample_wb, form.indicator_name("rating", ind.id)) == text
        assert value_of(sample_wb, form.indicator_name("evidence", ind.id)) == SAMPLE_EVIDENCE.get(ind.id)
        follow = SAMPLE_FOLLOW_UP.get(ind.id, {})
        assert value_of(sample_wb, form.indicator_name("next_step", ind.id)) == follow.get("next_step")
        assert value_of(sample_wb, form.indicator_name("owner", ind.id)) == follow.get("owner")
        due = value_of(sample_wb, form.indicator_name("due", ind.id))
        assert (due.date() if due else None) == follow.get("due")


def test_sample_data_is_consistent(framework):
    assert set(SAMPLE_RATINGS) == {i.id for i in framework.indicators}
    assert set(SAMPLE_PROFILE) <= set(form.PROFILE_BY_KEY)
    for field in form.PROFILE_FIELDS:
        if field.required:
            assert SAMPLE_PROFILE.get(field.key), field.key
    values = {lv.value for lv in framework.scale.levels}
    for iid, rating in SAMPLE_RATINGS.items():
        assert rating == DONT_KNOW or rating in values, iid
        if rating == DONT_KNOW or rating <= 2:
            follow = SAMPLE_FOLLOW_UP[iid]
            assert follow["next_step"] and follow["owner"], iid
            assert date(2026, 12, 1) <= follow["due"] <= date(2027, 3, 31), iid
    assert set(SAMPLE_FOLLOW_UP) <= set(SAMPLE_RATINGS)
    assert len(SAMPLE_EVIDENCE) > len(SAMPLE_RATINGS) / 2


def test_blank_workbook_has_empty_inputs(blank_wb, framework):
    for name in expected_names(framework):
        assert value_of(blank_wb, name) is None, name


# --------------------------------------------------------------------------
# Writing


def test_write_is_reproducible_and_leaves_no_temp_files(framework, tmp_path):
    path = tmp_path / "out" / "sample.xlsx"
    write_intake(path, framework, sample=True)
    first = hashlib.sha256(path.read_bytes()).hexdigest()
    assert write_intake(path, framework, sample=True) == path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == first
    assert [p.name for p in path.parent.iterdir()] == ["sample.xlsx"]


def test_existing_file_is_replaced(framework, tmp_path):
    path = tmp_path / "intake.xlsx"
    path.write_text("not a workbook")
    write_intake(path, framework)
    assert openpyxl.load_workbook(path).sheetnames[0] == form.SHEET_INSTRUCTIONS


def test_write_failure_is_reported(framework, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WriteError) as info:
        write_intake(blocker / "intake.xlsx", framework)
    assert info.value.exit_code == 2
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_labels_with_commas_use_the_lists_sheet(tmp_path):
    text = (resources.files("readydocs") / "data" / "mobility-readiness.toml").read_text("utf-8")
    text = text.replace('label = "Starting"', 'label = "Starting, informally"')
    fw_path = tmp_path / "framework.toml"
    fw_path.write_text(text, "utf-8")
    fw = load_framework(fw_path)
    path = write_intake(tmp_path / "intake.xlsx", fw)
    wb = openpyxl.load_workbook(path)
    dv = next(dv for dv in wb[form.SHEET_RATINGS].data_validations.dataValidation if dv.type == "list")
    assert resolve_range(wb, dv.formula1) == fw.scale.choices
    assert "2 - Starting, informally" in fw.scale.choices


def test_committed_sample_matches_generator(framework, tmp_path):
    committed = Path(__file__).resolve().parents[1] / "inputs" / "sample-intake.xlsx"
    if not committed.exists():
        pytest.skip("inputs/sample-intake.xlsx not generated")
    fresh = write_intake(tmp_path / "sample-intake.xlsx", framework, sample=True)
    assert fresh.read_bytes() == committed.read_bytes(), (
        "inputs/sample-intake.xlsx is out of date; regenerate it with write_intake(..., sample=True)"
    )
