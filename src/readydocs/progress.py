"""What `readydocs batch` shows while it works: a progress bar on a terminal, plain lines otherwise.

The batch runner (batch.py) prints nothing; it calls a ``progress`` function
with each step, and the command line passes a Reporter.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

from .wording import tally

# Seconds of a stage's results before a time left is told. Results come back a task at a time,
# several at one moment, and the first of a stage comes after work no other place repeats
# (grouping the workbooks, the workers' first task): at 19,500 places, a pace counted from the
# stage's start said "about 5 h 32 min left" of a batch that took three minutes.
MIN_PACE_SECONDS = 1.0


class Reporter:
    """A rich progress bar on a terminal; plain lines (one per place) otherwise.

    Both show places done, failures so far and an estimate of the time left, at the pace since
    the stage's first result (none until MIN_PACE_SECONDS have passed since it).
    """

    def __init__(self, tty: bool | None = None, out: Any = None, clock: Callable[[], float] | None = None):
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.out = out or sys.stdout
        self._clock = clock or time.monotonic
        self._first: dict[str, tuple[float, int]] = {}  # each stage's first report: when, and how many were done
        self._progress: Any = None  # a rich Progress on a terminal
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> "Reporter":
        if self.tty:
            # rich is imported only when a terminal shows the bar: piped output never pays for it.
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._progress = Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[failed]}"), TimeElapsedColumn(),
                                      TimeRemainingColumn(), TextColumn("left"),
                                      console=Console(stderr=True), transient=False)
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def time_left(self, stage: str, done: int, total: int) -> float | None:
        """Seconds left at the pace since the stage's first report; None while that pace is not known."""
        now = self._clock()
        since, done_then = self._first.setdefault(stage, (now, done))
        if now - since < MIN_PACE_SECONDS or done <= done_then:
            return None
        return (now - since) / (done - done_then) * (total - done)

    def __call__(self, stage: str, done: int, total: int, message: str, failed: int = 0) -> None:
        failures = f"{failed} failed so far" if failed else "no failures"
        if self._progress is not None:
            label = {"check": "Checking workbooks", "build": "Building places"}[stage]
            if stage not in self._tasks:
                self._tasks[stage] = self._progress.add_task(label, total=total, failed=failures)
            self._progress.update(self._tasks[stage], completed=done, failed=failures)
        elif stage == "build":
            left = self.time_left(stage, done, total)
            tail = f", about {_duration(left)} left" if left is not None and done < total else ""
            print(f"[{done}/{total}] {message} ({failures}{tail})", file=self.out, flush=True)
        elif done == total:
            print(f"Checked {tally(total, 'workbook')} ({failures}).", file=self.out, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
