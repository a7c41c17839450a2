"""What the command line says: whole help summaries, one full stop per message, docs for pip users."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import readydocs
from readydocs.cli import cli
from readydocs.errors import ReadydocsError
from readydocs.manual import docs_dir, page, topics
from readydocs.workbook import rate_every_indicator, set_named_cells

ROOT = Path(__file__).resolve().parents[1]


def run(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


def _commands(group=cli, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("group", [(), ("templates",)])
def test_help_lists_every_summary_whole(group):
    result = run(*group, "--help", terminal_width=80)
    assert result.exit_code == 0
    listing = " ".join(result.output.split("Commands:")[1].split())
    target = cli if not group else cli.commands[group[0]]
    for name, cmd in target.commands.items():
        first = " ".join((cmd.help or "").split("\n\n")[0].split())
        sentence = first.split(". ")[0].rstrip(".") + "."
        assert f"{name} {sentence}" in listing, name
    assert "..." not in listing


def test_date_options_show_the_format_and_baseline_says_what_it_takes():
    for command in ("build", "batch"):
        text = " ".join(run(command, "--help").output.split())
        assert "--date YYYY-MM-DD" in text, command
    text = " ".join(run("build", "--help").output.split())
    assert "--baseline FILE An earlier round to compare with: the scores.json of its build, or its intake workbook." in text


def _error_classes():
    for info in pkgutil.iter_modules(readydocs.__path__):
        if info.name != "__main__":
            importlib.import_module(f"readydocs.{info.name}")
    seen, todo = set(), [ReadydocsError]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return seen


def _literal_ends(node):
    """How each text a message can be built from ends, where the source says so."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        last = node.values[-1] if node.values else None
        return [last.value] if isinstance(last, ast.Constant) else []  # ends with another message: checked there
    if isinstance(node, ast.BinOp):
        return _literal_ends(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_ends(node.body) + _literal_ends(node.orelse)
    return []


def _messages():
    errors = _error_classes()
    for path in sorted((ROOT / "src" / "readydocs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in errors:
                args = node.args[:2]
            elif name == "echo" and path.name == "cli.py" and node.args:
                args = node.args[:1]
            else:
                continue
            for arg in args:
                for end in _literal_ends(arg):
                    yield f"{path.name}:{node.lineno}", end


TABLE_HEADINGS = {" Indicators"}  # the score table's heading row


def test_every_message_ends_with_one_full_stop():
    found = list(_messages())
    assert len(found) > 100  # the scan sees the messages
    # Lines that are not sentences: table rows, indented list items, blank lines, headings ending in a colon.
    bad = [(where, end[-40:]) for where, end in found
           if end.strip() and end not in TABLE_HEADINGS and not end.endswith(("\n", ":", ")", "}")) and (not end.endswith(".") or end.endswith(".."))]
    assert not bad


def test_messages_seen_at_the_terminal_end_with_one_full_stop(tmp_path, sample_xlsx, blank_xlsx):
    runs = [
        run("validate", tmp_path / "missing.xlsx"), run("validate", blank_xlsx), run("init", sample_xlsx),
        run("build", sample_xlsx, "-o", tmp_path / "out"), run("score", sample_xlsx),
        run("templates", "export", tmp_path / "t"), run("templates", "export", tmp_path / "t"),
        run("docs", "nothing"), run("docs"), run("init", tmp_path / "n.xlsx"),
        run("build", sample_xlsx, "--baseline", sample_xlsx, "-o", tmp_path / "out"),
    ]
    lines = [line for r in runs for line in r.output.splitlines()]
    sentences = [line for line in lines if line.startswith(("Error", "Wrote", "Next", "Note", "Kept", "valid", "not valid",
                                                             "error", "warning", "Overall", "No ", "Show one"))]
    assert len(sentences) > 40
    for line in sentences:
        text = re.sub(r" \[[a-z-]+\]$", "", line)  # a problem's code follows its sentence
        assert text.endswith(".") and not text.endswith(".."), line


def test_a_workbook_given_as_its_own_baseline_is_refused(sample_xlsx, tmp_path):
    result = run("build", sample_xlsx, "--baseline", Path(str(sample_xlsx).replace("sample.xlsx", "./sample.xlsx")),
                 "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: --baseline {sample_xlsx.parent / '.' / 'sample.xlsx'} is also one of the workbooks being built, so "
        "nothing would change. Give the earlier round's scores.json or workbook."]
    assert not (tmp_path / "out").exists()


def test_score_marks_conditions_where_respondents_disagree(sample_xlsx, tmp_path, framework):
    other = rate_every_indicator(sample_xlsx, framework, 1, target=tmp_path / "other.xlsx")
    set_named_cells(other, {"profile.respondent_name": "Lee Park", "profile.respondent_role": "Budget office",
                      "profile.respondent_department": "Finance"})
    result = run("score", sample_xlsx, other)
    assert result.exit_code == 0, result.output
    rows = {line.split("  ")[0]: line for line in result.output.splitlines() if "/" in line}
    # Leadership commitment: 4,4,3,3 -> 83 against 1,1,1,1 -> 0; a spread far past the framework's limit.
    assert rows["Leadership commitment"].endswith("4/4 (essential) (respondents disagree)")
    # Organizational capacity: 2,2,1 -> 22 against 0: within the limit, not marked.
    assert "disagree" not in rows["Organizational capacity"]
    assert "Where respondents disagree (marked above):" in result.output
    assert ("  Leadership commitment: Budget office (Finance) scored it 0 and Mobility Advocate (Office of the City Manager) 83 "
            "out of 100.") in result.output
    alone = run("score", sample_xlsx)
    assert "disagree" not in alone.output


def test_docs_pages_are_shipped_and_printed():
    assert {"workbook", "templates", "framework", "safety", "cohort", "documents"} <= set(topics())
    assert sorted(p.name for p in docs_dir().glob("*.md")) == sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    result = run("docs", "workbook")
    assert result.exit_code == 0
    assert result.output == (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert run("docs", "docs/templates.md").output == page("templates")
    listing = run("docs").output
    assert re.search(r"^workbook +The intake workbook$", listing, re.M), listing  # names padded to the longest
    bad = run("docs", "../README")
    assert bad.exit_code == 2
    assert bad.output.startswith("Error: There is no documentation page '../README'.")


def test_wheel_carries_the_docs():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"docs" = "readydocs/docs"' in text


def test_messages_cite_docs_pages_that_exist():
    cited = set()
    for path in (ROOT / "src" / "readydocs").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        cited |= set(re.findall(r"readydocs docs ([a-z]+)", source))
        # A message must not send a pip user to a path in a source checkout (docstrings may).
        tree = ast.parse(source)
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        strings = [n.value for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]
        assert not [s for s in strings if re.search(r"docs/[a-z]+\.md", s)], path.name
    cited.discard("TOPIC")
    assert cited and cited <= set(topics())
