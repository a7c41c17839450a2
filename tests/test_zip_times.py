"""Office files get one fixed timestamp on every entry, and stay valid archives."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from readydocs.outputs import normalise_zip


def _archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>" * 50)
        z.writestr("word/document.xml", "<w:document>" + "x" * 5000 + "</w:document>")
        z.writestr(zipfile.ZipInfo("stored.bin", date_time=(2001, 2, 3, 4, 5, 6)), b"\x00\x01" * 10)
    return buf.getvalue()


def test_every_entry_gets_the_given_time_and_contents_are_unchanged():
    original = _archive()
    out = normalise_zip(original, dt.datetime(2026, 10, 15, 9, 0, 0))
    with zipfile.ZipFile(io.BytesIO(out)) as z, zipfile.ZipFile(io.BytesIO(original)) as before:
        assert z.testzip() is None  # every CRC still matches
        assert [i.date_time for i in z.infolist()] == [(2026, 10, 15, 9, 0, 0)] * 3
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o644}
        assert [z.read(n) for n in z.namelist()] == [before.read(n) for n in before.namelist()]


def test_same_input_same_bytes_whatever_the_original_times():
    a = normalise_zip(_archive(), dt.datetime(2026, 1, 1))
    b = normalise_zip(_archive(), dt.datetime(2026, 1, 1))
    assert a == b
    assert normalise_zip(_archive(), dt.datetime(2026, 1, 2)) != a


def test_dates_before_1980_are_clamped():
    out = normalise_zip(_archive(), dt.datetime(1970, 1, 1))
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_atomic_writes_keep_ordinary_permissions(tmp_path):
    import os
    import stat

    from readydocs.outputs import write_atomic

    new = tmp_path / "new.docx"
    write_atomic(new, b"data")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # as any program saving a new file
    shared = tmp_path / "shared.docx"
    shared.write_bytes(b"old")
    shared.chmod(0o664)
    write_atomic(shared, b"new")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664 and shared.read_bytes() == b"new"
