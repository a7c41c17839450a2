"""Records kept on disk instead of in memory: what a batch's main process would otherwise hold for every place.

A Spool is a file in a private temporary folder (only this user can open it)
that one process appends byte records to; any process given its path reads
a record back by the position append returned, or reads them all in order.
Each record is its length (four bytes) and then its bytes. The folder is
deleted when the spool is closed.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

_LENGTH = struct.Struct("<I")


class Spool:
    """``with Spool() as spool: at = spool.append(data)``; then ``read(spool.path, at)`` in any process."""

    def __init__(self, prefix: str = "readydocs-spool-"):
        self._folder = tempfile.mkdtemp(prefix=prefix)  # 0700: private to this user
        self.path = Path(self._folder) / "records"
        self._file: BinaryIO | None = open(self.path, "xb")
        self._end = 0

    def append(self, data: bytes) -> int:
        """Keep ``data``; returns its position. The record can be read as soon as this returns."""
        if self._file is None:
            raise ValueError("the spool is closed")
        if len(data) >= 1 << 32:
            raise ValueError("a spool record is at most 4 GB")
        at = self._end
        self._file.write(_LENGTH.pack(len(data)) + data)
        self._file.flush()
        self._end += _LENGTH.size + len(data)
        return at

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read(path: Path, at: int) -> bytes:
    """The record that ``Spool.append`` put at ``at``."""
    with open(path, "rb") as fh:
        fh.seek(at)
        data = _record(fh)
    if data is None:
        raise ValueError(f"{path}: no record at {at}")
    return data


def records(path: Path) -> Iterator[bytes]:
    """Every record, in the order they were appended."""
    with open(path, "rb") as fh:
        while (data := _record(fh)) is not None:
            yield data


def _record(fh: BinaryIO) -> bytes | None:
    """The record at the file's position; None at the end of the file."""
    head = fh.read(_LENGTH.size)
    if not head:
        return None
    (length,) = _LENGTH.unpack(head) if len(head) == _LENGTH.size else (-1,)
    data = fh.read(length) if length >= 0 else b""
    if length < 0 or len(data) != length:
        raise ValueError(f"{fh.name}: a spool record is cut short")
    return data
