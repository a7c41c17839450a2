"""The action plan written by planxml.py is, part for part, what XlsxWriter wrote for the same plan.

The reference below is the XlsxWriter code the plan was written with before
(kept here, with XlsxWriter, as the measure): every XML part must come out
byte for byte the same, for the sample and for plans made to reach each
branch (no rows, a hand-added row first, every kind of value, hostile text,
text past Excel's limit, many rows). The one intended difference, text that
looks like rich-text XML, is checked on its own.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from readydocs import palette, xlsxparts
from readydocs.actionplan import (
    ALL_IN_PLACE, BY_HAND, EDITABLE, FIRST_ROW, HEADER_ROW, HEADERS, KEPT, PROGRESS, SHEET, SPARE_ROWS, SUGGESTED, WIDTHS,
    Row, build_plan, plan_bytes,
)
from readydocs.assessment import as_of, assess, score_assessment
from readydocs.outputs import normalise_zip
from readydocs.summary import summarise
from readydocs.wording import format_date

WHEN = dt.datetime(2026, 10, 15, 9, 0, 0)


def _xlsxwriter_plan(rows, summary, when) -> bytes:
    """The plan as XlsxWriter wrote it (actionplan.plan_bytes before planxml.py)."""
    raw = io.BytesIO()
    wb = xlsxwriter.Workbook(raw, {"in_memory": True})
    wb.set_properties({"title": f"Readiness action plan: {summary.place.name}",
                       "subject": summary.framework.title, "author": "readydocs", "created": when})
    formats: dict[tuple, Any] = {}

    def style(kind: str, open_: bool = False, date: bool = False) -> Any:
        key = (kind, open_, date)
        if key not in formats:
            spec: dict[str, Any] = {"font_name": palette.FONT_NAME, "font_size": palette.FONT_SIZE}
            if kind == "title":
                spec.update(bold=True, font_size=palette.TITLE_SIZE, font_color="#" + palette.TEAL)
            elif kind == "hint":
                spec.update(italic=True, font_color="#" + palette.MUTED)
            else:
                spec.update(border=1, border_color="#" + palette.GRID_GREY, text_wrap=True)
            if kind == "header":
                spec.update(bold=True, font_color="#" + palette.WHITE, pattern=1, bg_color="#" + palette.TEAL,
                            valign="vcenter")
            elif kind == "cell":
                spec.update(valign="top")
            if open_:
                spec.update(pattern=1, bg_color="#" + palette.INPUT_YELLOW, locked=False)
            if date:
                spec.update(num_format=palette.DATE_FORMAT)
            formats[key] = wb.add_format(spec)
        return formats[key]

    def write(ws, r, n, value, open_, due):
        if value is None or value == "":
            ws.write_blank(r, n, None, style("cell", open_, due))
        elif isinstance(value, bool):
            ws.write_boolean(r, n, value, style("cell", open_, due))
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.write_datetime(r, n, value, style("cell", open_, True))
        elif isinstance(value, (int, float)):
            ws.write_number(r, n, value, style("cell", open_, due))
        else:
            ws.write_string(r, n, str(value), style("cell", open_, due))

    ws = wb.add_worksheet(SHEET)
    ws.write_string(0, 0, f"Readiness action plan: {summary.place.name}", style("title"))
    ws.write_string(1, 0, f"From the readiness assessment of {format_date(summary.assessment_date)}. Fill in the yellow "
                          "columns (owner, due date, progress, notes) and add your own actions in the yellow rows "
                          "at the end; building again keeps what you enter here.", style("hint"))
    for n, (h, w) in enumerate(zip(HEADERS, WIDTHS)):
        ws.write_string(HEADER_ROW - 1, n, h, style("header"))
        ws.set_column_pixels(n, n, w * 7)
    editable = {HEADERS.index(h) for h in EDITABLE}
    by_hand = {HEADERS.index(h) for h in ("Condition", "Action")} | editable
    due_col = HEADERS.index("Due date")
    progress_col = HEADERS.index("Progress")
    for r, row in enumerate(rows, start=FIRST_ROW - 1):
        open_cols = editable if row.generated else by_hand
        for n, value in enumerate(row.values()):
            write(ws, r, n, value, n in open_cols, n == due_col)
        ws.set_row_pixels(r, max(30, 15 * (len(row.action) // (WIDTHS[2] - 4) + 1) + 4) * 4 / 3)
    first_spare = FIRST_ROW - 1 + len(rows)
    if not rows:
        ws.write_string(first_spare, 0, ALL_IN_PLACE, style("hint"))
        first_spare += 1
    for r in range(first_spare, first_spare + SPARE_ROWS):
        for n in range(len(HEADERS)):
            ws.write_blank(r, n, None, style("cell", True, n == due_col))
    last = first_spare + SPARE_ROWS - 1
    ws.data_validation(FIRST_ROW - 1, progress_col, last, progress_col, {
        "validate": "list", "source": list(PROGRESS), "show_input": False,
        "error_title": "Choose from the list", "error_message": "Choose one of: " + ", ".join(PROGRESS) + "."})
    ws.data_validation(FIRST_ROW - 1, due_col, last, due_col, {
        "validate": "date", "criteria": ">", "value": "36526", "show_input": False,
        "error_title": "Please enter a date", "error_message": "Enter a date such as 2026-10-15 (year-month-day)."})
    ws.autofilter(HEADER_ROW - 1, 0, last, len(HEADERS) - 1)
    ws.freeze_panes(FIRST_ROW - 1, 0)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.75, right=0.75, top=1, bottom=1)
    ws.set_header("", {"margin": 0.5})
    ws.set_footer("", {"margin": 0.5})
    ws.protect("", {"objects": True, "scenarios": True, "format_columns": True, "format_rows": True,
                    "insert_rows": True, "delete_rows": True, "sort": True, "autofilter": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    wb.close()
    return normalise_zip(raw.getvalue(), when)


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _assert_same(rows, summary, when=WHEN):
    ours, theirs = plan_bytes(rows, summary, when), _xlsxwriter_plan(rows, summary, when)
    assert [n for n, _ in _parts(ours)] == [n for n, _ in _parts(theirs)]
    for (name, a), (_, b) in zip(_parts(ours), _parts(theirs)):
        assert a.decode("utf-8") == b.decode("utf-8"), name
    assert ours == theirs  # the zip itself too: same entries, same compression, same stamps


@pytest.fixture(scope="module")
def sample_summary(_sample_master, framework):
    a = assess([_sample_master], framework)
    return summarise(a.responses, score_assessment(a), framework, as_of=as_of(a))


def _place(name: str, summary):
    return SimpleNamespace(place=SimpleNamespace(name=name), framework=summary.framework,
                           assessment_date=summary.assessment_date)


def test_the_sample_plan_is_what_xlsxwriter_wrote(sample_summary):
    rows = build_plan(sample_summary)
    assert len(rows) > 16  # rows in more than one block of 16 (each block has its own spans)
    _assert_same(rows, sample_summary)


def test_a_plan_with_no_rows_is_what_xlsxwriter_wrote(sample_summary):
    _assert_same([], sample_summary)


def test_a_hand_added_row_first_numbers_the_styles_as_xlsxwriter_did(sample_summary):
    """Styles are numbered in the order the sheet first uses them; an open Condition cell first changes that order."""
    rows = [Row("Our own", "", "Call the county", BY_HAND, "Ana", dt.date(2027, 1, 5), "Done", "asked twice"),
            Row("Kept one", "Developing (50)", "Old action", KEPT, None, None, "In progress", None)]
    _assert_same(rows, sample_summary)


@pytest.mark.parametrize("value", [
    0, -3, 42, 1.5, 1e20, 1 / 3, 2 ** 60, True, False,
    dt.date(2027, 2, 5), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.datetime(1900, 1, 1, 6, 0),
    dt.datetime(2026, 3, 1, 12, 30, 15, 250000), dt.time(9, 30), dt.timedelta(days=2),
    "", "=SUM(A1:A3)", "+1", "@name", "Ünïcödé \U0001F600 & <tags> \"quoted\" 'single'",
    " leading", "trailing ", "line\nbreak", "ends with a newline\n", "\ttab first", "ctrl \x01\x08\x0b\x1f end",
    "_x0041_ literal escape", "_x000B_", "\ufffe\uffff", "&amp; already escaped &lt;",
    "x" * 40_000, "\U0001F600" * 20_000, "y" * 32_766 + "\U0001F600", "a" * 32_767,
])
def test_every_kind_of_value_is_written_as_xlsxwriter_wrote_it(sample_summary, value):
    rows = [Row("Cond", "Not yet in place (22)", "An action " * 30, SUGGESTED, value, value, "Not started", value),
            Row(str(value) or "x", "s", str(value) or "act", BY_HAND, value, None, str(value) or "Done", value)]
    _assert_same(rows, sample_summary)


def test_a_place_name_with_markup_and_control_characters(sample_summary):
    _assert_same(build_plan(sample_summary)[:3], _place('Town of <A> & "B" \x02 _x0041_', sample_summary))


def test_many_rows_and_long_actions(sample_summary):
    rows = [Row(f"Condition {n % 3}", "Developing (56)", "word " * (n * 7), SUGGESTED, None,
                dt.date(2027, 1, 1) + dt.timedelta(days=n), PROGRESS[n % 4], None) for n in range(70)]
    _assert_same(rows, sample_summary)


def test_text_that_looks_like_rich_text_stays_text(sample_summary, tmp_path):
    """XlsxWriter wrote "<r>...</r>" into the shared text unescaped, as markup; the plan keeps it as the text typed."""
    note = "<r><t>bold?</t></r>"
    rows = [Row("Our own", "", "Call", BY_HAND, None, None, "Done", note)]
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_bytes(rows, sample_summary, WHEN))
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws.cell(FIRST_ROW, HEADERS.index("Notes") + 1).value == note


def test_a_number_no_cell_holds_is_written_as_its_text_where_xlsxwriter_refused_it(sample_summary):
    rows = [Row("Our own", "", "Call", BY_HAND, None, float("inf"), "Done", None)]
    with pytest.raises(TypeError):
        _xlsxwriter_plan(rows, sample_summary, WHEN)
    ws = openpyxl.load_workbook(io.BytesIO(plan_bytes(rows, sample_summary, WHEN)))[SHEET]
    assert [c.value for c in ws[FIRST_ROW]][:7] == ["Our own", None, "Call", BY_HAND, None, "inf", "Done"]


def test_the_theme_is_the_one_xlsxwriter_writes_and_building_never_loads_xlsxwriter(tmp_path, sample_xlsx):
    import subprocess
    import sys

    from xlsxwriter.theme import THEME_XML_2007

    from readydocs import planxml

    assert xlsxparts.theme_xml() == THEME_XML_2007
    script = ("import sys; from pathlib import Path; from readydocs.pipeline import build; from readydocs.framework import "
              f"load_framework; build([Path({str(sample_xlsx)!r})], Path({str(tmp_path / 'out')!r}), load_framework()); "
              "print(sorted(m for m in sys.modules if m.startswith('xlsxwriter')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert (tmp_path / "out" / "city-of-riverbend" / "readiness-action-plan.xlsx").exists()
