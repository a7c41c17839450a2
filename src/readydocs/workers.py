"""Where a batch's worker processes come from: the modules they load first, and the server they fork from.

On Linux and macOS the workers fork from a forkserver that has imported the
rendering libraries once. Starting it takes about as long as the command line
takes to import itself, so `readydocs batch` starts it first (launch.py), and
the two run side by side on a machine's two cores.

Imports inside functions: launch.py imports this module before anything else,
and `readydocs --help` must stay as light as starting Python.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

# What a worker loads before its first place. No openpyxl: workbooks and earlier action plans are
# read by xlsxcells, and the action plan and the cohort summary are written as XML (planxml, summaryxml).
WORKER_MODULES = ("readydocs.batch", "docxtpl", "readydocs.actionplan", "readydocs.charts", "readydocs.docxchart",
                  "readydocs.pipeline", "readydocs.render", "readydocs.cohort", "readydocs.cohort_report", "readydocs.baseline")


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def worker_context():
    """The multiprocessing context workers start from: the forkserver, preloading WORKER_MODULES
    (spawn where there is none: Windows)."""
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():  # pragma: no cover - Windows
        return mp.get_context("spawn")
    server = mp.get_context("forkserver")
    server.set_forkserver_preload(list(WORKER_MODULES))
    return server


def start_early(args: Sequence[str]) -> None:
    """Start the forkserver now when ``args`` (what follows `readydocs batch`) ask for more than one worker.

    Only a guess from the words: the command line checks them properly later, and a
    server started for a batch that needs none costs some CPU, never a result.
    """
    jobs = _jobs_asked(args)
    if jobs == 1 or (jobs is None and default_jobs() == 1) or "--help" in args or "-h" in args:
        return
    if sys.platform == "win32":  # pragma: no cover - no forkserver
        return
    try:
        from multiprocessing import forkserver

        worker_context()
        forkserver.ensure_running()
    except Exception:  # the pool starts it again, and says what is wrong
        pass


def _jobs_asked(args: Sequence[str]) -> int | None:
    """The number after -j/--jobs (None when not given or not a number)."""
    for n, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg in ("-j", "--jobs") and n + 1 < len(args):
            value = args[n + 1]
        elif arg.startswith("--jobs="):
            value = arg[len("--jobs="):]
        elif arg.startswith("-j") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value is not None:
            try:
                return int(value)
            except ValueError:
                return None
    return None
