"""The package's imports run one way: workbook reading -> model -> scoring -> summary -> outputs -> CLI.

Every module of src/readydocs has a layer below (docs/architecture.md draws
them); a module may import modules of its own layer or lower ones, never a
higher one, and no chain of imports may come back to where it started. Imports
inside functions and under TYPE_CHECKING count the same as any other: a loop
hidden in a function is still a loop.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "readydocs"

LAYERS: tuple[tuple[str, ...], ...] = (
    # 0. Foundations: no knowledge of workbooks, frameworks or documents.
    ("version", "errors", "wording", "localfile", "paths", "places", "palette", "console", "zipguard", "docxparts",
     "xlsxvalues", "xlsxcells", "xlsxparts", "office", "manual", "outputs", "zipwrite", "sheets", "sample", "catalogue", "tempfolders",
     "spool"),
    # 1. What an assessment is measured against, and the workbook's shape.
    ("framework", "form", "branding"),
    # 2. Reading and checking a workbook; writing a blank one.
    ("response", "intake", "validate", "workbook"),
    # 3. The typed model and scoring.
    ("scoring", "assessment"),
    # 4. Every fact the documents state.
    ("summary", "respondents"),
    # 5. Facts from outside the place: an earlier round, the cohort.
    ("baseline", "benchmark"),
    # 6. Views of the summary: documents, sheets, json, charts; and the tools that make them.
    ("context", "scoresjson", "actionplan", "planxml", "docxchart", "charts", "sandbox", "jinjacache", "render", "pdf", "a11y", "summaryxml",
     "cohort", "cohort_report", "handout", "survey"),
    # 7. Building places and cohorts.
    ("pipeline", "batch_report", "workers", "batch"),
    # 8. Template authoring and the machine check.
    ("variables", "lint", "templatenames", "doctor"),
    # 9. Interfaces.
    ("progress", "cli", "launch", "__main__", "web", "web.app", "web.results", "web.server", "web.sessions", "web.uploads"),
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path  # "" is the package itself
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                found.add(sub if sub in modules else target)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for n in names:
                if n == "readydocs" or n.startswith("readydocs."):
                    found.add(n.removeprefix("readydocs").lstrip("."))
    found.discard(name)
    return {m for m in found if m in modules}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_has_a_layer(graph):
    placed = {m for layer in LAYERS for m in layer}
    assert sorted(set(graph) - placed - {""}) == [], "add new modules to LAYERS (and docs/architecture.md)"
    assert sorted(placed - set(graph)) == [], "LAYERS names modules that no longer exist"


def test_no_module_imports_the_package_itself(graph):
    """`from . import __version__` made the package import itself: version.py holds it."""
    assert sorted(m for m, targets in graph.items() if "" in targets and m) == []


def test_imports_never_run_up_a_layer(graph):
    layer_of = {m: n for n, layer in enumerate(LAYERS) for m in layer}
    upward = sorted(f"{m} (layer {layer_of[m]}) imports {t} (layer {layer_of[t]})"
                    for m, targets in graph.items() if m for t in targets if t and layer_of[t] > layer_of[m])
    assert upward == []


def test_no_import_cycles(graph):
    edges = {m: {t for t in targets if t} for m, targets in graph.items() if m}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join(path[path.index(t):] + [t]))
            elif t not in state:
                visit(t, path + [t])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_the_check_sees_a_loop_and_an_upward_import(tmp_path):
    """The scan itself: a loop hidden inside a function and under TYPE_CHECKING is found."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from .high import g\n")
    (pkg / "high.py").write_text("TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from . import low\n")
    modules = {"": pkg / "__init__.py", "low": pkg / "low.py", "high": pkg / "high.py"}
    assert _imports("low", pkg / "low.py", modules) == {"high"}
    assert _imports("high", pkg / "high.py", modules) == {"low"}


# --------------------------------------------------------------------------
# docs/architecture.md agrees with the code: every module listed, in the layers' order; a short change table.

TEXT = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")



def _listed() -> list[str]:
    """Module names in the order the page first names them (`x.py`, or `web/` for the web package)."""
    order: list[str] = []
    for name in re.findall(r"`([a-z0-9_]+\.py|web/)`", TEXT.split("## To change")[0]):
        module = "web" if name == "web/" else name.removesuffix(".py")
        if module not in order:
            order.append(module)
    return order


def test_every_module_is_on_the_page():
    modules = {m.split(".")[0] for m in _modules() if m}
    listed = set(_listed()) - {"__init__"}
    assert sorted(modules - listed) == [], "describe them in docs/architecture.md"
    assert sorted(listed - modules) == [], "the page names modules that do not exist"


def test_the_page_lists_modules_in_data_flow_order():
    layer_of = {m: n for n, layer in enumerate(LAYERS) for m in layer}
    layers = [layer_of[m] for m in _listed() if m in layer_of]
    assert layers == sorted(layers), list(zip(_listed(), layers))


def test_each_change_names_at_most_three_files_that_exist():
    table = TEXT.split("## To change")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| to change") and "---" not in line]
    assert len(rows) >= 4
    for row in rows:
        files = re.findall(r"`([^`]+\.(?:py|toml|md))`", row.split("|")[2])
        assert 1 <= len(files) <= 3, row
        for f in files:
            assert (ROOT / f).exists() or (ROOT / "src" / "readydocs" / f).exists(), f


# --------------------------------------------------------------------------
# An import inside a function says why it is there: startup time (`readydocs --help`
# and `validate` must not load the rendering libraries), or a library only one
# command needs. The reason is a comment on the import or on the line above its
# block, or, when every such import of a module has the same reason, a paragraph of
# the module's docstring that starts "Imports inside functions:".

DECLARED = "Imports inside functions:"
# Modules whose imports inside functions are not yet explained; the list may only shrink.
NOT_YET_EXPLAINED: frozenset[str] = frozenset()


def _unexplained(path: Path) -> list[int]:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    if DECLARED in (ast.get_docstring(tree) or ""):
        return []
    lines = text.splitlines()
    out = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            n = node.lineno - 1
            if "#" in lines[n]:
                continue
            # Walk up over the block of imports (and blank lines) this one belongs to.
            k = n - 1
            while k >= 0 and (lines[k].strip().startswith(("import ", "from ")) or not lines[k].strip()
                              or lines[k].strip().startswith(")") or lines[k].rstrip().endswith(",")):
                k -= 1
            if k >= 0 and lines[k].strip().startswith("#"):
                continue
            out.append(node.lineno)
    return out


def test_imports_inside_functions_say_why():
    found = {name: lines for name, path in _modules().items() if name and (lines := _unexplained(path))}
    assert sorted(set(found) - NOT_YET_EXPLAINED) == [], {k: v for k, v in found.items() if k not in NOT_YET_EXPLAINED}
    assert sorted(NOT_YET_EXPLAINED - set(found)) == [], "these modules explain their imports now: take them off the list"


def test_the_import_reason_check_sees_an_unexplained_import(tmp_path):
    bare = tmp_path / "bare.py"
    bare.write_text('"""A module."""\n\ndef f():\n    import json\n\n    # why: only f needs it\n    import csv\n')
    assert _unexplained(bare) == [4]
    declared = tmp_path / "declared.py"
    declared.write_text(f'"""A module.\n\n{DECLARED} startup time.\n"""\n\ndef f():\n    import json\n')
    assert _unexplained(declared) == []
