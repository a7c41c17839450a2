"""The cohort summary's workbook, written straight as the XML parts of an .xlsx.

cohort.py decides what each sheet holds and how it looks (a ``Sheet``: its
cells and their styles, widths, heights, colour rules, charts); this module
writes it. The parts are the ones openpyxl wrote for the summary, byte for
byte (tests/test_summaryxml.py keeps openpyxl's way of making the summary
and compares every part), apart from three things:

* text is always text: openpyxl took a value starting with "=" for a
  formula, so a place named "=HYPERLINK(...)" became a live link;
* text is stored as the action plan stores it (xlsxvalues.cell_text):
  control characters as _xHHHH_ escapes, cut at Excel's 32,767 units,
  where openpyxl refused the first and kept the second whole;
* the theme and the application named in docProps/app.xml are the action
  plan's and readydocs'.

A general library spent about 1.2 ms a place on bookkeeping a sheet of
plain rows does not need, and the batch's last step waited for it to load.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Union

from . import palette
from .xlsxparts import DATE_FORMAT_ID, DATE_FORMATS, cell_text, cut_text, serial_date, theme_xml
from .xlsxvalues import column_letter
from .zipwrite import zip_bytes

Value = Union[str, int, float, dt.date, None]
# A cell's look: (kind, dated). Kinds: "header" (white on teal, wrapped), "text" (wrapped, top),
# "top", "left" (aligned left, top), "plain" (the grid's border alone), "hint" (grey italic, no border).
# Every kind but "hint" has the grid's border; dated cells show yyyy-mm-dd.
Style = tuple[str, bool]



@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart of one series over a table on the same sheet (rows counted from 1)."""

    title: str
    axis_title: str
    header_row: int  # the table's header row: the series' name is in column B of it
    last_row: int  # categories in column A, values in column B, from the row below the header to this one
    top: int  # the row (from 0) of column E the chart's corner is on
    height_cm: float
    width_cm: float
    major_unit: float
    maximum: float | None = None


@dataclass
class Sheet:
    name: str
    widths: list[float]  # characters, from column A
    rows: dict[int, list[tuple[Value, Style]]] = field(default_factory=dict)  # row (from 1) -> its cells from column A
    heights: dict[int, float] = field(default_factory=dict)  # row -> points
    freeze: str | None = None  # "B2" (header row and first column) or "A2" (header row)
    auto_filter: str | None = None  # e.g. "A1:K31"
    print_title_cols: str | None = None  # e.g. "A:A"; the header row always repeats
    rules: list[tuple[str, str, str]] = field(default_factory=list)  # (cells, formula, fill colour), first added first
    charts: list[BarChart] = field(default_factory=list)  # on one sheet of a workbook at most

    def last_column(self) -> int:
        return max((len(cells) for cells in self.rows.values()), default=1)


def workbook_bytes(sheets: list[Sheet], title: str, subject: str, when: dt.datetime) -> bytes:
    """The .xlsx file, every entry dated ``when``."""
    styles: dict[Style, int] = {("default", False): 0}  # numbered as first written, sheet by sheet, row by row
    fills: list[str] = []  # the colour rules' fills, numbered as first written
    parts: list[tuple[str, str]] = [("docProps/app.xml", _APP), ("docProps/core.xml", _core(title, subject, when)),
                                    ("xl/theme/theme1.xml", theme_xml())]
    charted = [s for s in sheets if s.charts]
    if len(charted) > 1:
        raise ValueError("charts go on one sheet of the summary")  # it has one drawing part
    charts = charted[0].charts if charted else []
    for n, sheet in enumerate(sheets, start=1):
        parts.append((f"xl/worksheets/sheet{n}.xml", _sheet_xml(sheet, styles, fills, _DRAWING if sheet.charts else "")))
        if sheet.charts:
            parts += [("xl/drawings/drawing1.xml", _drawing_xml(charts)),
                      ("xl/drawings/_rels/drawing1.xml.rels",
                       _rels((f"{_REL}/chart", f"/xl/charts/chart{c}.xml") for c in range(1, len(charts) + 1))),
                      (f"xl/worksheets/_rels/sheet{n}.xml.rels", _rels([(f"{_REL}/drawing", "/xl/drawings/drawing1.xml")]))]
    parts += [(f"xl/charts/chart{c}.xml", _chart_xml(chart, charted[0].name)) for c, chart in enumerate(charts, start=1)]
    parts += [("xl/styles.xml", _styles_xml(list(styles), fills)),
              ("_rels/.rels", _PACKAGE_RELS),
              ("xl/workbook.xml", _workbook_xml(sheets)),
              ("xl/_rels/workbook.xml.rels", _rels([(f"{_REL}/worksheet", f"/xl/worksheets/sheet{n}.xml")
                                                    for n in range(1, len(sheets) + 1)]
                                                   + [(f"{_REL}/styles", "styles.xml"), (f"{_REL}/theme", "theme/theme1.xml")])),
              ("[Content_Types].xml", _content_types(sheets, len(charts)))]
    # Sheets hold characters past ASCII as references (&#233;), as openpyxl wrote them; other parts hold UTF-8.
    return zip_bytes(((name, text.encode("ascii", "xmlcharrefreplace") if name.startswith("xl/worksheets/sheet")
                       else text.encode("utf-8")) for name, text in parts), when)


# --------------------------------------------------------------------------
# Sheets


def _cell_xml(ref: str, value: Value, style: int) -> str:
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}" s="{style}" t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{cell_text(cut_text(value))}</t></is></c>'
    if isinstance(value, dt.date):
        value = serial_date(value)
    if value is None or math.isnan(value) or math.isinf(value):
        return f'<c r="{ref}" s="{style}" t="n"></c>'
    kind = "b" if isinstance(value, bool) else "n"
    return f'<c r="{ref}" s="{style}" t="{kind}"><v>{value:.16g}</v></c>'


def _sheet_xml(sheet: Sheet, styles: dict[Style, int], fills: list[str], drawing: str) -> str:
    last_column, last_row = sheet.last_column(), max(sheet.rows, default=1)
    letters = [column_letter(n) for n in range(1, max(last_column, len(sheet.widths)) + 1)]
    out = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr><outlinePr '
           'summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:{letters[last_column - 1]}{last_row}"/><sheetViews><sheetView workbookViewId="0">',
           _PANES[sheet.freeze], '</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>']
    out += [f'<col width="{w:.16g}" customWidth="1" min="{n}" max="{n}"/>' for n, w in enumerate(sheet.widths, start=1)]
    out.append("</cols><sheetData>")
    for r in sorted(sheet.rows):
        height = sheet.heights.get(r)
        out.append(f'<row r="{r}">' if height is None else f'<row r="{r}" ht="{height:.16g}" customHeight="1">')
        for n, (value, style) in enumerate(sheet.rows[r]):
            out.append(_cell_xml(f"{letters[n]}{r}", value, styles.setdefault(style, len(styles))))
        out.append("</row>")
    out.append("</sheetData>")
    if sheet.auto_filter:
        out.append(f'<autoFilter ref="{sheet.auto_filter}"/>')
    grouped: dict[str, list[str]] = {}  # the rules of each range together, ranges in the order first given
    for priority, (cells, formula, colour) in enumerate(sheet.rules, start=1):
        first, _, last = cells.partition(":")
        cells = first if first == last else cells  # G2:G2 is written G2
        if colour not in fills:
            fills.append(colour)
        grouped.setdefault(cells, []).append(
            f'<cfRule type="expression" priority="{priority}" dxfId="{fills.index(colour)}" stopIfTrue="1">'
            f"<formula>{cell_text(formula)}</formula></cfRule>")
    out += [f'<conditionalFormatting sqref="{cells}">{"".join(rules)}</conditionalFormatting>' for cells, rules in grouped.items()]
    out.append(_SHEET_END + drawing + "</worksheet>")
    return "".join(out)


_DRAWING = '<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
_PANES = {
    None: '<selection activeCell="A1" sqref="A1"/>',
    "A2": '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
          '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/>',
    "B2": '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
          '<selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight" activeCell="A1" sqref="A1"/>',
}
# Landscape, one page wide, as many down as it takes; "Sheet · page 2 of 5" at the foot of each.
_SHEET_END = (
    '<printOptions gridLines="0"/><pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.5" footer="0.5"/>'
    '<pageSetup orientation="landscape" paperSize="1" fitToHeight="0" fitToWidth="1"/><headerFooter><oddHeader></oddHeader>'
    "<oddFooter>&amp;C&amp;A &#183; page &amp;P of &amp;N</oddFooter><evenHeader></evenHeader><evenFooter></evenFooter>"
    "<firstHeader></firstHeader><firstFooter></firstFooter></headerFooter>")


# --------------------------------------------------------------------------
# Styles


_FONT_TAIL = f'<color theme="1"/><sz val="{palette.FONT_SIZE}"/><scheme val="minor"/></font>'
_FONTS = {
    "default": f'<font><name val="{palette.FONT_NAME}"/><family val="2"/>' + _FONT_TAIL,
    "header": f'<font><name val="{palette.FONT_NAME}"/><b val="1"/><color rgb="00{palette.WHITE}"/><sz val="{palette.FONT_SIZE}"/></font>',
    "hint": f'<font><name val="{palette.FONT_NAME}"/><i val="1"/><color rgb="00{palette.MUTED}"/><sz val="{palette.FONT_SIZE}"/></font>',
}
_ALIGNMENTS = {"header": '<alignment vertical="center" wrapText="1"/>', "text": '<alignment vertical="top" wrapText="1"/>',
               "top": '<alignment vertical="top"/>', "left": '<alignment horizontal="left" vertical="top"/>'}
_THIN = f'style="thin"><color rgb="00{palette.GRID_GREY}"/>'
_BORDERS = ("<border><left/><right/><top/><bottom/><diagonal/></border>",
            f"<border><left {_THIN}</left><right {_THIN}</right><top {_THIN}</top><bottom {_THIN}</bottom></border>")
_FILLS = ('<fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
          f'<fill><patternFill patternType="solid"><fgColor rgb="00{palette.TEAL}"/></patternFill></fill>')


def _styles_xml(used: list[Style], fills: list[str]) -> str:
    """styles.xml: a cell format for each style in the order first written; fonts numbered as the formats first use them."""
    fonts = ["default"]
    xfs = []
    for kind, dated in used:
        font = kind if kind in ("header", "hint") else "default"
        if font not in fonts:
            fonts.append(font)
        attributes = (f'numFmtId="{DATE_FORMAT_ID if dated else 0}" fontId="{fonts.index(font)}" '
                      f'fillId="{2 if kind == "header" else 0}" borderId="{0 if kind in ("default", "hint") else 1}"')
        alignment = _ALIGNMENTS.get(kind)
        if alignment:
            xfs.append(f'<xf {attributes} applyAlignment="1" pivotButton="0" quotePrefix="0" xfId="0">{alignment}</xf>')
        else:
            xfs.append(f'<xf {attributes} pivotButton="0" quotePrefix="0" xfId="0"/>')
    formats = DATE_FORMATS if any(dated for _, dated in used) else '<numFmts count="0"/>'
    dxfs = "".join(f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="00{c}"/><bgColor rgb="00{c}"/></patternFill>'
                   "</fill></dxf>" for c in fills)
    return ('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + formats
            + f'<fonts count="{len(fonts)}">{"".join(_FONTS[f] for f in fonts)}</fonts><fills count="3">{_FILLS}</fills>'
            + f'<borders count="2">{"".join(_BORDERS)}</borders>'
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0"/></cellStyles>'
            + f'<dxfs count="{len(fills)}">{dxfs}</dxfs>'
            + '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            + _INDEXED_COLOURS + "</styleSheet>")


# Excel's legacy 64-colour palette, which the styles part lists in full.
_INDEXED_COLOURS = "<colors><indexedColors>" + "".join(f'<rgbColor rgb="00{c}"/>' for c in (
    "000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF "
    "800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF 660066 FF8080 0066CC CCCCFF "
    "000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF CCFFCC FFFF99 99CCFF FF99CC CC99FF FFCC99 "
    "3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696 003366 339966 003300 333300 993300 993366 333399 333333"
).split()) + "</indexedColors></colors>"


# --------------------------------------------------------------------------
# Charts

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_EMU_PER_CM = 360000


def _drawing_xml(charts: list[BarChart]) -> str:
    anchors = "".join(
        f"<oneCellAnchor><from><col>4</col><colOff>0</colOff><row>{c.top}</row><rowOff>0</rowOff></from>"
        f'<ext cx="{round(c.width_cm * _EMU_PER_CM)}" cy="{round(c.height_cm * _EMU_PER_CM)}"/><graphicFrame><nvGraphicFramePr>'
        f'<cNvPr id="{n}" name="Chart {n}"/><cNvGraphicFramePr/></nvGraphicFramePr><xfrm/><a:graphic xmlns:a="{_A}">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart '
        'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId{n}"/></a:graphicData>'
        "</a:graphic></graphicFrame><clientData/></oneCellAnchor>" for n, c in enumerate(charts, start=1))
    return f'<wsDr xmlns="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">{anchors}</wsDr>'


def _rich(text: str) -> str:
    return (f'<title><tx><rich><a:bodyPr xmlns:a="{_A}"/><a:p xmlns:a="{_A}"><a:pPr><a:defRPr/></a:pPr><a:r><a:t>'
            f"{cell_text(text)}</a:t></a:r></a:p></rich></tx></title>")


def _chart_xml(chart: BarChart, sheet: str) -> str:
    """Bars across (the category names are long), first row at the top, the value on each bar, no legend."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    first = chart.header_row + 1
    maximum = f'<max val="{chart.maximum:.16g}"/>' if chart.maximum is not None else ""
    return (
        '<chartSpace xmlns="http://schemas.openxmlformats.org/drawingml/2006/chart"><chart>' + _rich(chart.title)
        + '<plotArea><barChart><barDir val="bar"/><grouping val="clustered"/><ser><idx val="0"/><order val="0"/><tx><strRef>'
        f"<f>{quoted}!B{chart.header_row}</f></strRef></tx><spPr><a:ln xmlns:a=\"{_A}\"><a:prstDash val=\"solid\"/></a:ln>"
        f"</spPr><cat><strRef><f>{quoted}!$A${first}:$A${chart.last_row}</f></strRef></cat><val><numRef>"
        f"<f>{quoted}!$B${first}:$B${chart.last_row}</f></numRef></val></ser><dLbls><showLegendKey val=\"0\"/>"
        '<showVal val="1"/><showCatName val="0"/><showSerName val="0"/><showPercent val="0"/><showLeaderLines val="0"/>'
        '</dLbls><gapWidth val="150"/><axId val="10"/><axId val="100"/></barChart><catAx><axId val="10"/><scaling>'
        '<orientation val="maxMin"/></scaling><delete val="0"/><axPos val="l"/><majorTickMark val="none"/>'
        '<minorTickMark val="none"/><crossAx val="100"/><lblOffset val="100"/></catAx><valAx><axId val="100"/><scaling>'
        f'<orientation val="minMax"/>{maximum}<min val="0"/></scaling><delete val="0"/><axPos val="l"/><majorGridlines/>'
        + _rich(chart.axis_title) + '<majorTickMark val="none"/><minorTickMark val="none"/><crossAx val="10"/>'
        f'<majorUnit val="{chart.major_unit:.16g}"/></valAx></plotArea><plotVisOnly val="1"/><dispBlanksAs val="gap"/>'
        "</chart></chartSpace>")


# --------------------------------------------------------------------------
# The package

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_APP = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>readydocs</Application></Properties>")
_PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Type="{_REL}/officeDocument" Target="xl/workbook.xml" Id="rId1"/>'
    '<Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml" Id="rId2"/>'
    f'<Relationship Type="{_REL}/extended-properties" Target="docProps/app.xml" Id="rId3"/></Relationships>')


def _rels(targets) -> str:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Type="{kind}" Target="{target}" Id="rId{n}"/>'
                      for n, (kind, target) in enumerate(targets, start=1)) + "</Relationships>")


def _core(title: str, subject: str, when: dt.datetime) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    dc, terms = 'xmlns:dc="http://purl.org/dc/elements/1.1/"', ('xmlns:dcterms="http://purl.org/dc/terms/" '
                                                                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="dcterms:W3CDTF"')
    return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
            f"<dc:creator {dc}>readydocs</dc:creator><dc:title {dc}>{cell_text(title)}</dc:title>"
            f"<dc:subject {dc}>{cell_text(subject)}</dc:subject><dcterms:created {terms}>{stamp}</dcterms:created>"
            f"<dcterms:modified {terms}>{stamp}</dcterms:modified><cp:lastModifiedBy>readydocs</cp:lastModifiedBy>"
            "</cp:coreProperties>")


def _absolute(cells: str) -> str:
    """A1:K31 -> $A$1:$K$31, A:A -> $A:$A"""
    out = []
    for ref in cells.split(":"):
        letters = ref.rstrip("0123456789")
        out.append(f"${letters}${ref[len(letters):]}" if ref != letters else f"${letters}")
    return ":".join(out)


def _workbook_xml(sheets: list[Sheet]) -> str:
    listed, names = [], []
    for n, sheet in enumerate(sheets):
        listed.append(f'<sheet xmlns:r="{_REL}" name="{cell_text(sheet.name)}" sheetId="{n + 1}" state="visible" r:id="rId{n + 1}"/>')
        quoted = cell_text("'" + sheet.name.replace("'", "''") + "'")
        if sheet.auto_filter:
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                         f"{quoted}!{_absolute(sheet.auto_filter)}</definedName>")
        titles = f"{quoted}!$1:$1" + (f",{quoted}!{_absolute(sheet.print_title_cols)}" if sheet.print_title_cols else "")
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">{titles}</definedName>')
    return ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><workbookPr/><workbookProtection/>'
            '<bookViews><workbookView visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
            'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1"/></bookViews>'
            f'<sheets>{"".join(listed)}</sheets><definedNames>{"".join(names)}</definedNames>'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')


_TYPE = "application/vnd.openxmlformats-officedocument."


def _content_types(sheets: list[Sheet], charts: int) -> str:
    def override(part: str, kind: str) -> str:
        return f'<Override PartName="{part}" ContentType="{kind}"/>'
    out = ['<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
           '<Default Extension="xml" ContentType="application/xml"/>',
           override("/xl/styles.xml", _TYPE + "spreadsheetml.styles+xml"), override("/xl/theme/theme1.xml", _TYPE + "theme+xml"),
           override("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
           override("/docProps/app.xml", _TYPE + "extended-properties+xml")]
    for n, sheet in enumerate(sheets, start=1):
        out.append(override(f"/xl/worksheets/sheet{n}.xml", _TYPE + "spreadsheetml.worksheet+xml"))
        if sheet.charts:
            out.append(override("/xl/drawings/drawing1.xml", _TYPE + "drawing+xml"))
    out += [override(f"/xl/charts/chart{n}.xml", _TYPE + "drawingml.chart+xml") for n in range(1, charts + 1)]
    out.append(override("/xl/workbook.xml", _TYPE + "spreadsheetml.sheet.main+xml") + "</Types>")
    return "".join(out)
