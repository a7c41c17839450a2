"""Template variables from scores and the profile. No I/O.

Everything a template may use is built here, as plain dicts, lists, strings,
numbers and booleans, so templates never reach into our objects. The prose
lives in the templates; this module gives them the facts and the choices
(which level, which conditions, how many) to phrase it by.
docs/templates.md lists every variable.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Sequence

from . import __version__
from .baseline import no_baseline
from .benchmark import no_benchmark
from .form import MAX_INSIGHTS
from .framework import Framework
from .places import MAX_SLUG, slugify  # noqa: F401  (slugify's home is places.py)
from .respondents import discussion_items, respondents_by_role
from .scoring import ConditionResult, Scores
from .validate import Response

def format_date(d: dt.date | None) -> str:
    return f"{d:%B} {d.day}, {d.year}" if d else ""


def join_names(names: Sequence[str]) -> str:
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def _lines(text: str | None) -> list[str]:
    """A list typed one item per line (or, on one line, separated by semicolons).

    A leading bullet ("- ", "\u2022 ", "* ") is dropped; a leading "-1" or "+" stays as typed.
    """
    if not text:
        return []
    parts = text.split("\n") if "\n" in text else text.split(";")
    items = (re.sub(r"^[-\u2022*]\s+", "", p.strip()) if re.match(r"^\s*[-\u2022*]\s", p) else p.strip() for p in parts)
    return [i for i in items if i]


def _score_int(score: float | None) -> int | None:
    # Half up, not Python's banker's rounding: 62.5 shows as 63, as a reader would expect.
    return None if score is None else int(score + 0.5)


def build_context(responses: Sequence[Response], scores: Scores, framework: Framework,
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """Everything the three templates need. ``responses[0]`` supplies the place's profile."""
    first = responses[0].profile
    band_by_id = {b.id: b for b in framework.bands}
    best_band = framework.bands[0].id
    essentials = {e.condition for e in framework.essentials}
    level = next(lv for lv in framework.levels if lv.id == scores.level)
    assessed = first.get("assessment_date") or as_of

    def status_label(c: ConditionResult) -> str:
        return band_by_id[c.status].label if c.status in band_by_id else framework.insufficient.label

    def status_meaning(c: ConditionResult) -> str:
        return band_by_id[c.status].meaning if c.status in band_by_id else framework.insufficient.meaning

    conditions = []
    for cond, res in zip(framework.conditions, scores.conditions):
        notes, steps = [], []
        # Respondents often start from a colleague's copy: the same note or step
        # on the same indicator is shown once, not once per workbook.
        seen: set[tuple] = set()
        for ind, ir in zip(cond.indicators, res.indicators):
            for resp in responses:
                row = resp.rows.get(ind.id, {})
                note_key = ("note", ind.id, row.get("evidence"))
                if row.get("evidence") and note_key not in seen:
                    seen.add(note_key)
                    notes.append({"indicator": ind.id, "statement": ind.statement, "text": row["evidence"], "respondent": _respondent_label(resp)})
                step_key = ("step", ind.id, row.get("next_step"), row.get("owner"), row.get("due"))
                if row.get("next_step") and step_key not in seen:
                    seen.add(step_key)
                    steps.append({"indicator": ind.id, "text": row["next_step"], "owner": row.get("owner") or "",
                                  "due": format_date(row.get("due"))})
        score = _score_int(res.score)
        conditions.append({
            "id": cond.id, "name": cond.name, "summary": cond.summary,
            "score": score, "score_text": "\u2014" if score is None else str(score),
            "status": status_label(res), "status_id": res.status, "status_meaning": status_meaning(res),
            "in_place": res.status == best_band, "insufficient": res.score is None,
            "essential": cond.id in essentials, "below_essential": res.below_essential,
            "n_indicators": res.n_indicators, "n_rated": res.n_rated, "n_unknown": res.n_unknown,
            "actions": list(cond.actions), "notes": notes, "next_steps": steps,
            "disagree": res.disagree, "spread": _score_int(res.spread),
            "indicators": [
                {"id": ind.id, "statement": ind.statement,
                 "mean": None if ir.mean is None else round(ir.mean, 2),
                 "low": ir.low, "high": ir.high, "n_answers": len(ir.known), "n_unknown": ir.n_unknown}
                for ind, ir in zip(cond.indicators, res.indicators)
            ],
        })

    strengths = [c for c in conditions if c["in_place"]]
    # Essentials first, then weakest first, so the list reads in order of urgency;
    # conditions without enough information come last (they need answers, not action).
    to_strengthen = sorted((c for c in conditions if not c["in_place"]),
                           key=lambda c: (not c["below_essential"], c["insufficient"], c["score"] if c["score"] is not None else 0))
    gaps = []
    for cond, res in zip(framework.conditions, scores.conditions):
        for ind, ir in zip(cond.indicators, res.indicators):
            if ir.n_unknown:
                gaps.append({"indicator": ind.id, "condition": cond.name, "statement": ind.statement,
                             "unknown": ir.n_unknown, "answers": len(ir.answers)})

    sponsor_name = first.get("sponsor_name") or ""
    sponsor_title = first.get("sponsor_title") or ""
    place_name = first.get("municipality_name") or ""
    insights = [first[f"insight_{n}"] for n in range(1, MAX_INSIGHTS + 1) if first.get(f"insight_{n}")]
    capped_names = [framework.condition(cid).name for cid in scores.capped_by]

    return {
        "place": {
            "name": place_name,
            "type": first.get("jurisdiction_type") or "",
            "state": first.get("state") or "",
            "organization": first.get("organization_name") or place_name,
            "slug": slugify(place_name),
        },
        "advocate": {"name": first.get("advocate_name") or "", "title": first.get("advocate_title") or "",
                     "email": first.get("advocate_email") or ""},
        "sponsor": {"name": sponsor_name, "title": sponsor_title, "given": bool(sponsor_name)},
        "dates": {"assessment": format_date(assessed), "assessment_iso": assessed.isoformat() if assessed else "",
                  "launch": format_date(first.get("target_launch_date")),
                  "launch_iso": first["target_launch_date"].isoformat() if first.get("target_launch_date") else ""},
        "departments": _lines(first.get("departments")),
        "insights": insights,
        "priorities": _lines(first.get("priorities")),
        "framework": {
            "title": framework.title, "id": framework.id, "version": framework.version,
            "scale": [{"value": lv.value, "label": lv.label} for lv in framework.scale.levels],
            "dont_know": framework.scale.dont_know,
            "bands": [{"label": b.label, "min": _score_int(b.min), "meaning": b.meaning} for b in framework.bands],
            "insufficient": framework.insufficient.label,
            "insufficient_share": _score_int(framework.insufficient.max_unknown_share * 100),
            "essentials": [{"name": framework.condition(e.condition).name, "min_score": _score_int(e.min_score)} for e in framework.essentials],
            "n_conditions": len(framework.conditions),
            "n_indicators": len(framework.indicators),
            "levels": [{"label": lv.label, "meaning": lv.meaning} for lv in framework.levels],
            "max_spread": _score_int(framework.max_spread),
        },
        "overall": {
            "id": level.id, "label": level.label, "meaning": level.meaning, "decision": level.decision,
            "average": _score_int(scores.average),
            "average_text": "\u2014" if scores.average is None else str(_score_int(scores.average)),
            "ready": level.id == framework.levels[0].id,
            "build_first": level.id == framework.levels[-1].id,
            "capped": bool(capped_names), "capped_by": capped_names, "capped_by_text": join_names(capped_names),
        },
        "conditions": conditions,
        "strengths": strengths,
        "strengths_text": join_names([c["name"] for c in strengths]),
        "to_strengthen": to_strengthen,
        "to_strengthen_text": join_names([c["name"] for c in to_strengthen]),
        "counts": {"in_place": len(strengths), "to_strengthen": len(to_strengthen), "gaps": len(gaps),
                   "insufficient": sum(1 for c in conditions if c["insufficient"]), "total": len(conditions)},
        "gaps": gaps,
        "respondents": [_respondent(r) for r in responses],
        "disagreements": [c for c in conditions if c["disagree"]],
        # Several respondents and rounds over time (respondents.py, baseline.py); pipeline.build
        # replaces "baseline" when an earlier round is given.
        "respondents_by_role": respondents_by_role([_respondent(r) for r in responses]),
        "discussion": discussion_items([_respondent(r) for r in responses], scores, framework),
        "baseline": no_baseline(),
        # Peers in a cohort batch (benchmark.py); pipeline.build replaces it when the batch compares places.
        "benchmark": no_benchmark(),
        "tool": {"name": "readydocs", "version": __version__},
    }


def _respondent_label(resp: Response) -> str:
    p = resp.profile
    return p.get("respondent_name") or p.get("advocate_name") or resp.source.stem


def _respondent(resp: Response) -> dict[str, str]:
    p = resp.profile
    return {"name": _respondent_label(resp), "role": p.get("respondent_role") or "",
            "department": p.get("respondent_department") or ""}
