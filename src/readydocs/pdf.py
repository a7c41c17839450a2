"""PDF copies of the documents (build --pdf), through LibreOffice (office.py).

All documents go through one LibreOffice run, tagged (structure for screen
readers), and each PDF is written next to its .docx atomically. When
LibreOffice is missing or fails, the .docx files are already written; the
error says so, with exit code 1 because what was asked for is not all there.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

from . import office
from .errors import OfficeMissingError, ReadydocsError
from .outputs import write_atomic

# Tagged PDF: headings, reading order, alt text and table headers reach screen readers.
_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


class PdfError(ReadydocsError):
    """The PDF copies could not be made; the .docx files are unaffected."""

    exit_code = 1


class LibreOfficeMissing(PdfError):
    pass


def to_pdf(docx_paths: Sequence[Path], timeout: float = office.DEFAULT_TIMEOUT) -> list[Path]:
    """Write ``name.pdf`` beside each ``name.docx``; return the PDFs written, in the same order."""
    paths = [Path(p) for p in docx_paths]
    if not paths:
        return []
    written = []
    with tempfile.TemporaryDirectory(prefix="readydocs-pdf-") as tmp:
        out = Path(tmp)
        try:
            proc = office.run_conversion(paths, _FILTER, out, timeout)
        except OfficeMissingError as exc:
            raise LibreOfficeMissing(f"PDFs were not written: {exc.message}", exc.hint) from exc
        except office.ConversionError as exc:
            raise PdfError(f"PDFs were not written: {exc.message}",
                           "The .docx files are written; convert them by hand, or try again.") from exc
        failed = []
        for p in paths:
            made = out / (p.stem + ".pdf")
            if not made.is_file() or made.stat().st_size == 0:
                failed.append(p)
                continue
            target = p.with_suffix(".pdf")
            write_atomic(target, made.read_bytes())
            written.append(target)
        if failed:
            why = office.last_words(proc)
            raise PdfError(f"{', '.join(str(p) for p in failed)}: LibreOffice did not produce a PDF (exit code {proc.returncode})."
                           + (f" LibreOffice said: {why.rstrip('.')}." if why else ""),
                           "The .docx files are written; open them in Word or LibreOffice and save as PDF.")
    return written
