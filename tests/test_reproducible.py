"""Same input, same bytes: two builds at different times, in different processes, give identical files."""

from __future__ import annotations

import pytest

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from readydocs.catalogue import DOCUMENTS


def _build(workbook: Path, out: Path, env: dict[str, str], *extra: str) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-m", "readydocs", "build", str(workbook), "-o", str(out), *extra],
                   check=True, capture_output=True, env={**os.environ, **env})
    folder = out / "city-of-riverbend"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.mark.slow  # waits on purpose: a time limit, or builds racing each other
def test_two_builds_seconds_apart_are_byte_identical(sample_xlsx, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "#0b4f5c").save(logo)
    # A second copy of the workbook, elsewhere, with a later modification time.
    other = tmp_path / "elsewhere" / "copy.xlsx"
    other.parent.mkdir()
    shutil.copyfile(sample_xlsx, other)
    first = _build(sample_xlsx, tmp_path / "a", {"PYTHONHASHSEED": "1", "TZ": "UTC"}, "--logo", str(logo))
    # Zip timestamps have a resolution of two seconds: wait longer than that, so
    # anything taken from the clock would show.
    time.sleep(2.2)
    os.utime(other)
    second = _build(other, tmp_path / "b", {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Auckland"}, "--logo", str(logo))
    assert sorted(first) == sorted([f for f, _ in DOCUMENTS] + ["scores.json", "readiness-action-plan.xlsx"])
    for name in first:
        assert first[name] == second[name], f"{name} differs between builds"


def test_document_dates_come_from_the_assessment_or_date_option(sample_xlsx, tmp_path):
    import docx

    built = _build(sample_xlsx, tmp_path / "a", {}, "--date", "2027-02-03")
    path = tmp_path / "a" / "city-of-riverbend" / "readiness-report.docx"
    assert path.read_bytes() == built["readiness-report.docx"]
    cp = docx.Document(str(path)).core_properties
    assert (cp.created.date().isoformat(), cp.modified.date().isoformat()) == ("2027-02-03", "2027-02-03")
    with zipfile.ZipFile(path) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2027, 2, 3)}
    default = _build(sample_xlsx, tmp_path / "b", {})
    cp = docx.Document(str(tmp_path / "b" / "city-of-riverbend" / "readiness-report.docx")).core_properties
    assert cp.created.date().isoformat() == "2026-10-15"  # the sample's assessment date
    assert default["readiness-report.docx"] != built["readiness-report.docx"]
