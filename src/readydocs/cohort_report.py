"""cohort-report.docx: the cohort at a glance, for the technical-assistance team that runs it.

Unlike a place's own documents, this one names places: it is for the team
working with all of them. It is rendered from its own template
(templates/cohort-report.docx, exported and checked like the others) with
plain data built here from the places' scores.json documents:

* the overview: how many places reached each overall level, and which;
* the weakest conditions across the cohort (lowest medians) and the places
  that have them not yet in place;
* a heat map table, places by conditions, each cell the band word and score
  on its band's colour;
* the biggest disagreements between respondents of one place;
* changes since the baseline round, when the batch had one;
* suggested cohort-wide sessions, chosen from the numbers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path
from statistics import mean
from typing import Any, Mapping, Sequence

from .catalogue import COHORT_REPORT
from .cohort import FILENAME as SUMMARY_FILENAME
from .baseline import EarlierRound
from .framework import Framework, load_framework
from .palette import BAND_FILLS
from .render import DocumentProps, render_document, resolve_template
from .scoresjson import ConditionScore, PlaceScores
from .version import __version__
from .wording import format_date, half_up, join, join_some, mid_sentence, tally

FILENAME = COHORT_REPORT.filename
WEAKEST = 3  # conditions listed as weakest across the cohort
MAX_DISAGREEMENTS = 8  # rows of the disagreements table
MAX_SESSIONS = 6
MIN_SHARED = 2  # places that must share a need before a cohort-wide session is suggested
# Places named one by one in a cell, and rows of a table with a row per place. A report on every
# US municipality (about 19,500) would run to thousands of pages, past what a template may write
# (sandbox.MAX_TEXT, reached at about 3,800 places): beyond this, such a table shows the places
# with the lowest averages and says so, and a cell that would name more points to the summary.
MAX_LISTED = 500
SEE_SUMMARY = f"Too many to name here: {SUMMARY_FILENAME} lists every place"


def _listed(names: Sequence[str]) -> str:
    """Names for a table's cell: every one, or a pointer to the summary beyond MAX_LISTED."""
    if len(names) > MAX_LISTED:
        return SEE_SUMMARY
    return ", ".join(names) or "\u2014"


def _neediest(places: Sequence[PlaceScores]) -> list[PlaceScores]:
    """At most MAX_LISTED of ``places``, in their order: those with the lowest averages, a place with none first."""
    if len(places) <= MAX_LISTED:
        return list(places)
    ranked = sorted(range(len(places)), key=lambda n: (places[n].average is not None, places[n].average or 0, n))
    return [places[n] for n in sorted(ranked[:MAX_LISTED])]


def _shown_note(shown: Sequence[PlaceScores], total: int, which: str = "") -> str:
    """What a table limited by _neediest leaves out ("" when it shows every place); ``which`` follows "places"."""
    if len(shown) == total:
        return ""
    no_average = " or none at all" if any(p.average is None for p in shown) else ""
    return (f"This table shows {len(shown):,} of the {total:,} places{which}, in order of name: those with the lowest "
            f"average scores{no_average}. {SUMMARY_FILENAME} lists every place.")


def cohort_context(places: Sequence[PlaceScores], framework: Framework, not_built: int = 0,
                   earlier: Mapping[str, Any] | None = None, baseline_given: bool = False) -> dict[str, Any]:
    """The template variables. ``places``: each built place's numbers, in report order.

    ``earlier``: place name -> baseline.EarlierRound for places matched in the baseline round.
    """

    earlier = earlier or {}
    band_pos = {b.id: n for n, b in enumerate(framework.bands)}
    insufficient_fill = BAND_FILLS[-1]
    level_by_id = {lv.id: lv for lv in framework.levels}
    best_band, worst_band = framework.bands[0].id, framework.bands[-1].id

    listed = {id(p): {c.id: c for c in p.conditions} for p in places}  # each place's conditions by id, looked up once

    def cond(place: PlaceScores, cid: str) -> ConditionScore:
        return listed[id(place)].get(cid) or ConditionScore(cid, None, "", None, False)

    def status_label(status: str | None) -> str:
        return framework.band(status).label if status in band_pos else framework.insufficient.label

    verdicts = []
    for lv in framework.levels:
        names = [p.place for p in places if p.level == lv.id]
        verdicts.append({"label": lv.label, "count": len(names), "count_text": tally(len(names), "place"),
                         "names": names, "names_text": _listed(names)})

    conditions: list[dict[str, Any]] = []
    for c in framework.conditions:
        got = [(p, cond(p, c.id)) for p in places]
        scored = [g.score for _, g in got if g.score is not None]
        lacking = [p.place for p, g in got if g.status == worst_band]
        # A condition the place's scores.json does not list at all is neither scored nor unknown.
        unknown = [p.place for p, g in got if c.id in listed[id(p)] and g.score is None]
        disputed = [p.place for p, g in got if g.disagree]
        median = statistics.median(scored) if scored else None
        conditions.append({
            "id": c.id, "name": c.name, "median": half_up(median), "median_text": "\u2014" if median is None else str(half_up(median)),
            "scored": len(scored), "lacking": lacking, "lacking_count": len(lacking),
            "lacking_text": _listed(lacking), "unknown": unknown, "disputed": disputed,
            "in_place": sum(1 for _, g in got if g.status == best_band),
            "action": c.actions[0] if c.actions else "",
        })
    ranked = sorted((c for c in conditions if c["median"] is not None), key=lambda c: c["median"])
    weakest = ranked[:WEAKEST]

    heat_rows = []
    heat_places = _neediest(places)
    for p in heat_places:
        cells = []
        for c in framework.conditions:
            got_c = cond(p, c.id)
            score = half_up(got_c.score)
            label = status_label(got_c.status or None)
            fill = BAND_FILLS[band_pos[got_c.status]] if got_c.status in band_pos else insufficient_fill
            cells.append({"text": label if score is None else f"{label} {score}", "fill": fill})
        heat_rows.append({"place": p.place, "level": level_by_id[p.level].label, "cells": cells})
    legend = [{"label": b.label, "fill": BAND_FILLS[n], "min": half_up(b.min)} for n, b in enumerate(framework.bands)]
    legend.append({"label": framework.insufficient.label, "fill": insufficient_fill, "min": None})

    disagreements: list[dict[str, Any]] = []
    for p in places:
        for cs in p.conditions:
            if cs.disagree and cs.spread is not None:
                disagreements.append({"place": p.place, "condition": framework.condition(cs.id).name,
                                      "spread": half_up(cs.spread), "respondents": p.respondents})
    disagreements.sort(key=lambda d: (-d["spread"], d["place"].casefold(), d["condition"]))

    dates = sorted(p.assessment_date for p in places if p.assessment_date)
    first_date = format_date(dates[0]) if dates else ""
    last_date = format_date(dates[-1]) if dates else ""
    return {
        "cohort": {
            "places": len(places), "places_text": tally(len(places), "place"),
            "not_built": not_built, "not_built_text": tally(not_built, "place"),
            "dates_text": (f"assessed on {first_date}" if first_date == last_date else f"assessed from {first_date} to {last_date}")
                          if dates else "",
            "framework": framework.title, "framework_version": framework.version,
            "max_spread": half_up(framework.max_spread),
        },
        "verdicts": verdicts,
        "conditions": conditions,
        "weakest": weakest,
        "weakest_text": join([c["name"] for c in weakest]),
        "heat": {"conditions": [c.name for c in framework.conditions], "rows": heat_rows, "legend": legend,
                 "note_text": _shown_note(heat_places, len(places))},
        "disagreements": disagreements[:MAX_DISAGREEMENTS],
        "disagreements_total": len(disagreements),
        "changes": _changes(places, earlier, framework, baseline_given),
        "sessions": _sessions(conditions, len(places), framework),
        "tool": {"name": "readydocs", "version": __version__},
    }


def _changes(places: Sequence[PlaceScores], earlier: Mapping[str, Any], framework: Framework, given: bool) -> dict[str, Any]:
    """Each matched place's average then and now, and the conditions that crossed a band (at most
    MAX_LISTED places: those _neediest picks); the places new this round."""

    rows = []
    rank = {b.id: n for n, b in enumerate(framework.bands)}
    matched = [p for p in places if p.place in earlier]
    new = [p.place for p in places if p.place not in earlier]
    shown = _neediest(matched)
    for p in shown:
        round_ = earlier[p.place]
        then = [v for v in round_.scores.values() if v is not None]
        then_avg = mean(then) if then else None
        now_avg = p.average
        up, down = [], []
        for c in p.conditions:
            before = round_.scores.get(c.id)
            if before is None or c.score is None:
                continue
            was, now = rank[framework.band_for(before).id], rank.get(c.status)
            if now is not None and now < was:
                up.append(framework.condition(c.id).name)
            elif now is not None and now > was:
                down.append(framework.condition(c.id).name)
        change = None if then_avg is None or now_avg is None else half_up(now_avg) - half_up(then_avg)
        rows.append({
            "place": p.place, "date": format_date(round_.date),
            "earlier_text": "\u2014" if then_avg is None else str(half_up(then_avg)),
            "now_text": "\u2014" if now_avg is None else str(half_up(now_avg)),
            "change_text": "\u2014" if change is None else "no change" if change == 0 else f"{change:+d}".replace("-", "\u2212"),
            "up_text": join(up) or "\u2014", "down_text": join(down) or "\u2014",
        })
    return {"given": given, "rows": rows, "new": new,
            "new_text": f"{SUMMARY_FILENAME} marks each one" if len(new) > MAX_LISTED else join(new),
            "new_count_text": tally(len(new), "place"),
            "note_text": _shown_note(shown, len(matched), " matched in the baseline round")}


def _session(title: str, places: Sequence[str], need: str, offer: str) -> dict[str, str]:
    """One suggested session: the need the places share, the first places by name, and what a session would offer."""
    return {"title": title, "text": f"{need} ({join_some(places)}). {offer}"}


def _sessions(conditions: list[dict[str, Any]], total: int, framework: Framework) -> list[dict[str, str]]:
    """Cohort-wide sessions worth running, from what several places share."""
    shared = [c for c in conditions if c["lacking_count"] >= MIN_SHARED]
    # The conditions most places lack come first; at most WEAKEST of them, so gaps and disputes keep a place.
    weakest = sorted(shared, key=lambda c: (-c["lacking_count"], c["median"] if c["median"] is not None else 0))[:WEAKEST]
    out = [_session(f"A learning session on {mid_sentence(c['name'])}", c["lacking"],
                    f"{c['lacking_count']:,} of {total:,} places have this condition not yet in place",
                    f"A session could start from the framework\u2019s first suggested action: {c['action']}") for c in weakest]
    out += [_session(f"Finding the facts on {mid_sentence(c['name'])}", c["unknown"],
                     f"{tally(len(c['unknown']), 'place')} answered \u201c{framework.scale.dont_know}\u201d too often to score this condition",
                     "A working session on where the answers can be found would help them all.")
            for c in conditions if len(c["unknown"]) >= MIN_SHARED]
    out += [_session(f"A shared view of {mid_sentence(c['name'])}", c["disputed"],
                     f"Respondents in {tally(len(c['disputed']), 'place')} disagreed about this condition",
                     "A facilitated discussion on what each indicator asks would help their teams agree.")
            for c in conditions if len(c["disputed"]) >= MIN_SHARED]
    return out[:MAX_SESSIONS]


def render_report(context: dict[str, Any], framework: Framework, templates_dir=None,
                  when: dt.datetime | None = None) -> bytes:
    """cohort-report.docx as bytes, from the template in ``templates_dir`` or the default one."""

    when = when or dt.datetime(1980, 1, 1, 9, 0, 0)
    props = DocumentProps(title=f"{COHORT_REPORT.title}: {context['cohort']['places_text']}", subject=framework.title,
                          author="readydocs", language=framework.language, keywords=COHORT_REPORT.keywords, when=when)
    return render_document(resolve_template(COHORT_REPORT.template, templates_dir), context, props)


def sample_context(framework: Framework | None = None) -> dict[str, Any]:
    """A cohort context with every list filled: the reference the template linter checks against."""

    framework = framework or load_framework()
    ids = [c.id for c in framework.conditions]
    places = []
    for n, name in enumerate(("Alder City", "Birch Town", "Cedar County")):
        conds = []
        for i, cid in enumerate(ids):
            score = None if (n == 2 and i == 0) else float((20 + 35 * n + 7 * i) % 101)
            status = framework.insufficient.id if score is None else framework.band_for(score).id
            conds.append(ConditionScore(cid, score, status, 50.0 if n else None, bool(n)))
        level = framework.levels[n % len(framework.levels)]
        places.append(PlaceScores(name, "", "", dt.date(2026, 10, 15), 2, level.id, level.label, 40.0 + 10 * n, tuple(conds)))
    earlier = {"Birch Town": EarlierRound(Path("scores.json"), "Birch Town",
                                          dt.date(2025, 10, 15), framework.id, framework.version, {cid: 10.0 for cid in ids})}
    return cohort_context(places, framework, not_built=1, earlier=earlier, baseline_given=True)
