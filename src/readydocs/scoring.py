"""Scores from answers. Pure functions: no files, no workbooks, no documents.

Rules (all thresholds come from the framework file):
- an indicator's value is the mean of its known answers across respondents;
  "Don't know" answers are left out, and an indicator nobody could rate is unknown;
- a condition's score is the mean of its known indicators, mapped from the
  rating scale to 0-100 (lowest rating 0, highest 100);
- a condition with more than `max_unknown_share` of its indicators unknown has
  no score: "Not enough information";
- the overall average is the mean of the scored conditions; the overall level
  is the first whose rules all hold: minimum average, minimum band, and at most
  so many conditions in the lowest band or without enough information;
- an essential condition below its minimum (or without a score) caps the
  overall level at the last one, whatever the average.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .framework import Framework

Answers = Mapping[str, "int | None"]  # indicator id -> rating, None for "Don't know"


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    answers: tuple[int | None, ...]  # one per respondent who answered (None: "Don't know")
    mean: float | None  # None when no respondent could rate it

    @property
    def known(self) -> tuple[int, ...]:
        return tuple(a for a in self.answers if a is not None)

    @property
    def n_unknown(self) -> int:
        return sum(1 for a in self.answers if a is None)

    @property
    def low(self) -> int | None:
        return min(self.known) if self.known else None

    @property
    def high(self) -> int | None:
        return max(self.known) if self.known else None


@dataclass(frozen=True)
class ConditionResult:
    id: str
    score: float | None  # 0-100; None: not enough information
    status: str  # a band id, or the framework's insufficient id
    indicators: tuple[IndicatorResult, ...]
    respondent_scores: tuple[float | None, ...]  # the condition scored from each respondent alone
    spread: float | None  # max - min of respondent_scores, with two or more scored respondents
    disagree: bool
    below_essential: bool  # an essential condition under its minimum

    @property
    def n_indicators(self) -> int:
        return len(self.indicators)

    @property
    def n_rated(self) -> int:
        return sum(1 for i in self.indicators if i.mean is not None)

    @property
    def n_unknown(self) -> int:
        return sum(1 for i in self.indicators if i.mean is None)


@dataclass(frozen=True)
class Scores:
    conditions: tuple[ConditionResult, ...]
    average: float | None
    level: str  # a level id
    capped_by: tuple[str, ...]  # essential condition ids that forced the last level
    respondents: int

    def condition(self, condition_id: str) -> ConditionResult:
        for c in self.conditions:
            if c.id == condition_id:
                return c
        raise KeyError(condition_id)


def mean(values: Sequence[float]) -> float:
    """statistics.mean's result, of its type (an int when ints divide evenly), for ints and floats.

    Each float is a fraction whose denominator is a power of two, so over the largest
    denominator the total is exact, and one correctly rounded division gives the value
    statistics.mean gives (it also rounds the exact mean once), without its general
    machinery, which took most of the time of scoring a place. Anything else goes to it.
    """
    kinds = set(map(type, values))
    if kinds == {int}:
        total, n = sum(values), len(values)
        return total // n if total % n == 0 else total / n
    if values and kinds <= {int, float}:
        try:
            ratios = [v.as_integer_ratio() for v in values]
        except (OverflowError, ValueError):  # an infinity or NaN
            return _statistics_mean(values)
        denominator = max(q for _, q in ratios)
        return sum(p * (denominator // q) for p, q in ratios) / (denominator * len(values))
    return _statistics_mean(values)


def _statistics_mean(values: Sequence[float]) -> float:
    import statistics  # only for what ratings never are: `validate` scores without loading it

    return statistics.mean(values)


def to_percent(value: float, framework: Framework) -> float:
    low, high = framework.scale.low, framework.scale.high
    # Rounded to remove float noise, so a hand-computed 50 is 50 and lands in its band.
    return round((value - low) * 100 / (high - low), 9)


def _condition_score(means: Sequence[float | None], framework: Framework) -> float | None:
    known = [m for m in means if m is not None]
    unknown = len(means) - len(known)
    if not known or unknown / len(means) > framework.insufficient.max_unknown_share:
        return None
    return to_percent(mean(known), framework)


def score(responses: Sequence[Answers], framework: Framework) -> Scores:
    """Score one or more respondents' answers for one place.

    An indicator a respondent left blank is not counted for that respondent;
    validation makes blanks errors, so a built document never sees one.
    """
    if not responses:
        raise ValueError("score() needs at least one response")
    band_rank = {b.id: n for n, b in enumerate(framework.bands)}  # 0 is the best band
    results: list[ConditionResult] = []
    for cond in framework.conditions:
        inds = []
        for ind in cond.indicators:
            answers = tuple(r[ind.id] for r in responses if ind.id in r)
            known = [a for a in answers if a is not None]
            inds.append(IndicatorResult(ind.id, answers, mean(known) if known else None))
        pooled = _condition_score([i.mean for i in inds], framework)
        per_resp = tuple(
            _condition_score([None if (a := r.get(i.id)) is None else float(a) for i in cond.indicators], framework)
            for r in responses
        )
        scored = [s for s in per_resp if s is not None]
        spread = round(max(scored) - min(scored), 9) if len(responses) > 1 and len(scored) > 1 else None
        essential = framework.essential_for(cond.id)
        below = essential is not None and (pooled is None or pooled < essential.min_score)
        results.append(ConditionResult(
            id=cond.id, score=pooled,
            status=framework.band_for(pooled).id if pooled is not None else framework.insufficient.id,
            indicators=tuple(inds), respondent_scores=per_resp, spread=spread,
            disagree=spread is not None and spread >= framework.max_spread,
            below_essential=below,
        ))

    scored = [c.score for c in results if c.score is not None]
    average = round(mean(scored), 9) if scored else None
    level = framework.levels[-1].id
    n_lowest = sum(1 for c in results if c.status == framework.bands[-1].id)
    n_insufficient = sum(1 for c in results if c.score is None)
    if average is not None:
        for lv in framework.levels[:-1]:
            worst_allowed = band_rank[lv.min_band] if lv.min_band else len(framework.bands)
            if (lv.min_average is not None and average >= lv.min_average  # every level but the last has one
                    and all(band_rank[c.status] <= worst_allowed for c in results if c.score is not None)
                    and (lv.allow_insufficient or n_insufficient == 0)
                    and (lv.max_lowest_band is None or n_lowest <= lv.max_lowest_band)
                    and (lv.max_insufficient is None or n_insufficient <= lv.max_insufficient)):
                level = lv.id
                break
    capped = tuple(c.id for c in results if c.below_essential)
    if capped:
        level = framework.levels[-1].id
    return Scores(tuple(results), average, level, capped, len(responses))
