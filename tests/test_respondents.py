"""Several respondents for one place: pooling worked out by hand, refusals, discussion items."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.context import build_context
from readydocs.summary import summarise
from readydocs.errors import InvalidInputError
from readydocs.form import NAME_FRAMEWORK_VERSION, indicator_name
from readydocs.assessment import assess, score_assessment
from readydocs.pipeline import build
from readydocs.respondents import discussion_items, respondents_by_role
from readydocs.scoring import score
from readydocs.response import Profile, Response
from readydocs.workbook import set_named_cells



def _answers(framework, **overrides):
    out = {i.id: 4 for i in framework.indicators}
    for key, value in overrides.items():
        out[key.replace("_", "-")] = value
    return out


def test_mixed_dont_know_pooled_by_hand(framework):
    # capacity: CAP-1 1 and 3 -> 2; CAP-2 2 and "Don't know" -> 2; CAP-3 "Don't know" from both -> unknown.
    # 1 of 3 unknown is not more than half: score from (2 + 2) / 2 = 2 -> (2 - 1) / 3 * 100 = 33.33.
    r1 = _answers(framework, CAP_1=1, CAP_2=2, CAP_3=None)
    r2 = _answers(framework, CAP_1=3, CAP_2=None, CAP_3=None)
    cap = score([r1, r2], framework).condition("capacity")
    assert [i.mean for i in cap.indicators] == [2, 2, None]
    assert [len(i.known) for i in cap.indicators] == [2, 1, 0]
    assert [(i.low, i.high) for i in cap.indicators] == [(1, 3), (2, 2), (None, None)]
    assert cap.score == pytest.approx(100 / 3)
    assert cap.status == "not-in-place"
    assert (cap.n_rated, cap.n_unknown) == (2, 1)
    # r1 alone: (1 + 2) / 2 = 1.5 -> 16.67; r2 alone has 2 of 3 unknown -> no score, so no spread to judge.
    assert cap.respondent_scores == (pytest.approx(50 / 3), None)
    assert cap.spread is None and cap.disagree is False


def test_three_respondents_disagree(framework):
    # leadership all 4 (100), all 3 (66.67), all 2 (33.33): pooled mean 3 -> 66.67; spread 66.67 >= 34.
    rs = [_answers(framework), _answers(framework, LEAD_1=3, LEAD_2=3, LEAD_3=3, LEAD_4=3),
          _answers(framework, LEAD_1=2, LEAD_2=2, LEAD_3=2, LEAD_4=2)]
    s = score(rs, framework)
    lead = s.condition("leadership")
    assert lead.score == pytest.approx(200 / 3)
    assert lead.status == "developing"
    assert lead.spread == pytest.approx(200 / 3) and lead.disagree
    assert s.respondents == 3
    # every other condition 100 for all: average (66.67 + 8 * 100) / 9
    assert s.average == pytest.approx((200 / 3 + 800) / 9)


@pytest.mark.parametrize("lead4, spread, disagree", [
    (3, 100 / 3, False),   # 4,4,4,4 vs 3,3,3,3: 100 - 66.67 = 33.33 < 34
    (2, 125 / 3, True),    # 4,4,4,4 vs 3,3,3,2: mean 2.75 -> 58.33; 100 - 58.33 = 41.67
])
def test_agreement_threshold(framework, lead4, spread, disagree):
    r2 = _answers(framework, LEAD_1=3, LEAD_2=3, LEAD_3=3, LEAD_4=lead4)
    lead = score([_answers(framework), r2], framework).condition("leadership")
    assert lead.spread == pytest.approx(spread)
    assert lead.disagree is disagree


def _response(name, role, dept, answers):
    profile = Profile(municipality_name="Town of Example", respondent_name=name, respondent_role=role,
                      respondent_department=dept)
    return Response(Path(f"{name}.xlsx"), profile, answers, {})


def test_discussion_item_names_who_rated_what(framework):
    a = _response("Ana Ruiz", "Department head", "Public Works", _answers(framework, STAFF_1=2, STAFF_2=2, STAFF_3=2))
    b = _response("Bo Chen", "Budget office", "Finance", _answers(framework, STAFF_1=4, STAFF_2=None, STAFF_3=4))
    s = score([a.answers, b.answers], framework)
    ctx = build_context(summarise([a, b], s, framework))
    assert [d["condition_id"] for d in ctx["discussion"]] == ["buy-in"]
    item = ctx["discussion"][0]
    # a: all 2 -> 33.33; b: 4 and 4 -> 100; pooled (3 + 2 + 3) / 3 = 2.667 -> 55.6
    assert item["text"] == ("Staff buy-in across departments: Department head (Public Works) scored it 33 and "
                            "Budget office (Finance) 100 out of 100. Talk about why before acting on the pooled score of 56.")
    assert [i["id"] for i in item["indicators"]] == ["STAFF-1", "STAFF-3"]  # STAFF-2: 2 against "Don't know"
    assert item["indicators"][0]["text"] == ("STAFF-1: Department head (Public Works) rated 2 (Starting); "
                                             "Budget office (Finance) rated 4 (Fully in place).")
    assert item["spread"] == 67


def test_same_role_is_told_apart_by_name_and_listing_is_by_role(framework):
    people = [{"name": "Zoe", "role": "Department head", "department": "Parks"},
              {"name": "Al", "role": "", "department": ""},
              {"name": "Yan", "role": "Department head", "department": "Parks"},
              {"name": "Cy", "role": "Budget office", "department": "Finance"}]
    assert [p["name"] for p in respondents_by_role(people)] == ["Cy", "Yan", "Zoe", "Al"]
    rs = [_answers(framework), _answers(framework), _answers(framework, LEAD_1=1, LEAD_2=1, LEAD_3=1, LEAD_4=1), _answers(framework)]
    items = discussion_items(people, score(rs, framework), framework)
    assert [v["who"] for v in items[0]["views"]] == ["Department head (Parks), Yan", "Department head (Parks), Zoe", "Al", "Budget office (Finance)"]


def test_different_municipalities_refused(sample_xlsx, tmp_path, framework):
    other = set_named_cells(sample_xlsx, {"profile.municipality_name": "Lakeside County"}, tmp_path / "other.xlsx")
    with pytest.raises(InvalidInputError, match="name different municipalities"):
        assess([sample_xlsx, other], framework)
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), str(other), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "sample.xlsx: City of Riverbend; other.xlsx: Lakeside County" in result.output  # as typed
    assert not (tmp_path / "out").exists()


def test_different_framework_versions_refused_in_one_line(sample_xlsx, tmp_path, framework):
    other = set_named_cells(sample_xlsx, {NAME_FRAMEWORK_VERSION: "0.9"}, tmp_path / "older.xlsx")
    with pytest.raises(InvalidInputError) as info:
        assess([sample_xlsx, other], framework)
    msg = str(info.value)
    assert "different framework versions" in msg
    assert "sample.xlsx (Instructions!C" in msg and ": mobility-readiness version 1.0" in msg
    assert "older.xlsx (Instructions!C" in msg and ": mobility-readiness version 0.9" in msg
    result = CliRunner().invoke(cli, ["validate", str(sample_xlsx), str(other)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: These workbooks were made from different framework versions")


def _headings(path):
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Heading 1"]


def test_two_workbooks_build_pooled_report(sample_xlsx, tmp_path, framework):
    a = set_named_cells(sample_xlsx, {"profile.respondent_name": "Ana Ruiz", "profile.respondent_role": "Department head",
                                "profile.respondent_department": "Public Works",
                                **{indicator_name("rating", i): "2 - Starting" for i in ("STAFF-1", "STAFF-2", "STAFF-3")}},
                        tmp_path / "a.xlsx")
    b = set_named_cells(sample_xlsx, {"profile.respondent_name": "Bo Chen", "profile.respondent_role": "Budget office",
                                "profile.respondent_department": "Finance",
                                indicator_name("rating", "STAFF-1"): "4 - Fully in place",
                                indicator_name("rating", "STAFF-3"): "4 - Fully in place"},
                        tmp_path / "b.xlsx")
    result = build([a, b], tmp_path / "out", framework)
    report = result.out_dir / "readiness-report.docx"
    d = docx.Document(str(report))
    heads = _headings(report)
    assert heads.index("Who took part") < heads.index("Where respondents disagree") < heads.index("Information gaps")
    people = [[c.text for c in row.cells] for row in d.tables[1].rows]
    assert people == [["Name", "Role", "Department"], ["Bo Chen", "Budget office", "Finance"],
                      ["Ana Ruiz", "Department head", "Public Works"]]
    texts = [p.text for p in d.paragraphs]
    start = texts.index("Where respondents disagree")
    # b: STAFF-1 4, STAFF-2 "Don't know" (the sample), STAFF-3 4 -> 100; a: 2, 2, 2 -> 33.33; pooled (3 + 2 + 3) / 3 -> 56
    assert texts[start + 2] == "Staff buy-in across departments"
    assert texts[start + 3] == ("Staff buy-in across departments: Department head (Public Works) scored it 33 and "
                                "Budget office (Finance) 100 out of 100. Talk about why before acting on the pooled score of 56.")
    assert texts[start + 4].startswith("STAFF-1: Department head (Public Works) rated 2 (Starting); Budget office (Finance) rated 4")


def test_one_workbook_report_has_no_multi_respondent_or_baseline_sections(sample_xlsx, tmp_path, framework):
    result = build([sample_xlsx], tmp_path / "out", framework)
    report = result.out_dir / "readiness-report.docx"
    assert _headings(report) == ["At a glance", "Strengths", "Areas to strengthen", "Information gaps",
                                 "Recommended decision", "Appendix A: how the scores were calculated",
                                 "Appendix B: the ratings and evidence"]
    d = docx.Document(str(report))
    # The condition table and the evidence appendix; no respondents or baseline tables.
    assert len(d.tables) == 2 and d.tables[1].rows[0].cells[0].text == "Indicator"
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Since the assessment of" not in text and "respondents" not in text


def test_notes_copied_between_respondents_appear_once(sample_xlsx, tmp_path, framework):
    """Two workbooks that share the sample's notes (one started from the other) list each note once."""
    import shutil

    from readydocs.context import build_context

    from readydocs.summary import summarise
    from readydocs.assessment import assess

    other = tmp_path / "other.xlsx"
    shutil.copyfile(sample_xlsx, other)
    set_named_cells(other, {"profile.respondent_name": "Lena Park", "evidence.CAP_1": "Lena's own note"})
    a = assess([sample_xlsx, other], framework)
    cap = next(c for c in build_context(summarise(a.responses, score_assessment(a), framework))["conditions"] if c["id"] == "capacity")
    texts = [(n["indicator"], n["text"]) for n in cap["notes"]]
    assert texts.count(("CAP-2", "Housing and Parks can release staff; other departments point to open vacancies.")) == 1
    assert ("CAP-1", "Lena's own note") in texts
    assert len([n for n in cap["notes"] if n["indicator"] == "CAP-1"]) == 2  # the advocate's and Lena's differ
    assert len(cap["next_steps"]) == len({(s["indicator"], s["text"]) for s in cap["next_steps"]})
