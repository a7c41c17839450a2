"""Each check of uploaded files is a session with its own private temporary folder.

All sessions of one run live under one folder made for that run (mode 0700,
like every folder ``tempfile.mkdtemp`` makes). A session ends when the person
presses "Start again", when they check new files from its page, when it has
been idle for SESSION_IDLE_SECONDS (checked whenever any page of the app
is asked for a session), or when more than MAX_SESSIONS exist (the
least recently used goes); its folder is deleted then. At shutdown the run's
folder goes with everything in it.

A run that could not shut down (killed outright, or the computer lost power)
leaves its folder, with the workbooks people added, behind; the next run
removes it (tempfolders.py).

Sessions are found by their random id only: a session id is never turned into
a path.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..tempfolders import make_private_folder

SESSION_IDLE_SECONDS = 60 * 60
MAX_SESSIONS = 8
RUN_PREFIX = "readydocs-web-"


@dataclass
class Session:
    id: str
    folder: Path
    last_used: float
    outcome: Any = None  # results.Outcome, once the check has run
    display: dict[str, str] = field(default_factory=dict)  # path written here -> name the person gave the file


class SessionStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.root = make_private_folder(RUN_PREFIX)
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self) -> Session:
        with self._lock:
            self._sweep(making_room=True)
            sid = secrets.token_urlsafe(16)
            folder = Path(tempfile.mkdtemp(prefix="s-", dir=self.root))
            session = Session(sid, folder, self._clock())
            self._sessions[sid] = session
            return session

    def get(self, sid: str) -> Session | None:
        with self._lock:
            self._sweep(making_room=False)
            session = self._sessions.get(sid)
            if session is not None:
                session.last_used = self._clock()
            return session

    def end(self, sid: str) -> bool:
        with self._lock:
            session = self._sessions.pop(sid, None)
        if session is None:
            return False
        shutil.rmtree(session.folder, ignore_errors=True)
        return True

    def close(self) -> None:
        """End every session and remove the run's folder."""
        with self._lock:
            self._sessions.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def __len__(self) -> int:
        return len(self._sessions)

    def _sweep(self, making_room: bool) -> None:
        """End idle sessions; when making room for a new one, also the least recently used past MAX_SESSIONS - 1."""
        now = self._clock()
        stale = [s for s in self._sessions.values() if now - s.last_used > SESSION_IDLE_SECONDS]
        if making_room:
            by_age = sorted((s for s in self._sessions.values() if s not in stale), key=lambda s: s.last_used)
            stale += by_age[:max(0, len(by_age) - (MAX_SESSIONS - 1))]
        for s in stale:
            self._sessions.pop(s.id, None)
            shutil.rmtree(s.folder, ignore_errors=True)
