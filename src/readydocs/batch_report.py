"""What a batch tells its user at the end: one row per place, printed as a table and saved as batch-report.json.

Both come from report_rows(), so the table on screen and the file other
programs read always say the same: place, verdict, errors, warnings, what
happened to its documents (written; refused, because a person edited one
since the last build; skipped, because the place could not be built) and,
with --baseline, whether the place was compared or is new.

batch.py runs the batch and calls this module, so this module does not import
batch.py: it reads a batch's result through the two protocols below, the
fields it needs and nothing more (batch.BatchResult and batch.PlaceOutcome
have them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol, Sequence

from .outputs import write_atomic

REPORT_FILENAME = "batch-report.json"
NEW_PLACE = "new"  # a place's earlier round, with --baseline, when the baseline round does not have it


class ReportedPlace(Protocol):
    """What the report reads of one place of a batch."""

    @property
    def name(self) -> str: ...
    @property
    def verdict(self) -> str: ...  # the overall level's label, "" when not scored
    @property
    def errors(self) -> int: ...
    @property
    def warnings(self) -> int: ...
    @property
    def documents(self) -> str: ...
    @property
    def earlier(self) -> str: ...
    @property
    def folder(self) -> str: ...
    @property
    def files(self) -> Sequence[str]: ...
    @property
    def problems(self) -> Sequence[str]: ...
    @property
    def ok(self) -> bool: ...
    @property
    def refused(self) -> bool: ...


class ReportedBatch(Protocol):
    """What the report reads of a whole batch."""

    @property
    def places(self) -> Sequence[ReportedPlace]: ...
    @property
    def built(self) -> Sequence[ReportedPlace]: ...
    @property
    def workbooks(self) -> int: ...
    @property
    def baseline(self) -> Path | None: ...
    @property
    def benchmarked(self) -> bool: ...
    @property
    def notes(self) -> Sequence[str]: ...


REPORT_COLUMNS = (("place", "Place"), ("verdict", "Verdict"), ("errors", "Errors"), ("warnings", "Warnings"),
                  ("documents", "Documents"), ("round", "Round"))


def report_rows(result: ReportedBatch) -> list[dict[str, Any]]:
    """One row per place: what the end-of-run table shows and batch-report.json holds."""
    rows = []
    for p in result.places:
        rows.append({
            "place": p.name or "(municipality not known)",
            "verdict": p.verdict,  # also of a place scored, not all written
            "errors": p.errors, "warnings": p.warnings, "documents": p.documents,
            "round": "" if result.baseline is None else
                     ("new" if p.earlier == NEW_PLACE else "compared" if p.earlier else ""),
            "folder": p.folder, "files": list(p.files), "problems": list(p.problems),
        })
    return rows


def report_document(result: ReportedBatch) -> dict[str, Any]:
    rows = report_rows(result)
    return {
        "workbooks": result.workbooks,
        "places": len(rows),
        "built": len(result.built),
        "refused": sum(1 for p in result.places if p.refused),
        "skipped": sum(1 for p in result.places if not p.ok and not p.refused),
        "baseline": str(result.baseline) if result.baseline else None,
        "benchmark": result.benchmarked,
        "notes": list(result.notes),
        "rows": rows,
    }


def write_report(result: ReportedBatch, out_dir: Path) -> Path:
    path = out_dir / REPORT_FILENAME
    write_atomic(path, (json.dumps(report_document(result), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def format_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The end-of-run table as lines of text, one column per REPORT_COLUMNS entry (empty Round column left out)."""
    columns = [(k, h) for k, h in REPORT_COLUMNS if k != "round" or any(r["round"] for r in rows)]
    cells = [[h for _, h in columns]] + [[str(r[k]) if r[k] != "" else "\u2014" for k, _ in columns] for r in rows]
    widths = [max(len(line[n]) for line in cells) for n in range(len(columns))]
    numeric = {"errors", "warnings"}
    out = []
    for line in cells:
        parts = [text.rjust(w) if k in numeric else text.ljust(w) for (k, _), text, w in zip(columns, line, widths)]
        out.append("  ".join(parts).rstrip())
    return out
