"""The parts of a Word file that hold text, and their paragraphs, as a person finds them in Word.

The body, then each header, then each footer (in part-name order); each
paragraph numbered within its part, with its table cell when it is in a
table. The template linter and the renderer both name places this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"


@dataclass
class Para:
    number: int
    text: str
    where: str
    xml: str


def shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def paragraphs(root) -> list[Para]:
    from lxml import etree

    out = []
    tables: dict[Any, int] = {}
    for n, p in enumerate(root.iter(f"{_W}p"), start=1):
        texts = [t.text or "" for t in p.iter(f"{_W}t") if _nearest_p(t) is p]
        where = ""
        tc = next((a for a in p.iterancestors(f"{_W}tc")), None)
        if tc is not None:
            tr = tc.getparent()
            tbl = tr.getparent()
            if tbl not in tables:
                tables[tbl] = len(tables) + 1
            row = [r for r in tbl if r.tag == f"{_W}tr"].index(tr) + 1
            col = [c for c in tr if c.tag == f"{_W}tc"].index(tc) + 1
            where = f"table {tables[tbl]}, row {row}, cell {col}"
        out.append(Para(n, "".join(texts), where, etree.tostring(p, encoding="unicode")))
    return out


def _nearest_p(el):
    return next(a for a in el.iterancestors(f"{_W}p"))


def parts(doc) -> list[tuple[str, Any]]:
    """(label, root element) for the body, then headers, then footers, in part-name order."""
    return [(label, part.element.body if label == "body" else part.element) for label, part in _story_parts(doc)]


def labels(doc) -> dict[str, str]:
    """Part name ("/word/header1.xml") -> label ("header 1"), for the parts parts() lists."""
    return {str(part.partname): label for label, part in _story_parts(doc)}


def _story_parts(doc) -> list[tuple[str, Any]]:
    out = [("body", doc.part)]
    for kind in ("header", "footer"):
        found = sorted((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/" + kind)),
                       key=lambda p: str(p.partname))
        seen = set()
        for i, part in enumerate(found, start=1):
            if part.partname in seen:
                continue
            seen.add(part.partname)
            out.append((kind if len(found) == 1 else f"{kind} {i}", part))
    return out


