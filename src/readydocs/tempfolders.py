"""Private temporary folders named with their process id, and removing the ones a killed process left.

A batch keeps every workbook's answers in a temporary folder while it runs
(spool.py), and the web page keeps the workbooks people add in one (web/sessions.py).
Both delete theirs when they end; a process killed outright, or a computer that
lost power, leaves it behind. So each folder is named with its process id
(PREFIX + pid + "-" + random), and making a new one first removes the folders of
the same prefix whose process no longer exists: only this user's, only folders
named as readydocs names them, never through a link, and never one whose process
id is in use (it may be another run). At most MAX_ABANDONED_CHECKED entries of
the system's temporary folder are looked at each time.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

MAX_ABANDONED_CHECKED = 1000  # entries of the temporary folder looked at, at most, for each folder made


def make_private_folder(prefix: str) -> Path:
    """A new folder (mode 0700) in the system's temporary folder, named ``prefix``, this process's id and
    a random part; then the folders of ``prefix`` left by processes that have ended are removed."""
    made = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    remove_abandoned(prefix, made.parent, owner=made.stat().st_uid)
    return made


def remove_abandoned(prefix: str, tmp: Path, owner: int) -> list[Path]:
    """Delete the folders in ``tmp`` that ``make_private_folder(prefix)`` made for processes that have
    ended, of those owned by user id ``owner`` (this user's: that of a folder this process made)."""
    removed: list[Path] = []
    if os.name != "posix":  # os.kill would end a Windows process, not ask about it
        return removed
    name = re.compile(re.escape(prefix) + r"(\d{1,10})-[A-Za-z0-9_]{1,32}")
    try:
        with os.scandir(tmp) as entries:
            for n, entry in enumerate(entries):
                if n >= MAX_ABANDONED_CHECKED:
                    break
                m = name.fullmatch(entry.name)
                if m is None or not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_uid != owner or _running(int(m.group(1))):
                    continue
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    except OSError:
        pass  # an unreadable temporary folder: nothing to tidy
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or one we cannot ask about: leave its folder
    return True
