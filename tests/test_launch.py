"""`readydocs --help` from its saved copy: the same page click prints, without loading click, and never stale."""

from __future__ import annotations

import os
import subprocess
import sys

from readydocs import launch

LAUNCH = "import sys; sys.argv = ['readydocs', *sys.argv[1:]]; from readydocs.launch import main; main()"
CLICK = "import sys; sys.argv = ['readydocs', *sys.argv[1:]]; from readydocs.cli import main; main()"


def _run(code: str, *args: str, columns: str = "80") -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": columns}
    return subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          env=env, check=True)


def _imported(done: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def test_help_is_clicks_page_and_the_second_time_loads_no_click():
    expected = _run(CLICK, "--help").stdout
    assert expected.startswith("Usage: readydocs [OPTIONS] COMMAND [ARGS]...") and "validate" in expected
    if os.path.exists(launch.SAVED):
        os.unlink(launch.SAVED)
    first = _run(LAUNCH, "--help")
    second = _run(LAUNCH, "-h")
    assert first.stdout == expected and second.stdout == expected
    assert "click" in _imported(first)  # nothing was saved
    assert not {"click", "readydocs.cli"} & _imported(second)


def test_another_width_is_rendered_for_that_width():
    narrow = _run(CLICK, "--help", columns="60").stdout
    assert max(len(line) for line in narrow.splitlines()) <= 60
    _run(LAUNCH, "--help")
    assert _run(LAUNCH, "--help", columns="60").stdout == narrow
    assert _run(LAUNCH, "--help", columns="60").stdout == narrow


def test_a_saved_page_for_other_sources_is_not_used():
    expected = _run(CLICK, "--help").stdout
    os.makedirs(os.path.dirname(launch.SAVED), exist_ok=True)
    with open(launch.SAVED, "w", encoding="utf-8") as fh:
        fh.write("('some', 'older', 'sources')\nUsage: readydocs [OPTIONS] OLD\n")
    done = _run(LAUNCH, "--help")
    assert done.stdout == expected and "click" in _imported(done)


def test_other_commands_go_through_click():
    done = _run(LAUNCH, "--version")
    assert done.stdout.startswith("readydocs, version ")
