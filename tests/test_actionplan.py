"""readiness-action-plan.xlsx read back with openpyxl: rows match the gaps; people's entries survive a rebuild."""

from __future__ import annotations

import datetime as dt

import openpyxl

from readydocs.actionplan import FILENAME, FIRST_ROW, HEADERS, PROGRESS, SPARE_ROWS, SUGGESTED
from readydocs.pipeline import build
from readydocs.sample import SAMPLE_FOLLOW_UP
from readydocs.workbook import rate_every_indicator



def _rows(path):
    ws = openpyxl.load_workbook(path)["Action plan"]
    return ws, [r for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True) if any(v is not None for v in r)]


def _expected(framework, order):
    """The sample's one information gap, then suggested actions and the workbook's next steps, condition by condition."""
    staff_2 = next(i for i in framework.indicators if i.id == "STAFF-2")
    out = [("Staff buy-in across departments", dict(order).get("buy-in", ""), f"Find out: {staff_2.statement}",
            "Information gap, STAFF-2", None, None)]
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
    assert rows[0][2] == ("Find out: Front-line staff who work with residents have been asked what they see and "
                          "what they need.")
    in_place = {framework.condition(c).name for c in ("leadership", "culture", "equity", "data", "learning")}
    assert not in_place & {r[0] for r in rows}


def test_plan_is_protected_but_editable(sample_xlsx, tmp_path, framework):
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    ws, rows = _rows(out / FILENAME)
    last = FIRST_ROW + len(rows) - 1 + SPARE_ROWS
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
    # The spare rows after the plan are open in every column, for actions people add.
    for r in range(last - SPARE_ROWS + 1, last + 1):
        for col in range(1, len(HEADERS) + 1):
            assert not ws.cell(row=r, column=col).protection.locked and ws.cell(row=r, column=col).value is None
    assert ws.cell(row=last + 1, column=1).protection.locked


def test_rows_added_by_hand_stay_editable_and_empty_spare_rows_are_not_rows(sample_xlsx, tmp_path, framework):
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    path = out / FILENAME
    ws, rows = _rows(path)
    spare = FIRST_ROW + len(rows)
    wb = openpyxl.load_workbook(path)
    ws = wb["Action plan"]
    # One spare row filled in as a person would, one where only the progress dropdown was touched.
    for col, value in enumerate(("Resources for community engagement", None, "Ask the foundation about a grant",
                                 None, "Dana", dt.date(2027, 4, 1), "In progress", None), 1):
        ws.cell(row=spare, column=col, value=value)
    ws.cell(row=spare + 1, column=7, value="Not started")
    wb.save(path)

    build([sample_xlsx], tmp_path / "out", framework)
    ws, rebuilt = _rows(path)
    assert len(rebuilt) == len(rows) + 1
    assert rebuilt[:-1] == rows
    assert rebuilt[-1] == ("Resources for community engagement", None, "Ask the foundation about a grant", "Added by hand",
                           "Dana", dt.datetime(2027, 4, 1), "In progress", None)
    kept = FIRST_ROW + len(rows)
    for col in (1, 3, 5, 6, 7, 8):  # Condition and Action stay editable on a row a person added
        assert not ws.cell(row=kept, column=col).protection.locked, col
    assert ws.cell(row=FIRST_ROW, column=1).protection.locked  # ... but not on a generated row
    # And the spare rows are there again after it.
    assert all(not ws.cell(row=r, column=3).protection.locked for r in range(kept + 1, kept + 1 + SPARE_ROWS))
    # A third build changes nothing.
    build([sample_xlsx], tmp_path / "out", framework)
    assert _rows(path)[1] == rebuilt


def test_all_in_place_plan_says_so(sample_xlsx, tmp_path, framework):
    rate_every_indicator(sample_xlsx, framework, "4 - Fully in place")
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    ws, rows = _rows(out / FILENAME)
    assert rows == [("Every condition is in place: there are no strengthening actions to track.",) + (None,) * 7]
    # Rebuilding does not take that line for a row someone added.
    build([sample_xlsx], tmp_path / "out", framework)
    _, again = _rows(out / FILENAME)
    assert again == rows


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
    assert rows[-1][2:] == ("Our own extra step", "Added by hand", "Sam", None, "Not started", "added by hand")
    assert len(rows) == len(_expected(framework, [("capacity", ""), ("engagement", ""), ("buy-in", ""), ("partnerships", "")])) + 1


def test_text_that_looks_like_a_formula_stays_text(sample_xlsx, tmp_path, framework):
    """A next step typed as text beginning with "=" is copied as text: the plan never runs what people typed."""
    from readydocs.workbook import set_named_cells

    from readydocs.form import indicator_name

    step = '=HYPERLINK("https://example.org","Ask the foundation")'
    set_named_cells(sample_xlsx, {indicator_name("next_step", "PART-2"): step})
    wb = openpyxl.load_workbook(sample_xlsx)
    (sheet, ref), = wb.defined_names[indicator_name("next_step", "PART-2")].destinations
    wb[sheet][ref.replace("$", "")].data_type = "s"  # as Excel stores '=... typed with an apostrophe
    wb.save(sample_xlsx)
    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    ws = openpyxl.load_workbook(out / FILENAME)["Action plan"]
    cells = [c for row in ws.iter_rows(min_row=FIRST_ROW, min_col=3, max_col=3) for c in row if c.value == step]
    assert len(cells) == 1 and cells[0].data_type == "s"


def _read_with_openpyxl(path):
    """The plan's rows as the earlier openpyxl reader gave them: the reference read_plan must agree with."""
    from readydocs.actionplan import ALL_IN_PLACE, Row

    ws = openpyxl.load_workbook(path, data_only=True)["Action plan"]
    header = [str(c.value).strip() if c.value is not None else "" for c in ws[3]]
    col = {h: n for n, h in enumerate(header) if h}

    def get(values, name):
        v = values[col[name]] if name in col and col[name] < len(values) else None
        return v.strip() or None if isinstance(v, str) else v

    def text(v):
        return v if v is None or isinstance(v, (dt.date, dt.datetime)) else str(v)

    out = []
    for values in ws.iter_rows(min_row=FIRST_ROW, values_only=True):
        condition, action = get(values, "Condition"), get(values, "Action")
        owner, due, progress, notes = (get(values, h) for h in ("Owner", "Due date", "Progress", "Notes"))
        if not condition and not action and not owner and not due and not notes and progress in (None, PROGRESS[0]):
            continue
        if condition == ALL_IN_PLACE and not action:
            continue
        due = due.date() if isinstance(due, dt.datetime) else due
        out.append(Row(str(condition or ""), str(get(values, "Status") or ""), str(action or ""),
                       str(get(values, "From") or ""), text(owner), due, text(progress) or PROGRESS[0], text(notes)))
    return out


def test_an_edited_plan_reads_as_openpyxl_reads_it(sample_xlsx, tmp_path, framework):
    """Dates, numbers, a formula's saved result, a merge, a moved column and a long table, read without openpyxl."""
    from readydocs.actionplan import read_plan

    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    path = out / FILENAME
    wb = openpyxl.load_workbook(path)
    ws = wb["Action plan"]
    ws.protection.sheet = False
    ws.cell(row=FIRST_ROW, column=5, value="  Dana Whitfield ")
    ws.cell(row=FIRST_ROW, column=6, value=dt.date(2027, 3, 1)).number_format = "yyyy-mm-dd"
    ws.cell(row=FIRST_ROW + 1, column=8, value=42)
    ws.cell(row=FIRST_ROW + 2, column=8, value=2.5)
    ws.cell(row=FIRST_ROW + 3, column=7, value="Done")
    for n in range(300):  # rows far below the plan, typed by hand
        ws.cell(row=FIRST_ROW + 100 + n, column=1, value=f"Condition {n}")
        ws.cell(row=FIRST_ROW + 100 + n, column=3, value=f"Step {n} & <more>")
    ws.merge_cells(start_row=FIRST_ROW + 450, start_column=1, end_row=FIRST_ROW + 450, end_column=3)
    ws.cell(row=FIRST_ROW + 450, column=1, value="Merged condition")
    ws.insert_cols(2)  # a column of their own: headers are found by name
    ws.cell(row=3, column=2, value="Our column")
    wb.save(path)

    rows = read_plan(path)
    assert rows == _read_with_openpyxl(path)
    assert rows[0].owner == "Dana Whitfield" and rows[0].due == dt.date(2027, 3, 1)
    assert rows[1].notes == "42" and rows[2].notes == "2.5" and rows[3].progress == "Done"
    assert rows[-1].condition == "Merged condition" and rows[-1].action == ""
    assert rows[-2].action == "Step 299 & <more>"


def test_a_rebuild_reads_the_plan_without_openpyxl(sample_xlsx, tmp_path):
    """Carrying people's entries forward must not load a general workbook library (it costs more than the build)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from readydocs.framework import load_framework\n"
            "from readydocs.pipeline import build\n"
            f"args = ([{str(sample_xlsx)!r}], {str(tmp_path / 'out')!r}, load_framework())\n"
            "build(*args)\n"
            "assert build(*args).written\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_a_plan_that_is_a_zip_bomb_is_not_read_or_replaced(sample_xlsx, tmp_path, framework):
    import zipfile

    import pytest

    from readydocs.errors import OutputConflictError

    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    path = out / FILENAME
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/padding.xml", b"<a>" + b" " * (120 * 1024 * 1024) + b"</a>")
    before = path.read_bytes()
    with pytest.raises(OutputConflictError) as err:
        build([sample_xlsx], tmp_path / "out", framework, force=True)
    assert str(err.value).startswith(f"{path}: expands ") and "so this action plan is not replaced" in str(err.value)
    assert path.read_bytes() == before


def test_a_number_no_cell_can_hold_in_an_edited_plan_is_kept_as_text(sample_xlsx, tmp_path, framework):
    """A plan whose XML holds a number past any float (1e999, read as infinity) in an unstyled cell rebuilds, keeping it as text."""
    import re
    import zipfile

    out = build([sample_xlsx], tmp_path / "out", framework).out_dir
    path = out / FILENAME
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    cell = f"F{FIRST_ROW}".encode()  # the Due date column
    parts[sheet], found = re.subn(rb'<c r="' + cell + rb'"( s="\d+")?\s*/>', rb'<c r="' + cell + rb'"><v>1e999</v></c>',
                                  parts[sheet])
    assert found == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    build([sample_xlsx], tmp_path / "out", framework)
    _, rows = _rows(path)
    assert rows[0][5] == "inf"
