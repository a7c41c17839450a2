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

from conftest import set_cells
from readydocs import outputs
from readydocs.cli import cli
from readydocs.errors import OutputConflictError, WriteError
from readydocs.outputs import MANIFEST_NAME, backup_name, write_outputs

GENERATED = ["readiness-report.docx", "internal-launch-memo.docx", "talking-points.docx", "scores.json",
             "readiness-action-plan.xlsx"]


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
    assert sorted(p.name for p in folder.iterdir()) == sorted(GENERATED + [MANIFEST_NAME])


def test_rebuild_over_untouched_files_just_works(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    set_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Kept your edited" not in result.output


def test_edited_document_is_not_overwritten(sample_xlsx, tmp_path):
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    memo = folder / "internal-launch-memo.docx"
    edited = _edit_memo(memo)
    before = _files(folder)
    set_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
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
    assert sorted(p.name for p in folder.iterdir()) == sorted(GENERATED + [MANIFEST_NAME, copy.name])


def test_backup_names_sort_by_date_and_never_collide(tmp_path):
    path = tmp_path / "readiness-report.docx"
    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = backup_name(path, when)
    assert first.name == "readiness-report.edited-2026-01-02T030405.docx"
    first.write_bytes(b"x")
    assert backup_name(path, when).name == "readiness-report.edited-2026-01-02T030405-2.docx"
    names = [backup_name(path, dt.datetime(2026, m, 1)).name for m in (12, 2, 10)]
    assert sorted(names) == [names[1], names[2], names[0]]


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
    set_cells(sample_xlsx, {"rating.CAP_3": "4 - Fully in place"})
    (folder / MANIFEST_NAME).write_text("[]", "utf-8")
    result = _build(sample_xlsx, tmp_path)
    assert result.exit_code == 1 and "have been changed" in result.stderr


@pytest.mark.parametrize("fail_at", [1, 3, 5])
def test_interrupted_build_keeps_earlier_outputs_and_leaves_no_temp_files(sample_xlsx, tmp_path, monkeypatch, fail_at):
    """os.replace failing on its n-th call stands for a build killed mid-write."""
    assert _build(sample_xlsx, tmp_path).exit_code == 0
    folder = tmp_path / "city-of-riverbend"
    first = _files(folder)
    set_cells(sample_xlsx, {"profile.municipality_name": "City of Riverbend", "rating.CAP_3": "4 - Fully in place",
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
    assert not [n for n in now if n.endswith(".tmp") or n.startswith(".") and n != MANIFEST_NAME]
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "a.txt"]
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
    set_cells(sample_xlsx, {"rating.LEAD_1": "Mostly"})
    before = sample_xlsx.read_bytes()
    for command in ("validate", "score", "build"):
        result = CliRunner().invoke(cli, [command, str(sample_xlsx)] + (["-o", str(tmp_path)] if command == "build" else []))
        assert result.exit_code == 1
        assert sample_xlsx.read_bytes() == before
    assert list(tmp_path.iterdir()) == [sample_xlsx]
