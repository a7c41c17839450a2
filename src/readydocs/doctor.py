"""`readydocs doctor`: what this computer offers readydocs, as plain text to paste into an email.

Every line is "what: finding"; nothing is changed on the computer except a
temporary file created and removed to prove the output folder can be written.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import office
from .version import __version__

# The packages readydocs runs on (pyproject.toml), by their distribution names.
PACKAGES = ("click", "openpyxl", "python-docx", "docxtpl", "Jinja2", "matplotlib", "defusedxml", "rich")
# Text our documents and messages use that a console may not be able to show.
SAMPLE_TEXT = "\u201cDon\u2019t know\u201d \u2014 caf\u00e9"


@dataclass(frozen=True)
class Finding:
    what: str
    finding: str
    ok: bool = True

    def line(self) -> str:
        return f"{self.what}: {self.finding}"


def python_finding() -> Finding:
    ok = sys.version_info >= (3, 10)
    text = f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})"
    return Finding("Python", text if ok else f"{text}; readydocs needs 3.10 or newer.", ok)


def package_findings() -> list[Finding]:
    out = []
    for name in PACKAGES:
        try:
            out.append(Finding(name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append(Finding(name, f"not installed. Run pip install {name}.", ok=False))
    return out


def office_finding() -> Finding:
    soffice = office.find_soffice()
    if soffice is None:
        return Finding("LibreOffice", f"not found (needed only for --pdf). {office.install_hint()}", ok=False)
    found = office.version(soffice)
    if found is None:
        return Finding("LibreOffice", f"found at {soffice}, but it would not start.", ok=False)
    return Finding("LibreOffice", f"{found}, at {soffice}.")


def output_finding(folder: Path) -> Finding:
    """Whether files can be written in ``folder`` (or, if it does not exist yet, made in its nearest parent)."""
    folder = Path(folder)
    where = folder.resolve()
    probe = where
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return Finding("Output folder", f"{where} cannot be made: {probe} is a file, not a folder.", ok=False)
    try:
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".readydocs-doctor-", delete=True):
            pass
    except OSError as exc:
        return Finding("Output folder", f"{where} cannot be written ({exc.strerror or exc}).", ok=False)
    if probe != where:
        return Finding("Output folder", f"{where} does not exist yet; it can be made (in {probe}).")
    return Finding("Output folder", f"{where} can be written.")


def console_finding(stream=None) -> Finding:
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "unknown"
    try:
        SAMPLE_TEXT.encode(encoding)
        shows = "shows curly quotes, dashes and accents"
        ok = True
    except (UnicodeEncodeError, LookupError):
        shows = "cannot show every character; readydocs prints plain stand-ins for those it lacks"
        ok = True  # handled (console.py), but worth knowing
    return Finding("Console encoding", f"{encoding} ({shows}).", ok)


def findings(output: Path) -> list[Finding]:
    return [
        Finding("readydocs", __version__),
        python_finding(),
        Finding("System", f"{platform.system() or 'unknown'} {platform.release()} ({platform.machine() or 'unknown'})"),
        *package_findings(),
        office_finding(),
        output_finding(output),
        console_finding(),
        Finding("Working folder", os.getcwd()),
    ]
