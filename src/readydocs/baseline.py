"""Rounds over time: this assessment compared with an earlier one.

The earlier round is either the intake workbook of that round (validated and
scored as it would be built today) or the scores.json an earlier build wrote.
Both rounds are placed in bands by the current framework, so a band crossing
means the same thing on both sides. ``compare`` adds the comparison to the place's
Summary (a RoundComparison); context.py shows it to templates as ``baseline``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from .assessment import assess, score_assessment
from .errors import InvalidInputError, UnreadableFileError
from .framework import Framework
from .localfile import LocalFileError, read_limited
from .places import normalise
from .summary import DOWN, NOT_COMPARABLE, SAME, UP, ConditionChange, RoundComparison, Summary
from .wording import half_up, tally

MAX_JSON_BYTES = 5 * 1024 * 1024


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
    assessment = assess([path], framework)
    if not assessment.valid:
        errors = assessment.report.errors
        raise InvalidInputError(
            f"{path}: the earlier workbook has {tally(len(errors), 'error')}, so it cannot be compared (first: {errors[0].line()}).",
            f"Run 'readydocs validate {path}' and fix it, or give the scores.json of the earlier build.")
    scores = score_assessment(assessment)
    profile = assessment.responses[0].profile
    dates = [d for r in assessment.responses if (d := r.profile.assessment_date)]
    return EarlierRound(path, profile.municipality_name or "", max(dates) if dates else None,
                        framework.id, framework.version, {c.id: c.score for c in scores.conditions})


def _from_json(path: Path, framework: Framework) -> EarlierRound:
    def bad(what: str) -> UnreadableFileError:
        return UnreadableFileError(f"{path}: is not the scores.json of a readydocs build ({what}).",
                                   "Give the scores.json from an earlier build's folder, or the earlier intake workbook.",
                                   file=str(path))

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


def compare(earlier: EarlierRound, summary: Summary) -> Summary:
    """The summary with each condition then and now, and what crossed a band (its ``baseline``)."""
    framework = summary.framework
    place = summary.place.name
    if earlier.place and normalise(earlier.place) != normalise(place):
        raise InvalidInputError(f"{earlier.source}: the earlier round is for '{earlier.place}', this assessment is for '{place}'.",
                                "Give an earlier workbook or scores.json for the same place.")
    now = summary.assessment_date
    if earlier.date and now and earlier.date > now:
        raise InvalidInputError(f"{earlier.source}: the earlier round is dated {earlier.date.isoformat()}, after this assessment ({now.isoformat()}).",
                                "Swap them: give the older round to --baseline.")
    band_rank = {b.label: n for n, b in enumerate(framework.bands)}
    rows = []
    for c in summary.conditions:
        if c.id not in earlier.scores:
            then, then_status = None, "Not assessed"
        else:
            then = half_up(earlier.scores[c.id])
            then_status = _status_label(earlier.scores[c.id], framework)
        if then is None or c.score is None:
            change, direction = None, NOT_COMPARABLE
        else:
            change = c.score - then
            direction = UP if change > 0 else DOWN if change < 0 else SAME
        crossed = then_status in band_rank and c.status in band_rank and then_status != c.status
        rows.append(ConditionChange(c, then, then_status, change, direction, crossed,
                                    crossed and band_rank[c.status] < band_rank[then_status]))
    comparison = RoundComparison(earlier.source.name, earlier.date, earlier.framework_version,
                                 earlier.framework_version == framework.version, tuple(rows))
    return replace(summary, baseline=comparison)


# --------------------------------------------------------------------------
# An earlier round of a whole cohort (batch --baseline DIR)

MAX_ROUND_FILES = 100_000  # scores.json files read from one earlier round's folder


def identity(name: str | None, state: str | None, jurisdiction_type: str | None) -> tuple[str, str, str]:
    """What makes two rounds the same place: municipality, state and jurisdiction type, compared loosely."""
    return normalise(name), normalise(state), normalise(jurisdiction_type)


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
