"""Native Word charts: a template's DrawingML charts filled with readydocs' numbers.

Longer than most modules because a chart's XML, its embedded workbook and
the document's relationships to both change together: a fill, a check or a
picture in the chart's place must keep all three in step.

A chart in a Word document is a chart part (``word/charts/chartN.xml``, a
``c:chartSpace``) drawn from its cached values, with the same numbers in an
embedded workbook (``word/embeddings/*.xlsx``) that Word opens for "Edit
Data". A template marks a chart for readydocs by its name, ``readydocs:NAME``
(Word: Selection Pane; LibreOffice: right-click > Name), or by naming its
first series so; NAME says which data it shows (``charts.CHART_NAMES``).
Charts without a marker are the template author's own and are left alone.

Filling a chart changes only its data: category labels, values, series
names, the cached copies of each, the embedded workbook, the alt text, and,
for a series that has per-point colours (``c:dPt``), which colour each point
gets. Everything else in the chart part (type, colours, fonts, axes, data
labels, legend) is the template author's and is kept byte for byte in the
XML tree.

Band colours are learnt from the template: each per-point colour in the
template's chart belongs to the band of the value cached for that point, so
restyling a green bar in Word restyles every "In place" bar. A band the
template's chart does not show gets the default palette's colour.

The default templates' charts are written by python-pptx's chart XML writer
(scripts/make_templates.py; a development dependency): Word and PowerPoint
share the c:chartSpace format, and that writer is well kept. A build does not
use python-pptx: it only replaces the data of a chart someone may have
restyled, which takes a few lxml edits, where python-pptx would add a fifth
of a second of imports to every build and its workbook writer stamps the clock.

Nothing in a template's chart is run or followed: the chart XML is parsed with
entities and network access off and a size limit, a chart linked to an
outside file is refused, and the embedded workbook, which readydocs replaces
without reading, must still pass the intake workbook's zip guards.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Sequence
from xml.sax.saxutils import escape

from docx.oxml.ns import qn
from lxml import etree

from .docxparts import A_NS, C_NS, R_NS, W_NS, WP_NS, story_parts
from .errors import TemplateError, UnreadableFileError
from .zipguard import CHART_WORKBOOK, check_archive, declares_dtd
from .zipwrite import zip_bytes

CHART_RT = f"{R_NS}/chart"  # relationship types: a document's chart, a chart's embedded workbook
PACKAGE_RT = f"{R_NS}/package"
_C = f"{{{C_NS}}}"
_A = f"{{{A_NS}}}"

MARKER_PREFIX = "readydocs:"
_ZIP_TIME = dt.datetime(1980, 1, 1, 0, 0, 0)  # an embedded workbook's parts are dated at the earliest time a zip holds
# A chart part Word writes for a few dozen points is 5-20 KB; a larger one is not a chart of ours.
MAX_CHART_XML_BYTES = 2 * 1024 * 1024
SHEET = "Sheet1"
# Chart types whose series are categories and values; scatter and bubble charts plot x against y.
_UNSUPPORTED_PLOTS = {"scatterChart", "bubbleChart", "stockChart", "surfaceChart", "surface3DChart"}
# Elements of a c:ser that may come before each element we write, in schema order (all chart types).
_BEFORE_TX = ("idx", "order")
_BEFORE_CAT = _BEFORE_TX + ("tx", "spPr", "invertIfNegative", "pictureOptions", "marker", "dPt", "dLbls",
                            "trendline", "errBars", "explosion")
_BEFORE_VAL = _BEFORE_CAT + ("cat",)
_FILLS = ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    # Band position of each value (0 = best band), None where there is no value.
    bands: tuple[int | None, ...]


@dataclass(frozen=True)
class ChartData:
    """What one marked chart shows, and how it is described to someone who cannot see it."""

    categories: tuple[str, ...]
    series: tuple[Series, ...]
    band_mins: tuple[float, ...]  # lowest score of each band, best band first
    band_colours: tuple[str, ...]  # default colour (RRGGBB) of each band position
    title: str
    alt: str


def _marker(name: str | None) -> str | None:
    name = (name or "").strip()
    if name.lower().startswith(MARKER_PREFIX):
        return name[len(MARKER_PREFIX):].strip().lower()
    return None


def marked_charts(part) -> list[tuple[Any, str, str]]:
    """(wp:docPr, marker, relationship id) of every readydocs-marked chart in one part (body, header, footer).

    The marker is the drawing's name, or else its chart's first series name:
    LibreOffice forgets a chart's name when it opens a .docx, but keeps its
    series names, so the default templates carry the marker in both.
    """
    found = []
    for holder in part.element.iter(f"{{{WP_NS}}}inline", f"{{{WP_NS}}}anchor"):
        doc_pr = holder.find(f"{{{WP_NS}}}docPr")
        chart = next(holder.iter(f"{_C}chart"), None)
        rid = chart.get(f"{{{R_NS}}}id") if chart is not None else None
        if doc_pr is None or not rid:
            continue
        marker = _marker(doc_pr.get("name"))
        rel = part.rels.get(rid)
        if marker is None and rel is not None and not rel.is_external:
            first = next(_parse(rel.target_part.blob, f"chart \u201c{doc_pr.get('name')}\u201d").iter(f"{_C}ser"), None)
            marker = _marker(first.findtext(f"{_C}tx//{_C}v")) if first is not None else None
        if marker is not None:
            found.append((doc_pr, marker, rid))
    return found


def _parse(blob: bytes, where: str):
    if len(blob) > MAX_CHART_XML_BYTES:
        raise TemplateError(f"{where}: the chart part is {len(blob) // 1024} KB, larger than a chart "
                            f"({MAX_CHART_XML_BYTES // (1024 * 1024)} MB limit).", "Insert the chart again in Word.")
    if declares_dtd(blob):
        raise TemplateError(f"{where}: the chart part declares XML entities or a DOCTYPE, which Word never writes.",
                            "Insert the chart again in Word.")
    try:
        root = etree.fromstring(blob, _parser())
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"{where}: the chart part is not well-formed XML ({exc}).", "Insert the chart again in Word.")
    if root.tag != f"{_C}chartSpace":
        raise TemplateError(f"{where}: the chart part is not a chart.", "Insert the chart again in Word.")
    return root


@lru_cache(maxsize=1)
def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _series(root, where: str) -> list[Any]:
    plot_area = root.find(f"{_C}chart/{_C}plotArea")
    if plot_area is None:
        raise TemplateError(f"{where}: the chart has no plot area.", "Insert the chart again in Word.")
    sers = []
    for plot in plot_area:
        local = plot.tag.rpartition("}")[2]
        if local in _UNSUPPORTED_PLOTS:
            raise TemplateError(f"{where}: is a {local[:-5]} chart, which plots numbers against numbers.",
                                "Use a bar, column, line, area, radar or pie chart for readydocs data.")
        if local.endswith("Chart"):
            sers.extend(plot.iterchildren(f"{_C}ser"))
    if not sers:
        raise TemplateError(f"{where}: the chart has no data series.", "Give the chart at least one series in Word (Edit Data).")
    return sers


def _el(tag: str, val: str | None = None, text: str | None = None):
    prefix, local = tag.split(":")
    el = etree.Element(f"{{{C_NS if prefix == 'c' else A_NS}}}{local}")
    if val is not None:
        el.set("val", val)
    if text is not None:
        el.text = text
    return el


def _put(ser, new, before: Sequence[str]) -> None:
    """Replace ser's element of new's tag, or insert new after the last of ``before`` present."""
    old = ser.find(new.tag)
    if old is not None:
        ser.replace(old, new)
        return
    position = 0
    for i, child in enumerate(ser):
        if child.tag.rpartition("}")[2] in before:
            position = i + 1
    ser.insert(position, new)


def _number(v: float) -> str:
    text = repr(round(float(v), 2))
    return text[:-2] if text.endswith(".0") else text


def _column(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _str_ref(formula: str, texts: Sequence[str]):
    ref = _el("c:strRef")
    ref.append(_el("c:f", text=formula))
    cache = _el("c:strCache")
    cache.append(_el("c:ptCount", str(len(texts))))
    for i, text in enumerate(texts):
        pt = _el("c:pt")
        pt.set("idx", str(i))
        pt.append(_el("c:v", text=text))
        cache.append(pt)
    ref.append(cache)
    return ref


def _cached_values(ser) -> dict[int, float]:
    out = {}
    for pt in ser.iterfind(f"{_C}val//{_C}pt"):
        v = pt.find(f"{_C}v")
        try:
            out[int(pt.get("idx", ""))] = float(v.text)
        except (TypeError, ValueError, AttributeError):
            continue
    return out


def _band_of(value: float, band_mins: Sequence[float]) -> int | None:
    return next((i for i, low in enumerate(band_mins) if value >= low), None)


def _fill_series(ser, n: int, series: Series, data: ChartData) -> None:
    col = _column(n + 1)
    last_row = len(data.categories) + 1
    learnt: dict[int, Any] = {}
    old_points = list(ser.iterchildren(f"{_C}dPt"))
    if old_points:
        # Which colour the template gave each band, read before the template's values are replaced.
        old_values = _cached_values(ser)
        for dpt in old_points:
            idx = dpt.find(f"{_C}idx")
            value = old_values.get(int(idx.get("val", "-1"))) if idx is not None and idx.get("val", "").isdigit() else None
            band = None if value is None else _band_of(value, data.band_mins)
            if band is not None:
                learnt.setdefault(band, dpt)
    tx = _el("c:tx")
    tx.append(_str_ref(f"{SHEET}!${col}$1", [series.name]))
    _put(ser, tx, _BEFORE_TX)
    cat = _el("c:cat")
    cat.append(_str_ref(f"{SHEET}!$A$2:$A${last_row}", data.categories))
    _put(ser, cat, _BEFORE_CAT)
    old_cache = ser.find(f"{_C}val/{_C}numRef/{_C}numCache")
    old_format = old_cache.find(f"{_C}formatCode") if old_cache is not None else None
    num_ref = _el("c:numRef")
    num_ref.append(_el("c:f", text=f"{SHEET}!${col}$2:${col}${last_row}"))
    cache = _el("c:numCache")
    cache.append(_el("c:formatCode", text=old_format.text if old_format is not None and old_format.text else "General"))
    cache.append(_el("c:ptCount", str(len(data.categories))))
    for i, v in enumerate(series.values):
        if v is None:
            continue  # no score: a gap in the chart, as an empty cell is in Excel
        pt = _el("c:pt")
        pt.set("idx", str(i))
        pt.append(_el("c:v", text=_number(v)))
        cache.append(pt)
    num_ref.append(cache)
    val = _el("c:val")
    val.append(num_ref)
    _put(ser, val, _BEFORE_VAL)
    if old_points:
        _recolour(ser, old_points, learnt, series, data)


def _recolour(ser, old_points, learnt: dict[int, Any], series: Series, data: ChartData) -> None:
    """One c:dPt per point with a value, styled as the template styled that point's band."""
    position = list(ser).index(old_points[0])
    for dpt in old_points:
        ser.remove(dpt)
    pattern = next(iter(learnt.values()), old_points[0])
    for i, (value, band) in enumerate(zip(series.values, series.bands)):
        if value is None or band is None:
            continue
        dpt = copy.deepcopy(learnt.get(band, pattern))
        idx = dpt.find(f"{_C}idx")
        if idx is None:
            idx = _el("c:idx")
            dpt.insert(0, idx)
        idx.set("val", str(i))
        if band not in learnt:
            _set_fill(dpt, data.band_colours[min(band, len(data.band_colours) - 1)])
        ser.insert(position, dpt)
        position += 1


def _set_fill(dpt, colour: str) -> None:
    sp_pr = dpt.find(f"{_C}spPr")
    if sp_pr is None:
        sp_pr = _el("c:spPr")
        _put(dpt, sp_pr, ("idx", "invertIfNegative", "marker", "bubble3D", "explosion"))
    for old in [c for c in sp_pr if c.tag.rpartition("}")[2] in _FILLS]:
        sp_pr.remove(old)
    fill = _el("a:solidFill")
    rgb = _el("a:srgbClr", colour)
    fill.append(rgb)
    sp_pr.insert(1 if sp_pr.find(f"{_A}xfrm") is not None else 0, fill)


def fill_chart_xml(blob: bytes, data: ChartData, where: str) -> bytes:
    """The chart part with ``data`` in place of the template's numbers; everything else kept."""

    root = _parse(blob, where)
    sers = _series(root, where)
    while len(sers) > len(data.series):
        extra = sers.pop()
        extra.getparent().remove(extra)
    used = {int(e.get("val")) for ser in sers for e in (ser.find(f"{_C}idx"), ser.find(f"{_C}order"))
            if e is not None and (e.get("val") or "").isdigit()}
    while len(sers) < len(data.series):
        # A series the template lacks looks like its last one, with its own number.
        clone = copy.deepcopy(sers[-1])
        number = max(used, default=-1) + 1
        used.add(number)
        for tag in ("idx", "order"):
            el = clone.find(f"{_C}{tag}")
            if el is not None:
                el.set("val", str(number))
        sers[-1].addnext(clone)
        sers.append(clone)
    for n, (ser, series) in enumerate(zip(sers, data.series)):
        _fill_series(ser, n, series, data)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@lru_cache(maxsize=32)
def _chart_part_problem(blob: bytes) -> str | None:
    # Cached by content: a batch checks the same few template charts for every place.
    try:
        _series(_parse(blob, ""), "")
    except TemplateError as exc:
        return exc.message.lstrip(": ") + (f" {exc.hint}" if exc.hint else "")
    return None


@lru_cache(maxsize=32)
def embedded_workbook_problem(blob: bytes) -> str | None:
    """What fails the shared zip and XML guards (zipguard.py) in a chart's embedded workbook, or None."""

    try:
        check_archive(Path("embedded workbook"), CHART_WORKBOOK, data=blob)
    except UnreadableFileError as exc:
        # The guard's first clause, without the label it starts with.
        return exc.message.split(": ", 1)[-1].split("; ")[0].rstrip(".")
    return None


def data_workbook(data: ChartData) -> bytes:
    """The chart's numbers as a one-sheet .xlsx for Word's "Edit Data", the same bytes for the same data.

    Categories down column A, one series per column from B, names in row 1:
    the layout the chart's formulas point at. Written directly (a handful of
    small XML parts with no dates in them and fixed zip times) rather than
    through a spreadsheet library, which would stamp the clock and cost about
    twenty times as long for what is a table of a few dozen cells.
    """

    def cell(ref: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            text = escape(value)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
        return f'<c r="{ref}"><v>{_number(value)}</v></c>'

    rows: list[list[Any]] = [[None] + [s.name for s in data.series]]
    for i, name in enumerate(data.categories):
        rows.append([name] + [s.values[i] if i < len(s.values) else None for s in data.series])
    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{_column(c)}{r}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1))
    width = _column(len(data.series))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{R_NS}"><sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:{width}{len(rows)}"/>'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
            '<cols><col min="1" max="1" width="44" customWidth="1"/></cols>'
            f'<sheetData>{body}</sheetData></worksheet>'),
    }
    # zipwrite writes zipfile's own bytes, and compresses the parts every chart shares once per process.
    return zip_bytes([(name, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml).encode("utf-8"))
                      for name, xml in parts.items()], _ZIP_TIME)


def chart_problems(part, doc_pr, marker: str, rid: str, names: Collection[str]) -> str | None:
    """Why a marked chart cannot be filled (unknown data, linked, unsafe workbook), or None."""
    if marker not in names:
        return (f"readydocs has no chart data named \u201c{marker}\u201d. Name the chart "
                f"{' or '.join(MARKER_PREFIX + k for k in sorted(names))} (Word: Selection Pane; LibreOffice: right-click > Name).")
    rel = part.rels.get(rid)
    if rel is None or rel.is_external:
        return "the chart is linked to an outside file. Insert the chart in the template itself, not as a link."
    problem = _chart_part_problem(rel.target_part.blob)
    if problem:
        return problem
    for chart_rel in rel.target_part.rels.values():
        if chart_rel.is_external:
            return "the chart's data is linked to an outside workbook. Paste the chart with its data embedded, not linked."
        if chart_rel.reltype == PACKAGE_RT:
            problem = embedded_workbook_problem(chart_rel.target_part.blob)
            if problem:
                return (f"the chart's embedded workbook was refused, so the template was not used: {problem}. Insert the "
                        "chart again in Word, or copy it from a default template ('readydocs templates export').")
    return None


def check_charts(doc, template_name: str, names: Collection[str]) -> None:
    """Refuse a template (before rendering) with a marked chart that cannot be filled, naming it.

    ``names`` are all the chart data readydocs knows. Checked before
    rendering, so a chart inside ``{%p if %}`` is checked on every build.
    """
    for _, part in story_parts(doc):
        try:
            charts = marked_charts(part)
        except TemplateError as exc:
            raise TemplateError(f"{template_name}, {exc.message}", exc.hint)
        for doc_pr, marker, rid in charts:
            problem = chart_problems(part, doc_pr, marker, rid, names)
            if problem:
                raise TemplateError(f"{template_name}, chart \u201c{doc_pr.get('name')}\u201d: {problem}")


def fill_charts(doc, datasets: dict[str, ChartData], template_name: str) -> None:
    """Fill every readydocs-marked chart in a rendered python-docx Document (checked by check_charts), in place."""
    blobs, unused = filled_charts(story_parts(doc), datasets, template_name)
    for part in doc.part.package.iter_parts():
        if str(part.partname) in blobs:
            part._blob = blobs[str(part.partname)]
    for part, rid in unused:
        part.rels.pop(rid)


def filled_charts(stories: Sequence[tuple[str, Any]], datasets: dict[str, ChartData],
                  template_name: str) -> tuple[dict[str, bytes], list[tuple[Any, str]]]:
    """Fill every readydocs-marked chart of a rendered document's stories (docxparts.story_parts).

    Each story's ``element`` is its rendered XML, and is changed here (alt
    text; a chart of data this build lacks is left out); its ``rels`` are only
    read. Returns the filled bytes of each chart part and embedded workbook by
    part name, and (story, relationship id) of each chart no story shows any
    more, for the caller to remove. ``datasets`` is what this build has (no
    "rounds" without an earlier round); a chart the template left out when
    rendering (inside ``{%p if %}``) goes too: no stand-in numbers stay behind unseen.
    """
    blobs: dict[str, bytes] = {}
    unused: list[tuple[Any, str]] = []
    for _, part in stories:
        for doc_pr, marker, rid in marked_charts(part):
            where = f"{template_name}, chart \u201c{doc_pr.get('name')}\u201d"
            data = datasets.get(marker)
            if data is None:
                drawing = next(doc_pr.iterancestors(f"{{{W_NS}}}drawing"), None)
                if drawing is not None:
                    drawing.getparent().remove(drawing)
                continue
            chart_part = part.rels[rid].target_part
            name = str(chart_part.partname)
            blobs[name] = fill_chart_xml(blobs.get(name, chart_part.blob), data, where)
            for chart_rel in chart_part.rels.values():
                if chart_rel.reltype == PACKAGE_RT:
                    blobs[str(chart_rel.target_part.partname)] = data_workbook(data)
            doc_pr.set("title", data.title)
            doc_pr.set("descr", data.alt)
        unused += [(part, rid) for rid in _unused_charts(part)]
    return blobs, unused


_RIDS = etree.XPath("//@r:id", namespaces={"r": R_NS})


def _unused_charts(part) -> list[str]:
    found = _RIDS(part.element)
    referenced = {str(r) for r in found} if isinstance(found, list) else set()
    return [rid for rid, rel in part.rels.items() if rel.reltype == CHART_RT and rid not in referenced]


def picture_charts(doc, pictures: dict[str, bytes], datasets: dict[str, ChartData]) -> None:
    """Put a picture (PNG bytes by marker) in place of each readydocs-marked chart (checked by check_charts), for ``--chart-image``.

    The picture takes the chart's place and name and fits inside its box,
    keeping the picture's proportions. The chart part leaves the document.
    """

    for _, part in story_parts(doc):
        for doc_pr, marker, rid in marked_charts(part):
            png, data = pictures.get(marker), datasets.get(marker)
            holder = doc_pr.getparent()
            if png is None or data is None:
                drawing = next(doc_pr.iterancestors(f"{{{W_NS}}}drawing"), None)
                if drawing is not None:
                    drawing.getparent().remove(drawing)
                continue
            extent = holder.find(qn("wp:extent"))
            box = [int(extent.get(k)) if extent is not None and (extent.get(k) or "").isdigit() else None for k in ("cx", "cy")]
            inline = part.new_pic_inline(io.BytesIO(png), box[0], None)
            if box[1] and int(inline.find(qn("wp:extent")).get("cy")) > box[1]:
                inline = part.new_pic_inline(io.BytesIO(png), None, box[1])  # taller than the chart was: fit its height
            graphic = holder.find(qn("a:graphic"))
            holder.replace(graphic, inline.find(qn("a:graphic")))
            if extent is not None:
                new_extent = inline.find(qn("wp:extent"))
                extent.set("cx", new_extent.get("cx"))
                extent.set("cy", new_extent.get("cy"))
            frame_pr = holder.find(qn("wp:cNvGraphicFramePr"))
            if frame_pr is not None:
                holder.replace(frame_pr, inline.find(qn("wp:cNvGraphicFramePr")))
            doc_pr.set("title", data.title)
            doc_pr.set("descr", data.alt)
        for rid in _unused_charts(part):
            part.rels.pop(rid)
