"""Writing files so that a person's work is never lost.

Longer than most modules because a file written, the folder's manifest and
its lock are one promise (nothing a person edited is lost), and each step
of it depends on the others.

Every file is written to a temporary file in the same folder and renamed over
the target, so an interrupted build leaves the previous file or the new one,
never half of one. An output folder is held by one build at a time and keeps
a manifest of what readydocs wrote there (OutputFolder).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Collection, Sequence

from .errors import FolderBusyError, FolderOwnerError, OutputConflictError, WriteError
from .places import PlaceIdentity


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (temporary file in the same folder, then rename)."""
    write_all_atomic([(path, data)])


def write_all_atomic(files: Sequence[tuple[Path, bytes]], before_last: Callable[[], None] | None = None) -> None:
    """Replace each path with its bytes, one after another in the order given, each in one step.

    Every file is first written in full to a temporary file beside it; the
    temporary files are made durable together (_make_durable); only then is
    each renamed over its target, so even after a power cut a target holds
    its old bytes or all of its new ones. ``before_last`` runs when every file
    but the last is in place, before the last is renamed.
    """
    staged = _Staged.write(files, before_last)
    try:
        staged.make_durable([staged])
        staged.put_in_place()
    finally:
        staged.discard()


class _Staged:
    """Files written in full to temporary files beside their targets: made durable, then put in place.

    The steps of write_all_atomic, apart so that the files of several writes (a batch task's
    places) are made durable by one flush (make_durable) before any is put in place.
    """

    def __init__(self, before_last: Callable[[], None] | None = None):
        self.fds: list[int] = []
        self.made: list[tuple[str, Path]] = []  # (temporary file, its target), renamed in this order
        self.before_last = before_last
        self.last_path = Path()  # the file a failure is told of

    @classmethod
    def write(cls, files: Sequence[tuple[Path, bytes]], before_last: Callable[[], None] | None = None) -> "_Staged":
        staged = cls(before_last)
        try:
            for path, data in files:
                staged.last_path = path
                try:
                    fd, tmp = _temporary_file(path)
                except FileNotFoundError:  # a new folder: made only then (a batch writes thousands of files into existing ones)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    fd, tmp = _temporary_file(path)
                staged.fds.append(fd)
                staged.made.append((tmp, path))
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
        except OSError as exc:
            staged.discard()
            raise _write_error(staged.last_path, exc) from exc
        except BaseException:
            staged.discard()
            raise
        return staged

    @staticmethod
    def make_durable(writes: Sequence["_Staged"]) -> None:
        """The files of every write on disk, together (WriteError, naming the first write's last file, when not)."""
        try:
            _make_durable([fd for w in writes for fd in w.fds])
        except OSError as exc:
            raise _write_error(writes[0].last_path, exc) from exc

    def put_in_place(self) -> None:
        """Rename each file over its target, in order (after make_durable)."""
        try:
            while self.fds:
                os.close(self.fds.pop())
            while self.made:
                tmp, self.last_path = self.made[0]
                if len(self.made) == 1 and self.before_last is not None:
                    self.before_last()
                os.replace(tmp, self.last_path)
                self.made.pop(0)
        except OSError as exc:
            raise _write_error(self.last_path, exc) from exc

    def discard(self) -> None:
        """Close and remove the temporary files not yet put in place (none once put_in_place has finished)."""
        _discard(self.fds, self.made)
        self.fds, self.made = [], []


def _write_error(path: Path, exc: OSError) -> WriteError:
    return WriteError(f"{path}: cannot write the file ({exc.strerror or exc}).",
                      "Check that the folder can be written to, and close the file if it is open in Word or Excel.")


def _temporary_file(path: Path) -> tuple[int, str]:
    """A new file beside ``path`` for its next bytes, named as _TEMP_FILE describes: (descriptor, name).

    Made as tempfile.mkstemp makes one (a random name, created exclusively, never through a
    link), without its per-name bookkeeping, and with the permissions the file has, or those a
    newly saved file gets, so colleagues can still open the result.
    """
    mode = _mode_for(path)
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(name, _EXCLUSIVE | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0), mode)
        except FileExistsError:
            continue
        if mode & ~_UMASK != mode:  # the umask took bits the file had
            try:
                os.chmod(name, mode)
            except BaseException:
                os.close(fd)
                _discard([], [(name, path)])
                raise
        return fd, name
    raise FileExistsError(errno.EEXIST, "no unused name for a temporary file", str(path.parent))


def _make_durable(fds: list[int]) -> None:
    """The data of every file in ``fds`` on disk.

    An fsync of each file costs one journal commit apiece; on Linux, several files
    on one local filesystem are made durable by one syncfs of it instead (a few
    milliseconds less for each place a batch writes). Elsewhere, on network
    shares, across filesystems, or when syncfs fails, each file is fsynced.
    """
    if len(fds) > 1 and len({os.fstat(fd).st_dev for fd in fds}) == 1 and _flushes_as_one(fds[0]):
        if _syncfs(fds[0]):
            return
    for fd in fds:
        os.fsync(fd)


# Filesystems whose syncfs writes every dirty file and commits the journal, as fsync does for one;
# a network share's may not reach the server's disk.
_LOCAL_FILESYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "zfs", "overlay", "tmpfs"})
_local_devices: dict[int, bool] = {}


def _flushes_as_one(fd: int) -> bool:
    """Whether the file's filesystem is a local one that syncfs makes durable as a whole (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    dev = os.fstat(fd).st_dev
    if dev not in _local_devices:
        if len(_local_devices) > 64:  # a process writes to few filesystems; the cache stays small
            _local_devices.clear()
        _local_devices[dev] = _filesystem_type(dev) in _LOCAL_FILESYSTEMS
    return _local_devices[dev]


def _filesystem_type(dev: int) -> str:
    """The type of the mounted filesystem with device number ``dev``, from /proc/self/mountinfo ("" if not found)."""
    wanted = f"{os.major(dev)}:{os.minor(dev)}"
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) > 2 and fields[2] == wanted and " - " in line:
                    return line.split(" - ", 1)[1].split()[0]
    except OSError:
        pass
    return ""


@lru_cache(maxsize=1)
def _libc_syncfs():
    try:
        import ctypes  # only where syncfs may be called: Linux, several files on one local filesystem

        call = ctypes.CDLL(None, use_errno=True).syncfs
    except (ImportError, OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int]
    call.restype = ctypes.c_int
    return call


def _syncfs(fd: int) -> bool:
    """syncfs(2) on the file's filesystem; False when the C library lacks it or it fails (then fsync each)."""
    call = _libc_syncfs()
    return call is not None and call(fd) == 0


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


def _discard(fds: list[int], made: list[tuple[str, Path]]) -> None:
    """Close and remove the temporary files of a write that failed (those not yet renamed)."""
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    for tmp, _ in made:
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
# An output folder: one place's generated files, and the people who edit them.
#
# Each output folder keeps a manifest of what readydocs last wrote there (the
# SHA-256 of each file) and whose place it holds. A file whose bytes no longer
# match was changed by someone (or was never ours): a build refuses to replace
# it unless forced, and a forced build first keeps a dated copy beside it.
# While a build is writing, the manifest also lists the hashes it is about to
# write ("pending"), so a build interrupted half-way is not mistaken for a
# person's edit next time. One build at a time holds a folder (a lock file
# beside the manifest), so a folder's set of files always comes from one build.

MANIFEST_NAME = ".readydocs-manifest.json"
LOCK_NAME = ".readydocs-lock"
MANIFEST_FORMAT = 1
DEFAULT_WAIT = 30.0  # seconds a build waits for another build of the same folder
DEFAULT_KEEP_BACKUPS = 5  # dated copies of a person's edits kept per file
_TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")  # _temporary_file's names (and mkstemp's, before)
# A kept copy of a person's edit: readiness-report.edited-2026-11-28T101500-2.docx
_COPY_NAME = re.compile(r"^(?P<stem>.+)\.edited-(?P<stamp>\d{4}-\d\d-\d\dT\d{6})(?:-(?P<n>\d+))?(?P<suffix>\.[^.]*)$")
_MAX_BACKUP_ATTEMPTS = 1000
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


@dataclass
class WriteReport:
    written: list[Path] = field(default_factory=list)
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (generated file, copy of the person's edit)
    pruned: list[Path] = field(default_factory=list)  # older copies of edits, past the number kept
    retired: list[Path] = field(default_factory=list)  # an earlier build's files this build does not make
    leftovers: list[Path] = field(default_factory=list)  # temporary files an interrupted build left


@dataclass
class Manifest:
    files: dict[str, set[str]]  # file name -> hashes readydocs wrote (or was about to write)
    place: PlaceIdentity | None  # whose documents the folder holds; None when not recorded


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> Manifest:
    """What readydocs recorded in ``folder``; empty when there is no usable manifest."""
    try:
        doc = json.loads((Path(folder) / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return Manifest({}, None)
    if not isinstance(doc, dict):
        return Manifest({}, None)
    known: dict[str, set[str]] = {}
    for section in ("files", "pending"):
        entries = doc.get(section)
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                known.setdefault(name, set()).add(entry["sha256"])
    return Manifest(known, PlaceIdentity.from_dict(doc.get("place")))


def _manifest_bytes(files: dict[str, str], pending: dict[str, str] | None, place: PlaceIdentity | None) -> bytes:
    doc: dict[str, object] = {
        "format": MANIFEST_FORMAT,
        "note": "Written by readydocs. It records what readydocs wrote here, so that a file you edit is never overwritten.",
    }
    if place is not None:
        doc["place"] = place.as_dict()
    doc["files"] = {name: {"sha256": h} for name, h in sorted(files.items())}
    if pending:
        doc["pending"] = {name: {"sha256": h} for name, h in sorted(pending.items())}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class OutputFolder:
    """A folder held by one build: ``with OutputFolder(path, owner) as folder: folder.write(files)``.

    Entering takes the folder's lock (waiting up to ``wait`` seconds for
    another build, then FolderBusyError) and checks that the folder holds
    ``owner``'s documents or nobody's (else FolderOwnerError). Read what the
    new files depend on (the action plan people edit) inside the block, so
    no other build changes it in between.
    """

    def __init__(self, path: Path, owner: PlaceIdentity | None = None, wait: float = DEFAULT_WAIT,
                 keep_backups: int = DEFAULT_KEEP_BACKUPS):
        self.path = Path(path)
        self.owner = owner
        self.wait = wait
        self.keep_backups = max(1, keep_backups)
        self._lock: Callable[[], None] | None = None  # lets the folder's lock go, while the folder is held
        self._pending: list[PendingWrite] = []  # writes started here and not yet finished

    def __enter__(self) -> "OutputFolder":
        if self.path.is_symlink():
            # The folder -o names may be a link; a place's folder inside it is ours, and a link there would
            # send the files (and a person's kept copies) somewhere else.
            raise OutputConflictError(f"{self.path} is a link to another folder; readydocs writes only into the folder itself.",
                                      "Remove the link (or replace it with a folder) and build again.")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            release = _hold(self.path / LOCK_NAME, self.wait)
        except _Busy:
            raise FolderBusyError(f"{self.path}: another readydocs build is writing into this folder; waited {self.wait:g} s.",
                                  "Build again when it has finished, or wait longer with --wait SECONDS.") from None
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot write into this folder ({exc.strerror or exc}).",
                             "Check that the folder can be written to, or choose another with -o.") from exc
        self._lock = release
        try:
            self._check_owner(read_manifest(self.path).place)
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._pending:  # a write started and never finished: its files never reach their targets
            self._pending.pop().staged.discard()
        if self._lock is not None:
            self._lock()
            self._lock = None

    def _check_owner(self, recorded: PlaceIdentity | None) -> None:
        if self.owner is None or recorded is None or recorded == self.owner:
            return
        _, label = recorded.differing_field(self.owner)
        raise FolderOwnerError(
            f"{self.path} holds the documents of {recorded.describe()}, and this build is for {self.owner.describe()} "
            f"(the {label} differs); nothing was written.",
            "Give this place another output folder with -o; if it is the same place spelt differently before, "
            "correct the workbook or move the old folder away.")

    def write(self, files: Sequence[tuple[str, bytes]], force: bool = False, carried: Collection[str] = (),
              retire: Collection[str] = ()) -> WriteReport:
        """Write a set of generated files, never losing a person's edits.

        Refuses (OutputConflictError, before writing anything) when a file
        there was changed since readydocs wrote it; with ``force`` keeps a
        dated copy of each such file first. Files named in ``carried`` are
        meant to be edited (the action plan) and their new content already
        carries the edits forward, so they are not refused: a dated copy of
        the edited file is kept, and the build goes on. Files named in
        ``retire`` that this build does not write (the PDFs, on a build
        without --pdf) are removed when they are as readydocs wrote them, so
        the folder never mixes two builds; edited ones are left alone and
        leave the manifest. Each file is written atomically, and the manifest
        is updated before and after, so an interruption at any point loses
        nothing.
        """
        (done,) = finish_writes([self.start_write(files, force, carried, retire)])
        if isinstance(done, WriteError):
            raise done
        return done

    def start_write(self, files: Sequence[tuple[str, bytes]], force: bool = False, carried: Collection[str] = (),
                    retire: Collection[str] = ()) -> "PendingWrite":
        """write() up to its files written in full beside their targets; finish_writes ends it, inside this 'with' block.

        Apart from write() so that the writes of several folders are made durable by one flush.
        """
        if self._lock is None:
            raise RuntimeError("OutputFolder.write() outside its 'with' block")
        new = dict(files)
        manifest = read_manifest(self.path)
        report = WriteReport()
        report.leftovers = self._remove_leftovers({*new, *manifest.files, *retire, MANIFEST_NAME})
        current = self._current([*new, *(n for n in retire if n not in new)])
        ours = lambda name: sha256(current[name]) in manifest.files.get(name, ())  # noqa: E731
        edited = [name for name in new if name in current and not ours(name) and current[name] != new[name]]
        refused = [name for name in edited if name not in carried]
        if refused and not force:
            paths = [self.path / name for name in refused]
            several = len(paths) > 1
            raise OutputConflictError(
                f"{', '.join(str(p) for p in paths)} {'have' if several else 'has'} been changed since readydocs wrote "
                f"{'them' if several else 'it'}; not overwritten.",
                f"Rename {'those files' if several else 'that file'} to keep your edits and build again, "
                "or rerun with --force to keep a dated copy beside it and replace it.")
        for name in edited:
            report.backups.append((self.path / name, self._keep_copy(name, current[name])))
            report.pruned += self._prune_copies(name)
        stale = [name for name in retire if name not in new and name in current]
        ours_stale = [name for name in stale if ours(name)]
        # Files the manifest lists and this build leaves alone stay listed (as they were recorded:
        # an edit since still shows as one); files about to be replaced are listed as they are now
        # (ours, or a person's edit just copied aside) and, as pending, as they will be.
        kept = {name: self._as_recorded(name, hashes) for name, hashes in manifest.files.items()
                if name not in new and name not in stale and (self.path / name).exists()}
        now = {name: sha256(current[name]) for name in new if name in current}
        written = {name: sha256(data) for name, data in new.items()}
        manifest_path = self.path / MANIFEST_NAME
        place = self.owner or manifest.place
        pending = _manifest_bytes({**kept, **now, **{n: sha256(current[n]) for n in ours_stale}}, written, place)
        final = _manifest_bytes({**kept, **written}, None, place)

        def retire_stale() -> None:
            for name in ours_stale:
                _unlink(self.path / name)
                report.retired.append(self.path / name)

        # The manifest listing what is about to be written takes its place first, then each file,
        # then (once the stale files are gone) the manifest listing only what is there: all written
        # and made durable together, then renamed in this order, so one flush covers a place.
        staged = _Staged.write([(manifest_path, pending), *((self.path / name, data) for name, data in new.items()),
                                (manifest_path, final)], before_last=retire_stale)
        started = PendingWrite(self, report, staged, [self.path / name for name in new])
        self._pending.append(started)
        return started

    def _current(self, names: Sequence[str]) -> dict[str, bytes]:
        """The bytes now at each of ``names`` that exists; a link or folder there is refused outright."""
        out = {}
        for name in names:
            path = self.path / name
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise WriteError(f"{path}: cannot look at the existing file ({exc.strerror or exc}).",
                                 "Check the folder's permissions.") from exc
            if not stat.S_ISREG(info.st_mode):
                kind = "a link" if stat.S_ISLNK(info.st_mode) else "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                raise OutputConflictError(f"{path} is {kind}, which readydocs will not write through or replace; nothing was written.",
                                          "Move it out of the folder and build again.")
            try:
                out[name] = path.read_bytes()
            except OSError as exc:
                raise WriteError(f"{path}: cannot read the existing file ({exc.strerror or exc}).",
                                 "Close it if it is open in Word, and check the folder's permissions.") from exc
        return out

    def _as_recorded(self, name: str, hashes: set[str]) -> str:
        """The hash to go on listing for a file left alone: its own when readydocs wrote it so, else one recorded."""
        path = self.path / name
        try:
            digest = sha256(path.read_bytes()) if stat.S_ISREG(path.lstat().st_mode) else ""
        except OSError:
            digest = ""
        return digest if digest in hashes else sorted(hashes)[0]

    def _remove_leftovers(self, names: Collection[str]) -> list[Path]:
        """Temporary files of ours that a build killed mid-write left behind (nobody else is writing: we hold the lock)."""
        removed: list[Path] = []
        try:
            entries = list(os.scandir(self.path))
        except OSError:
            return removed
        for entry in entries:
            m = _TEMP_FILE.match(entry.name)
            if m and m["name"] in names and entry.is_file(follow_symlinks=False):
                _unlink(Path(entry.path))
                removed.append(Path(entry.path))
        return removed

    def _keep_copy(self, name: str, data: bytes) -> Path:
        """Copy a person's edit beside the file, named by when it was last changed (backup_name), never
        through an existing name: when a name is taken (by anything, even a dangling link), the next is tried.
        """
        path = self.path / name
        info = path.lstat()
        try:
            when = dt.datetime.fromtimestamp(info.st_mtime)
        except (OverflowError, OSError, ValueError):  # a timestamp no calendar holds
            when = dt.datetime.now()
        for n in range(1, _MAX_BACKUP_ATTEMPTS + 1):
            copy = backup_name(path, when, n)
            try:
                fd = os.open(copy, _EXCLUSIVE, info.st_mode & 0o777)
            except FileExistsError:
                continue
            except OSError as exc:
                raise WriteError(f"{copy}: cannot keep a copy of your edited file ({exc.strerror or exc}); nothing was replaced.",
                                 "Check that the folder can be written to.") from exc
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    if os.utime in os.supports_fd:
                        os.utime(fh.fileno(), ns=(info.st_atime_ns, info.st_mtime_ns))
                    os.fsync(fh.fileno())
            except OSError as exc:
                _unlink(copy)
                raise WriteError(f"{copy}: cannot keep a copy of your edited file ({exc.strerror or exc}); nothing was replaced.",
                                 "Check that the folder has space and can be written to.") from exc
            return copy
        raise WriteError(f"{path}: {_MAX_BACKUP_ATTEMPTS} names for a copy of your edited file are taken; nothing was replaced.",
                         "Move the older .edited- copies out of the folder and build again.")

    def _prune_copies(self, name: str) -> list[Path]:
        """Remove the oldest dated copies of ``name`` past the number kept."""
        copies = []
        for entry in os.scandir(self.path):
            m = _COPY_NAME.match(entry.name)
            if m and m["stem"] + m["suffix"] == name and entry.is_file(follow_symlinks=False):
                copies.append(((m["stamp"], int(m["n"] or 1)), Path(entry.path)))
        copies.sort()
        gone = [path for _, path in copies[:max(0, len(copies) - self.keep_backups)]]
        for path in gone:
            _unlink(path)
        return gone


@dataclass(eq=False)
class PendingWrite:
    """A write OutputFolder.start_write began: its files beside their targets until finish_writes puts them in place."""

    folder: OutputFolder
    report: WriteReport
    staged: _Staged
    targets: list[Path]  # the generated files, as the report lists them once written


class Flush:
    """The one flush of several started writes, run in a thread while the caller goes on.

    A flush waits for the disk, not for the CPU, so a batch worker renders its next place
    meanwhile; finish_writes(writes, flush) then waits for it instead of flushing. The thread
    only makes the files' data durable: it changes no folder's state and renames nothing.
    """

    def __init__(self, writes: Sequence[PendingWrite]):
        self._staged = [w.staged for w in writes]
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="readydocs-flush", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            _Staged.make_durable(self._staged)
        except BaseException as exc:  # raised by wait, in the caller's thread
            self._failure = exc

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> None:
        """Until the files are durable; raises what stopped them (a WriteError when the disk refused)."""
        self._thread.join()
        if self._failure is not None:
            raise self._failure


def finish_writes(writes: Sequence[PendingWrite], flush: Flush | None = None) -> list[WriteReport | WriteError]:
    """Make the files of every write durable with one flush, then put each write's files in place, in order.

    Each write's report, or the WriteError that stopped it, in the order given: one write
    failing leaves the others to go on; a failed flush stops them all before any file is
    renamed. ``flush``: a Flush of exactly these writes, already started, waited for instead.
    Call it while every write's folder is still held (its 'with' block).
    """
    try:
        if any(w.folder._lock is None for w in writes):
            raise RuntimeError("finish_writes() after a folder's 'with' block")
        try:
            if flush is None:
                _Staged.make_durable([w.staged for w in writes])
            else:
                flush.wait()
        except WriteError as exc:
            return [exc for _ in writes]
        done: list[WriteReport | WriteError] = []
        for w in writes:
            try:
                w.staged.put_in_place()
            except WriteError as exc:
                done.append(exc)
                continue
            w.report.written += w.targets
            done.append(w.report)
        return done
    finally:
        for w in writes:
            w.staged.discard()
            if w in w.folder._pending:
                w.folder._pending.remove(w)


class _Busy(Exception):
    """Raised by _hold when another process held the lock for the whole wait."""


def _hold(lock_file: Path, wait: float) -> Callable[[], None]:
    """Take the lock file, waiting up to ``wait`` seconds (_Busy after); returns what lets it go.

    The lock is the operating system's on the open file (flock), so it goes with a
    process that is killed. On POSIX systems it is taken here directly, as the
    filelock package takes it there (the two see each other's locks), without that
    package's probing of the folder, about a millisecond per folder a batch writes;
    on Windows, and where flock is refused, by filelock itself.
    """
    try:
        import fcntl  # POSIX only; only a build holds a folder
    except ImportError:  # Windows
        return _hold_with_filelock(lock_file, wait)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o666)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:  # held by another build
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Busy(lock_file) from None
                time.sleep(min(0.05, left))
    except _Busy:
        os.close(fd)
        raise
    except OSError:  # this filesystem has no flock: filelock's own way
        os.close(fd)
        return _hold_with_filelock(lock_file, wait)

    def release() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return release


def _hold_with_filelock(lock_file: Path, wait: float) -> Callable[[], None]:
    from filelock import FileLock, Timeout  # only a build holds a folder: --help and validate never load it

    lock = FileLock(str(lock_file), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise _Busy(lock_file) from None
    return lock.release


def written_by_readydocs(path: Path, manifests: dict[Path, set[str]] | None = None) -> bool:
    """Whether ``path`` is a file readydocs wrote (its folder's manifest lists it) or a kept copy of one.

    ``manifests`` caches each folder's listed names between calls.
    """
    cache = manifests if manifests is not None else {}
    folder = Path(path).parent
    if folder not in cache:
        cache[folder] = set(read_manifest(folder).files)
    names = cache[folder]
    m = _COPY_NAME.match(Path(path).name)
    return Path(path).name in names or bool(m and m["stem"] + m["suffix"] in names)


def backup_name(path: Path, when: dt.datetime, n: int = 1) -> Path:
    """The name of a dated copy of ``path``, edited at ``when``; ``n`` > 1 when the earlier names are taken.

    readiness-report.docx -> readiness-report.edited-2026-11-28T101500.docx, then ...T101500-2.docx.
    """
    stamp = when.strftime("%Y-%m-%dT%H%M%S")
    return path.with_name(f"{path.stem}.edited-{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}")


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise WriteError(f"{path}: cannot remove the file ({exc.strerror or exc}).",
                         "Close it if it is open in Word or Excel, and check the folder's permissions.") from exc


def write_outputs(folder: Path, files: Sequence[tuple[str, bytes]], force: bool = False, carried: Collection[str] = (),
                  retire: Collection[str] = (), owner: PlaceIdentity | None = None, wait: float = DEFAULT_WAIT,
                  keep_backups: int = DEFAULT_KEEP_BACKUPS) -> WriteReport:
    """Take ``folder``, write ``files`` into it (OutputFolder.write) and let it go."""
    with OutputFolder(folder, owner, wait=wait, keep_backups=keep_backups) as out:
        return out.write(files, force=force, carried=carried, retire=retire)
