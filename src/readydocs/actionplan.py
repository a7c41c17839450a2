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
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .errors import OutputConflictError, UnreadableFileError
from .planxml import HEADER_ROW, HEADERS, PROGRESS, SHEET_NAME as SHEET, WIDTHS, PlanSheet, workbook_bytes
from .summary import ConditionSummary, Summary
from .wording import format_date
from .xlsxcells import MAX_COLUMN, XlsxWorkbook
from .zipguard import PLAN, check_archive

FILENAME = "readiness-action-plan.xlsx"
EDITABLE = ("Owner", "Due date", "Progress", "Notes")
SUGGESTED = "Suggested action"
GAP = "Information gap"
FIND_OUT = "Find out: "
KEPT = "Kept from the earlier plan"
BY_HAND = "Added by hand"
ALL_IN_PLACE = "Every condition is in place: there are no strengthening actions to track."
# Open rows after the plan for actions people add; more can be inserted (the sheet allows it).
SPARE_ROWS = 15
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
    """The action plan workbook as .xlsx bytes (written by planxml.py); the earlier plan is read only when there is one."""

    sheet = PlanSheet()
    sheet.text(0, 0, f"Readiness action plan: {summary.place.name}", ("title", False, False))
    sheet.text(1, 0, f"From the readiness assessment of {format_date(summary.assessment_date)}. Fill in the yellow "
                     "columns (owner, due date, progress, notes) and add your own actions in the yellow rows "
                     "at the end; building again keeps what you enter here.", ("hint", False, False))
    for n, h in enumerate(HEADERS):
        sheet.text(HEADER_ROW - 1, n, h, ("header", False, False))
    editable = {HEADERS.index(h) for h in EDITABLE}
    by_hand = {HEADERS.index(h) for h in ("Condition", "Action")} | editable
    due_col = HEADERS.index("Due date")
    for r, row in enumerate(rows, start=FIRST_ROW - 1):
        open_cols = editable if row.generated else by_hand
        for n, value in enumerate(row.values()):
            _write(sheet, r, n, value, n in open_cols, n == due_col)
        # Given in (fractional) pixels, so the height stored is exactly these points, not rounded to a pixel.
        sheet.height(r, max(30, 15 * (len(row.action) // (WIDTHS[2] - 4) + 1) + 4) * 4 / 3)
    first_spare = FIRST_ROW - 1 + len(rows)
    if not rows:
        sheet.text(first_spare, 0, ALL_IN_PLACE, ("hint", False, False))
        first_spare += 1
    for r in range(first_spare, first_spare + SPARE_ROWS):
        for n in range(len(HEADERS)):
            sheet.blank(r, n, ("cell", True, n == due_col))
    return workbook_bytes(sheet, last=first_spare + SPARE_ROWS - 1, title=f"Readiness action plan: {summary.place.name}",
                          subject=summary.framework.title, author="readydocs", when=when)


def _write(sheet: PlanSheet, r: int, n: int, value: Any, open_: bool, due: bool) -> None:
    """One cell, as the type it holds: text stays text even when it starts with "=" (never a formula)."""
    if value is None or value == "":
        sheet.blank(r, n, ("cell", open_, due))
    elif isinstance(value, bool):
        sheet.boolean(r, n, value, ("cell", open_, due))
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.date(r, n, value, ("cell", open_, True))
    elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        sheet.number(r, n, value, ("cell", open_, due))
    else:  # text, and a number past what a cell holds (1e999 in an edited plan's XML) kept as its text

        sheet.text(r, n, str(value), ("cell", open_, due))
