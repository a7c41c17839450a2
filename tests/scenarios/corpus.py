"""Workbooks from the declarative scenarios in scenarios.toml (see the comments there).

Used by tests/test_scenarios.py and by `make scenarios` (scripts/render_scenarios.py),
which renders every scenario into outputs/scenarios/ for a person to page through.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from readydocs.form import indicator_name
from readydocs.framework import Framework
from readydocs.pipeline import BuildResult, build
from readydocs.workbook import set_named_cells, write_intake

HERE = Path(__file__).resolve().parent
DONT_KNOW = "?"


def load() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(base, scenarios) from scenarios.toml."""
    data = tomllib.loads((HERE / "scenarios.toml").read_text(encoding="utf-8"))
    return data["base"], data["scenario"]


def ratings(spec: dict[str, Any], framework: Framework) -> dict[str, Any]:
    """Indicator id -> rating (int or "?") from a spec's default, conditions and indicators."""
    out = {i.id: spec.get("default", 4) for i in framework.indicators}
    for cid, values in spec.get("conditions", {}).items():
        cond = framework.condition(cid)
        assert len(values) == len(cond.indicators), f"{cid} needs {len(cond.indicators)} ratings"
        out.update(zip((i.id for i in cond.indicators), values))
    out.update(spec.get("indicators", {}))
    return out


def _fill(path: Path, framework: Framework, profile: dict[str, Any], rated: dict[str, Any], notes: dict[str, str]) -> Path:
    write_intake(path, framework)
    values: dict[str, Any] = {f"profile.{k}": (v if v != "" else None) for k, v in profile.items()}
    for iid, value in rated.items():
        values[indicator_name("rating", iid)] = framework.scale.dont_know if value == DONT_KNOW else value
    for iid, note in notes.items():
        values[indicator_name("evidence", iid)] = note
    return set_named_cells(path, values)


def logo_png(path: Path, width: int = 240, height: int = 80) -> Path:
    """A plain teal rectangle as a PNG, standing in for an organization's logo."""
    row = b"\x00" + bytes((11, 79, 92)) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return path


def workbooks(spec: dict[str, Any], base: dict[str, Any], framework: Framework, folder: Path) -> dict[str, Any]:
    """Write a scenario's workbooks (and earlier round, logo) into folder; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"paths": [], "baseline": None, "logo": None}
    if spec.get("sample"):
        out["paths"].append(write_intake(folder / "sample.xlsx", framework, sample=True))
        return out
    profile = {**base["profile"], **spec.get("profile", {})}
    if spec.get("logo"):
        out["logo"] = logo_png(folder / "logo.png")
        profile["logo_file"] = "logo.png"
    people = spec.get("respondents") or [{}]
    for n, person in enumerate(people, start=1):
        rated = ratings(spec, framework)  # the scenario's ratings, then this respondent's own
        for cid, values in person.get("conditions", {}).items():
            rated.update(zip((i.id for i in framework.condition(cid).indicators), values))
        rated.update(person.get("indicators", {}))
        notes = {**spec.get("notes", {}), **person.get("notes", {})}
        out["paths"].append(_fill(folder / f"respondent-{n}.xlsx", framework, {**profile, **person.get("profile", {})}, rated, notes))
    if "baseline" in spec:
        earlier = spec["baseline"]
        earlier_profile = {**profile, "assessment_date": earlier["assessment_date"]}
        earlier_profile.pop("logo_file", None)
        out["baseline"] = _fill(folder / "earlier-round.xlsx", framework, earlier_profile, ratings(earlier, framework), {})
    return out


def build_scenario(spec: dict[str, Any], base: dict[str, Any], framework: Framework, folder: Path) -> BuildResult:
    """Write the scenario's workbooks into folder/workbooks/ and build its documents into folder/<place>/."""
    made = workbooks(spec, base, framework, folder / "workbooks")
    return build(made["paths"], folder, framework, baseline=made["baseline"])
