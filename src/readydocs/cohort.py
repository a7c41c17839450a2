"""cohort-summary.xlsx: one row per place of a batch, for a cohort manager to sort, filter and print.

This module decides what each sheet holds and how it looks; summaryxml.py
writes the workbook. Sheets:

* Places: place, state, respondents, assessment date, overall level, average,
  a score and a status column per condition, the conditions where respondents
  disagree, the output folder and a note (new since the baseline round,
  documents not replaced, ...). For sorting and filtering.
* Heat map: places down, conditions across, each cell the band word and the
  score, coloured by band with conditional formatting (the word is there too,
  so colour is never the only signal). The sheet to print and read.
* Charts: how many places reached each overall level, and the median score of
  each condition, as native Excel bar charts over small tables.
* Not built: each place that could not be built, with its problems.

Every sheet prints landscape, one page wide, with its header row (and the
place column) repeated on every page; column widths follow the longest word
of each header and the longest value, text wraps instead of being cut off,
and row heights are set for the wrapped lines (Excel does not grow rows it
opens).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from typing import Any, Sequence

from .framework import Framework
from .palette import BAND_FILLS
from .scoresjson import ConditionScore, PlaceScores
from .summaryxml import BarChart, Sheet, Style, workbook_bytes
from .wording import half_up
from .xlsxvalues import column_letter

FILENAME = "cohort-summary.xlsx"
SHEET_PLACES = "Places"
SHEET_HEAT = "Heat map"
SHEET_CHARTS = "Charts"
SHEET_FAILED = "Not built"
FIXED_HEADERS = ("Place", "State", "Respondents", "Assessment date", "Overall level", "Average score")
MAX_WIDTH = 40  # characters; longer text wraps
LINE_HEIGHT = 15  # points per line of 11-point text
HEADER: Style = ("header", False)


@dataclass(frozen=True)
class NotBuilt:
    place: str  # the municipality named, or "" when it could not be read
    files: tuple[str, ...]
    problems: tuple[str, ...]  # one line each


@dataclass(frozen=True)
class PlaceRow:
    scores: PlaceScores  # the place's numbers, as its scores.json holds them
    folder: str
    note: str = ""  # e.g. "new since the baseline round", "documents not replaced"


def headers(framework: Framework) -> list[str]:
    out = list(FIXED_HEADERS)
    for c in framework.conditions:
        out += [f"{c.name}: score", f"{c.name}: status"]
    return out + ["Respondents disagree on", "Folder", "Note"]


def _status_label(status: str | None, framework: Framework) -> str:
    band_label = {b.id: b.label for b in framework.bands}
    if not status:
        return ""
    return band_label.get(status, framework.insufficient.label)


def place_row(row: PlaceRow, framework: Framework) -> list[Any]:
    """One place's row of the Places sheet."""
    p = row.scores
    out: list[Any] = [p.place, p.state, p.respondents, p.assessment_date, p.level_label, half_up(p.average)]
    for c in framework.conditions:
        got = p.condition(c.id)
        out += [half_up(got.score), _status_label(got.status, framework)] if got else [None, ""]
    disagree = [framework.condition(c.id).name for c in p.conditions if c.disagree]
    return out + ["; ".join(disagree) or None, row.folder, row.note or None]


def heat_cell(condition: ConditionScore | None, framework: Framework) -> str:
    """The band word, then the score: 'Developing (56)'; the insufficient label alone when there is no score."""
    if not condition:
        return ""
    label = _status_label(condition.status, framework)
    score = half_up(condition.score)
    return label if score is None else f"{label} ({score})"


def verdict_counts(rows: Sequence[PlaceRow], framework: Framework) -> list[tuple[str, int]]:
    """(level label, places at that level) for every level, best first, zeros included."""
    got = [r.scores.level for r in rows]
    return [(lv.label, got.count(lv.id)) for lv in framework.levels]


def condition_medians(rows: Sequence[PlaceRow], framework: Framework) -> list[tuple[str, float | None, int]]:
    """(condition name, median score of the places that have one, how many have one), in framework order."""
    out = []
    for c in framework.conditions:
        values = [cc.score for r in rows for cc in r.scores.conditions if cc.id == c.id and cc.score is not None]
        out.append((c.name, round(statistics.median(values), 2) if values else None, len(values)))
    return out


def count_step(largest: int) -> int:
    """The places axis' step: whole places, at most eight steps to the largest count (1, 2, 5, 10, 20, 50, ...).

    A gridline per place turned a chart of 200 places into a grey block.
    """
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if largest <= 8 * step:
                return step
        scale *= 10


# --------------------------------------------------------------------------
# Layout helpers


def _lines(text: str, width: float) -> int:
    """Lines a text takes when wrapped at word boundaries in a column ``width`` characters wide."""
    total = 0
    for para in str(text).split("\n"):
        line, n = 0, 1
        for word in para.split():
            need = len(word) if line == 0 else line + 1 + len(word)
            if need > width and line:
                n += 1
                line = len(word)
            else:
                line = need
        total += n
    return total


def _width_for(header: str, values: Sequence[Any], cap: float = MAX_WIDTH, header_lines: int = 3) -> float:
    """Wide enough for the header's longest word and the longest value (up to ``cap``, then wrapped).

    A header may wrap onto ``header_lines`` lines before its column grows for it.
    """
    longest_word = max((len(w) for w in header.split()), default=4)
    longest_value: float = 0
    for _, v in {(type(v), v) for v in values}:  # each value once (by type too: 1 and 1.0 print differently)
        if v is None:
            continue
        if isinstance(v, (dt.date, dt.datetime)):
            longest_value = max(longest_value, 10)
        elif isinstance(v, str):  # its longest line (no word is longer than the line it is on)
            longest_value = max(longest_value, max(len(line) for line in v.split("\n")) if "\n" in v else len(v))
        else:
            longest_value = max(longest_value, len(str(v)))
    header_need = max(longest_word, math.ceil(len(header) / header_lines))
    # The header's longest word always fits: a word broken mid-way ("commitmen t") is what this avoids.
    return float(max(longest_word, min(cap, max(header_need, longest_value, 4))) + 2)


def _table(name: str, cols: Sequence[str], rows: Sequence[Sequence[Any]], caps: Sequence[float] | None = None,
           header_lines: int = 3, dated_column: int | None = None) -> Sheet:
    """A sheet of a header row and data rows, with widths, wrapping and row heights set.

    ``dated_column``: the column (from 0) whose data cells show a date as yyyy-mm-dd.
    """
    widths = [_width_for(h, [r[n] for r in rows], caps[n] if caps else MAX_WIDTH, header_lines) for n, h in enumerate(cols)]
    sheet = Sheet(name, widths)
    sheet.rows[1] = [(h, HEADER) for h in cols]
    sheet.heights[1] = LINE_HEIGHT * max(_lines(h, w - 1) for h, w in zip(cols, widths)) + 4
    wrapped: dict[tuple[str, int], int] = {}  # (text, column) -> lines: a cohort's cells repeat the same few words
    for r, values in enumerate(rows, start=2):
        lines = 1
        cells: list[tuple[Any, Style]] = []
        for n, value in enumerate(values):
            if isinstance(value, str):
                kind = "text"
                got = wrapped.get((value, n))
                if got is None:
                    got = wrapped[value, n] = _lines(value, widths[n] - 1)
                lines = max(lines, got)
            else:
                kind = "left" if isinstance(value, dt.date) else "top"
            cells.append((value, (kind, n == dated_column)))
        sheet.rows[r] = cells
        sheet.heights[r] = LINE_HEIGHT * lines + 2
    return sheet


# --------------------------------------------------------------------------
# The workbook


def summary_bytes(places: Sequence[PlaceRow], not_built: Sequence[NotBuilt], framework: Framework,
                  when: dt.datetime) -> bytes:
    """The summary workbook as .xlsx bytes."""
    rows = sorted(places, key=lambda p: (p.scores.place.casefold(), p.folder))
    sheets = [_places_sheet(rows, framework), _heat_sheet(rows, framework), _charts_sheet(rows, framework),
              _not_built_sheet(not_built)]
    return workbook_bytes(sheets, "Readiness cohort summary", framework.title, when)


def _fill(position: int) -> str:
    """The colour of a band (best first); positions past the palette take its last colour."""
    return BAND_FILLS[min(position, len(BAND_FILLS) - 1)]


def _places_sheet(rows: Sequence[PlaceRow], framework: Framework) -> Sheet:
    cols = headers(framework)
    # Twenty-seven columns must share one page width: condition headers take up to four
    # lines and status words wrap ("Not yet in / place"), so no word is ever cut.
    caps = [28, 14, 12, 11, 22, 8] + [6, 11] * len(framework.conditions) + [30, 20, 24]
    sheet = _table(SHEET_PLACES, cols, [place_row(r, framework) for r in rows], caps, header_lines=4,
                   dated_column=FIXED_HEADERS.index("Assessment date"))
    last = max(2, len(rows) + 1)

    # Colours by band: score columns by number, status and level columns by their words.
    first_cond = len(FIXED_HEADERS) + 1
    bands = framework.bands
    for i in range(len(framework.conditions)):
        score_col = column_letter(first_cond + 2 * i)
        status_col = column_letter(first_cond + 2 * i + 1)
        top = f"{score_col}2"
        for pos, band in enumerate(bands):
            cond = [f"ISNUMBER({top})", f"{top}>={band.min:g}"]
            if pos > 0:
                cond.append(f"{top}<{bands[pos - 1].min:g}")
            sheet.rules.append((f"{score_col}2:{score_col}{last}", f"AND({','.join(cond)})", _fill(pos)))
            sheet.rules.append((f"{status_col}2:{status_col}{last}", f'{status_col}2="{_quote(band.label)}"', _fill(pos)))
        sheet.rules.append((f"{status_col}2:{status_col}{last}", f'{status_col}2="{_quote(framework.insufficient.label)}"',
                            BAND_FILLS[-1]))
    level_col = column_letter(FIXED_HEADERS.index("Overall level") + 1)
    for pos, level in enumerate(framework.levels):
        sheet.rules.append((f"{level_col}2:{level_col}{last}", f'{level_col}2="{_quote(level.label)}"',
                            _fill(_level_shade(pos, framework))))
    sheet.freeze, sheet.auto_filter, sheet.print_title_cols = "B2", f"A1:{column_letter(len(cols))}{last}", "A:A"
    return sheet


def _level_shade(position: int, framework: Framework) -> int:
    """Levels and bands both run best first: the first level takes the first band's colour, the last the last's."""
    return round(position * (len(framework.bands) - 1) / max(1, len(framework.levels) - 1))


def _heat_sheet(rows: Sequence[PlaceRow], framework: Framework) -> Sheet:
    """Places x conditions: the band word and score in each cell, coloured by band."""
    cols = ["Place", "Overall level"] + [c.name for c in framework.conditions]
    values = []
    for r in rows:
        values.append([r.scores.place, r.scores.level_label]
                      + [heat_cell(r.scores.condition(c.id), framework) for c in framework.conditions])
    # Condition columns stay narrow: their words wrap onto two lines rather than widen the page.
    sheet = _table(SHEET_HEAT, cols, values, [28, 22] + [14] * len(framework.conditions))
    last = max(2, len(rows) + 1)
    final = column_letter(len(cols))
    # Longer labels first, so a label that begins another ("In place" in "In place, fragile") never takes its colour.
    labelled = [(b.label, _fill(pos)) for pos, b in enumerate(framework.bands)]
    labelled.append((framework.insufficient.label, BAND_FILLS[-1]))
    for label, colour in sorted(labelled, key=lambda x: -len(x[0])):
        q = _quote(label)
        sheet.rules.append((f"C2:{final}{last}", f'OR(C2="{q}",LEFT(C2,{len(label) + 2})="{q} (")', colour))
    for pos, level in enumerate(framework.levels):
        sheet.rules.append((f"B2:B{last}", f'B2="{_quote(level.label)}"', _fill(_level_shade(pos, framework))))
    sheet.freeze, sheet.auto_filter, sheet.print_title_cols = "B2", f"A1:{final}{last}", "A:A"
    return sheet


def _charts_sheet(rows: Sequence[PlaceRow], framework: Framework) -> Sheet:
    """Two small tables, and a native bar chart of each beside them."""
    counts = verdict_counts(rows, framework)
    medians = condition_medians(rows, framework)
    med_top = len(counts) + 3
    tables: list[tuple[int, list[str], list[list[Any]]]] = [
        (1, ["Overall level", "Places"], [[label, n] for label, n in counts]),
        (med_top, ["Condition", "Median score", "Places with a score"],
         [[name, None if m is None else half_up(m), n] for name, m, n in medians])]
    widths = [_width_for(" ".join(h[n] for _, h, _ in tables if n < len(h)), [r[n] for _, h, body in tables for r in body if n < len(r)], cap)
              for n, cap in enumerate((34, 14, 14))]
    sheet = Sheet(SHEET_CHARTS, widths)
    for top, cols, body in tables:
        sheet.rows[top] = [(h, HEADER) for h in cols]
        sheet.heights[top] = LINE_HEIGHT * max(_lines(h, widths[n] - 1) for n, h in enumerate(cols)) + 4
        for r, values in enumerate(body, start=top + 1):
            sheet.rows[r] = [(v, ("text" if isinstance(v, str) else "plain", False)) for v in values]
            sheet.heights[r] = LINE_HEIGHT * _lines(values[0], widths[0] - 1) + 2
    sheet.charts = [
        BarChart("Places at each overall level", "Places", header_row=1, last_row=len(counts) + 1, top=0,
                 height_cm=7, width_cm=16, major_unit=count_step(max(n for _, n in counts))),
        BarChart("Median score of each condition (0 to 100)", "Median score", header_row=med_top,
                 last_row=med_top + len(medians), top=15, height_cm=11, width_cm=16, major_unit=25, maximum=100)]
    return sheet


def _not_built_sheet(not_built: Sequence[NotBuilt]) -> Sheet:
    rows = []
    for item in sorted(not_built, key=lambda x: (x.place.casefold(), x.files)):
        for problem in item.problems or ("",):
            rows.append([item.place or "(not known)", ", ".join(item.files), problem])
    sheet = _table(SHEET_FAILED, ["Place", "Workbooks", "Problem"], rows, caps=[30, 30, 90])
    if not rows:
        sheet.rows[2] = [("Every place was built.", ("hint", False))]
    sheet.freeze, sheet.auto_filter = "A2", f"A1:C{max(2, len(rows) + 1)}"
    return sheet


def _quote(text: str) -> str:
    return text.replace('"', '""')
