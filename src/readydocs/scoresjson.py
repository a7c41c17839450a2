"""scores.json: the numbers behind the documents, for programs and for later rounds.

A view of the Summary. baseline.py reads it back as an earlier round, and a
batch's cohort summary is made from each place's; docs/documents.md lists
its fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .benchmark import scores_entry
from .summary import Summary


def scores_document(summary: Summary) -> dict[str, Any]:
    """The scores.json of one place, as a JSON-ready dict."""
    fw, scores = summary.framework, summary.scores
    assessed = summary.assessment_date
    return {
        "framework": {"id": fw.id, "version": fw.version},
        "place": summary.place.name,
        "state": summary.place.state,
        "jurisdiction_type": summary.place.type,
        "assessment_date": assessed.isoformat() if assessed else "",
        "respondents": [p.as_dict() for p in summary.respondents],
        "overall": {"level": scores.level, "label": summary.level.label,
                    "average": None if scores.average is None else round(scores.average, 2),
                    "capped_by": list(scores.capped_by)},
        "conditions": [
            {"id": c.id, "name": c.name,
             "score": None if c.result.score is None else round(c.result.score, 2),
             "status": c.result.status, "indicators": c.result.n_indicators, "rated": c.result.n_rated,
             "unknown": c.result.n_unknown,
             "spread": None if c.result.spread is None else round(c.result.spread, 2), "disagree": c.result.disagree}
            for c in summary.conditions
        ],
        "benchmark": scores_entry(summary.benchmark),
    }


@dataclass(frozen=True)
class ConditionScore:
    id: str
    score: float | None  # 0-100 to two decimals, as scores.json holds it; None: not enough information
    status: str  # a band id, or the framework's insufficient id
    spread: float | None
    disagree: bool


@dataclass(frozen=True)
class PlaceScores:
    """What a cohort keeps of each place: the numbers of its scores.json, typed, in a few hundred bytes.

    Built places reach the cohort summary and the cohort report as these, from
    the worker that built them (place_scores) or from a scores.json on disk
    (read_place_scores).
    """

    place: str
    state: str
    jurisdiction_type: str
    assessment_date: dt.date | None
    respondents: int
    level: str  # a level id
    level_label: str
    average: float | None
    conditions: tuple[ConditionScore, ...]

    def condition(self, condition_id: str) -> ConditionScore | None:
        return next((c for c in self.conditions if c.id == condition_id), None)


def place_scores(document: dict[str, Any]) -> PlaceScores:
    """The typed numbers of a scores.json document (scores_document's, or one read back)."""
    day = document.get("assessment_date") or ""
    overall = document["overall"]
    return PlaceScores(
        place=document["place"], state=document.get("state") or "", jurisdiction_type=document.get("jurisdiction_type") or "",
        assessment_date=dt.date.fromisoformat(day) if day else None, respondents=len(document.get("respondents") or ()),
        level=overall["level"], level_label=overall["label"], average=overall.get("average"),
        conditions=tuple(ConditionScore(c["id"], c.get("score"), c.get("status") or "", c.get("spread"), bool(c.get("disagree")))
                         for c in document["conditions"]))
