"""Cohort benchmark: `readydocs batch` over 200 generated places of one workbook each.

Targets on a 2-core machine: `batch --jobs 2` <= 10 s wall, >= 1.7x faster
than `--jobs 1`, and peak memory per worker <= 250 MB; the peer comparison
and cohort report (on by default at 200 places) cost at most 1.15x the same
batch with `--no-benchmark` (both `--jobs 2`, runs alternated). Wall times are medians
of BENCH_COHORT_RUNS runs (default 3), each a fresh process as a user would
run it. Peak memory comes from the workers themselves (getrusage in each
worker, reported back with every place), from one more run through the
library. Run it with `python bench/cohort.py` (make bench runs it after the
single-place benchmark).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent
PLACES = int(os.environ.get("BENCH_COHORT_PLACES", "200"))
RUNS = int(os.environ.get("BENCH_COHORT_RUNS", "3"))
SPAN = 50  # places each generator task writes
# As in bench/bench.py: without PYTHONDONTWRITEBYTECODE the warm-up run leaves readydocs' bytecode, as an
# installed copy has it; with it, every batch (and its forkserver) compiles what changed since again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# Which comparisons to run: "jobs" (1 against 2 workers, and memory), "benchmark" (comparison and report on against off).
PARTS = set(os.environ.get("BENCH_COHORT_PARTS", "jobs,benchmark").split(","))


def _generate(args: tuple[str, int, int]) -> None:
    """Copies of the sample with another municipality name and ratings drawn per place."""
    import openpyxl

    from readydocs.form import indicator_name
    from readydocs.framework import load_framework
    from readydocs.workbook import named_cell

    master, start, stop = args
    fw = load_framework()
    choices = fw.scale.choices  # "1 - Not in place" ... plus "Don't know"
    for n in range(start, stop):
        rng = random.Random(n)
        wb = openpyxl.load_workbook(master)

        def put(name: str, value) -> None:
            named_cell(wb, name).value = value

        put("profile.municipality_name", f"Town of Bench {n:03d}")
        for ind in fw.indicators:
            # Mostly ratings, now and then "Don't know", so places land in every band.
            put(indicator_name("rating", ind.id), choices[-1] if rng.random() < 0.06 else rng.choice(choices[:-1]))
        wb.save(Path(master).parent / "places" / f"place-{n:03d}.xlsx")


def generate(folder: Path) -> Path:
    from readydocs.framework import load_framework
    from readydocs.workbook import write_intake

    master = write_intake(folder / "master.xlsx", load_framework(), sample=True)
    (folder / "places").mkdir()
    spans = [(str(master), s, min(s + SPAN, PLACES)) for s in range(0, PLACES, SPAN)]
    with ProcessPoolExecutor() as pool:
        list(pool.map(_generate, spans))
    return folder / "places"


def timed_batch(places: Path, out: Path, jobs: int, *extra: str) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "readydocs"), "batch", str(places), "-o", str(out), "--jobs", str(jobs), *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"batch --jobs {jobs} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def worker_peaks(places: Path, out: Path, jobs: int) -> dict[int, int]:
    from readydocs.batch import run_batch
    from readydocs.framework import load_framework

    shutil.rmtree(out, ignore_errors=True)
    result = run_batch([places], out, load_framework(), jobs=jobs)
    return result.worker_peaks_kb()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        places = generate(tmp)
        print(f"cohort: generated {PLACES} places in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} CPU(s)")
        out = tmp / "out"
        timed_batch(places, out, 2)  # warm the file cache and bytecode
        # Interleaved, so a slow spell on the machine falls on both sides of the ratio.
        serial, parallel, plain = [], [], []
        checks = []
        if "jobs" in PARTS:
            for _ in range(RUNS):
                serial.append(timed_batch(places, out, 1))
                parallel.append(timed_batch(places, out, 2))
        if "benchmark" in PARTS:
            for _ in range(RUNS):
                plain.append(timed_batch(places, out, 2, "--no-benchmark"))
                if "jobs" not in PARTS:
                    parallel.append(timed_batch(places, out, 2))
        peaks = worker_peaks(places, out, 2) if "jobs" in PARTS else {}
    p = statistics.median(parallel)
    if serial:
        s = statistics.median(serial)
        peak_mb = max(peaks.values()) / 1024 if peaks else float("nan")
        checks += [
            ("batch --jobs 2", p, "s", p <= 10.0, "<= 10 s"),
            ("speed-up 1 -> 2", s / p, "x", s / p >= 1.7, ">= 1.7x"),
            ("worker peak RSS", peak_mb, "MB", peak_mb <= 250, "<= 250 MB"),
        ]
        print(f"cohort: medians of {RUNS} runs; batch --jobs 1 {s:.2f} s (runs: {', '.join(f'{x:.2f}' for x in serial)}), "
              f"--jobs 2 runs: {', '.join(f'{x:.2f}' for x in parallel)}; {len(peaks)} worker(s)")
    if plain:
        q = statistics.median(plain)
        checks.append(("benchmark+report", p / q, "x", p / q <= 1.15, "<= 1.15x"))
        print(f"cohort: medians of {RUNS} alternated runs; --jobs 2 with comparison and cohort report {p:.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in parallel)}), --no-benchmark {q:.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in plain)})")
    for name, value, unit, ok, target in checks:
        print(f"  {name:<16} {value:7.2f} {unit:<2} target {target:<10} {'ok' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
