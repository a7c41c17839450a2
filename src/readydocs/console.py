"""Printing on any console: a character the console's encoding lacks never stops a command.

A Windows console or a redirected output often uses cp1252 (or plain ASCII),
which has no emoji, no CJK and, for ASCII, no curly quotes or dashes. Writing
such a character would raise UnicodeEncodeError in the middle of a report.
``make_printable`` switches stdout and stderr to an error handler that writes
a readable stand-in: the plain quote or dash, the letter without its accent,
or "?".
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

HANDLER = "readydocs-fallback"

# Stand-ins for the punctuation our own messages and documents use.
_PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "\u2022": "*", "\u2192": "->", "\u2190": "<-", "\u2265": ">=", "\u2264": "<=", "\u00d7": "x",
}


def _stand_in(char: str, encoding: str) -> str:
    for candidate in (_PLAIN.get(char), unicodedata.normalize("NFKD", char)):
        if not candidate:
            continue
        kept = "".join(ch for ch in candidate if not unicodedata.combining(ch))
        try:
            kept.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            continue
        if kept:
            return kept
    return "?"


def _fallback(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    return "".join(_stand_in(ch, exc.encoding) for ch in text), exc.end


codecs.register_error(HANDLER, _fallback)


def make_printable() -> None:
    """Reconfigure stdout and stderr (when they are real text streams) to fall back instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            codecs.lookup(stream.encoding or "ascii")
            reconfigure(errors=HANDLER)
        except (LookupError, ValueError, OSError):
            pass


def encoding_report() -> str:
    """What the console can print, for readydocs doctor."""
    out = getattr(sys.stdout, "encoding", None) or "unknown"
    err = getattr(sys.stderr, "encoding", None) or "unknown"
    return f"stdout {out}, stderr {err}"
