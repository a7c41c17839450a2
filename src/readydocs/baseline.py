"""Rounds over time: this assessment compared with an earlier one.

The earlier round is either the intake workbook of that round (validated and
scored as it would be built today) or the scores.json an earlier build wrote.
Both rounds are placed in bands by the current framework, so a band crossing
means the same thing on both sides. The comparison is plain data for the
template variable ``baseline``; without an earlier round that variable still
exists, with ``given`` false and empty lists, so templates may test it freely.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidInputError, UnreadableFileError
from .framework import Framework
from .wording import count, format_date, half_up, join_some, number, join

MAX_JSON_BYTES = 5 * 1024 * 1024
UP, DOWN, SAME, NOT_COMPARABLE = "up", "down", "same", "not-comparable"
_DIRECTION_TEXT = {UP: "Up", DOWN: "Down", SAME: "No change", NOT_COMPARABLE: "Not comparable"}


@dataclass(frozen=True)
class EarlierRound:
    source: Path
    place: str
    date: dt.date | None
    framework_id: str
    framework_version: str
    scores: dict[str, float | None]  # condition id -> score 0-100, None: not enough information


def load_baseline(path: str | Path, framework: Framework) -> EarlierRound:
    """Read an earlier round from an intake workbook (.xlsx) or an earlier build's scores.json."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return _from_json(path, framework)
    return _from_workbook(path, framework)


def _from_workbook(path: Path, framework: Framework) -> EarlierRound:
    from .pipeline import assess, score_assessment

    assessment = assess([path], framework)
    if not assessment.valid:
        errors = assessment.report.errors
        raise InvalidInputError(
            f"{path}: the earlier workbook has {len(errors)} error(s), so it cannot be compared (first: {errors[0].line()}).",
            f"Run 'readydocs validate {path}' and fix it, or give the scores.json of the earlier build.")
    scores = score_assessment(assessment)
    profile = assessment.responses[0].profile
    dates: list[dt.date] = [d for r in assessment.responses if (d := r.profile.get("assessment_date"))]
    return EarlierRound(path, profile.get("municipality_name") or "", max(dates) if dates else None,
                        framework.id, framework.version, {c.id: c.score for c in scores.conditions})


def _from_json(path: Path, framework: Framework) -> EarlierRound:
    def bad(what: str) -> UnreadableFileError:
        return UnreadableFileError(f"{path}: is not the scores.json of a readydocs build ({what}).",
                                   "Give the scores.json from an earlier build's folder, or the earlier intake workbook.",
                                   file=str(path))

    from .localfile import LocalFileError, read_limited

    try:
        raw = read_limited(path, MAX_JSON_BYTES)
    except LocalFileError as exc:
        if exc.reason == "was not found":
            raise UnreadableFileError(f"{path}: no such file.", "Check the path given to --baseline.", file=str(path))
        if exc.reason.startswith("is larger"):
            raise bad(f"it {exc.reason}, far larger than a scores.json")
        raise UnreadableFileError(f"{path}: {exc.reason}.", "Give the scores.json file of an earlier build.", file=str(path))
    try:
        # utf-8-sig: a scores.json saved by a Windows editor may start with a byte-order mark.
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise bad("not UTF-8 text")
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON at line {exc.lineno}")
    except RecursionError:
        raise bad("nested far deeper than a scores.json")
    except ValueError:  # an integer of thousands of digits, past Python's limit for converting it
        raise bad("a number with thousands of digits")
    if not isinstance(data, dict) or not isinstance(data.get("conditions"), list):
        raise bad("no list of conditions")
    fw = data["framework"] if isinstance(data.get("framework"), dict) else {}
    fid, fver = str(fw.get("id", "")), str(fw.get("version", ""))
    if fid != framework.id:
        raise InvalidInputError(f"{path}: the earlier round was scored against framework '{fid or '(none)'}', not '{framework.id}'.",
                                "Compare rounds of the same framework, or pass the matching file with --framework.")
    scores: dict[str, float | None] = {}
    for n, c in enumerate(data["conditions"]):
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            raise bad(f"condition {n + 1} has no id")
        value = c.get("score")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100):
            raise bad(f"condition '{c['id']}' has score {value!r}, not a number from 0 to 100")
        scores[c["id"]] = None if value is None else float(value)
    when = None
    raw_date = data.get("assessment_date")
    if raw_date:
        try:
            when = dt.date.fromisoformat(str(raw_date))
        except ValueError:
            raise bad(f"assessment_date '{raw_date}' is not a yyyy-mm-dd date")
    place = data["place"] if isinstance(data.get("place"), str) else ""
    return EarlierRound(path, place, when, fid, fver, scores)


def _status_label(score: float | None, framework: Framework) -> str:
    return framework.insufficient.label if score is None else framework.band_for(score).label


def compare(earlier: EarlierRound, context: dict[str, Any], framework: Framework) -> dict[str, Any]:
    """The ``baseline`` template variable: each condition then and now, and what crossed a band."""
    from .pipeline import place_key

    place = context["place"]["name"]
    if earlier.place and place_key(earlier.place) != place_key(place):
        raise InvalidInputError(f"{earlier.source}: the earlier round is for '{earlier.place}', this assessment is for '{place}'.",
                                "Give an earlier workbook or scores.json for the same place.")
    now_iso = context["dates"]["assessment_iso"]
    if earlier.date and now_iso and earlier.date > dt.date.fromisoformat(now_iso):
        raise InvalidInputError(f"{earlier.source}: the earlier round is dated {earlier.date.isoformat()}, after this assessment ({now_iso}).",
                                "Swap them: give the older round to --baseline.")
    band_rank = {b.label: n for n, b in enumerate(framework.bands)}
    rows = []
    for c in context["conditions"]:
        if c["id"] not in earlier.scores:
            then, then_status = None, "Not assessed"
        else:
            then = half_up(earlier.scores[c["id"]])
            then_status = _status_label(earlier.scores[c["id"]], framework)
        now = c["score"]
        if then is None or now is None:
            change, direction = None, NOT_COMPARABLE
        else:
            change = now - then
            direction = UP if change > 0 else DOWN if change < 0 else SAME
        crossed = then_status in band_rank and c["status"] in band_rank and then_status != c["status"]
        rows.append({
            "id": c["id"], "name": c["name"],
            "earlier": then, "earlier_text": "\u2014" if then is None else str(then), "earlier_status": then_status,
            "current": now, "current_text": c["score_text"], "current_status": c["status"],
            "change": change,
            "change_text": "\u2014" if change is None else ("no change" if change == 0 else f"{change:+d}".replace("-", "\u2212")),
            "direction": direction, "direction_text": _DIRECTION_TEXT[direction],
            "crossed": crossed,
            "crossed_up": crossed and band_rank[c["status"]] < band_rank[then_status],
            "crossing_text": f"{then_status} to {c['status']}" if crossed else "",
        })
    crossed = [r for r in rows if r["crossed"]]
    counts = {k.replace("-", "_"): sum(1 for r in rows if r["direction"] == k) for k in (UP, DOWN, SAME, NOT_COMPARABLE)}
    date_text = format_date(earlier.date) or "the earlier assessment"
    return {
        "given": True,
        "date": date_text,
        "date_iso": earlier.date.isoformat() if earlier.date else "",
        "source": earlier.source.name,
        "framework_version": earlier.framework_version,
        "same_version": earlier.framework_version == framework.version,
        "conditions": rows,
        "crossed": crossed,
        "crossed_text": join_some([f"{r['name']} ({r['crossing_text']})" for r in crossed]),
        "counts": counts,
        "summary_text": _change_summary(date_text, counts),
    }


def _change_summary(date_text: str, counts: dict[str, int]) -> str:
    """ "Since the assessment of May 1, 2026, three conditions improved, one declined, and five held steady." """
    moves = [(counts[k], verb) for k, verb in (("up", "improved"), ("down", "declined"), ("same", "held steady"),
                                               ("not_comparable", "could not be compared")) if counts[k]]
    # The first group names the noun ("three conditions improved"); the rest follow it ("one declined").
    parts = [f"{count(n, 'condition') if i == 0 else number(n)} {verb}" for i, (n, verb) in enumerate(moves)]
    return f"Since the assessment of {date_text}, {join(parts)}."


def no_baseline() -> dict[str, Any]:
    """The ``baseline`` variable when no earlier round was given: same keys, nothing in them."""
    return {"given": False, "date": "", "date_iso": "", "source": "", "framework_version": "", "same_version": True,
            "conditions": [], "crossed": [], "crossed_text": "", "summary_text": "",
            "counts": {"up": 0, "down": 0, "same": 0, "not_comparable": 0}}


def chart_rounds(baseline: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The earlier round in the shape charts.chart_png takes, or None without one."""
    if not baseline.get("given"):
        return None
    return [{"id": r["id"], "score": r["earlier"]} for r in baseline["conditions"]]


def alt_text(baseline: dict[str, Any]) -> str:
    """What the chart's earlier bars show, for screen readers; empty without an earlier round."""
    if not baseline.get("given"):
        return ""
    parts = [f"{r['name']} {r['earlier_text']}" for r in baseline["conditions"]]
    return f" Thinner bars show the earlier round of {baseline['date']}: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------
# An earlier round of a whole cohort (batch --baseline DIR)

MAX_ROUND_FILES = 100_000  # scores.json files read from one earlier round's folder


def identity(name: str | None, state: str | None, jurisdiction_type: str | None) -> tuple[str, str, str]:
    """What makes two rounds the same place: municipality, state and jurisdiction type, compared loosely."""
    from .pipeline import place_key

    return place_key(name), place_key(state), place_key(jurisdiction_type)


@dataclass
class EarlierCohort:
    """The scores.json files of an earlier batch's output folder, by place identity."""

    folder: Path
    by_identity: dict[tuple[str, str, str], Path]
    by_name: dict[str, list[Path]]  # for scores.json files written before they recorded state and type
    unreadable: list[str]  # one line per scores.json that could not be read

    def find(self, name: str, state: str, jurisdiction_type: str) -> Path | None:
        key = identity(name, state, jurisdiction_type)
        if key in self.by_identity:
            return self.by_identity[key]
        legacy = self.by_name.get(key[0], [])
        return legacy[0] if len(legacy) == 1 else None


def index_round(folder: str | Path) -> EarlierCohort:
    """Read the identity of every place in an earlier round's output folder (DIR/<place>/scores.json)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UnreadableFileError(f"{folder}: no such folder.", "Give --baseline the output folder of the earlier batch.")
    found = sorted(folder.glob("*/scores.json"))
    if not found:
        raise UnreadableFileError(f"{folder}: holds no place folders with a scores.json.",
                                  "Give --baseline the output folder of the earlier batch (the one holding cohort-summary.xlsx).")
    if len(found) > MAX_ROUND_FILES:
        raise UnreadableFileError(f"{folder}: holds {len(found)} scores.json files, more than {MAX_ROUND_FILES}.",
                                  "Give the output folder of one earlier batch.")
    out = EarlierCohort(folder, {}, {}, [])
    for path in found:
        try:
            if path.stat().st_size > MAX_JSON_BYTES:
                raise ValueError("far larger than a scores.json")
            data = json.loads(path.read_bytes().decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("place"), str):
                raise ValueError("no place name")
        except (OSError, ValueError, RecursionError) as exc:
            out.unreadable.append(f"{path}: skipped, not the scores.json of a readydocs build ({exc}).")
            continue
        if isinstance(data.get("state"), str) and isinstance(data.get("jurisdiction_type"), str):
            key = identity(data["place"], data["state"], data["jurisdiction_type"])
            out.by_identity.setdefault(key, path)
        else:
            out.by_name.setdefault(identity(data["place"], "", "")[0], []).append(path)
    return out
