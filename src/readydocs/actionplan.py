"""readiness-action-plan.xlsx: the gaps turned into work the advocate can track.

First a "Find out: ..." row for each information gap (an indicator someone
answered "Don't know"), the quick first step the report names; then one row
per strengthening action for each condition not yet in place, in the
report's order (essential conditions first, then weakest first): the
framework's suggested actions, and the next steps people wrote in the
workbook with the owner and due date they gave. Owner, due date, progress and
notes are left open for the advocate; everything else is locked (without a
password) so the plan keeps its shape. Spare rows at the end are open in
every column, for actions people add by hand.

A plan is meant to be edited, so building again must not wipe it: when the
file already exists, what people entered in it (owner, due date, progress,
notes) is carried over to the matching rows, rows they added by hand are kept
(still editable), and rows they worked on that the new plan no longer has are
kept at the end. Empty spare rows are not rows.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import xlsxwriter

from . import palette
from .errors import OutputConflictError, UnreadableFileError
from .outputs import normalise_zip
from .summary import ConditionSummary, Summary
from .wording import format_date
from .xlsxcells import MAX_COLUMN, XlsxWorkbook
from .zipguard import PLAN, check_archive

FILENAME = "readiness-action-plan.xlsx"
SHEET = "Action plan"
HEADERS = ("Condition", "Status", "Action", "From", "Owner", "Due date", "Progress", "Notes")
WIDTHS = (30, 18, 62, 24, 20, 13, 14, 40)
EDITABLE = ("Owner", "Due date", "Progress", "Notes")
PROGRESS = ("Not started", "In progress", "Done", "On hold")
SUGGESTED = "Suggested action"
GAP = "Information gap"
FIND_OUT = "Find out: "
KEPT = "Kept from the earlier plan"
BY_HAND = "Added by hand"
ALL_IN_PLACE = "Every condition is in place: there are no strengthening actions to track."
# Open rows after the plan for actions people add; more can be inserted (the sheet allows it).
SPARE_ROWS = 15
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1


@dataclass
class Row:
    condition: str
    status: str
    action: str
    source: str
    owner: str | None = None
    due: dt.date | None = None
    progress: str = PROGRESS[0]
    notes: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.condition, self.action)

    @property
    def generated(self) -> bool:
        """Made by readydocs from the framework or a workbook, not typed in by a person."""
        return self.source in (SUGGESTED, KEPT) or self.source.startswith(("Workbook, ", f"{GAP}, "))

    def values(self) -> tuple[Any, ...]:
        return (self.condition, self.status, self.action, self.source, self.owner, self.due, self.progress, self.notes)


@dataclass
class Plan:
    place: str
    rows: list[Row] = field(default_factory=list)


def plan_rows(summary: Summary) -> list[Row]:
    """The rows of a fresh plan, from the place's summary and the workbooks' next-step fields."""
    responses = summary.responses
    status_of = {c.name: _status(c) for c in summary.conditions}
    rows: list[Row] = [Row(g.condition.name, status_of.get(g.condition.name, ""), FIND_OUT + g.indicator.statement,
                           f"{GAP}, {g.indicator.id}") for g in summary.gaps]
    for c in summary.to_strengthen:
        status = _status(c)
        for action in c.condition.actions:
            rows.append(Row(c.name, status, action, SUGGESTED))
        seen: set[tuple] = set()
        for ind in c.condition.indicators:
            for n, resp in enumerate(responses):
                row = resp.row(ind.id)
                step, owner, due = row.next_step, row.owner, row.due
                if not (step or owner or due):
                    continue
                if (ind.id, step, owner, due) in seen:
                    continue  # two respondents proposing the same step: one row
                seen.add((ind.id, step, owner, due))
                who = summary.respondents[n].name if summary.several else ""
                source = f"Workbook, {ind.id}" + (f" ({who})" if who else "")
                text = step or f"Next step for {ind.id} (owner and date given, step not written in the workbook)"
                rows.append(Row(c.name, status, text, source, owner, due))
    return rows


def _status(c: ConditionSummary) -> str:
    return c.status + (f" ({c.score})" if c.score is not None else "")


def merge_existing(rows: list[Row], existing: Path) -> list[Row]:
    """Carry over what people entered in an earlier plan; keep rows they worked on that are gone now."""
    earlier = read_plan(existing)
    by_key: dict[tuple[str, str], Row] = {}
    for r in earlier:
        by_key.setdefault(r.key, r)
    used: set[tuple[str, str]] = set()
    for r in rows:
        old = by_key.get(r.key)
        if old is None:
            continue
        used.add(r.key)
        r.owner = old.owner or r.owner
        r.due = old.due or r.due
        r.progress = old.progress or r.progress
        r.notes = old.notes or r.notes
    kept = []
    for old in earlier:
        if old.key in used:
            continue
        touched = (old.progress or PROGRESS[0]) != PROGRESS[0] or bool(old.notes)
        if not old.generated:
            old.source = old.source or BY_HAND
            kept.append(old)
        elif touched:
            old.source = KEPT
            kept.append(old)
    return rows + kept


def read_plan(path: Path) -> list[Row]:
    """The rows of an action plan written earlier (and perhaps edited since).

    Read with the intake workbook's reader (xlsxcells.py) after the same zip
    checks, so a rebuild never loads a general workbook library just to carry
    people's entries forward.
    """

    try:
        check_archive(path, PLAN)
        with XlsxWorkbook(path) as wb:
            return _plan_rows(path, wb)
    except OutputConflictError:
        raise
    except UnreadableFileError as exc:
        raise OutputConflictError(f"{exc.message.rstrip('.')}, so this action plan is not replaced.", exc.hint) from exc
    except Exception as exc:  # a part missing or malformed, whatever the parser raised
        raise OutputConflictError(
            f"{path}: an action plan is already there but cannot be read ({type(exc).__name__}), so it is not replaced.",
            "Close it if it is open, or move it away, and build again.") from exc


def _plan_rows(path: Path, wb: Any) -> list[Row]:
    if not wb.grids.get(SHEET):
        raise OutputConflictError(f"{path}: has no sheet named '{SHEET}', so it is not replaced.",
                                  "Rename the sheet back, or move the file away, and build again.")
    header_cells = wb.read_rows([(SHEET, HEADER_ROW, MAX_COLUMN)]).cells[(SHEET, HEADER_ROW)]
    header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
    col = {h: n for n, h in enumerate(header) if h}
    if not {"Condition", "Action"} <= set(col):
        raise OutputConflictError(f"{path}: the '{SHEET}' sheet has no Condition and Action columns in row {HEADER_ROW}, so it is not replaced.",
                                  "Move the file away and build again.")

    def get(values, name):
        n = col.get(name)
        v = values[n].value if n is not None and n < len(values) else None
        return v.strip() or None if isinstance(v, str) else v

    out = []
    for _, values in sorted(wb.read_table(SHEET, FIRST_ROW, max(col.values()) + 1).items()):
        condition, action = get(values, "Condition"), get(values, "Action")
        rest = [get(values, h) for h in ("Owner", "Due date", "Progress", "Notes")]
        # A spare row left empty (perhaps with its progress dropdown touched), or the all-in-place line.
        if not condition and not action and not any(rest[:2]) and not rest[3] and rest[2] in (None, PROGRESS[0]):
            continue
        if condition == ALL_IN_PLACE and not action:
            continue
        due = rest[1]
        if isinstance(due, dt.datetime):
            due = due.date()
        out.append(Row(str(condition or ""), str(get(values, "Status") or ""), str(action or ""),
                       str(get(values, "From") or ""), _text(rest[0]), due,
                       _text(rest[2]) or PROGRESS[0], _text(rest[3])))
    return out


def _text(v: Any) -> Any:
    if v is None or isinstance(v, (dt.date, dt.datetime)):
        return v
    return str(v)


def build_plan(summary: Summary, existing: Path | None = None) -> list[Row]:
    """The plan's rows: a fresh plan, with what people entered in ``existing`` (an earlier plan) carried over."""
    rows = plan_rows(summary)
    if existing is not None and existing.exists():
        rows = merge_existing(rows, existing)
    return rows


def plan_bytes(rows: Sequence[Row], summary: Summary, when: dt.datetime) -> bytes:
    """The action plan workbook as .xlsx bytes.

    Written with XlsxWriter, which only writes and so costs a fraction of a
    general workbook library; the earlier plan is read (read_plan) only when
    there is one.
    """


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

    ws = wb.add_worksheet(SHEET)
    ws.write_string(0, 0, f"Readiness action plan: {summary.place.name}", style("title"))
    ws.write_string(1, 0, f"From the readiness assessment of {format_date(summary.assessment_date)}. Fill in the yellow "
                          "columns (owner, due date, progress, notes) and add your own actions in the yellow rows "
                          "at the end; building again keeps what you enter here.", style("hint"))
    for n, (h, w) in enumerate(zip(HEADERS, WIDTHS)):
        ws.write_string(HEADER_ROW - 1, n, h, style("header"))
        # In pixels of the default font's digit (7), so the width stored is exactly w characters.
        ws.set_column_pixels(n, n, w * 7)
    editable = {HEADERS.index(h) for h in EDITABLE}
    by_hand = {HEADERS.index(h) for h in ("Condition", "Action")} | editable
    due_col = HEADERS.index("Due date")
    progress_col = HEADERS.index("Progress")
    for r, row in enumerate(rows, start=FIRST_ROW - 1):
        open_cols = editable if row.generated else by_hand
        for n, value in enumerate(row.values()):
            _write(ws, r, n, value, style, n in open_cols, n == due_col)
        # Given in (fractional) pixels, so the height stored is exactly these points, not rounded to a pixel.
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
        "validate": "date", "criteria": ">", "value": "36526", "show_input": False,  # 36526: 2000-01-01
        "error_title": "Please enter a date", "error_message": "Enter a date such as 2026-10-15 (year-month-day)."})
    ws.autofilter(HEADER_ROW - 1, 0, last, len(HEADERS) - 1)
    ws.freeze_panes(FIRST_ROW - 1, 0)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.75, right=0.75, top=1, bottom=1)
    ws.set_header("", {"margin": 0.5})
    ws.set_footer("", {"margin": 0.5})
    # Protected without a password: people may resize, sort, filter and add rows.
    ws.protect("", {"objects": True, "scenarios": True, "format_columns": True, "format_rows": True,
                    "insert_rows": True, "delete_rows": True, "sort": True, "autofilter": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    wb.close()
    return normalise_zip(raw.getvalue(), when)


def _write(ws: Any, r: int, n: int, value: Any, style: Any, open_: bool, due: bool) -> None:
    """One cell, as the type it holds: text stays text even when it starts with "=" (never a formula)."""
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
