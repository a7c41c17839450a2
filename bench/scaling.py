"""`make bench-cohort N=1000`: what one more place costs a batch, and what two workers gain.

    python bench/scaling.py [N]      # N places, default 1000

Generates N places (copies of the sample with their own municipality name and
ratings drawn per place), then runs `readydocs batch` as a user would, one
fresh process each, and measures each run's CPU time, wall time and peak
memory (the batch process's own rusage, from wait4):

- steady-state cost of a place: (CPU of N places - CPU of 100 places) / (N - 100)
  with --jobs 1, the median of BENCH_PAIRS alternating pairs of runs (default 3), target <= 30 ms
  (wall time given beside it);
- --jobs 2 against --jobs 1 at 200 places (wall, medians of BENCH_PAIRS alternating runs, default 3),
  target >= 1.8x;
- memory the main process keeps per place: (peak RSS at N - peak RSS at 100) / (N - 100)
  with --jobs 2, where the main process only gathers results; target a few KB.

Before and after the runs, the same piece of pure Python is timed alone and as
two processes at once, so each figure can be read against how fast the
machine was while it was measured.

The places are written by filling tokens in one prepared workbook's XML
rather than by a spreadsheet library, so generating 1,000 takes seconds.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

BIN = Path(sys.executable).parent
BASE = 100  # the smaller run the steady state is measured against
PAIR = 200  # places for the --jobs 1 against --jobs 2 comparison
PAIRS = int(os.environ.get("BENCH_PAIRS", "3"))  # pairs of alternating runs, for the steady state and for --jobs 2 against 1
# As in bench/bench.py: without PYTHONDONTWRITEBYTECODE the warm-up run leaves readydocs' bytecode, as an
# installed copy has it; with it, every process (the batch, and its forkserver) compiles readydocs again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _token(n: int) -> str:
    return f"@@TOKEN{n:04d}@@"


def master(folder: Path) -> tuple[bytes, int, list]:
    """The sample with a token in the name and each rating cell: its zip bytes, the number of ratings, the choices."""
    import openpyxl

    from readydocs.form import indicator_name
    from readydocs.framework import load_framework
    from readydocs.workbook import named_cell, write_intake

    fw = load_framework()
    path = write_intake(folder / "master.xlsx", fw, sample=True)
    wb = openpyxl.load_workbook(path)
    fields = ["profile.municipality_name"] + [indicator_name("rating", i.id) for i in fw.indicators]
    for n, name in enumerate(fields):
        named_cell(wb, name).value = _token(n)
    wb.save(path)
    return path.read_bytes(), len(fields) - 1, list(fw.scale.choices)  # "1 - Not in place" ... then "Don't know"


def generate(folder: Path, count: int) -> Path:
    data, ratings, choices = master(folder)
    places = folder / "places"
    places.mkdir()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    for n in range(count):
        rng = random.Random(n)
        # Mostly ratings, now and then "Don't know", so places land in every band.
        values = [f"Town of Bench {n:04d}"] + [choices[-1] if rng.random() < 0.06 else rng.choice(choices[:-1])
                                                for _ in range(ratings)]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info, body in entries:
                if b"@@TOKEN" in body:
                    text = body.decode("utf-8")
                    for k, v in enumerate(values):
                        text = text.replace(_token(k), escape(str(v)))
                    body = text.encode("utf-8")
                z.writestr(info, body)
        (places / f"place-{n:04d}.xlsx").write_bytes(out.getvalue())
    return places


def subset(places: Path, folder: Path, count: int) -> Path:
    folder.mkdir()
    for p in sorted(places.iterdir())[:count]:
        os.link(p, folder / p.name)
    return folder


def run(places: Path, out: Path, jobs: int) -> tuple[float, float]:
    """CPU seconds (the batch and the workers it waited for, from wait4) and wall seconds."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "readydocs"), "batch", str(places), "-o", str(out), "--jobs", str(jobs)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"batch --jobs {jobs} over {places} failed ({proc.returncode}):\n{err[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall


# A fixed piece of pure Python work, timed alone and as two processes at once: how fast this machine
# is just now, and how much of a second core it gives (a host sharing its cores shows here first).
PROBE = "import time\nt = time.process_time()\nsum(i * i for i in range(3_000_000))\nprint(time.process_time() - t)"


def probe(rounds: int = 5) -> tuple[float, float]:
    """CPU seconds of the probe alone, and of the slower of two probes run at once (medians of ``rounds``)."""
    alone, both = [], []
    for _ in range(rounds):
        alone.append(_probe_runs(1)[0])
        both.append(max(_probe_runs(2)))
    return statistics.median(alone), statistics.median(both)


def _probe_runs(count: int) -> list[float]:
    procs = [subprocess.Popen([sys.executable, "-c", PROBE], stdout=subprocess.PIPE, text=True) for _ in range(count)]
    return [float(p.communicate()[0]) for p in procs]


def main_peak(places: Path, out: Path, jobs: int) -> int:
    """Peak RSS (KB) of a batch's main process alone, which it reports itself: wait4's ru_maxrss
    would be the largest of the process and its workers. On Linux it is VmHWM: ru_maxrss survives
    exec, so a process started by this one (tens of MB, having generated the places) would report
    at least this one's size."""
    shutil.rmtree(out, ignore_errors=True)
    code = ("import resource, sys\n"
            "from readydocs.cli import cli\n"
            "def peak():\n"
            "    try:\n"
            "        with open('/proc/self/status') as fh:\n"
            "            return next(int(l.split()[1]) for l in fh if l.startswith('VmHWM:'))\n"
            "    except (OSError, StopIteration):\n"
            "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n"
            f"    cli.main(['batch', {str(places)!r}, '-o', {str(out)!r}, '--jobs', '{jobs}'], standalone_mode=False)\n"
            "finally:\n"
            "    print(peak(), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    if done.returncode != 0:
        raise SystemExit(f"batch over {places} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(done.stderr.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 1000
    if count <= BASE:
        raise SystemExit(f"N must be more than {BASE}")
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        places = generate(tmp, count)
        print(f"scaling: generated {count} places in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} CPU(s); "
              f"load average {' '.join(load)}")
        base, pair = subset(places, tmp / "base", BASE), subset(places, tmp / "pair", min(PAIR, count))
        out = tmp / "out"
        run(base, out, 1)  # warm the file cache and bytecode
        before = probe()
        # Each pair of runs close together in time: this machine's speed drifts by a fifth over minutes.
        bases, fulls = [], []
        for _ in range(PAIRS):
            bases.append(run(base, out, 1))
            fulls.append(run(places, out, 1))
        # Medians of alternating runs: another process on two cores slows --jobs 2 far more than --jobs 1.
        ones, twos = [], []
        for _ in range(PAIRS):
            ones.append(run(pair, out, 1)[1])
            twos.append(run(pair, out, 2)[1])
        one, two = statistics.median(ones), statistics.median(twos)
        peak_b, peak_n = main_peak(base, out, 2), main_peak(places, out, 2)
        after = probe()
    steadies = [((n[0] - b[0]) / (count - BASE) * 1000, (n[1] - b[1]) / (count - BASE) * 1000) for b, n in zip(bases, fulls)]
    steady_cpu = statistics.median(c for c, _ in steadies)
    steady_wall = statistics.median(w for _, w in steadies)
    per_place_kb = (peak_n - peak_b) / (count - BASE)
    print(f"  --jobs 1, CPU (wall) in s: {BASE} places " + ", ".join(f"{c:.2f} ({w:.2f})" for c, w in bases)
          + f"; {count} places " + ", ".join(f"{c:.2f} ({w:.2f})" for c, w in fulls))
    checks = [
        ("steady state per place", steady_cpu, "ms CPU", steady_cpu <= 30, "<= 30",
         f"median of {', '.join(f'{c:.2f}' for c, _ in steadies)}; {steady_wall:.1f} ms wall"),
        (f"--jobs 2 vs 1 at {min(PAIR, count)}", one / two, "x", one / two >= 1.8, ">= 1.8",
         f"medians {one:.2f} s against {two:.2f} s (runs: {', '.join(f'{a:.2f}/{b:.2f}' for a, b in zip(ones, twos))})"),
        ("main process per place", per_place_kb, "KB", per_place_kb <= 8, "<= 8",
         f"peak {peak_b / 1024:.0f} MB at {BASE}, {peak_n / 1024:.0f} MB at {count}"),
    ]
    for name, value, unit, ok, target, note in checks:
        print(f"  {name:<24} {value:7.2f} {unit:<6} target {target:<6} {'ok' if ok else 'MISSED':<6} {note}")
    # Times only: the machine's speed swings within seconds, so a ratio of two such times can say
    # that two cores did more than twice one's work.
    print("  machine speed: a fixed piece of Python took (medians of 5) " + " and ".join(
        f"{alone * 1000:.0f} ms alone, {both * 1000:.0f} ms two at once ({when})"
        for (alone, both), when in ((before, "before the runs"), (after, "after"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
