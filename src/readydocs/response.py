"""One workbook's answers, typed: the profile, the ratings and each indicator's notes.

validate.py makes a Response from the cells intake.py read; scoring, the
summary and the documents use nothing else of the workbook. Text is kept
exactly as the person typed it (None when the cell was blank), dates are
dates, and a rating is a number on the framework's scale or None for
"Don't know".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from .form import MAX_INSIGHTS, PROFILE_FIELDS
from .places import PlaceIdentity

_INSIGHT = "insight_"


@dataclass(frozen=True)
class Profile:
    """The Profile sheet: one attribute per field of the form (form.PROFILE_FIELDS), insights as a tuple."""

    municipality_name: str | None = None
    jurisdiction_type: str | None = None
    state: str | None = None
    organization_name: str | None = None
    logo_file: str | None = None
    advocate_name: str | None = None
    advocate_title: str | None = None
    advocate_email: str | None = None
    sponsor_name: str | None = None
    sponsor_title: str | None = None
    respondent_name: str | None = None
    respondent_role: str | None = None
    respondent_department: str | None = None
    assessment_date: dt.date | None = None
    target_launch_date: dt.date | None = None
    departments: str | None = None
    insights: tuple[str | None, ...] = (None,) * MAX_INSIGHTS  # insight_1 ... insight_N, blank ones None
    priorities: str | None = None

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> "Profile":
        """From form field keys (``insight_2`` and the like included) to values; absent keys are blank."""
        insights = tuple(values.get(f"{_INSIGHT}{n}") for n in range(1, MAX_INSIGHTS + 1))
        known = {f.name for f in fields(cls)} - {"insights"}
        unknown = sorted(k for k in values if k not in known and not k.startswith(_INSIGHT))
        if unknown:
            raise KeyError(f"not profile fields: {', '.join(unknown)}")
        return cls(**{k: v for k, v in values.items() if k in known}, insights=insights)

    def value(self, key: str) -> Any:
        """The value of one form field by its key (form.PROFILE_FIELDS), ``insight_N`` included."""
        if key.startswith(_INSIGHT):
            return self.insights[int(key[len(_INSIGHT):]) - 1]
        return getattr(self, key)

    def as_fields(self) -> dict[str, Any]:
        """Every form field key with its value, in the form's order."""
        return {f.key: self.value(f.key) for f in PROFILE_FIELDS}

    @property
    def identity(self) -> PlaceIdentity:
        """The place this workbook is for (see places.py)."""
        return PlaceIdentity(self.municipality_name or "", self.state or "", self.jurisdiction_type or "")


@dataclass(frozen=True)
class RatingRow:
    """What a workbook says beside one indicator's rating."""

    evidence: str | None = None
    next_step: str | None = None
    owner: str | None = None
    due: dt.date | None = None


NO_NOTES = RatingRow()


@dataclass
class Response:
    """One workbook's answers, cleaned: what scoring and the documents use."""

    source: Path
    profile: Profile = field(default_factory=Profile)
    answers: dict[str, int | None] = field(default_factory=dict)  # indicator id -> rating; None: "Don't know"; blank ratings are absent
    rows: dict[str, RatingRow] = field(default_factory=dict)  # indicator id -> its notes

    def row(self, indicator_id: str) -> RatingRow:
        return self.rows.get(indicator_id, NO_NOTES)
