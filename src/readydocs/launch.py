"""The console entry point: `readydocs --help` answered from a saved copy, everything else by cli.py.

Building the command line (click and every command's options) costs several
times what starting Python does, and `readydocs --help` is what people type
first. Its text depends only on readydocs' own source files, click and the
console's width, so the text click printed last time is kept next to the
package's bytecode (__pycache__/readydocs-help.txt), after a line naming
those, and printed again while that line still holds. Any other command, any
change, or a folder that cannot be written goes through click as before. What
is kept is one help page of a few KB, in one file that each new page replaces.

Imports inside functions: the point of this module is that a saved help page
is printed without importing click or the command line.
"""

from __future__ import annotations

import os
import sys

_HELP = (["--help"], ["-h"])
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
SAVED = os.path.join(_PACKAGE, "__pycache__", "readydocs-help.txt")
_MAX_SAVED = 256 * 1024  # a help page and its key are a few KB; a larger file is not ours


def main() -> None:
    if sys.argv[1:] in _HELP:
        key = _help_key()
        text = _read_saved(key) if key else None
        if text is None:
            text = _render_help()
            if key:
                _save(key, text)
        from .console import make_printable

        make_printable()
        sys.stdout.write(text)
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        os._exit(0)
    if sys.argv[1:2] == ["batch"]:
        from .workers import start_early

        start_early(sys.argv[2:])
    from .cli import main as cli_main

    cli_main()


def _render_help() -> str:
    """The help page exactly as click prints it for --help (the text and its final newline)."""
    from .cli import cli

    with cli.make_context("readydocs", ["--help"], resilient_parsing=True) as ctx:
        return ctx.get_help() + "\n"


def _columns() -> int:
    """The console width click wraps to, found as shutil.get_terminal_size does (without importing shutil)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            stdout = sys.__stdout__
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout is not None else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _help_key() -> str | None:
    """One line naming all the help page depends on (None when click's files are not found)."""
    try:
        with os.scandir(_PACKAGE) as entries:
            sources = sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries if e.name.endswith(".py"))
    except OSError:
        return None
    click_init = next((os.path.join(p or ".", "click", "__init__.py") for p in sys.path
                       if os.path.isfile(os.path.join(p or ".", "click", "__init__.py"))), None)
    if click_init is None:
        return None
    info = os.stat(click_init)
    locale = [os.environ.get(v) for v in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")]  # click's words can be translated
    key = repr((sys.version, _columns(), locale, click_init, info.st_mtime_ns, info.st_size, sources))
    return key.replace("\n", " ")


def _read_saved(key: str) -> str | None:
    try:
        with open(SAVED, encoding="utf-8") as fh:
            saved = fh.read(_MAX_SAVED)
    except (OSError, UnicodeDecodeError):
        return None
    first, _, text = saved.partition("\n")
    return text if first == key and text.startswith("Usage: ") and text.endswith("\n") else None


def _save(key: str, text: str) -> None:
    """Written to a temporary file and renamed, so a reader sees all of it or nothing. Failing to save
    is no error: the next --help renders the page again."""
    tmp = f"{SAVED}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(SAVED), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(f"{key}\n{text}")
        os.replace(tmp, SAVED)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
