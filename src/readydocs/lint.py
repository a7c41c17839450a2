"""Checking Word templates before anyone builds with them.

A template is read the way docxtpl reads it: part by part (body, each header,
each footer), paragraph by paragraph. Every problem names the template and
the paragraph (its number in the part, its table cell when it is in a table,
and the start of its text), so a person can find it in Word.

First the file as a whole: it must pass the checks every Office file goes
through and open as a .docx (``not-a-template``, naming a damaged part), hold
nothing Word or LibreOffice would fetch from elsewhere (``linked-content``),
and have no template tags in its document properties, which readydocs sets
itself and never renders (``template-in-properties``).

Then, in this order for each paragraph:

* tags that start in one paragraph and end in another (``unclosed-tag``), and
  tags Word split across runs in a way docxtpl's own repair does not fix
  (``split-tag``): these make the rest meaningless, so a part with one is not
  checked further;
* curly "smart" quotes inside a tag (``smart-quote``);
* text sharing a paragraph with a ``{%p %}`` tag, which rendering removes
  with the tag (``text-beside-p-tag``);
* Jinja syntax (``syntax-error``), with the paragraph the error is in, or the
  paragraph that opened a block never closed;
* variables readydocs does not provide (``unknown-variable``), followed
  through ``for`` loops and ``set`` so that ``c.nmae`` inside
  ``{% for c in conditions %}`` is caught, with the nearest real name;
* methods and attributes outside the data (``not-allowed``): anything but
  sandbox.TEXT_METHODS on text and sandbox.GROUP_METHODS on a group, anything
  on a number or a picture placeholder, names starting with ``_``, reaching
  into Jinja's helpers, and including, importing or extending other files.
  The sandbox refuses the same things when the template is filled in;
* filters and tests Jinja does not have (``unknown-filter``, ``unknown-test``).
* expressions of constants only that would pass one of the sandbox's limits
  (``over-limit``): they are worked out here, within those limits, so
  ``'x'|center(10**9)`` is found before a build stops at it.

The known variables come from variables.reference(): the context the pipeline
builds for the bundled sample. This module reads the file and its paragraphs
and parses their tags; templatenames.py checks what the parsed tags name
(``unknown-variable``, ``not-allowed``, ``unknown-filter``, ``unknown-test``
and ``over-limit``).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from lxml import etree

from .catalogue import ALL_DOCUMENTS, COHORT_REPORT
from .charts import CHART_NAMES
from .cohort_report import sample_context
from .docxchart import chart_problems, marked_charts
from .docxparts import W_NS, Para, paragraphs, parts, story_parts
from .errors import TemplateError, UndefinedVariableError, UnreadableFileError
from .outputs import write_atomic
from .render import default_templates_dir, jinja_env
from .templatenames import KnownNames, check_names
from .variables import flatten, reference
from .wording import shorten
from .zipguard import TEMPLATE, check_archive, linked_content, open_docx

_SMART_QUOTES = "\u2018\u2019\u201c\u201d\u201a\u201e\u2032\u2033"
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DOCXTPL_PREFIX = re.compile(r"(\{[{%#])(p|tr|tc|r)\s")
_BLOCK_OPEN = {"for", "if", "macro", "call", "filter", "with", "block", "raw", "autoescape"}


@dataclass(frozen=True)
class LintProblem:
    template: str
    part: str  # "body", "header", "footer 2", ...
    paragraph: int | None  # 1-based within the part
    where: str  # table cell, when the paragraph is in a table
    text: str  # the paragraph's text, shortened
    code: str
    message: str

    def line(self) -> str:
        loc = "paragraph" if self.part == "body" else f"{self.part} paragraph"
        parts = [self.template]
        if self.paragraph is not None:
            parts.append(f"{loc} {self.paragraph}" + (f" ({self.where})" if self.where else ""))
            if self.text:
                parts.append(f"\u201c{self.text}\u201d")
        return f"{', '.join(parts)}: {self.message} [{self.code}]"


def lint_template(path: Path, reference: dict[str, Any] | None = None, name: str | None = None) -> list[LintProblem]:
    """Every problem in one template."""

    name = name or Path(path).name
    try:
        doc = open_docx(Path(path), TEMPLATE)
    except UnreadableFileError as exc:
        # The guard's line names the full path; the linter's lines start with the file name.
        return [LintProblem(name, "body", None, "", "", "not-a-template", str(exc).split(": ", 1)[-1])]
    problems: list[LintProblem] = [
        LintProblem(name, part, None, "", "", "linked-content",
                    f"part {part} holds {what}, which Word or LibreOffice would fetch from elsewhere. readydocs refuses "
                    "templates that pull in outside content: insert the picture or text itself instead of a link.")
        for part, what in linked_content(Path(path))]
    problems += _property_problems(doc, name)
    if reference is None:
        from .variables import reference as build_reference  # the parameter `reference` hides the function

        reference = build_reference()
    known = KnownNames(reference)
    patcher = DocxTemplate(str(path))
    env = jinja_env()
    _check_charts(doc, name, problems)
    for label, root in parts(doc):
        paras = paragraphs(root)
        add = lambda para, code, message: problems.append(  # noqa: E731
            LintProblem(name, label, para.number if para else None, para.where if para else "",
                        shorten(para.text) if para else "", code, message))
        broken = False
        for para in paras:
            broken |= _check_tags(para, patcher, add)
        if broken:
            continue
        lines = [_skeleton(p.text) for p in paras]
        source = "\n".join(lines)
        if "{" not in source:
            continue
        by_line = {i: p for i, p in enumerate(paras, start=1)}
        try:
            ast = env.parse(source)
        except Exception as exc:  # jinja2.TemplateSyntaxError
            _report_syntax(exc, lines, by_line, add)
            continue
        check_names(ast, known, env, lambda lineno, code, msg: add(by_line.get(lineno), code, msg))
    return problems


def _check_charts(doc, name: str, problems: list[LintProblem]) -> None:
    """Native charts named readydocs:NAME must name data readydocs has, and hold nothing unsafe (``bad-chart``)."""

    for label, part in story_parts(doc):
        numbers = {p: n for n, p in enumerate(part.element.iter(f"{{{W_NS}}}p"), start=1)}
        try:
            charts = marked_charts(part)
        except TemplateError as exc:
            problems.append(LintProblem(name, label, None, "", "", "bad-chart", exc.message.lstrip(": ")))
            continue
        for doc_pr, marker, rid in charts:
            problem = chart_problems(part, doc_pr, marker, rid, CHART_NAMES)
            if problem:
                para = next(doc_pr.iterancestors(f"{{{W_NS}}}p"), None)
                problems.append(LintProblem(name, label, numbers.get(para), "", "", "bad-chart",
                                            f"chart \u201c{doc_pr.get('name')}\u201d: {problem}"))


_PROPERTY_NAMES = ("title", "subject", "author", "keywords", "comments", "category", "content_status",
                   "identifier", "language", "last_modified_by", "version")


def _property_problems(doc, name: str) -> list[LintProblem]:
    """Template tags in the document properties: readydocs fills those itself and never renders them."""
    cp = doc.core_properties
    tagged = [p for p in _PROPERTY_NAMES if re.search(r"\{[{%]", getattr(cp, p, "") or "")]
    if not tagged:
        return []
    return [LintProblem(name, "properties", None, "", "", "template-in-properties",
                        f"the document properties ({', '.join(tagged)}) hold template tags. readydocs sets the title, "
                        "subject, author and keywords itself and never fills tags in properties, so they would stay as "
                        "typed: remove them (File > Info > Properties).")]


def _check_tags(para: Para, patcher, add) -> bool:
    """Tag-level checks on one paragraph. True when a tag is broken beyond repair."""
    text = para.text
    broken = False
    i = 0
    while True:
        m = re.search(r"\{[{%#]", text[i:])
        if not m:
            break
        start = i + m.start()
        opener = text[start:start + 2]
        end = text.find(_OPENERS[opener], start + 2)
        if end < 0:
            add(para, "unclosed-tag",
                f"the tag \u201c{shorten(text[start:], 40)}\u201d has no closing \u201c{_OPENERS[opener]}\u201d in this paragraph. "
                "A tag must start and end in the same paragraph: retype it on one line.")
            return True
        tag = text[start:end + 2]
        quotes = sorted({ch for ch in tag if ch in _SMART_QUOTES})
        if quotes:
            add(para, "smart-quote",
                f"the tag \u201c{shorten(tag, 50)}\u201d contains curly quotes ({' '.join(quotes)}). Retype them as straight quotes "
                "(' or \"); in Word, turn off AutoCorrect's \u201cStraight quotes with smart quotes\u201d while editing tags.")
        i = end + 2
    if re.search(r"\{%p\s", text):
        rest = _TAG.sub("", text).strip()
        if rest:
            add(para, "text-beside-p-tag",
                f"the text \u201c{shorten(rest, 40)}\u201d shares a paragraph with a {{%p %}} tag and would be removed with it. "
                "Move the text to its own paragraph.")
    if "{" in text and ("}" in text):
        broken |= _split_beyond_repair(para, patcher, add)
    return broken


def _split_beyond_repair(para: Para, patcher, add) -> bool:
    """Apply docxtpl's own repair to this paragraph; what is left inside a tag is broken."""

    patched = patcher.patch_xml(para.xml)
    for m in _TAG.finditer(patched):
        if re.search(r"</?w:", m.group(0)):
            add(para, "split-tag",
                f"the tag \u201c{shorten(re.sub(r'<[^>]+>', '', m.group(0)), 50)}\u201d is split across formatting in a way "
                "rendering cannot repair. Delete the tag and type it again in one go, in one font.")
            return True
    rest = _TAG.sub("", patched).strip()
    if rest:
        try:
            etree.fromstring(rest)
        except etree.XMLSyntaxError:
            add(para, "split-tag",
                "a tag here is split across formatting (for example a hyperlink or a field) in a way rendering cannot repair. "
                "Delete the tag and type it again in one go, as plain text.")
            return True
    return False


def _skeleton(text: str) -> str:
    """A paragraph's text as Jinja sees it after docxtpl's rewriting, on one line."""
    text = _DOCXTPL_PREFIX.sub(r"\1 ", text)
    text = re.sub(r"\{%\s*(?:colspan|cellbg)\s+(.*?)%\}", r"{{ \1 }}", text)
    text = re.sub(r"\{%\s*(?:vm|hm)\s*%\}", "", text)
    # docxtpl turns curly quotes inside tags into straight ones; the smart-quote check reports them.
    text = _TAG.sub(lambda m: m.group(0).translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")), text)
    return text.replace("\n", " ")


def _report_syntax(exc, lines: list[str], by_line: dict[int, Para], add) -> None:
    message = getattr(exc, "message", None) or str(exc)
    lineno = getattr(exc, "lineno", None)
    if "Unexpected end of template" in message or lineno is None or lineno > len(lines):
        opened = _unclosed_block(lines)
        if opened is not None:
            line, keyword = opened
            add(by_line.get(line), "syntax-error",
                f"the {{% {keyword} %}} started here is never closed: add a paragraph with {{%p end{keyword} %}} "
                f"(or {{% end{keyword} %}} in the same paragraph) where it should end.")
            return
    first = message.split("\n")[0].rstrip(".")
    add(None if lineno is None else by_line.get(lineno), "syntax-error", f"template syntax error: {first}.")


def _unclosed_block(lines: list[str]) -> tuple[int, str] | None:
    stack: list[tuple[int, str]] = []
    for n, line in enumerate(lines, start=1):
        for m in re.finditer(r"\{%-?\s*(\w+)", line):
            word = m.group(1)
            if word in _BLOCK_OPEN or (word == "set" and "=" not in line[m.end():line.find("%}", m.end())]):
                stack.append((n, word))
            elif word.startswith("end") and stack:
                stack.pop()
    return stack[-1] if stack else None


def lint_folder(folder: Path | None) -> tuple[list[LintProblem], list[str]]:
    """Problems in every template readydocs would use from ``folder`` (the defaults when None), and notes."""

    ref = reference()
    cohort_ref = flatten([sample_context()])  # the cohort report sees the cohort's variables, not a place's
    problems: list[LintProblem] = []
    notes: list[str] = []
    names = {d.template for d in ALL_DOCUMENTS}
    for document in ALL_DOCUMENTS:
        filename = document.template
        if folder is None:
            path = default_templates_dir() / filename
        else:
            path = Path(folder) / filename
            if not path.is_file():
                notes.append(f"{filename}: not in {folder}; the default template is used.")
                continue
        problems.extend(lint_template(path, cohort_ref if document is COHORT_REPORT else ref))
        if _uses_chart_picture(path):
            notes.append(f"{filename}: {{{{ chart }}}} is a picture only with 'build --chart-image' (empty text otherwise); "
                         "a native chart named readydocs:conditions is filled on every build (see Charts in readydocs docs templates).")
    if folder is not None:
        for other in sorted(Path(folder).glob("*.docx")):
            if other.name not in names and not other.name.startswith("~$"):
                notes.append(f"{other.name}: not used. Templates must be named {', '.join(sorted(names))}.")
    return problems, notes


def _uses_chart_picture(path: Path) -> bool:
    """Whether a template (one made for earlier versions) shows the chart through {{ chart }}."""

    try:
        check_archive(path, TEMPLATE)  # never inflate a zip bomb to look for a tag
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8", "replace")
    except (UnreadableFileError, OSError, KeyError, zipfile.BadZipFile):
        return False  # lint_template has reported it
    return re.search(r"\{\{\s*chart\s*\}\}", re.sub(r"<[^>]+>", "", xml)) is not None


def export_templates(folder: Path, force: bool = False) -> list[Path]:
    """Copy the default templates into ``folder``. Returns the files already there (nothing is written then)."""

    folder = Path(folder)
    targets = [(default_templates_dir() / d.template, folder / d.template) for d in ALL_DOCUMENTS]
    taken = [dst for _, dst in targets if dst.exists()]
    if taken and not force:
        return taken
    for src, dst in targets:
        write_atomic(dst, src.read_bytes())
    return []


def explain_undefined(exc: Exception) -> Exception:
    """A template's undefined variable, told as the linter tells it; any other error as it is.

    Rendering says only which names are missing ("'dict object' has no
    attribute 'nmae'"); the linter can say which paragraph and what was meant.
    Only a failing build pays for it. The linter's line names the template by
    file name; this one gives the full path.
    """
    if not isinstance(exc, UndefinedVariableError) or not exc.template:
        return exc
    path = Path(exc.template)
    try:
        unknown = [p for p in lint_template(path) if p.code in ("unknown-variable", "not-allowed")]
    except Exception:  # the plain message is still right
        return exc
    if not unknown:
        return exc
    first = unknown[0]
    return TemplateError(str(path) + first.line()[len(first.template):], None, exc.file)
