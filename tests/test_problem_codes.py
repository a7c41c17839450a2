"""docs/problems.md lists exactly the problem codes the code can report."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
# Calls that report a problem, with the code as a literal argument.
REPORTERS = {"add", "say", "report", "Problem", "LintProblem", "A11yProblem", "problem"}


def _reported_codes() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "src" / "readydocs").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in REPORTERS:
                    args = list(node.args) + [k.value for k in node.keywords if k.arg == "code"]
                    codes |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str) and CODE.match(a.value)}
            # an error class's code (errors.py), which --json output reports
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and [getattr(t, "id", None) for t in stmt.targets] == ["code"]
                            and isinstance(stmt.value, ast.Constant) and CODE.match(str(stmt.value.value))):
                        codes.add(stmt.value.value)
            # logo_problem and its kind return (code, message)
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
                first = node.value.elts[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and CODE.match(first.value):
                    codes.add(first.value)
    return codes


def _documented_codes() -> set[str]:
    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z]+(?:-[a-z]+)+)` \|", text, re.M))


def test_the_scan_finds_codes_from_every_checker():
    found = _reported_codes()
    assert {"missing-rating", "unknown-variable", "no-alt-text", "logo-not-found", "unreadable-file"} <= found


def test_every_reported_code_is_documented_and_every_documented_code_exists():
    reported, documented = _reported_codes(), _documented_codes()
    assert sorted(reported - documented) == [], "codes missing from docs/problems.md"
    assert sorted(documented - reported) == [], "docs/problems.md lists codes nothing reports"
