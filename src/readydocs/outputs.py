"""Writing files so that a person's work is never lost.

Every file is written to a temporary file in the same folder and renamed over
the target, so an interrupted build leaves the previous file or the new one,
never half of one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Sequence

from .errors import OutputConflictError, WriteError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (temporary file in the same folder, then rename)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        # mkstemp makes a private (0600) file; give the result the permissions the
        # file had, or those a newly saved file gets, so colleagues can still open it.
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise WriteError(f"{path}: cannot write the file ({exc.strerror or exc}).",
                         "Check that the folder can be written to, and close the file if it is open in Word or Excel.") from exc
    except BaseException:
        _discard(tmp)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _discard(tmp: str | None) -> None:
    if tmp:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Set every entry of an Office file (a zip) to one timestamp and one set of permissions.

    Writers stamp entries with the clock; with this, the same input gives the
    same bytes. The headers are patched in place rather than the archive
    recompressed, which would cost as much as writing it did.
    """
    # A zip's DOS timestamp holds 1980 to 2107; clamp rather than fail on a date outside it.
    when = min(max(when, dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58))
    dos_time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    dos_date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    buf = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        raise ValueError("not a zip archive")
    count, _, cd_offset = struct.unpack_from("<HII", buf, end + 10)
    offset = cd_offset
    for _ in range(count):
        if buf[offset:offset + 4] != b"PK\x01\x02":
            raise ValueError("unexpected zip central directory")
        struct.pack_into("<HH", buf, offset + 12, dos_time, dos_date)
        struct.pack_into("<I", buf, offset + 38, 0o644 << 16)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, offset + 28)
        (local,) = struct.unpack_from("<I", buf, offset + 42)
        if buf[local:local + 4] != b"PK\x03\x04":
            raise ValueError("unexpected zip local header")
        struct.pack_into("<HH", buf, local + 10, dos_time, dos_date)
        offset += 46 + name_len + extra_len + comment_len
    return bytes(buf)


# --------------------------------------------------------------------------
# A set of generated files, and the person who edits one of them.
#
# Each output folder keeps a manifest of what readydocs last wrote there and
# the SHA-256 of each file. A file whose bytes no longer match was changed by
# someone (or was never ours): a build refuses to replace it unless forced, and
# a forced build first keeps a dated copy beside it. While a build is writing,
# the manifest also lists the hashes it is about to write ("pending"), so a
# build interrupted half-way is not mistaken for a person's edit next time.

MANIFEST_NAME = ".readydocs-manifest.json"
MANIFEST_FORMAT = 1


@dataclass
class WriteReport:
    written: list[Path] = field(default_factory=list)
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (generated file, copy of the person's edit)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict[str, set[str]]:
    """File name -> hashes readydocs wrote (or was about to write). Empty when there is no usable manifest."""
    try:
        doc = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    known: dict[str, set[str]] = {}
    if not isinstance(doc, dict):
        return known
    for section in ("files", "pending"):
        entries = doc.get(section)
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                known.setdefault(name, set()).add(entry["sha256"])
    return known


def _manifest_bytes(files: dict[str, str], pending: dict[str, str] | None = None) -> bytes:
    doc: dict[str, object] = {
        "format": MANIFEST_FORMAT,
        "note": "Written by readydocs build. It records what readydocs wrote here, so that a file you edit is never overwritten.",
        "files": {name: {"sha256": h} for name, h in sorted(files.items())},
    }
    if pending:
        doc["pending"] = {name: {"sha256": h} for name, h in sorted(pending.items())}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def edited_files(folder: Path, names: Sequence[str], new: dict[str, bytes] | None = None) -> list[Path]:
    """Files among ``names`` in ``folder`` that readydocs did not write as they now are."""
    known = read_manifest(folder)
    out = []
    for name in names:
        path = folder / name
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise WriteError(f"{path}: cannot read the existing file ({exc.strerror or exc}).",
                             "Close it if it is open in Word, and check the folder's permissions.") from exc
        digest = sha256(current)
        if digest in known.get(name, set()) or (new is not None and new.get(name) == current):
            continue
        out.append(path)
    return out


def backup_name(path: Path, when: dt.datetime) -> Path:
    """Where a person's edited copy is kept: beside it, named by when it was last changed.

    readiness-report.docx -> readiness-report.edited-2026-11-28T101500.docx (sorts by date).
    """
    stamp = when.strftime("%Y-%m-%dT%H%M%S")
    candidate = path.with_name(f"{path.stem}.edited-{stamp}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.edited-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def write_outputs(folder: Path, files: Sequence[tuple[str, bytes]], force: bool = False,
                  carried: Collection[str] = ()) -> WriteReport:
    """Write a set of generated files into ``folder``, never losing a person's edits.

    Refuses (OutputConflictError, before writing anything) when a file there was
    changed since readydocs wrote it; with ``force`` keeps a dated copy of each
    such file first. Files named in ``carried`` are meant to be edited (the
    action plan) and their new content already carries the edits forward, so
    they are not refused: a dated copy of the edited file is kept, and the build
    goes on. Each file is written atomically, and the manifest is updated before
    and after, so an interruption at any point loses nothing.
    """
    folder = Path(folder)
    new = dict(files)
    report = WriteReport()
    edited = edited_files(folder, list(new), new)
    refused = [p for p in edited if p.name not in carried]
    if refused and not force:
        names = ", ".join(str(p) for p in refused)
        several = len(refused) > 1
        raise OutputConflictError(
            f"{names} {'have' if several else 'has'} been changed since readydocs wrote {'them' if several else 'it'}; "
            f"not overwritten.",
            f"Rename {'those files' if several else 'that file'} to keep your edits and build again, "
            "or rerun with --force to keep a dated copy beside it and replace it.")
    for path in edited:
        copy = backup_name(path, dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0))
        try:
            shutil.copy2(path, copy)
        except OSError as exc:
            raise WriteError(f"{copy}: cannot keep a copy of your edited file ({exc.strerror or exc}); nothing was replaced.",
                             "Check that the folder can be written to.") from exc
        report.backups.append((path, copy))
    # Other files the manifest lists are carried over; each file about to be
    # replaced is listed as it is now (ours, or a person's edit just copied
    # aside) and, as pending, as it will be.
    kept = {name: sorted(h)[0] for name, h in read_manifest(folder).items()
            if name not in new and (folder / name).exists()}
    now = {name: sha256((folder / name).read_bytes()) for name in new if (folder / name).is_file()}
    hashes = {name: sha256(data) for name, data in new.items()}
    manifest = folder / MANIFEST_NAME
    write_atomic(manifest, _manifest_bytes({**kept, **now}, hashes))
    for name, data in new.items():
        write_atomic(folder / name, data)
        report.written.append(folder / name)
    write_atomic(manifest, _manifest_bytes({**kept, **hashes}))
    return report
