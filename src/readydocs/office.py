"""Running LibreOffice (soffice) headless: the one place readydocs starts it.

Each run uses its own temporary LibreOffice profile, so conversions running
at the same time (parallel tests, two builds, a desktop LibreOffice left open)
never wait on or corrupt each other's profile lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from .errors import OfficeMissingError, ReadydocsError

# Where LibreOffice lives when it is installed but not on PATH.
KNOWN_LOCATIONS: tuple[str, ...] = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/opt/libreoffice/program/soffice",
    "/usr/lib/libreoffice/program/soffice",
)
# On Windows the program folders come from the environment (another drive, another
# language); LibreOffice installs into <folder>\LibreOffice\program\soffice.exe, a
# per-user install under %LOCALAPPDATA%\Programs, and versions before 5 into "LibreOffice N".
WINDOWS_FOLDERS = ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)", "LOCALAPPDATA")
DEFAULT_TIMEOUT = 300


class ConversionError(ReadydocsError):
    """LibreOffice ran but did not produce the converted file."""

    exit_code = 2


def install_hint() -> str:
    where = " or set READYDOCS_SOFFICE to the soffice program."
    if sys.platform.startswith("linux"):
        return ("Install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui; "
                "Fedora: dnf install libreoffice-writer)," + where)
    if sys.platform == "darwin":
        return "Install LibreOffice from libreoffice.org (or: brew install --cask libreoffice)," + where
    return "Install LibreOffice from libreoffice.org," + where


def find_soffice() -> str | None:
    """$READYDOCS_SOFFICE, else soffice or libreoffice on PATH, else a usual install location."""
    explicit = os.environ.get("READYDOCS_SOFFICE")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (*windows_locations(), *KNOWN_LOCATIONS):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def windows_locations(environ=None) -> list[str]:
    """soffice.exe paths under the Windows program folders named in the environment, newest layout first."""
    environ = os.environ if environ is None else environ
    found: list[str] = []
    for var in WINDOWS_FOLDERS:
        root = environ.get(var) or environ.get(var.upper())
        if not root:
            continue
        base = Path(root) / "Programs" if var == "LOCALAPPDATA" else Path(root)
        candidates = [base / "LibreOffice" / "program" / "soffice.exe"]
        try:
            candidates += sorted(base.glob("LibreOffice [0-9]*/program/soffice.exe"), reverse=True)
        except OSError:
            pass
        found += [str(c) for c in candidates if str(c) not in found]
    return found


def version(soffice: str, timeout: float = 30) -> str | None:
    """The first line `soffice --version` prints, or None when it will not run."""
    try:
        proc = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (proc.stdout or "").strip().splitlines()
    return " ".join(lines[0].split())[:120] if proc.returncode == 0 and lines else None


def available() -> bool:
    return find_soffice() is not None


def run_conversion(paths: Sequence[Path], fmt: str, outdir: Path,
                   timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess:
    """One headless soffice run converting ``paths`` to ``fmt`` into ``outdir``; the caller checks the results."""
    soffice = find_soffice()
    if soffice is None:
        raise OfficeMissingError("LibreOffice (soffice) is needed for this and was not found.", install_hint())
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="readydocs-soffice-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir.resolve()), *[str(Path(p).resolve()) for p in paths]]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
        except subprocess.TimeoutExpired:
            raise ConversionError(f"LibreOffice did not finish within {timeout:.0f} seconds.",
                                  "Close other LibreOffice windows and try again.")
        except OSError as exc:
            raise OfficeMissingError(f"LibreOffice ({soffice}) could not be started ({exc.strerror or exc}).", install_hint())


def last_words(proc: subprocess.CompletedProcess) -> str:
    """LibreOffice's last line of output, for an error message."""
    lines = (proc.stderr or proc.stdout or "").strip().splitlines()
    return " ".join(lines[-1].split())[:200] if lines else ""


def convert(path: str | Path, fmt: str, outdir: str | Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert ``path`` to ``fmt`` ("pdf", "xlsx", "docx", or "pdf:writer_pdf_Export" style) in ``outdir``.

    Returns the path of the converted file (the input's stem with the new
    extension). Raises OfficeMissingError when LibreOffice is not installed and
    ConversionError when it fails or produces nothing.
    """
    path, outdir = Path(path), Path(outdir)
    if find_soffice() is None:
        raise OfficeMissingError("LibreOffice (soffice) is needed for this and was not found.", install_hint())
    if not path.is_file():
        raise ConversionError(f"{path}: no such file to convert.")
    ext = fmt.split(":", 1)[0]
    target = outdir / f"{path.stem}.{ext}"
    if target.resolve() == path.resolve():
        raise ConversionError(f"{path}: converting it to {ext} in its own folder would replace it.",
                              "Give another output folder.")
    try:
        proc = run_conversion([path], fmt, outdir, timeout)
    except ConversionError as exc:
        raise ConversionError(f"{path}: {exc.message}", exc.hint)
    if proc.returncode != 0 or not target.is_file():
        detail = last_words(proc)
        raise ConversionError(f"{path}: LibreOffice could not convert it to {ext}" + (f" ({detail})." if detail else "."),
                              "Open the file in LibreOffice to see whether it is damaged.")
    return target
