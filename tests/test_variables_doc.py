"""docs/templates.md lists exactly the variables the pipeline gives templates."""

from __future__ import annotations

import re
from pathlib import Path

from readydocs.variables import reference

DOC = Path(__file__).resolve().parents[1] / "docs" / "templates.md"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|")
_ALIAS = re.compile(r"same as `([^`]+)`")


def documented() -> dict[str, str]:
    """path -> type column, for every row of the variables table."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} is listed twice in docs/templates.md"
            rows[m.group(1)] = m.group(2)
    return rows


def expand(rows: dict[str, str]) -> set[str]:
    """Rows typed "same as `X`" stand for X's fields too."""
    paths = set(rows)
    for path, type_text in rows.items():
        m = _ALIAS.search(type_text)
        if m:
            source = m.group(1)
            assert source in rows, f"{path} refers to {source}, which is not in the table"
            paths |= {path + p[len(source):] for p in rows if p.startswith(source + ".") or p.startswith(source + "[")}
    return paths


def test_every_variable_is_documented_and_nothing_else():
    ref = reference()
    doc = expand(documented())
    missing = sorted(set(ref) - doc)
    assert not missing, f"add a line to docs/templates.md for: {', '.join(missing)}"

    def verifiable(path: str) -> bool:
        # A path under a value that is empty in the sample cannot be checked against it.
        parts = re.split(r"(?=\.)|(?=\[\])", path)
        for i in range(len(parts) - 1, 0, -1):
            parent = "".join(parts[:i])
            if parent in ref:
                return not ref[parent].open
        return True

    extra = sorted(p for p in doc - set(ref) if verifiable(p))
    assert not extra, f"docs/templates.md lists variables the pipeline does not provide: {', '.join(extra)}"


def test_documented_types_match_the_sample():
    ref = reference()
    rows = documented()
    wrong = [f"{p}: doc says {t!r}, sample has {ref[p].type_name!r}" for p, t in rows.items()
             if p in ref and not _ALIAS.search(t) and t != ref[p].type_name]
    assert not wrong, "; ".join(wrong)


def test_the_check_notices_drift(monkeypatch):
    """A variable added to the context without a line in the doc fails the check."""
    import readydocs.variables as variables

    real = variables.sample_contexts

    def with_extra(framework=None):
        contexts = real(framework)
        for c in contexts:
            c["baseline_round"] = {"label": "Round 1"}
        return contexts

    monkeypatch.setattr(variables, "sample_contexts", with_extra)
    ref = variables.reference()
    assert {"baseline_round", "baseline_round.label"} <= set(ref) - expand(documented())
