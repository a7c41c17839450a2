"""The small wording rules, one at a time, with the cases that tell them apart."""

from __future__ import annotations

import datetime as dt

import pytest

from readydocs import wording as w


@pytest.mark.parametrize("value, expected", [(62.5, 63), (62.49, 62), (0.5, 1), (50.0, 50), (None, None), (99.5, 100)])
def test_half_up(value, expected):
    assert w.half_up(value) == expected


def test_numbers_are_words_under_ten():
    assert [w.number(n) for n in (0, 1, 4, 9, 10, 27, 999, 1000, 19500)] == [
        "zero", "one", "four", "nine", "10", "27", "999", "1,000", "19,500"]
    assert w.count(1, "condition") == "one condition"
    assert w.count(4, "area") == "four areas"
    assert w.count(12, "indicator") == "12 indicators"
    assert w.count(2, "priority", "priorities") == "two priorities"
    assert [w.tally(n, "place") for n in (0, 1, 4, 19500)] == ["0 places", "1 place", "4 places", "19,500 places"]


def test_of_total_agrees_with_the_total_and_the_verb_with_the_count():
    assert f"{w.capitalize(w.of_total(1, 9, 'condition'))} {w.is_are(1)} in place" == "One of nine conditions is in place"
    assert f"{w.of_total(5, 9, 'condition')} {w.is_are(5)}" == "five of nine conditions are"


@pytest.mark.parametrize("items, expected", [
    ([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B, and C"),
])
def test_join_uses_one_comma_rule(items, expected):
    assert w.join(items) == expected


def test_join_some_names_at_most_three():
    assert w.join_some(["A", "B", "C"]) == "A, B, and C"
    assert w.join_some(["A", "B", "C", "D"]) == "A, B, and two more"
    assert w.join_some(list("ABCDEFGHIJKL")) == "A, B, and 10 more"


def test_dates():
    assert w.format_date(dt.date(2026, 10, 5)) == "October 5, 2026"
    assert w.format_date(None) == ""


@pytest.mark.parametrize("name, expected", [
    ("Leadership commitment", "leadership commitment"),
    ("Mobility Metrics access", "Mobility Metrics access"),  # a proper name keeps its capitals
    ("CAP-1", "CAP-1"),
    ("ADA compliance", "ADA compliance"),
])
def test_mid_sentence(name, expected):
    assert w.mid_sentence(name) == expected


def test_mid_sentence_respects_a_proper_name_flag():
    assert w.mid_sentence("Riverbend compact", proper=True) == "Riverbend compact"


@pytest.mark.parametrize("name, expected", [
    ("City of Riverbend", "the City of Riverbend"),
    ("Town of Eastbrook", "the Town of Eastbrook"),
    ("City and County of Denver", "the City and County of Denver"),
    ("Marlow County", "Marlow County"),
    ("Riverbend", "Riverbend"),
    ("The Village of Oak Park", "the Village of Oak Park"),
    ("Marlow County Administrator\u2019s Office", "the Marlow County Administrator\u2019s Office"),
])
def test_place_in_sentence(name, expected):
    assert w.place_in_sentence(name) == expected


@pytest.mark.parametrize("typed, expected", [
    ("The mayor's budget", "The mayor\u2019s budget"),
    ('She said "not yet" twice', "She said \u201cnot yet\u201d twice"),
    ("the '24 survey", "the \u201824 survey"),
    ("rates 'low'", "rates \u2018low\u2019"),
    ("no quotes", "no quotes"),
])
def test_curly(typed, expected):
    assert w.curly(typed) == expected


@pytest.mark.parametrize("typed, expected", [
    ("Keep renters stably housed", "keep renters stably housed"),
    ("Riverbend Housing Trust grants", "Riverbend Housing Trust grants"),
    ("ADA upgrades on Main Street", "ADA upgrades on Main Street"),
    ("Housing", "Housing"),
])
def test_lower_first_word(typed, expected):
    assert w.lower_first_word(typed) == expected


@pytest.mark.parametrize("counts, expected", [
    ((9, 0, 0, 0), "Every condition is in place."),
    ((5, 2, 2, 0), "Most conditions are in place: five of the nine, with two developing and two not yet in place."),
    ((1, 6, 2, 0), "Most conditions are in place or close to it: one is in place and six are developing, while two are not yet in place."),
    # Marlow County: 1 in place, 3 developing, 4 not yet, 1 without enough information.
    ((1, 3, 4, 1), "Only four of the nine conditions are in place or close to it: one is in place and three are developing, "
                   "while four are not yet in place and one could not be judged."),
    ((0, 1, 8, 0), "Only one of the nine conditions is in place or close to it: one is developing, while eight are not yet in place."),
    ((0, 0, 9, 0), "No condition is in place or close to it: nine are not yet in place."),
])
def test_standing_summary_says_most_only_when_it_is_so(counts, expected):
    assert w.standing_summary(*counts, 9, ("In place", "Developing", "Not yet in place")) == expected


def test_scored_summary_never_prints_a_missing_average():
    assert w.scored_summary(None, 9, 0) == "No condition could be scored."
    assert w.scored_summary(51, 9, 8) == "The average score across the eight conditions that could be scored is 51 out of 100."


def test_essential_held_is_true_to_whether_it_was_scored():
    scored = w.essential_held(["Leadership commitment"], [], "Build readiness first")
    assert scored.startswith("Leadership commitment is essential to this process and scored below its minimum")
    unscored = w.essential_held(["Leadership commitment"], ["Leadership commitment"], "Build readiness first")
    assert "below its minimum" not in unscored and "could not be scored" in unscored


@pytest.mark.parametrize("name, title, org, expected", [
    ("Dana Whitfield", "Senior Policy Analyst, Office of the City Manager", "City of Riverbend Office of the City Manager",
     "Dana Whitfield, Senior Policy Analyst, City of Riverbend Office of the City Manager"),
    ("Jo Whitcombe", "Town Planner", "Town of Eastbrook", "Jo Whitcombe, Town Planner, Town of Eastbrook"),
    ("Sam Ortega", "Manager, Marlow County", "Marlow County", "Sam Ortega, Manager, Marlow County"),
    ("Sam Ortega", "", "Marlow County", "Sam Ortega, Marlow County"),
])
def test_prepared_by_does_not_repeat_the_organization(name, title, org, expected):
    assert w.prepared_by(name, title, org) == expected


def test_shorten_keeps_one_line_and_cuts_at_the_limit_with_an_ellipsis():
    assert w.shorten("two\nlines  and\u2028more", 70) == "two lines and more"
    assert w.shorten("abcdef ghij", 11) == "abcdef ghij"
    assert w.shorten("abcdef ghij", 8) == "abcdef\u2026"  # cut after "abcdef ", the space dropped
    assert w.shorten("abcdefghij", 5) == "abcd\u2026" and len(w.shorten("x" * 300, 255)) == 255
    assert w.shorten(12345678, 4) == "123\u2026"


def test_did_you_mean_names_the_closest_known_word_or_nothing():
    assert w.did_you_mean("plaec", ["dates", "place", "places"]) == " Did you mean \u201cplace\u201d?"
    assert w.did_you_mean("zzz", ["place"]) == ""
    assert w.closest("tlking", {"talking", "taking"}) == "talking"
    assert w.closest("tlking", {"talking"}, cutoff=0.95) is None
