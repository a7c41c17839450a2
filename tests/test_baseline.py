"""Rounds over time: build --baseline with an earlier workbook or an earlier build's scores.json."""

from __future__ import annotations

import json

import docx
import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.form import indicator_name
from readydocs.workbook import set_named_cells


# Earlier round: leadership 1, 2, 3, 3 -> mean 2.25 -> 41.67 (Not yet in place);
# capacity 4, 4, 1 -> mean 3 -> 66.67 (Developing). The sample now has leadership
# 83.33 (In place) and capacity 22.22 (Not yet in place); all else is unchanged.
EARLIER = {
    "profile.assessment_date": "2026-03-01",
    indicator_name("rating", "LEAD-1"): "1 - Not in place",
    indicator_name("rating", "LEAD-2"): "2 - Starting",
    indicator_name("rating", "CAP-1"): "4 - Fully in place",
    indicator_name("rating", "CAP-2"): "4 - Fully in place",
}
CHANGE_TABLE = [
    ["Condition", "Earlier", "Now", "Change", "Status"],
    ["Leadership commitment", "42", "83", "Up (+41)", "Not yet in place to In place"],
    ["Cross-sector partnerships", "56", "56", "No change", "Developing"],
    ["Organizational capacity", "67", "22", "Down (\u221245)", "Developing to Not yet in place"],
    ["Culture for large-scale change", "78", "78", "No change", "In place"],
    ["Staff buy-in across departments", "50", "50", "No change", "Developing"],
    ["Shared understanding of structural racism and racial equity", "78", "78", "No change", "In place"],
    ["Data gathering and analysis", "89", "89", "No change", "In place"],
    ["Resources for community engagement", "22", "22", "No change", "Not yet in place"],
    ["Commitment to ongoing learning", "83", "83", "No change", "In place"],
]
# Counts in words, as the sentence is read aloud.
SUMMARY = ("Since the assessment of March 1, 2026, one condition improved, one declined, and seven held steady. "
           "Moved across a band: Leadership commitment (Not yet in place to In place) and "
           "Organizational capacity (Developing to Not yet in place).")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def earlier(sample_xlsx, tmp_path):
    return set_named_cells(sample_xlsx, EARLIER, tmp_path / "earlier.xlsx")


def _check_report(report):
    d = docx.Document(str(report))
    texts = [p.text for p in d.paragraphs]
    assert SUMMARY in texts
    assert "What changed since March 1, 2026" in texts
    assert [[c.text for c in row.cells] for row in d.tables[1].rows] == CHANGE_TABLE
    # What crossed a band is said once, in the summary above, not repeated under the table.
    crossing = "Moved across a band: Leadership commitment (Not yet in place to In place) and Organizational capacity (Developing to Not yet in place)."
    assert sum(t.count(crossing) for t in texts) == 1
    names = [s._inline.docPr.get("name") for s in d.inline_shapes]
    assert names == ["readydocs:conditions", "readydocs:rounds"]
    alt = d.inline_shapes[1]._inline.docPr.get("descr")
    assert ("in the round of March 1, 2026 and in this one: Leadership commitment 42 then, 83 now; "
            "Cross-sector partnerships 56 then, 56 now; Organizational capacity 67 then, 22 now;") in alt


def test_baseline_from_earlier_workbook(sample_xlsx, earlier, tmp_path):
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--baseline", earlier)
    assert result.exit_code == 0, result.output
    _check_report(tmp_path / "out" / "city-of-riverbend" / "readiness-report.docx")


def test_baseline_from_earlier_scores_json_and_chart_shows_both_rounds(sample_xlsx, earlier, tmp_path):
    from lxml import etree

    assert run("build", earlier, "-o", tmp_path / "then").exit_code == 0
    then_json = tmp_path / "then" / "city-of-riverbend" / "scores.json"
    assert json.loads(then_json.read_text())["assessment_date"] == "2026-03-01"
    assert run("build", sample_xlsx, "-o", tmp_path / "plain").exit_code == 0
    result = run("build", sample_xlsx, "-o", tmp_path / "now", "--baseline", then_json)
    assert result.exit_code == 0, result.output
    report = tmp_path / "now" / "city-of-riverbend" / "readiness-report.docx"
    _check_report(report)

    def series(path):
        """{chart name: [(series name, values)]} of a report's native charts."""
        d = docx.Document(str(path))
        c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
        out = {}
        for shape in d.inline_shapes:
            rid = next(shape._inline.iter(f"{c}chart")).get(docx.oxml.ns.qn("r:id"))
            root = etree.fromstring(d.part.related_parts[rid].blob)
            out[shape._inline.docPr.get("name")] = [
                (s.findtext(f"{c}tx//{c}v"), [float(v.text) for v in s.find(f"{c}val").iter(f"{c}v")])
                for s in root.iter(f"{c}ser")]
        return out

    both, single = series(report), series(tmp_path / "plain" / "city-of-riverbend" / "readiness-report.docx")
    # Without an earlier round the report has only the condition chart; with one, a second chart of both rounds.
    assert list(single) == ["readydocs:conditions"]
    (earlier_series, now_series) = both["readydocs:rounds"]
    assert earlier_series[0] == "Earlier (March 1, 2026)" and now_series[0] == "This round (October 15, 2026)"
    assert earlier_series[1][:3] == [42, 56, 67]  # as in the change table
    assert now_series[1][:3] == [83.33, 55.56, 22.22]  # as in scores.json
    assert both["readydocs:conditions"] == single["readydocs:conditions"]


def test_baseline_for_another_place_is_refused(sample_xlsx, tmp_path):
    other = set_named_cells(sample_xlsx, {**EARLIER, "profile.municipality_name": "Lakeside County"}, tmp_path / "other.xlsx")
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--baseline", other)
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "the earlier round is for 'Lakeside County', this assessment is for 'City of Riverbend'" in result.output
    assert not (tmp_path / "out").exists()


def test_baseline_dated_after_is_refused(sample_xlsx, tmp_path):
    later = set_named_cells(sample_xlsx, {"profile.assessment_date": "2027-05-01"}, tmp_path / "later.xlsx")
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--baseline", later)
    assert result.exit_code == 1
    assert "dated 2027-05-01, after this assessment (2026-10-15)" in result.output


@pytest.mark.parametrize("content, expected, code", [
    (b"{not json", "not valid JSON at line 1", 2),
    (b'{"framework": {"id": "mobility-readiness"}, "conditions": [{"id": "leadership", "score": "high"}]}',
     "condition 'leadership' has score 'high'", 2),
    (b'{"framework": {"id": "other"}, "conditions": []}', "scored against framework 'other'", 1),
])
def test_bad_scores_json_is_one_line(sample_xlsx, tmp_path, content, expected, code):
    bad = tmp_path / "scores.json"
    bad.write_bytes(content)
    result = run("build", sample_xlsx, "-o", tmp_path / "out", "--baseline", bad)
    assert result.exit_code == code
    assert expected in result.output and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
