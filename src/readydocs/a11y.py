"""Accessibility checks on any Word document: what a reviewer would check first.

* the title, author and language are set (the language as a document
  property or as the default language of the text);
* headings go down one level at a time, the first is a level 1 heading, and
  none is empty (Title and Subtitle are not heading levels);
* every picture and every native chart has alt text that says something
  (not "chart", not a file name), unless it is marked as decorative;
* every table of two or more rows marks its first row as a header row, which
  also makes it repeat on each page;
* colour is not the only carrier of meaning: a shaded table cell with no
  words, or a coloured symbol with no words beside it, is reported.

Each problem says where it is: the part (body, header, footer), the paragraph
number and the start of its text, or the table number. ``check_docx`` returns
problems as data; the CLI prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .docxparts import A_NS, C_NS, DECORATIVE_NS, V_NS, W_NS, WP_NS, parts
from .wording import shorten
from .zipguard import DOCUMENT, open_docx

_W = f"{{{W_NS}}}"

_GENERIC_ALT = {"chart", "graph", "image", "picture", "graphic", "figure", "photo", "logo", "img", "diagram",
                "bar chart", "pie chart", "a picture containing text", "description automatically generated"}
_FILE_NAME = re.compile(r"^[\w\-. ]+\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|svg)$", re.IGNORECASE)
_ON = {None, "1", "true", "on"}
_NO_FILL = {None, "", "auto", "FFFFFF", "ffffff", "none"}


@dataclass(frozen=True)
class A11yProblem:
    file: str
    where: str
    code: str
    message: str

    def line(self) -> str:
        return f"{self.file}: {self.where}: {self.message} [{self.code}]"


def _para_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{_W}t"))


def _on(el) -> bool:
    return el is not None and el.get(f"{_W}val") in _ON


class _Styles:
    """Outline levels of paragraph styles, following basedOn."""

    def __init__(self, styles_el):
        self.by_id: dict[str, Any] = {}
        self.default_para: str | None = None
        if styles_el is None:
            return
        for st in styles_el.iter(f"{_W}style"):
            if st.get(f"{_W}type") != "paragraph":
                continue
            sid = st.get(f"{_W}styleId")
            self.by_id[sid] = st
            if st.get(f"{_W}default") in ("1", "true"):
                self.default_para = sid

    def name(self, sid: str | None) -> str:
        st = self.by_id.get(sid or self.default_para or "")
        el = st.find(f"{_W}name") if st is not None else None
        return el.get(f"{_W}val") if el is not None else (sid or "Normal")

    def outline_level(self, sid: str | None) -> int | None:
        """0-based outline level from the style chain, None for body text."""
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            st = self.by_id.get(sid)
            if st is None:
                break
            lvl = st.find(f"{_W}pPr/{_W}outlineLvl")
            if lvl is not None:
                v = int(lvl.get(f"{_W}val", "9"))
                return v if v < 9 else None
            m = re.fullmatch(r"heading ([1-9])", self.name(sid).strip().lower())
            if m:
                return int(m.group(1)) - 1
            based = st.find(f"{_W}basedOn")
            sid = based.get(f"{_W}val") if based is not None else None
        return None


def check_docx(path: str | Path) -> list[A11yProblem]:
    """Every accessibility problem found in one .docx file."""

    path = Path(path)
    name = str(path)
    doc = open_docx(path, DOCUMENT)  # the same zip guard as every Office file readydocs opens
    problems: list[A11yProblem] = []
    add = lambda where, code, message: problems.append(A11yProblem(name, where, code, message))  # noqa: E731
    styles_el = doc.styles.element
    _check_properties(doc, styles_el, add)
    styles = _Styles(styles_el)
    _check_headings(doc.element.body, styles, add)
    for label, root in parts(doc):
        _check_images(root, label, add)
        _check_colour(root, label, add)
    _check_tables(doc.element.body, add)
    return problems


def _check_properties(doc, styles_el, add) -> None:
    cp = doc.core_properties
    if not (cp.title or "").strip():
        add("document properties", "no-title",
            "the document has no title. Set it in File > Info > Properties > Title; screen readers announce it.")
    if not (cp.author or "").strip():
        add("document properties", "no-author", "the document has no author. Set it in File > Info > Properties > Author.")
    if not (cp.language or "").strip() and not _default_language(styles_el):
        add("document properties", "no-language",
            "the document does not say which language it is in. Set the language of the Normal style "
            "(Review > Language) so screen readers pronounce it correctly.")


def _default_language(styles_el) -> str | None:
    if styles_el is None:
        return None
    for xpath in (f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}lang",):
        el = styles_el.find(xpath)
        if el is not None and el.get(f"{_W}val"):
            return el.get(f"{_W}val")
    for st in styles_el.iter(f"{_W}style"):
        if st.get(f"{_W}default") in ("1", "true") and st.get(f"{_W}type") == "paragraph":
            el = st.find(f"{_W}rPr/{_W}lang")
            if el is not None and el.get(f"{_W}val"):
                return el.get(f"{_W}val")
    return None


def _check_headings(body, styles: _Styles, add) -> None:
    previous: int | None = None
    for n, p in enumerate(body.iter(f"{_W}p"), start=1):
        ppr = p.find(f"{_W}pPr")
        sid = None
        level = None
        if ppr is not None:
            st = ppr.find(f"{_W}pStyle")
            sid = st.get(f"{_W}val") if st is not None else None
            direct = ppr.find(f"{_W}outlineLvl")
            if direct is not None:
                v = int(direct.get(f"{_W}val", "9"))
                level = v if v < 9 else -1
        if level is None:
            level = styles.outline_level(sid or styles.default_para)
        if level is None or level < 0:
            continue
        level += 1
        text = _para_text(p)
        where = f"paragraph {n} ({styles.name(sid)})" + (f" \u201c{shorten(text, 50)}\u201d" if text.strip() else "")
        if not text.strip():
            add(where, "empty-heading",
                "an empty heading: screen readers list it as a heading with no name. Delete it or change it to Normal style.")
            continue
        if previous is None and level != 1:
            add(where, "heading-skip",
                f"the first heading is level {level}; the document's headings should start at level 1 (Heading 1).")
        elif previous is not None and level > previous + 1:
            add(where, "heading-skip",
                f"a level {level} heading follows a level {previous} heading, skipping level {previous + 1}. "
                f"Use Heading {previous + 1} here, or add the missing level above it.")
        previous = level


def _check_images(root, label: str, add) -> None:
    for n, p in enumerate(root.iter(f"{_W}p"), start=1):
        for pr in p.iter(f"{{{WP_NS}}}docPr"):
            if _nearest(pr, f"{_W}p") is not p:
                continue
            descr = (pr.get("descr") or "").strip()
            if _decorative(pr):
                continue
            # A native chart (a graphic frame of chart data) needs alt text as much as a picture does.
            kind = "chart" if any(g.get("uri") == C_NS for g in pr.getparent().iter(f"{{{A_NS}}}graphicData")) else "picture"
            where = _where(label, n, p) + f", {kind} \u201c{pr.get('name') or '?'}\u201d"
            if not descr:
                add(where, "no-alt-text",
                    f"the {kind} has no alt text. Right-click it > View Alt Text, and say what it shows "
                    "(for a chart, the numbers it shows), or mark it as decorative.")
            elif descr.lower().strip(" .") in _GENERIC_ALT or _FILE_NAME.match(descr):
                add(where, "vague-alt-text",
                    f"the alt text \u201c{shorten(descr, 50)}\u201d does not say what the {kind} shows. Describe its content "
                    "(for a chart, the numbers it shows).")
        for shape in p.iter(f"{{{V_NS}}}shape"):
            if _nearest(shape, f"{_W}p") is p and shape.find(f"{{{V_NS}}}imagedata") is not None and not (shape.get("alt") or "").strip():
                add(_where(label, n, p), "no-alt-text", "an older-style picture has no alt text. Add alt text that says what it shows.")


def _decorative(doc_pr) -> bool:
    for el in doc_pr.iter(f"{{{DECORATIVE_NS}}}decorative"):
        if el.get("val") in ("1", "true"):
            return True
    return False


def _nearest(el, tag):
    return next(el.iterancestors(tag), None)


def _where(label: str, n: int, p) -> str:
    text = _para_text(p)
    base = f"paragraph {n}" if label == "body" else f"{label}, paragraph {n}"
    return base + (f" \u201c{shorten(text, 50)}\u201d" if text.strip() else "")


def _check_tables(body, add) -> None:
    for n, tbl in enumerate(body.iter(f"{_W}tbl"), start=1):
        rows = [r for r in tbl if r.tag == f"{_W}tr"]
        if len(rows) < 2:
            continue
        first = rows[0]
        header = first.find(f"{_W}trPr/{_W}tblHeader")
        if not _on(header):
            cells = [shorten(_para_text(tc), 20) for tc in first if tc.tag == f"{_W}tc"]
            add(f"table {n} (first row \u201c{' | '.join(cells)}\u201d)", "no-table-header",
                "the first row is not marked as a header row. In Word: Table Properties > Row > "
                "\u201cRepeat as header row at the top of each page\u201d; screen readers then read it as column headings.")


def _check_colour(root, label: str, add) -> None:
    tables: dict[Any, int] = {}
    for tbl in root.iter(f"{_W}tbl"):
        tables[tbl] = len(tables) + 1
    for tbl, t in tables.items():
        for r, tr in enumerate((x for x in tbl if x.tag == f"{_W}tr"), start=1):
            for c, tc in enumerate((x for x in tr if x.tag == f"{_W}tc"), start=1):
                shd = tc.find(f"{_W}tcPr/{_W}shd")
                fill = shd.get(f"{_W}fill") if shd is not None else None
                if fill not in _NO_FILL and not re.search(r"\w", _para_text(tc)):
                    where = f"table {t}, row {r}, cell {c}" if label == "body" else f"{label}, table {t}, row {r}, cell {c}"
                    add(where, "colour-only",
                        f"the cell is shaded (#{fill}) but holds no words. If the colour means something, "
                        "write it beside the colour (for example the status word).")
    for n, p in enumerate(root.iter(f"{_W}p"), start=1):
        text = _para_text(p)
        if not text.strip() or re.search(r"\w", text):
            continue
        for run in p.iter(f"{_W}r"):
            rpr = run.find(f"{_W}rPr")
            if rpr is None:
                continue
            colour = rpr.find(f"{_W}color")
            marked = (colour is not None and colour.get(f"{_W}val") not in _NO_FILL) or rpr.find(f"{_W}highlight") is not None
            if marked and "".join(t.text or "" for t in run.iter(f"{_W}t")).strip():
                add(_where(label, n, p), "colour-only",
                    "a coloured symbol stands alone with no words beside it. Write what the colour means next to it.")
                break
