"""The parts of a Word file that hold text, and their paragraphs, as a person finds them in Word; and the OOXML namespaces.

The body, then each header, then each footer (in part-name order); each
paragraph numbered within its part, with its table cell when it is in a
table. The template linter, the renderer, the chart filler and the
accessibility checker all walk a document's parts and name places this way,
and read its XML with the namespaces below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"  # r:id and r:embed attributes
PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"  # the .rels parts
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"  # also a chart's a:graphicData uri
V_NS = "urn:schemas-microsoft-com:vml"
DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"
_W = f"{{{W_NS}}}"


@dataclass
class Para:
    number: int
    text: str
    where: str
    xml: str


def paragraphs(root) -> list[Para]:
    from lxml import etree  # only when a Word part is read: validate never reads one

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
    return [(label, part.element.body if label == "body" else part.element) for label, part in story_parts(doc)]


def labels(doc) -> dict[str, str]:
    """Part name ("/word/header1.xml") -> label ("header 1"), for the parts parts() lists."""
    return {str(part.partname): label for label, part in story_parts(doc)}


def story_parts(doc) -> list[tuple[str, Any]]:
    """(label, part) for the body, then each header, then each footer, in part-name order.

    A header shown on several kinds of page (first, even, default) is one
    part, listed once; a header or footer "linked" to an outside file is no
    part of the document and is left out.
    """
    out = [("body", doc.part)]
    for kind in ("header", "footer"):
        found = {rel.target_part for rel in doc.part.rels.values()
                 if not rel.is_external and rel.reltype.endswith("/" + kind)}
        for i, part in enumerate(sorted(found, key=lambda p: str(p.partname)), start=1):
            out.append((kind if len(found) == 1 else f"{kind} {i}", part))
    return out


