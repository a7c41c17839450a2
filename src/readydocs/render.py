"""Filling the Word templates with docxtpl.

Every template is rendered in Jinja's sandbox with StrictUndefined and
autoescape on: a template from elsewhere cannot reach into Python objects, a
missing variable fails naming the template, and a person's "<" or "&" reaches
the document as typed. Each part of a template is checked for variables the
context lacks before it renders, and all documents are rendered in memory
before any is written, so a broken template leaves no partial set.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import TemplateError
from .outputs import normalise_zip

# (output and template file name, document title used in properties)
DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("readiness-report.docx", "Readiness report"),
    ("internal-launch-memo.docx", "Internal launch memo"),
    ("talking-points.docx", "Talking points"),
)
CHART_WIDTH_MM = 165
# Variables render_document adds to the context itself.
RENDER_VARIABLES = frozenset({"chart", "logo"})


def default_templates_dir() -> Path:
    """The bundled templates: inside the installed package, or the repository's templates/."""
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
    a new entry.
    """
    from collections import OrderedDict

    from jinja2 import StrictUndefined, nodes

    from .sandbox import TemplateSandbox

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

        def undeclared(self, source: str) -> frozenset:
            """Top-level names a template text uses without defining them (cached like the parse)."""
            from jinja2 import meta

            return self._remember(("undeclared", source), lambda: frozenset(meta.find_undeclared_variables(self.parse(source))))

        def parse(self, source, name=None, filename=None):  # type: ignore[override]
            if not isinstance(source, str) or name is not None or filename is not None:
                return super().parse(source, name, filename)
            return self._remember(("parse", source), lambda: super(CachingSandbox, self).parse(source))

        def from_string(self, source, globals=None, template_class=None):  # type: ignore[override]
            if globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            if isinstance(source, str):
                key = ("compile", self.autoescape, source)
            elif isinstance(source, nodes.Template):
                # A tree from parse() above: the memo keeps it alive, so its id stays unique.
                key = ("compile-tree", self.autoescape, id(source))
            else:
                return super().from_string(source)
            return self._remember(key, lambda: (super(CachingSandbox, self).from_string(source), source))[0]

    return CachingSandbox(undefined=StrictUndefined, autoescape=True)


@lru_cache(maxsize=32)
def _template_bytes(path: str, mtime_ns: int) -> bytes:
    # Cached per process: a batch renders the same three templates for every place.
    return Path(path).read_bytes()


def template_bytes(path: Path) -> bytes:
    try:
        return _template_bytes(str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read template ({exc.strerror}).", "Check the --templates folder.")


@lru_cache(maxsize=64)
def _patched_xml(src_xml: str) -> str:
    from docxtpl import DocxTemplate

    return DocxTemplate.patch_xml(None, src_xml)  # uses nothing of the instance


@lru_cache(maxsize=1)
def _safe_template_class():
    """DocxTemplate with our changes; made on first use so docxtpl is imported only to render."""
    from docxtpl import DocxTemplate
    from lxml import etree

    class SafeTemplate(DocxTemplate):
        source: Path  # the template file, for error messages

        def patch_xml(self, src_xml):
            # docxtpl's clean-up of tags split across runs depends on the text alone,
            # and a batch renders the same template parts for every place.
            return _patched_xml(src_xml)

        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            """docxtpl's own, changed in four ways:

            - each part is checked for variables the context lacks, from the same
              (cached) parse that renders it, so linting costs no second pass;
            - docxtpl's final "{_{" -> "{{" rewrite is left out: it would alter a person's text;
            - every text run keeps its spaces as typed (xml:space="preserve");
            - the result must be well-formed XML: docxtpl's lenient parse would
              otherwise silently drop text a template broke (for example with |safe).
            """
            env = jinja_env if jinja_env is not None else _cached_env()
            src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            self.current_rendering_part = part
            ast = env.parse(src_xml)
            missing = env.undeclared(src_xml) - set(context)
            if missing:
                raise TemplateError(f"{self.source}: uses variables readydocs does not provide: {', '.join(sorted(missing))}.",
                                    "Run readydocs docs templates for the variables available.")
            dst_xml = env.from_string(ast).render(context)
            dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
            dst_xml = dst_xml.replace("<w:t>", '<w:t xml:space="preserve">')
            etree.fromstring(dst_xml.encode("utf-8"))
            return self.resolve_listing(dst_xml)

    return SafeTemplate


def _docx_template(path: Path):
    try:
        tpl = _safe_template_class()(io.BytesIO(template_bytes(path)))
    except TemplateError:
        raise
    except Exception as exc:
        raise TemplateError(f"{path}: is not a Word .docx template ({type(exc).__name__}).", "Give a .docx file saved from Word or LibreOffice.")
    tpl.source = path
    return tpl


def undeclared_variables(path: Path, context: dict[str, Any]) -> set[str]:
    """Top-level names a template uses that the context does not supply."""
    from jinja2 import TemplateSyntaxError

    tpl = _docx_template(path)
    try:
        used = tpl.get_undeclared_template_variables(jinja_env())
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: template syntax error: {exc.message} (near line {exc.lineno} of the document XML).",
                            "Run 'readydocs templates check' to see the paragraph.")
    return set(used) - set(context) - RENDER_VARIABLES


@dataclass(frozen=True)
class DocumentProps:
    title: str
    subject: str
    author: str
    language: str
    keywords: str
    when: dt.datetime


def render_document(path: Path, context: dict[str, Any], props: DocumentProps,
                    chart: bytes | None = None, chart_alt: str = "", logo=None,
                    native_charts: dict[str, Any] | None = None, chart_pictures: dict[str, bytes] | None = None) -> bytes:
    """Render one template to .docx bytes. ``logo`` is a branding.Logo or None.

    ``native_charts`` (charts.native_chart_data) fills the template's native
    charts (docxchart.py); with ``chart_pictures`` (PNG by chart name) each
    native chart becomes that picture instead. ``chart`` is the PNG for ``{{ chart }}``.
    """
    from docx.shared import Mm
    from docxtpl import InlineImage
    from jinja2 import TemplateError as JinjaTemplateError
    from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

    tpl = _docx_template(path)
    if native_charts is not None:
        from .charts import CHART_NAMES
        from .docxchart import check_charts

        tpl.init_docx()  # rendering reuses this Document
        check_charts(tpl.docx, str(path), CHART_NAMES)
    ctx = dict(context)
    if chart is not None:
        ctx["chart"] = InlineImage(tpl, io.BytesIO(chart), width=Mm(CHART_WIDTH_MM))
    else:
        ctx.setdefault("chart", "")
    if logo is not None:
        ctx["logo"] = InlineImage(tpl, io.BytesIO(logo.data), width=Mm(logo.width_mm), height=Mm(logo.height_mm))
    else:
        ctx.setdefault("logo", "")
    try:
        tpl.render(ctx, jinja_env(), autoescape=True)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: template syntax error: {exc.message}.", "Run 'readydocs templates check' to see the paragraph.")
    except SecurityError as exc:
        raise TemplateError(f"{path}: the template tried something not allowed ({str(exc).rstrip('.')}).", "Remove that expression from the template.")
    except UndefinedError as exc:
        raise TemplateError(*_explain_undefined(path, exc))
    except JinjaTemplateError as exc:
        raise TemplateError(f"{path}: template error: {exc.message}.", "Run 'readydocs templates check' on the template.")
    except Exception as exc:  # the template's own expressions (1/0), or XML it broke (|safe)
        detail = " ".join(str(exc).split())[:160].rstrip(".")
        raise TemplateError(f"{path}: the template could not be filled in ({type(exc).__name__}: {detail}).",
                            "Check the template's expressions, and do not use |safe on text from the workbook.") from exc
    doc = tpl.docx
    if native_charts is not None:
        from .docxchart import fill_charts, picture_charts

        if chart_pictures is not None:
            picture_charts(doc, chart_pictures, native_charts)
        else:
            fill_charts(doc, native_charts, str(path))
    alt = {}
    if chart is not None and chart_alt:
        alt[chart] = ("Condition scores", chart_alt)
    if logo is not None:
        alt[logo.data] = (logo.alt, logo.alt)
    _set_alt_text(doc, alt)
    cp = doc.core_properties
    # Set after rendering, as plain strings: rendering properties through the
    # autoescaping environment would show "&amp;" to the reader.
    cp.title, cp.subject, cp.author = props.title, props.subject, props.author
    cp.language, cp.keywords = props.language, props.keywords
    cp.last_modified_by, cp.comments, cp.revision = props.author, "", 1
    cp.created = cp.modified = props.when
    cp.last_printed = props.when
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue(), props.when)


def _explain_undefined(path: Path, exc: Exception) -> tuple[str, str | None]:
    """Jinja says "'dict object' has no attribute 'nmae'"; the template linter can say which
    paragraph and what was meant. Only a failing build pays for it."""
    try:
        from .lint import lint_template

        unknown = [p for p in lint_template(path) if p.code == "unknown-variable"]
    except Exception:  # the plain message is still right
        unknown = []
    if unknown:
        # The linter's line names the template by file name; ours gives the full path.
        first = unknown[0]
        return str(path) + first.line()[len(first.template):], None
    return f"{path}: {getattr(exc, 'message', exc)}.", "Run readydocs docs templates for the variables available."


def _set_alt_text(doc, alt: dict[bytes, tuple[str, str]]) -> None:
    """Give each picture we inserted its alt text, wherever the template put it (body, header or footer).

    Pictures are recognised by their bytes, so a picture that came with a
    restyled template (a letterhead, say) keeps the alt text its author gave it.
    """
    from docx.oxml.ns import qn

    if not alt:
        return
    parts = [doc.part] + sorted({rel.target_part for rel in doc.part.rels.values()
                                 if rel.reltype.endswith(("/header", "/footer"))}, key=lambda p: str(p.partname))
    for part in parts:
        for blip in part.element.iter(qn("a:blip")):
            rel_id = blip.get(qn("r:embed"))
            target = part.related_parts.get(rel_id) if rel_id else None
            found = alt.get(getattr(target, "blob", None))
            if found is None:
                continue
            holder = next((a for a in blip.iterancestors() if a.tag in (qn("wp:inline"), qn("wp:anchor"))), None)
            doc_pr = holder.find(qn("wp:docPr")) if holder is not None else None
            if doc_pr is not None:
                doc_pr.set("title", found[0])
                doc_pr.set("descr", found[1])
