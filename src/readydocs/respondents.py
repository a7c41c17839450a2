"""Several respondents for one place: who they are, and where their views part.

Pure functions over the template context's respondent list (name, role,
department, in workbook order) and the scores. A condition the framework's
agreement rule flags becomes a discussion item that says who rated what, so
the team talks about why before acting on the pooled score.
"""

from __future__ import annotations

from typing import Any, Sequence

from .framework import Framework
from .scoring import Scores
from .wording import curly, half_up, join


def who(respondent: dict[str, str]) -> str:
    """How a respondent is named in a discussion item: role and department, else their name."""
    role, dept = respondent.get("role") or "", respondent.get("department") or ""
    if role and dept:
        return f"{role} ({dept})"
    return role or dept or respondent.get("name") or "A respondent"


def _labels(respondents: Sequence[dict[str, str]]) -> list[str]:
    labels = [who(r) for r in respondents]
    # Two department heads from one department: tell them apart by name.
    return [f"{label}, {r['name']}" if labels.count(label) > 1 and r.get("name") and r["name"] not in label else label
            for label, r in zip(labels, respondents)]


def respondents_by_role(respondents: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The respondents ordered by role, then department, then name (blank roles last)."""
    return sorted((dict(r) for r in respondents),
                  key=lambda r: (not r.get("role"), (r.get("role") or "").casefold(),
                                 (r.get("department") or "").casefold(), (r.get("name") or "").casefold()))


def discussion_items(respondents: Sequence[dict[str, str]], scores: Scores, framework: Framework) -> list[dict[str, Any]]:
    """One item per condition where respondents disagree, naming who scored and rated what."""
    labels = _labels(respondents)
    scale = framework.scale
    span = scale.high - scale.low
    items = []
    for cond, res in zip(framework.conditions, scores.conditions):
        if not res.disagree or res.spread is None:  # disagreeing takes a spread
            continue
        views = sorted(((labels[n], half_up(s)) for n, s in enumerate(res.respondent_scores) if s is not None and n < len(labels)),
                       key=lambda v: v[1])
        scored = join([f"{views[0][0]} scored it {views[0][1]}"] + [f"{w} {s}" for w, s in views[1:]])
        pooled = "\u2014" if res.score is None else str(half_up(res.score))
        indicators = []
        for ind, ir in zip(cond.indicators, res.indicators):
            if ir.low is None or ir.high is None or (ir.high - ir.low) * 100 / span < framework.max_spread:
                continue
            ratings = []
            for n, answer in enumerate(ir.answers):
                if n >= len(labels):
                    continue
                label = curly(scale.dont_know) if answer is None else f"{answer} ({scale.label_for(answer)})"
                ratings.append({"who": labels[n], "rating": answer, "label": label})
            ordered = sorted(ratings, key=lambda r: (r["rating"] is None, r["rating"] or 0))
            text = f"{ind.id}: " + "; ".join(f"{r['who']} rated {r['label']}" if r["rating"] is not None
                                              else f"{r['who']} answered \u201c{r['label']}\u201d" for r in ordered) + "."
            indicators.append({"id": ind.id, "statement": ind.statement, "ratings": ordered, "text": text})
        items.append({
            "condition": cond.name, "condition_id": cond.id,
            "spread": half_up(res.spread), "pooled": pooled,
            "views": [{"who": w, "score": s} for w, s in views],
            "indicators": indicators,
            "text": f"{cond.name}: {scored} out of 100. Talk about why before acting on the pooled score of {pooled}.",
        })
    return items
