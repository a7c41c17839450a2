"""Template variables from scores and the profile. No I/O.

Everything a template may use is built here, as plain dicts, lists, strings,
numbers and booleans, so templates never reach into our objects. The fixed
prose lives in the templates; every sentence whose truth depends on the data
comes from wording.py, chosen here from the facts. docs/templates.md lists
every variable.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Sequence

from . import __version__, wording as w
from .baseline import no_baseline
from .benchmark import no_benchmark
from .form import MAX_INSIGHTS
from .framework import AUDIENCES, Framework
from .places import MAX_SLUG, slugify  # noqa: F401  (slugify's home is places.py)
from .respondents import discussion_items, respondents_by_role
from .scoring import ConditionResult, Scores
from .validate import Response
from .wording import format_date, half_up


def _lines(text: str | None) -> list[str]:
    """A list typed one item per line (or, on one line, separated by semicolons).

    A leading bullet ("- ", "\u2022 ", "* ") is dropped; a leading "-1" or "+" stays as typed.
    """
    if not text:
        return []
    parts = text.split("\n") if "\n" in text else text.split(";")
    items = (re.sub(r"^[-\u2022*]\s+", "", p.strip()) if re.match(r"^\s*[-\u2022*]\s", p) else p.strip() for p in parts)
    return [i for i in items if i]


def _rating_label(value: float | None, framework: Framework) -> str:
    """ "3 \u2013 Partly in place"; a pooled 2.5 reads "2.5 (between Starting and Partly in place)"."""
    scale = framework.scale
    if value is None:
        return w.curly(scale.dont_know)
    if float(value).is_integer():
        return f"{int(value)} \u2013 {scale.label_for(int(value))}"
    shown = f"{value:.1f}".rstrip("0").rstrip(".")
    lower, upper = int(value), int(value) + 1
    return f"{shown} (between {scale.label_for(lower)} and {scale.label_for(upper)})"


def build_context(responses: Sequence[Response], scores: Scores, framework: Framework,
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """Everything the three templates need. ``responses[0]`` supplies the place's profile."""
    first = responses[0].profile
    several = len(responses) > 1
    band_by_id = {b.id: b for b in framework.bands}
    best_band, lowest_band = framework.bands[0].id, framework.bands[-1].id
    essentials = {e.condition for e in framework.essentials}
    level = next(lv for lv in framework.levels if lv.id == scores.level)
    assessed = first.get("assessment_date") or as_of
    people = [_respondent(r) for r in responses]
    labels = [w.attribution(p) for p in people]
    span = framework.scale.high - framework.scale.low

    def status_label(c: ConditionResult) -> str:
        return band_by_id[c.status].label if c.status in band_by_id else framework.insufficient.label

    def status_meaning(c: ConditionResult) -> str:
        return band_by_id[c.status].meaning if c.status in band_by_id else framework.insufficient.meaning

    conditions: list[dict[str, Any]] = []
    evidence = []
    for cond, res in zip(framework.conditions, scores.conditions):
        notes, disputed, steps = [], [], []
        # Respondents often start from a colleague's copy: the same note or step
        # on the same indicator is shown once, not once per workbook.
        seen: set[tuple] = set()
        for ind, ir in zip(cond.indicators, res.indicators):
            label = f"{ind.short_text} ({ind.id})" if ind.short else ind.id
            ind_notes = []
            for n, resp in enumerate(responses):
                row = resp.rows.get(ind.id, {})
                note_key = ("note", ind.id, row.get("evidence"))
                if row.get("evidence") and note_key not in seen:
                    seen.add(note_key)
                    text = row["evidence"]
                    by = f" ({labels[n]})" if several else ""
                    ind_notes.append({"indicator": ind.id, "short": w.curly(ind.short_text), "statement": ind.statement,
                                      "text": text, "respondent": people[n]["name"], "by": labels[n] if several else "",
                                      "line": f"{label}: {text}{by}"})
                step_key = ("step", ind.id, row.get("next_step"), row.get("owner"), row.get("due"))
                if row.get("next_step") and step_key not in seen:
                    seen.add(step_key)
                    steps.append(w.next_step(ind.id, row["next_step"], row.get("owner") or "", format_date(row.get("due"))))
            split = ir.low is not None and ir.high is not None and (ir.high - ir.low) * 100 / span >= framework.max_spread
            if split and len(ind_notes) > 1:
                disputed.append({"indicator": ind.id, "short": w.curly(ind.short_text), "notes": ind_notes,
                                 "line": f"Respondents disagree on {w.mid_sentence(w.curly(ind.short_text))} ({ind.id}): "
                                         f"ratings run from {_rating_label(ir.low, framework)} to {_rating_label(ir.high, framework)}."})
            else:
                notes.extend(ind_notes)
            evidence.extend(_evidence_rows(ind, ir, responses, labels, framework))
        score = half_up(res.score)
        name = cond.name
        mid = w.mid_sentence(name, cond.proper_name)
        status = status_label(res)
        conditions.append({
            "id": cond.id, "name": name, "name_mid": mid, "summary": cond.summary,
            "score": score, "score_text": "\u2014" if score is None else str(score),
            "status": status, "status_id": res.status, "status_meaning": status_meaning(res),
            "standing": w.standing(mid, res.score is None, score, status),
            "in_place": res.status == best_band, "insufficient": res.score is None,
            "lowest": res.status == lowest_band,
            "essential": cond.id in essentials, "below_essential": res.below_essential,
            "n_indicators": res.n_indicators, "n_rated": res.n_rated, "n_unknown": res.n_unknown,
            "actions": list(cond.actions), "notes": notes, "disputed_notes": disputed, "next_steps": steps,
            "disagree": res.disagree, "spread": half_up(res.spread),
            "asks": dict(cond.asks),
            "indicators": [
                {"id": ind.id, "statement": ind.statement, "short": ind.short_text,
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
    # What must be built before any announcement: essentials under their minimum,
    # conditions in the lowest band, and conditions nobody could judge.
    build_first = [c for c in to_strengthen if c["below_essential"] or c["lowest"] or c["insufficient"]]
    # An information gap is an indicator nobody could rate; one respondent's
    # "Don't know" where a colleague gave a rating is not a gap (docs/cohort.md).
    gaps = []
    for cond, res in zip(framework.conditions, scores.conditions):
        for ind, ir in zip(cond.indicators, res.indicators):
            if ir.mean is None:
                gaps.append({"indicator": ind.id, "condition": cond.name, "statement": ind.statement,
                             "short": ind.short_text, "unknown": ir.n_unknown, "answers": len(ir.answers)})

    # Text typed in the workbook reaches the documents exactly as typed (docs/safety.md);
    # only our own wording uses typographic quotes.
    typed = lambda key: first.get(key) or ""  # noqa: E731
    sponsor_name = typed("sponsor_name")
    sponsor_title = typed("sponsor_title")
    place_name = typed("municipality_name")
    organization = typed("organization_name") or place_name
    advocate = {"name": typed("advocate_name"), "title": typed("advocate_title"), "email": first.get("advocate_email") or ""}
    insights = [first[f"insight_{n}"] for n in range(1, MAX_INSIGHTS + 1) if first.get(f"insight_{n}")]
    priorities = _lines(first.get("priorities"))
    capped = [c for c in conditions if c["below_essential"]]
    capped_names = [c["name"] for c in capped]
    tally = {"in_place": len(strengths), "developing": sum(1 for c in conditions if not c["in_place"] and not c["lowest"] and not c["insufficient"]),
         "lowest": sum(1 for c in conditions if c["lowest"]), "insufficient": sum(1 for c in conditions if c["insufficient"]),
         "total": len(conditions)}
    average = half_up(scores.average)
    dont_know = w.curly(framework.scale.dont_know)
    ready = level.id == framework.levels[0].id
    is_build_first = level.id == framework.levels[-1].id
    nothing = scores.average is None
    band_labels = (framework.bands[0].label, framework.bands[1].label if len(framework.bands) > 2 else framework.bands[0].label,
                   framework.bands[-1].label)
    in_sentence = w.place_in_sentence(place_name)

    overall = {
        "id": level.id, "label": level.label, "meaning": level.meaning,
        # With nothing scored there are no areas to work on yet: the decision is to find the answers.
        "decision": w.NOTHING_SCORED_DECISION if nothing else level.decision,
        "average": average,
        "average_text": "\u2014" if average is None else str(average),
        "ready": ready, "build_first": is_build_first,
        "capped": bool(capped_names), "capped_by": capped_names, "capped_by_text": w.join(capped_names),
        "nothing_scored": nothing,
        "finding": "" if nothing else w.standing_summary(tally["in_place"], tally["developing"], tally["lowest"], tally["insufficient"],
                                                          tally["total"], band_labels),
        "average_sentence": w.nothing_scored(framework.scale.dont_know) if nothing else w.scored_summary(average, tally["total"], tally["total"] - tally["insufficient"]),
        "held_sentence": w.essential_held(capped_names, [c["name"] for c in capped if c["insufficient"]], level.label) if capped and not nothing else "",
        "unknown_sentence": w.unknown_summary(len(gaps), len(framework.indicators), framework.scale.dont_know, several),
    }

    context = {
        "place": {
            "name": place_name,
            "in_sentence": in_sentence,
            "sentence_start": w.capitalize(in_sentence),
            "type": typed("jurisdiction_type"),
            "state": typed("state"),
            "organization": organization,
            "slug": slugify(first.get("municipality_name") or ""),
        },
        "advocate": advocate,
        "sponsor": {"name": sponsor_name, "title": sponsor_title, "given": bool(sponsor_name)},
        "prepared_by": w.prepared_by(advocate["name"], advocate["title"], organization),
        "dates": {"assessment": format_date(assessed), "assessment_iso": assessed.isoformat() if assessed else "",
                  "launch": format_date(first.get("target_launch_date")),
                  "launch_iso": first["target_launch_date"].isoformat() if first.get("target_launch_date") else ""},
        "departments": _lines(first.get("departments")),
        "insights": insights,
        "priorities": priorities,
        "priorities_sentence": w.priorities_sentence(priorities),
        "framework": {
            "title": framework.title, "id": framework.id, "version": framework.version,
            "scale": [{"value": lv.value, "label": lv.label} for lv in framework.scale.levels],
            "dont_know": dont_know,
            "bands": [{"label": b.label, "min": half_up(b.min), "meaning": b.meaning} for b in framework.bands],
            "insufficient": framework.insufficient.label,
            "insufficient_share": half_up(framework.insufficient.max_unknown_share * 100),
            "essentials": [{"name": framework.condition(e.condition).name, "min_score": half_up(e.min_score)} for e in framework.essentials],
            "n_conditions": len(framework.conditions),
            "n_indicators": len(framework.indicators),
            "levels": [{"label": lv.label, "meaning": lv.meaning} for lv in framework.levels],
            "max_spread": half_up(framework.max_spread),
        },
        "overall": overall,
        "conditions": conditions,
        "strengths": strengths,
        "strengths_text": w.join_some([c["name_mid"] for c in strengths]),
        "to_strengthen": to_strengthen,
        "to_strengthen_text": w.join_some([c["name_mid"] for c in to_strengthen]),
        "build_first": build_first,
        "counts": {"in_place": tally["in_place"], "to_strengthen": len(to_strengthen), "gaps": len(gaps),
                   "developing": tally["developing"], "not_in_place": tally["lowest"],
                   "insufficient": tally["insufficient"], "total": tally["total"]},
        "gaps": gaps,
        "evidence": evidence,
        "respondents": people,
        "respondents_sentence": w.respondents_sentence(people),
        "disagreements": [c for c in conditions if c["disagree"]],
        # Several respondents and rounds over time (respondents.py, baseline.py); pipeline.build
        # replaces "baseline" when an earlier round is given.
        "respondents_by_role": respondents_by_role(people),
        "discussion": discussion_items(people, scores, framework),
        "baseline": no_baseline(),
        # Peers in a cohort batch (benchmark.py); pipeline.build replaces it when the batch compares places.
        "benchmark": no_benchmark(),
        "tool": {"name": "readydocs", "version": __version__},
    }
    context["talking"] = w.talking_points(context, AUDIENCES)
    context["memo"] = w.memo(context)
    return context


def _evidence_rows(ind, ir, responses, labels, framework) -> list[dict[str, str]]:
    """The appendix rows for one indicator: its rating and note, or each respondent's and the pooled value."""
    statement = f"{ind.id}: {ind.statement}"
    if len(responses) == 1:
        row = responses[0].rows.get(ind.id, {})
        answer = responses[0].answers.get(ind.id)
        return [{"indicator": statement, "rating": _rating_label(answer, framework),
                 "note": row.get("evidence") or ""}]
    rated = len(ir.known)
    pooled = (f"Pooled: {_rating_label(ir.mean, framework)}, from {w.count(rated, 'rating')}" if rated
              else f"Pooled: no rating (every answer {w.quoted(framework.scale.dont_know)})")
    rows = [{"indicator": statement, "rating": pooled, "note": ""}]
    for label, resp in zip(labels, responses):
        if ind.id not in resp.answers:
            continue
        rows.append({"indicator": label, "rating": _rating_label(resp.answers[ind.id], framework),
                     "note": resp.rows.get(ind.id, {}).get("evidence") or ""})
    return rows


def _respondent_label(resp: Response) -> str:
    p = resp.profile
    return p.get("respondent_name") or p.get("advocate_name") or resp.source.stem


def _respondent(resp: Response) -> dict[str, str]:
    p = resp.profile
    return {"name": _respondent_label(resp), "role": p.get("respondent_role") or "",
            "department": p.get("respondent_department") or ""}
