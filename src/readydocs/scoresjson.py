"""scores.json: the numbers behind the documents, for programs and for later rounds.

A view of the Summary. baseline.py reads it back as an earlier round, and a
batch's cohort summary is made from each place's; docs/documents.md lists
its fields.
"""

from __future__ import annotations

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
