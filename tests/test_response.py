"""The typed Response: one attribute per field of the form, so a new field cannot be silently dropped."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from readydocs.form import MAX_INSIGHTS, PROFILE_FIELDS
from readydocs.places import PlaceIdentity
from readydocs.response import Profile, Response


def test_every_form_field_has_a_home_on_the_profile():
    keys = {f.key for f in PROFILE_FIELDS}
    insights = {f"insight_{n}" for n in range(1, MAX_INSIGHTS + 1)}
    attributes = {f.name for f in dataclasses.fields(Profile)} - {"insights"}
    assert keys - insights == attributes
    assert insights <= keys


def test_from_fields_and_back():
    values = {"municipality_name": "Town of Alder", "assessment_date": dt.date(2026, 5, 1), "insight_2": "Rents rose."}
    profile = Profile.from_fields(values)
    assert profile.municipality_name == "Town of Alder" and profile.state is None
    assert profile.insights == (None, "Rents rose.") + (None,) * (MAX_INSIGHTS - 2)
    assert profile.value("insight_2") == "Rents rose." and profile.value("assessment_date") == dt.date(2026, 5, 1)
    fields = profile.as_fields()
    assert list(fields) == [f.key for f in PROFILE_FIELDS]
    assert Profile.from_fields(fields) == profile
    assert profile.identity == PlaceIdentity("town of alder")


def test_an_unknown_field_is_refused():
    with pytest.raises(KeyError, match="sponsor_phone"):
        Profile.from_fields({"sponsor_phone": "555"})


def test_a_blank_workbook_has_empty_notes(sample_xlsx, framework):
    from readydocs.assessment import read_workbook

    report, response = read_workbook(sample_xlsx, framework)
    assert isinstance(response, Response) and report.valid
    assert response.row("NOT-AN-INDICATOR").evidence is None
    assert response.row("LEAD-1").evidence  # the sample has a note there


def test_the_summary_offers_the_whole_profile(sample_xlsx, framework):
    """A new workbook field reaches the template view through summary.profile, without a Summary field of its own."""
    from readydocs.assessment import assess, score_assessment
    from readydocs.summary import summarise

    a = assess([sample_xlsx], framework)
    summary = summarise(a.responses, score_assessment(a), framework)
    assert summary.profile is a.responses[0].profile
    assert summary.profile.municipality_name == summary.place.name == "City of Riverbend"
