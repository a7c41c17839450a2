"""PDF copies of the documents (build --pdf), through LibreOffice (office.py).

All documents go through one LibreOffice run, tagged (structure for screen
readers). LibreOffice reads and writes only a private temporary folder;
readydocs then writes the PDFs into the output folder itself, through the
folder's manifest (outputs.py), so an edited PDF is protected like an edited
document. When LibreOffice is missing or fails, the error says so, with exit
code 1 because what was asked for is not all there.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

from . import office
from .errors import OfficeMissingError, ReadydocsError
from .outputs import write_outputs

# Tagged PDF: headings, reading order, alt text and table headers reach screen readers.
_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


class PdfError(ReadydocsError):
    """The PDF copies could not be made; the .docx files are unaffected."""

    exit_code = 1


class LibreOfficeMissing(PdfError):
    pass


def pdf_name(docx_name: str) -> str:
    return str(Path(docx_name).with_suffix(".pdf"))


def pdf_bytes(documents: Sequence[tuple[str, bytes]], timeout: float = office.DEFAULT_TIMEOUT,
              shown_as: Sequence[Path] | None = None) -> list[tuple[str, bytes]]:
    """(name.pdf, PDF bytes) for each (name.docx, document bytes), in the same order.

    ``shown_as``: the paths to name in an error (where the documents are, or will be).
    """
    if not documents:
        return []
    shown = list(shown_as) if shown_as is not None else [Path(name) for name, _ in documents]
    with tempfile.TemporaryDirectory(prefix="readydocs-pdf-") as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        out.mkdir()
        paths = []
        for name, data in documents:
            (src / name).write_bytes(data)
            paths.append(src / name)
        try:
            proc = office.run_conversion(paths, _FILTER, out, timeout)
        except OfficeMissingError as exc:
            raise LibreOfficeMissing(f"PDFs were not written: {exc.message}", exc.hint) from exc
        except office.ConversionError as exc:
            raise PdfError(f"PDFs were not written: {exc.message}",
                           "The .docx files are written; convert them by hand, or try again.") from exc
        made, failed = [], []
        for (name, _), path, where in zip(documents, paths, shown):
            pdf = out / (path.stem + ".pdf")
            if not pdf.is_file() or pdf.stat().st_size == 0:
                failed.append(where)
            else:
                made.append((pdf_name(name), pdf.read_bytes()))
        if failed:
            why = office.last_words(proc)
            raise PdfError(f"{', '.join(str(p) for p in failed)}: LibreOffice did not produce a PDF (exit code {proc.returncode})."
                           + (f" LibreOffice said: {why.rstrip('.')}." if why else ""),
                           "The .docx files are written; open them in Word or LibreOffice and save as PDF.")
    return made


def to_pdf(docx_paths: Sequence[Path], timeout: float = office.DEFAULT_TIMEOUT, force: bool = False) -> list[Path]:
    """Write ``name.pdf`` beside each ``name.docx`` through its folder's manifest; return the PDFs written, in order."""

    paths = [Path(p) for p in docx_paths]
    made = pdf_bytes([(p.name, p.read_bytes()) for p in paths], timeout, shown_as=paths)
    by_folder: dict[Path, list[tuple[str, bytes]]] = {}
    for p, (name, data) in zip(paths, made):
        by_folder.setdefault(p.parent, []).append((name, data))
    written: dict[Path, Path] = {}
    for folder, files in by_folder.items():
        for path in write_outputs(folder, files, force=force).written:
            written[path] = path
    return [written[p.with_suffix(".pdf")] for p in paths]
