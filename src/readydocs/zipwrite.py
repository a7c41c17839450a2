"""Office files written as zip archives from their parts, each distinct part compressed once per process.

Every document of a batch holds the same styles, theme, fonts, numbering and
settings as its template, and compressing them again for every place costs
more than filling the template in. ``zip_bytes`` gives exactly the bytes
Python's zipfile writes for the same parts (deflated at its default level,
no data descriptors) after outputs.normalise_zip has set every entry's time
and permissions, so nothing about a file depends on which of the two wrote
it (tests/test_zipwrite.py compares them). Compressed parts are remembered
by their content, at most ``MAX_REMEMBERED_BYTES`` of parts in all, the
oldest forgotten first.
"""

from __future__ import annotations

import datetime as dt
import struct
import sys
import zlib
from collections import OrderedDict
from typing import Iterable

MAX_REMEMBERED_BYTES = 16 * 1024 * 1024  # the three default templates' unchanged parts are about 0.3 MB
_remembered: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()
_remembered_bytes = 0

_VERSION = 20  # what zipfile writes for deflated entries that need no zip64
_SYSTEM = 0 if sys.platform == "win32" else 3  # zipfile's "made by" system
_DEFLATED = 8
_PERMISSIONS = 0o644 << 16  # as normalise_zip sets them
_UTF8_NAME = 0x800
_LIMIT = 0xFFFFFFFF


def _compressed(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, deflated bytes) of one part, as zipfile makes them."""
    global _remembered_bytes

    hit = _remembered.get(data)
    if hit is not None:
        _remembered.move_to_end(data)
        return hit
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    made = (zlib.crc32(data), packer.compress(data) + packer.flush())
    if len(data) <= MAX_REMEMBERED_BYTES // 4:
        _remembered[data] = made
        _remembered_bytes += len(data)
        while _remembered_bytes > MAX_REMEMBERED_BYTES:
            old, _ = _remembered.popitem(last=False)
            _remembered_bytes -= len(old)
    return made


def zip_bytes(entries: Iterable[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip archive of (name, bytes) entries, in that order, every entry dated ``when``."""
    when = min(max(when, dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58))  # what a zip can hold
    dos_time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    dos_date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    out = bytearray()
    directory = bytearray()
    count = 0
    for name, data in entries:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        crc, packed = _compressed(data)
        if len(data) > _LIMIT or len(packed) > _LIMIT or len(out) > _LIMIT:
            raise ValueError("a part too large for a zip without zip64")
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", _VERSION, flags, _DEFLATED, dos_time, dos_date,
                           crc, len(packed), len(data), len(encoded), 0)
        out += encoded
        out += packed
        directory += struct.pack("<4s4B4H3L5H2L", b"PK\x01\x02", _VERSION, _SYSTEM, _VERSION, 0, flags, _DEFLATED,
                                 dos_time, dos_date, crc, len(packed), len(data), len(encoded), 0, 0, 0, 0,
                                 _PERMISSIONS, offset)
        directory += encoded
        count += 1
    start = len(out)
    out += directory
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0)
    return bytes(out)
