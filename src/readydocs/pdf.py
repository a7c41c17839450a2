"""PDF copies of the documents, through LibreOffice running headless.

Each conversion runs ``soffice`` with its own temporary user profile
(``-env:UserInstallation``), so two builds at once, or a LibreOffice window a
person has open, do not collide. The PDFs are tagged (structure for screen
readers) and written next to the .docx files, each atomically.

When LibreOffice is not installed, ``LibreOfficeMissing`` says so and how to
install it; the .docx files are already written by then.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from .errors import ReadydocsError
from .outputs import write_atomic

# Where LibreOffice lives when it is installed but not on PATH.
KNOWN_LOCATIONS: tuple[str, ...] = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/opt/libreoffice/program/soffice",
    "/usr/lib/libreoffice/program/soffice",
)
COMMANDS = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 300
# Tagged PDF: headings, reading order, alt text and table headers reach screen readers.
_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


class PdfError(ReadydocsError):
    """The PDF copies could not be made; the .docx files are unaffected."""

    exit_code = 1


class LibreOfficeMissing(PdfError):
    pass


def install_hint() -> str:
    if sys.platform.startswith("linux"):
        return ("Install LibreOffice (for example 'sudo apt-get install libreoffice-writer-nogui' on Debian or Ubuntu, "
                "'sudo dnf install libreoffice-writer' on Fedora) and build again.")
    if sys.platform == "darwin":
        return "Install LibreOffice from https://www.libreoffice.org/download/ (or 'brew install --cask libreoffice') and build again."
    return "Install LibreOffice from https://www.libreoffice.org/download/ and build again."


def find_soffice() -> str | None:
    for name in COMMANDS:
        found = shutil.which(name)
        if found:
            return found
    for candidate in KNOWN_LOCATIONS:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def to_pdf(docx_paths: Sequence[Path], timeout: float = TIMEOUT_SECONDS) -> list[Path]:
    """Write ``name.pdf`` beside each ``name.docx``; return the PDFs written, in the same order."""
    paths = [Path(p) for p in docx_paths]
    if not paths:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeMissing("PDFs were not written: LibreOffice (soffice) is not installed or not on PATH.", install_hint())
    written = []
    with tempfile.TemporaryDirectory(prefix="readydocs-pdf-") as tmp:
        tmp_dir = Path(tmp)
        profile = (tmp_dir / "profile").as_uri()
        out = tmp_dir / "out"
        out.mkdir()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", _FILTER, "--outdir", str(out), *[str(p) for p in paths]]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"PDFs were not written: LibreOffice did not finish within {int(timeout)} seconds.",
                           "The .docx files are written; convert them by hand, or try again.") from exc
        except OSError as exc:
            raise PdfError(f"PDFs were not written: LibreOffice ({soffice}) could not be started ({exc.strerror or exc}).",
                           install_hint()) from exc
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
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()
            why = f" LibreOffice said: {detail[-1]}" if detail else ""
            raise PdfError(f"{', '.join(str(p) for p in failed)}: LibreOffice did not produce a PDF (exit code {proc.returncode}).{why}",
                           "The .docx files are written; open them in Word or LibreOffice and save as PDF.")
    return written
