"""Rendering is bounded: a hostile template stops quickly, with one line naming it and its paragraph, and writes nothing."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.workbook import set_named_cells


# Each of these once ran for hours...
LOOPS = [
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{% set l = conditions %}{% for a in l %}{% for b in l %}{% for c in l %}{% for d in l %}{% for e in l %}"
    "{% for f in l %}{% for g in l %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "{% macro grow(n) %}{% if n %}{{ grow(n - 1) }}{{ grow(n - 1) }}{% endif %}{% endmacro %}{{ grow(60) }}",
]
# ...or built a gigabyte.
SIZES = [
    ("{{ 'x'|center(10**9) }}", "the center filter's result would be 1,000,000,000 characters, too large for a document"),
    ("{{ '%0999999999d'|format(1) }}", "the format filter's result would be 1,000,000,"),
    ("{{ 'x'|indent(10**9) }}", "the indent filter's result would be 1,000,000,001 characters"),
    ("{{ '{:>999999999}'.format(1) }}", "access to attribute 'format' of 'str' object is unsafe"),
    ("{{ lipsum(10**6) }}", "lipsum() may make at most 100,000 words in a template"),
    # ...and the same class by other routes.
    ("{{ '%0999999999d' % 1 }}", "the formatted text would be 1,000,000,"),
    ("{{ (range(100000)|list)|join('x' * 1000000) }}", "the join filter's result would be"),
    ("{% set ns = namespace(s='x' * 1000000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "the joined text would be 16,000,000 characters"),
    ("{% set a = 'x' * 1000000 %}{% set b = [a, a, a, a, a, a, a, a, a, a, a] %}{{ b }}",
     "a value of more than 10,000,000 characters is too large"),
    ("{{ [1]|batch(10**9, 'x')|list }}", "the batch filter's result would be"),
    ("{{ ('x' * 100000)|replace('', 'y' * 1000) }}", "the replace filter's result would be 100,"),
]


def _template(folder: Path, text: str, name: str = "talking-points.docx") -> Path:
    folder.mkdir(exist_ok=True)
    d = docx.Document()
    d.add_paragraph("{{ place.name }}")
    d.add_paragraph(text)
    d.save(folder / name)
    return folder / name


def _refused(sample_xlsx, tmp_path, text, fragment):
    path = _template(tmp_path / "tpl", text)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(out), "--templates", str(path.parent)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"Error: {path}, paragraph 2, \u201c"), lines[0]
    assert fragment in lines[0], lines[0]
    if "to fill in" in fragment:  # the time and step limits can be raised; the size limits cannot
        assert lines[0].endswith("(readydocs docs safety lists the limits). --template-time-limit raises the time and step limits.")
    elif "unsafe" not in fragment:
        assert lines[0].endswith("Simplify the template (readydocs docs safety lists the limits)."), lines[0]
    assert not out.exists()


@pytest.mark.slow  # waits on purpose: a time limit, or builds racing each other
@pytest.mark.parametrize("text", LOOPS, ids=[t[:40] for t in LOOPS])
def test_endless_template_stops_within_30_seconds(sample_xlsx, tmp_path, text):
    started = time.monotonic()
    # The step count stops these in about a second; on a slow machine the 10-second time limit may come first.
    _refused(sample_xlsx, tmp_path, text, " to fill in")
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("text, fragment", SIZES, ids=[t[:40] for t, _ in SIZES])
def test_templates_check_finds_what_it_can_work_out(tmp_path, text, fragment):
    """Expressions of constants only are worked out by the linter within the same limits; the rest need the data."""
    from readydocs.lint import lint_template

    problems = lint_template(_template(tmp_path / "tpl", text))
    if "{% set" in text:  # the values go through variables: only the build can tell
        assert problems == []
        return
    assert len(problems) == 1, [p.line() for p in problems]
    p = problems[0]
    assert p.paragraph == 2
    if "format(1)" in text and "{:" in text:
        assert p.code == "not-allowed" and "\u201c'{:>999999999}'.format\u201d: templates may call only" in p.message
    else:
        assert p.code == "over-limit" and fragment in p.message and p.message.endswith(
            "; a build would stop here. readydocs docs safety lists the limits.")


@pytest.mark.parametrize("text, fragment", SIZES, ids=[t[:40] for t, _ in SIZES])
def test_huge_value_is_refused_before_it_is_built(sample_xlsx, tmp_path, text, fragment):
    tracemalloc.start()
    try:
        _refused(sample_xlsx, tmp_path, text, fragment)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 300 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_time_limit_option_raises_and_lowers_the_limit(sample_xlsx, tmp_path):
    """A template that needs about 130,000 calls fills in by default, and is stopped by a tiny limit."""
    text = "{% macro grow(n) %}{% if n %}{{ grow(n - 1) }}{{ grow(n - 1) }}{% endif %}{% endmacro %}x{{ grow(16) }}y"
    path = _template(tmp_path / "tpl", text)
    runner = CliRunner()
    ok = runner.invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "a"), "--templates", str(path.parent)])
    assert ok.exit_code == 0, ok.output
    assert "xy" in [p.text for p in docx.Document(str(tmp_path / "a" / "city-of-riverbend" / "talking-points.docx")).paragraphs]
    tight = runner.invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "b"), "--templates", str(path.parent),
                                "--template-time-limit", "0.05"])
    assert tight.exit_code == 1
    line, = tight.stderr.splitlines()
    assert "steps to fill in" in line or "longer than the 0.05-second limit" in line
    assert "--template-time-limit raises the time and step limits" in line
    assert not (tmp_path / "b").exists()
    bad = runner.invoke(cli, ["build", str(sample_xlsx), "--template-time-limit", "0"])
    assert bad.exit_code == 2


@pytest.mark.slow  # waits on purpose: a time limit, or builds racing each other
def test_wall_clock_limit_stops_slow_steps(sample_xlsx, tmp_path):
    """Steps that are each slow (a big sort in a loop) meet the time limit before the step count."""
    text = "{% for i in range(100000) %}{{ (range(100000)|list|sort(reverse=true))|first }}{% endfor %}"
    path = _template(tmp_path / "tpl", text)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates",
                                      str(path.parent), "--template-time-limit", "1"])
    assert result.exit_code == 1
    line, = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}, paragraph 2, ") and "longer than the 1-second limit" in line
    assert time.monotonic() - started < 30


@pytest.mark.slow  # waits on purpose: a time limit, or builds racing each other
def test_batch_workers_stop_too(sample_xlsx, tmp_path):
    """In a batch every worker renders under the same limits: the cohort ends, each place reported."""
    second = set_named_cells(sample_xlsx, {"profile.municipality_name": "Town of Lakeside"}, tmp_path / "lakeside.xlsx")
    path = _template(tmp_path / "tpl", LOOPS[0])
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["batch", str(sample_xlsx), str(second), "-o", str(tmp_path / "out"), "--jobs", "2",
                                      "--templates", str(path.parent)])
    assert time.monotonic() - started < 60
    assert result.exit_code == 1, result.output
    assert "Built 0 of 2 places" in result.output
    assert result.stderr.count("steps to fill in") == 2
    assert f"{path}, paragraph 2" in result.stderr
    assert not (tmp_path / "out" / "city-of-riverbend").exists() and not (tmp_path / "out" / "town-of-lakeside").exists()
