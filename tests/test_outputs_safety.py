"""Outputs never lose work: atomic writes, the manifest's refusal, --force's dated copy, an untouched input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from readydocs import outputs
from readydocs.cli import cli
from readydocs.errors import OutputConflictError, WriteError
from readydocs.outputs import LOCK_NAME, MANIFEST_NAME, write_outputs
from readydocs.workbook import set_named_cells

GENERATED = ["readiness-report.docx", "internal-launch-memo.docx", "talking-points.docx", "scores.json",
             "readiness-action-plan.xlsx"]
OURS = [MANIFEST_NAME, LOCK_NAME]  # the record of what was written, and the file that keeps two builds apart


def _build(wb: Path, out: Path, *extra: str):
    return CliRunner().invoke(cli, ["build", str(wb), "-o", str(out), *extra])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _edit_memo(path: Path) -> bytes:
    d = docx.Document(path)
    d.add_paragraph("Added by the sponsor's office after review.")
    d.save(path)
    return path.read_bytes()


def test_manifest_records_each_file_written(sample_xlsx, tmp_path):
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "city-of-riverbend"
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert set(manifest["files"]) == set(GENERATED)
    assert "pending" not in manifest
    for name in GENERATED:
        assert manifest["files"][name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert sorted(p.name for p in folder.iterdir()) == sorted(GENERATED + OURS)


def test_rebuild_over_untouched_files_just_works(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    set_named_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Kept your edited" not in result.output


def test_edited_document_is_not_overwritten(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    memo = folder / "internal-launch-memo.docx"
    edited = _edit_memo(memo)
    before = _files(folder)
    set_named_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0] == (f"Error: {memo} has been changed since readydocs wrote it; not overwritten. "
                        "Rename that file to keep your edits and build again, or rerun with --force to keep "
                        "a dated copy beside it and replace it.")
    assert result.stdout == ""
    assert _files(folder) == before  # nothing written, not even the other documents
    assert memo.read_bytes() == edited


def test_several_edited_files_are_named_together(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    _edit_memo(folder / "internal-launch-memo.docx")
    (folder / "scores.json").write_text("{}", "utf-8")
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 1
    assert "internal-launch-memo.docx, " in result.stderr and "scores.json have been changed" in result.stderr


def test_force_keeps_a_dated_copy_then_replaces(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    memo = folder / "internal-launch-memo.docx"
    edited = _edit_memo(memo)
    stamp = dt.datetime(2026, 11, 28, 10, 15, 0)
    os.utime(memo, (stamp.timestamp(), stamp.timestamp()))
    result = _build(sample_xlsx, tmp_path, "--force")
    assert result.exit_code == 0, result.output
    copy = folder / "internal-launch-memo.edited-2026-11-28T101500.docx"
    assert f"Kept your edited internal-launch-memo.docx as {copy}" in result.stdout
    assert copy.read_bytes() == edited
    assert memo.read_bytes() != edited
    assert "Added by the sponsor's office" not in "\n".join(p.text for p in docx.Document(memo).paragraphs)
    # The copy is the person's, not ours: the next build leaves it alone and succeeds.
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    assert copy.read_bytes() == edited
    assert sorted(p.name for p in folder.iterdir()) == sorted(GENERATED + OURS + [copy.name])


def _force_edit(folder: Path, name: str, data: bytes, when: dt.datetime):
    (folder / name).write_bytes(data)
    os.utime(folder / name, (when.timestamp(), when.timestamp()))
    return write_outputs(folder, [(name, b"generated")], force=True)


def test_backup_names_sort_by_date_and_never_collide(tmp_path):
    write_outputs(tmp_path, [("readiness-report.docx", b"generated")])
    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = _force_edit(tmp_path, "readiness-report.docx", b"edit 1", when).backups[0][1]
    assert first == tmp_path / "readiness-report.edited-2026-01-02T030405.docx"
    second = _force_edit(tmp_path, "readiness-report.docx", b"edit 2", when).backups[0][1]
    assert second.name == "readiness-report.edited-2026-01-02T030405-2.docx"
    assert (first.read_bytes(), second.read_bytes()) == (b"edit 1", b"edit 2")
    assert first.stat().st_mtime == when.timestamp()  # the copy keeps the time of the edit
    names = [_force_edit(tmp_path, "readiness-report.docx", b"x", dt.datetime(2026, m, 1)).backups[0][1].name
             for m in (12, 2, 10)]
    assert sorted(names) == [names[1], names[2], names[0]]


def test_a_dangling_link_named_like_the_next_backup_is_not_followed(tmp_path):
    write_outputs(tmp_path, [("readiness-report.docx", b"generated")])
    outside = tmp_path.parent / f"{tmp_path.name}-outside.docx"
    when = dt.datetime(2026, 11, 28, 10, 15, 0)
    trap = tmp_path / "readiness-report.edited-2026-11-28T101500.docx"
    trap.symlink_to(outside)
    assert not outside.exists()
    report = _force_edit(tmp_path, "readiness-report.docx", b"signed by the mayor", when)
    assert not outside.exists()  # nothing was written through the link
    assert trap.is_symlink() and os.readlink(trap) == str(outside)
    copy = report.backups[0][1]
    assert copy == tmp_path / "readiness-report.edited-2026-11-28T101500-2.docx"
    assert not copy.is_symlink() and copy.read_bytes() == b"signed by the mayor"
    assert copy.resolve().parent == tmp_path.resolve()


def test_a_link_in_place_of_a_generated_file_is_refused_even_with_force(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-target.txt"
    outside.write_bytes(b"someone else's file")
    (tmp_path / "scores.json").symlink_to(outside)
    for force in (False, True):
        with pytest.raises(OutputConflictError, match="scores.json is a link, which readydocs will not write through"):
            write_outputs(tmp_path, [("scores.json", b"{}")], force=force)
    assert outside.read_bytes() == b"someone else's file"
    assert (tmp_path / "scores.json").is_symlink()


def test_repeated_force_builds_keep_at_most_the_newest_backups(tmp_path):
    write_outputs(tmp_path, [("memo.docx", b"generated")])
    made = []
    for day in range(1, 9):
        (tmp_path / "memo.docx").write_bytes(f"edit {day}".encode())
        stamp = dt.datetime(2026, 3, day, 12).timestamp()
        os.utime(tmp_path / "memo.docx", (stamp, stamp))
        report = write_outputs(tmp_path, [("memo.docx", b"generated")], force=True, keep_backups=3)
        made.append(report.backups[0][1])
        if day <= 3:
            assert report.pruned == []
        else:  # the oldest copy goes as each new one comes
            assert report.pruned == [made[day - 4]]
    left = sorted(p.name for p in tmp_path.iterdir() if ".edited-" in p.name)
    assert left == ["memo.edited-2026-03-06T120000.docx", "memo.edited-2026-03-07T120000.docx",
                    "memo.edited-2026-03-08T120000.docx"]
    assert [(tmp_path / n).read_bytes() for n in left] == [b"edit 6", b"edit 7", b"edit 8"]
    # Copies of another file, and files that only look like copies, are not counted or touched.
    (tmp_path / "notes.edited-2026-01-01T000000.docx").write_bytes(b"mine")
    (tmp_path / "memo.edited-by-ana.docx").write_bytes(b"mine too")
    (tmp_path / "memo.docx").write_bytes(b"edit 9")
    write_outputs(tmp_path, [("memo.docx", b"generated")], force=True, keep_backups=3)
    assert (tmp_path / "notes.edited-2026-01-01T000000.docx").exists() and (tmp_path / "memo.edited-by-ana.docx").exists()


def test_same_second_copies_are_pruned_oldest_first(tmp_path):
    write_outputs(tmp_path, [("a.txt", b"generated")])
    when = dt.datetime(2026, 5, 5, 5, 5, 5)
    made = [_force_edit(tmp_path, "a.txt", f"edit {n}".encode(), when).backups[0][1].name for n in range(1, 4)]
    assert made == ["a.edited-2026-05-05T050505.txt", "a.edited-2026-05-05T050505-2.txt", "a.edited-2026-05-05T050505-3.txt"]
    (tmp_path / "a.txt").write_bytes(b"edit 4")
    os.utime(tmp_path / "a.txt", (when.timestamp(), when.timestamp()))
    report = write_outputs(tmp_path, [("a.txt", b"generated")], force=True, keep_backups=2)
    assert [p.name for p in report.pruned] == made[:2]  # -10 after -9, and the unnumbered first of all


def test_leftover_temporary_files_are_removed_by_the_next_build(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    # What a build killed during a write leaves: mkstemp's names for our files.
    leftovers = [folder / ".readiness-report.docx.k3j_9zq1.tmp", folder / f".{MANIFEST_NAME}.abcdefgh.tmp"]
    for p in leftovers:
        p.write_bytes(b"half a file")
    theirs = [folder / ".my-notes.txt.abcdefgh.tmp", folder / ".readiness-report.docx.tmp"]
    for p in theirs:
        p.write_bytes(b"not ours")
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in leftovers)
    assert all(p.read_bytes() == b"not ours" for p in theirs)


def test_a_file_readydocs_did_not_write_is_not_overwritten(sample_xlsx, tmp_path):
    folder = tmp_path / "city-of-riverbend"
    folder.mkdir()
    (folder / "talking-points.docx").write_bytes(b"my own talking points")
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 1
    assert "talking-points.docx has been changed since readydocs wrote it" in result.stderr
    assert (folder / "talking-points.docx").read_bytes() == b"my own talking points"
    assert not (folder / "readiness-report.docx").exists()


def test_damaged_manifest_counts_as_no_record(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    (folder / MANIFEST_NAME).write_text("{not json", "utf-8")
    result = _build(sample_xlsx, tmp_path)
    # The same bytes again are not a conflict: nothing would be lost.
    assert result.exit_code == 0, result.output
    set_named_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    (folder / MANIFEST_NAME).write_text("[]", "utf-8")
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 1 and "have been changed" in result.stderr


@pytest.mark.parametrize("fail_at", [1, 3, 5])
def test_interrupted_build_keeps_earlier_outputs_and_leaves_no_temp_files(sample_xlsx, tmp_path, monkeypatch, fail_at):
    """os.replace failing on its n-th call stands for a build killed mid-write."""
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    first = _files(folder)
    set_named_cells(sample_xlsx, {"profile.municipality_name": "City of Riverbend", "rating.CAP_3": "4 - Fully in place",
                            "evidence.CAP_3": "A new note"})
    real_replace, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", flaky)
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {calls[-1]}: cannot write the file (No space left on device).")
    assert len(result.stderr.splitlines()) == 1
    now = _files(folder)
    assert not [n for n in now if n.endswith(".tmp") or n.startswith(".") and n not in OURS]
    assert set(now) == set(first)
    for name in GENERATED:
        assert now[name] == first[name] or name in {Path(c).name for c in calls[:-1]}, name
        if name.endswith(".docx"):
            docx.Document(folder / name)
        elif name.endswith(".xlsx"):
            openpyxl.load_workbook(folder / name)
        else:
            json.loads(now[name])
    # The next build finishes the job without taking its own half-written set for a person's edits.
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Kept your edited" not in result.stdout


def test_interruption_by_keyboard_leaves_no_temp_file(tmp_path, monkeypatch):
    write_outputs(tmp_path, [("a.txt", b"v1")])

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tmp_path, [("a.txt", b"v2")])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OURS + ["a.txt"])
    assert (tmp_path / "a.txt").read_bytes() == b"v1"


def test_write_outputs_reports_unwritable_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WriteError) as info:
        write_outputs(blocker / "sub", [("a.txt", b"x")])
    assert info.value.exit_code == 2


def test_conflict_error_is_exit_1(tmp_path):
    write_outputs(tmp_path, [("a.txt", b"v1")])
    (tmp_path / "a.txt").write_bytes(b"mine")
    with pytest.raises(OutputConflictError) as info:
        write_outputs(tmp_path, [("a.txt", b"v2")])
    assert info.value.exit_code == 1
    report = write_outputs(tmp_path, [("a.txt", b"v2")], force=True)
    assert [copy.read_bytes() for _, copy in report.backups] == [b"mine"]
    assert re.fullmatch(r"a\.edited-\d{4}-\d\d-\d\dT\d{6}\.txt", report.backups[0][1].name)


@pytest.mark.parametrize("command", [["validate"], ["validate", "--json"], ["score"], ["score", "--json"], ["build"], ["build", "--force"]])
def test_input_workbook_bytes_never_change(sample_xlsx, tmp_path, command):
    before = sample_xlsx.read_bytes()
    stat = sample_xlsx.stat()
    args = [command[0], str(sample_xlsx), *command[1:]] + (["-o", str(tmp_path / "out")] if command[0] == "build" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sample_xlsx.read_bytes() == before
    assert sample_xlsx.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in sample_xlsx.parent.iterdir()) == sorted(["sample.xlsx"] + (["out"] if command[0] == "build" else []))


def test_input_workbook_unchanged_when_validation_fails(sample_xlsx, tmp_path):
    set_named_cells(sample_xlsx, {"rating.LEAD_1": "Mostly"})
    before = sample_xlsx.read_bytes()
    for command in ("validate", "score", "build"):
        result = CliRunner().invoke(cli, [command, str(sample_xlsx)] + (["-o", str(tmp_path)] if command == "build" else []))
        assert result.exit_code == 1
        assert sample_xlsx.read_bytes() == before
    assert list(tmp_path.iterdir()) == [sample_xlsx]


FAKE_SOFFICE = """#!{python}
# Stands in for LibreOffice: writes a small PDF-like file per input, named as soffice names them.
import hashlib, pathlib, sys
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--outdir") + 1])
for arg in args:
    if arg.endswith(".docx"):
        src = pathlib.Path(arg)
        (out / (src.stem + ".pdf")).write_bytes(b"%PDF-1.7 " + hashlib.sha256(src.read_bytes()).hexdigest().encode())
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    import sys

    script = tmp_path / "fake-soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("READYDOCS_SOFFICE", str(script))
    return script


PDFS = ["internal-launch-memo.pdf", "readiness-report.pdf", "talking-points.pdf"]


def test_edited_pdfs_are_protected_like_the_documents(sample_xlsx, tmp_path, fake_soffice):
    result = _build(sample_xlsx, tmp_path, "--pdf")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "city-of-riverbend"
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert sorted(manifest["files"]) == sorted(GENERATED + PDFS)
    report_pdf = folder / "readiness-report.pdf"
    docx_hash = hashlib.sha256((folder / "readiness-report.docx").read_bytes()).hexdigest()
    assert report_pdf.read_bytes() == b"%PDF-1.7 " + docx_hash.encode()  # made from this build's document
    report_pdf.write_bytes(b"%PDF-1.7 signed by the mayor")
    stamp = dt.datetime(2026, 11, 30, 16, 0, 0).timestamp()
    os.utime(report_pdf, (stamp, stamp))
    refused = _build(sample_xlsx, tmp_path, "--pdf")
    assert refused.exit_code == 1
    assert f"Error: {report_pdf} has been changed since readydocs wrote it; not overwritten." in refused.stderr
    assert report_pdf.read_bytes() == b"%PDF-1.7 signed by the mayor"
    forced = _build(sample_xlsx, tmp_path, "--pdf", "--force")
    assert forced.exit_code == 0, forced.output
    copy = folder / "readiness-report.edited-2026-11-30T160000.pdf"
    assert f"Kept your edited readiness-report.pdf as {copy}" in forced.stdout
    assert copy.read_bytes() == b"%PDF-1.7 signed by the mayor"
    assert report_pdf.read_bytes() == b"%PDF-1.7 " + docx_hash.encode()


def test_a_build_without_pdf_removes_our_old_pdfs_but_keeps_edited_ones(sample_xlsx, tmp_path, fake_soffice):
    assert _build(sample_xlsx, tmp_path, "--pdf").exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    (folder / "talking-points.pdf").write_bytes(b"%PDF-1.7 with my notes")
    set_named_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    for name in ("internal-launch-memo.pdf", "readiness-report.pdf"):
        assert not (folder / name).exists()
        assert f"Removed {folder / name}, made by an earlier build (build with --pdf to make it again)" in result.stdout
    assert (folder / "talking-points.pdf").read_bytes() == b"%PDF-1.7 with my notes"
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert sorted(manifest["files"]) == sorted(GENERATED)  # the edited PDF is the person's now
    # ... so building with --pdf again protects it.
    again = _build(sample_xlsx, tmp_path, "--pdf")
    assert again.exit_code == 1 and "talking-points.pdf has been changed since readydocs wrote it" in again.stderr


KILLABLE_BUILD = """
import os, sys, time
real = os.replace
def slow_replace(src, dst):
    time.sleep(0.4)  # long enough to be killed with a temporary file on disk
    real(src, dst)
os.replace = slow_replace
from readydocs.cli import main
sys.argv = ["readydocs", *sys.argv[1:]]
main()
"""


def test_a_build_killed_mid_write_is_finished_by_the_next_one(sample_xlsx, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    set_named_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE_BUILD, "build", str(sample_xlsx), "-o", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    # Wait until the manifest lists what is about to be written (it is renamed first, after every
    # temporary file is on disk), then kill: the documents' temporary files are left behind.
    def pending() -> bool:
        try:
            return "pending" in json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
        except (OSError, ValueError):  # not there yet, or being replaced
            return False

    while not (pending() and any(p.name.endswith(".tmp") and not p.name.startswith(f".{MANIFEST_NAME}.")
                                 for p in folder.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert left  # what kill -9 leaves
    assert "pending" in json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Kept your edited" not in result.stdout
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert sorted(p.name for p in folder.iterdir()) == sorted(GENERATED + OURS)
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert "pending" not in manifest
    for name in GENERATED:
        assert manifest["files"][name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()


def test_keep_backups_option_removes_the_oldest_copy_and_says_so(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    memo = folder / "internal-launch-memo.docx"
    copies = []
    for day in (1, 2):
        _edit_memo(memo)
        stamp = dt.datetime(2026, 12, day, 8, 0, 0).timestamp()
        os.utime(memo, (stamp, stamp))
        result = _build(sample_xlsx, tmp_path, "--force", "--keep-backups", "1")
        assert result.exit_code == 0, result.output
        copies.append(folder / f"internal-launch-memo.edited-2026-12-0{day}T080000.docx")
    assert f"Removed the older copy {copies[0]} (keeping the newest 1)." in result.stdout
    assert [p.name for p in folder.glob("internal-launch-memo.edited-*")] == [copies[1].name]
    bad = _build(sample_xlsx, tmp_path, "--keep-backups", "0")
    assert bad.exit_code == 2 and "--keep-backups" in bad.stderr


def test_a_place_folder_that_is_a_link_is_not_written_through(sample_xlsx, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "city-of-riverbend").symlink_to(elsewhere, target_is_directory=True)
    result = _build(sample_xlsx, out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {out / 'city-of-riverbend'} is a link to another folder; readydocs writes only into the folder itself. "
        "Remove the link (or replace it with a folder) and build again."]
    assert list(elsewhere.iterdir()) == []
    # The output folder named with -o may itself be a link: that is the person's choice.
    linked_root = tmp_path / "linked-out"
    linked_root.symlink_to(elsewhere, target_is_directory=True)
    assert _build(sample_xlsx, linked_root).exit_code == 0
    assert (elsewhere / "city-of-riverbend" / "readiness-report.docx").exists()


# --------------------------------------------------------------------------
# Several files written at once: all in full first, made durable together, then renamed


def test_a_write_of_several_files_that_fails_part_way_changes_none_of_them(tmp_path, monkeypatch):
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    first.write_bytes(b"old a")
    real = os.write

    def full_disk(fd, data):
        if bytes(data[:5]) == b"new b":
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(outputs.os, "write", full_disk)
    with pytest.raises(WriteError) as exc:
        outputs.write_all_atomic([(first, b"new a"), (second, b"new b")])
    assert str(exc.value).startswith(f"{second}: cannot write the file (No space left on device).")
    assert first.read_bytes() == b"old a"  # nothing is renamed before every file is written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx"]  # no temporary file is left


def test_what_runs_before_the_last_file_sees_the_others_in_place_and_can_stop_it(tmp_path):
    seen = []
    outputs.write_all_atomic([(tmp_path / "a", b"a"), (tmp_path / "b", b"b"), (tmp_path / "a", b"a2")],
                             before_last=lambda: seen.append(sorted(p.name for p in tmp_path.iterdir()
                                                                    if not p.name.endswith(".tmp"))))
    assert seen == [["a", "b"]]
    assert (tmp_path / "a").read_bytes() == b"a2"

    def refuse() -> None:
        raise WriteError("stopped.", "")

    with pytest.raises(WriteError):
        outputs.write_all_atomic([(tmp_path / "c", b"c"), (tmp_path / "a", b"a3")], before_last=refuse)
    assert (tmp_path / "c").read_bytes() == b"c"
    assert (tmp_path / "a").read_bytes() == b"a2"  # the last file is not renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]  # and its temporary file is removed


def test_several_files_are_made_durable_by_one_syncfs_on_a_local_disk(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: True)
    monkeypatch.setattr(outputs, "_syncfs", lambda fd: calls.append("syncfs") or True)
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append("fsync"))
    outputs.write_all_atomic([(tmp_path / f"f{n}", b"x" * n) for n in range(3)])
    assert calls == ["syncfs"]
    outputs.write_all_atomic([(tmp_path / "one", b"1")])  # one file: its own fsync
    assert calls == ["syncfs", "fsync"]
    assert [(tmp_path / f"f{n}").read_bytes() for n in range(3)] == [b"", b"x", b"xx"]


def test_each_file_is_fsynced_on_a_network_share_or_when_syncfs_fails(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append(fd))
    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: False)
    outputs.write_all_atomic([(tmp_path / "a", b"a"), (tmp_path / "b", b"b")])
    assert len(set(calls)) == 2
    calls.clear()
    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: True)
    monkeypatch.setattr(outputs, "_syncfs", lambda fd: False)
    outputs.write_all_atomic([(tmp_path / "c", b"c"), (tmp_path / "d", b"d")])
    assert len(set(calls)) == 2


@pytest.mark.skipif(not os.path.exists("/proc/self/mountinfo"), reason="Linux only: the mount table is read")
def test_the_filesystem_type_is_read_from_the_mount_table(tmp_path):
    import shutil
    import subprocess

    found = outputs._filesystem_type(os.stat(tmp_path).st_dev)
    assert found  # every mounted filesystem is listed
    if shutil.which("findmnt"):
        told = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "--target", str(tmp_path)], capture_output=True, text=True)
        assert found == told.stdout.strip()
    assert outputs._filesystem_type(os.makedev(4095, 1048575)) == ""  # no such device


def test_a_build_makes_its_files_durable_with_one_flush(sample_xlsx, tmp_path, monkeypatch):
    """The documents, scores and plan, the manifest listing them as pending and the final manifest, together."""
    calls = []
    real_fsync = os.fsync
    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: True)
    monkeypatch.setattr(outputs, "_syncfs", lambda fd: calls.append("syncfs") or True)
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    assert calls == ["syncfs"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("before", [None, 0o664, 0o600, 0o644])
def test_a_rewritten_file_keeps_its_permissions(tmp_path, before, monkeypatch):
    """A new file gets what a newly saved file gets (0666 less the umask, 022 here: 0644); a file that
    is there keeps its own, even bits the umask would take (a colleague's group write)."""
    target = tmp_path / "readiness-report.docx"
    if before is not None:
        target.write_bytes(b"old")
        target.chmod(before)
    monkeypatch.setattr(outputs, "_UMASK", 0o022)  # what the process's umask was when readydocs loaded
    old_mask = os.umask(0o022)
    try:
        outputs.write_all_atomic([(target, b"new")])
    finally:
        os.umask(old_mask)
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == (0o644 if before is None else before)


def test_files_on_two_filesystems_are_each_fsynced(tmp_path, monkeypatch):
    """One syncfs covers one filesystem only: files of a write that spans two are fsynced one by one."""
    from types import SimpleNamespace

    calls = []
    device_of: dict[int, int] = {}  # each temporary file made gets a device of its own
    real_open = os.open

    def opening(*args):
        fd = real_open(*args)
        device_of[fd] = len(device_of) + 1
        return fd

    monkeypatch.setattr(outputs.os, "open", opening)
    real_fstat = os.fstat
    monkeypatch.setattr(outputs.os, "fstat", lambda fd: SimpleNamespace(st_dev=device_of[fd]) if fd in device_of else real_fstat(fd))
    monkeypatch.setattr(outputs, "_flushes_as_one", lambda fd: True)
    monkeypatch.setattr(outputs, "_syncfs", lambda fd: calls.append("syncfs") or True)
    monkeypatch.setattr(outputs.os, "fsync", lambda fd: calls.append("fsync"))
    outputs.write_all_atomic([(tmp_path / "a", b"a"), (tmp_path / "b", b"b")])
    assert calls == ["fsync", "fsync"]
