"""How openpyxl wrote the cohort summary, kept as the reference summaryxml.py is compared with.

This is cohort.py's code from when the summary was made with openpyxl: the
same decisions (cohort.py's row values, widths and rules), made through
openpyxl's cells, styles, conditional formats and charts.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from typing import Any, Callable, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter

from readydocs import sheets
from readydocs.cohort import (
    FIXED_HEADERS, LINE_HEIGHT, MAX_WIDTH, SHEET_CHARTS, SHEET_FAILED, SHEET_HEAT, SHEET_PLACES, NotBuilt, PlaceRow, _lines,
    _quote, _width_for, condition_medians, count_step, headers, heat_cell, place_row, verdict_counts,
)
from readydocs.framework import Framework
from readydocs.palette import BAND_FILLS
from readydocs.wording import half_up


def _band_fill(position: int) -> PatternFill:
    return PatternFill("solid", fgColor=BAND_FILLS[min(position, len(BAND_FILLS) - 1)],
                       bgColor=BAND_FILLS[min(position, len(BAND_FILLS) - 1)])


class _Styles:
    """Each kind of cell styled once and its style copied to the others, cell for cell as styling each would be.

    openpyxl hashes every style object a cell is given (to find it among the
    workbook's styles), which took most of the summary's time when every cell
    was styled on its own.
    """

    def __init__(self) -> None:
        self._kept: dict[Any, Any] = {}

    def apply(self, cell, kind: Any, style: Callable[[Any], None]) -> None:
        kept = self._kept.get(kind)
        if kept is None:
            style(cell)
            self._kept[kind] = copy(cell._style)
        else:
            cell._style = copy(kept)  # a cell's own copy: a later change to one cell must not reach the others


def _layout(ws, cols: Sequence[str], rows: Sequence[Sequence[Any]], caps: Sequence[float] | None = None,
            header_lines: int = 3, number_formats: dict[int, str] | None = None) -> list[float]:
    """Set widths, wrapping and row heights for a header row and data rows; returns the widths.

    ``number_formats``: column (from 1) -> number format of its data cells.
    """

    number_formats = number_formats or {}
    widths = []
    for n, h in enumerate(cols):
        cap = caps[n] if caps else MAX_WIDTH
        w = _width_for(h, [r[n] for r in rows], cap, header_lines)
        widths.append(w)
        ws.column_dimensions[get_column_letter(n + 1)].width = w
        sheets.header_cell(ws.cell(row=1, column=n + 1, value=h))
    ws.row_dimensions[1].height = LINE_HEIGHT * max(_lines(h, w - 1) for h, w in zip(cols, widths)) + 4

    def text(cell) -> None:
        cell.border = sheets.BORDER
        cell.alignment = sheets.TOP_WRAP

    def top(horizontal: str | None) -> Callable[[Any], None]:
        def style(cell) -> None:
            cell.border = sheets.BORDER
            cell.alignment = Alignment(vertical="top", horizontal=horizontal)
        return style

    date, other = top("left"), top(None)
    styles = _Styles()
    for r, values in enumerate(rows, start=2):
        lines = 1
        for n, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=n, value=value)
            if isinstance(value, str):
                styles.apply(cell, "text", text)
                lines = max(lines, _lines(value, widths[n - 1] - 1))
            elif isinstance(value, dt.date):
                styles.apply(cell, "date", date)
            else:
                styles.apply(cell, "other", other)
        ws.row_dimensions[r].height = LINE_HEIGHT * lines + 2
    for n, number_format in number_formats.items():
        for r in range(2, len(rows) + 2):
            cell = ws.cell(row=r, column=n)
            styles.apply(cell, (number_format, tuple(cell._style)), lambda c: setattr(c, "number_format", number_format))
    return widths


def _print_setup(ws, title_cols: str | None = None) -> None:
    """Landscape, one page wide (as many pages down as needed), header row and place column on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = "1:1"
    if title_cols:
        ws.print_title_cols = title_cols
    ws.oddFooter.center.text = "&A \u00b7 page &P of &N"


# --------------------------------------------------------------------------
# The workbook


def openpyxl_summary_bytes(places: Sequence[PlaceRow], not_built: Sequence[NotBuilt], framework: Framework,
                  when: dt.datetime) -> bytes:
    """The summary workbook as .xlsx bytes."""

    rows = sorted(places, key=lambda p: (p.scores.place.casefold(), p.folder))
    wb = Workbook()
    wb.properties.title = "Readiness cohort summary"
    wb.properties.subject = framework.title
    _places_sheet(wb.active, rows, framework)
    _heat_sheet(wb.create_sheet(SHEET_HEAT), rows, framework)
    _charts_sheet(wb.create_sheet(SHEET_CHARTS), rows, framework)
    _not_built_sheet(wb.create_sheet(SHEET_FAILED), not_built)
    return sheets.workbook_bytes(wb, when)


def _places_sheet(ws, rows: Sequence[PlaceRow], framework: Framework) -> None:
    ws.title = SHEET_PLACES
    cols = headers(framework)
    values = [place_row(r, framework) for r in rows]
    # Twenty-seven columns must share one page width: condition headers take up to four
    # lines and status words wrap ("Not yet in / place"), so no word is ever cut.
    caps = [28, 14, 12, 11, 22, 8] + [6, 11] * len(framework.conditions) + [30, 20, 24]
    date_col = FIXED_HEADERS.index("Assessment date") + 1
    _layout(ws, cols, values, caps, header_lines=4, number_formats={date_col: sheets.DATE_FORMAT})
    last = max(2, len(rows) + 1)

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
                                          FormulaRule(formula=[f"AND({','.join(cond)})"], fill=_band_fill(pos), stopIfTrue=True))
            ws.conditional_formatting.add(f"{status_col}2:{status_col}{last}",
                                          FormulaRule(formula=[f'{status_col}2="{_quote(band.label)}"'], fill=_band_fill(pos), stopIfTrue=True))
        ws.conditional_formatting.add(f"{status_col}2:{status_col}{last}",
                                      FormulaRule(formula=[f'{status_col}2="{_quote(framework.insufficient.label)}"'],
                                                  fill=_band_fill(len(BAND_FILLS) - 1), stopIfTrue=True))
    level_col = get_column_letter(FIXED_HEADERS.index("Overall level") + 1)
    for pos, level in enumerate(framework.levels):
        # Levels and bands both run best first: the first level takes the first band's colour, the last the last's.
        shade = round(pos * (len(bands) - 1) / max(1, len(framework.levels) - 1))
        ws.conditional_formatting.add(f"{level_col}2:{level_col}{last}",
                                      FormulaRule(formula=[f'{level_col}2="{_quote(level.label)}"'], fill=_band_fill(shade), stopIfTrue=True))

    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last}"
    _print_setup(ws, "A:A")


def _heat_sheet(ws, rows: Sequence[PlaceRow], framework: Framework) -> None:
    """Places x conditions: the band word and score in each cell, coloured by band."""

    cols = ["Place", "Overall level"] + [c.name for c in framework.conditions]
    values = []
    for r in rows:
        values.append([r.scores.place, r.scores.level_label]
                      + [heat_cell(r.scores.condition(c.id), framework) for c in framework.conditions])
    # Condition columns stay narrow: their words wrap onto two lines rather than widen the page.
    caps = [28, 22] + [14] * len(framework.conditions)
    _layout(ws, cols, values, caps)
    last = max(2, len(rows) + 1)
    first, final = get_column_letter(3), get_column_letter(len(cols))
    # Longer labels first, so a label that begins another ("In place" in "In place, fragile") never takes its colour.
    labelled = [(b.label, pos) for pos, b in enumerate(framework.bands)]
    labelled.append((framework.insufficient.label, len(BAND_FILLS) - 1))
    for label, pos in sorted(labelled, key=lambda x: -len(x[0])):
        q = _quote(label)
        rule = f'OR(C2="{q}",LEFT(C2,{len(label) + 2})="{q} (")'
        ws.conditional_formatting.add(f"{first}2:{final}{last}", FormulaRule(formula=[rule], fill=_band_fill(pos), stopIfTrue=True))
    for pos, level in enumerate(framework.levels):
        shade = round(pos * (len(framework.bands) - 1) / max(1, len(framework.levels) - 1))
        ws.conditional_formatting.add(f"B2:B{last}", FormulaRule(formula=[f'B2="{_quote(level.label)}"'],
                                                                 fill=_band_fill(shade), stopIfTrue=True))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{final}{last}"
    _print_setup(ws, "A:A")


def _charts_sheet(ws, rows: Sequence[PlaceRow], framework: Framework) -> None:
    """Two small tables, and a native bar chart of each beside them."""

    counts = verdict_counts(rows, framework)
    medians = condition_medians(rows, framework)
    tables: list[tuple[int, list[str], list[list[Any]]]] = [(1, ["Overall level", "Places"], [[label, n] for label, n in counts]),
              (len(counts) + 3, ["Condition", "Median score", "Places with a score"],
               [[name, None if m is None else half_up(m), n] for name, m, n in medians])]
    widths = [_width_for(" ".join(h[n] for _, h, _ in tables if n < len(h)), [r[n] for _, h, body in tables for r in body if n < len(r)], cap)
              for n, cap in enumerate((34, 14, 14))]
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    for top, cols, body in tables:
        for n, h in enumerate(cols, start=1):
            sheets.header_cell(ws.cell(row=top, column=n, value=h))
        ws.row_dimensions[top].height = LINE_HEIGHT * max(_lines(h, widths[n] - 1) for n, h in enumerate(cols)) + 4
        for r, values in enumerate(body, start=top + 1):
            for n, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=n, value=value)
                cell.border = sheets.BORDER
                if isinstance(value, str):
                    cell.alignment = sheets.TOP_WRAP
            ws.row_dimensions[r].height = LINE_HEIGHT * _lines(values[0], widths[0] - 1) + 2
    med_top = tables[1][0]

    verdicts = BarChart()
    verdicts.title = "Places at each overall level"
    verdicts.y_axis.title = "Places"
    verdicts.y_axis.majorUnit = count_step(max(n for _, n in counts))
    verdicts.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(counts) + 1), titles_from_data=True)
    verdicts.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(counts) + 1))
    verdicts.height, verdicts.width = 7, 16
    scores = BarChart()
    scores.title = "Median score of each condition (0 to 100)"
    scores.y_axis.title = "Median score"
    scores.y_axis.scaling.max = 100
    scores.y_axis.majorUnit = 25
    scores.add_data(Reference(ws, min_col=2, min_row=med_top, max_row=med_top + len(medians)), titles_from_data=True)
    scores.set_categories(Reference(ws, min_col=1, min_row=med_top + 1, max_row=med_top + len(medians)))
    scores.height, scores.width = 11, 16
    for chart in (verdicts, scores):
        for series in chart.series:
            # Category labels are text: a string reference, as Excel writes it (openpyxl's default is numeric).
            series.cat = AxDataSource(strRef=StrRef(f=series.cat.numRef.f))
        chart.type = "bar"  # horizontal: the category names are long
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
        chart.y_axis.scaling.min = 0
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = None
        # The value alone: LibreOffice would otherwise add the series and category names to every label.
        chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                         showPercent=False, showLeaderLines=False)
    ws.add_chart(verdicts, "E1")
    ws.add_chart(scores, "E16")
    _print_setup(ws)


def _not_built_sheet(ws, not_built: Sequence[NotBuilt]) -> None:
    rows = []
    for item in sorted(not_built, key=lambda x: (x.place.casefold(), x.files)):
        for problem in item.problems or ("",):
            rows.append([item.place or "(not known)", ", ".join(item.files), problem])
    cols = ["Place", "Workbooks", "Problem"]
    _layout(ws, cols, rows, caps=[30, 30, 90])
    if not rows:
        ws.cell(row=2, column=1, value="Every place was built.").font = sheets.HINT_FONT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:C{max(2, len(rows) + 1)}"
    _print_setup(ws)
