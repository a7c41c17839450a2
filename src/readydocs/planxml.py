"""The action plan's workbook, written straight as the XML parts of an .xlsx.

actionplan.py decides what goes in each cell and how it looks; this module
writes it. The parts are the ones XlsxWriter wrote for the plan, byte for
byte (tests/test_planxml.py compares the two on many plans): a general
writer spends most of a plan's time on bookkeeping one sheet of a few hundred
cells does not need. What XlsxWriter's calls set up once (column widths, the
frozen header, the filter, the two dropdowns, printing on one page wide,
protection without a password) is fixed text here, with the plan's last row
filled in.

Text is stored as XlsxWriter stores it (xlsxparts.py): in the shared table, in
the order first written; control characters as _xHHHH_ escapes (and a literal escape
with its underscore escaped); cut at 32,767 UTF-16 units, Excel's limit for a
cell. Unlike XlsxWriter, text that looks like rich-text XML ("<r>...</r>") is
escaped like any other, so no one's note becomes markup.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from . import palette
from .xlsxparts import DATE_FORMAT_ID, DATE_FORMATS, cell_text, cut_text, serial_date, theme_xml
from .xlsxvalues import column_letter
from .zipwrite import zip_bytes

SHEET_NAME = "Action plan"
HEADERS = ("Condition", "Status", "Action", "From", "Owner", "Due date", "Progress", "Notes")
WIDTHS = (30, 18, 62, 24, 20, 13, 14, 40)  # in characters
HEADER_ROW = 3  # 1-based: the row the filter starts on and printing repeats
PROGRESS = ("Not started", "In progress", "Done", "On hold")  # the Progress column's dropdown
_LETTERS = [column_letter(n) for n in range(1, len(WIDTHS) + 1)]

_EDGE_SPACE = re.compile(r"^\s|\s$")

# A style is (kind, open, date): kind "title", "hint", "header" or "cell"; open cells are yellow and unlocked.
Style = tuple[str, bool, bool]

_FONT_TAIL = f'<name val="{palette.FONT_NAME}"/><family val="2"/><scheme val="minor"/></font>'
_DEFAULT_FONT = f'<font><sz val="{palette.FONT_SIZE}"/><color theme="1"/>' + _FONT_TAIL
_THIN = f'style="thin"><color rgb="FF{palette.GRID_GREY}"/>'
_GRID_BORDER = f"<border><left {_THIN}</left><right {_THIN}</right><top {_THIN}</top><bottom {_THIN}</bottom><diagonal/></border>"


def _font(style: Style) -> str:
    kind = style[0]
    if kind == "title":
        return f'<font><b/><sz val="{palette.TITLE_SIZE}"/><color rgb="FF{palette.TEAL}"/>' + _FONT_TAIL
    if kind == "hint":
        return f'<font><i/><sz val="{palette.FONT_SIZE}"/><color rgb="FF{palette.MUTED}"/>' + _FONT_TAIL
    if kind == "header":
        return f'<font><b/><sz val="{palette.FONT_SIZE}"/><color rgb="FF{palette.WHITE}"/>' + _FONT_TAIL
    return _DEFAULT_FONT


def _fill(style: Style) -> str | None:
    colour = palette.INPUT_YELLOW if style[1] else palette.TEAL if style[0] == "header" else None
    if colour is None:
        return None
    return f'<fill><patternFill patternType="solid"><fgColor rgb="FF{colour}"/><bgColor indexed="64"/></patternFill></fill>'


def _styles_xml(used: list[Style]) -> str:
    """styles.xml for the styles in the order the sheet first used them (XlsxWriter numbers fonts, fills and borders so)."""

    fonts = [_DEFAULT_FONT]
    fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
    borders = ["<border><left/><right/><top/><bottom/><diagonal/></border>"]
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
    for style in used:
        kind, open_, date = style
        font, fill = _font(style), _fill(style)
        border = _GRID_BORDER if kind in ("header", "cell") else None
        font_id = _index(fonts, font)
        fill_id = _index(fills, fill) if fill else 0
        border_id = _index(borders, border) if border else 0
        attributes = f'numFmtId="{DATE_FORMAT_ID if date else 0}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
        attributes += ' applyNumberFormat="1"' * date + ' applyFont="1"' * (font_id > 0)
        attributes += ' applyFill="1"' * (fill_id > 0) + ' applyBorder="1"' * (border_id > 0)
        inner = ""
        if kind in ("header", "cell"):
            attributes += ' applyAlignment="1"'
            inner = f'<alignment vertical="{"center" if kind == "header" else "top"}" wrapText="1"/>'
        if open_:
            attributes += ' applyProtection="1"'
            inner += '<protection locked="0"/>'
        xfs.append(f"<xf {attributes}>{inner}</xf>" if inner else f"<xf {attributes}/>")
    formats = DATE_FORMATS if any(date for _, _, date in used) else ""
    return (_XML_HEAD + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + formats
            + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts><fills count="{len(fills)}">{"".join(fills)}</fills>'
            + f'<borders count="{len(borders)}">{"".join(borders)}</borders>'
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
            + '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def _index(items: list[str], item: str) -> int:
    if item not in items:
        items.append(item)
    return items.index(item)


@dataclass
class PlanSheet:
    """The plan's cells as written: each row's cells, row heights, and the shared text in the order first written."""

    rows: dict[int, dict[int, tuple[Style, str]]] = field(default_factory=dict)  # 0-based row -> column -> (style, <c> end)
    heights: dict[int, float] = field(default_factory=dict)  # 0-based row -> height in pixels
    strings: dict[str, int] = field(default_factory=dict)  # text -> its index in the shared table
    string_cells: int = 0

    def _cell(self, row: int, col: int, style: Style, rest: str) -> None:
        self.rows.setdefault(row, {})[col] = (style, rest)

    def text(self, row: int, col: int, value: str, style: Style) -> None:
        value = cut_text(value)
        index = self.strings.setdefault(value, len(self.strings))
        self.string_cells += 1
        self._cell(row, col, style, f' t="s"><v>{index}</v></c>')

    def blank(self, row: int, col: int, style: Style) -> None:
        self._cell(row, col, style, "/>")

    def boolean(self, row: int, col: int, value: bool, style: Style) -> None:
        self._cell(row, col, style, f' t="b"><v>{int(value)}</v></c>')

    def number(self, row: int, col: int, value: float, style: Style) -> None:
        if math.isnan(value) or math.isinf(value):  # refused, as XlsxWriter refused it
            raise TypeError(f"{value} is not a number a workbook cell can hold")
        self._cell(row, col, style, f"><v>{value:.16G}</v></c>")

    def date(self, row: int, col: int, value: dt.date, style: Style) -> None:
        self._cell(row, col, style, f"><v>{serial_date(value):.16G}</v></c>")

    def height(self, row: int, pixels: float) -> None:
        self.heights[row] = pixels


def _sheet_xml(sheet: PlanSheet, last: int, styles: dict[Style, int]) -> str:
    """The worksheet: the fixed set-up round the rows, with ``last`` (0-based) the plan's last row.

    Each style is numbered as the sheet first uses it, row by row (``styles`` fills up), as XlsxWriter numbers them.
    """
    out = [_XML_HEAD, _SHEET_START.format(last=last + 1)]
    numbers = sorted(set(sheet.rows) | set(sheet.heights))
    reach: dict[int, tuple[int, int]] = {}  # each block of 16 rows -> the first and last column with a cell
    for n, cells in sheet.rows.items():
        low, high = reach.get(n // 16, (min(cells), max(cells)))
        reach[n // 16] = (min(low, *cells), max(high, *cells))
    spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in reach.items()}
    for n in numbers:
        attributes = f' r="{n + 1}"'
        if n // 16 in spans:
            attributes += f' spans="{spans[n // 16]}"'
        if n in sheet.heights:
            attributes += f' ht="{sheet.heights[n] * 0.75:.16g}" customHeight="1"'
        row = sheet.rows.get(n)
        if not row:
            out.append(f"<row{attributes}/>")
            continue
        out.append(f"<row{attributes}>")
        for c in sorted(row):
            style, rest = row[c]
            out.append(f'<c r="{_LETTERS[c]}{n + 1}" s="{styles.setdefault(style, len(styles) + 1)}"{rest}')
        out.append("</row>")
    out.append(_SHEET_END.format(last=last + 1))
    return "".join(out)


def _strings_xml(sheet: PlanSheet) -> str:
    out = [_XML_HEAD, '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      f'count="{sheet.string_cells}" uniqueCount="{len(sheet.strings)}">']
    for text in sheet.strings:
        text = cell_text(text)  # leading or trailing white space is kept with xml:space="preserve"
        out.append(f'<si><t xml:space="preserve">{text}</t></si>' if _EDGE_SPACE.search(text) else f"<si><t>{text}</t></si>")
    out.append("</sst>")
    return "".join(out)


def workbook_bytes(sheet: PlanSheet, last: int, title: str, subject: str, author: str, when: dt.datetime) -> bytes:
    """The .xlsx file, every entry dated ``when`` (zipwrite.py: the parts every plan shares are compressed once)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = _CORE.format(title=cell_text(title), subject=cell_text(subject), author=cell_text(author), when=stamp)
    styles: dict[Style, int] = {}
    sheet_xml = _sheet_xml(sheet, last, styles)
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _PACKAGE_RELS), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet_xml), ("xl/workbook.xml", _WORKBOOK.format(last=last + 1)),
        ("xl/sharedStrings.xml", _strings_xml(sheet)), ("xl/styles.xml", _styles_xml(list(styles))),
        ("xl/theme/theme1.xml", theme_xml()), ("docProps/core.xml", core), ("docProps/app.xml", _APP),
    ]
    return zip_bytes(((name, text.encode("utf-8")) for name, text in parts), when)


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_QUOTED = "'" + SHEET_NAME.replace("'", "''") + "'"
_WIDTH_COLS = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>' for n, w in enumerate(WIDTHS, start=1))
_SHEET_START = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr><pageSetUpPr fitToPage="1"/>'
    f'</sheetPr><dimension ref="A1:{_LETTERS[-1]}{{last}}"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
    f'<pane ySplit="{HEADER_ROW}" topLeftCell="A{HEADER_ROW + 1}" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
    f"<cols>{_WIDTH_COLS}</cols><sheetData>")
_PROGRESS, _DUE = _LETTERS[HEADERS.index("Progress")], _LETTERS[HEADERS.index("Due date")]
# Protected without a password: people may resize, sort, filter and add rows. The two dropdowns reach the last row.
_SHEET_END = (
    '</sheetData><sheetProtection sheet="1" formatColumns="0" formatRows="0" insertRows="0" deleteRows="0" sort="0" '
    f'autoFilter="0"/><autoFilter ref="A{HEADER_ROW}:{_LETTERS[-1]}{{last}}"/><dataValidations count="2">'
    '<dataValidation type="list" allowBlank="1" showErrorMessage="1" errorTitle="Choose from the list" '
    f'error="Choose one of: {", ".join(PROGRESS)}." sqref="{_PROGRESS}{HEADER_ROW + 1}:{_PROGRESS}{{last}}">'
    f'<formula1>"{",".join(PROGRESS)}"</formula1></dataValidation>'
    '<dataValidation type="date" operator="greaterThan" allowBlank="1" showErrorMessage="1" '
    'errorTitle="Please enter a date" error="Enter a date such as 2026-10-15 (year-month-day)." '
    f'sqref="{_DUE}{HEADER_ROW + 1}:{_DUE}{{last}}"><formula1>36526</formula1></dataValidation></dataValidations>'  # 2000-01-01
    '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
    '<pageSetup fitToHeight="0" orientation="landscape"/><headerFooter></headerFooter></worksheet>')
_WORKBOOK = (
    _XML_HEAD + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><fileVersion appName="xl" '
    'lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews>'
    '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>'
    f'<sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets><definedNames>'
    f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{_QUOTED}!$A${HEADER_ROW}:${_LETTERS[-1]}${{last}}'
    '</definedName>'
    f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{_QUOTED}!${HEADER_ROW}:${HEADER_ROW}</definedName>'
    '</definedNames><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
_CORE = (
    _XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject><dc:creator>{author}</dc:creator>"
    '<cp:lastModifiedBy>{author}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>')
_APP = (
    _XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel'
    '</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="4" '
    'baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4>'
    '</vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>'
    '</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="2" baseType="lpstr">'
    f"<vt:lpstr>{SHEET_NAME}</vt:lpstr><vt:lpstr>{_QUOTED}!Print_Titles</vt:lpstr></vt:vector></TitlesOfParts>"
    "<Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>")
_CONTENT_TYPES = (
    _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = (
    _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>')
_WORKBOOK_RELS = (
    _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId4" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
