"""Filling the Word templates with docxtpl.

Longer than most modules: opening a template, rendering each of its parts in
the sandbox, swapping in pictures and charts and writing the document are one
sequence over docxtpl's internals, kept together so its version range is
checked in one place.

Every template is rendered in Jinja's sandbox (sandbox.py: plain data only,
bounded time, steps and text) with StrictUndefined and autoescape on: a
template from elsewhere cannot reach into Python objects, a missing variable
fails naming the template and paragraph, and a person's "<" or "&" reaches
the document as typed. A template file passes the zip guard and holds no
linked content before it is opened. Pictures (the chart, the logo) reach the
template as text placeholders and are swapped in after Jinja has finished;
document properties are set here, never rendered. Each part of a template is
checked for variables the context lacks before it renders, and all documents
are rendered in memory before any is written, so a broken template leaves no
partial set.

A document without pictures is filled from the template's parts as
prepared once per process (_PreparedTemplate), through the same steps; a
document with pictures renders into a copy of python-docx's Document of the
template, which can add the picture parts. Both write the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import secrets
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import CodeType, SimpleNamespace
from typing import Any

from docx import Document
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError as JinjaTemplateError, meta
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from lxml import etree

from . import jinjacache, sandbox
from .charts import CHART_NAMES
from .docxchart import check_charts, fill_charts, filled_charts, picture_charts
from .docxparts import W_NS, labels, paragraphs, story_parts
from .errors import TemplateError, UndefinedVariableError, UnreadableFileError
from .sandbox import LimitError, TemplateSandbox
from .wording import shorten
from .zipguard import TEMPLATE, check_docx, damaged, linked_content
from .zipwrite import zip_bytes

CHART_WIDTH_MM = 165
# What docxtpl's resolve_listing replaces in a rendered part's text.
_LISTING_CHARS = re.compile("[\t\a\n\f]")
UNDEFINED_HINT = "Run readydocs docs templates for the variables available."
# Variables render_document adds to the context itself.
RENDER_VARIABLES = frozenset({"chart", "logo"})


@lru_cache(maxsize=1)
def default_templates_dir() -> Path:
    """The bundled templates: inside the installed package, or the repository's templates/ (found once per process)."""
    packaged = Path(str(resources.files("readydocs"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def resolve_template(filename: str, templates_dir: Path | None) -> Path:
    """A custom templates folder may hold only some documents; the rest come from the defaults."""
    if templates_dir is not None:
        candidate = Path(templates_dir) / filename
        if candidate.is_file():
            return candidate
    return default_templates_dir() / filename


def jinja_env():
    return _cached_env()


@lru_cache(maxsize=1)
def _cached_env():
    """One sandboxed environment per process that parses and compiles each distinct template text once.

    A batch renders the same few template parts for every place; parsing and
    compiling them is most of the rendering time, and a compiled template holds
    no state between renders. Keyed by the full text, so an edited template is
    a new entry; jinjacache.py keeps the same between runs.
    """


    class CachingSandbox(TemplateSandbox):
        def __init__(self, **kw):
            super().__init__(**kw)
            self._memo: OrderedDict = OrderedDict()

        def _remember(self, key, make):
            hit = self._memo.get(key)
            if hit is None:
                hit = self._memo[key] = make()
                while len(self._memo) > 64:
                    self._memo.popitem(last=False)
            else:
                self._memo.move_to_end(key)
            return hit

        def parse(self, source, name=None, filename=None):
            if not isinstance(source, str) or name is not None or filename is not None:
                return super().parse(source, name, filename)
            return self._remember(("parse", source), lambda: super(CachingSandbox, self).parse(source))

        def prepared(self, source: str):
            """(compiled template, top-level names it uses without defining them) for a template text.

            Kept in memory for the process and on disk between runs (jinjacache.py), keyed by the text.
            """
            return self._remember(("prepared", source), lambda: self._prepare(source))

        def _prepare(self, source: str):
            kept = jinjacache.load("compiled", source)
            if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], frozenset) and isinstance(kept[1], CodeType):
                names, code = kept
            else:
                tree = super().parse(source)
                names = frozenset(meta.find_undeclared_variables(tree))
                code = self.compile(tree)
                jinjacache.store("compiled", source, (names, code))
            return self.template_class.from_code(self, code, self.make_globals(None), None), names

    return CachingSandbox(undefined=StrictUndefined, autoescape=True)


@lru_cache(maxsize=32)
def _checked_template(path: str, mtime_ns: int) -> bytes:
    """A template's bytes, once it has passed the zip guard and holds no linked content.

    Cached per process: a batch renders the same three templates for every place.
    """

    try:
        check_docx(Path(path), TEMPLATE)
    except UnreadableFileError as exc:
        raise TemplateError(exc.message, exc.hint) from exc
    linked = linked_content(Path(path))
    if linked:
        part, what = linked[0]
        raise TemplateError(f"{path}: part {part} holds {what}, which Word or LibreOffice would fetch from elsewhere; "
                            "readydocs does not use templates that pull in outside content.",
                            "Insert the picture or text itself instead of a link, and check with 'readydocs templates check'.")
    return Path(path).read_bytes()


def template_bytes(path: Path) -> bytes:
    try:
        return _checked_template(str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read template ({exc.strerror}).", "Check the --templates folder.")


@lru_cache(maxsize=64)
def _patched_xml(src_xml: str) -> str:
    """docxtpl's clean-up of a part's XML, kept on disk like the compiled parts (jinjacache.py)."""

    patched = jinjacache.load("patched", src_xml)
    if not isinstance(patched, str):
        patched = DocxTemplate.patch_xml(None, src_xml)  # uses nothing of the instance
        jinjacache.store("patched", src_xml, patched)
    return patched


@lru_cache(maxsize=64)
def _one_paragraph_a_line(src_xml: str) -> str:
    """A part's XML with each paragraph starting a line (as docxtpl does), so an error's line number finds its paragraph."""
    return src_xml.replace("<w:p ", "\n<w:p ").replace("<w:p>", "\n<w:p>")


@dataclass(frozen=True)
class Picture:
    """A picture a template places with a plain-text placeholder such as ``{{ chart }}``.

    The template sees only a string; once Jinja has finished with a part, each
    placeholder in the text is replaced by the picture (``drawing``). Anything
    with a ``drawing(part, shape_id)`` method returning a ``<w:drawing>`` element
    can be placed the same way.
    """

    data: bytes
    width_mm: float
    height_mm: float | None  # None: keep the picture's proportions
    title: str  # alt text: a short title and the full description
    description: str

    def drawing(self, part, shape_id: int):
        inline = part.new_pic_inline(io.BytesIO(self.data), Mm(self.width_mm),
                                     Mm(self.height_mm) if self.height_mm is not None else None)
        inline.docPr.set("id", str(shape_id))
        inline.docPr.set("title", self.title)
        inline.docPr.set("descr", self.description)
        drawing = OxmlElement("w:drawing")
        drawing.append(inline)
        return drawing


@lru_cache(maxsize=1)
def _table_queries():
    """XPath queries for _tables_to_fix: evaluated inside lxml, where looking at each row and cell
    from Python cost more than the parse they save."""
    ns = {"w": W_NS}
    width = "count(w:tc) - count(w:tc[w:tcPr[1]/w:gridSpan[1]]) + sum(w:tc/w:tcPr[1]/w:gridSpan[1]/@w:val)"
    return SimpleNamespace(
        tables=etree.XPath(".//w:tbl", namespaces=ns),
        has_grid=etree.XPath("boolean(w:tblGrid)", namespaces=ns),
        columns=etree.XPath("count(w:tblGrid[1]/w:gridCol)", namespaces=ns),
        crowded=etree.XPath("boolean(.//w:tr[count(w:tc) > $columns])", namespaces=ns),
        spans=etree.XPath(".//w:tr/w:tc/w:tcPr[1]/w:gridSpan[1]/@w:val", namespaces=ns),
        full=etree.XPath(f"boolean(.//w:tr[{width} >= $columns])", namespaces=ns))


def _tables_to_fix(body) -> bool:
    """Whether docxtpl's fix_tables would change a table of ``body``: a row (of the table or one within it)
    with more cells than the table's first grid has columns, or no row as wide as the grid (cells
    counted with their gridSpan, as docxtpl counts them). Anything unusual (no grid, a span that is not
    a plain number) is left to docxtpl."""
    q = _table_queries()
    if body.nsmap.get("w") != W_NS:
        return True
    for table in q.tables(body):
        if not q.has_grid(table):
            return True
        columns = q.columns(table)
        if q.crowded(table, columns=columns):
            return True
        if not all(span.isascii() and span.isdigit() for span in q.spans(table)):
            return True
        if not q.full(table, columns=columns):
            return True
    return False


@lru_cache(maxsize=1)
def _safe_template_class():
    """DocxTemplate with our changes; made on first use so docxtpl is imported only to render."""

    class SafeTemplate(DocxTemplate):
        source: Path  # the template file, for error messages
        placeholders: dict[str, Any]  # placeholder text -> what replaces it (a Picture)
        nonce: str = ""  # in every placeholder, so one changed or misplaced is noticed
        _shape_id = 20000  # ids of the pictures placed, clear of those Word and docxtpl give
        _parsed: tuple[str, Any] | None = None  # the last part render_xml_part returned, and its parse

        def patch_xml(self, src_xml):
            # docxtpl's clean-up of tags split across runs depends on the text alone,
            # and a batch renders the same template parts for every place.
            return _patched_xml(src_xml)

        def render(self, context, jinja_env=None, autoescape=False):
            """docxtpl's own, without render_properties: the document properties are set by
            readydocs (render_document) and never rendered from the template's text."""
            self.render_init()
            tree = self.fix_tables(self.build_xml(context, jinja_env))
            self.fix_docpr_ids(tree)
            self.map_tree(tree)
            for uri in (self.HEADER_URI, self.FOOTER_URI):
                for rel_key, xml in self.build_headers_footers_xml(context, uri, jinja_env):
                    self.map_headers_footers_xml(rel_key, xml)
            self.render_footnotes(context, jinja_env)
            self.is_rendered = True

        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            """docxtpl's own, changed in these ways:

            - each part is checked for variables the context lacks, from the same
              (cached) parse that renders it, so linting costs no second pass;
            - a failure names the part and paragraph (see _located);
            - docxtpl's final "{_{" -> "{{" rewrite is left out: it would alter a person's text;
            - every text run keeps its spaces as typed (xml:space="preserve");
            - the result must be well-formed XML: docxtpl's lenient parse would
              otherwise silently drop text a template broke (for example with |safe);
            - placeholders become their pictures.
            """
            env = jinja_env if jinja_env is not None else _cached_env()
            src_xml = _one_paragraph_a_line(src_xml)
            self.current_rendering_part = part
            try:
                template, names = env.prepared(src_xml)
                missing = names - set(context)
                if missing:
                    raise UndefinedVariableError(
                        f"{self.source}: uses variables readydocs does not provide: {', '.join(sorted(missing))}.",
                        UNDEFINED_HINT, template=str(self.source), names=tuple(sorted(missing)))
                dst_xml = template.render(context)
            except TemplateError:
                raise
            except Exception as exc:
                raise _template_error(self.source, self._located(part, src_xml, exc), exc) from exc
            dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
            dst_xml = dst_xml.replace("<w:t>", '<w:t xml:space="preserve">')
            try:
                root = etree.fromstring(dst_xml.encode("utf-8"))
            except etree.XMLSyntaxError as exc:
                label = self._label(part)
                raise TemplateError(f"{self.source}: the filled-in {'document body' if label == 'body' else label} is not valid Word XML "
                                    f"({' '.join(str(exc).split())[:120]}).",
                                    "Check the template's expressions, and do not use |safe on text from the workbook.") from exc
            placed = bool(self.nonce) and self.nonce in dst_xml.lower()
            if placed:
                dst_xml = self._place(part, root)
            # docxtpl's listing turns tabs, line breaks, \a and \f in the text into Word's own marks, and changes
            # nothing else: a part without any is left as it is (it costs a regular expression per run).
            if _LISTING_CHARS.search(dst_xml):
                return self.resolve_listing(dst_xml)
            self._parsed = None if placed else (dst_xml, root)
            return dst_xml

        def fix_tables(self, xml):
            """docxtpl's, which parses the body again to fix tables whose columns a {%tc %} loop changed:
            when none did, the body as render_xml_part parsed it (one parse of the body less)."""
            parsed, self._parsed = self._parsed, None
            if parsed is not None and parsed[0] is xml and not _tables_to_fix(parsed[1]):
                return parsed[1]
            return super().fix_tables(xml)

        def _place(self, part, root) -> str:
            """Replace each placeholder in a text run with what it stands for, splitting the run around it."""

            pattern = re.compile("(" + "|".join(map(re.escape, self.placeholders)) + ")")
            can_place = hasattr(part, "new_pic_inline")
            for t in list(root.iter(qn("w:t"))):
                run = t.getparent()
                if not can_place or run.tag != qn("w:r") or not pattern.search(t.text or ""):
                    continue
                pieces = pattern.split(t.text)
                rpr = run.find(qn("w:rPr"))
                after = list(run)[list(run).index(t) + 1:]
                t.text = pieces[0]
                anchor = run
                for token, text in zip(pieces[1::2], pieces[2::2]):
                    holder = etree.SubElement(run.getparent(), qn("w:r"))
                    self._shape_id += 1
                    holder.append(self.placeholders[token].drawing(part, self._shape_id))
                    anchor.addnext(holder)
                    tail = etree.SubElement(run.getparent(), qn("w:r"))
                    if rpr is not None:
                        tail.append(copy.deepcopy(rpr))
                    tail_t = etree.SubElement(tail, qn("w:t"))
                    tail_t.text = text
                    tail_t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    holder.addnext(tail)
                    anchor = tail
                anchor.extend(after)
            xml = etree.tostring(root, encoding="unicode")
            if self.nonce in xml.lower():
                names = ", ".join(sorted({"{{ " + token.split("-")[2] + " }}" for token in self.placeholders}))
                label = self._label(part)
                raise TemplateError(f"{self.source}, {'the document body' if label == 'body' else label}: a picture placeholder ({names}) is not in the "
                                    "plain text of a paragraph, or was changed by a filter.",
                                    "Put {{ chart }} or {{ logo }} on its own in a paragraph of the body, a header or a "
                                    "footer, with nothing after the name.")
            return xml

        def _label(self, part) -> str:
            name = str(part.partname)
            return labels(self.docx).get(name) or ("footnotes" if name.endswith("/footnotes.xml") else name.lstrip("/"))

        def _located(self, part, src_xml: str, exc: Exception) -> str:
            """Where in the template a Jinja error is: the part, and the paragraph when it can be told.

            render_xml_part puts each paragraph on its own line, so the error's line
            holds the paragraph's text; the paragraph is the one of the template
            (numbered as templates check numbers them) whose text that line holds.
            """

            label = self._label(part)
            lineno = getattr(exc, "lineno", None)
            if lineno is None:

                frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
                lineno = frames[-1].lineno if frames else None
            lines = src_xml.split("\n")
            if not lineno or lineno > len(lines):
                return label
            line_text = " ".join(re.sub(r"<[^>]+>", "", lines[lineno - 1]).split())
            element = getattr(part, "element", None)  # footnotes are a plain part, not parsed by python-docx
            if element is None:
                return f"{label}, \u201c{shorten(line_text)}\u201d" if line_text else label
            element = element.body if label == "body" else element
            found = [p for p in paragraphs(element) if " ".join(p.text.split()) and " ".join(p.text.split()) in line_text]
            loc = "paragraph" if label == "body" else f"{label} paragraph"
            if not found:
                return f"{label}, \u201c{shorten(line_text)}\u201d" if line_text else label
            para = max(found, key=lambda p: len(p.text))
            where = f" ({para.where})" if para.where else ""
            return f"{loc} {para.number}{where}, \u201c{shorten(para.text)}\u201d"

    return SafeTemplate


def _template_error(path: Path, where: str, exc: Exception) -> TemplateError:
    """One line for a template that failed while being filled in."""

    at = f"{path}, {where}" if where else str(path)
    if isinstance(exc, LimitError):
        raise_it = " --template-time-limit raises the time and step limits." if exc.raisable else ""
        return TemplateError(f"{at}: {exc}.", f"Simplify the template (readydocs docs safety lists the limits).{raise_it}")
    if isinstance(exc, TemplateSyntaxError):
        return TemplateError(f"{at}: template syntax error: {exc.message}.", "Run 'readydocs templates check' to see the paragraph.")
    if isinstance(exc, SecurityError):
        return TemplateError(f"{at}: the template tried something not allowed ({str(exc).rstrip('.')}).",
                             "Remove that expression from the template (readydocs docs safety lists the limits).")
    if isinstance(exc, UndefinedError):
        return UndefinedVariableError(f"{at}: {str(getattr(exc, 'message', exc)).rstrip('.')}.", UNDEFINED_HINT,
                                      template=str(path), where=where)
    if isinstance(exc, JinjaTemplateError):
        return TemplateError(f"{at}: template error: {exc.message}.", "Run 'readydocs templates check' on the template.")
    if isinstance(exc, TypeError) and "no loader" in str(exc):
        return TemplateError(f"{at}: a template cannot include, import or extend another file.",
                             "Put everything the template needs in it; macros can be defined with {% macro %}.")
    if isinstance(exc, RecursionError):
        return TemplateError(f"{at}: the template calls itself too deeply (a macro that never stops calling itself).",
                             "Remove the recursion from the template.")
    # The template's own expressions (1/0)
    detail = " ".join(str(exc).split())[:160].rstrip(".")
    return TemplateError(f"{at}: the template could not be filled in ({type(exc).__name__}: {detail}).",
                         "Check the template's expressions.")


def _docx_template(path: Path):
    """A template ready to render once: a copy of its document as python-docx opened it."""

    data = template_bytes(path)
    try:
        opened = _opened(data)  # here, so a damaged file is told apart
    except Exception as exc:

        err = damaged(path, TEMPLATE, exc)
        raise TemplateError(err.message, err.hint) from exc
    tpl = _safe_template_class()(io.BytesIO(data))
    tpl.docx = copy.deepcopy(opened)  # rendering changes the document it is given; the opened one stays as read
    tpl.source = path
    return tpl


@lru_cache(maxsize=8)
def _opened(data: bytes):
    """python-docx's Document of a template's bytes, opened once per process (copying it costs half as much).

    Keyed by the bytes (which template_bytes keeps per file and version), so a changed template is opened anew.
    """

    return Document(io.BytesIO(data))


def undeclared_variables(path: Path, context: dict[str, Any]) -> set[str]:
    """Top-level names a template uses that the context does not supply."""

    tpl = _docx_template(path)
    try:
        used = tpl.get_undeclared_template_variables(jinja_env())
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: template syntax error: {exc.message} (near line {exc.lineno} of the document XML).",
                            "Run 'readydocs templates check' to see the paragraph.")
    return set(used) - set(context) - RENDER_VARIABLES


# Word refuses document properties longer than this.
MAX_PROPERTY_LENGTH = 255


@dataclass(frozen=True)
class DocumentProps:
    title: str
    subject: str
    author: str
    language: str
    keywords: str
    when: dt.datetime


def fit_property(text: str, limit: int = MAX_PROPERTY_LENGTH) -> str:
    """Text as given when it fits a document property; else shortened at a word break near the limit, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = " ".join(text.split())[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"


def render_document(path: Path, context: dict[str, Any], props: DocumentProps,
                    pictures: dict[str, Picture] | None = None, time_limit: float | None = None,
                    native_charts: dict[str, Any] | None = None, chart_pictures: dict[str, bytes] | None = None) -> bytes:
    """Render one template to .docx bytes.

    ``pictures``: what each picture variable (``chart``, ``logo``) stands for; a
    picture variable left out is empty text. ``time_limit``: seconds the
    template may take (sandbox.DEFAULT_TIME_LIMIT when None).
    ``native_charts`` (charts.native_chart_data) fills the template's native
    charts (docxchart.py); with ``chart_pictures`` (PNG by chart name) each
    native chart becomes that picture instead.
    """

    if not pictures and chart_pictures is None:
        prepared = _prepared(path)
        if prepared.fillable:
            return prepared.fill(context, props, time_limit, native_charts)
    tpl = _docx_template(path)
    if native_charts is not None:

        tpl.init_docx()  # rendering reuses this Document
        check_charts(tpl.docx, str(path), CHART_NAMES)
    ctx = dict(context)
    # A random part in each placeholder: text from a workbook can never pass for one.
    tpl.nonce = secrets.token_hex(8)
    tpl.placeholders = {}
    for name in RENDER_VARIABLES:
        ctx[name] = ""
    for name, picture in (pictures or {}).items():
        token = f"readydocs-picture-{name}-{tpl.nonce}"
        tpl.placeholders[token] = picture
        ctx[name] = token
    with sandbox.limits(time_limit):
        tpl.render(ctx, jinja_env(), autoescape=True)
    doc = tpl.docx
    if native_charts is not None:

        if chart_pictures is not None:
            picture_charts(doc, chart_pictures, native_charts)
        else:
            fill_charts(doc, native_charts, str(path))
    set_properties(doc.core_properties, props)
    return document_bytes(doc, props.when)


def set_properties(cp: CoreProperties, props: DocumentProps) -> None:
    """Set after rendering, as plain strings: rendering properties through the
    autoescaping environment would show "&amp;" to the reader."""
    cp.title, cp.subject, cp.author = fit_property(props.title), fit_property(props.subject), fit_property(props.author)
    cp.language, cp.keywords = fit_property(props.language), fit_property(props.keywords)
    cp.last_modified_by, cp.comments, cp.revision = fit_property(props.author), "", 1
    cp.created = cp.modified = props.when
    cp.last_printed = props.when


def _entries(doc) -> list[tuple[str, Any]]:
    """(zip member name, bytes or the part whose blob it holds) in the order python-docx's own save writes them."""

    package = doc.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    entries: list[tuple[str, Any]] = [(CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob),
                                      (PACKAGE_URI.rels_uri.membername, package.rels.xml)]
    for part in parts:
        entries.append((part.partname.membername, part))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    return entries


def document_bytes(doc, when: dt.datetime) -> bytes:
    """A python-docx Document as .docx bytes: the parts its own save writes, in its order, each dated ``when``.

    Written by zipwrite.py, which compresses a part only the first time it meets it.
    """

    return zip_bytes([(name, held if isinstance(held, bytes) else held.blob) for name, held in _entries(doc)], when)


# Layouts kept per prepared template: one for each set of charts that left the document
# (the default report has two: with and without an earlier round).
MAX_LAYOUTS = 8


@dataclass
class _Story:
    """A rendered body, header or footer as docxchart reads one: its XML, and the template part's relationships."""

    element: Any
    rels: Any
    partname: Any


class _PreparedTemplate:
    """A template opened once per process, and filled without copying python-docx's Document of it.

    Filling a template through docxtpl copies the whole opened document,
    renders into the copy and serializes every part again; most of a
    document's time went there, not to Jinja. Here the parts docxtpl renders
    (the body, each header and footer, footnotes) go through the very same
    SafeTemplate.render_xml_part, fix_tables and fix_docpr_ids steps against
    the opened document, which is only read; the charts are filled by
    docxchart.filled_charts, the properties set by set_properties; and every
    other part's bytes, the content types and the relationships (they change
    only when a chart leaves the document) are worked out once per process from
    a copy of the document, exactly as the copy path would write them. The
    bytes are those of the copy path (tests/test_render_prepared.py compares
    them). Templates this path does not cover (a header shown through two
    relationships, a chart drawn twice) and documents with pictures take the
    copy path.
    """

    def __init__(self, path: Path, data: bytes, opened):
        self.path, self.opened = path, opened
        shell = _safe_template_class()(io.BytesIO(data))
        shell.docx = opened
        self.body_xml = _patched_xml(shell.get_xml())
        root = copy.deepcopy(opened.element)
        for child in list(root.body):
            root.body.remove(child)
        self.root = root  # the document element with an empty body, where each render's body goes
        rels = opened.part.rels
        targets = [rel.target_part for rel in rels.values() if not rel.is_external]
        self.headers = []  # (part, its XML as docxtpl prepares it, the encoding it is written in)
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for rel in rels.values():
                if rel.reltype == uri and not rel.is_external and rel.target_part.blob:
                    xml = shell.get_part_xml(rel.target_part)
                    self.headers.append((rel.target_part, _patched_xml(xml), shell.get_headers_footers_encoding(xml)))
        self.footnotes = [p for p in opened.part.package.parts
                          if p.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"]
        self.sections = len(opened.sections)
        charts = [rel.target_part for _, part in story_parts(opened) for rel in part.rels.values()
                  if not rel.is_external and rel.reltype.endswith("/chart")]
        self.fillable = (len({id(p) for p, _, _ in self.headers}) == len(self.headers)
                         and all(targets.count(p) == 1 for p, _, _ in self.headers)
                         and len({id(p) for p in charts}) == len(charts)
                         and all(isinstance(p.blob, bytes) for p in self.footnotes))
        self._chart_check: TemplateError | None | bool = False  # not yet checked
        self._layouts: dict[frozenset, tuple[list[tuple[str, str | None, bytes]], Any, str]] = {}

    def _template(self):
        tpl = _safe_template_class()(self.path)
        tpl.docx, tpl.source, tpl.nonce, tpl.placeholders = self.opened, self.path, "", {}
        tpl.current_rendering_part, tpl.docx_ids_index = None, 1000  # as docxtpl's render_init
        return tpl

    def _check_charts(self) -> None:
        if self._chart_check is False:
            try:
                check_charts(self.opened, str(self.path), CHART_NAMES)
                self._chart_check = None
            except TemplateError as exc:
                self._chart_check = exc
        if isinstance(self._chart_check, TemplateError):
            raise self._chart_check

    def fill(self, context: dict[str, Any], props: DocumentProps, time_limit: float | None,
             native_charts: dict[str, Any] | None) -> bytes:
        if native_charts is not None:
            self._check_charts()
        tpl, env = self._template(), jinja_env()
        ctx = dict(context)
        for name in RENDER_VARIABLES:
            ctx[name] = ""
        opened = self.opened
        with sandbox.limits(time_limit):
            tree = tpl.fix_tables(tpl.render_xml_part(self.body_xml, opened.part, ctx, env))
            tpl.fix_docpr_ids(tree)
            headers = [(part, parse_xml(tpl.render_xml_part(xml, part, ctx, env).encode(encoding)))
                       for part, xml, encoding in self.headers]
            footnotes = {str(p.partname): p.blob for p in self.footnotes}
            for _ in range(self.sections):  # docxtpl fills the footnotes once for each section
                for part in self.footnotes:
                    xml = tpl.patch_xml(footnotes[str(part.partname)].decode("utf-8"))
                    footnotes[str(part.partname)] = tpl.render_xml_part(xml, part, ctx, env).encode("utf-8")
        root = copy.deepcopy(self.root)
        root.replace(root.body, tree)
        made: dict[str, bytes] = dict(footnotes)
        unused: list[tuple[Any, str]] = []
        if native_charts is not None:
            by_name = {str(part.partname): element for part, element in headers}
            stories = [(label, _Story(root if label == "body" else by_name[str(part.partname)], part.rels, part.partname))
                       for label, part in story_parts(opened)]
            blobs, unused = filled_charts(stories, native_charts, str(self.path))
            made.update(blobs)
        layout, core, core_name = self._layout(frozenset((str(story.partname), rid) for story, rid in unused))
        cp = CoreProperties(copy.deepcopy(core))
        set_properties(cp, props)
        made[core_name] = serialize_part_xml(cp._element)
        made[str(opened.part.partname)] = serialize_part_xml(root)
        for part, element in headers:
            made[str(part.partname)] = serialize_part_xml(element)
        return zip_bytes([(name, made.get(part, same) if part is not None else same) for name, part, same in layout],
                         props.when)

    def _layout(self, unused: frozenset) -> tuple[list[tuple[str, str | None, bytes]], Any, str]:
        """The zip entries of a filled document whose charts ``unused`` ((part name, relationship id)) have left it:
        (member name, the part it holds or None, the bytes of an unchanged entry), and the core properties as the
        template holds them, with their part name."""
        if unused not in self._layouts:
            if len(self._layouts) >= MAX_LAYOUTS:  # each holds a copy of the template's parts
                self._layouts.pop(next(iter(self._layouts)))
            doc = copy.deepcopy(self.opened)
            for _, part in story_parts(doc):
                for name, rid in unused:
                    if str(part.partname) == name:
                        part.rels.pop(rid)
            core = copy.deepcopy(doc.core_properties._element)  # python-docx adds the part when a template has none
            core_name = str(doc.part.package._core_properties_part.partname)
            layout: list[tuple[str, str | None, bytes]] = [
                (name, None, held) if isinstance(held, bytes) else (name, str(held.partname), held.blob)
                for name, held in _entries(doc)]
            self._layouts[unused] = (layout, core, core_name)
        return self._layouts[unused]


@lru_cache(maxsize=8)
def _prepared_for(path: str, data: bytes) -> _PreparedTemplate:
    return _PreparedTemplate(Path(path), data, _opened(data))


def _prepared(path: Path) -> _PreparedTemplate:
    data = template_bytes(path)
    try:
        _opened(data)  # here, so a damaged file is told apart (then kept for _prepared_for)
    except Exception as exc:
        err = damaged(path, TEMPLATE, exc)
        raise TemplateError(err.message, err.hint) from exc
    return _prepared_for(str(path), data)
