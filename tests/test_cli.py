"""The command line through click's CliRunner: exit codes and one-line messages."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.workbook import set_named_cells



def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


def test_every_command_has_help():
    for path, cmd in _commands(cli):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert cmd.help and len(cmd.help.strip()) > 20, f"{' '.join(path)} has no help text"
        assert "Usage:" in result.output


def test_validate_sample_exit_0(sample_xlsx):
    result = run("validate", sample_xlsx)
    assert result.exit_code == 0
    assert "valid: 0 errors, 1 warning." in result.output


def test_validate_blank_exit_1_lists_cells(blank_xlsx):
    result = run("validate", blank_xlsx)
    assert result.exit_code == 1
    assert "sheet Ratings, cell D4: LEAD-1 has no rating" in result.output
    assert "sheet Ratings, cell D30: LRN-2 has no rating" in result.output
    assert "not valid: 30 errors, 0 warnings." in result.output


def test_validate_json(blank_xlsx):
    result = run("validate", "--json", blank_xlsx)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["valid"] is False and data["errors"] == 30
    first = data["problems"][0]
    assert (first["sheet"], first["cell"], first["code"], first["severity"]) == ("Profile", "B4", "missing-value", "error")


@pytest.mark.parametrize("make, expected", [
    (lambda p: p, "no such file"),
    (lambda p: (p.mkdir(), p)[1], "is a folder, not a workbook"),
    (lambda p: (p.write_bytes(b""), p)[1], "the file is empty"),
    (lambda p: (p.write_text("municipality,rating\nA,3\n"), p)[1], "is not an Excel .xlsx workbook"),
])
def test_unreadable_files_exit_2_with_one_line(tmp_path, make, expected):
    path = make(tmp_path / "intake.xlsx")
    result = run("validate", path)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert expected in lines[0] and str(path) in lines[0]
    assert "Traceback" not in result.output


def test_score_table_and_json(sample_xlsx):
    result = run("score", sample_xlsx)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    cap = next(line for line in lines if line.startswith("Organizational capacity"))
    assert "22" in cap and "Not yet in place" in cap and "3/3" in cap
    buy = next(line for line in lines if line.startswith("Staff buy-in"))
    assert "50" in buy and "Developing" in buy and "2/3 (1 unknown)" in buy
    assert "Overall: Ready while strengthening named conditions (average 62 of 100)" in result.output
    data = json.loads(run("score", "--json", sample_xlsx).output)
    assert data["overall"]["level"] == "strengthen"
    assert {c["id"]: c["score"] for c in data["conditions"]}["data"] == 88.89


def test_score_shows_essential_cap(sample_xlsx):
    set_named_cells(sample_xlsx, {f"rating.LEAD_{n}": 1 for n in range(1, 5)})
    result = run("score", sample_xlsx)
    assert "Overall: Build readiness first" in result.output
    assert "Capped by essential condition: Leadership commitment" in result.output


def test_score_with_nothing_rated_says_so(sample_xlsx, framework):
    from readydocs.workbook import rate_every_indicator

    rate_every_indicator(sample_xlsx, framework, "Don't know")
    result = run("score", sample_xlsx)
    assert result.exit_code == 0
    assert "Overall: Build readiness first (no condition could be scored)" in result.output
    assert "average \u2014" not in result.output


def test_build_invalid_writes_nothing(blank_xlsx, tmp_path):
    out = tmp_path / "out"
    result = run("build", blank_xlsx, "-o", out)
    assert result.exit_code == 1
    assert "No documents were written" in result.output
    assert not out.exists()


def test_build_prints_paths(sample_xlsx, tmp_path):
    out = tmp_path / "out"
    result = run("build", sample_xlsx, "-o", out)
    assert result.exit_code == 0, result.output
    for name in ("readiness-report.docx", "internal-launch-memo.docx", "talking-points.docx", "scores.json"):
        assert f"Wrote {out / 'city-of-riverbend' / name}" in result.output
        assert (out / "city-of-riverbend" / name).is_file()


def test_init_refuses_to_overwrite(tmp_path):
    target = tmp_path / "mine.xlsx"
    assert run("init", target).exit_code == 0
    before = target.read_bytes()
    result = run("init", target)
    assert result.exit_code == 2 and "already exists" in result.output
    assert target.read_bytes() == before


def test_init_wrong_suffix_is_usage_error(tmp_path):
    result = run("init", tmp_path / "form.xls")
    assert result.exit_code == 2 and "must end in .xlsx" in result.output


def test_bad_framework_option_is_one_line(tmp_path, sample_xlsx):
    bad = tmp_path / "fw.toml"
    bad.write_text('id = "x"\n', encoding="utf-8")
    result = run("validate", "--framework", bad, sample_xlsx)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "key 'version' is missing" in result.output


def test_help_and_validate_do_not_import_renderers(sample_xlsx):
    code = (
        "import sys\n"
        "from readydocs.cli import cli\n"
        "try:\n"
        f"    cli(['validate', {str(sample_xlsx)!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('docxtpl', 'matplotlib', 'docx') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_python_m_readydocs_works():
    out = subprocess.run([sys.executable, "-m", "readydocs", "--version"], capture_output=True, text=True, check=True)
    assert "readydocs" in out.stdout
