"""A batch keeps each workbook's answers and each place's numbers on disk, not in its main process (spool.py).

What the cohort files say must not depend on where the numbers waited, nor on
how many workers built the places.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from readydocs import batch, spool
from readydocs.batch import BatchResult, PlaceOutcome, run_batch, write_summary
from readydocs.cohort import FILENAME
from readydocs.errors import UnreadableFileError, WriteError
from readydocs.scoresjson import place_scores
from readydocs.workbook import rate_every_indicator, set_named_cells

RATINGS = {"Alder City": "4 - Fully in place", "Birch Town": "3 - Partly in place", "Cedar County": "2 - Starting",
           "Dunmore Village": "1 - Not in place", "Elm Park": "3 - Partly in place"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, _sample_master, framework) -> Path:
    """Five places of one workbook each, Riverbend with two respondents, and a file that is not a workbook."""
    folder = tmp_path_factory.mktemp("spool-in")
    for name, rating in RATINGS.items():
        target = folder / f"{name.split()[0].lower()}.xlsx"
        rate_every_indicator(_sample_master, framework, rating, target)
        set_named_cells(target, {"profile.municipality_name": name, "profile.organization_name": None})
    (folder / "riverbend").mkdir()
    rate_every_indicator(_sample_master, framework, "4 - Fully in place", folder / "riverbend" / "a.xlsx")
    rate_every_indicator(_sample_master, framework, "1 - Not in place", folder / "riverbend" / "b.xlsx")
    (folder / "broken.xlsx").write_text("not a workbook")
    return folder


@pytest.fixture(scope="module")
def spool_folders():
    """Every private folder made while the batches run, to see afterwards that the spools are gone."""
    made: list[str] = []
    real = tempfile.mkdtemp

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    tempfile.mkdtemp = recording
    yield made
    tempfile.mkdtemp = real


@pytest.fixture(scope="module")
def batches(inputs, framework, tmp_path_factory, spool_folders):
    """The same cohort built with one worker and with two: {jobs: (output folder, result)}."""
    out = {}
    for jobs in (1, 2):
        folder = tmp_path_factory.mktemp(f"spool-out-{jobs}")
        out[jobs] = folder, run_batch([inputs], folder, framework, jobs=jobs)
    return out


def test_one_or_two_workers_write_the_same_cohort_files(batches):
    (one, r1), (two, r2) = batches[1], batches[2]
    assert r1.benchmarked and r2.benchmarked
    assert len(r1.built) == 6 and [Path(f).name for p in r1.failed for f in p.files] == ["broken.xlsx"]
    assert (one / FILENAME).read_bytes() == (two / FILENAME).read_bytes()
    assert (one / "cohort-report.docx").read_bytes() == (two / "cohort-report.docx").read_bytes()
    rows = [json.loads((d / "batch-report.json").read_text())["rows"] for d in (one, two)]
    for row in rows[0] + rows[1]:
        row.pop("folder")
    assert rows[0] == rows[1]
    assert [r["verdict"] for r in rows[0] if r["place"] == "Alder City"] == ["Ready to launch"]


def test_the_summary_from_the_spool_is_the_summary_of_the_places_scores(batches, framework, tmp_path):
    """The same workbook as one made from each place's scores.json, held in memory as write_summary's other callers do."""
    out, result = batches[2]
    places = []
    for p in result.places:
        assert p.scores is None  # the main process let go of them; they waited in the spool
        if p.ok:
            scores = place_scores(json.loads((Path(p.folder) / "scores.json").read_text(encoding="utf-8")))
            assert p.verdict == scores.level_label
            places.append(PlaceOutcome(p.name, p.files, True, folder=p.folder, scores=scores))
        else:
            places.append(p)
    again = write_summary(BatchResult(places=places), tmp_path, framework)
    assert again.read_bytes() == (out / FILENAME).read_bytes()


def test_the_spools_are_removed_when_the_batch_ends(batches, spool_folders):
    spools = [f for f in spool_folders if Path(f).name.startswith("readydocs-")]
    assert len(spools) == 4  # answers and scores, for each of the two batches
    assert [f for f in spools if Path(f).exists()] == []


def test_a_spool_reads_back_by_position_and_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with spool.Spool() as kept:
        at = [kept.append(data) for data in (b"first", b"", b"x" * 70_000)]
        assert [spool.read(kept.path, a) for a in reversed(at)] == [b"x" * 70_000, b"", b"first"]
        assert list(spool.records(kept.path)) == [b"first", b"", b"x" * 70_000]
        if os.name == "posix":  # only this user can open it
            assert stat.S_IMODE(kept.path.parent.stat().st_mode) == 0o700
        # A record cut short (a full disk, say) is an error, not a shorter record.
        with open(kept.path, "r+b") as fh:
            fh.truncate(at[2] + 100)
        with pytest.raises(UnreadableFileError, match="a record is cut short"):
            spool.read(kept.path, at[2])
        with pytest.raises(UnreadableFileError, match="a record is cut short"):
            list(spool.records(kept.path))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="closed"):
        kept.append(b"late")


def test_a_spool_that_cannot_be_made_is_one_error(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    with pytest.raises(WriteError, match="Could not make a temporary file for the batch") as err:
        spool.Spool()
    assert "TMPDIR" in err.value.hint and err.value.exit_code == 2


def test_a_checked_workbook_keeps_its_answers_in_the_spool(sample_xlsx, framework, tmp_path, monkeypatch):
    """What the main process keeps of a workbook: its report and where its answers wait, not the answers."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    batch._init_worker(framework)
    checked = batch._check(sample_xlsx, for_cohort=True)
    answers = checked.response()
    # Scored alone by the worker, in framework order: the sample's leadership score is 83.33.
    assert len(checked.condition_scores) == len(framework.conditions) and round(checked.condition_scores[0], 2) == 83.33
    with spool.Spool() as kept:
        checked.answers_at, checked.packed = kept.append(checked.packed), None
        with pytest.raises(ValueError, match="not kept"):
            checked.response()
        assert checked.response(kept.path) == answers
        built = batch._build(checked.place, [checked], tmp_path / "out", "riverbend", batch.PlaceOptions(), answers=kept.path)
    assert built.ok and built.verdict == built.scores.level_label


def test_the_main_process_loads_no_document_library(inputs, tmp_path):
    """With two workers the main process only schedules and collects: it never imports what renders or writes Office files."""
    code = ("import sys\n"
            "from readydocs.cli import cli\n"
            "try:\n"
            f"    cli.main(['batch', {str(inputs)!r}, '-o', {str(tmp_path / 'out')!r}, '--jobs', '2'], standalone_mode=False)\n"
            "except SystemExit as exc:\n"
            "    assert exc.code == 1  # the broken workbook\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'docxtpl', 'docx', 'openpyxl', 'lxml', 'jinja2', 'numpy'}),"
            " file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stderr.strip().splitlines()[-1] == "[]", run.stderr
    assert (tmp_path / "out" / FILENAME).exists() and (tmp_path / "out" / "cohort-report.docx").exists()


def test_while_the_workers_start_this_process_checks_workbooks_from_the_other_end():
    """_submit_meanwhile: the first submissions wait (as a new pool's do) while this process works; a failure reaches it."""
    import threading
    from concurrent.futures import Future

    from readydocs.batch import _submit_meanwhile

    workers_up = threading.Event()

    class SlowToStart:
        def submit(self, fn, *args):
            assert workers_up.wait(5)
            f: Future = Future()
            f.set_result(fn(*args))
            return f

    done_here: list[int] = []

    def meanwhile() -> bool:
        time.sleep(0.02)  # a workbook's check takes about 10 ms
        done_here.append(len(done_here))
        if len(done_here) == 3:
            workers_up.set()  # the pool is up once this process has checked three
        return len(done_here) < 10

    futures = _submit_meanwhile(SlowToStart(), [(abs, (-1,)), (abs, (-2,))], meanwhile)
    assert sorted(f.result() for f in futures) == [1, 2]
    assert 3 <= len(done_here) < 10  # it stopped once the submissions were in

    class Broken:
        def submit(self, fn, *args):
            raise RuntimeError("the pool broke")

    with pytest.raises(RuntimeError, match="the pool broke"):
        _submit_meanwhile(Broken(), [(abs, (-1,))], lambda: False)


def test_with_two_workers_every_workbook_is_checked_once(inputs, framework, tmp_path, monkeypatch):
    """Workbooks checked here and by the workers: none twice, none left out, and the same places as one worker."""
    from readydocs import assessment

    here: list[str] = []
    real = assessment.assess

    def counted(paths, framework):  # only this process's checks: the workers import their own
        here.extend(Path(p).name for p in paths)
        return real(paths, framework)

    monkeypatch.setattr(assessment, "assess", counted)
    result = run_batch([inputs], tmp_path / "out", framework, jobs=2)
    assert len(here) == len(set(here))
    files = sorted(Path(f).name for p in result.places for f in p.files)
    assert files == ["a.xlsx", "alder.xlsx", "b.xlsx", "birch.xlsx", "broken.xlsx", "cedar.xlsx", "dunmore.xlsx", "elm.xlsx"]


def test_a_batch_without_a_temporary_folder_stops_with_one_line(inputs, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from readydocs.cli import cli

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    result = CliRunner().invoke(cli, ["batch", str(inputs), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: Could not make a temporary file for the batch (No such file or directory). "
        "Free some disk space, or set TMPDIR to a folder you can write to."]
    assert not (tmp_path / "out").exists()


def test_the_cycle_collector_is_set_for_a_batch_and_put_back_after(sample_xlsx, tmp_path, framework):
    """A batch's processes collect seldom (batch._COLLECT_EVERY); a caller's own process gets its setting back."""
    import gc

    from readydocs import batch

    before = gc.get_threshold()
    with batch._pool(2, framework) as pool:
        assert {pool.submit(gc.get_threshold).result() for _ in range(4)} == {batch._COLLECT_EVERY}
    during = []
    batch.run_batch([sample_xlsx], tmp_path / "out", framework, jobs=1,
                    progress=lambda *a: during.append(gc.get_threshold()))
    assert set(during) == {batch._COLLECT_EVERY}
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_build_task_takes_up_to_four_places_and_the_last_ones_go_singly():
    assert batch.BUILDS_PER_TASK == 4
    # waiting places, workers -> places in the next task: a quarter of a round of 2 tasks per worker
    assert [batch._task_size(n, 2, 4) for n in (200, 17, 16, 15, 8, 7, 4, 1)] == [4, 4, 4, 3, 2, 1, 1, 1]
    assert [batch._task_size(n, 4, 4) for n in (32, 31, 9, 8, 7)] == [4, 3, 1, 1, 1]
    assert batch._task_size(200, 2, 1) == 1  # --pdf: one place a task


def test_places_built_several_to_a_task_are_each_built_and_told_once(_sample_master, framework, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    names = [f"Place {n:02d}" for n in range(18)]
    for n, name in enumerate(names):
        target = folder / f"p{n:02d}.xlsx"
        rate_every_indicator(_sample_master, framework, ("4 - Fully in place", "2 - Starting")[n % 2], target)
        set_named_cells(target, {"profile.municipality_name": name})
    told: list[tuple[int, str]] = []

    def progress(stage, done, total, message, failures):
        if stage == "build":
            told.append((done, message))

    result = run_batch([folder], tmp_path / "out", framework, jobs=2, progress=progress)
    assert [done for done, _ in told] == list(range(1, 19))
    assert sorted(message for _, message in told) == [f"{name}: built" for name in names]
    assert sorted(p.name for p in result.built) == names
    for n, name in enumerate(names):
        scores = json.loads((tmp_path / "out" / f"place-{n:02d}" / "scores.json").read_text("utf-8"))
        assert scores["place"] == name
        # every indicator rated 4 of 1-4 scores 100; every one rated 2 scores (2 - 1) / 3 = 33.33
        assert scores["overall"]["average"] == (100.0, 33.33)[n % 2]
