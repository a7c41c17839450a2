"""Records kept on disk instead of in memory: what a batch's main process would otherwise hold for every place.

A Spool is a file in a private temporary folder (only this user can open it)
that one process appends byte records to; any process given its path reads
a record back by the position append returned, or reads them all in order.
Each record is its length (four bytes) and then its bytes. The folder is
deleted when the spool is closed, or by the next batch when its process was
killed before it could close it (tempfolders.py). A spool that cannot be made or written
(no temporary folder, a full disk) is a WriteError; one that cannot be read
back, or whose last record is cut short, an UnreadableFileError.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import UnreadableFileError, WriteError
from .tempfolders import make_private_folder

_LENGTH = struct.Struct("<I")


class Spool:
    """``with Spool() as spool: at = spool.append(data)``; then ``read(spool.path, at)`` in any process."""

    def __init__(self, prefix: str = "readydocs-spool-"):
        try:
            # 0700: private to this user; left by a batch killed outright, removed by the next (tempfolders.py)
            self._folder = make_private_folder(prefix)
            self.path = self._folder / "records"
            self._file: BinaryIO | None = open(self.path, "xb")
        except OSError as exc:
            raise WriteError(f"Could not make a temporary file for the batch ({exc.strerror or exc}).",
                             "Free some disk space, or set TMPDIR to a folder you can write to.") from exc
        self._end = 0

    def append(self, data: bytes) -> int:
        """Keep ``data``; returns its position. The record can be read as soon as this returns."""
        if self._file is None:
            raise ValueError("the spool is closed")
        if len(data) >= 1 << 32:
            raise ValueError("a spool record is at most 4 GB")
        at = self._end
        try:
            self._file.write(_LENGTH.pack(len(data)) + data)
            self._file.flush()
        except OSError as exc:
            self.close()  # what follows a half-written record could not be found again
            raise WriteError(f"Could not write the batch's temporary file {self.path} ({exc.strerror or exc}).",
                             "Free some disk space, or set TMPDIR to a folder with room.") from exc
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
    try:
        with open(path, "rb") as fh:
            fh.seek(at)
            data = _record(fh)
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if data is None:
        raise _unreadable(path, f"no record at {at}")
    return data


def records(path: Path) -> Iterator[bytes]:
    """Every record, in the order they were appended."""
    try:
        with open(path, "rb") as fh:
            while (data := _record(fh)) is not None:
                yield data
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def _record(fh: BinaryIO) -> bytes | None:
    """The record at the file's position; None at the end of the file."""
    head = fh.read(_LENGTH.size)
    if not head:
        return None
    (length,) = _LENGTH.unpack(head) if len(head) == _LENGTH.size else (-1,)
    data = fh.read(length) if length >= 0 else b""
    if length < 0 or len(data) != length:
        raise _unreadable(Path(fh.name), "a record is cut short")
    return data


def _unreadable(path: Path, why: object) -> UnreadableFileError:
    why = getattr(why, "strerror", None) or why
    return UnreadableFileError(f"Could not read back the batch's temporary file {path} ({why}).",
                               "Run the batch again; if it happens again, check the disk holding the temporary folder.")
