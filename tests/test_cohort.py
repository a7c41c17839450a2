"""A cohort of five places: the summary workbook, peer benchmarks, rounds over time and the end-of-run report.

The five places are made so every number can be worked out by hand:
Alder City rates everything 4 (every condition 100), Birch Town 3 (66.67),
Cedar County 2 (33.33), Dunmore Village 1 (0) except "Don't know" for every
ongoing-learning indicator (so only four places score that condition, one
short of the privacy threshold), and City of Riverbend is the bundled sample
(83.33, 55.56, 22.22, 77.78, 50, 77.78, 88.89, 22.22, 83.33).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from readydocs.batch import run_batch
from readydocs.progress import Reporter
from readydocs.batch_report import REPORT_FILENAME, format_table, report_rows
from readydocs.benchmark import cohort_stats, spread
from readydocs.cli import cli
from readydocs.cohort import FILENAME
from readydocs.form import indicator_name
from readydocs.workbook import rate_every_indicator, set_named_cells


RATING = {4: "4 - Fully in place", 3: "3 - Partly in place", 2: "2 - Starting", 1: "1 - Not in place"}
PLACES = {"Alder City": 4, "Birch Town": 3, "Cedar County": 2, "Dunmore Village": 1}
SAMPLE = [83.33, 55.56, 22.22, 77.78, 50, 77.78, 88.89, 22.22, 83.33]
NAMES = [*PLACES, "City of Riverbend"]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                                   reason="LibreOffice (soffice) and pdfinfo (poppler-utils) are not installed")


def make_cohort(folder: Path, master: Path, framework, places=PLACES, sample=True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in places.items():
        target = folder / f"{name.split()[0].lower()}.xlsx"
        rate_every_indicator(master, framework, RATING[value], target)
        # The sample's letterhead names Riverbend: these places use their own name.
        set_named_cells(target, {"profile.municipality_name": name, "profile.organization_name": None})
        if name == "Dunmore Village":
            learning = framework.condition("learning")
            set_named_cells(target, {indicator_name("rating", i.id): framework.scale.dont_know for i in learning.indicators})
    if sample:
        shutil.copyfile(master, folder / "riverbend.xlsx")
    return folder


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, _sample_master, framework):
    """The five places built once with the CLI: (output folder, CLI result)."""
    root = tmp_path_factory.mktemp("cohort")
    inputs = make_cohort(root / "in", _sample_master, framework)
    out = root / "out"
    result = CliRunner().invoke(cli, ["batch", str(inputs), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return out, result


def doc_text(path: Path) -> str:
    d = docx.Document(path)
    parts = [p.text for p in d.paragraphs]
    parts += [cell.text for t in d.tables for row in t.rows for cell in row.cells]
    for s in d.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def section_table(path: Path, heading: str):
    """The paragraphs and the first table after a heading, up to the next Heading 1."""
    d = docx.Document(path)
    body = d.element.body
    texts, table, inside = [], None, False
    for el in body.iterchildren():
        if el.tag.endswith("}p"):
            p = docx.text.paragraph.Paragraph(el, d)
            if p.style.name == "Heading 1":
                if inside:
                    break
                inside = p.text == heading
            elif inside and p.text:
                texts.append(p.text)
        elif el.tag.endswith("}tbl") and inside and table is None:
            t = docx.table.Table(el, d)
            table = [[c.text for c in row.cells] for row in t.rows]
    return texts, table


# --------------------------------------------------------------------------
# The summary workbook


def test_heat_map_sheet_has_band_words_scores_and_band_colours(cohort, framework):
    out, _ = cohort
    wb = openpyxl.load_workbook(out / FILENAME)
    assert wb.sheetnames == ["Places", "Heat map", "Charts", "Not built"]
    ws = wb["Heat map"]
    assert [c.value for c in ws[1]] == ["Place", "Overall level"] + [c.name for c in framework.conditions]
    rows = {r[0].value: [c.value for c in r[1:]] for r in ws.iter_rows(min_row=2)}
    assert list(rows) == ["Alder City", "Birch Town", "Cedar County", "City of Riverbend", "Dunmore Village"]
    assert rows["Alder City"] == ["Ready to launch"] + ["In place (100)"] * 9
    assert rows["Birch Town"] == ["Ready while strengthening named conditions"] + ["Developing (67)"] * 9
    assert rows["Cedar County"] == ["Build readiness first"] + ["Not yet in place (33)"] * 9
    assert rows["Dunmore Village"] == ["Build readiness first"] + ["Not yet in place (0)"] * 8 + ["Not enough information"]
    assert rows["City of Riverbend"][1:4] == ["In place (83)", "Developing (56)", "Not yet in place (22)"]
    # One rule per band word (longest label first) over every condition cell, each with its band's fill.
    rules = [(str(r.sqref), rule.formula[0], rule.dxf.fill.fgColor.rgb) for r in ws.conditional_formatting for rule in r.rules]
    heat = [(f, colour) for ref, f, colour in rules if ref == "C2:K6"]
    assert heat == [
        ('OR(C2="Not enough information",LEFT(C2,24)="Not enough information (")', "00E0E0E0"),
        ('OR(C2="Not yet in place",LEFT(C2,18)="Not yet in place (")', "00F4C7C3"),
        ('OR(C2="Developing",LEFT(C2,12)="Developing (")', "00FBE5B0"),
        ('OR(C2="In place",LEFT(C2,10)="In place (")', "00C6E7D8"),
    ]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:K6"


def test_charts_sheet_tables_and_native_bar_charts(cohort, framework):
    out, _ = cohort
    ws = openpyxl.load_workbook(out / FILENAME)["Charts"]
    cells = [[c.value for c in row][:3] for row in ws.iter_rows()]
    assert cells[:4] == [["Overall level", "Places", None], ["Ready to launch", 1, None],
                         ["Ready while strengthening named conditions", 2, None], ["Build readiness first", 2, None]]
    assert cells[5] == ["Condition", "Median score", "Places with a score"]
    # Leadership: 0, 33.33, 66.67, 83.33 (Riverbend), 100 -> median 66.67; learning: Dunmore has none.
    medians = {r[0]: (r[1], r[2]) for r in cells[6:15]}
    assert medians["Leadership commitment"] == (67, 5)
    assert medians["Organizational capacity"] == (33, 5)  # 0, 22.22, 33.33, 66.67, 100
    assert medians["Commitment to ongoing learning"] == (75, 4)  # 33.33, 66.67, 83.33, 100 -> 75
    with zipfile.ZipFile(out / FILENAME) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        first, second = (z.read(n).decode() for n in charts)
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"

    def refs(xml: str) -> tuple[str, str, str]:
        root = ET.fromstring(xml)
        bar = root.find(f".//{c}barChart")
        return (bar.find(f"{c}barDir").get("val"), bar.find(f".//{c}cat/{c}strRef/{c}f").text,
                bar.find(f".//{c}val/{c}numRef/{c}f").text)

    assert refs(first) == ("bar", "'Charts'!$A$2:$A$4", "'Charts'!$B$2:$B$4")
    assert refs(second) == ("bar", "'Charts'!$A$7:$A$15", "'Charts'!$B$7:$B$15")
    root = ET.fromstring(second)
    assert root.find(f".//{c}dLbls/{c}showSerName").get("val") == "0"
    assert root.find(f".//{c}valAx/{c}scaling/{c}max").get("val") == "100"


def test_every_sheet_prints_landscape_one_page_wide_with_titles(cohort, framework):
    out, _ = cohort
    wb = openpyxl.load_workbook(out / FILENAME)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1", ws.title
        assert all(ws.cell(row=1, column=n).alignment.wrap_text for n in range(1, ws.max_column + 1) if ws.cell(row=1, column=n).value)
    assert wb["Places"].print_title_cols == "$A:$A" and wb["Heat map"].print_title_cols == "$A:$A"
    # No header word is cut: every column is at least as wide as its header's longest word.
    ws = wb["Places"]
    for cell in ws[1]:
        longest = max(len(w) for w in cell.value.split())
        assert ws.column_dimensions[cell.column_letter].width >= longest + 1, cell.value
    # ...nor any word of a value: long text wraps between words ("Ready while / strengthening named / conditions").
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.alignment.wrap_text
                assert max(len(w) for w in cell.value.split()) <= ws.column_dimensions[cell.column_letter].width - 1, cell.value


@needs_soffice
def test_summary_prints_each_sheet_on_one_landscape_letter_page(cohort, tmp_path):
    out, _ = cohort
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out / FILENAME)], capture_output=True, timeout=180, check=True)
    pdf = tmp_path / "cohort-summary.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True, check=True).stdout
    # Four sheets, five places: one page each; a sheet cut across pages would make more.
    assert re.search(r"^Pages:\s+4$", info, re.M), info
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes and all((float(w), float(h)) == (792, 612) for w, h in sizes), sizes
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    assert "Heat map · page 2 of 4" in words and "Not enough information" in words and "strengthening" in words


# --------------------------------------------------------------------------
# Peer benchmarks


def test_quartiles_by_hand():
    s = spread([0, 33.33, 66.67, 83.33, 100])
    assert (s.n, s.low_quartile, s.median, s.high_quartile) == (5, 33.33, 66.67, 83.33)
    s = spread([10, 20, 30, 40])  # inclusive method: positions 0.75, 1.5, 2.25
    assert (s.low_quartile, s.median, s.high_quartile) == (17.5, 25, 32.5)
    assert spread([]) is None


def test_benchmark_in_scores_json_with_a_condition_under_the_threshold(cohort, framework):
    out, _ = cohort
    alder = json.loads((out / "alder-city" / "scores.json").read_text())["benchmark"]
    assert alder["cohort_places"] == 5 and alder["min_places"] == 5
    by_id = {c["id"]: c for c in alder["conditions"]}
    assert by_id["leadership"] == {"id": "leadership", "places": 5, "median": 67, "low_quartile": 33,
                                   "high_quartile": 83, "position": "above"}
    assert by_id["learning"] == {"id": "learning", "places": 4, "median": None, "low_quartile": None,
                                 "high_quartile": None, "position": None}
    dunmore = {c["id"]: c for c in json.loads((out / "dunmore-village" / "scores.json").read_text())["benchmark"]["conditions"]}
    assert dunmore["leadership"]["position"] == "below"
    river = {c["id"]: c for c in json.loads((out / "city-of-riverbend" / "scores.json").read_text())["benchmark"]["conditions"]}
    assert {c["position"] for cid, c in river.items() if cid != "learning"} == {"within"}


def test_report_says_how_the_place_compares_and_why_a_condition_is_left_out(cohort, framework):
    out, _ = cohort
    texts, table = section_table(out / "alder-city" / "readiness-report.docx", "How you compare")
    assert texts[0].startswith("This assessment is one of 5 in a cohort.")
    assert "No other place is named." in texts[0]
    assert texts[0].endswith("Compared with the other places, eight conditions are relative strengths.")
    assert table[0] == ["Condition", "Score here", "Cohort median", "Middle half", "Where this place stands"]
    assert table[1] == ["Leadership commitment", "100", "67", "33\u201383", "Above the middle half"]
    assert [r[0] for r in table[1:]] == [c.name for c in framework.conditions][:8]
    assert texts[-1] == ("Not compared: Commitment to ongoing learning. Fewer than 5 places in the cohort have a score "
                         "for this condition, and a comparison among so few could reveal another place\u2019s answers.")
    _, table = section_table(out / "city-of-riverbend" / "readiness-report.docx", "How you compare")
    assert table[3] == ["Organizational capacity", "22", "33", "22\u201367", "Within the middle half"]


def test_no_place_names_another_in_its_documents(cohort):
    out, _ = cohort
    slugs = {"Alder City": "alder-city", "Birch Town": "birch-town", "Cedar County": "cedar-county",
             "Dunmore Village": "dunmore-village", "City of Riverbend": "city-of-riverbend"}
    for name, slug in slugs.items():
        for doc in sorted((out / slug).glob("*.docx")):
            text = doc_text(doc)
            assert name in text, doc
            others = [o for o in slugs if o != name and o in text]
            assert not others, (doc, others)
        raw = (out / slug / "scores.json").read_text()
        assert not [o for o in slugs if o != name and o in raw]


def test_four_places_no_comparison_by_default_and_a_reason_when_asked(tmp_path, _sample_master, framework):
    inputs = make_cohort(tmp_path / "in", _sample_master, framework, sample=False)
    default = run_batch([inputs], tmp_path / "default", framework, jobs=1)
    assert not default.benchmarked
    texts, _ = section_table(tmp_path / "default" / "alder-city" / "readiness-report.docx", "How you compare")
    assert texts == [] and "How you compare" not in doc_text(tmp_path / "default" / "alder-city" / "readiness-report.docx")
    assert json.loads((tmp_path / "default" / "alder-city" / "scores.json").read_text())["benchmark"] is None

    asked = run_batch([inputs], tmp_path / "asked", framework, jobs=1, benchmark=True)
    assert asked.benchmarked
    texts, table = section_table(tmp_path / "asked" / "alder-city" / "readiness-report.docx", "How you compare")
    assert table is None
    assert texts == ["No comparison with the cohort is shown: fewer than 5 places in the cohort have a score for any "
                     "condition, and a comparison among so few could reveal another place\u2019s answers."]
    assert json.loads((tmp_path / "asked" / "alder-city" / "scores.json").read_text())["benchmark"] is None


def test_cohort_stats_counts_places_and_suppresses_thin_conditions(framework):
    ids = [c.id for c in framework.conditions]
    places = [{cid: float(10 * n) for cid in ids} for n in range(5)]
    places[0][ids[1]] = None
    stats = cohort_stats(places, framework)
    assert stats.places == 5 and stats.scored[ids[1]] == 4 and stats.conditions[ids[1]] is None
    assert stats.conditions[ids[0]].median == 20


# --------------------------------------------------------------------------
# The end-of-run table, batch-report.json, rounds over time


def table_rows(output: str) -> list[list[str]]:
    """The end-of-run table as printed: columns are separated by two or more spaces."""
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Place "))
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(re.split(r"\s{2,}", line.strip()))
    return out


def test_end_of_run_table_agrees_with_batch_report_json(cohort):
    out, result = cohort
    report = json.loads((out / REPORT_FILENAME).read_text())
    assert report["places"] == 5 and report["built"] == 5 and report["benchmark"] is True
    printed = table_rows(result.output)
    assert printed[0] == ["Place", "Verdict", "Errors", "Warnings", "Documents"]
    from_json = [[r["place"], r["verdict"], str(r["errors"]), str(r["warnings"]), r["documents"]] for r in report["rows"]]
    assert printed[1:] == from_json
    assert from_json[0] == ["Alder City", "Ready to launch", "0", "0", "written"]
    # The sample warns about three low ratings without evidence... whatever it warns, the table says the same number.
    river = next(r for r in report["rows"] if r["place"] == "City of Riverbend")
    assert river["warnings"] == int(printed[4][3])


def test_second_round_with_baseline_marks_new_places_and_compares_the_rest(cohort, tmp_path, _sample_master, framework):
    earlier, _ = cohort
    inputs = make_cohort(tmp_path / "in", _sample_master, framework, places={"Alder City": 3, "Elm Township": 2}, sample=False)
    # Same name, another state: not the same place as the earlier Birch Town.
    rate_every_indicator(_sample_master, framework, RATING[2], inputs / "birch.xlsx")
    set_named_cells(inputs / "birch.xlsx", {"profile.municipality_name": "Birch Town", "profile.state": "Iowa"})
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(inputs), "-o", str(out), "--jobs", "1", "--baseline", str(earlier), "--benchmark"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / REPORT_FILENAME).read_text())
    assert report["baseline"] == str(earlier) and report["benchmark"] is True
    assert {r["place"]: r["round"] for r in report["rows"]} == {"Alder City": "compared", "Birch Town": "new", "Elm Township": "new"}
    assert table_rows(result.output)[0][-1] == "Round"
    texts, table = section_table(out / "alder-city" / "readiness-report.docx", "What changed since October 15, 2026")
    assert table[1][:4] == ["Leadership commitment", "100", "67", "Down (\u221233)"]
    places = openpyxl.load_workbook(out / FILENAME)["Places"]
    # The cohort report: Alder City fell from 100 to 67 everywhere, a band down on every condition.
    _, table = section_table(out / "cohort-report.docx", "Changes since the baseline round")
    assert table[1][:6] == ["Alder City", "October 15, 2026", "100", "67", "\u221233", "\u2014"]
    assert table[1][6].startswith("Leadership commitment, Cross-sector partnerships,")
    texts, _ = section_table(out / "cohort-report.docx", "Changes since the baseline round")
    assert texts == ["New this round (2 places): Birch Town and Elm Township."]
    notes = {row[0].value: row[-1].value for row in places.iter_rows(min_row=2)}
    assert notes == {"Alder City": "Compared with the baseline round", "Birch Town": "New this round: not in the baseline round",
                     "Elm Township": "New this round: not in the baseline round"}


def test_baseline_folder_without_scores_is_one_line_exit_2(tmp_path, _sample_master):
    (tmp_path / "in").mkdir()
    shutil.copyfile(_sample_master, tmp_path / "in" / "a.xlsx")
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--baseline", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'empty'}: holds no place folders with a scores.json. Give --baseline the output folder "
        "of the earlier batch (the one holding cohort-summary.xlsx)."]


def test_a_place_with_an_edited_document_is_refused_in_the_report(tmp_path, _sample_master, framework):
    inputs = make_cohort(tmp_path / "in", _sample_master, framework, places={"Alder City": 4}, sample=True)
    out = tmp_path / "out"
    run_batch([inputs], out, framework, jobs=1)
    memo = out / "alder-city" / "internal-launch-memo.docx"
    d = docx.Document(memo)
    d.add_paragraph("Signed by hand.")
    d.save(memo)
    again = run_batch([inputs], out, framework, jobs=1)
    rows = {r["place"]: r for r in report_rows(again)}
    assert rows["Alder City"]["documents"] == "refused" and rows["Alder City"]["errors"] == 0
    assert rows["City of Riverbend"]["documents"] == "written"
    assert "Signed by hand." in doc_text(memo)
    assert json.loads((out / REPORT_FILENAME).read_text())["refused"] == 1
    assert format_table(report_rows(again))[1].split()[-1] == "refused"


def test_plain_progress_shows_failures_so_far_and_time_left():
    lines: list[str] = []

    class Out:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    now = [100.0]
    with Reporter(tty=False, out=Out(), clock=lambda: now[0]) as r:
        now[0] = 102.0
        r("check", 4, 4, "d.xlsx", 1)
        now[0] = 164.0  # a minute before the first place (grouping, the first task): no place's pace
        r("build", 1, 4, "Alder City: built", 1)
        now[0] = 164.5  # half a second after the first: too soon to tell
        r("build", 2, 4, "Birch Town: skipped", 2)
        now[0] = 168.0  # two places in 4 s since the first: 2 s a place, one left
        r("build", 3, 4, "Cedar County: built", 2)
        r("build", 4, 4, "Dunmore Village: built", 2)
    text = "".join(lines).splitlines()
    assert text == ["Checked 4 workbooks (1 failed so far).",
                    "[1/4] Alder City: built (1 failed so far)",
                    "[2/4] Birch Town: skipped (2 failed so far)",
                    "[3/4] Cedar County: built (2 failed so far, about 2 s left)",
                    "[4/4] Dunmore Village: built (2 failed so far)"]


# --------------------------------------------------------------------------
# The cohort report


def test_cohort_report_overview_weakest_heat_map_and_sessions(cohort, framework):
    out, result = cohort
    path = out / "cohort-report.docx"
    assert f"Wrote {path}" in result.output
    texts, table = section_table(path, "Overview")
    assert table == [["Overall level", "Places", "Which places"], ["Ready to launch", "1", "Alder City"],
                     ["Ready while strengthening named conditions", "2", "Birch Town, City of Riverbend"],
                     ["Build readiness first", "2", "Cedar County, Dunmore Village"]]
    # Medians by hand: capacity and engagement 33 (0, 22.22, 33.33, 66.67, 100), buy-in 50.
    _, table = section_table(path, "Weakest conditions across the cohort")
    assert table[1:] == [["Organizational capacity", "33", "3", "Cedar County, City of Riverbend, Dunmore Village"],
                         ["Resources for community engagement", "33", "3", "Cedar County, City of Riverbend, Dunmore Village"],
                         ["Staff buy-in across departments", "50", "2", "Cedar County, Dunmore Village"]]
    d = docx.Document(path)
    heat = next(t for t in d.tables if t.rows[0].cells[0].text == "Place" and len(t.columns) == 10)
    assert [c.text for c in heat.rows[0].cells[1:]] == [c.name for c in framework.conditions]
    dunmore = next(r for r in heat.rows if r.cells[0].text == "Dunmore Village")
    assert [c.text for c in dunmore.cells[1:]] == ["Not yet in place 0"] * 8 + ["Not enough information"]
    fills = [c._tc.tcPr.find(docx.oxml.ns.qn("w:shd")).get(docx.oxml.ns.qn("w:fill")) for c in dunmore.cells[1:]]
    assert fills == ["F4C7C3"] * 8 + ["E0E0E0"]
    alder = next(r for r in heat.rows if r.cells[0].text == "Alder City")
    assert {c._tc.tcPr.find(docx.oxml.ns.qn("w:shd")).get(docx.oxml.ns.qn("w:fill")) for c in alder.cells[1:]} == {"C6E7D8"}
    texts, _ = section_table(path, "Where respondents disagree most")
    assert texts == ["No place\u2019s respondents scored a condition 34 points or more apart."]
    texts, _ = section_table(path, "Suggested cohort-wide sessions")
    assert texts[0] == "A learning session on organizational capacity"
    assert texts[1].startswith("3 of 5 places have this condition not yet in place (Cedar County, City of Riverbend, "
                               "and Dunmore Village). A session could start from the framework\u2019s first suggested action: ")
    assert texts[2:6:2] == ["A learning session on resources for community engagement", "A learning session on staff buy-in across departments"]
    assert "Changes since the baseline round" not in doc_text(path)


def test_cohort_report_passes_check_docs(cohort):
    out, _ = cohort
    result = CliRunner().invoke(cli, ["check-docs", str(out / "cohort-report.docx")])
    assert result.exit_code == 0, result.output
    assert "no accessibility problems found" in result.output


@needs_soffice
def test_cohort_report_renders_in_libreoffice_with_the_heat_map(cohort, tmp_path):
    out, _ = cohort
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out / "cohort-report.docx")], capture_output=True, timeout=180, check=True)
    pdf = tmp_path / "cohort-report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+792 x 612 pts", info), info  # landscape letter
    words = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for phrase in ("Cohort readiness report", "Heat map", "Organizational capacity", "Not enough information", "Dunmore Village"):
        assert phrase in words, phrase


def test_docs_list_every_cohort_report_variable():
    from readydocs.cohort_report import sample_context
    from readydocs.variables import flatten

    doc = (Path(__file__).resolve().parents[1] / "docs" / "cohort.md").read_text(encoding="utf-8")
    section = doc[doc.index("### The cohort report"):doc.index("### Rounds of a cohort")]
    named = set(re.findall(r"`([a-z_]+)(?:\[\])?`", section))
    missing = sorted({re.split(r"[.\[\]]+", p.rstrip("[]"))[-1] for p in flatten([sample_context()])} - named)
    assert not missing, f"docs/cohort.md does not describe: {', '.join(missing)}"


def test_cohort_template_is_exported_and_checked_against_the_cohort_variables(tmp_path):
    folder = tmp_path / "mine"
    runner = CliRunner()
    assert runner.invoke(cli, ["templates", "export", str(folder)]).exit_code == 0
    path = folder / "cohort-report.docx"
    assert path.is_file()
    d = docx.Document(path)
    p = next(p for p in d.paragraphs if "{{ cohort.places_text }}" in p.text)
    p.text = p.text.replace("cohort.places_text", "cohort.place_text")
    d.save(path)
    result = runner.invoke(cli, ["templates", "check", str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "cohort-report.docx" in line]
    assert len(lines) == 1 and "[unknown-variable]" in lines[0] and "Did you mean \u201cplaces_text\u201d?" in lines[0], result.output
    # A place's variables are not a cohort report's: the report template may not use them.
    d = docx.Document(path)
    d.add_paragraph("{{ overall.label }}")
    d.save(path)
    result = runner.invoke(cli, ["templates", "check", str(folder)])
    assert sum("cohort-report.docx" in line and "overall" in line for line in result.output.splitlines()) == 1


def test_an_edited_cohort_report_is_kept_until_forced(tmp_path, _sample_master, framework):
    inputs = make_cohort(tmp_path / "in", _sample_master, framework)
    out = tmp_path / "out"
    assert run_batch([inputs], out, framework, jobs=1).cohort_report_path == out / "cohort-report.docx"
    path = out / "cohort-report.docx"
    d = docx.Document(path)
    d.add_paragraph("Agreed at the March meeting.")
    d.save(path)
    edited = path.read_bytes()

    result = CliRunner().invoke(cli, ["batch", str(inputs), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert (f"Error: cohort-report.docx was not written: {path} has been changed since readydocs wrote it; "
            "not overwritten.") in result.stderr
    assert path.read_bytes() == edited
    assert f"Wrote {path}." not in result.stdout
    assert f"Wrote {out / FILENAME}." in result.stdout  # the rest of the cohort-wide files are still written

    forced = CliRunner().invoke(cli, ["batch", str(inputs), "-o", str(out), "--jobs", "1", "--force"])
    assert forced.exit_code == 0, forced.output
    (copy,) = out.glob("cohort-report.edited-*.docx")
    assert copy.read_bytes() == edited
    assert "Agreed at the March meeting." not in doc_text(path)
