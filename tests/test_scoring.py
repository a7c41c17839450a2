"""Scores checked against numbers worked out by hand.

Scale 1-4 maps to 0-100: score = (mean - 1) / 3 * 100.
"""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readydocs.sample import DONT_KNOW, SAMPLE_RATINGS
from readydocs.scoring import mean, score


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


def _rated(framework, **by_condition):
    """Every indicator 4, then whole conditions given as one rating per indicator (None: "Don't know")."""
    out = {i.id: 4 for i in framework.indicators}
    for cid, values in by_condition.items():
        out.update(zip((i.id for i in framework.condition(cid.replace("_", "-")).indicators), values))
    return out


def test_marlow_county_builds_readiness_first(framework):
    # leadership 3,2,3,2 -> 2.5 -> 50 (developing, exactly its minimum); partnerships 3,3,3 -> 66.67;
    # culture 3,2,3 -> 55.56; capacity, buy-in, equity 2,2,3 -> 44.44 (not yet); engagement 2,1,2 -> 22.22;
    # data two "Don't know" of three -> not enough information; learning 4,3 -> 83.33 (in place).
    s = score([_rated(framework, leadership=[3, 2, 3, 2], partnerships=[3, 3, 3], culture=[3, 2, 3],
                      capacity=[2, 2, 3], buy_in=[2, 2, 3], equity=[2, 2, 3], engagement=[2, 1, 2],
                      data=[None, None, 3], learning=[4, 3])], framework)
    # (50 + 66.67 + 55.56 + 3 * 44.44 + 22.22 + 83.33) / 8 = 411.11 / 8 = 51.39
    assert s.average == pytest.approx((50 + 200 / 3 + 500 / 9 + 3 * 400 / 9 + 200 / 9 + 250 / 3) / 8)
    statuses = [c.status for c in s.conditions]
    assert (statuses.count("in-place"), statuses.count("developing"), statuses.count("not-in-place"),
            statuses.count("insufficient")) == (1, 3, 4, 1)
    assert s.capped_by == ()  # leadership at exactly 50 holds nothing down ...
    assert s.level == "build-first"  # ... but four conditions not yet in place is more than the two allowed


@pytest.mark.parametrize("lowest, level", [(2, "strengthen"), (3, "build-first")])
def test_at_most_two_conditions_not_yet_in_place(framework, lowest, level):
    # The first `lowest` of capacity, culture, engagement at 0; every other condition 100: the average stays high.
    weak = dict.fromkeys(["capacity", "culture", "engagement"][:lowest], [1, 1, 1])
    s = score([_rated(framework, **weak)], framework)
    assert s.average >= 50
    assert s.level == level


@pytest.mark.parametrize("unknown, level", [(1, "strengthen"), (2, "build-first")])
def test_at_most_one_condition_without_enough_information(framework, unknown, level):
    # capacity at 0 keeps "ready" out of reach; then one or two conditions with every answer "Don't know".
    blank = dict.fromkeys(["culture", "equity"][:unknown], [None, None, None])
    s = score([_rated(framework, capacity=[1, 1, 1], **blank)], framework)
    assert sum(1 for c in s.conditions if c.score is None) == unknown
    assert s.level == level


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(st.integers(-10, 10), st.integers(-2**70, 2**70),
                          st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1 / 3, 2 / 3, 0.1, 2.5, -0.0])),
                min_size=1, max_size=12))
def test_mean_is_statistics_mean_in_value_and_type(values):
    ours, theirs = mean(values), statistics.mean(values)
    assert ours == theirs and type(ours) is type(theirs)


def test_mean_of_ratings_by_hand():
    assert mean([2, 2]) == 2 and type(mean([2, 2])) is int  # as statistics.mean: an int when ints divide evenly
    assert mean([1, 2]) == 1.5
    assert mean([1, 2, 2]) == 5 / 3
    assert mean([0.1, 0.2, 0.3]) == 0.2  # the exact mean, rounded once (0.1 + 0.2 + 0.3 is 0.6000000000000001 in floats)
    assert mean([float("inf"), 1.0]) == float("inf")  # left to statistics.mean
