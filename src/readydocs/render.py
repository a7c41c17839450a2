"""Filling the Word templates with docxtpl.

Every template is rendered in Jinja's sandbox with StrictUndefined and
autoescape on: a template from elsewhere cannot reach into Python objects, a
missing variable fails naming the template, and a person's "<" or "&" reaches
the document as typed. Templates are linted for undeclared variables before
any rendering starts.
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
RENDER_VARIABLES = frozenset({"chart"})


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
    from .sandbox import environment

    return environment()


@lru_cache(maxsize=32)
def _template_bytes(path: str, mtime_ns: int) -> bytes:
    # Cached per process: a batch renders the same three templates for every place.
    return Path(path).read_bytes()


def template_bytes(path: Path) -> bytes:
    try:
        return _template_bytes(str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read template ({exc.strerror}).", "Check the --templates folder.")


def _docx_template(path: Path):
    from docxtpl import DocxTemplate
    from lxml import etree

    class SafeTemplate(DocxTemplate):
        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            """docxtpl's own, less its final "{_{" -> "{{" rewrite, which would alter a person's text."""
            src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            self.current_rendering_part = part
            template = (jinja_env or jinja_env_default()).from_string(src_xml)
            dst_xml = template.render(context)
            dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
            # A person's runs of spaces are kept as typed.
            dst_xml = dst_xml.replace("<w:t>", '<w:t xml:space="preserve">')
            # docxtpl parses the result leniently, which would silently drop text from XML a template broke (|safe).
            etree.fromstring(dst_xml.encode("utf-8"))
            return self.resolve_listing(dst_xml)

    try:
        return SafeTemplate(io.BytesIO(template_bytes(path)))
    except TemplateError:
        raise
    except Exception as exc:
        raise TemplateError(f"{path}: is not a Word .docx template ({type(exc).__name__}).", "Give a .docx file saved from Word or LibreOffice.")


def jinja_env_default():
    return jinja_env()


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


def check_templates(context: dict[str, Any], templates_dir: Path | None) -> None:
    """Fail before rendering anything if a template asks for a variable we do not provide."""
    for filename, _ in DOCUMENTS:
        path = resolve_template(filename, templates_dir)
        missing = undeclared_variables(path, context)
        if missing:
            raise TemplateError(f"{path}: uses variables readydocs does not provide: {', '.join(sorted(missing))}.",
                                "See docs/templates.md for the variables available.")


@dataclass(frozen=True)
class DocumentProps:
    title: str
    subject: str
    author: str
    language: str
    keywords: str
    when: dt.datetime


def render_document(path: Path, context: dict[str, Any], props: DocumentProps,
                    chart: bytes | None = None, chart_alt: str = "") -> bytes:
    """Render one template to .docx bytes."""
    from docx.shared import Mm
    from docxtpl import InlineImage
    from jinja2 import TemplateError as JinjaTemplateError
    from jinja2.exceptions import SecurityError, UndefinedError

    tpl = _docx_template(path)
    ctx = dict(context)
    if chart is not None:
        ctx["chart"] = InlineImage(tpl, io.BytesIO(chart), width=Mm(CHART_WIDTH_MM))
    else:
        ctx.setdefault("chart", "")
    try:
        tpl.render(ctx, jinja_env(), autoescape=True)
    except SecurityError as exc:
        raise TemplateError(f"{path}: the template tried something not allowed ({str(exc).rstrip('.')}).", "Remove that expression from the template.")
    except UndefinedError as exc:
        raise TemplateError(f"{path}: {exc.message}.", "See docs/templates.md for the variables available.")
    except JinjaTemplateError as exc:
        raise TemplateError(f"{path}: template error: {exc.message}.", "Run 'readydocs templates check' on the template.")
    except Exception as exc:  # the template's own expressions (1/0), or XML it broke (|safe)
        detail = " ".join(str(exc).split())[:160].rstrip(".")
        raise TemplateError(f"{path}: the template could not be filled in ({type(exc).__name__}: {detail}).",
                            "Check the template's expressions, and do not use |safe on text from the workbook.") from exc
    doc = tpl.docx
    if chart_alt:
        for shape in doc.inline_shapes:
            shape._inline.docPr.set("descr", chart_alt)
            shape._inline.docPr.set("title", "Condition scores")
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
