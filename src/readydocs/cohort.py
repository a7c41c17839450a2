"""cohort-summary.xlsx: one row per place of a batch, for a cohort manager to sort and filter.

Columns: place, state, respondents, assessment date, overall level, average,
then a score and a status column per condition, and the conditions where
respondents disagree. Scores and statuses are coloured by band with
conditional formatting (the status words are there too, so colour is never
the only signal); the header row and place column stay put when scrolling and
every column has a filter. Places that could not be built are listed on a
second sheet with their problems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from .framework import Framework
from .wording import half_up

FILENAME = "cohort-summary.xlsx"
SHEET_PLACES = "Places"
SHEET_FAILED = "Not built"
FIXED_HEADERS = ("Place", "State", "Respondents", "Assessment date", "Overall level", "Average score")
FIXED_WIDTHS = (30, 14, 13, 16, 30, 10)


@dataclass(frozen=True)
class NotBuilt:
    place: str  # the municipality named, or "" when it could not be read
    files: tuple[str, ...]
    problems: tuple[str, ...]  # one line each


def headers(framework: Framework) -> list[str]:
    out = list(FIXED_HEADERS)
    for c in framework.conditions:
        out += [f"{c.name}: score", f"{c.name}: status"]
    return out + ["Respondents disagree on", "Folder"]


def place_row(summary: dict[str, Any], folder: str, framework: Framework) -> list[Any]:
    """One place's row, from the scores.json document of its build."""
    by_id = {c["id"]: c for c in summary["conditions"]}
    band_label = {b.id: b.label for b in framework.bands}
    day = summary.get("assessment_date") or ""
    row: list[Any] = [
        summary["place"], summary.get("state", ""), len(summary["respondents"]),
        dt.date.fromisoformat(day) if day else None,
        summary["overall"]["label"], half_up(summary["overall"]["average"]),
    ]
    for c in framework.conditions:
        got = by_id.get(c.id, {})
        status = got.get("status")
        row += [half_up(got.get("score")), band_label.get(status, framework.insufficient.label if status else "")]
    disagree = [framework.condition(cid).name for cid, c in by_id.items() if c.get("disagree")]
    return row + ["; ".join(disagree), folder]


def summary_bytes(places: Sequence[tuple[dict[str, Any], str]], not_built: Sequence[NotBuilt],
                  framework: Framework, when: dt.datetime) -> bytes:
    """The summary workbook as .xlsx bytes. ``places``: (scores.json document, output folder) per built place."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment
    from openpyxl.styles.differential import DifferentialStyle  # noqa: F401  (FormulaRule builds one)
    from openpyxl.utils import get_column_letter

    from . import sheets

    wb = Workbook()
    wb.properties.title = "Readiness cohort summary"
    wb.properties.subject = framework.title
    ws = wb.active
    ws.title = SHEET_PLACES
    cols = headers(framework)
    for n, h in enumerate(cols, start=1):
        sheets.header_cell(ws.cell(row=1, column=n, value=h))
        width = FIXED_WIDTHS[n - 1] if n <= len(FIXED_WIDTHS) else (11 if h.endswith(": score") else 18)
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.row_dimensions[1].height = 48
    rows = sorted(places, key=lambda p: (p[0]["place"].casefold(), p[1]))
    date_col = FIXED_HEADERS.index("Assessment date") + 1
    for r, (summary, folder) in enumerate(rows, start=2):
        for n, value in enumerate(place_row(summary, folder, framework), start=1):
            cell = ws.cell(row=r, column=n, value=value)
            cell.border = sheets.BORDER
            if n == date_col:
                cell.number_format = sheets.DATE_FORMAT
                cell.alignment = Alignment(horizontal="left")
    last = max(2, len(rows) + 1)
    last_col = get_column_letter(len(cols))

    # Colours by band: score columns by number, status and level columns by their words.
    first_cond = len(FIXED_HEADERS) + 1
    bands = framework.bands
    for i in range(len(framework.conditions)):
        score_col = get_column_letter(first_cond + 2 * i)
        status_col = get_column_letter(first_cond + 2 * i + 1)
        top = f"{score_col}2"
        for pos, band in enumerate(bands):
            cond = [f"ISNUMBER({top})", f"{top}>={band.min:g}"]
            if pos > 0:
                cond.append(f"{top}<{bands[pos - 1].min:g}")
            ws.conditional_formatting.add(f"{score_col}2:{score_col}{last}",
                                          FormulaRule(formula=[f"AND({','.join(cond)})"], fill=sheets.band_fill(pos), stopIfTrue=True))
            ws.conditional_formatting.add(f"{status_col}2:{status_col}{last}",
                                          FormulaRule(formula=[f'{status_col}2="{_quote(band.label)}"'], fill=sheets.band_fill(pos), stopIfTrue=True))
        ws.conditional_formatting.add(f"{status_col}2:{status_col}{last}",
                                      FormulaRule(formula=[f'{status_col}2="{_quote(framework.insufficient.label)}"'],
                                                  fill=sheets.band_fill(len(sheets.BAND_FILLS) - 1), stopIfTrue=True))
    level_col = get_column_letter(FIXED_HEADERS.index("Overall level") + 1)
    for pos, level in enumerate(framework.levels):
        # Levels and bands both run best first: the first level takes the first band's colour, the last the last's.
        shade = round(pos * (len(bands) - 1) / max(1, len(framework.levels) - 1))
        ws.conditional_formatting.add(f"{level_col}2:{level_col}{last}",
                                      FormulaRule(formula=[f'{level_col}2="{_quote(level.label)}"'], fill=sheets.band_fill(shade), stopIfTrue=True))

    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{last_col}{last}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"

    nb = wb.create_sheet(SHEET_FAILED)
    for n, (h, w) in enumerate((("Place", 30), ("Workbooks", 40), ("Problem", 100)), start=1):
        sheets.header_cell(nb.cell(row=1, column=n, value=h))
        nb.column_dimensions[get_column_letter(n)].width = w
    r = 2
    for item in sorted(not_built, key=lambda x: (x.place.casefold(), x.files)):
        for problem in item.problems or ("",):
            for n, value in enumerate((item.place or "(not known)", ", ".join(item.files), problem), start=1):
                cell = nb.cell(row=r, column=n, value=value)
                cell.alignment = sheets.TOP_WRAP
            r += 1
    if r == 2:
        nb.cell(row=2, column=1, value="Every place was built.").font = sheets.HINT_FONT
    nb.freeze_panes = "A2"
    nb.auto_filter.ref = f"A1:C{max(2, r - 1)}"
    return sheets.workbook_bytes(wb, when)


def _quote(text: str) -> str:
    return text.replace('"', '""')
