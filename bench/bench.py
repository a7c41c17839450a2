"""`make bench`: each user command against the cheapest alternative a person has.

Every figure is a ratio of medians of paired whole-process runs: the command
and its reference run alternately, as fresh processes, so a busy machine slows
both alike. Targets:

- `readydocs build` <= 1.0x bench/naive.py (openpyxl + docxtpl, no checks, no chart);
- `readydocs validate` <= 0.5x `python -c "import openpyxl; openpyxl.load_workbook(F)"`;
- `readydocs --help` <= 3x `python -c pass`.

BENCH_RUNS sets the number of pairs (default 9); BENCH_COHORT=0 skips the
cohort benchmark (bench/cohort.py) that follows, BENCH_SERVE=0 the local
page's (bench/serve.py).

Every run is made without PYTHONDONTWRITEBYTECODE, so the warm-up run leaves
readydocs' bytecode as `pip install readydocs` does (an editable install is
never compiled at install time, the libraries of the reference script always
are). With that variable set and no bytecode, readydocs compiles its own
modules in every run: about 0.08 s more for validate and 0.1 s for build.
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


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def paired(cmd: list[str], reference: list[str]) -> tuple[float, float]:
    """Medians of the command and its reference, run alternately after one warm-up each."""
    timed(cmd), timed(reference)  # warm the file cache and bytecode
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(timed(cmd))
        theirs.append(timed(reference))
    return statistics.median(ours), statistics.median(theirs)


def prepared_context(path: Path) -> None:
    """The template context of the sample, as plain JSON, for the naive script."""
    from readydocs.context import build_context
    from readydocs.summary import summarise
    from readydocs.framework import load_framework
    from readydocs.assessment import as_of, assess, score_assessment

    fw = load_framework()
    a = assess([SAMPLE], fw)
    ctx = build_context(summarise(a.responses, score_assessment(a), fw, as_of=as_of(a)))
    path.write_text(json.dumps(ctx, default=str), encoding="utf-8")


def main() -> int:
    readydocs = str(BIN / "readydocs")
    python = sys.executable
    from readydocs.render import default_templates_dir

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ctx = tmp / "context.json"
        prepared_context(ctx)
        rows = [
            ("build", paired([readydocs, "build", str(SAMPLE), "-o", str(tmp / "out")],
                             [python, str(ROOT / "bench" / "naive.py"), str(SAMPLE), str(ctx),
                              str(default_templates_dir()), str(tmp / "naive")]),
             "bench/naive.py", 1.0),
            ("validate", paired([readydocs, "validate", str(SAMPLE)],
                                [python, "-c", f"import openpyxl; openpyxl.load_workbook({str(SAMPLE)!r})"]),
             "openpyxl.load_workbook", 0.5),
            ("--help", paired([readydocs, "--help"], [python, "-c", "pass"]), "python -c pass", 3.0),
        ]
    print(f"medians of {RUNS} paired runs")
    print(f"  {'command':<10} {'median':>8} {'reference':>10}  {'ratio':>6}  target   vs")
    for name, (ours, theirs), against, target in rows:
        ratio = ours / theirs
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"  {name:<10} {ours:7.3f}s {theirs:9.3f}s  {ratio:5.2f}x  <= {target:.1f}x  {against}  {verdict}")
    cohort = ROOT / "bench" / "cohort.py"
    if cohort.exists() and os.environ.get("BENCH_COHORT", "1") != "0":
        subprocess.run([python, str(cohort)], check=True)
    serve = ROOT / "bench" / "serve.py"  # the local page: start-up and a build from the page
    if serve.exists() and os.environ.get("BENCH_SERVE", "1") != "0":
        subprocess.run([python, str(serve)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
