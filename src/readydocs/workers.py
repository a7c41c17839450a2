"""Where a batch's worker processes come from: the modules they load first, the server they fork from,
and when they leave.

On Linux and macOS the workers fork from a forkserver that has imported the
rendering libraries once. Starting it takes about as long as the command line
takes to import itself, so `readydocs batch` starts it first (launch.py), and
the two run side by side on a machine's two cores.

Imports inside functions: launch.py imports this module before anything else,
and `readydocs --help` must stay as light as starting Python.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable, Sequence, TypeVar, cast

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


# --------------------------------------------------------------------------
# Leaving with the batch
#
# A batch that ends normally tells its workers to stop. One killed outright (kill -9, a job
# scheduler's limit) cannot, and a pool's worker holds both ends of the queue it takes tasks
# from, so it would wait for the next task for good: idle processes of 50 MB and more, one per
# core, left behind by every killed batch.

_Task = TypeVar("_Task", bound=Callable[..., Any])
_task_lock: Any = None  # a threading.Lock in a worker that leaves with its batch (leave_with_batch), held during a task
_batch_gone = False


def one_task(fn: _Task) -> _Task:
    """Mark a function the batch's pool runs: a worker leaves only between two such tasks, so that
    the places it was writing when its batch went are written whole."""

    @functools.wraps(fn)
    def task(*args: Any, **kwargs: Any) -> Any:
        if _task_lock is None:  # the batch's own process (--jobs 1), or a worker that cannot watch
            return fn(*args, **kwargs)
        with _task_lock:
            if _batch_gone:
                os._exit(1)
            return fn(*args, **kwargs)

    return cast(_Task, task)


def leave_with_batch() -> None:
    """In a worker: end this process once the batch that started it is gone (after the task in hand).

    The process that asked for the worker keeps open the end of a pipe whose other end the worker
    holds (multiprocessing's parent sentinel); it reads as ended once that process has exited, however it died.
    """
    global _task_lock
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:  # pragma: no cover - not started by a batch
        return
    _task_lock = lock = threading.Lock()

    def watch() -> None:
        global _batch_gone
        wait([parent.sentinel])
        _batch_gone = True
        with lock:
            os._exit(1)

    threading.Thread(target=watch, name="readydocs-leave-with-batch", daemon=True).start()
