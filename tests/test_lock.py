"""One build at a time per output folder: a second one waits, for a bounded time, and the set stays whole."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from filelock import FileLock

from readydocs import outputs
from readydocs.cli import cli
from readydocs.outputs import LOCK_NAME, MANIFEST_NAME
from readydocs.pipeline import build, prepare, write_place
from readydocs.workbook import set_named_cells

GENERATED = ["internal-launch-memo.docx", "readiness-action-plan.xlsx", "readiness-report.docx", "scores.json",
             "talking-points.docx"]
SLUG = "city-of-riverbend"


def _set(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in GENERATED}


def _manifest_agrees(folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert "pending" not in manifest
    assert sorted(manifest["files"]) == GENERATED
    for name in GENERATED:
        assert manifest["files"][name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest(), name


@pytest.fixture
def two_rounds(sample_xlsx, tmp_path, framework):
    """Two workbooks of one place with different answers, and the set each builds on its own."""
    a = sample_xlsx
    b = set_named_cells(sample_xlsx, {"rating.LEAD_1": "1 - Not in place", "rating.CAP_3": "4 - Fully in place",
                                "evidence.CAP_3": "Second round"}, tmp_path / "second.xlsx")
    refs = {}
    for wb in (a, b):
        result = build([wb], tmp_path / f"ref-{wb.stem}", framework)
        refs[wb.stem] = _set(result.out_dir)
    assert refs["sample"]["scores.json"] != refs["second"]["scores.json"]
    return a, b, refs


def _from_one_build(folder: Path, refs: dict[str, dict[str, bytes]]) -> str:
    """Which reference build the folder's set is, failing when it mixes two."""
    now = _set(folder)
    matches = [stem for stem, ref in refs.items() if all(now[n] == ref[n] for n in GENERATED if n != "readiness-action-plan.xlsx")]
    assert len(matches) == 1, {n: [stem for stem, ref in refs.items() if ref[n] == now[n]] for n in GENERATED}
    # The report's own words agree with scores.json.
    scores = json.loads(now["scores.json"])
    report = "\n".join(p.text for p in docx.Document(folder / "readiness-report.docx").paragraphs)
    assert scores["overall"]["label"] in report
    _manifest_agrees(folder)
    return matches[0]


def test_a_busy_folder_is_waited_for_then_refused_in_one_line(sample_xlsx, tmp_path):
    folder = tmp_path / SLUG
    folder.mkdir()
    with FileLock(str(folder / LOCK_NAME)):
        start = time.monotonic()
        result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path), "--wait", "0.5"])
        waited = time.monotonic() - start
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {folder}: another readydocs build is writing into this folder; waited 0.5 s. "
        "Build again when it has finished, or wait longer with --wait SECONDS."]
    assert waited >= 0.5
    assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME]  # nothing written


def test_a_build_waits_for_the_folder_to_be_free(sample_xlsx, tmp_path):
    folder = tmp_path / SLUG
    folder.mkdir()
    lock = FileLock(str(folder / LOCK_NAME), thread_local=False)  # released by the timer thread
    lock.acquire()
    threading.Timer(1.0, lock.release).start()
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path), "--wait", "30"])
    assert result.exit_code == 0, result.output
    _manifest_agrees(folder)


def test_batch_takes_the_wait_option_too(sample_xlsx, tmp_path):
    folder = tmp_path / "out" / SLUG
    folder.mkdir(parents=True)
    with FileLock(str(folder / LOCK_NAME)):
        result = CliRunner().invoke(cli, ["batch", str(sample_xlsx), "-o", str(tmp_path / "out"), "--wait", "0.2", "--jobs", "1"])
    assert result.exit_code == 1
    assert f"  Error: {folder}: another readydocs build is writing into this folder; waited 0.2 s." in result.stderr \
        or f"  {folder}: another readydocs build is writing into this folder; waited 0.2 s." in result.stderr


@pytest.mark.slow  # waits on purpose: a time limit, or builds racing each other
def test_two_builds_in_threads_with_slow_writes_never_mix(two_rounds, tmp_path, framework, monkeypatch):
    """Each file written slowly, so that without the lock the two builds' writes interleave.

    The documents are rendered first, one after another (matplotlib is not thread-safe);
    the writing, which the lock guards, runs in four threads at once.
    """
    a, b, refs = two_rounds
    out = tmp_path / "shared"
    prepared = [prepare([wb], out, framework) for wb in (a, b, a, b)]
    real = os.replace

    def slow(src, dst):  # each file put in place 50 ms after the one before
        real(src, dst)
        time.sleep(0.05)

    monkeypatch.setattr(outputs.os, "replace", slow)
    errors = []

    def run(p):
        try:
            write_place(p)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in prepared]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _from_one_build(out / SLUG, refs)


def _cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen([sys.executable, "-m", "readydocs", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def test_two_concurrent_builds_of_different_workbooks_leave_one_build_s_set(two_rounds, tmp_path):
    a, b, refs = two_rounds
    out = tmp_path / "shared"
    runs = [_cli("build", str(wb), "-o", str(out)) for wb in (a, b)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0, 0], results
    assert all("has been changed since readydocs wrote it" not in err for _, _, err in results)
    _from_one_build(out / SLUG, refs)


@pytest.mark.slow  # waits on purpose: a time limit, or builds racing each other
def test_four_concurrent_forced_builds_keep_one_copy_of_the_edit(sample_xlsx, tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(out)]).exit_code == 0
    folder = out / SLUG
    memo = folder / "internal-launch-memo.docx"
    d = docx.Document(memo)
    d.add_paragraph("Signed off by the city manager.")
    d.save(memo)
    edited = memo.read_bytes()
    runs = [_cli("build", str(sample_xlsx), "-o", str(out), "--force") for _ in range(4)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0] * 4, results
    copies = sorted(p for p in folder.iterdir() if ".edited-" in p.name)
    assert len(copies) == 1 and copies[0].read_bytes() == edited
    assert sum("Kept your edited internal-launch-memo.docx" in outp for _, outp, _ in results) == 1
    _manifest_agrees(folder)
