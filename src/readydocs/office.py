"""Converting files with LibreOffice (soffice), run headless.

Each call uses its own temporary LibreOffice profile, so conversions running
at the same time (parallel tests, a batch, a desktop LibreOffice left open)
never wait on or corrupt each other's profile lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import OfficeMissingError, ReadydocsError

INSTALL_HINT = (
    "Install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui; "
    "macOS: brew install --cask libreoffice), or put soffice on PATH or in the READYDOCS_SOFFICE environment variable."
)
DEFAULT_TIMEOUT = 180


class ConversionError(ReadydocsError):
    """LibreOffice ran but did not produce the converted file."""

    exit_code = 2


def find_soffice() -> str | None:
    """The soffice executable: $READYDOCS_SOFFICE, else soffice or libreoffice on PATH, else the macOS app."""
    explicit = os.environ.get("READYDOCS_SOFFICE")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    mac = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    return str(mac) if mac.is_file() else None


def available() -> bool:
    return find_soffice() is not None


def convert(path: str | Path, fmt: str, outdir: str | Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert ``path`` to ``fmt`` ("pdf", "xlsx", "docx", or "pdf:writer_pdf_Export" style) in ``outdir``.

    Returns the path of the converted file (the input's stem with the new
    extension). Raises OfficeMissingError when LibreOffice is not installed and
    ConversionError when it fails or produces nothing.
    """
    path, outdir = Path(path), Path(outdir)
    soffice = find_soffice()
    if soffice is None:
        raise OfficeMissingError("LibreOffice (soffice) is needed for this and was not found.", INSTALL_HINT)
    if not path.is_file():
        raise ConversionError(f"{path}: no such file to convert.")
    ext = fmt.split(":", 1)[0]
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{path.stem}.{ext}"
    if target.resolve() == path.resolve():
        raise ConversionError(f"{path}: converting it to {ext} in its own folder would replace it.",
                              "Give another output folder.")
    with tempfile.TemporaryDirectory(prefix="readydocs-soffice-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir.resolve()), str(path.resolve())]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"{path}: LibreOffice did not finish converting to {ext} within {timeout:.0f} seconds.",
                                  "Close other LibreOffice windows and try again.")
        except OSError as exc:
            raise OfficeMissingError(f"LibreOffice ({soffice}) could not be started ({exc.strerror or exc}).", INSTALL_HINT)
    if proc.returncode != 0 or not target.is_file():
        detail = " ".join((proc.stderr or proc.stdout or "").split())[:200]
        raise ConversionError(f"{path}: LibreOffice could not convert it to {ext}" + (f" ({detail})." if detail else "."),
                              "Open the file in LibreOffice to see whether it is damaged.")
    return target
