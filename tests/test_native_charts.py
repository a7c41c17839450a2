"""Native Word charts: filled with the build's numbers, editable, restylable, visible in PDFs, and safe."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from readydocs.cli import cli
from readydocs.docxchart import ChartData, Series, data_workbook, fill_chart_xml
from readydocs.workbook import set_named_cells


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
ROOT = Path(__file__).resolve().parents[1]
GREEN, AMBER, RED = "1B7F6B", "D9A21B", "C0504D"  # charts.BAND_COLOURS: In place, Developing, Not yet in place
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def built(tmp_path_factory, _sample_master):
    out = tmp_path_factory.mktemp("built")
    result = run("build", _sample_master, "-o", out)
    assert result.exit_code == 0, result.output
    return out / "city-of-riverbend"


def charts_of(path: Path) -> dict[str, dict]:
    """Each native chart of a document by its name: its XML root, embedded workbook bytes and alt text."""
    d = docx.Document(str(path))
    out = {}
    for shape in d.inline_shapes:
        chart = next(shape._inline.iter(f"{C}chart"), None)
        if chart is None:
            continue
        part = d.part.related_parts[chart.get(docx.oxml.ns.qn("r:id"))]
        embedded = [r.target_part.blob for r in part.rels.values() if r.reltype.endswith("/package")]
        out[shape._inline.docPr.get("name")] = {"root": etree.fromstring(part.blob), "workbook": embedded[0] if embedded else None,
                                                "descr": shape._inline.docPr.get("descr")}
    return out


def series_of(root) -> list[dict]:
    out = []
    for ser in root.iter(f"{C}ser"):
        values = {int(pt.get("idx")): float(pt.findtext(f"{C}v")) for pt in ser.find(f"{C}val").iter(f"{C}pt")}
        fills = {int(dpt.find(f"{C}idx").get("val")): dpt.find(f".//{A}srgbClr").get("val").upper() for dpt in ser.iter(f"{C}dPt")}
        out.append({"name": ser.findtext(f"{C}tx//{C}v"), "categories": [v.text for v in ser.find(f"{C}cat").iter(f"{C}v")],
                    "values": values, "fills": fills,
                    "formulas": [f.text for f in ser.iter(f"{C}f")]})
    return out


def test_sample_report_chart_holds_the_scores_of_scores_json(built):
    report = built / "readiness-report.docx"
    with zipfile.ZipFile(report) as z:
        names = z.namelist()
    # One chart: the then-and-now chart of the template is left out without an earlier round.
    assert [n for n in names if n.startswith("word/charts/") and n.endswith(".xml")] == ["word/charts/chart1.xml"]
    assert [n for n in names if n.startswith("word/embeddings/")] == ["word/embeddings/Microsoft_Excel_Worksheet1.xlsx"]
    scores = json.loads((built / "scores.json").read_text())["conditions"]
    charts = charts_of(report)
    assert list(charts) == ["readydocs:conditions"]
    (ser,) = series_of(charts["readydocs:conditions"]["root"])
    assert ser["name"] == "Score"
    assert ser["categories"] == [c["name"] for c in scores]
    assert [ser["values"][i] for i in range(len(scores))] == [c["score"] for c in scores]
    assert ser["values"][2] == 22.22 and ser["values"][0] == 83.33  # capacity, leadership, worked by hand in test_scoring
    assert ser["formulas"] == ["Sheet1!$B$1", "Sheet1!$A$2:$A$10", "Sheet1!$B$2:$B$10"]
    # Each bar in its band's colour.
    colour = {"in-place": GREEN, "developing": AMBER, "not-in-place": RED}
    assert ser["fills"] == {i: colour[c["status"]] for i, c in enumerate(scores)}
    # Edit Data opens the same labels and numbers.
    wb = openpyxl.load_workbook(io.BytesIO(charts["readydocs:conditions"]["workbook"]))
    rows = list(wb["Sheet1"].values)
    assert rows[0] == (None, "Score")
    assert rows[1:] == [(c["name"], c["score"]) for c in scores]
    # Alt text from the data.
    descr = charts["readydocs:conditions"]["descr"]
    assert descr.startswith("Bar chart of readiness scores out of 100: Leadership commitment 83 (In place);")
    assert "Organizational capacity 22 (Not yet in place)" in descr


def test_talking_points_and_memo_hold_no_chart(built):
    # The talking points keep each audience on one page: a chart there would push the department heads' points over.
    assert charts_of(built / "talking-points.docx") == {}
    assert charts_of(built / "internal-launch-memo.docx") == {}


def test_a_condition_without_enough_information_is_a_gap_in_the_chart(sample_xlsx, tmp_path, framework):
    from readydocs.form import indicator_name

    capacity = [i.id for i in framework.condition("capacity").indicators]
    set_named_cells(sample_xlsx, {indicator_name("rating", i): "Don't know" for i in capacity})
    assert run("build", sample_xlsx, "-o", tmp_path).exit_code == 0
    report = tmp_path / "city-of-riverbend" / "readiness-report.docx"
    (ser,) = series_of(charts_of(report)["readydocs:conditions"]["root"])
    assert 2 not in ser["values"] and 2 not in ser["fills"] and len(ser["values"]) == 8
    wb = openpyxl.load_workbook(io.BytesIO(charts_of(report)["readydocs:conditions"]["workbook"]))
    assert list(wb["Sheet1"].values)[3] == ("Organizational capacity (not enough information)", None)
    assert ser["categories"][2] == "Organizational capacity (not enough information)"


def test_embedded_workbook_is_the_same_bytes_for_the_same_data():
    data = ChartData(("A & B", " spaced "), (Series("Score", (1.5, None), (0, None)),), (75.0, 50.0, 0.0), (GREEN,), "t", "a")
    first, second = data_workbook(data), data_workbook(data)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert list(openpyxl.load_workbook(io.BytesIO(first)).active.values) == [(None, "Score"), ("A & B", 1.5), (" spaced ", None)]


def test_other_chart_types_keep_their_type_and_gain_missing_series():
    """A radar chart with one series given two: the type and styling stay, the second series copies the first."""
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.enum.chart import XL_CHART_TYPE

    cd = CategoryChartData()
    cd.categories = ["x", "y", "z"]
    cd.add_series("readydocs:rounds", (1, 2, 3))
    xml = ChartXmlWriter(XL_CHART_TYPE.RADAR, cd).xml.encode()
    data = ChartData(("Lead", "Cap"), (Series("Then", (40.0, 60.0), (2, 1)), Series("Now", (80.0, 20.0), (0, 2))),
                     (75.0, 50.0, 0.0), (GREEN, AMBER, RED), "t", "a")
    root = etree.fromstring(fill_chart_xml(xml, data, "test"))
    assert root.find(f".//{C}radarChart/{C}radarStyle") is not None
    sers = series_of(root)
    assert [(s["name"], s["categories"], s["values"]) for s in sers] == [
        ("Then", ["Lead", "Cap"], {0: 40.0, 1: 60.0}), ("Now", ["Lead", "Cap"], {0: 80.0, 1: 20.0})]
    assert [s.find(f"{C}idx").get("val") for s in root.iter(f"{C}ser")] == ["0", "1"]
    assert sers[1]["formulas"] == ["Sheet1!$C$1", "Sheet1!$A$2:$A$3", "Sheet1!$C$2:$C$3"]


def _edit_chart(template: Path, target: Path, edit) -> Path:
    """Copy a template, changing the XML of its first chart part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/charts/chart1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)
    return target


def test_band_colours_are_learnt_from_the_template(sample_xlsx, tmp_path):
    """Recolouring one 'In place' bar of the template recolours every 'In place' bar of the output."""
    def recolour_first_bar(xml: str) -> str:
        # The template's first bar (a stand-in score in the top band) becomes dark blue.
        return re.sub(r'(<c:dPt><c:idx val="0"/>.*?<a:srgbClr val=")1B7F6B', r"\g<1>1F3864", xml, count=1, flags=re.S)

    _edit_chart(ROOT / "templates" / "readiness-report.docx", tmp_path / "tpl" / "readiness-report.docx", recolour_first_bar)
    assert run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tmp_path / "tpl").exit_code == 0
    (ser,) = series_of(charts_of(tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx")["readydocs:conditions"]["root"])
    assert ser["fills"] == {0: "1F3864", 1: AMBER, 2: RED, 3: "1F3864", 4: AMBER, 5: "1F3864", 6: "1F3864", 7: RED, 8: "1F3864"}


def _restyle_in_libreoffice(tmp_path: Path) -> Path:
    """The report template with purple columns instead of banded bars, saved again by LibreOffice."""
    def restyle(xml: str) -> str:
        xml = xml.replace('<c:barDir val="bar"/>', '<c:barDir val="col"/>')
        xml = re.sub(r"<c:dPt>.*?</c:dPt>", "", xml, flags=re.S)
        return xml.replace(f'<a:srgbClr val="{GREEN}"/>', '<a:srgbClr val="7030A0"/>', 1)

    edited = _edit_chart(ROOT / "templates" / "readiness-report.docx", tmp_path / "edited" / "readiness-report.docx", restyle)
    folder = tmp_path / "restyled"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder), str(edited)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(folder / "readiness-report.docx") as z:
        assert "LibreOffice" in z.read("docProps/app.xml").decode()  # really saved by LibreOffice
    return folder


@needs_soffice
def test_template_restyled_in_libreoffice_keeps_its_styling(sample_xlsx, tmp_path):
    folder = _restyle_in_libreoffice(tmp_path)
    check = run("templates", "check", folder)
    assert check.exit_code == 0, check.output
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", folder)
    assert result.exit_code == 0, result.output
    report = tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx"
    chart = charts_of(report)
    ((name, found),) = chart.items()  # LibreOffice renamed the drawing; the series name still marked it
    root = found["root"]
    assert root.find(f".//{C}barDir").get("val") == "col"
    (ser,) = series_of(root)
    assert ser["fills"] == {}
    assert ser["name"] == "Score" and ser["values"][2] == 22.22 and len(ser["values"]) == 9
    spr = root.find(f".//{C}ser/{C}spPr")
    assert spr.find(f".//{A}srgbClr").get("val").upper() == "7030A0"
    assert "Organizational capacity 22 (Not yet in place)" in found["descr"]
    assert openpyxl.load_workbook(io.BytesIO(found["workbook"])).active["B4"].value == 22.22


def _page_colours(pdf: Path, page: int, tmp_path: Path) -> dict[str, int]:
    """How many pixels of a rendered PDF page are close to each colour."""
    from PIL import Image

    prefix = tmp_path / f"{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(pdf), str(prefix)], check=True)
    (png,) = tmp_path.glob(f"{prefix.name}*.png")
    image = Image.open(png).convert("RGB")
    counts = {}
    for name in (GREEN, AMBER, RED, "7030A0", "9FB7BD"):
        target = tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
        counts[name] = sum(n for n, rgb in image.getcolors(1 << 20) if all(abs(a - b) <= 12 for a, b in zip(rgb, target)))
    return counts


def _soffice_pdf(docx_path: Path, folder: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder.parent / 'pdf-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(docx_path)], check=True, capture_output=True, timeout=180)
    return folder / (docx_path.stem + ".pdf")


@needs_soffice
@needs_pdftoppm
def test_pdfs_show_the_charts_in_band_colours(sample_xlsx, tmp_path):
    """Every document with a chart, converted by LibreOffice: the chart's page holds each band's colour."""
    earlier = set_named_cells(sample_xlsx, {"profile.assessment_date": "2026-03-01"}, tmp_path / "earlier.xlsx")
    assert run("build", earlier, "-o", tmp_path / "then").exit_code == 0
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--baseline", tmp_path / "then" / "city-of-riverbend" / "scores.json")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "city-of-riverbend"
    report = _soffice_pdf(folder / "readiness-report.docx", tmp_path / "pdf")
    # Page 1 of the report: the condition chart (at 60 dpi a bar is some 7 px high and 20-80 px long).
    first = _page_colours(report, 1, tmp_path)
    assert first[GREEN] > 800 and first[AMBER] > 300 and first[RED] > 150, first
    # The then-and-now chart: the earlier round in its pale colour beside this round's banded bars.
    text = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True, check=True).stdout
    page = next(n for n, p in enumerate(text.split("\f"), start=1) if "Figure 2." in p)
    rounds = _page_colours(report, page, tmp_path)
    assert rounds["9FB7BD"] > 500 and rounds[GREEN] > 500 and rounds[RED] > 100, rounds


@needs_soffice
@needs_pdftoppm
def test_pdf_of_a_libreoffice_restyled_chart_shows_its_colour(sample_xlsx, tmp_path):
    folder = _restyle_in_libreoffice(tmp_path)
    assert run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", folder).exit_code == 0
    colours = _page_colours(_soffice_pdf(tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx", tmp_path / "pdf"), 1, tmp_path)
    assert colours["7030A0"] > 800 and colours[GREEN] == 0, colours


def test_a_default_build_or_batch_imports_no_matplotlib(sample_xlsx, tmp_path):
    code = (
        "import sys\n"
        "from readydocs.framework import load_framework\n"
        "from readydocs.pipeline import build\n"
        f"r = build([{str(sample_xlsx)!r}], __import__('pathlib').Path({str(tmp_path)!r}), load_framework())\n"
        "assert r.written, 'nothing built'\n"
        "from readydocs.batch import run_batch\n"
        f"assert run_batch([{str(sample_xlsx)!r}], __import__('pathlib').Path({str(tmp_path / 'batch')!r}), load_framework(), jobs=1).built\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'pptx')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_chart_image_puts_pictures_where_the_charts_were(sample_xlsx, tmp_path):
    result = run("build", sample_xlsx, "-o", tmp_path, "--chart-image")
    assert result.exit_code == 0, result.output
    report = tmp_path / "city-of-riverbend" / "readiness-report.docx"
    with zipfile.ZipFile(report) as z:
        names = z.namelist()
    assert not [n for n in names if n.startswith(("word/charts/", "word/embeddings/"))]
    d = docx.Document(str(report))
    (shape,) = d.inline_shapes
    assert shape.type == docx.enum.shape.WD_INLINE_SHAPE.PICTURE
    assert shape._inline.docPr.get("name") == "readydocs:conditions"
    assert "Organizational capacity 22 (Not yet in place)" in shape._inline.docPr.get("descr")
    blob = d.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    # Inside the template chart's 165 x 100 mm box, as tall as the box.
    assert shape.width <= 165 * 36000 and abs(shape.height - 100 * 36000) < 36000
    assert run("check-docs", report).exit_code == 0


def test_chart_image_without_matplotlib_is_one_line(sample_xlsx, tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from readydocs.cli import main\n"
            f"sys.argv = ['readydocs', 'build', {str(sample_xlsx)!r}, '-o', {str(tmp_path)!r}, '--chart-image']\n"
            "main()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "Error: --chart-image draws the chart with matplotlib, which is not installed. Install it with: "
        "pip install 'readydocs[images]' (or leave out --chart-image for native, editable charts)."]
    assert not (tmp_path / "city-of-riverbend").exists()


def _rename_chart(template: Path, target: Path, name: str) -> Path:
    d = docx.Document(str(template))
    for shape in d.inline_shapes:
        if shape._inline.docPr.get("name") == "readydocs:conditions":
            shape._inline.docPr.set("name", name)
    target.parent.mkdir(parents=True, exist_ok=True)
    d.save(target)
    return target


def test_templates_check_names_a_chart_asking_for_unknown_data(sample_xlsx, tmp_path):
    tpl = tmp_path / "tpl"
    _rename_chart(ROOT / "templates" / "readiness-report.docx", tpl / "readiness-report.docx", "readydocs:scores")
    check = run("templates", "check", tpl)
    assert check.exit_code == 1
    assert ("readiness-report.docx, paragraph 17: chart \u201creadydocs:scores\u201d: readydocs has no chart data named "
            "\u201cscores\u201d. Name the chart readydocs:conditions or readydocs:rounds") in check.output
    built = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tpl)
    assert built.exit_code == 1
    assert f"Error: {tpl / 'readiness-report.docx'}, chart \u201creadydocs:scores\u201d: readydocs has no chart data" in built.output
    assert not (tmp_path / "out").exists()


def test_a_template_without_a_chart_builds(sample_xlsx, tmp_path):
    d = docx.Document(str(ROOT / "templates" / "readiness-report.docx"))
    for shape in list(d.inline_shapes):
        run_el = shape._inline.getparent().getparent()
        run_el.getparent().remove(run_el)
    (tmp_path / "tpl").mkdir()
    d.save(tmp_path / "tpl" / "readiness-report.docx")
    assert run("templates", "check", tmp_path / "tpl").exit_code == 0
    assert run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tmp_path / "tpl").exit_code == 0
    assert charts_of(tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx") == {}


def test_an_unmarked_chart_is_left_as_the_author_made_it(sample_xlsx, tmp_path):
    _rename_chart(ROOT / "templates" / "readiness-report.docx", tmp_path / "tpl" / "readiness-report.docx", "My own chart")

    def unmark(path: Path) -> None:
        body = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(path, "w") as out:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "word/charts/chart1.xml":
                    data = data.replace(b"<c:v>readydocs:conditions</c:v>", b"<c:v>Budget</c:v>")
                out.writestr(info, data)

    unmark(tmp_path / "tpl" / "readiness-report.docx")
    assert run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tmp_path / "tpl").exit_code == 0
    (ser,) = series_of(charts_of(tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx")["My own chart"]["root"])
    assert ser["name"] == "Budget" and ser["values"][1] == 62.0  # the template's own number, not a score


def _embedded(template: Path, target: Path, workbook: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = workbook if info.filename.startswith("word/embeddings/") else src.read(info)
            out.writestr(info, data)
    return target


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("workbook, expected", [
    (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>'}),
     "part xl/workbook.xml declares XML entities or a DOCTYPE"),
    (_zip({"xl/sheet.xml": b"0" * (101 * 1024 * 1024)}), "expands to 101 MB"),
    (b"not a zip at all", "is damaged"),
])
def test_an_unsafe_embedded_workbook_is_refused(sample_xlsx, tmp_path, workbook, expected):
    tpl = tmp_path / "tpl"
    _embedded(ROOT / "templates" / "readiness-report.docx", tpl / "readiness-report.docx", workbook)
    check = run("templates", "check", tpl)
    assert check.exit_code == 1 and "[bad-chart]" in check.output and expected in check.output, check.output
    built = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tpl)
    assert built.exit_code == 1 and expected in built.output and "Traceback" not in built.output
    assert not (tmp_path / "out").exists()


def test_a_chart_linked_to_an_outside_workbook_is_refused(sample_xlsx, tmp_path):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    with zipfile.ZipFile(ROOT / "templates" / "readiness-report.docx") as src, zipfile.ZipFile(tpl / "readiness-report.docx", "w") as out:
        rels = src.read("word/charts/_rels/chart1.xml.rels")
        embedded = "word/" + re.search(rb'Target="\.\./([^"]+)"', rels).group(1).decode()
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/charts/_rels/chart1.xml.rels":
                data = re.sub(rb'Target="[^"]+"', b'Target="http://example.invalid/data.xlsx" TargetMode="External"', data)
            if info.filename != embedded:  # the condition chart's own workbook goes; the other chart keeps its
                out.writestr(info, data)
    check = run("templates", "check", tpl)
    assert check.exit_code == 1 and "linked to an outside workbook" in check.output, check.output
    built = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tpl)
    # The build's guard against linked content (zipguard.linked_content) names the chart's part first.
    assert built.exit_code == 1 and "part word/charts/_rels/chart1.xml.rels" in built.output
    assert built.output.count("\n") == 1 and not (tmp_path / "out").exists()


def test_a_chart_part_with_entities_is_refused(sample_xlsx, tmp_path):
    tpl = tmp_path / "tpl"
    _edit_chart(ROOT / "templates" / "readiness-report.docx", tpl / "readiness-report.docx",
                lambda xml: xml.replace("<c:chartSpace", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><c:chartSpace', 1))
    built = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tpl)
    assert built.exit_code == 1 and "declares XML entities or a DOCTYPE" in built.output
    assert "Traceback" not in built.output


def test_check_docs_requires_alt_text_on_native_charts(built, tmp_path):
    d = docx.Document(str(built / "readiness-report.docx"))
    (shape,) = d.inline_shapes
    del shape._inline.docPr.attrib["descr"]
    d.save(tmp_path / "no-alt.docx")
    result = run("check-docs", tmp_path / "no-alt.docx")
    assert result.exit_code == 1
    assert "chart \u201creadydocs:conditions\u201d: the chart has no alt text." in result.output


def test_batch_chart_image_and_native_default(sample_xlsx, tmp_path):
    native = run("batch", sample_xlsx, "-o", tmp_path / "native", "-j", "1")
    pictures = run("batch", sample_xlsx, "-o", tmp_path / "pictures", "-j", "1", "--chart-image")
    assert native.exit_code == 0 and pictures.exit_code == 0, native.output + pictures.output
    assert list(charts_of(tmp_path / "native" / "city-of-riverbend" / "readiness-report.docx")) == ["readydocs:conditions"]
    report = tmp_path / "pictures" / "city-of-riverbend" / "readiness-report.docx"
    assert charts_of(report) == {}
    assert [s.type for s in docx.Document(str(report)).inline_shapes] == [docx.enum.shape.WD_INLINE_SHAPE.PICTURE]


def test_a_chart_inside_a_condition_is_checked_on_every_build(sample_xlsx, tmp_path):
    """The then-and-now chart is rendered only with --baseline, but a bad name in it stops any build."""
    d = docx.Document(str(ROOT / "templates" / "readiness-report.docx"))
    (rounds,) = [s for s in d.inline_shapes if s._inline.docPr.get("name") == "readydocs:rounds"]
    rounds._inline.docPr.set("name", "readydocs:round")
    (tmp_path / "tpl").mkdir()
    d.save(tmp_path / "tpl" / "readiness-report.docx")
    built = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tmp_path / "tpl")
    assert built.exit_code == 1
    assert "readiness-report.docx, chart \u201creadydocs:round\u201d: readydocs has no chart data named \u201cround\u201d." in built.output


def test_a_scatter_chart_is_named_as_such(sample_xlsx, tmp_path):
    tpl = tmp_path / "tpl"
    _edit_chart(ROOT / "templates" / "readiness-report.docx", tpl / "readiness-report.docx",
                lambda xml: xml.replace("<c:barChart>", "<c:scatterChart>").replace("</c:barChart>", "</c:scatterChart>"))
    check = run("templates", "check", tpl)
    assert "is a scatter chart, which plots numbers against numbers. Use a bar, column, line" in check.output
    built = run("build", sample_xlsx, "-o", tmp_path / "out", "--templates", tpl)
    assert built.exit_code == 1 and "readiness-report.docx, chart \u201creadydocs:conditions\u201d: is a scatter chart" in built.output


def test_templates_check_notes_a_template_showing_the_chart_as_a_picture(sample_xlsx, tmp_path):
    """A template made for earlier versions, with {{ chart }}: a note (not an error), and the build still works."""
    d = docx.Document()
    d.add_paragraph("Scores").add_run()
    d.add_paragraph("{{ chart }}")
    (tmp_path / "tpl").mkdir()
    d.save(tmp_path / "tpl" / "talking-points.docx")
    check = run("templates", "check", tmp_path / "tpl")
    assert check.exit_code == 0
    assert "talking-points.docx: {{ chart }} is a picture only with 'build --chart-image' (empty text otherwise)" in check.output
    for extra, shapes in (((), 0), (("--chart-image",), 1)):
        out = tmp_path / f"out{len(extra)}"
        assert run("build", sample_xlsx, "-o", out, "--templates", tmp_path / "tpl", *extra).exit_code == 0
        assert len(docx.Document(str(out / "city-of-riverbend" / "talking-points.docx")).inline_shapes) == shapes


def test_both_charts_and_their_workbooks_are_the_same_bytes_on_every_build(sample_xlsx, tmp_path):
    earlier = set_named_cells(sample_xlsx, {"profile.assessment_date": "2026-03-01"}, tmp_path / "earlier.xlsx")
    reports = []
    for name in ("a", "b"):
        result = run("build", sample_xlsx, "-o", tmp_path / name, "--baseline", earlier)
        assert result.exit_code == 0, result.output
        reports.append((tmp_path / name / "city-of-riverbend" / "readiness-report.docx").read_bytes())
    assert reports[0] == reports[1]
    with zipfile.ZipFile(io.BytesIO(reports[0])) as z:
        assert len([n for n in z.namelist() if n.startswith("word/embeddings/")]) == 2
