"""A batch killed outright (kill -9): its workers leave after the task in hand, and what they wrote is whole.

A pool's worker holds both ends of the queue it takes tasks from, so without
workers.leave_with_batch it would wait for a next task for good. The processes
of one batch are told apart from any other by a variable in their environment.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the workers through /proc (Linux)")

BENCH = Path(__file__).resolve().parents[1] / "bench" / "scaling.py"


def _places(folder: Path, count: int) -> Path:
    """``count`` places, each the sample with its own name (bench/scaling.py's generator)."""
    spec = importlib.util.spec_from_file_location("bench_scaling", BENCH)
    assert spec is not None and spec.loader is not None
    scaling = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaling)
    return scaling.generate(folder, count)


def _marked(mark: str) -> set[int]:
    """Processes whose environment holds READYDOCS_TEST_MARK=mark."""
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as fh:
                    if f"READYDOCS_TEST_MARK={mark}".encode() in fh.read().split(b"\0"):
                        found.add(int(entry.name))
            except OSError:
                pass  # gone meanwhile, or not ours to read
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie has exited
    except OSError:
        return False


def test_the_workers_of_a_killed_batch_leave_and_each_place_they_wrote_is_whole(tmp_path):
    places = _places(tmp_path, 300)
    out = tmp_path / "out"
    mark = uuid.uuid4().hex
    batch = subprocess.Popen([sys.executable, "-m", "readydocs", "batch", str(places), "-o", str(out), "--jobs", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "READYDOCS_TEST_MARK": mark})
    others: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("*/.readydocs-manifest.json"))) < 4:  # the workers are building places
            assert batch.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, "no place was built in two minutes"
            time.sleep(0.05)
        others = _marked(mark) - {batch.pid}
        assert len(others) >= 3, others  # the forkserver and two workers
        batch.send_signal(signal.SIGKILL)
        batch.wait()
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in others) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in others if _alive(p)], "processes of the killed batch are still running"
    finally:
        batch.kill()
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert 4 <= len(folders) < 300
    assert not list(out.rglob("*.tmp")), "a temporary file was left"
    for folder in folders:  # each place the workers started, written whole
        names = {p.name for p in folder.iterdir()}
        assert {".readydocs-manifest.json", "scores.json", "readiness-report.docx", "internal-launch-memo.docx",
                "talking-points.docx", "readiness-action-plan.xlsx"} <= names, (folder, names)
