"""Write the default Word templates in templates/ from the outlines below.

The .docx files in templates/ are what users open and restyle; this script is
how the project keeps its defaults reviewable as text. Run it after changing an
outline: `python scripts/make_templates.py`. Every paragraph uses a named style
(headings, lists, Intense Quote, Caption) and the tables use a table style, so
restyling in Word or LibreOffice carries through.

Outline entries are (style, text). Lines whose text starts with "{%p" or "{%tr"
are docxtpl control paragraphs and rows: they vanish when rendered.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from readydocs.catalogue import COHORT_REPORT, MEMO, PLACE_DOCUMENTS, REPORT, TALKING_POINTS, Document

ROOT = Path(__file__).resolve().parents[1]
TEAL = RGBColor(0x0B, 0x4F, 0x5C)

P, H1, H2, H3, BUL, QUOTE, CAP, TITLE, SUB = (
    "Normal", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Intense Quote", "Caption", "Title", "Subtitle")
# Our own paragraph styles (made in _base): a figure kept with its caption, a memo's
# closing and signature lines, and a first heading that starts a new page.
FIG, CLOSE, SIG, NEWPAGE_H1 = "Figure", "Closing", "Signature", "Heading 1 New Page"


def _base(document: Document) -> docx.Document:
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.59), Cm(27.94)  # US Letter: the users are US local governments
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.3))
    sec.top_margin = sec.bottom_margin = Cm(2.2)
    styles = d.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Title", 22), ("Subtitle", 14), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11.5)):
        st = styles[name]
        st.font.name = "Calibri"
        st.font.size = Pt(size)
        st.font.color.rgb = TEAL
    styles["Heading 1"].paragraph_format.space_before = Pt(16)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    styles["Heading 2"].paragraph_format.keep_with_next = True
    styles["Caption"].font.size = Pt(9)
    # The organization's name (and logo) sit clear of the first line of the page.
    styles["Header"].paragraph_format.space_after = Pt(8)
    _own_styles(styles)
    d.core_properties.title = document.title
    d.core_properties.subject = document.subject
    d.core_properties.author = "readydocs"
    d.core_properties.language = "en-US"
    d.core_properties.comments = ""
    d.core_properties.keywords = document.keywords
    # Language for spell-check and screen readers, set on the default style.
    rpr = styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    rpr.append(lang)
    return d


def _compact(d) -> None:
    """Tighter type for the talking points, so each audience's points fit on one page to hand over."""
    sec = d.sections[0]
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin = sec.bottom_margin = Cm(1.8)
    styles = d.styles
    styles["Normal"].font.size = Pt(10)
    styles["Normal"].paragraph_format.line_spacing = 1.05
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["List Bullet"].paragraph_format.space_after = Pt(3)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.space_before = Pt(8)
        styles[name].paragraph_format.space_after = Pt(2)


def _own_styles(styles) -> None:
    """Paragraph styles for a figure, a memo's closing and signature, and a heading on a new page."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    figure = styles.add_style(FIG, WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style = styles["Normal"]
    figure.paragraph_format.keep_with_next = True  # the caption that follows stays on the figure's page
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.space_after = Pt(2)
    closing = styles.add_style(CLOSE, WD_STYLE_TYPE.PARAGRAPH)
    closing.base_style = styles["Normal"]
    closing.paragraph_format.space_before = Pt(12)
    closing.paragraph_format.space_after = Pt(30)  # room for a handwritten signature
    closing.paragraph_format.keep_with_next = True
    signature = styles.add_style(SIG, WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = styles["Normal"]
    signature.paragraph_format.space_after = Pt(0)
    signature.paragraph_format.keep_with_next = True
    new_page = styles.add_style(NEWPAGE_H1, WD_STYLE_TYPE.PARAGRAPH)
    new_page.base_style = styles["Heading 1"]
    new_page.paragraph_format.page_break_before = True
    new_page.next_paragraph_style = styles["Normal"]


def _slim(d) -> None:
    """Drop what python-docx's starter document carries that ours do not need.

    Its thumbnail shows a picture of some other document in file browsers;
    stylesWithEffects.xml is a Word 2010 copy of styles.xml that Word rebuilds
    itself; and of its ~100 table styles only the ones our tables use are kept
    (Word still offers all its built-in styles). Together that is most of
    each template's bytes, which every build would otherwise read and write.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rels, kinds in ((d.part.package.rels, (RT.THUMBNAIL,)),
                        (d.part.rels, ("http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",))):
        for rid, rel in list(rels.items()):
            if rel.reltype in kinds:
                rels.pop(rid)
    used = {t.style.style_id for t in d.tables if t.style is not None} | {"TableNormal", "TableGrid"}
    styles = d.styles.element
    for style in list(styles.iterchildren(qn("w:style"))):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in used:
            styles.remove(style)


def _page_field(paragraph) -> None:
    """A PAGE field, so footers number themselves in any word processor."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _header_footer(d, header: str, footer: str) -> None:
    sec = d.sections[0]
    hp = sec.header.paragraphs[0]
    hp.text = header
    hp.style = d.styles["Header"]
    # The logo, when there is one, on its own line above the organization's name.
    for text in ("{%p if logo %}", "{{ logo }}", "{%p endif %}"):
        hp.insert_paragraph_before(text, style=d.styles["Header"])
    fp = sec.footer.paragraphs[0]
    fp.style = d.styles["Footer"]
    fp.text = footer + "  \u00b7  Page "
    _page_field(fp)


def _outline(d, items) -> None:
    for item in items:
        if isinstance(item, Table):
            item.add_to(d)
            continue
        style, text = item
        d.add_paragraph(text, style=d.styles[style])


class Table:
    """A table with a repeating header row and one docxtpl row loop."""

    def __init__(self, headers, cells, loop, widths=None, style="Light List Accent 1"):
        self.headers, self.cells, self.loop, self.widths, self.style = headers, cells, loop, widths, style

    def add_to(self, d) -> None:
        t = d.add_table(rows=4, cols=len(self.headers))
        t.style = d.styles[self.style]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, self.headers):
            cell.text = text
        # Header row repeats on each page and is announced as a header by screen readers.
        trpr = t.rows[0]._tr.get_or_add_trPr()
        hdr = OxmlElement("w:tblHeader")
        hdr.set(qn("w:val"), "true")
        trpr.append(hdr)
        # No row is split across a page break: a long evidence note moves whole to the next page.
        for row in (t.rows[0], t.rows[2]):
            cant = OxmlElement("w:cantSplit")
            cant.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().insert(0, cant)
        t.rows[1].cells[0].text = "{%tr for " + self.loop + " %}"
        for cell, text in zip(t.rows[2].cells, self.cells):
            cell.text = text
        t.rows[3].cells[0].text = "{%tr endfor %}"
        if self.widths:
            t.autofit = False
            for col, w in zip(t.columns, self.widths):
                col.width = Cm(w)
            for row in t.rows:
                for cell, w in zip(row.cells, self.widths):
                    cell.width = Cm(w)
        d.add_paragraph("", style=d.styles["Normal"])


# --- Native charts: a Word chart part with its embedded workbook, named readydocs:NAME ---
# A paragraph "{{ chart }}" becomes the condition chart, "[chart: NAME]" chart NAME; see docxchart.py.
CHART_SIZES_MM = {REPORT.filename: (165, 100), TALKING_POINTS.filename: (140, 82)}


def _chart_space(kind: str):
    """A horizontal bar chart as Word writes one, with stand-in numbers (a build replaces them); (XML, data).

    python-pptx writes the chart XML (the same c:chartSpace as Word's), which is
    then given readydocs' look. Per-point colours follow the bands: each template
    bar is coloured by its band, which is how a build learns each band's colour
    (restyle one bar of a band to restyle them all).
    """
    from lxml import etree
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.enum.chart import XL_CHART_TYPE

    from readydocs.charts import BAND_COLOURS
    from readydocs.docxchart import ChartData, Series
    from readydocs.framework import load_framework

    fw = load_framework()
    mins = [b.min for b in fw.bands]
    # Stand-in scores that visit every band, so each band's colour is in the template.
    now = [min(100.0, mins[i % len(mins)] + 12) for i in range(len(fw.conditions))]
    # The first series' name is the chart's marker too: LibreOffice keeps it where it forgets the drawing's name.
    marker = f"readydocs:{kind}"
    series = [(marker, [max(0.0, v - 15) for v in now])] if kind == "rounds" else []
    series.append((marker if kind == "conditions" else "This round", now))
    data = CategoryChartData(number_format="0")
    data.categories = [c.name for c in fw.conditions]
    for name, values in series:
        data.add_series(name, values)
    root = etree.fromstring(ChartXmlWriter(XL_CHART_TYPE.BAR_CLUSTERED, data).xml.encode("utf-8"))
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}

    def el(xml: str):
        return etree.fromstring(f'<x xmlns:c="{ns["c"]}" xmlns:a="{ns["a"]}" '
                                f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{xml}</x>')[0]

    def fill(colour: str) -> str:
        return f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'

    def small_text(size: int = 800) -> str:
        return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"/></a:pPr>'
                '<a:endParaRPr lang="en-US"/></a:p></c:txPr>')

    # Word draws rounded corners unless told not to.
    root.find("c:date1904", ns).addnext(el('<c:roundedCorners val="0"/>'))
    bar = root.find(".//c:barChart", ns)
    bar.find("c:grouping", ns).addnext(el('<c:varyColors val="0"/>'))
    sers = bar.findall("c:ser", ns)
    for n, ser in enumerate(sers):
        banded = n == len(sers) - 1  # this round's bars; the earlier round's are plain
        anchor = ser.find("c:tx", ns)
        for xml in (fill(BAND_COLOURS[0] if banded else "9FB7BD"), '<c:invertIfNegative val="0"/>'):
            anchor.addnext(el(xml))
            anchor = anchor.getnext()
        if banded:
            for i, v in enumerate(now):
                band = next(b for b, low in enumerate(mins) if v >= low)
                anchor.addnext(el(f'<c:dPt><c:idx val="{i}"/><c:invertIfNegative val="0"/><c:bubble3D val="0"/>'
                                  f'{fill(BAND_COLOURS[band])}</c:dPt>'))
                anchor = anchor.getnext()
        anchor.addnext(el('<c:dLbls><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>' + small_text() +
                          '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/>'
                          '<c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'))
    sers[-1].addnext(el('<c:gapWidth val="%d"/>' % (40 if kind == "rounds" else 60)))
    # The first condition at the top, as in the table; the score axis at the foot, 0 to 100 in quarters
    # so the band thresholds (50, 75) fall on gridlines.
    cat_ax = root.find(".//c:catAx", ns)
    cat_ax.find("c:scaling/c:orientation", ns).set("val", "maxMin")
    cat_ax.find("c:crossAx", ns).addprevious(el(small_text(850)))
    val_ax = root.find(".//c:valAx", ns)
    scaling = val_ax.find("c:scaling", ns)
    for xml in ('<c:orientation val="minMax"/>', '<c:max val="100"/>', '<c:min val="0"/>'):
        scaling.append(el(xml))
    gridlines = val_ax.find("c:majorGridlines", ns)
    gridlines.append(el('<c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="BFBFBF"/></a:solidFill></a:ln></c:spPr>'))
    gridlines.addnext(el('<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800" b="0"/></a:pPr>'
                         '<a:r><a:rPr lang="en-US" sz="800" b="0"/><a:t>Score (0\u2013100)</a:t></a:r></a:p></c:rich></c:tx>'
                         '<c:overlay val="0"/></c:title>'))
    val_ax.find("c:crossAx", ns).addprevious(el(small_text()))
    val_ax.find("c:crosses", ns).set("val", "max")
    val_ax.append(el('<c:crossBetween val="between"/>'))
    val_ax.append(el('<c:majorUnit val="25"/>'))
    plot_area = root.find(".//c:plotArea", ns)
    if kind == "rounds":
        plot_area.addnext(el('<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'))
    root.find("c:chart/c:dispBlanksAs", ns).addprevious(el('<c:plotVisOnly val="1"/>'))
    # One series needs no title or legend: the caption says what the bars are.
    root.find("c:chart/c:autoTitleDeleted", ns).set("val", "1")
    default_run = root.find("c:txPr//a:defRPr", ns)
    default_run.set("sz", "850")
    default_run.append(el('<a:latin typeface="Calibri"/>'))
    root.append(el('<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData>'))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    chart_data = ChartData(tuple(c.name for c in fw.conditions), tuple(Series(name, tuple(values), ()) for name, values in series),
                           (), (), "", "")
    return xml, chart_data


def _native_charts(d, filename: str) -> None:
    """Replace each chart paragraph's content with a native chart (see the comment above CHART_SIZES_MM)."""
    import re

    from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    from readydocs.docxchart import data_workbook

    width, height = CHART_SIZES_MM.get(filename, (160, 95))
    package = d.part.package
    chart_paragraphs = [p for p in d.paragraphs if p.text == "{{ chart }}" or re.fullmatch(r"\[chart: \w+\]", p.text)]
    for number, para in enumerate(chart_paragraphs, start=1):
        kind = "conditions" if para.text == "{{ chart }}" else para.text[len("[chart: "):-1]
        xml, data = _chart_space(kind)
        chart_part = Part(PackURI(f"/word/charts/chart{number}.xml"), CT.DML_CHART, xml, package)
        embedded = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx"), CT.SML_SHEET,
                        data_workbook(data), package)
        chart_part.relate_to(embedded, RT.PACKAGE)
        rid = d.part.relate_to(chart_part, RT.CHART)
        alt = ("Bar chart of each readiness condition's score out of 100; readydocs fills in the numbers."
               if kind == "conditions" else
               "Bar chart of each readiness condition's score in the earlier round and in this one; readydocs fills in the numbers.")
        emu_per_mm = 36000
        drawing = parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:drawing>'
            '<wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{width * emu_per_mm}" cy="{height * emu_per_mm}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{100 + number}" name="readydocs:{kind}" title="Condition scores" descr="{alt}"/><wp:cNvGraphicFramePr/>'
            '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{rid}"/>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
        for run in list(para.runs):
            run._r.getparent().remove(run._r)
        para._p.append(drawing)
        para.paragraph_format.keep_with_next = True  # the chart stays with its caption


# --- end native charts ---


REPORT_OUTLINE = [
    (TITLE, "Readiness for Mobility Action Planning"),
    (SUB, "{{ place.name }}"),
    (P, "Prepared by {{ prepared_by }} \u00b7 {{ dates.assessment }}"),
    ("{%p if respondents_sentence %}", None),
    (P, "{{ respondents_sentence }}"),
    ("{%p endif %}", None),
    (H1, "At a glance"),
    (QUOTE, "Overall readiness: {{ overall.label }}"),
    ("{%p if overall.nothing_scored %}", None),
    (P, "{{ overall.average_sentence }}"),
    ("{%p else %}", None),
    (P, "{{ overall.finding }} {{ overall.average_sentence }}{% if overall.unknown_sentence %} {{ overall.unknown_sentence }}{% endif %}"),
    ("{%p endif %}", None),
    ("{%p if overall.held_sentence %}", None),
    (P, "{{ overall.held_sentence }}"),
    ("{%p endif %}", None),
    # The chart comes before the longer text so that it stays on the first page
    # with a logo, several respondents or an earlier round.
    (FIG, "{{ chart }}"),
    (CAP, "Figure 1. Score of each readiness condition, 0 to 100, coloured by status: {% for b in framework.bands %}{{ b.label }} {% if loop.last and not loop.first %}below {{ loop.previtem.min }}{% else %}from {{ b.min }}{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}."),
    ("{%p if not overall.nothing_scored %}", None),
    (P, "{{ overall.meaning }}"),
    ("{%p endif %}", None),
    # --- Rounds over time: summary of the change since the earlier round (baseline.py) ---
    ("{%p if baseline.given %}", None),
    (P, "{{ baseline.summary_text }}{% if baseline.crossed %} Moved across a band: {{ baseline.crossed_text }}.{% else %} No condition moved across a band.{% endif %}"),
    ("{%p endif %}", None),
    # --- end rounds over time ---
    (H2, "Condition scores"),
    Table(["Condition", "Score", "Status", "Indicators rated"],
          ["{{ c.name }}{% if c.essential %} (essential){% endif %}", "{{ c.score_text }}", "{{ c.status }}{% if c.disagree %}; respondents disagree{% endif %}", "{{ c.n_rated }} of {{ c.n_indicators }}"],
          "c in conditions", widths=[7.3, 1.7, 4.6, 3.4]),
    # --- Rounds over time: what changed since the earlier round (baseline.py) ---
    ("{%p if baseline.given %}", None),
    (H1, "What changed since {{ baseline.date }}"),
    (P, "Each condition\u2019s score in the earlier round and now, placed in today\u2019s bands; Figure 2 shows both rounds side by side.{% if not baseline.same_version %} The earlier round used framework version {{ baseline.framework_version }}.{% endif %}"),
    (P, "[chart: rounds]"),
    (CAP, "Figure 2. Score of each readiness condition, 0 to 100, in the round of {{ baseline.date }} and in this one."),
    Table(["Condition", "Earlier", "Now", "Change", "Status"],
          ["{{ b.name }}", "{{ b.earlier_text }}", "{{ b.current_text }}", "{{ b.direction_text }}{% if b.change is not none and b.change != 0 %} ({{ b.change_text }}){% endif %}",
           "{% if b.crossed %}{{ b.crossing_text }}{% else %}{{ b.current_status }}{% endif %}"],
          "b in baseline.conditions", widths=[6.0, 2.0, 1.8, 3.2, 4.0]),
    ("{%p endif %}", None),
    # --- end rounds over time ---
    # --- Peers in a cohort batch: how this place compares, no other place named (benchmark.py) ---
    ("{%p if benchmark.requested %}", None),
    (H1, "How you compare"),
    ("{%p if benchmark.given %}", None),
    (P, "This assessment is one of {{ benchmark.places }} in a cohort. For each condition the table sets this place’s score beside the cohort’s median and the middle half of the cohort’s scores (from the lower to the upper quartile). No other place is named. {{ benchmark.stands_out }}"),
    Table(["Condition", "Score here", "Cohort median", "Middle half", "Where this place stands"],
          ["{{ b.name }}", "{{ b.score_text }}", "{{ b.median_text }}", "{{ b.range_text }}", "{{ b.position_text }}"],
          "b in benchmark.shown", widths=[6.0, 1.9, 2.1, 2.2, 4.8]),
    ("{%p if benchmark.suppressed %}", None),
    (P, "Not compared: {{ benchmark.suppressed_text }}. Fewer than {{ benchmark.min_places }} places in the cohort have a score for {% if benchmark.suppressed|length == 1 %}this condition{% else %}these conditions{% endif %}, and a comparison among so few could reveal another place’s answers."),
    ("{%p endif %}", None),
    ("{%p else %}", None),
    (P, "No comparison with the cohort is shown: fewer than {{ benchmark.min_places }} places in the cohort have a score for any condition, and a comparison among so few could reveal another place’s answers."),
    ("{%p endif %}", None),
    ("{%p endif %}", None),
    # --- end peers ---
    ("{%p if overall.nothing_scored %}", None),
    (H1, "What to do next"),
    (P, "Every condition needs answers before it can be judged. The people who know each area (the budget office for resources, department heads for staff time and buy-in, the data lead for data) can usually answer an indicator in a short conversation. Rate the indicators again in the workbook, then build the documents once more."),
    ("{%p else %}", None),
    (H1, "Strengths"),
    ("{%p if strengths %}", None),
    (P, "These conditions are in place and give the process a base to build on."),
    ("{%p for c in strengths %}", None),
    (BUL, "{{ c.name }} (score {{ c.score_text }}): {{ c.summary }}"),
    ("{%p endfor %}", None),
    ("{%p else %}", None),
    (P, "No condition is fully in place yet. The areas below show where to begin."),
    ("{%p endif %}", None),
    (H1, "Areas to strengthen"),
    ("{%p if not to_strengthen %}", None),
    (P, "Every condition is in place. Keep the commitment to ongoing learning by repeating this assessment once the process is under way."),
    ("{%p endif %}", None),
    ("{%p for c in to_strengthen %}", None),
    (H2, "{{ c.name }}: {{ c.status }}{% if c.score is not none %} ({{ c.score_text }}){% endif %}"),
    (P, "{{ c.status_meaning }}{% if c.below_essential %} This is an essential condition: the launch waits for it.{% endif %}"),
    (H3, "Suggested actions"),
    ("{%p for a in c.actions %}", None),
    (BUL, "{{ a }}"),
    ("{%p endfor %}", None),
    ("{%p if c.notes or c.disputed_notes %}", None),
    (H3, "What the assessment found"),
    ("{%p for n in c.notes %}", None),
    (BUL, "{{ n.line }}"),
    ("{%p endfor %}", None),
    ("{%p for dispute in c.disputed_notes %}", None),
    (P, "{{ dispute.line }}"),
    ("{%p for note in dispute.notes %}", None),
    (BUL, "{{ note.line }}"),
    ("{%p endfor %}", None),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    ("{%p if c.next_steps %}", None),
    (H3, "Next steps proposed in the workbook"),
    ("{%p for s in c.next_steps %}", None),
    (BUL, "{{ s.line }}"),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    # --- Several respondents: who took part, and discussion items where they disagree (respondents.py) ---
    ("{%p if respondents|length > 1 %}", None),
    (H1, "Who took part"),
    (P, "Each person rated the indicators in their own workbook. Their answers are pooled: an indicator counts the average of the ratings given, leaving out \u201c{{ framework.dont_know }}\u201d."),
    Table(["Name", "Role", "Department"], ["{{ r.name }}", "{{ r.role }}", "{{ r.department }}"],
          "r in respondents_by_role", widths=[5.5, 5.5, 6.0]),
    ("{%p endif %}", None),
    ("{%p if discussion %}", None),
    (H1, "Where respondents disagree"),
    (P, "Respondents\u2019 scores for these conditions differ by {{ framework.max_spread }} points or more. Each is an item for the team to discuss before acting on the pooled score."),
    ("{%p for d in discussion %}", None),
    (H2, "{{ d.condition }}"),
    (P, "{{ d.text }}"),
    ("{%p for i in d.indicators %}", None),
    (BUL, "{{ i.text }}"),
    ("{%p endfor %}", None),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    # --- end several respondents ---
    (H1, "Information gaps"),
    ("{%p if gaps %}", None),
    (P, "{% if respondents|length > 1 %}No respondent could rate these indicators{% else %}These indicators were answered \u201c{{ framework.dont_know }}\u201d{% endif %}. They are left out of the scores; finding the answer is a quick first step."),
    ("{%p for g in gaps %}", None),
    (BUL, "{{ g.indicator }} ({{ g.condition }}): {{ g.statement }}"),
    ("{%p endfor %}", None),
    ("{%p else %}", None),
    (P, "Every indicator has a rating; there are no information gaps."),
    ("{%p endif %}", None),
    (H1, "Recommended decision"),
    (QUOTE, "{{ overall.decision }}"),
    ("{%p if to_strengthen and not overall.build_first %}", None),
    (P, "Conditions to strengthen while the process starts, most urgent first:"),
    ("{%p for c in to_strengthen %}", None),
    (BUL, "{{ c.name }}"),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    (H1, "Appendix A: how the scores were calculated"),
    (P, "Each of the {{ framework.n_indicators }} indicators was rated on this scale:"),
    ("{%p for s in framework.scale %}", None),
    (BUL, "{{ s.value }}: {{ s.label }}"),
    ("{%p endfor %}", None),
    (P, "A condition\u2019s score is the average of its rated indicators, placed on a 0 to 100 scale where {{ framework.scale[0].value }} counts as 0 and {{ framework.scale[-1].value }} as 100. \u201c{{ framework.dont_know }}\u201d answers are left out of the average, and an indicator nobody could rate is listed as an information gap. A condition with more than {{ framework.insufficient_share }}% of its indicators unanswered is marked \u201c{{ framework.insufficient }}\u201d."),
    (P, "Status bands:"),
    ("{%p for b in framework.bands %}", None),
    (BUL, "{{ b.label }}: {{ b.min }} and above. {{ b.meaning }}"),
    ("{%p endfor %}", None),
    ("{%p if framework.essentials %}", None),
    (P, "Essential conditions: {% for e in framework.essentials %}{{ e.name }} (minimum {{ e.min_score }}){% if not loop.last %}, {% endif %}{% endfor %}. If an essential condition falls below its minimum or cannot be scored, the overall level is \u201c{{ framework.levels[-1].label }}\u201d whatever the average."),
    ("{%p endif %}", None),
    (P, "Framework: {{ framework.title }}, {{ framework.id }} version {{ framework.version }}. Produced with {{ tool.name }} {{ tool.version }}."),
    (H1, "Appendix B: the ratings and evidence"),
    (P, "Every indicator with its rating and the evidence noted in the workbook{% if respondents|length > 1 %}: first the pooled value, then each respondent\u2019s rating and note{% endif %}."),
    Table(["Indicator", "Rating", "Evidence"], ["{{ e.indicator }}", "{{ e.rating }}", "{{ e.note }}"],
          "e in evidence", widths=[7.0, 3.6, 6.4]),
]

MEMO_OUTLINE = [
    ("{%p if overall.build_first %}", None),
    (QUOTE, "DRAFT \u2013 NOT FOR RELEASE"),
    (P, "This memo is prepared for later. The readiness assessment found that these must be built before the process is announced:"),
    ("{%p for item in memo.draft_items %}", None),
    (BUL, "{{ item }}"),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    (TITLE, "Memorandum"),
    (P, "To: All department heads and staff, {{ place.name }}"),
    (P, "From: {{ memo.from }}"),
    (P, "Date: {{ dates.assessment }}"),
    (P, "Subject: {{ place.sentence_start }} begins Mobility Action Planning"),
    (H1, "Why we are starting this work"),
    (P, "Too many of our residents work hard and still cannot get ahead. {{ place.sentence_start }} is beginning a Mobility Action Planning process: a structured, data-informed effort to find and act on the barriers that keep people in poverty.{% if insights %} A first look at the Mobility Metrics for our community shows why:{% endif %}"),
    ("{%p for i in insights %}", None),
    (BUL, "{{ i }}"),
    ("{%p endfor %}", None),
    ("{%p if priorities %}", None),
    (P, "This work connects directly to priorities we already hold:"),
    ("{%p for p in priorities %}", None),
    (BUL, "{{ p }}"),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
    (H1, "What we mean by mobility from poverty"),
    (P, "We will use a three-part definition. Upward mobility means more than income:"),
    (BUL, "Economic success: steady income, savings and assets that let a household plan ahead."),
    (BUL, "Power and autonomy: having real choices and a say in the decisions that shape one\u2019s life and community."),
    (BUL, "Being valued in community: belonging, dignity and being treated with respect by institutions, including ours."),
    (H1, "Our commitment to racial equity"),
    (P, "Barriers to mobility in {{ place.in_sentence }}, as in most places, fall unequally by race, the legacy of policies that government helped make. We will look at our data by race and ethnicity, build a shared understanding of structural racism among our staff, and judge our plan by whether it narrows those gaps."),
    (H1, "What the process involves"),
    (BUL, "Building a coalition of partners from inside and outside government, including residents with lived experience of poverty."),
    (BUL, "Building a fuller picture of mobility conditions here, from data and from residents."),
    (BUL, "Choosing strategic actions, a way to measure progress, and a plan to sustain the work."),
    (BUL, "Publishing a Mobility Action Plan and returning to it as we learn."),
    (H1, "What we ask of departments"),
    (P, "Each participating department will be asked to name a contact, share relevant data and program knowledge, and give staff time to working sessions.{% if departments %} We expect to involve:{% endif %}"),
    ("{%p for dpt in departments %}", None),
    (BUL, "{{ dpt }}"),
    ("{%p endfor %}", None),
    ("{%p if memo.strengthening %}", None),
    (P, "{{ memo.strengthening }}"),
    ("{%p endif %}", None),
    (H1, "Who leads it"),
    (P, "{{ memo.leads }}{% if advocate.email %} Questions and ideas are welcome at {{ advocate.email }}.{% endif %}"),
    (H1, "Timeline"),
    (P, "{% if dates.launch and not overall.build_first %}We plan to launch the process formally on {{ dates.launch }}. {% endif %}In the first months we will form the core team and the coalition; you will hear from the team about working sessions and what is asked of your department before anything is due."),
    (P, "Thank you for the work you already do for our residents. This process is a chance to do it together, and to do more of what works."),
    (CLOSE, "With thanks,"),
    ("{%p for line in memo.signature %}", None),
    (SIG, "{{ line }}"),
    ("{%p endfor %}", None),
]

TALKING_OUTLINE = [
    (TITLE, "Talking points: Mobility Action Planning"),
    (SUB, "{{ place.name }} \u00b7 {{ dates.assessment }}"),
    (P, "For conversations led by {{ advocate.name }}{% if sponsor.given %} and {{ sponsor.name }}{% endif %}. Overall readiness: {{ overall.label }}. {{ overall.average_sentence }}"),
    (H1, "For department heads"),
    (H2, "Key messages"),
    (BUL, "{{ place.sentence_start }} is preparing a Mobility Action Plan to help more residents move out of poverty, judged by economic success, power and autonomy, and being valued in community."),
    (BUL, "{{ talking.department_heads.status }}"),
    (BUL, "This is shared work across departments, not a new program for one office."),
    (H2, "Why it matters here"),
    ("{%p for i in insights %}", None),
    (BUL, "{{ i }}"),
    ("{%p endfor %}", None),
    ("{%p if priorities %}", None),
    (BUL, "{{ priorities_sentence }}"),
    ("{%p endif %}", None),
    ("{%p if not insights and not priorities %}", None),
    (BUL, "Local data from the Mobility Metrics will be shared with the core team as the process begins."),
    ("{%p endif %}", None),
    (H2, "What is already in place"),
    (BUL, "{{ talking.in_place }}"),
    (H2, "What we are asking of you"),
    ("{%p if overall.build_first %}", None),
    (BUL, "Tell us what your department would need to take part, so we can plan for it."),
    ("{%p else %}", None),
    (BUL, "Name a contact for the core team within two weeks."),
    (BUL, "Share data and program knowledge that bear on mobility from poverty."),
    (BUL, "Release staff for working sessions over the planning period."),
    ("{%p endif %}", None),
    ("{%p for a in talking.department_heads.asks %}", None),
    (BUL, "{{ a.text }}"),
    ("{%p endfor %}", None),
    (H2, "Likely questions"),
    (H3, "How much of my staff\u2019s time will this take?"),
    (P, "A few hours a month for a named contact, more during working sessions. We will agree the hours with you before anything is due."),
    (H3, "Is this another initiative that will fade?"),
    (P, "{{ talking.fade }}"),
    (H3, "Why focus on racial equity?"),
    (P, "Because the barriers to mobility here fall unequally by race. Looking at data by race and ethnicity lets us target what works and check that gaps narrow."),
    (NEWPAGE_H1, "For elected officials"),
    (H2, "Key messages"),
    (BUL, "The plan is about residents\u2019 economic success, their power and autonomy, and their being valued in community."),
    (BUL, "It uses local data from the Mobility Metrics and residents\u2019 own experience to choose a small number of strategic actions."),
    (BUL, "{{ talking.elected_officials.status }}"),
    (H2, "Why it matters here"),
    ("{%p for i in insights %}", None),
    (BUL, "{{ i }}"),
    ("{%p endfor %}", None),
    ("{%p if not insights %}", None),
    (BUL, "Mobility Metrics data for our community will be shared as the process begins."),
    ("{%p endif %}", None),
    (H2, "What is already in place"),
    (BUL, "{{ talking.in_place }}"),
    (H2, "What we are asking of you"),
    (BUL, "Public support for the process{% if dates.launch and not overall.build_first %} at the launch on {{ dates.launch }}{% endif %}."),
    (BUL, "Help connecting the team with residents who are rarely heard by government."),
    ("{%p for a in talking.elected_officials.asks %}", None),
    (BUL, "{{ a.text }}"),
    ("{%p endfor %}", None),
    (H2, "Likely questions"),
    (H3, "What will it cost?"),
    (P, "Mostly staff time in the first year, plus a modest budget for community engagement such as stipends, interpretation and childcare. A costed plan comes before any new spending."),
    (H3, "When will we see results?"),
    (P, "{% if dates.launch and not overall.build_first %}The process launches on {{ dates.launch }}. {% endif %}The plan sets measures in its first year, and progress is reported back to residents and to you."),
    (H3, "Are we ready?"),
    (P, "The readiness assessment rates us \u201c{{ overall.label }}\u201d. {{ overall.meaning }}"),
]

# Each place document's outline, header and footer; title, subject and keywords come from its catalogue record.
DOCS = {
    REPORT: (REPORT_OUTLINE, "{{ place.organization }}", "Readiness report \u00b7 {{ place.name }} \u00b7 {{ dates.assessment }}"),
    MEMO: (MEMO_OUTLINE, "{{ place.organization }}{% if overall.build_first %}  \u00b7  DRAFT \u2013 NOT FOR RELEASE{% endif %}",
           "Internal memo \u00b7 {{ place.name }} \u00b7 {{ dates.assessment }}"),
    TALKING_POINTS: (TALKING_OUTLINE, "{{ place.organization }}", "Talking points \u00b7 {{ place.name }} \u00b7 {{ dates.assessment }}"),
}
assert set(DOCS) == set(PLACE_DOCUMENTS)


# --- The cohort report, for the technical-assistance team (cohort_report.py) ---

COHORT = [
    (TITLE, "Cohort readiness report"),
    (SUB, "{{ cohort.places_text }}{% if cohort.dates_text %}, {{ cohort.dates_text }}{% endif %}"),
    (P, "For the technical-assistance team working with these places. Unlike each place\u2019s own report, this one names places. Framework: {{ cohort.framework }}, version {{ cohort.framework_version }}."),
    ("{%p if cohort.not_built %}", None),
    (P, "{{ cohort.not_built_text }} could not be built and {% if cohort.not_built == 1 %}is{% else %}are{% endif %} left out; cohort-summary.xlsx lists the problems."),
    ("{%p endif %}", None),
    (H1, "Overview"),
    (P, "How many places reached each overall level:"),
    Table(["Overall level", "Places", "Which places"], ["{{ v.label }}", "{{ v.count }}", "{{ v.names_text }}"],
          "v in verdicts", widths=[7.0, 2.0, 14.5]),
    (H1, "Weakest conditions across the cohort"),
    ("{%p if weakest %}", None),
    (P, "The conditions with the lowest median scores, and the places where each is not yet in place:"),
    Table(["Condition", "Median score", "Places not yet in place", "Which places"],
          ["{{ c.name }}", "{{ c.median_text }}", "{{ c.lacking_count }}", "{{ c.lacking_text }}"],
          "c in weakest", widths=[7.0, 2.5, 3.0, 11.0]),
    ("{%p else %}", None),
    (P, "No condition has a score in any place, so none can be ranked."),
    ("{%p endif %}", None),
    (H1, "Heat map"),
    (P, "Each place\u2019s status and score for every condition. The colour follows the band, and the band is written in every cell:{% for b in heat.legend %} {{ b.label }}{% if b.min is not none %} ({{ b.min }} and above){% endif %}{% if not loop.last %};{% else %}.{% endif %}{% endfor %}"),
    ("{%p if heat.note_text %}", None),
    (P, "{{ heat.note_text }}"),
    ("{%p endif %}", None),
    "HEATMAP",
    (H1, "Where respondents disagree most"),
    ("{%p if disagreements %}", None),
    (P, "Conditions on which one place\u2019s respondents scored {{ cohort.max_spread }} points or more apart, widest first{% if disagreements_total > disagreements|length %} (the {{ disagreements|length }} widest of {{ disagreements_total }}){% endif %}:"),
    Table(["Place", "Condition", "Points apart", "Respondents"],
          ["{{ d.place }}", "{{ d.condition }}", "{{ d.spread }}", "{{ d.respondents }}"],
          "d in disagreements", widths=[7.0, 9.5, 3.5, 3.5]),
    ("{%p else %}", None),
    (P, "No place\u2019s respondents scored a condition {{ cohort.max_spread }} points or more apart."),
    ("{%p endif %}", None),
    ("{%p if changes.given %}", None),
    (H1, "Changes since the baseline round"),
    ("{%p if changes.rows %}", None),
    ("{%p if changes.note_text %}", None),
    (P, "{{ changes.note_text }}"),
    ("{%p endif %}", None),
    Table(["Place", "Earlier round", "Earlier average", "Average now", "Change", "Moved up a band", "Moved down a band"],
          ["{{ r.place }}", "{{ r.date }}", "{{ r.earlier_text }}", "{{ r.now_text }}", "{{ r.change_text }}", "{{ r.up_text }}", "{{ r.down_text }}"],
          "r in changes.rows", widths=[4.0, 2.8, 2.0, 2.0, 1.8, 5.6, 5.6]),
    ("{%p else %}", None),
    (P, "None of these places was in the baseline round."),
    ("{%p endif %}", None),
    ("{%p if changes.new %}", None),
    (P, "New this round ({{ changes.new_count_text }}): {{ changes.new_text }}."),
    ("{%p endif %}", None),
    ("{%p endif %}", None),
    (H1, "Suggested cohort-wide sessions"),
    ("{%p if sessions %}", None),
    ("{%p for s in sessions %}", None),
    (H2, "{{ s.title }}"),
    (P, "{{ s.text }}"),
    ("{%p endfor %}", None),
    ("{%p else %}", None),
    (P, "No need is shared by several places; support each place on its own areas to strengthen."),
    ("{%p endif %}", None),
    (P, "Produced with {{ tool.name }} {{ tool.version }}."),
]


def _heat_map_table(d) -> None:
    """Places down, one column per condition (a docxtpl column loop), each cell shaded by band with its words."""
    t = d.add_table(rows=4, cols=4)
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = ["Place", "{%tc for name in heat.conditions %}", "{{ name }}", "{%tc endfor %}"]
    body = ["{{ row.place }}", "{%tc for cell in row.cells %}", "{% cellbg cell.fill %}{{ cell.text }}", "{%tc endfor %}"]
    for cells, texts in ((t.rows[0].cells, head), (t.rows[2].cells, body)):
        for cell, text in zip(cells, texts):
            cell.text = text
    trpr = t.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    hdr.set(qn("w:val"), "true")
    trpr.append(hdr)
    t.rows[1].cells[0].text = "{%tr for row in heat.rows %}"
    t.rows[3].cells[0].text = "{%tr endfor %}"
    t.autofit = False
    # The condition column repeats: nine of them and the place column fill a landscape page.
    # Narrow cell margins and small type keep the longest word of a condition name ("Organizational") whole.
    widths = [2.9, 2.33, 2.33, 2.33]
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "45")
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    t._tbl.tblPr.append(mar)
    for n, row in enumerate(t.rows):
        for cell, w in zip(row.cells, widths):
            cell.width = Cm(w)
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
                for run in p.runs:
                    run.font.size = Pt(7 if n == 0 else 8)
    d.add_paragraph("", style=d.styles["Normal"])


def build_cohort_template(out_dir: Path) -> Path:
    """templates/cohort-report.docx: landscape, for a table with a column per condition."""
    from docx.enum.section import WD_ORIENT

    d = _base(COHORT_REPORT)
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(27.94), Cm(21.59)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    fp = sec.footer.paragraphs[0]
    fp.style = d.styles["Footer"]
    fp.text = "Cohort readiness report \u00b7 {{ cohort.places_text }}  \u00b7  Page "
    _page_field(fp)
    for item in COHORT:
        if item == "HEATMAP":
            _heat_map_table(d)
        elif isinstance(item, Table):
            item.add_to(d)
        elif item[1] is None:
            d.add_paragraph(item[0], style=d.styles[P])
        else:
            d.add_paragraph(item[1], style=d.styles[item[0]])
    _slim(d)
    path = out_dir / COHORT_REPORT.template
    d.save(path)
    return path


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for document, (outline, header, footer) in DOCS.items():
        filename = document.template
        d = _base(document)
        if document is TALKING_POINTS:
            _compact(d)
        _header_footer(d, header, footer)
        items = []
        for item in outline:
            if isinstance(item, Table):
                items.append(item)
            elif item[1] is None:
                items.append((P, item[0]))
            else:
                items.append(item)
        _outline(d, items)
        _native_charts(d, filename)
        _slim(d)
        path = out_dir / filename
        d.save(path)
        written.append(path)
    written.append(build_cohort_template(out_dir))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "templates"
    for p in build(target):
        print(p)
