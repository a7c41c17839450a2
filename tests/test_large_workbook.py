"""A workbook padded with millions of cells, inside the size limits, is read within a memory bound.

The padding sits where reading could trip over it: a sheet of its own with no
<dimension> element (openpyxl would parse it whole just to size it), and rows
under the Ratings table. readydocs reads only the rows its names point at.
Memory is measured in a fresh process with resource.getrusage; the time is
bounded only by the subprocess timeout (speed is for bench/).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a 70 MB sheet
resource = pytest.importorskip("resource", reason="resource.getrusage is POSIX")

MAX_RSS_MB = 300
PADDING_SHEET_ROWS, PADDING_COLUMNS = 34_000, 100
RATINGS_PADDING_ROWS = 3_000
CELLS = PADDING_SHEET_ROWS * PADDING_COLUMNS + RATINGS_PADDING_ROWS * PADDING_COLUMNS

_SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _rows(first: int, count: int) -> bytes:
    """Rows of numeric cells without cell references (allowed, and the most cells per byte)."""
    out = []
    for r in range(first, first + count):
        out.append(f'<row r="{r}">' + "".join(f"<c><v>{(r * 7919 + i * 104729) % 100003}</v></c>" for i in range(PADDING_COLUMNS)) + "</row>")
    return "".join(out).encode()


def padded_workbook(src: Path, out: Path, sheet_rows: int = PADDING_SHEET_ROWS, ratings_rows: int = RATINGS_PADDING_ROWS) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        ratings_part = None
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b'<sheet ' + _REL_NS + b' name="Data" sheetId="99" r:id="rIdPadding"/></sheets>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdPadding" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/worksheet" Target="worksheets/padding.xml"/></Relationships>')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/padding.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
            elif info.filename == "xl/worksheets/sheet3.xml":  # Ratings, the third sheet readydocs init writes
                ratings_part = info.filename
                data = data.replace(b"</sheetData>", _rows(100, ratings_rows) + b"</sheetData>")
            zout.writestr(info, data)
        assert ratings_part, "the sample's Ratings sheet moved"
        with zout.open("xl/worksheets/padding.xml", "w") as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ' + _SHEET_NS + b"><sheetData>")
            for first in range(1, sheet_rows + 1, 1000):
                fh.write(_rows(first, min(1000, sheet_rows + 1 - first)))
            fh.write(b"</sheetData></worksheet>")
    return out


# ru_maxrss counts what a process had when it was forked, and pytest is large by
# the time this runs: a small launcher starts the measured process and reads
# its peak from RUSAGE_CHILDREN.
_VALIDATE = """
import sys
from readydocs.cli import main
sys.argv = ["readydocs", "validate", "--json", sys.argv[1]]
main()
"""
_MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True, text=True)
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"exit": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "rss_mb": rss_kb / 1024}))
"""


def test_millions_of_cells_validate_within_the_memory_bound(sample_xlsx, tmp_path, framework):
    from readydocs.intake import MAX_UNCOMPRESSED_BYTES

    big = padded_workbook(sample_xlsx, tmp_path / "padded.xlsx")
    with zipfile.ZipFile(big) as zf:
        inflated = sum(i.file_size for i in zf.infolist())
    assert CELLS >= 3_700_000
    assert inflated <= MAX_UNCOMPRESSED_BYTES  # inside the limits: the file must be read, not refused
    assert big.stat().st_size > 9 * 1024 * 1024
    proc = subprocess.run([sys.executable, "-c", _MEASURE, _VALIDATE, str(big)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    measured = json.loads(proc.stdout)
    assert measured["exit"] == 0, measured["stderr"]
    report = json.loads(measured["stdout"])
    assert report["valid"] is True
    assert [p["code"] for p in report["problems"]] == ["dont-know"]  # exactly what the sample alone gives
    assert measured["rss_mb"] < MAX_RSS_MB, f"validate used {measured['rss_mb']:.0f} MB"
