"""Render every scenario of tests/scenarios/ into outputs/scenarios/<scenario>/, with PDFs when LibreOffice is present.

`make scenarios` runs this, so a person can page through what each kind of
place receives. The workbooks it builds from are kept beside the documents
(outputs/scenarios/<scenario>/workbooks/) to open and compare.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "scenarios"))

import corpus  # noqa: E402

from readydocs.errors import ReadydocsError  # noqa: E402
from readydocs.framework import load_framework  # noqa: E402


def main(out: Path) -> int:
    framework = load_framework()
    base, scenarios = corpus.load()
    if out.exists():
        shutil.rmtree(out)
    docx_sets = []
    for spec in scenarios:
        folder = out / spec["id"]
        result = corpus.build_scenario(spec, base, framework, folder)
        if not result.assessment.valid:
            print(f"{spec['id']}: not valid: " + "; ".join(p.line() for p in result.assessment.report.errors))
            return 1
        docx_sets.append([p for p in result.written if p.suffix == ".docx"])
        print(f"{spec['id']}: {result.scores.level} -> {result.out_dir}")
    try:
        from readydocs.pdf import to_pdf

        # One conversion per place: the documents of different places share file names.
        pdfs = [pdf for docs in docx_sets for pdf in to_pdf(docs)]
        print(f"{len(pdfs)} PDFs written beside the documents.")
    except ReadydocsError as exc:
        print(f"No PDFs: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "outputs" / "scenarios"))
