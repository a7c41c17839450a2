"""Paths as people type or paste them, on Windows and elsewhere.

Windows users paste paths with backslashes, often with the quotes that
"Copy as path" adds; a workbook made on Windows may be built on a Mac. So a
path given on the command line keeps its meaning everywhere: quotes are
dropped, backslashes are folder separators, a Windows drive path on another
system is named as such, and network (UNC) paths are refused, because a file
on a share can change or vanish while a build reads it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import UnreadableFileError

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def is_network_path(text: str) -> bool:
    r"""\\server\share\... or //server/share/... (also the \\?\UNC\ long form)."""
    t = text.strip().strip('"')
    return t.startswith(("\\\\", "//")) and not t.startswith("\\\\?\\") or t.upper().startswith("\\\\?\\UNC\\")


def typed_path(text: str, windows: bool | None = None) -> Path:
    """The path ``text`` names on this system (``windows`` says which kind of system; default: this one)."""
    windows = os.name == "nt" if windows is None else windows
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        t = t[1:-1].strip()
    if is_network_path(t):
        raise UnreadableFileError(f"{t}: is a network (UNC) path, which readydocs does not read from.",
                                  "Copy the file or folder to this computer and give that path.")
    if windows:
        return Path(t)
    if _DRIVE.match(t):
        raise UnreadableFileError(f"{t}: is a Windows path (drive {t[:2]}), and this computer is not running Windows.",
                                  "Give the path as this computer names it.")
    return Path(t.replace("\\", "/"))


def windows_path_length(root: str, *parts: str) -> int:
    r"""Characters in the Windows path root\part\part (what the 260-character MAX_PATH limit counts)."""
    return len("\\".join([root.rstrip("\\/"), *parts]))
