"""The logo in each document's header: found, checked and sized here.

The profile sheet's "Logo file" cell names a PNG or JPEG, relative to the
workbook (or a full path); ``build --logo PATH`` takes its place. Checking the
cell is part of validation (``logo_problem``), so ``readydocs validate``
reports a missing logo at its cell before anyone builds. Rendering puts the
logo where a template says ``{{ logo }}``; its alt text names the organization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableFileError
from .localfile import LocalFileError, read_limited
from .paths import is_network_path

LOGO_HEIGHT_MM = 12.0
LOGO_MAX_WIDTH_MM = 60.0
# Validation codes for the profile's logo cell; --logo makes them moot.
LOGO_CODES = frozenset({"logo-not-found", "logo-not-image", "logo-not-local"})
# A letterhead logo is tens of kilobytes; a file past this is not read further.
MAX_LOGO_BYTES = 5 * 1024 * 1024
# "http:", "file:", "ftp:" ... but not a Windows drive letter such as "C:".
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")

_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))


@dataclass(frozen=True)
class Logo:
    data: bytes
    width_mm: float
    height_mm: float
    alt: str


def image_kind(data: bytes) -> str | None:
    """"png" or "jpeg" from the file's first bytes, else None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def logo_path(value: str, workbook: Path) -> Path:
    """Where the logo cell points: a full path, or a path relative to the workbook's folder.

    Quotes around the path (Windows' "Copy as path" adds them) are ignored, and
    backslashes work as folder separators on every system.
    """
    text = value.strip().strip('"').strip()
    try:
        candidate = Path(text).expanduser()
    except RuntimeError:  # "~name" for a user this system does not have: take it literally
        candidate = Path(text)
    if not candidate.is_absolute() and "\\" in text and not Path(workbook).parent.joinpath(candidate).exists():
        candidate = Path(text.replace("\\", "/"))
    return candidate if candidate.is_absolute() else Path(workbook).parent / candidate


def is_remote(value: str) -> bool:
    """A web address (http://, file:, ...) or a network path (paths.is_network_path): never fetched."""

    text = str(value).strip().strip('"').strip()
    return is_network_path(text) or bool(_URL.match(text))


def _read(path: Path) -> tuple[bytes | None, str | None]:
    try:
        return read_limited(path, MAX_LOGO_BYTES), None
    except LocalFileError as exc:
        if exc.reason.startswith("is larger"):
            return None, f"{exc.reason} for a logo"
        return None, exc.reason


def logo_problem(value: str, workbook: Path) -> tuple[str, str] | None:
    """(code, message) when the profile's logo cell cannot be used; None when it can."""
    if is_remote(value):
        return ("logo-not-local",
                f"Logo file '{value}' is a web or network address; readydocs reads only files on this computer. "
                f"Save the logo beside this workbook and give its file name.")
    path = logo_path(value, workbook)
    data, why = _read(path)
    if data is None:
        return ("logo-not-found",
                f"Logo file '{value}' {why} (looked for {path}). Give the path relative to this workbook or in full, or clear the cell.")
    if image_kind(data) is None:
        return ("logo-not-image", f"Logo file '{value}' is not a PNG or JPEG image. Save the logo as PNG or JPEG and give that file.")
    return None


def load_logo(path: Path, organization: str, source: str) -> Logo:
    """Read and size a logo. ``source`` says where the path came from, for the error line."""
    # python-docx only to size a logo that goes into documents; validate checks the file without it.
    from docx.image.image import Image

    if is_remote(str(path)):
        raise UnreadableFileError(f"{source}: the logo {path} is a web or network address; readydocs reads only files on this computer.",
                                  "Save the logo on this computer and give its path.")
    data, why = _read(path)
    if data is None:
        raise UnreadableFileError(f"{source}: the logo file {path} {why}.", "Check the path.")
    if image_kind(data) is None:
        raise UnreadableFileError(f"{source}: the logo file {path} is not a PNG or JPEG image.", "Save the logo as PNG or JPEG.")
    try:
        image = Image.from_blob(data)
        width_px, height_px = image.px_width, image.px_height
        if width_px <= 0 or height_px <= 0:
            raise ValueError("no size")
    except Exception as exc:
        raise UnreadableFileError(f"{source}: the logo file {path} is damaged or not a complete image ({type(exc).__name__}).",
                                  "Export the logo again as PNG or JPEG.") from exc
    height = LOGO_HEIGHT_MM
    width = height * width_px / height_px
    if width > LOGO_MAX_WIDTH_MM:
        width, height = LOGO_MAX_WIDTH_MM, LOGO_MAX_WIDTH_MM * height_px / width_px
    return Logo(data, round(width, 2), round(height, 2), f"Logo of {organization}" if organization else "Logo")


def logo_for(response, organization: str, override: Path | None = None) -> Logo | None:
    """The logo for a place's documents: --logo, else the first workbook's logo cell, else none."""
    if override is not None:
        return load_logo(Path(override), organization, "--logo")
    value = response.profile.logo_file
    if not value:
        return None
    return load_logo(logo_path(value, response.source), organization,
                     f"{response.source}, sheet Profile, Logo file")


def drop_logo_problems(report) -> None:
    """With --logo, the workbook's own logo cell is not used, so its problems no longer stop the build."""
    report.problems[:] = [p for p in report.problems if p.code not in LOGO_CODES]
