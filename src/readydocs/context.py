"""The template variables: a view of the Summary as plain data. No I/O.

Everything a template may use is built here, as plain dicts, lists, strings,
numbers and booleans, so templates never reach into our objects. The facts
come from the Summary (summary.py); the fixed prose lives in the templates;
every sentence whose truth depends on the data comes from wording.py, chosen
here from the facts. docs/templates.md lists every variable.
"""

from __future__ import annotations

from typing import Any

from . import wording as w
from .framework import AUDIENCES, Framework
from .respondents import discussion_items, respondents_by_role
from .summary import ABOVE, BELOW, NOT_COMPARABLE, DOWN, SAME, UP, CohortComparison, Note, RoundComparison, Summary
from .version import __version__
from .wording import format_date, half_up

_DIRECTION_TEXT = {UP: "Up", DOWN: "Down", SAME: "No change", NOT_COMPARABLE: "Not comparable"}
_POSITION_TEXT = {ABOVE: "Above the middle half", "within": "Within the middle half",
                  BELOW: "Below the middle half", "not-scored": "Not scored here"}


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


def build_context(summary: Summary) -> dict[str, Any]:
    """Everything the templates need, as plain data, from the place's Summary."""
    fw = summary.framework
    several = summary.several
    people = [p.as_dict() for p in summary.respondents]
    labels = [w.attribution(p) for p in people]
    level = summary.level

    conditions: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    evidence: list[dict[str, str]] = []
    for c in summary.conditions:
        cond, res = c.condition, c.result
        steps = [w.next_step(s.indicator, s.text, s.owner, format_date(s.due)) for s in c.steps]
        disputed = [{"indicator": d.indicator.id, "short": w.curly(d.indicator.short_text),
                     "notes": [_note(n, people, labels, several) for n in d.notes],
                     "line": f"Respondents disagree on {w.mid_sentence(w.curly(d.indicator.short_text))} ({d.indicator.id}): "
                             f"ratings run from {_rating_label(d.low, fw)} to {_rating_label(d.high, fw)}."}
                    for d in c.disputed]
        for ind, ir in zip(cond.indicators, res.indicators):
            evidence.extend(_evidence_rows(ind, ir, summary.responses, labels, fw))
        score = c.score
        mid = w.mid_sentence(cond.name, cond.proper_name)
        view = {
            "id": cond.id, "name": cond.name, "name_mid": mid, "summary": cond.summary,
            "score": score, "score_text": "\u2014" if score is None else str(score),
            "status": c.status, "status_id": res.status, "status_meaning": c.status_meaning,
            "standing": w.standing(mid, c.insufficient, score, c.status),
            "in_place": c.in_place, "insufficient": c.insufficient,
            "lowest": c.lowest,
            "essential": c.essential, "below_essential": c.below_essential,
            "n_indicators": res.n_indicators, "n_rated": res.n_rated, "n_unknown": res.n_unknown,
            "actions": list(cond.actions), "notes": [_note(n, people, labels, several) for n in c.notes],
            "disputed_notes": disputed, "next_steps": steps,
            "disagree": res.disagree, "spread": half_up(res.spread),
            "asks": dict(cond.asks),
            "indicators": [
                {"id": ind.id, "statement": ind.statement, "short": ind.short_text,
                 "mean": None if ir.mean is None else round(ir.mean, 2),
                 "low": ir.low, "high": ir.high, "n_answers": len(ir.known), "n_unknown": ir.n_unknown}
                for ind, ir in zip(cond.indicators, res.indicators)
            ],
        }
        conditions.append(view)
        by_id[cond.id] = view

    strengths = [by_id[c.id] for c in summary.strengths]
    to_strengthen = [by_id[c.id] for c in summary.to_strengthen]
    build_first = [by_id[c.id] for c in summary.build_first]
    gaps = [{"indicator": g.indicator.id, "condition": g.condition.name, "statement": g.indicator.statement,
             "short": g.indicator.short_text, "unknown": g.result.n_unknown, "answers": len(g.result.answers)}
            for g in summary.gaps]
    place = summary.place
    advocate = {"name": summary.advocate_name, "title": summary.advocate_title, "email": summary.advocate_email}
    priorities = list(summary.priorities)
    capped = summary.capped_by
    capped_names = [c.name for c in capped]
    tally = {"in_place": len(strengths), "developing": sum(1 for c in summary.conditions if c.developing),
             "lowest": sum(1 for c in summary.conditions if c.lowest),
             "insufficient": sum(1 for c in summary.conditions if c.insufficient), "total": len(conditions)}
    average = summary.average
    nothing = summary.nothing_scored
    band_labels = (fw.bands[0].label, fw.bands[1].label if len(fw.bands) > 2 else fw.bands[0].label, fw.bands[-1].label)
    in_sentence = w.place_in_sentence(place.name)
    assessed = summary.assessment_date

    overall = {
        "id": level.id, "label": level.label, "meaning": level.meaning,
        # With nothing scored there are no areas to work on yet: the decision is to find the answers.
        "decision": w.NOTHING_SCORED_DECISION if nothing else level.decision,
        "average": average,
        "average_text": "\u2014" if average is None else str(average),
        "ready": summary.ready, "build_first": summary.build_first_level,
        "capped": bool(capped_names), "capped_by": capped_names, "capped_by_text": w.join(capped_names),
        "nothing_scored": nothing,
        "finding": "" if nothing else w.standing_summary(tally["in_place"], tally["developing"], tally["lowest"], tally["insufficient"],
                                                          tally["total"], band_labels),
        "average_sentence": w.nothing_scored(fw.scale.dont_know) if nothing else w.scored_summary(average, tally["total"], tally["total"] - tally["insufficient"]),
        "held_sentence": w.essential_held(capped_names, [c.name for c in capped if c.insufficient], level.label) if capped and not nothing else "",
        "unknown_sentence": w.unknown_summary(len(gaps), len(fw.indicators), fw.scale.dont_know, several),
    }

    context = {
        "place": {
            "name": place.name,
            "in_sentence": in_sentence,
            "sentence_start": w.capitalize(in_sentence),
            "type": place.type,
            "state": place.state,
            "organization": place.organization,
            "slug": place.slug,
        },
        "advocate": advocate,
        "sponsor": {"name": summary.sponsor_name, "title": summary.sponsor_title, "given": bool(summary.sponsor_name)},
        "prepared_by": w.prepared_by(advocate["name"], advocate["title"], place.organization),
        "dates": {"assessment": format_date(assessed), "assessment_iso": assessed.isoformat() if assessed else "",
                  "launch": format_date(summary.launch_date),
                  "launch_iso": summary.launch_date.isoformat() if summary.launch_date else ""},
        "departments": list(summary.departments),
        "insights": list(summary.insights),
        "priorities": priorities,
        "priorities_sentence": w.priorities_sentence(priorities),
        "framework": {
            "title": fw.title, "id": fw.id, "version": fw.version,
            "scale": [{"value": lv.value, "label": lv.label} for lv in fw.scale.levels],
            "dont_know": w.curly(fw.scale.dont_know),
            "bands": [{"label": b.label, "min": half_up(b.min), "meaning": b.meaning} for b in fw.bands],
            "insufficient": fw.insufficient.label,
            "insufficient_share": half_up(fw.insufficient.max_unknown_share * 100),
            "essentials": [{"name": fw.condition(e.condition).name, "min_score": half_up(e.min_score)} for e in fw.essentials],
            "n_conditions": len(fw.conditions),
            "n_indicators": len(fw.indicators),
            "levels": [{"label": lv.label, "meaning": lv.meaning} for lv in fw.levels],
            "max_spread": half_up(fw.max_spread),
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
        "disagreements": [by_id[c.id] for c in summary.disagreements],
        "respondents_by_role": respondents_by_role(people),
        "discussion": discussion_items(people, summary.scores, fw),
        "baseline": baseline_view(summary.baseline) if summary.baseline else no_baseline(),
        "benchmark": benchmark_view(summary.benchmark) if summary.benchmark else no_benchmark(),
        "tool": {"name": "readydocs", "version": __version__},
    }
    context["talking"] = w.talking_points(context, AUDIENCES)
    context["memo"] = w.memo(context)
    return context


def _note(note: Note, people: list[dict[str, str]], labels: list[str], several: bool) -> dict[str, str]:
    ind = note.indicator
    label = f"{ind.short_text} ({ind.id})" if ind.short else ind.id
    by = labels[note.respondent] if several else ""
    return {"indicator": ind.id, "short": w.curly(ind.short_text), "statement": ind.statement,
            "text": note.text, "respondent": people[note.respondent]["name"], "by": by,
            "line": f"{label}: {note.text}" + (f" ({by})" if by else "")}


def _evidence_rows(ind, ir, responses, labels, framework) -> list[dict[str, str]]:
    """The appendix rows for one indicator: its rating and note, or each respondent's and the pooled value."""
    statement = f"{ind.id}: {ind.statement}"
    if len(responses) == 1:
        answer = responses[0].answers.get(ind.id)
        return [{"indicator": statement, "rating": _rating_label(answer, framework),
                 "note": responses[0].row(ind.id).evidence or ""}]
    rated = len(ir.known)
    pooled = (f"Pooled: {_rating_label(ir.mean, framework)}, from {w.count(rated, 'rating')}" if rated
              else f"Pooled: no rating (every answer {w.quoted(framework.scale.dont_know)})")
    rows = [{"indicator": statement, "rating": pooled, "note": ""}]
    for label, resp in zip(labels, responses):
        if ind.id not in resp.answers:
            continue
        rows.append({"indicator": label, "rating": _rating_label(resp.answers[ind.id], framework),
                     "note": resp.row(ind.id).evidence or ""})
    return rows


def baseline_view(comparison: RoundComparison) -> dict[str, Any]:
    """The ``baseline`` template variable: each condition then and now, and what crossed a band."""
    rows: list[dict[str, Any]] = []
    for ch in comparison.conditions:
        c = ch.condition
        now_text = "\u2014" if c.score is None else str(c.score)
        rows.append({
            "id": c.id, "name": c.name,
            "earlier": ch.earlier, "earlier_text": "\u2014" if ch.earlier is None else str(ch.earlier),
            "earlier_status": ch.earlier_status,
            "current": c.score, "current_text": now_text, "current_status": c.status,
            "change": ch.change,
            "change_text": "\u2014" if ch.change is None else ("no change" if ch.change == 0 else f"{ch.change:+d}".replace("-", "\u2212")),
            "direction": ch.direction, "direction_text": _DIRECTION_TEXT[ch.direction],
            "crossed": ch.crossed,
            "crossed_up": ch.crossed_up,
            "crossing_text": f"{ch.earlier_status} to {c.status}" if ch.crossed else "",
        })
    crossed = [r for r in rows if r["crossed"]]
    counts = {k.replace("-", "_"): comparison.count(k) for k in (UP, DOWN, SAME, NOT_COMPARABLE)}
    date_text = format_date(comparison.date) or "the earlier assessment"
    return {
        "given": True,
        "date": date_text,
        "date_iso": comparison.date.isoformat() if comparison.date else "",
        "source": comparison.source_name,
        "framework_version": comparison.framework_version,
        "same_version": comparison.same_version,
        "conditions": rows,
        "crossed": crossed,
        "crossed_text": w.join_some([f"{r['name']} ({r['crossing_text']})" for r in crossed]),
        "counts": counts,
        "summary_text": w.change_summary(date_text, counts),
    }


def no_baseline() -> dict[str, Any]:
    """The ``baseline`` variable when no earlier round was given: same keys, nothing in them."""
    return {"given": False, "date": "", "date_iso": "", "source": "", "framework_version": "", "same_version": True,
            "conditions": [], "crossed": [], "crossed_text": "", "summary_text": "",
            "counts": {"up": 0, "down": 0, "same": 0, "not_comparable": 0}}


def benchmark_view(comparison: CohortComparison) -> dict[str, Any]:
    """The ``benchmark`` template variable: this place against the cohort, condition by condition."""
    rows: list[dict[str, Any]] = []
    for pos in comparison.conditions:
        c = pos.condition
        score_text = "\u2014" if c.score is None else str(c.score)
        if not pos.shown:
            rows.append({
                "id": c.id, "name": c.name, "shown": False, "places": pos.places,
                "score_text": score_text, "median": None, "median_text": "\u2014",
                "low_quartile": None, "high_quartile": None, "range_text": "\u2014",
                "position": "", "position_text": "",
                "reason": f"fewer than {comparison.min_places} places have a score for it",
            })
            continue
        lo, mid, hi = pos.low_quartile, pos.median, pos.high_quartile
        rows.append({
            "id": c.id, "name": c.name, "shown": True, "places": pos.places,
            "score_text": score_text, "median": mid, "median_text": str(mid),
            "low_quartile": lo, "high_quartile": hi,
            "range_text": str(lo) if lo == hi else f"{lo}\u2013{hi}",
            "position": pos.position, "position_text": _POSITION_TEXT[pos.position], "reason": "",
        })
    above = [p.condition.name for p in comparison.at(ABOVE)]
    below = [p.condition.name for p in comparison.at(BELOW)]
    suppressed = [r for r in rows if not r["shown"]]
    return {
        "requested": True,
        "given": bool(comparison.shown),
        "places": comparison.places,
        "min_places": comparison.min_places,
        "conditions": rows,
        "shown": [r for r in rows if r["shown"]],
        "suppressed": suppressed,
        "suppressed_text": w.join([r["name"] for r in suppressed]),
        "above": above, "above_text": w.join(above),
        "below": below, "below_text": w.join(below),
        "stands_out": w.stands_out(above, below),
    }


def no_benchmark(reason: str = "") -> dict[str, Any]:
    """The ``benchmark`` variable without a comparison: same keys, nothing in them."""
    return {"requested": False, "given": False, "places": 0, "min_places": 0, "conditions": [], "shown": [], "suppressed": [],
            "suppressed_text": "", "above": [], "above_text": "", "below": [], "below_text": "",
            "stands_out": reason}
