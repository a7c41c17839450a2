"""Reading a small file a person named (logo, framework, scores.json) with a bound.

Only regular files are read: a device such as /dev/zero would never end and a
named pipe would wait forever for a writer, so both are refused before any
byte is read. At most ``limit`` + 1 bytes are read, so a file past its limit
costs no more than the limit. Callers word the error for their own file, or
take read_input's wording for a file named on the command line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import UnreadableFileError


class LocalFileError(Exception):
    """Why a file cannot be read, as a phrase to follow its name ("was not found")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``; LocalFileError if it is missing, not a regular file or past ``limit``."""
    try:
        # O_NONBLOCK: opening a named pipe would otherwise wait for a writer before fstat could refuse it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise LocalFileError("was not found")
    except IsADirectoryError:
        raise LocalFileError("is a folder, not a file")
    except OSError as exc:
        raise LocalFileError(f"cannot be read ({exc.strerror or exc})")
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise LocalFileError("is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise LocalFileError("is not a regular file (a device, pipe or socket)")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise LocalFileError(f"cannot be read ({exc.strerror or exc})")
    finally:
        os.close(fd)
    if size > limit:
        raise LocalFileError(f"is larger than the {_size(limit)} limit")
    return b"".join(chunks)


def read_input(path: Path, limit: int, hint: str) -> bytes:
    """read_limited, with a problem as one UnreadableFileError line ("PATH: is a folder, not a file.") and ``hint``."""
    try:
        return read_limited(path, limit)
    except LocalFileError as exc:
        reason = "no such file" if exc.reason == "was not found" else exc.reason
        raise UnreadableFileError(f"{path}: {reason}.",
                                  "Check the file's permissions." if reason.startswith("cannot be read") else hint)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n // 1024} KB"
