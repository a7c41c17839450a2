"""Built documents read back with python-docx: content that depends on the input."""

from __future__ import annotations

import json

import docx
import pytest

from readydocs.pipeline import build
from readydocs.catalogue import DOCUMENTS
from readydocs.render import default_templates_dir, undeclared_variables
from readydocs.assessment import assess, score_assessment
from readydocs.context import build_context
from readydocs.summary import summarise
from readydocs.workbook import rate_every_indicator, set_named_cells

from docs_text import all_text, paragraphs, section, table_rows


@pytest.fixture
def built(sample_xlsx, tmp_path, framework):
    result = build([sample_xlsx], tmp_path / "out", framework)
    assert result.assessment.valid
    return result.out_dir


def test_writes_three_documents_and_scores(built):
    assert sorted(p.name for p in built.iterdir()) == [".readydocs-lock", ".readydocs-manifest.json",
        "internal-launch-memo.docx", "readiness-action-plan.xlsx", "readiness-report.docx", "scores.json",
        "talking-points.docx"]
    data = json.loads((built / "scores.json").read_text(encoding="utf-8"))
    assert data["place"] == "City of Riverbend"
    assert data["overall"] == {"level": "strengthen", "label": "Ready while strengthening named conditions",
                               "average": 62.35, "capped_by": []}


def test_report_title_block_and_summary(built):
    paras = paragraphs(built / "readiness-report.docx")
    assert ("Subtitle", "City of Riverbend") in paras
    assert any(t.startswith("Prepared by Dana Whitfield, Senior Policy Analyst") and t.endswith("October 15, 2026") for _, t in paras)
    glance = section(built / "readiness-report.docx", "At a glance")
    assert "Overall readiness: Ready while strengthening named conditions" in glance
    # Counts in words, the average as a sentence, and the one "Don't know" answer, all from the numbers.
    assert ("Most conditions are in place: five of the nine, with two developing and two not yet in place. "
            "The average score across the nine conditions is 62 out of 100. "
            "One of 27 indicators was answered \u201cDon\u2019t know\u201d.") in glance


def test_report_condition_table(built):
    rows = table_rows(built / "readiness-report.docx")
    assert rows[0] == ["Condition", "Score", "Status", "Indicators rated"]
    body = {r[0]: r[1:] for r in rows[1:]}
    assert body == {
        "Leadership commitment (essential)": ["83", "In place", "4 of 4"],
        "Cross-sector partnerships": ["56", "Developing", "3 of 3"],
        "Organizational capacity": ["22", "Not yet in place", "3 of 3"],
        "Culture for large-scale change": ["78", "In place", "3 of 3"],
        "Staff buy-in across departments": ["50", "Developing", "2 of 3"],
        "Shared understanding of structural racism and racial equity": ["78", "In place", "3 of 3"],
        "Data gathering and analysis": ["89", "In place", "3 of 3"],
        "Resources for community engagement": ["22", "Not yet in place", "3 of 3"],
        "Commitment to ongoing learning": ["83", "In place", "2 of 2"],
    }


def test_report_strengths_areas_and_gaps(built, framework):
    report = built / "readiness-report.docx"
    strengths = [t for t in section(report, "Strengths") if t.split(" (score")[0] in {c.name for c in framework.conditions}]
    assert [t.split(" (score")[0] for t in strengths] == [
        "Leadership commitment", "Culture for large-scale change",
        "Shared understanding of structural racism and racial equity", "Data gathering and analysis",
        "Commitment to ongoing learning"]
    areas = [t for s, t in paragraphs(report) if s == "Heading 2" and ":" in t and "(" in t]
    # Weakest first: capacity and engagement (22) before buy-in (50) and partnerships (56).
    assert areas == ["Organizational capacity: Not yet in place (22)", "Resources for community engagement: Not yet in place (22)",
                     "Staff buy-in across departments: Developing (50)", "Cross-sector partnerships: Developing (56)"]
    area_text = "\n".join(section(report, "Areas to strengthen"))
    # Framework actions and the advocate's own notes and next steps all appear.
    assert framework.condition("capacity").actions[0] in area_text
    assert "Facilitation and project help (CAP-3): No budget for a facilitator or project manager, and no partner has offered one." in area_text
    assert "in the mid-year budget adjustment (owner: Budget Office, by February 5, 2027)." in area_text
    gaps = section(report, "Information gaps")
    assert any(t.startswith("STAFF-2 (Staff buy-in across departments): Front-line staff") for t in gaps)
    decision = section(report, "Recommended decision")
    assert decision[0].startswith("Proceed with the launch, and assign an owner")
    # One condition per bullet, most urgent first: a sentence naming all four could not be read aloud.
    start = decision.index("Conditions to strengthen while the process starts, most urgent first:")
    assert decision[start + 1:start + 5] == ["Organizational capacity", "Resources for community engagement",
                                             "Staff buy-in across departments", "Cross-sector partnerships"]


def test_report_has_chart_with_alt_text(built):
    d = docx.Document(str(built / "readiness-report.docx"))
    assert len(d.inline_shapes) == 1
    descr = d.inline_shapes[0]._inline.docPr.get("descr")
    assert "Organizational capacity 22 (Not yet in place)" in descr
    assert "Data gathering and analysis 89 (In place)" in descr


def test_memo_header_and_content(built):
    memo = built / "internal-launch-memo.docx"
    texts = [t for _, t in paragraphs(memo)]
    assert "From: Marcus Oyelaran, City Manager" in texts
    assert "Date: October 15, 2026" in texts
    # "the" before a name of the form "City of X", as it is said.
    assert "Subject: The City of Riverbend begins Mobility Action Planning" in texts
    text = all_text(memo)
    assert "DRAFT" not in text
    for part in ("Economic success", "Power and autonomy", "Being valued in community"):
        assert part in text
    assert "Public Health" in text  # departments from the profile
    assert "We plan to launch the process formally on January 12, 2027." in text


def test_talking_points_react_to_scores(built):
    tp = all_text(built / "talking-points.docx")
    assert "For department heads" in tp and "For elected officials" in tp
    assert "we will strengthen four areas as we go: organizational capacity, resources for community engagement, and two more." in tp
    assert "The assessment rates organizational capacity not yet in place (22 out of 100)." in tp
    assert ("Support a dedicated budget for community engagement: stipends, interpretation and childcare. "
            "The assessment rates resources for community engagement not yet in place (22 out of 100).") in tp
    assert "46 percent of Riverbend renter households" in tp


def test_not_ready_marks_memo_draft_and_changes_talking_points(sample_xlsx, tmp_path, framework):
    set_named_cells(sample_xlsx, {f"rating.LEAD_{n}": 1 for n in range(1, 5)})
    result = build([sample_xlsx], tmp_path / "out", framework)
    memo = result.out_dir / "internal-launch-memo.docx"
    paras = paragraphs(memo)
    assert paras[0] == ("Intense Quote", "DRAFT \u2013 NOT FOR RELEASE")
    assert paras[2][1] == "Leadership commitment: essential to the process, and not yet in place (0 out of 100)."
    d = docx.Document(str(memo))
    assert "DRAFT \u2013 NOT FOR RELEASE" in d.sections[0].header.paragraphs[0].text
    report = all_text(result.out_dir / "readiness-report.docx")
    assert "Leadership commitment is essential to this process and scored below its minimum" in report
    # Only what must be built first is in the draft note: not the developing conditions.
    assert "Cross-sector partnerships:" not in "\n".join(t for _, t in paras[:12])
    tp = all_text(result.out_dir / "talking-points.docx")
    assert "We are not launching yet." in tp
    assert "we will strengthen" not in tp


def test_all_in_place_reads_ready(sample_xlsx, tmp_path, framework):
    rate_every_indicator(sample_xlsx, framework, 4)
    result = build([sample_xlsx], tmp_path / "out", framework)
    report = result.out_dir / "readiness-report.docx"
    assert "Overall readiness: Ready to launch" in section(report, "At a glance")
    assert section(report, "Information gaps") == ["Every indicator has a rating; there are no information gaps."]
    tp = all_text(result.out_dir / "talking-points.docx")
    assert "Our readiness assessment says we are ready to start" in tp


def test_templates_need_only_what_the_context_supplies(sample_xlsx, framework):
    assessment = assess([sample_xlsx], framework)
    context = build_context(summarise(assessment.responses, score_assessment(assessment), framework))
    for filename, _ in DOCUMENTS:
        assert undeclared_variables(default_templates_dir() / filename, context) == set(), filename


def test_templates_use_named_styles_only(framework):
    """No direct run formatting in the default templates, so restyling in Word carries through."""
    for filename, _ in DOCUMENTS:
        d = docx.Document(str(default_templates_dir() / filename))
        for p in d.paragraphs:
            for r in p.runs:
                assert r.bold is None and r.italic is None and r.font.size is None and r.font.color.rgb is None, (filename, p.text)
        for t in d.tables:
            assert t.style is not None and t.style.name != "Normal Table"


def _custom_template(tmp_path, filename: str, paragraph: str):
    """A templates folder holding one default template with a paragraph added."""
    custom = tmp_path / "tpl"
    custom.mkdir()
    d = docx.Document(str(default_templates_dir() / filename))
    d.add_paragraph(paragraph)
    d.save(str(custom / filename))
    return custom


def test_custom_template_with_unknown_variable_fails_naming_it(sample_xlsx, tmp_path, framework):
    from click.testing import CliRunner

    from readydocs.cli import cli

    custom = _custom_template(tmp_path, "talking-points.docx", "Budget line: {{ budget_total }}")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(out), "--templates", str(custom)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {custom / 'talking-points.docx'}, paragraph ")
    assert "\u201cbudget_total\u201d is not a variable readydocs provides." in result.output
    assert not out.exists()  # nothing written, not even the documents whose templates were fine


def test_custom_folder_falls_back_to_defaults(sample_xlsx, tmp_path, framework):
    custom = _custom_template(tmp_path, "internal-launch-memo.docx", "Approved for circulation in {{ place.name }}.")
    result = build([sample_xlsx], tmp_path / "out", framework, templates_dir=custom)
    assert "Approved for circulation in City of Riverbend." in all_text(result.out_dir / "internal-launch-memo.docx")
    assert "Approved for circulation" not in all_text(result.out_dir / "readiness-report.docx")
    assert "Readiness for Mobility Action Planning" in all_text(result.out_dir / "readiness-report.docx")


def test_misspelt_field_in_a_custom_template_names_paragraph_and_suggests(sample_xlsx, tmp_path):
    from click.testing import CliRunner

    from readydocs.cli import cli

    custom = _custom_template(tmp_path, "talking-points.docx", "Budget line: {{ place.nmae }}")
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(custom)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {custom / 'talking-points.docx'}, paragraph ")
    assert "\u201cBudget line: {{ place.nmae }}\u201d" in lines[0] and "Did you mean \u201cname\u201d?" in lines[0]
    assert not (tmp_path / "out").exists()


def test_memo_from_a_sponsor_who_is_also_the_advocate_speaks_once(sample_xlsx, tmp_path, framework):
    set_named_cells(sample_xlsx, {"profile.sponsor_name": "Dana Whitfield", "profile.sponsor_title": "Deputy City Manager"})
    result = build([sample_xlsx], tmp_path / "out", framework)
    memo = [t for _, t in paragraphs(result.out_dir / "internal-launch-memo.docx")]
    assert "From: Dana Whitfield, Deputy City Manager" in memo
    assert any(t.startswith("I lead the process as our Mobility Advocate and sponsor it as Deputy City Manager.") for t in memo)
    assert not any("Dana Whitfield, Senior Policy Analyst" in t and "leads the process" in t for t in memo)
    # The signature block: closing, then name, title and organization on their own lines.
    end = memo.index("With thanks,")
    assert memo[end + 1:end + 4] == ["Dana Whitfield", "Deputy City Manager", "City of Riverbend Office of the City Manager"]


def test_an_undefined_variable_is_a_typed_error_the_linter_explains(sample_xlsx, tmp_path, framework):
    """Rendering names the template and the variables; the linter, asked by the command line, adds the paragraph."""
    import ast
    from pathlib import Path

    import pytest

    from readydocs.errors import TemplateError, UndefinedVariableError
    from readydocs.lint import explain_undefined
    from readydocs.render import __file__ as render_source

    custom = _custom_template(tmp_path, "talking-points.docx", "Budget line: {{ budget.total }} for {{ plaec.name }}")
    with pytest.raises(UndefinedVariableError) as err:
        build([sample_xlsx], tmp_path / "out", framework, templates_dir=custom)
    path = custom / "talking-points.docx"
    assert err.value.template == str(path) and err.value.names == ("budget", "plaec")
    assert str(err.value) == (f"{path}: uses variables readydocs does not provide: budget, plaec. "
                              "Run readydocs docs templates for the variables available.")
    explained = explain_undefined(err.value)
    assert isinstance(explained, TemplateError) and explained.exit_code == 1
    assert str(explained).startswith(f"{path}, paragraph ") and "[unknown-variable]" in str(explained)
    # Rendering does not reach for the linter: the dependency runs one way, lint -> render.
    tree = ast.parse(Path(render_source).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "lint" not in imported and not any((m or "").endswith(".lint") for m in imported)
