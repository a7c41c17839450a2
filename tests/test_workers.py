"""workers.py: `readydocs batch` starts its workers' forkserver before the command line is imported,
only when more than one worker is asked for (or is the default)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from readydocs import workers


@pytest.mark.parametrize("args, jobs", [
    (["in", "--jobs", "3"], 3), (["in", "-j", "1"], 1), (["--jobs=2", "in"], 2), (["-j4", "in"], 4),
    (["in"], None), (["in", "--jobs"], None), (["in", "--jobs", "many"], None), (["--", "--jobs", "1"], None),
])
def test_the_number_of_workers_is_read_from_the_words(args, jobs):
    assert workers._jobs_asked(args) == jobs


@pytest.fixture
def started(monkeypatch):
    from multiprocessing import forkserver

    calls: list[str] = []
    monkeypatch.setattr(forkserver, "ensure_running", lambda: calls.append("started"))
    return calls


@pytest.mark.skipif(sys.platform == "win32", reason="no forkserver")
def test_the_server_starts_early_for_several_workers_only(started, monkeypatch):
    workers.start_early(["in", "--jobs", "1"])
    workers.start_early(["--help"])
    assert started == []
    workers.start_early(["in", "--jobs", "2"])
    assert started == ["started"]
    monkeypatch.setattr(workers, "default_jobs", lambda: 1)
    workers.start_early(["in"])  # one core: the default is one worker
    assert started == ["started"]
    monkeypatch.setattr(workers, "default_jobs", lambda: 2)
    workers.start_early(["in"])
    assert started == ["started", "started"]


def test_a_server_that_cannot_start_is_left_to_the_pool(monkeypatch):
    from multiprocessing import forkserver

    def fails():
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(forkserver, "ensure_running", fails)
    workers.start_early(["in", "--jobs", "2"])  # no error here: the pool tries again and tells it


def test_starting_a_batch_loads_neither_the_command_line_nor_the_libraries_first():
    """What start_early imports: multiprocessing's own modules, nothing of readydocs' heavier ones."""
    code = ("import sys\nfrom multiprocessing import forkserver\nforkserver.ensure_running = lambda: None\n"
            "from readydocs.workers import start_early\nstart_early(['in', '--jobs', '2'])\n"
            "print(sorted(m for m in sys.modules if m.startswith(('readydocs', 'click', 'docx', 'lxml', 'jinja2'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['readydocs', 'readydocs.version', 'readydocs.workers']"
