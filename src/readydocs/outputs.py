"""Writing files so that a person's work is never lost.

Every file is written to a temporary file in the same folder and renamed over
the target, so an interrupted build leaves the previous file or the new one,
never half of one.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import tempfile
from pathlib import Path

from .errors import WriteError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (temporary file in the same folder, then rename)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise WriteError(f"{path}: cannot write the file ({exc.strerror or exc}).",
                         "Check that the folder can be written to, and close the file if it is open in Word or Excel.") from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str | None) -> None:
    if tmp:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Set every entry of an Office file (a zip) to one timestamp and one set of permissions.

    Writers stamp entries with the clock; with this, the same input gives the
    same bytes. The headers are patched in place rather than the archive
    recompressed, which would cost as much as writing it did.
    """
    when = max(when, dt.datetime(1980, 1, 1))
    dos_time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    dos_date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    buf = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        raise ValueError("not a zip archive")
    count, _, cd_offset = struct.unpack_from("<HII", buf, end + 10)
    offset = cd_offset
    for _ in range(count):
        if buf[offset:offset + 4] != b"PK\x01\x02":
            raise ValueError("unexpected zip central directory")
        struct.pack_into("<HH", buf, offset + 12, dos_time, dos_date)
        struct.pack_into("<I", buf, offset + 38, 0o644 << 16)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, offset + 28)
        (local,) = struct.unpack_from("<I", buf, offset + 42)
        if buf[local:local + 4] != b"PK\x03\x04":
            raise ValueError("unexpected zip local header")
        struct.pack_into("<HH", buf, local + 10, dos_time, dos_date)
        offset += 46 + name_len + extra_len + comment_len
    return bytes(buf)
