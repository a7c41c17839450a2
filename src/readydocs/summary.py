"""Every fact the documents state about one place, in one typed value.

One module, though long: the summary's small record types and ``summarise``,
which fills them, read together; each field sits beside the rule that sets it.

``summarise`` turns a place's responses and scores into a ``Summary``: who
answered, the verdict, each condition with its band, notes and next steps,
the conditions in order of urgency, the information gaps, where respondents
disagree, and (added by baseline.compare and benchmark.compare) what changed
since an earlier round and how the place sits in its cohort.

Everything readydocs writes is a view of a Summary: the template variables
(context.py), scores.json (scoresjson.py), the action plan, the charts,
`readydocs score` and the cohort summary. There is no wording here: the
sentences are wording.py's, chosen by the views.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Sequence

from .framework import Condition, Framework, Indicator, Level
from .places import PlaceIdentity, slugify
from .response import Profile, Response
from .scoring import ConditionResult, IndicatorResult, Scores
from .wording import half_up

# How a condition changed between rounds (RoundComparison).
UP, DOWN, SAME, NOT_COMPARABLE = "up", "down", "same", "not-comparable"
# Where a condition lies against the cohort's middle half (CohortComparison).
ABOVE, WITHIN, BELOW, NOT_SCORED = "above", "within", "below", "not-scored"


@dataclass(frozen=True)
class Person:
    """A respondent as the documents name them."""

    name: str
    role: str = ""
    department: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "department": self.department}


@dataclass(frozen=True)
class Place:
    name: str
    state: str
    type: str  # the jurisdiction type: City, County, ...
    organization: str  # named in headers: the organization given, else the place
    slug: str  # its output folder's default name

    @property
    def identity(self) -> PlaceIdentity:
        return PlaceIdentity(self.name, self.state, self.type)


@dataclass(frozen=True)
class Note:
    """An evidence note one respondent wrote on one indicator."""

    indicator: Indicator
    text: str
    respondent: int  # index into Summary.respondents


@dataclass(frozen=True)
class Disputed:
    """An indicator respondents rated far apart, with the notes they wrote on it."""

    indicator: Indicator
    low: int
    high: int
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Step:
    """A next step written in a workbook."""

    indicator: str
    text: str
    owner: str
    due: dt.date | None


@dataclass(frozen=True)
class ConditionSummary:
    condition: Condition
    result: ConditionResult
    status: str  # the band's label, or the framework's "not enough information" label
    status_meaning: str
    in_place: bool  # in the best band
    lowest: bool  # in the lowest band
    essential: bool
    notes: tuple[Note, ...]  # each note once, however many workbooks repeat it; disputed ones are in ``disputed``
    disputed: tuple[Disputed, ...]
    steps: tuple[Step, ...]

    @property
    def id(self) -> str:
        return self.condition.id

    @property
    def name(self) -> str:
        return self.condition.name

    @property
    def score(self) -> int | None:
        """The score as the documents show it: a whole number, rounded half up."""
        return half_up(self.result.score)

    @property
    def insufficient(self) -> bool:
        return self.result.score is None

    @property
    def below_essential(self) -> bool:
        return self.result.below_essential

    @property
    def developing(self) -> bool:
        """Neither in place, nor in the lowest band, nor without enough information."""
        return not (self.in_place or self.lowest or self.insufficient)


@dataclass(frozen=True)
class Gap:
    """An information gap: an indicator nobody could rate."""

    condition: Condition
    indicator: Indicator
    result: IndicatorResult


@dataclass(frozen=True)
class ConditionChange:
    """One condition in this round and in the earlier one."""

    condition: ConditionSummary
    earlier: int | None  # the earlier score as shown; None when not scored or not assessed then
    earlier_status: str  # a band label, the "not enough information" label, or "Not assessed"
    change: int | None
    direction: str  # UP, DOWN, SAME or NOT_COMPARABLE
    crossed: bool  # moved into another band
    crossed_up: bool


@dataclass(frozen=True)
class RoundComparison:
    """This round against an earlier one (baseline.compare)."""

    source_name: str  # the earlier round's file
    date: dt.date | None
    framework_version: str
    same_version: bool
    conditions: tuple[ConditionChange, ...]

    @property
    def crossed(self) -> tuple[ConditionChange, ...]:
        return tuple(c for c in self.conditions if c.crossed)

    def count(self, direction: str) -> int:
        return sum(1 for c in self.conditions if c.direction == direction)


@dataclass(frozen=True)
class CohortPosition:
    """One condition against the cohort's quartiles; not shown when too few places have a score."""

    condition: ConditionSummary
    places: int  # places with a score for the condition
    shown: bool
    median: int | None = None
    low_quartile: int | None = None
    high_quartile: int | None = None
    position: str = ""  # ABOVE, WITHIN, BELOW or NOT_SCORED when shown


@dataclass(frozen=True)
class CohortComparison:
    """This place against the other places of its batch (benchmark.compare)."""

    places: int  # places in the cohort that were scored
    min_places: int
    conditions: tuple[CohortPosition, ...]

    @property
    def shown(self) -> tuple[CohortPosition, ...]:
        return tuple(c for c in self.conditions if c.shown)

    @property
    def suppressed(self) -> tuple[CohortPosition, ...]:
        return tuple(c for c in self.conditions if not c.shown)

    def at(self, position: str) -> tuple[CohortPosition, ...]:
        return tuple(c for c in self.conditions if c.shown and c.position == position)


@dataclass(frozen=True)
class Summary:
    framework: Framework
    scores: Scores
    responses: tuple[Response, ...]  # for the appendix's per-respondent ratings and the plan's next steps
    as_of: dt.date | None  # the documents' date
    assessment_date: dt.date | None  # the first workbook's, else as_of
    launch_date: dt.date | None
    place: Place
    advocate_name: str
    advocate_title: str
    advocate_email: str
    sponsor_name: str
    sponsor_title: str
    departments: tuple[str, ...]
    insights: tuple[str, ...]
    priorities: tuple[str, ...]
    respondents: tuple[Person, ...]
    level: Level
    conditions: tuple[ConditionSummary, ...]  # in framework order
    to_strengthen: tuple[ConditionSummary, ...]  # not in place, most urgent first
    gaps: tuple[Gap, ...]
    baseline: RoundComparison | None = None
    benchmark: CohortComparison | None = None

    @property
    def several(self) -> bool:
        return len(self.responses) > 1

    @property
    def profile(self) -> Profile:
        """The place's profile, as the first workbook gives it (every field, typed)."""
        return self.responses[0].profile

    @property
    def average(self) -> int | None:
        return half_up(self.scores.average)

    @property
    def nothing_scored(self) -> bool:
        return self.scores.average is None

    @property
    def ready(self) -> bool:
        return self.level.id == self.framework.levels[0].id

    @property
    def build_first_level(self) -> bool:
        return self.level.id == self.framework.levels[-1].id

    @property
    def strengths(self) -> tuple[ConditionSummary, ...]:
        return tuple(c for c in self.conditions if c.in_place)

    @property
    def build_first(self) -> tuple[ConditionSummary, ...]:
        """What must be built before any announcement: essentials under their minimum, the lowest band, the unjudged."""
        return tuple(c for c in self.to_strengthen if c.below_essential or c.lowest or c.insufficient)

    @property
    def capped_by(self) -> tuple[ConditionSummary, ...]:
        return tuple(c for c in self.conditions if c.below_essential)

    @property
    def disagreements(self) -> tuple[ConditionSummary, ...]:
        return tuple(c for c in self.conditions if c.result.disagree)

    def condition(self, condition_id: str) -> ConditionSummary:
        return next(c for c in self.conditions if c.id == condition_id)


def summarise(responses: Sequence[Response], scores: Scores, framework: Framework,
              as_of: dt.date | None = None) -> Summary:
    """The facts of one place. ``responses[0]`` supplies the place's profile; ``as_of`` is the documents' date."""
    first = responses[0].profile
    band_by_id = {b.id: b for b in framework.bands}
    best_band, lowest_band = framework.bands[0].id, framework.bands[-1].id
    essentials = {e.condition for e in framework.essentials}
    span = framework.scale.high - framework.scale.low

    conditions = []
    for cond, res in zip(framework.conditions, scores.conditions):
        notes: list[Note] = []
        disputed: list[Disputed] = []
        steps: list[Step] = []
        # Respondents often start from a colleague's copy: the same note or step
        # on the same indicator is counted once, not once per workbook.
        seen: set[tuple] = set()
        for ind, ir in zip(cond.indicators, res.indicators):
            ind_notes = []
            for n, resp in enumerate(responses):
                row = resp.row(ind.id)
                note_key = ("note", ind.id, row.evidence)
                if row.evidence and note_key not in seen:
                    seen.add(note_key)
                    ind_notes.append(Note(ind, row.evidence, n))
                step_key = ("step", ind.id, row.next_step, row.owner, row.due)
                if row.next_step and step_key not in seen:
                    seen.add(step_key)
                    steps.append(Step(ind.id, row.next_step, row.owner or "", row.due))
            split = ir.low is not None and ir.high is not None and (ir.high - ir.low) * 100 / span >= framework.max_spread
            if split and len(ind_notes) > 1:
                assert ir.low is not None and ir.high is not None
                disputed.append(Disputed(ind, ir.low, ir.high, tuple(ind_notes)))
            else:
                notes.extend(ind_notes)
        band = band_by_id.get(res.status)
        conditions.append(ConditionSummary(
            cond, res,
            status=band.label if band else framework.insufficient.label,
            status_meaning=band.meaning if band else framework.insufficient.meaning,
            in_place=res.status == best_band, lowest=res.status == lowest_band, essential=cond.id in essentials,
            notes=tuple(notes), disputed=tuple(disputed), steps=tuple(steps)))

    # Essentials first, then weakest first, so the list reads in order of urgency;
    # conditions without enough information come last (they need answers, not action).
    to_strengthen = sorted((c for c in conditions if not c.in_place),
                           key=lambda c: (not c.below_essential, c.insufficient, c.score if c.score is not None else 0))
    # An information gap is an indicator nobody could rate; one respondent's
    # "Don't know" where a colleague gave a rating is not a gap (docs/cohort.md).
    gaps = [Gap(cond, ind, ir) for cond, res in zip(framework.conditions, scores.conditions)
            for ind, ir in zip(cond.indicators, res.indicators) if ir.mean is None]

    # Text typed in the workbook reaches the documents exactly as typed (docs/safety.md).
    place_name = first.municipality_name or ""
    return Summary(
        framework=framework, scores=scores, responses=tuple(responses),
        as_of=as_of,
        assessment_date=first.assessment_date or as_of,
        launch_date=first.target_launch_date,
        place=Place(place_name, first.state or "", first.jurisdiction_type or "",
                    first.organization_name or place_name, slugify(place_name)),
        advocate_name=first.advocate_name or "", advocate_title=first.advocate_title or "",
        advocate_email=first.advocate_email or "",
        sponsor_name=first.sponsor_name or "", sponsor_title=first.sponsor_title or "",
        departments=tuple(lines(first.departments)),
        insights=tuple(i for i in first.insights if i),
        priorities=tuple(lines(first.priorities)),
        respondents=tuple(_person(r) for r in responses),
        level=next(lv for lv in framework.levels if lv.id == scores.level),
        conditions=tuple(conditions), to_strengthen=tuple(to_strengthen), gaps=tuple(gaps),
    )


def lines(text: str | None) -> list[str]:
    """A list typed one item per line (or, on one line, separated by semicolons).

    A leading bullet ("- ", "\u2022 ", "* ") is dropped; a leading "-1" or "+" stays as typed.
    """

    if not text:
        return []
    parts = text.split("\n") if "\n" in text else text.split(";")
    items = (re.sub(r"^[-\u2022*]\s+", "", p.strip()) if re.match(r"^\s*[-\u2022*]\s", p) else p.strip() for p in parts)
    return [i for i in items if i]


def _person(resp: Response) -> Person:
    p = resp.profile
    return Person(p.respondent_name or p.advocate_name or resp.source.stem, p.respondent_role or "",
                  p.respondent_department or "")
