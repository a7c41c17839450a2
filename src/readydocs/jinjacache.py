"""Template parts prepared once and kept on disk, so a build does not parse and compile them again.

Turning a Word template's XML into runnable Jinja code (docxtpl's clean-up of
split tags, parsing, the unknown-variable check, compiling to Python) costs
more than filling it in. The result depends only on the text and on the code
that prepares it, so it is kept in one file per text:

* **Where**: ``__pycache__/readydocs-templates/`` beside readydocs' own
  bytecode (``FOLDER``). Python runs the ``.pyc`` files there without any
  check, so whoever could write an entry could already change readydocs
  itself: the cache opens no new way in. A folder that cannot be written just
  means every build prepares its templates afresh.
* **Key**: the SHA-256 of the text itself, together with the versions of
  Python, Jinja and docxtpl and the bytes of the modules that
  prepare it (``_PREPARED_BY``). A template edited on disk is a new text and a
  new entry; two templates with the same name but other bytes never share
  one; an entry made by other code is never looked up. Each entry repeats its
  text's hash and is used only when that matches (a torn or swapped file is
  ignored and made again).
* **What a template can put there**: only what preparing its own text makes,
  under its own text's hash. The compiled code is the code the sandbox
  (sandbox.py) makes for that text, whose every attribute, call and loop goes
  through the sandbox when it runs, so an entry is exactly as bounded as a
  fresh compile. Texts that fail to prepare are never stored.
* **Size**: an entry larger than ``MAX_ENTRY_BYTES`` is not kept; after a new
  entry is written, the oldest are removed until at most ``MAX_ENTRIES``
  entries and ``MAX_TOTAL_BYTES`` remain.

Imports inside functions: docxtpl and Jinja only for their versions, when a
template is first prepared, and tempfile only to write an entry; a process
that renders nothing loads neither.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from functools import lru_cache
from typing import Any

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__", "readydocs-templates")
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # the default report's body prepares to about 0.3 MB
MAX_ENTRIES = 64
MAX_TOTAL_BYTES = 32 * 1024 * 1024
_FORMAT = 1
_SUFFIX = ".bin"
# The modules whose code decides what a prepared text becomes.
_PREPARED_BY = ("sandbox.py", "render.py", "jinjacache.py")


@lru_cache(maxsize=1)
def _generation() -> bytes | None:
    """What, besides the text, an entry depends on: one hash of the versions and code that prepare it
    (None when readydocs' own source cannot be read: then nothing is kept)."""
    import docxtpl
    import jinja2

    h = hashlib.sha256()
    for part in (sys.version, sys.implementation.cache_tag, jinja2.__version__,
                 getattr(docxtpl, "__version__", "?")):
        h.update(str(part).encode() + b"\0")
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        for name in _PREPARED_BY:
            with open(os.path.join(here, name), "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    except OSError:
        return None
    return h.digest()


def _key(kind: str, text: str) -> tuple[str, bytes] | None:
    """(file name, hash of the text) of an entry; None when nothing can be kept."""
    generation = _generation()
    if generation is None:
        return None
    text_hash = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    name = hashlib.sha256(generation + kind.encode() + b"\0" + text_hash).hexdigest()
    return name + _SUFFIX, text_hash


def load(kind: str, text: str) -> Any | None:
    """What ``store(kind, text, ...)`` kept for this very text, or None."""
    key = _key(kind, text)
    if key is None:
        return None
    name, text_hash = key
    try:
        with open(os.path.join(FOLDER, name), "rb") as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)
        if len(data) > MAX_ENTRY_BYTES:
            return None
        entry = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(entry, tuple) and len(entry) == 4 and entry[:3] == (_FORMAT, kind, text_hash)):
        return None
    return entry[3]


def store(kind: str, text: str, value: Any) -> None:
    """Keep ``value`` (plain data and code objects: what marshal holds) for this text. Failing to is no error."""
    import tempfile

    key = _key(kind, text)
    if key is None:
        return
    name, text_hash = key
    try:
        data = marshal.dumps((_FORMAT, kind, text_hash, value))
    except ValueError:
        return
    if len(data) > MAX_ENTRY_BYTES:
        return
    tmp = None
    try:
        os.makedirs(FOLDER, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=FOLDER)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, os.path.join(FOLDER, name))
        tmp = None
        _prune()
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune() -> None:
    """Remove the oldest entries until at most MAX_ENTRIES and MAX_TOTAL_BYTES remain."""
    entries = []
    with os.scandir(FOLDER) as it:
        for e in it:
            if e.name.endswith(_SUFFIX):
                try:
                    info = e.stat()
                except OSError:
                    continue
                entries.append((info.st_mtime_ns, e.name, info.st_size))
    entries.sort(reverse=True)
    total = 0
    for n, (_, name, size) in enumerate(entries):
        total += size
        if n >= MAX_ENTRIES or total > MAX_TOTAL_BYTES:
            try:
                os.unlink(os.path.join(FOLDER, name))
            except OSError:
                pass
