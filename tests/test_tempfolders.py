"""tempfolders.py: what a killed batch or web run leaves in the temporary folder is removed by the next one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from readydocs import spool
from readydocs.tempfolders import make_private_folder, remove_abandoned

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process ids are asked about with os.kill (POSIX)")


def _ended_pid() -> int:
    """The id of a process that has just ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def tmp(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, for these tests: a folder of their own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_only_folders_of_ended_processes_named_as_readydocs_names_them_are_removed(tmp):
    gone = _ended_pid()
    abandoned = tmp / f"readydocs-spool-{gone}-abc123"
    (abandoned / "inner").mkdir(parents=True)
    (abandoned / "records").write_bytes(b"answers")
    running = tmp / f"readydocs-spool-{os.getpid()}-abc123"  # a live process: maybe another batch
    running.mkdir()
    other = tmp / f"readydocs-web-{gone}-abc123"  # another prefix
    other.mkdir()
    file_named_so = tmp / f"readydocs-spool-{gone}-file"
    file_named_so.write_text("not a folder")
    target = tmp / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("a person's file")
    link = tmp / f"readydocs-spool-{gone}-link"
    link.symlink_to(target, target_is_directory=True)
    unlike = tmp / f"readydocs-spool-{gone}"  # no random part: not a name readydocs makes
    unlike.mkdir()

    assert remove_abandoned("readydocs-spool-", tmp, owner=tmp.stat().st_uid + 1) == []  # another user's: left
    assert abandoned.is_dir()
    assert remove_abandoned("readydocs-spool-", tmp, owner=tmp.stat().st_uid) == [abandoned]
    assert not abandoned.exists()
    assert running.is_dir() and other.is_dir() and unlike.is_dir() and file_named_so.is_file()
    assert link.is_symlink() and (target / "keep.txt").read_text() == "a person's file"


def test_a_new_private_folder_is_named_with_this_process_and_only_this_user_can_open_it(tmp):
    gone = _ended_pid()
    (tmp / f"readydocs-spool-{gone}-left").mkdir()
    made = make_private_folder("readydocs-spool-")
    assert made.parent == tmp and made.name.startswith(f"readydocs-spool-{os.getpid()}-")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert sorted(p.name for p in tmp.iterdir()) == [made.name]  # the abandoned one is gone


def test_the_spool_a_killed_batch_left_is_removed_by_the_next_batch(tmp, sample_xlsx, framework):
    """A batch killed outright (kill -9) leaves its spools, with every workbook's answers."""
    from readydocs.batch import run_batch

    code = ("import os, sys\nfrom readydocs import spool\n"
            "kept = spool.Spool('readydocs-answers-')\nkept.append(b'answers')\n"
            "print(kept.path, flush=True)\nos.kill(os.getpid(), 9)\n")
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})
    assert killed.returncode == -9
    left = Path(killed.stdout.strip())
    assert left.read_bytes().endswith(b"answers") and left.parent.parent == tmp
    result = run_batch([sample_xlsx], tmp / "out", framework, jobs=1)
    assert len(result.built) == 1
    assert not left.parent.exists()
    assert [p.name for p in tmp.iterdir() if p.name.startswith("readydocs-")] == []  # and the batch's own are gone too


def test_a_spool_s_folder_is_private_and_goes_when_it_is_closed(tmp):
    with spool.Spool("readydocs-scores-") as kept:
        folder = kept.path.parent
        assert folder.name.startswith(f"readydocs-scores-{os.getpid()}-")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not folder.exists()
