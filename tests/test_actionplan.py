"""readiness-action-plan.xlsx read back with openpyxl: rows match the gaps; people's entries survive a rebuild."""

from __future__ import annotations

import datetime as dt

import openpyxl

from readydocs.actionplan import FILENAME, FIRST_ROW, HEADERS, PROGRESS, SUGGESTED
from readydocs.pipeline import build
from readydocs.sample import SAMPLE_FOLLOW_UP

from conftest import rate_all


def _rows(path):
    ws = openpyxl.load_workbook(path)["Action plan"]
    return ws, [r for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True) if any(v is not None for v in r)]


def _expected(framework, order):
    """Suggested actions, then the sample workbook's next steps, for each condition in report order."""
    out = []
    for cid, status in order:
        cond = framework.condition(cid)
        out += [(cond.name, status, a, SUGGESTED, None, None) for a in cond.actions]
        for ind in cond.indicators:
            f = SAMPLE_FOLLOW_UP.get(ind.id)
            if f:
                due = dt.datetime.combine(f["due"], dt.time()) if f.get("due") else None
                out.append((cond.name, status, f["next_step"], f"Workbook, {ind.id}", f.get("owner"), due))
    return out


def test_rows_match_the_gaps(sample_xlsx, tmp_path, framework):
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    ws, rows = _rows(out / FILENAME)
    assert [c.value for c in ws[FIRST_ROW - 1]] == list(HEADERS)
    # Not in place, in the report's order: the two lowest (22.22, capacity before engagement by framework order), then 50 and 55.56.
    order = [("capacity", "Not yet in place (22)"), ("engagement", "Not yet in place (22)"),
             ("buy-in", "Developing (50)"), ("partnerships", "Developing (56)")]
    assert [r[:6] for r in rows] == _expected(framework, order)
    assert {r[6] for r in rows} == {"Not started"} and {r[7] for r in rows} == {None}
    in_place = {framework.condition(c).name for c in ("leadership", "culture", "equity", "data", "learning")}
    assert not in_place & {r[0] for r in rows}


def test_plan_is_protected_but_editable(sample_xlsx, tmp_path, framework):
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    ws, rows = _rows(out / FILENAME)
    last = FIRST_ROW + len(rows) - 1
    assert ws.protection.sheet and not ws.protection.password
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.auto_filter.ref == f"A{FIRST_ROW - 1}:H{last}"
    for col, header in enumerate(HEADERS, start=1):
        locked = ws.cell(row=FIRST_ROW, column=col).protection.locked
        assert locked is (header not in ("Owner", "Due date", "Progress", "Notes")), header
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"' + ",".join(PROGRESS) + '"'
    assert str(lists[0].sqref) == f"G{FIRST_ROW}:G{last}"
    assert ws.column_dimensions["C"].width == 62


def test_all_in_place_plan_says_so(sample_xlsx, tmp_path, framework):
    rate_all(sample_xlsx, framework, "4 - Fully in place")
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    ws, rows = _rows(out / FILENAME)
    assert rows == [("Every condition is in place: there are no strengthening actions to track.",) + (None,) * 7]


def test_rebuild_keeps_what_people_entered(sample_xlsx, tmp_path, framework):
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    path = out / FILENAME
    wb = openpyxl.load_workbook(path)
    ws = wb["Action plan"]
    ws.cell(row=FIRST_ROW, column=5, value="Dana Whitfield")
    ws.cell(row=FIRST_ROW, column=7, value="In progress")
    ws.cell(row=FIRST_ROW + 1, column=8, value="Waiting on HR")
    extra = FIRST_ROW + 40
    for col, value in enumerate(("Organizational capacity", "", "Our own extra step", "", "Sam", None, "Not started", "added by hand"), 1):
        ws.cell(row=extra, column=col, value=value or None)
    wb.save(path)

    build([sample_xlsx], tmp_path / "out", framework)
    _, rows = _rows(path)
    assert rows[0][4] == "Dana Whitfield" and rows[0][6] == "In progress"
    assert rows[1][7] == "Waiting on HR"
    assert rows[-1][2:] == ("Our own extra step", "Kept from the earlier plan", "Sam", None, "Not started", "added by hand")
    assert len(rows) == len(_expected(framework, [("capacity", ""), ("engagement", ""), ("buy-in", ""), ("partnerships", "")])) + 1
