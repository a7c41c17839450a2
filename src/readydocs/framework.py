"""The readiness framework: conditions, indicators, scale, bands and levels, read from TOML.

Longer than most modules because the framework's types and the checks of
the file they are read from must change together: a new field is a type, a
key read and a check.

No condition text lives in Python. A framework file is checked as it is loaded,
so a wrong key is reported with its dotted path rather than failing later.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import FrameworkError
from .localfile import LocalFileError, read_limited

DEFAULT_FRAMEWORK = "mobility-readiness.toml"
# The bundled framework is about 15 KB; a file past this is not a framework.
MAX_FRAMEWORK_BYTES = 1024 * 1024

# The people the talking points address, one page each; conditions' `asks` tables use these keys.
AUDIENCES = ("department_heads", "elected_officials")


@dataclass(frozen=True)
class ScaleLevel:
    value: int
    label: str
    meaning: str = ""


@dataclass(frozen=True)
class Scale:
    levels: tuple[ScaleLevel, ...]
    dont_know: str
    dont_know_meaning: str = ""

    @property
    def low(self) -> int:
        return self.levels[0].value

    @property
    def high(self) -> int:
        return self.levels[-1].value

    def label_for(self, value: int) -> str:
        for level in self.levels:
            if level.value == value:
                return level.label
        raise KeyError(value)

    def choice(self, value: int) -> str:
        """The text a rating shows in the workbook's dropdown, e.g. '3 - Partly in place'."""
        return f"{value} - {self.label_for(value)}"

    @property
    def choices(self) -> list[str]:
        return [self.choice(level.value) for level in self.levels] + [self.dont_know]


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    min: float
    meaning: str


@dataclass(frozen=True)
class Insufficient:
    id: str
    label: str
    max_unknown_share: float
    meaning: str


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    meaning: str
    decision: str
    min_average: float | None
    min_band: str | None
    allow_insufficient: bool
    max_lowest_band: int | None = None  # most conditions allowed in the lowest band; None: no limit
    max_insufficient: int | None = None  # most conditions allowed without enough information; None: no limit


@dataclass(frozen=True)
class Essential:
    condition: str
    min_score: float


@dataclass(frozen=True)
class Indicator:
    id: str
    statement: str
    condition_id: str
    short: str = ""  # a few words naming the indicator in a sentence; the id when not given

    @property
    def short_text(self) -> str:
        return self.short or self.id


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    summary: str
    indicators: tuple[Indicator, ...]
    actions: tuple[str, ...]
    # What each audience of the talking points is asked to do while this condition is not in
    # place (audience -> request); an audience not named is not asked about it.
    asks: tuple[tuple[str, str], ...] = ()
    proper_name: bool = False  # the name keeps its capital letter mid-sentence

    def ask_for(self, audience: str) -> str | None:
        return dict(self.asks).get(audience)


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    language: str
    scale: Scale
    bands: tuple[Band, ...]
    insufficient: Insufficient
    levels: tuple[Level, ...]
    essentials: tuple[Essential, ...]
    max_spread: float
    conditions: tuple[Condition, ...]
    source: str
    benchmark_min_places: int = 5  # peer comparisons need at least this many scored places (benchmark.py)

    @property
    def indicators(self) -> list[Indicator]:
        return [i for c in self.conditions for i in c.indicators]

    def condition(self, condition_id: str) -> Condition:
        for c in self.conditions:
            if c.id == condition_id:
                return c
        raise KeyError(condition_id)

    def band(self, band_id: str) -> Band:
        for b in self.bands:
            if b.id == band_id:
                return b
        raise KeyError(band_id)

    def band_for(self, score: float) -> Band:
        for b in self.bands:
            if score >= b.min:
                return b
        return self.bands[-1]

    def essential_for(self, condition_id: str) -> Essential | None:
        for e in self.essentials:
            if e.condition == condition_id:
                return e
        return None

    @property
    def key(self) -> str:
        """What a workbook records to say which framework made it."""
        return f"{self.id}@{self.version}"


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and check a framework file; ``None`` means the bundled default."""
    if path is None:
        # Beside this module, as the package installs it: importlib.resources would cost `validate` a
        # twentieth of its time to import (it brings tempfile and shutil), for the same file.
        raw = (Path(__file__).parent / "data" / DEFAULT_FRAMEWORK).read_bytes()
        source = DEFAULT_FRAMEWORK
    else:
        source = str(path)
        raw = _read_file(Path(path))
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FrameworkError(f"{source}: framework file is not UTF-8 text.", "Save it as UTF-8 TOML.", file=source)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{source}: not valid TOML ({exc}).", "Fix the syntax at the line shown.", file=source)
    except RecursionError:
        raise FrameworkError(f"{source}: arrays or tables nested far deeper than a framework needs; it was not read.",
                             "A framework nests tables two or three levels deep: compare it with readydocs docs framework.",
                             file=source)
    try:
        return _parse(data, source)
    except FrameworkError as exc:
        exc.file = exc.file or source
        raise


def _read_file(p: Path) -> bytes:
    """A framework file's bytes: a regular file of at most MAX_FRAMEWORK_BYTES."""

    try:
        return read_limited(p, MAX_FRAMEWORK_BYTES)
    except LocalFileError as exc:
        if exc.reason == "was not found":
            raise FrameworkError(f"{p}: framework file not found.", "Check the path given to --framework.", file=str(p))
        raise FrameworkError(f"{p}: the framework file {exc.reason}.",
                             "Give a framework .toml file of a few kilobytes, such as the bundled one (readydocs docs framework).",
                             file=str(p))


class _Reader:
    """Typed access to the parsed TOML that names the dotted key on any mistake."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, what: str) -> FrameworkError:
        return FrameworkError(f"{self.source}: key '{key}' {what}.", "Compare it with readydocs docs framework.")

    def get(self, table: dict, key: str, path: str, kind: type | tuple, default: Any = ...) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in table:
            if default is not ...:
                return default
            raise self.fail(full, "is missing")
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(full, f"must be {_kind_name(kinds)}, not true/false")
        if not isinstance(value, kinds):
            raise self.fail(full, f"must be {_kind_name(kinds)}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(full, "must not be empty")
        return value

    def table_list(self, table: dict, key: str, path: str, min_len: int = 1) -> list[dict]:
        items = self.get(table, key, path, list)
        full = f"{path}.{key}" if path else key
        if len(items) < min_len:
            raise self.fail(full, f"needs at least {min_len} entr{'y' if min_len == 1 else 'ies'}")
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"{full}[{n}]", "must be a table")
        return items


def _kind_name(kinds: tuple) -> str:
    names = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a table", bool: "true or false"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _parse(data: dict, source: str) -> Framework:
    r = _Reader(source)
    fid = r.get(data, "id", "", str)
    version = str(r.get(data, "version", "", (str, int, float)))
    title = r.get(data, "title", "", str)
    language = r.get(data, "language", "", str, "en-US")

    scale_t = r.get(data, "scale", "", dict)
    levels = []
    for n, lv in enumerate(r.table_list(scale_t, "levels", "scale", min_len=2)):
        p = f"scale.levels[{n}]"
        levels.append(ScaleLevel(r.get(lv, "value", p, int), r.get(lv, "label", p, str), r.get(lv, "meaning", p, str, "")))
    values = [lv.value for lv in levels]
    if values != sorted(values) or len(set(values)) != len(values):
        raise r.fail("scale.levels", "must list distinct values from lowest to highest")
    scale = Scale(tuple(levels), r.get(scale_t, "dont_know", "scale", str), r.get(scale_t, "dont_know_meaning", "scale", str, ""))

    bands = []
    for n, b in enumerate(r.table_list(data, "bands", "")):
        p = f"bands[{n}]"
        bands.append(Band(r.get(b, "id", p, str), r.get(b, "label", p, str), float(r.get(b, "min", p, (int, float))), r.get(b, "meaning", p, str, "")))
    mins = [b.min for b in bands]
    if mins != sorted(mins, reverse=True):
        raise r.fail("bands", "must be listed from the highest minimum to the lowest")
    if bands[-1].min != 0:
        raise r.fail(f"bands[{len(bands) - 1}].min", "must be 0 so every score has a band")
    band_ids = {b.id for b in bands}

    ins = r.get(data, "insufficient", "", dict)
    share = float(r.get(ins, "max_unknown_share", "insufficient", (int, float)))
    if not 0 <= share < 1:
        raise r.fail("insufficient.max_unknown_share", "must be at least 0 and below 1")
    insufficient = Insufficient(r.get(ins, "id", "insufficient", str, "insufficient"), r.get(ins, "label", "insufficient", str), share, r.get(ins, "meaning", "insufficient", str, ""))

    level_list = []
    raw_levels = r.table_list(data, "levels", "", min_len=2)
    for n, lv in enumerate(raw_levels):
        p = f"levels[{n}]"
        last = n == len(raw_levels) - 1
        min_avg = lv.get("min_average")
        if not last:
            min_avg = float(r.get(lv, "min_average", p, (int, float)))
        min_band = r.get(lv, "min_band", p, str, None)
        if min_band is not None and min_band not in band_ids:
            raise r.fail(f"{p}.min_band", f"names band '{min_band}', which is not among bands ({', '.join(sorted(band_ids))})")
        limits = {}
        for key in ("max_lowest_band", "max_insufficient"):
            limits[key] = r.get(lv, key, p, int, None)
            if limits[key] is not None and limits[key] < 0:
                raise r.fail(f"{p}.{key}", "must be 0 or more")
        level_list.append(Level(
            id=r.get(lv, "id", p, str), label=r.get(lv, "label", p, str),
            meaning=r.get(lv, "meaning", p, str), decision=r.get(lv, "decision", p, str),
            min_average=min_avg, min_band=min_band,
            allow_insufficient=r.get(lv, "allow_insufficient", p, bool, True), **limits,
        ))

    conditions = []
    seen_ind: set[str] = set()
    for n, c in enumerate(r.table_list(data, "conditions", "")):
        p = f"conditions[{n}]"
        cid = r.get(c, "id", p, str)
        inds = []
        for m, i in enumerate(r.table_list(c, "indicators", p)):
            iid = r.get(i, "id", f"{p}.indicators[{m}]", str)
            if iid in seen_ind:
                raise r.fail(f"{p}.indicators[{m}].id", f"repeats indicator id '{iid}'")
            seen_ind.add(iid)
            inds.append(Indicator(iid, r.get(i, "statement", f"{p}.indicators[{m}]", str), cid,
                                  r.get(i, "short", f"{p}.indicators[{m}]", str, "")))
        actions = r.get(c, "actions", p, list)
        for m, a in enumerate(actions):
            if not isinstance(a, str) or not a.strip():
                raise r.fail(f"{p}.actions[{m}]", "must be non-empty text")
        asks = r.get(c, "asks", p, dict, {})
        for audience in asks:
            if audience not in AUDIENCES:
                raise r.fail(f"{p}.asks.{audience}", f"names an audience readydocs does not address (use {' or '.join(AUDIENCES)})")
            r.get(asks, audience, f"{p}.asks", str)
        conditions.append(Condition(cid, r.get(c, "name", p, str), r.get(c, "summary", p, str, ""), tuple(inds), tuple(actions),
                                    tuple(asks.items()), r.get(c, "proper_name", p, bool, False)))
    cids = [c.id for c in conditions]
    if len(set(cids)) != len(cids):
        raise r.fail("conditions", "repeats a condition id")

    essentials = []
    for n, e in enumerate(data.get("essentials", []) if isinstance(data.get("essentials", []), list) else r.table_list(data, "essentials", "")):
        p = f"essentials[{n}]"
        if not isinstance(e, dict):
            raise r.fail(p, "must be a table")
        cond = r.get(e, "condition", p, str)
        if cond not in cids:
            raise r.fail(f"{p}.condition", f"names condition '{cond}', which is not among conditions")
        essentials.append(Essential(cond, float(r.get(e, "min_score", p, (int, float)))))

    agreement = r.get(data, "agreement", "", dict, {})
    max_spread = float(r.get(agreement, "max_spread", "agreement", (int, float), 34))

    bench = r.get(data, "benchmark", "", dict, {})
    min_places = r.get(bench, "min_places", "benchmark", int, 5)
    if min_places < 2:
        raise r.fail("benchmark.min_places", "must be at least 2, so no comparison describes a single place")

    return Framework(
        id=fid, version=version, title=title, language=language, scale=scale,
        bands=tuple(bands), insufficient=insufficient, levels=tuple(level_list),
        essentials=tuple(essentials), max_spread=max_spread, conditions=tuple(conditions), source=source,
        benchmark_min_places=min_places,
    )
