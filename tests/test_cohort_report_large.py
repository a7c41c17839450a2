"""A cohort report for a cohort too large to name every place: every US municipality, about 19,500.

The tables with a row per place keep to the MAX_LISTED places with the lowest
averages and say so; a cell that would name more points to cohort-summary.xlsx.
Places here are made directly as PlaceScores, so each average is known by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest

from readydocs import cohort_report
from readydocs.baseline import EarlierRound
from readydocs.cohort_report import SEE_SUMMARY, cohort_context, render_report
from readydocs.sandbox import MAX_TEXT
from readydocs.scoresjson import ConditionScore, PlaceScores


def place(framework, name: str, average: float | None, level: int = 0, lacking: bool = False) -> PlaceScores:
    """A place whose every condition scores ``average`` (none: not enough information)."""
    if average is None:
        status = framework.insufficient.id
    else:
        status = framework.bands[-1].id if lacking else framework.band_for(average).id
    conds = tuple(ConditionScore(c.id, average, status, None, False) for c in framework.conditions)
    lv = framework.levels[level]
    return PlaceScores(name, "", "", dt.date(2026, 10, 15), 1, lv.id, lv.label, average, conds)


def earlier_round(framework, names, score: float = 10.0) -> dict[str, EarlierRound]:
    return {n: EarlierRound(Path("scores.json"), n, dt.date(2025, 10, 15), framework.id, framework.version,
                            {c.id: score for c in framework.conditions}) for n in names}


def paragraphs_and_tables(data: bytes):
    d = docx.Document(io.BytesIO(data))
    return [p.text for p in d.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]


def test_past_the_limit_the_tables_show_the_places_with_the_lowest_averages_in_name_order(monkeypatch, framework):
    monkeypatch.setattr(cohort_report, "MAX_LISTED", 3)
    # Averages by hand: Cedar has none, then Birch 20, Dunmore 40; Alder 60 and Elm 80 are left out.
    places = [place(framework, "Alder City", 60.0), place(framework, "Birch Town", 20.0), place(framework, "Cedar County", None),
              place(framework, "Dunmore Village", 40.0), place(framework, "Elm Grove", 80.0)]
    context = cohort_context(places, framework, earlier=earlier_round(framework, ["Alder City", "Birch Town", "Cedar County", "Dunmore Village"]),
                             baseline_given=True)
    texts, tables = paragraphs_and_tables(render_report(context, framework))
    heat = next(t for t in tables if t[0][0] == "Place" and len(t[0]) == 1 + len(framework.conditions))
    assert [row[0] for row in heat[1:]] == ["Birch Town", "Cedar County", "Dunmore Village"]
    assert ("This table shows 3 of the 5 places, in order of name: those with the lowest average scores or none at all. "
            "cohort-summary.xlsx lists every place.") in texts
    changes = next(t for t in tables if t[0][:2] == ["Place", "Earlier round"])
    assert [row[0] for row in changes[1:]] == ["Birch Town", "Cedar County", "Dunmore Village"]
    assert ("This table shows 3 of the 4 places matched in the baseline round, in order of name: those with the lowest "
            "average scores or none at all. cohort-summary.xlsx lists every place.") in texts
    assert "New this round (1 place): Elm Grove." in texts
    # Every place is at the first level: five names are more than the cell may hold.
    overview = next(t for t in tables if t[0] == ["Overall level", "Places", "Which places"])
    assert overview[1] == [framework.levels[0].label, "5", SEE_SUMMARY]


def test_within_the_limit_every_place_is_shown_and_nothing_is_said_of_a_limit(monkeypatch, framework):
    monkeypatch.setattr(cohort_report, "MAX_LISTED", 3)
    places = [place(framework, "Alder City", 60.0), place(framework, "Birch Town", 20.0), place(framework, "Cedar County", 30.0, level=1)]
    context = cohort_context(places, framework)
    assert context["heat"]["note_text"] == "" and context["changes"]["note_text"] == ""
    texts, tables = paragraphs_and_tables(render_report(context, framework))
    assert not [t for t in texts if "This table shows" in t]
    heat = next(t for t in tables if t[0][0] == "Place" and len(t[0]) == 1 + len(framework.conditions))
    assert [row[0] for row in heat[1:]] == ["Alder City", "Birch Town", "Cedar County"]
    overview = next(t for t in tables if t[0] == ["Overall level", "Places", "Which places"])
    assert overview[1][2] == "Alder City, Birch Town" and overview[2][2] == "Cedar County"


def test_more_new_places_than_the_limit_are_counted_not_named(monkeypatch, framework):
    monkeypatch.setattr(cohort_report, "MAX_LISTED", 3)
    places = [place(framework, f"Town {n}", 50.0) for n in range(4)]
    context = cohort_context(places, framework, earlier={}, baseline_given=True)
    texts, _ = paragraphs_and_tables(render_report(context, framework))
    assert "New this round (4 places): cohort-summary.xlsx marks each one." in texts


def test_a_session_names_at_most_three_places_and_counts_the_rest(framework):
    places = [place(framework, f"Town {n:02d}", 0.0, lacking=True) for n in range(12)]
    sessions = cohort_context(places, framework)["sessions"]
    assert sessions[0]["text"].startswith("12 of 12 places have this condition not yet in place (Town 00, Town 01, and 10 more). ")


def test_every_us_municipality_fits_in_the_default_report(framework):
    # 19,500 places made more than MAX_TEXT characters (the limit stopped the report at about 3,800).
    places = [place(framework, f"Town of Bench {n:05d}", float(n % 101), level=n % len(framework.levels)) for n in range(19_500)]
    context = cohort_context(places, framework)
    data = render_report(context, framework)
    texts, tables = paragraphs_and_tables(data)
    assert "19,500 places" in texts[1]
    heat = next(t for t in tables if t[0][0] == "Place" and len(t[0]) == 1 + len(framework.conditions))
    assert len(heat) == 1 + 500
    # By hand: n % 101 is 0, 1 and 2 for 194 places each (19,500 = 193 x 101 + 7). All 194 scoring 0 and
    # 194 scoring 1 are shown, and the first 112 scoring 2 (n = 2 ... 11,213), in order of name.
    scores = [row[1].split()[-1] for row in heat[1:]]
    assert (scores.count("0"), scores.count("1"), scores.count("2")) == (194, 194, 112)
    assert heat[1][0] == "Town of Bench 00000" and heat[-1][0] == "Town of Bench 19494"
    assert "Town of Bench 11213" in [row[0] for row in heat] and "Town of Bench 11314" not in [row[0] for row in heat]
    assert "This table shows 500 of the 19,500 places, in order of name: those with the lowest average scores. " \
           "cohort-summary.xlsx lists every place." in texts
    assert len(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")) < MAX_TEXT


def test_the_longest_report_the_limits_allow_stays_far_under_the_text_limit(framework):
    # The worst case docs/safety.md gives: 500 places a level, those of one level lacking every condition
    # (so each weakest condition names 500), every place in the baseline round, names of 200 characters.
    limit = cohort_report.MAX_LISTED
    places = [place(framework, (f"{n:05d} " + "W" * 200)[:200], 0.0 if n % 3 == 0 else 100.0, level=n % 3, lacking=n % 3 == 0)
              for n in range(limit * len(framework.levels))]
    context = cohort_context(places, framework, earlier=earlier_round(framework, [p.place for p in places], 50.0),
                             baseline_given=True)
    assert [v["count"] for v in context["verdicts"]] == [limit] * 3
    assert all(SEE_SUMMARY not in v["names_text"] for v in context["verdicts"])
    assert [c["lacking_count"] for c in context["weakest"]] == [limit] * 3
    body = len(zipfile.ZipFile(io.BytesIO(render_report(context, framework))).read("word/document.xml"))
    assert body < 3_000_000 < MAX_TEXT
