"""Several places' files made durable by one flush (outputs.finish_writes, outputs.Flush, pipeline.WriteBehind, a batch's tasks).

A flush waits for the disk however little is written, so a batch worker writes
behind: each place's files beside their targets as soon as it is rendered, one
flush at a time in a thread for all that were written since the last, then each
place's files renamed, while the next place is rendered. What each place's folder
ends up holding is what a write of that place alone leaves.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from readydocs import outputs
from readydocs.batch import run_batch
from readydocs.errors import FolderBusyError, WriteError
from readydocs.outputs import MANIFEST_NAME, OutputFolder, finish_writes, sha256
from readydocs.workbook import rate_every_indicator, set_named_cells


@pytest.fixture
def flushes(monkeypatch) -> list[str]:
    """Every flush, as one syncfs per call on a local disk."""
    calls: list[str] = []
    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: True)
    monkeypatch.setattr(outputs, "_syncfs", lambda fd: calls.append("syncfs") or True)
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append("fsync"))
    return calls


def _recorded(folder: Path) -> dict[str, str]:
    doc = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert "pending" not in doc
    return {name: entry["sha256"] for name, entry in doc["files"].items()}


def _temporary(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_writes_of_two_folders_are_made_durable_by_one_flush(tmp_path, flushes):
    a, b = tmp_path / "a", tmp_path / "b"
    with OutputFolder(a) as fa, OutputFolder(b) as fb:
        started = [fa.start_write([("x.txt", b"one"), ("y.txt", b"two")]), fb.start_write([("x.txt", b"three")])]
        assert not (a / "x.txt").exists() and not (b / "x.txt").exists()  # nothing in place before the flush
        reports = finish_writes(started)
    assert flushes == ["syncfs"]
    assert [r.written for r in reports] == [[a / "x.txt", a / "y.txt"], [b / "x.txt"]]
    assert (a / "y.txt").read_bytes() == b"two" and (b / "x.txt").read_bytes() == b"three"
    assert _recorded(a) == {"x.txt": sha256(b"one"), "y.txt": sha256(b"two")}
    assert _recorded(b) == {"x.txt": sha256(b"three")}
    assert _temporary(a) == _temporary(b) == []


def test_one_write_that_cannot_be_put_in_place_leaves_the_others_written(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    real = outputs.os.replace

    def refused(src, dst):
        if Path(dst).parent == a and Path(dst).name == "x.txt":
            raise PermissionError(13, "Permission denied")
        real(src, dst)

    with OutputFolder(a) as fa, OutputFolder(b) as fb:
        started = [fa.start_write([("x.txt", b"one")]), fb.start_write([("x.txt", b"two")])]
        monkeypatch.setattr(outputs.os, "replace", refused)
        first, second = finish_writes(started)
    assert isinstance(first, WriteError) and str(first).startswith(f"{a / 'x.txt'}: cannot write the file (Permission denied).")
    assert not (a / "x.txt").exists()
    assert (b / "x.txt").read_bytes() == b"two" and _recorded(b) == {"x.txt": sha256(b"two")}
    assert _temporary(a) == _temporary(b) == []


def test_a_flush_that_fails_puts_nothing_in_place(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "x.txt").parent.mkdir()
    (a / "x.txt").write_bytes(b"old")

    def full(fds):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "_make_durable", full)
    with OutputFolder(a) as fa, OutputFolder(b) as fb:
        errors = finish_writes([fa.start_write([("x.txt", b"new")], force=True), fb.start_write([("x.txt", b"two")])])
    assert [type(e) for e in errors] == [WriteError, WriteError]
    assert (a / "x.txt").read_bytes() == b"old" and not (b / "x.txt").exists()
    assert _temporary(a) == _temporary(b) == []


def test_a_write_started_and_never_finished_is_removed_when_its_folder_is_let_go(tmp_path):
    a = tmp_path / "a"
    with OutputFolder(a) as fa:
        fa.write([("x.txt", b"one")])
        started = fa.start_write([("x.txt", b"two")])
        assert _temporary(a)  # its files wait beside their targets
    assert _temporary(a) == []
    assert (a / "x.txt").read_bytes() == b"one" and _recorded(a) == {"x.txt": sha256(b"one")}
    with pytest.raises(RuntimeError):
        finish_writes([started])  # too late: the folder is no longer held
    assert (a / "x.txt").read_bytes() == b"one"


@pytest.fixture
def five_places(_sample_master, framework, tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(5):
        target = folder / f"p{n}.xlsx"
        rate_every_indicator(_sample_master, framework, "3 - Partly in place", target)
        set_named_cells(target, {"profile.municipality_name": f"Place {n}"})
    return folder


def test_a_batch_flushes_at_most_once_per_place_and_at_least_once_per_task(five_places, tmp_path, framework, flushes):
    result = run_batch([five_places], tmp_path / "out", framework, jobs=1)
    assert len(result.built) == 5 and result.benchmarked
    # Five places waiting, one worker: tasks of min(4, 5 // 2) = 2, then min(4, 3 // 2) = 1, 1, 1. The
    # places a flush covers are those rendered while the one before ran: one or two for the task of two.
    # Then one flush each for the cohort summary and the cohort report (each written through its
    # folder's manifest); batch-report.json alone is one file, fsynced.
    assert flushes[-1] == "fsync" and set(flushes[:-1]) == {"syncfs"}
    assert 4 + 2 <= len(flushes) - 1 <= 5 + 2


def _prepared(folder: Path, out: Path, framework, numbers) -> list:
    from readydocs import pipeline

    return [pipeline.prepare([folder / f"p{n}.xlsx"], out, framework) for n in numbers]


def test_places_added_while_a_flush_runs_wait_for_the_next_one_which_takes_them_together(five_places, tmp_path,
                                                                                          framework, monkeypatch):
    from readydocs.pipeline import WriteBehind

    flushing, go_on = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow_flush(fd):
        calls.append(fd)
        flushing.set()
        assert go_on.wait(10)
        return True

    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: True)
    monkeypatch.setattr(outputs, "_syncfs", slow_flush)
    out = tmp_path / "out"
    first, second, third = _prepared(five_places, out, framework, (0, 1, 2))
    with WriteBehind() as writer:
        writer.add("a", first)
        assert flushing.wait(10)
        assert not (out / "place-0" / "scores.json").exists()  # not in place while its flush runs
        writer.add("b", second)  # rendered meanwhile: written beside its targets, not flushed yet
        writer.add("c", third)
        assert len(calls) == 1
        assert _temporary(out / "place-1") and not (out / "place-1" / "scores.json").exists()
        go_on.set()
        done = writer.finish()
    assert len(calls) == 2  # the second and third places made durable by one flush
    assert [done[k].out_dir for k in "abc"] == [out / "place-0", out / "place-1", out / "place-2"]
    for n in range(3):
        assert json.loads((out / f"place-{n}" / "scores.json").read_text("utf-8"))["place"] == f"Place {n}"
        assert _temporary(out / f"place-{n}") == []


def test_a_caller_that_stops_midway_leaves_no_place_half_written(five_places, tmp_path, framework, flushes):
    from readydocs.pipeline import WriteBehind

    out = tmp_path / "out"
    first, second = _prepared(five_places, out, framework, (0, 1))
    with pytest.raises(KeyboardInterrupt):
        with WriteBehind() as writer:
            writer.add("a", first)
            writer.add("b", second)
            raise KeyboardInterrupt
    for n in (0, 1):  # each place is wholly written or not at all
        folder = out / f"place-{n}"
        assert _temporary(folder) == []
        written = {p.name for p in folder.iterdir()} - {".readydocs-lock", MANIFEST_NAME}
        assert written in (set(), {"readiness-report.docx", "internal-launch-memo.docx", "talking-points.docx",
                                   "scores.json", "readiness-action-plan.xlsx"})
        if written:
            assert set(_recorded(folder)) == written


def test_a_busy_folder_is_waited_for_only_once_the_folders_held_are_let_go(five_places, tmp_path, framework,
                                                                         monkeypatch):
    from readydocs.pipeline import WriteBehind

    out = tmp_path / "out"
    tries: list[tuple[str, float, bool]] = []
    real_enter = OutputFolder.__enter__

    def entering(self):
        tries.append((self.path.name, self.wait, (out / "place-2" / "scores.json").exists()))
        if self.path.name == "place-1":
            raise FolderBusyError(f"{self.path}: another readydocs build is writing into this folder; waited 0 s.", "")
        return real_enter(self)

    monkeypatch.setattr(OutputFolder, "__enter__", entering)
    with WriteBehind(wait=7) as writer:
        for key, prepared in zip("abc", _prepared(five_places, out, framework, (2, 1, 0))):
            writer.add(key, prepared)
        done = writer.finish()
    # place-1 is tried at once while place-2 is held, then waited for (7 s) with nothing held: place-2 is in place.
    assert tries == [("place-2", 7, False), ("place-1", 0, False), ("place-1", 7, True), ("place-0", 7, True)]
    assert isinstance(done["b"], FolderBusyError)
    assert [done[k].out_dir for k in "ac"] == [out / "place-2", out / "place-0"]
    for name in ("place-0", "place-2"):
        assert json.loads((out / name / "scores.json").read_text("utf-8"))["place"] == f"Place {name[-1]}"
    assert not (out / "place-1").exists()
