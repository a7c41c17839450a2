"""`make bench`: whole-process timings on the bundled sample, medians of several runs.

Targets: build <= 1.0 s and <= 1.3x the floor (bench/floor.py); validate <= 0.4 s;
--help <= 0.2 s. Each command runs as a fresh process, as a user would run it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "sample-intake.xlsx"
RUNS = int(os.environ.get("BENCH_RUNS", "9"))
BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(cmd: list[str]) -> float:
    timed(cmd)  # warm the file cache and bytecode
    return statistics.median(timed(cmd) for _ in range(RUNS))


def prepared_context(path: Path) -> None:
    from readydocs.context import build_context
    from readydocs.framework import load_framework
    from readydocs.pipeline import assess, score_assessment

    fw = load_framework()
    a = assess([SAMPLE], fw)
    ctx = build_context(a.responses, score_assessment(a), fw)
    path.write_text(json.dumps(ctx), encoding="utf-8")


def main() -> int:
    readydocs = str(BIN / "readydocs")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ctx = tmp / "context.json"
        prepared_context(ctx)
        from readydocs.render import default_templates_dir

        results["build"] = median_of([readydocs, "build", str(SAMPLE), "-o", str(tmp / "out")])
        results["floor"] = median_of([sys.executable, str(ROOT / "bench" / "floor.py"), str(SAMPLE), str(ctx),
                                      str(default_templates_dir()), str(tmp / "floor")])
        results["validate"] = median_of([readydocs, "validate", str(SAMPLE)])
        results["help"] = median_of([readydocs, "--help"])
    ratio = results["build"] / results["floor"]
    checks = [
        ("build", results["build"], results["build"] <= 1.0, "<= 1.0 s"),
        ("build / floor", ratio, ratio <= 1.3, "<= 1.3x"),
        ("validate", results["validate"], results["validate"] <= 0.4, "<= 0.4 s"),
        ("--help", results["help"], results["help"] <= 0.2, "<= 0.2 s"),
    ]
    print(f"medians of {RUNS} runs (floor: {results['floor']:.3f} s)")
    for name, value, ok, target in checks:
        unit = "x" if "/" in name else " s"
        print(f"  {name:<14} {value:7.3f}{unit}  target {target:<9} {'ok' if ok else 'MISSED'}")
    cohort = ROOT / "bench" / "cohort.py"
    if cohort.exists() and os.environ.get("BENCH_COHORT", "1") != "0":
        subprocess.run([sys.executable, str(cohort)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
