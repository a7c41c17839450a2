"""zipwrite.py writes the very bytes zipfile and normalise_zip write, while compressing each part once."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest

from readydocs import zipwrite
from readydocs.outputs import normalise_zip
from readydocs.catalogue import DOCUMENTS
from readydocs.render import default_templates_dir, document_bytes

WHEN = dt.datetime(2026, 10, 15, 9, 0, 0)


def _by_zipfile(entries, when):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return normalise_zip(buf.getvalue(), when)


@pytest.mark.parametrize("filename", [f for f, _ in DOCUMENTS])
def test_a_document_is_the_bytes_python_docx_and_normalise_zip_write(filename):
    d = docx.Document(str(default_templates_dir() / filename))
    d.core_properties.title = "Ciudad de Córdoba & <Co>"
    saved = io.BytesIO()
    d.save(saved)
    assert document_bytes(d, WHEN) == normalise_zip(saved.getvalue(), WHEN)
    assert document_bytes(d, WHEN) == document_bytes(d, WHEN)  # the second time from remembered parts


def test_odd_entries_match_zipfile_too():
    entries = [("empty.xml", b""), ("word/caf\u00e9.xml", "<a>caf\u00e9</a>".encode()), ("big.bin", bytes(range(256)) * 4000)]
    for when in (WHEN, dt.datetime(1970, 1, 1), dt.datetime(2200, 1, 1, 23, 59, 59)):
        assert zipwrite.zip_bytes(entries, when) == _by_zipfile(entries, when)
    with zipfile.ZipFile(io.BytesIO(zipwrite.zip_bytes(entries, WHEN))) as z:
        assert z.testzip() is None and [z.read(n) for n, _ in entries] == [data for _, data in entries]


def test_remembered_parts_are_bounded(monkeypatch):
    monkeypatch.setattr(zipwrite, "_remembered", type(zipwrite._remembered)())
    monkeypatch.setattr(zipwrite, "_remembered_bytes", 0)
    monkeypatch.setattr(zipwrite, "MAX_REMEMBERED_BYTES", 40_000)
    parts = [(f"p{n}.xml", bytes([n]) * 9_000) for n in range(10)]
    assert zipwrite.zip_bytes(parts, WHEN) == _by_zipfile(parts, WHEN)
    assert zipwrite._remembered_bytes <= 40_000 and len(zipwrite._remembered) == 4
    assert list(zipwrite._remembered) == [data for _, data in parts[-4:]]  # the oldest went first


def test_a_charts_embedded_workbook_is_what_zipfile_writes():
    """docxchart.data_workbook zips through zipwrite: the same bytes zipfile gives for the same parts, dated 1980-01-01."""
    from readydocs.docxchart import ChartData, Series, data_workbook

    data = ChartData(("Leadership & <vision>", " Staff "), (Series("Score", (72.5, None), (0, None)),), (0.0,), ("000000",),
                     "Condition scores", "alt")
    made = data_workbook(data)
    with zipfile.ZipFile(io.BytesIO(made)) as z:
        parts = [(i.filename, z.read(i)) for i in z.infolist()]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    assert b"Leadership &amp; &lt;vision&gt;" in dict(parts)["xl/worksheets/sheet1.xml"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            z.writestr(info, body)
    assert made == buf.getvalue()
