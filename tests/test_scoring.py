"""Scores checked against numbers worked out by hand.

Scale 1-4 maps to 0-100: score = (mean - 1) / 3 * 100.
"""

from __future__ import annotations

import pytest

from readydocs.sample import DONT_KNOW, SAMPLE_RATINGS
from readydocs.scoring import score


def _answers(framework, **overrides):
    """Every indicator rated 4, then the overrides (indicator id with _ for -)."""
    out = {i.id: 4 for i in framework.indicators}
    for key, value in overrides.items():
        out[key.replace("_", "-")] = value
    return out


def _sample_answers():
    return {k: (None if v == DONT_KNOW else v) for k, v in SAMPLE_RATINGS.items()}


def test_sample_scores_by_hand(framework):
    s = score([_sample_answers()], framework)
    got = {c.id: (round(c.score, 2) if c.score is not None else None, c.status) for c in s.conditions}
    assert got == {
        "leadership": (83.33, "in-place"),      # (4+4+3+3)/4 = 3.5 -> 2.5/3
        "partnerships": (55.56, "developing"),  # 8/3 = 2.667 -> 1.667/3
        "capacity": (22.22, "not-in-place"),    # 5/3 -> 0.667/3
        "culture": (77.78, "in-place"),         # 10/3
        "buy-in": (50.0, "developing"),         # (3+2)/2 = 2.5, "Don't know" left out; exactly 50 is Developing
        "equity": (77.78, "in-place"),
        "data": (88.89, "in-place"),            # 11/3
        "engagement": (22.22, "not-in-place"),
        "learning": (83.33, "in-place"),
    }
    # (83.33+55.56+22.22+77.78+50+77.78+88.89+22.22+83.33)/9 = 561.11/9
    assert s.average == pytest.approx(62.345679, abs=1e-4)
    assert s.level == "strengthen"
    assert s.capped_by == ()
    buy_in = s.condition("buy-in")
    assert (buy_in.n_indicators, buy_in.n_rated, buy_in.n_unknown) == (3, 2, 1)


def test_all_top_ratings_are_ready(framework):
    s = score([_answers(framework)], framework)
    assert all(c.score == 100 for c in s.conditions)
    assert s.level == "ready"


def test_one_weak_condition_blocks_ready_but_not_strengthen(framework):
    # capacity at 1,1,1 = 0: average (8*100 + 0)/9 = 88.9, but a condition is in the lowest band.
    s = score([_answers(framework, CAP_1=1, CAP_2=1, CAP_3=1)], framework)
    assert s.average == pytest.approx(800 / 9)
    assert s.condition("capacity").status == "not-in-place"
    assert s.level == "strengthen"


def test_essential_condition_caps_the_level_whatever_the_average(framework):
    # leadership 2,2,2,1 -> mean 1.75 -> 25, below its minimum of 50; everything else 100.
    s = score([_answers(framework, LEAD_1=2, LEAD_2=2, LEAD_3=2, LEAD_4=1)], framework)
    assert s.condition("leadership").score == pytest.approx(25)
    assert s.average == pytest.approx((25 + 800) / 9)  # 91.7
    assert s.level == "build-first"
    assert s.capped_by == ("leadership",)


def test_essential_at_exactly_its_minimum_does_not_cap(framework):
    # leadership 3,2,3,2 -> mean 2.5 -> 50: not below 50.
    s = score([_answers(framework, LEAD_1=3, LEAD_2=2, LEAD_3=3, LEAD_4=2)], framework)
    assert s.condition("leadership").score == 50
    assert s.capped_by == ()
    # average (50 + 800) / 9 = 94.4 and every condition at least Developing
    assert s.level == "ready"


def test_more_than_half_unknown_is_not_enough_information(framework):
    # capacity: 2 of 3 unknown (0.67 > 0.5) -> no score; excluded from the average.
    s = score([_answers(framework, CAP_1=None, CAP_2=None, CAP_3=1)], framework)
    cap = s.condition("capacity")
    assert cap.score is None and cap.status == "insufficient"
    assert s.average == 100
    assert s.level == "strengthen"  # "ready" does not allow a condition without information


def test_exactly_half_unknown_still_scores(framework):
    # leadership: 2 of 4 unknown = 0.5, not more than half -> scored from 4 and 2 -> mean 3 -> 66.67
    s = score([_answers(framework, LEAD_1=None, LEAD_2=None, LEAD_3=4, LEAD_4=2)], framework)
    assert s.condition("leadership").score == pytest.approx(200 / 3)


def test_unknown_essential_caps(framework):
    s = score([_answers(framework, LEAD_1=None, LEAD_2=None, LEAD_3=None, LEAD_4=4)], framework)
    assert s.condition("leadership").score is None
    assert s.level == "build-first" and s.capped_by == ("leadership",)


def test_low_average_builds_first(framework):
    s = score([{i.id: 2 for i in framework.indicators}], framework)  # every condition 33.3
    assert s.average == pytest.approx(100 / 3)
    assert s.level == "build-first"


def test_pooling_two_respondents(framework):
    a = _answers(framework, STAFF_1=2, STAFF_2=2, STAFF_3=2)  # buy-in 33.3 for a
    b = _answers(framework, STAFF_1=4, STAFF_2=None, STAFF_3=4)  # buy-in 100 for b
    s = score([a, b], framework)
    buy = s.condition("buy-in")
    # indicator means: STAFF-1 3, STAFF-2 2 (b's "Don't know" left out), STAFF-3 3 -> mean 8/3 -> 55.6
    assert [i.mean for i in buy.indicators] == [3, 2, 3]
    assert buy.score == pytest.approx(500 / 9)
    assert buy.respondent_scores == (pytest.approx(100 / 3), 100)
    assert buy.spread == pytest.approx(200 / 3)
    assert buy.disagree is True  # 66.7 >= 34
    assert s.condition("leadership").spread == 0 and not s.condition("leadership").disagree
    assert s.respondents == 2
