"""Files from the browser: size and count limits, and storage that never trusts a file's name.

An uploaded file is stored under a name readydocs chooses (``01.xlsx``,
``logo.png``, the three template names); the name the person's browser sent
is kept only to be shown back to them (``display_name``). A template set
arrives as a zip: only members whose last name component is one of the three
template names are taken, each written to that fixed name, so a member called
``../../x.docx`` or ``/etc/readiness-report.docx`` lands in the session folder
like any other. Everything a build does with the stored files (the workbook's
zip guard, the template sandbox) is the same as on the command line.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..branding import image_kind
from ..errors import ReadydocsError
from ..wording import shorten

MB = 1024 * 1024
MAX_REQUEST_BYTES = 64 * MB  # one form submission, all files together
MAX_WORKBOOKS = 30  # workbooks in one submission
MAX_WORKBOOK_BYTES = 10 * MB  # each; a real intake workbook is under 100 KB
MAX_LOGO_BYTES = 5 * MB
MAX_TEMPLATES_ZIP_BYTES = 20 * MB
MAX_ZIP_MEMBERS = 100
MAX_TEMPLATE_BYTES = 20 * MB  # each template inside the zip, as declared by the zip
MAX_NAME_CHARS = 80  # of a file name shown back on the page


class UploadError(ReadydocsError):
    """An upload the page will not take (too large, too many files). ``status`` is the HTTP status to answer with."""

    exit_code = 2
    code = "upload-refused"

    def __init__(self, message: str, hint: str | None = None, status: int = 413):
        super().__init__(message, hint)
        self.status = status


@dataclass
class Incoming:
    """One file from the form: the name the browser sent (shown, never used as a path) and its content."""

    name: str
    file: BinaryIO


def display_name(sent: str | None, fallback: str) -> str:
    """The file name as the person knows it: its last component, printable, at most MAX_NAME_CHARS."""
    last = (sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in last if unicodedata.category(ch)[0] != "C")
    return shorten(text, MAX_NAME_CHARS) or fallback


def size_text(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1024))} KB"


def read_limited(incoming: Incoming, limit: int, what: str) -> bytes:
    data = incoming.file.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"{display_name(incoming.name, what)} is larger than {size_text(limit)}, the most this page takes for {what}.",
                          "Check that it is the right file.")
    return data


def save_workbooks(files: list[Incoming], folder: Path) -> list[tuple[Path, str]]:
    """Store each workbook as NN.xlsx in ``folder``; return (stored path, name to show) in the order given."""
    if len(files) > MAX_WORKBOOKS:
        raise UploadError(f"{len(files)} workbooks were added; this page takes at most {MAX_WORKBOOKS} at once.",
                          "Add fewer at a time: each place's workbooks together.")
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    shown: dict[str, int] = {}
    for n, f in enumerate(files, start=1):
        data = read_limited(f, MAX_WORKBOOK_BYTES, "a workbook")
        path = folder / f"{n:02d}.xlsx"
        path.write_bytes(data)
        name = display_name(f.name, f"workbook {n}")
        shown[name] = shown.get(name, 0) + 1
        if shown[name] > 1:  # two files with one name (from two folders) must still be told apart
            name = f"{name} ({shown[name]})"
        stored.append((path, name))
    return stored


def save_logo(incoming: Incoming, folder: Path) -> tuple[Path | None, str | None]:
    """(stored logo, None), or (None, why it cannot be used)."""
    data = read_limited(incoming, MAX_LOGO_BYTES, "a logo")
    kind = image_kind(data)
    if kind is None:
        return None, (f"{display_name(incoming.name, 'The logo')} is not a PNG or JPEG image. "
                      "Save the logo as PNG or JPEG and add that file, or leave the logo out.")
    path = folder / f"logo.{'png' if kind == 'png' else 'jpg'}"
    path.write_bytes(data)
    return path, None


def unpack_templates(incoming: Incoming, folder: Path, names: set[str]) -> tuple[Path | None, list[str], list[str]]:
    """Take the templates named ``names`` out of an uploaded zip into ``folder``.

    Returns (folder, problems, notes); folder is None when the zip cannot be used.
    """
    shown = display_name(incoming.name, "The templates zip")
    data = read_limited(incoming, MAX_TEMPLATES_ZIP_BYTES, "a templates zip")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, [f"{shown} is not a .zip file. Put the three templates in a folder, compress it to a .zip, and add that."], []
    if len(members) > MAX_ZIP_MEMBERS:
        return None, [f"{shown} holds {len(members)} files; a template set is three. Zip only the templates."], []
    found: dict[str, zipfile.ZipInfo] = {}
    problems, notes = [], []
    for info in members:
        if info.is_dir():
            continue
        base = PurePosixPath(info.filename.replace("\\", "/")).name
        if base not in names:
            if base.lower().endswith(".docx") and not base.startswith(("~$", "._")):
                notes.append(f"{display_name(base, 'a file')} in {shown} is not used. Templates must be named {', '.join(sorted(names))}.")
            continue
        if base in found:
            problems.append(f"{shown} holds more than one {base}. Keep one of them.")
            continue
        if info.file_size > MAX_TEMPLATE_BYTES:
            problems.append(f"{base} in {shown} is {size_text(info.file_size)} unpacked, past the {size_text(MAX_TEMPLATE_BYTES)} limit for a template.")
            continue
        found[base] = info
    if not found and not problems:
        problems.append(f"{shown} holds none of the templates. Name them {', '.join(sorted(names))}.")
    if problems:
        return None, problems, notes
    folder.mkdir(parents=True, exist_ok=True)
    for base, info in found.items():
        try:
            with zf.open(info) as src:
                content = src.read(MAX_TEMPLATE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            return None, [f"{base} in {shown} is damaged or encrypted. Zip the templates again, without a password."], notes
        if len(content) > MAX_TEMPLATE_BYTES:
            return None, [f"{base} in {shown} unpacks past the {size_text(MAX_TEMPLATE_BYTES)} limit for a template."], notes
        (folder / base).write_bytes(content)  # ``base`` is one of ``names``, never the member's own path
    return folder, [], notes
