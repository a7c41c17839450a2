"""Peer benchmarks: how each place of a cohort compares with the others, without naming them.

A batch scores every place first (cheap: scoring is pure arithmetic on
answers already read), reduces the cohort to a few numbers per condition
(how many places have a score, the median and the quartiles) and then builds
each place with those numbers. Only the reduced numbers travel to the
workers, so a batch still streams: no place's build waits for or sees another
place's data.

Privacy: a condition that fewer than ``[benchmark] min_places`` places could
score (5 in the bundled framework) gets no comparison at all, and says why;
nothing about one place can be worked out from the comparison another place
receives, beyond what a median and quartiles of five or more places reveal.
Quartiles are computed with the "inclusive" method (statistics.quantiles),
the one spreadsheets use for QUARTILE.INC. docs/cohort.md explains the
method for readers.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

from .framework import Framework
from .summary import ABOVE, BELOW, NOT_SCORED, WITHIN, CohortComparison, CohortPosition, Summary
from .wording import half_up


@dataclass(frozen=True)
class Spread:
    """One condition across the cohort: places with a score, and where their scores lie."""

    n: int
    low_quartile: float
    median: float
    high_quartile: float


def spread(values: Sequence[float]) -> Spread | None:
    """Median and quartiles of a list of scores; None for an empty list."""
    values = sorted(values)
    if not values:
        return None
    if len(values) == 1:
        only = values[0]
        return Spread(1, only, only, only)
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), round(q1, 9), round(q2, 9), round(q3, 9))


@dataclass(frozen=True)
class CohortStats:
    """What a place's build receives about the rest of its cohort: counts and quartiles, no names."""

    places: int  # places in the cohort that were scored
    conditions: Mapping[str, Spread | None]  # condition id -> spread; None: fewer scored places than the threshold
    scored: Mapping[str, int]  # condition id -> places with a score for it (also when suppressed)
    min_places: int


def cohort_stats(condition_scores: Iterable[Mapping[str, float | None]], framework: Framework) -> CohortStats:
    """From each place's condition scores (id -> 0-100 or None), the cohort's numbers per condition."""
    per: dict[str, list[float]] = {c.id: [] for c in framework.conditions}
    places = 0
    for scores in condition_scores:
        places += 1
        for cid, value in scores.items():
            if cid in per and value is not None:
                per[cid].append(float(value))
    threshold = framework.benchmark_min_places
    return CohortStats(
        places=places,
        conditions={cid: spread(v) if len(v) >= threshold else None for cid, v in per.items()},
        scored={cid: len(v) for cid, v in per.items()},
        min_places=threshold,
    )



def position(score: int | None, s: Spread) -> str:
    """Where a score (as the report shows it, a whole number) lies against the quartiles (also as shown).

    Comparing the shown numbers keeps the words true to the table: a score of 33
    beside a range of 33–56 reads "within", whatever the decimals behind them.
    """
    if score is None:
        return NOT_SCORED
    if score > half_up(s.high_quartile):
        return ABOVE
    if score < half_up(s.low_quartile):
        return BELOW
    return WITHIN


def compare(stats: CohortStats, summary: Summary) -> Summary:
    """The summary with this place against the cohort, condition by condition (its ``benchmark``)."""
    rows = []
    for c in summary.conditions:
        s = stats.conditions.get(c.id)
        if s is None:
            rows.append(CohortPosition(c, stats.scored.get(c.id, 0), shown=False))
            continue
        rows.append(CohortPosition(c, s.n, True, half_up(s.median), half_up(s.low_quartile), half_up(s.high_quartile),
                                   position(c.score, s)))
    return replace(summary, benchmark=CohortComparison(stats.places, stats.min_places, tuple(rows)))


def scores_entry(comparison: CohortComparison | None) -> dict[str, Any] | None:
    """What scores.json records: cohort size, per condition the median, quartiles and position; None when nothing is shown."""
    if comparison is None or not comparison.shown:
        return None
    return {
        "cohort_places": comparison.places,
        "min_places": comparison.min_places,
        "conditions": [
            {"id": r.condition.id, "places": r.places, "median": r.median, "low_quartile": r.low_quartile,
             "high_quartile": r.high_quartile, "position": r.position if r.shown else None}
            for r in comparison.conditions
        ],
    }
