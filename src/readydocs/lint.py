"""Checking Word templates before anyone builds with them.

A template is read the way docxtpl reads it: part by part (body, each header,
each footer), paragraph by paragraph. Every problem names the template and
the paragraph (its number in the part, its table cell when it is in a table,
and the start of its text), so a person can find it in Word.

What is checked, in this order for each paragraph:

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
* filters and tests Jinja does not have (``unknown-filter``, ``unknown-test``).

The known variables come from variables.reference(): the context the pipeline
builds for the bundled sample.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .render import DOCUMENTS, default_templates_dir, jinja_env

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"
_SMART_QUOTES = "\u2018\u2019\u201c\u201d\u201a\u201e\u2032\u2033"
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DOCXTPL_PREFIX = re.compile(r"(\{[{%#])(p|tr|tc|r)\s")
_BLOCK_OPEN = {"for", "if", "macro", "call", "filter", "with", "block", "raw", "autoescape"}
# Methods a template may call on a group (dict) without them being variables.
_DICT_METHODS = {"items", "keys", "values", "get"}
# Filters whose result is the same list (or an element of it).
_SAME_LIST_FILTERS = {"sort", "reverse", "list", "selectattr", "rejectattr", "unique"}
_ELEMENT_FILTERS = {"first", "last", "random", "min", "max"}


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


@dataclass
class _Para:
    number: int
    text: str
    where: str
    xml: str


class _Known:
    """Look-ups into variables.reference()."""

    def __init__(self, reference: dict[str, Any]):
        self.ref = reference
        self.top = sorted(p for p in reference if "." not in p and "[" not in p)

    def children(self, path: str) -> list[str]:
        out = []
        for p in self.ref:
            if p.startswith(path + ".") and "." not in p[len(path) + 1:] and "[" not in p[len(path) + 1:]:
                out.append(p[len(path) + 1:])
        return out

    def is_list(self, path: str) -> bool:
        v = self.ref.get(path)
        return v is not None and "list" in v.kinds

    def is_group(self, path: str) -> bool:
        v = self.ref.get(path)
        return v is not None and "group" in v.kinds

    def is_open(self, path: str) -> bool:
        v = self.ref.get(path)
        return v is not None and v.open

    def is_scalar(self, path: str) -> bool:
        v = self.ref.get(path)
        return v is not None and not ({"group", "list"} & v.kinds) and not v.open


def shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _paragraphs(root) -> list[_Para]:
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
        out.append(_Para(n, "".join(texts), where, etree.tostring(p, encoding="unicode")))
    return out


def _nearest_p(el):
    return next(a for a in el.iterancestors(f"{_W}p"))


def _parts(doc) -> list[tuple[str, Any]]:
    """(label, root element) for the body, then headers, then footers, in part-name order."""
    out = [("body", doc.element.body)]
    for kind in ("header", "footer"):
        parts = sorted((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/" + kind)),
                       key=lambda p: str(p.partname))
        seen = set()
        for i, part in enumerate(parts, start=1):
            if part.partname in seen:
                continue
            seen.add(part.partname)
            out.append((kind if len(parts) == 1 else f"{kind} {i}", part.element))
    return out


def lint_template(path: Path, reference: dict[str, Any] | None = None, name: str | None = None) -> list[LintProblem]:
    """Every problem in one template."""
    import docx
    from docxtpl import DocxTemplate

    name = name or Path(path).name
    try:
        doc = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        return [LintProblem(name, "body", None, "", "", "not-a-template",
                            f"cannot be opened as a Word .docx file ({type(exc).__name__}). Save it from Word as a .docx document.")]
    if reference is None:
        from .variables import reference as build_reference

        reference = build_reference()
    known = _Known(reference)
    patcher = DocxTemplate(str(path))
    env = jinja_env()
    problems: list[LintProblem] = []
    for label, root in _parts(doc):
        paras = _paragraphs(root)
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
        _Checker(known, env, lambda lineno, code, msg: add(by_line.get(lineno), code, msg)).run(ast)
    return problems


def _check_tags(para: _Para, patcher, add) -> bool:
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


def _split_beyond_repair(para: _Para, patcher, add) -> bool:
    """Apply docxtpl's own repair to this paragraph; what is left inside a tag is broken."""
    from lxml import etree

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


def _report_syntax(exc, lines: list[str], by_line: dict[int, _Para], add) -> None:
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
    add(by_line.get(lineno), "syntax-error", f"template syntax error: {first}.")


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


class _Checker:
    """Walk a template's syntax tree, tracking what each name stands for."""

    def __init__(self, known: _Known, env, report):
        self.known, self.env, self.report = known, env, report
        self.globals = set(env.globals) | {"loop", "caller", "varargs", "kwargs", "self"}
        self.seen: set[tuple[int, str, str]] = set()

    def run(self, ast) -> None:
        self.visit_all(ast.body, {})

    def say(self, node, code: str, message: str) -> None:
        key = (node.lineno, code, message)
        if key not in self.seen:
            self.seen.add(key)
            self.report(node.lineno, code, message)

    def visit_all(self, nodes: Iterable, scope: dict[str, str | None]) -> None:
        for n in nodes:
            self.visit(n, scope)

    def visit(self, node, scope: dict[str, str | None]) -> None:
        from jinja2 import nodes as J

        if isinstance(node, J.For):
            base = self.expr(node.iter, scope)
            inner = dict(scope)
            self.bind(node.target, f"{base}[]" if base and self.known.is_list(base) else None, inner)
            inner["loop"] = None
            if node.test is not None:
                self.expr(node.test, inner)
            self.visit_all(node.body, inner)
            self.visit_all(node.else_, scope)
        elif isinstance(node, J.Assign):
            value = self.expr(node.node, scope)
            self.bind(node.target, value, scope)
        elif isinstance(node, J.AssignBlock):
            self.visit_all(node.body, scope)
            self.bind(node.target, None, scope)
        elif isinstance(node, (J.Macro, J.CallBlock)):
            inner = dict(scope)
            if isinstance(node, J.Macro):
                scope[node.name] = None
            for arg in node.args:
                inner[arg.name] = None
            for d in node.defaults:
                self.expr(d, scope)
            if isinstance(node, J.CallBlock):
                self.expr(node.call, scope)
            self.visit_all(node.body, inner)
        elif isinstance(node, J.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self.bind(target, self.expr(value, scope), inner)
            self.visit_all(node.body, inner)
        elif isinstance(node, J.Expr):
            self.expr(node, scope)
        elif isinstance(node, J.Node):
            for child in node.iter_child_nodes():
                if isinstance(child, J.Expr):
                    self.expr(child, scope)
                else:
                    self.visit(child, scope)

    def bind(self, target, value: str | None, scope: dict[str, str | None]) -> None:
        from jinja2 import nodes as J

        if isinstance(target, J.Name):
            scope[target.name] = value
        elif isinstance(target, J.Tuple):
            for item in target.items:
                self.bind(item, None, scope)

    def expr(self, node, scope: dict[str, str | None]) -> str | None:
        """The reference path an expression stands for, or None when unknown; reports what is wrong."""
        from jinja2 import nodes as J

        if isinstance(node, J.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.known.ref:
                return node.name
            if node.name not in self.globals:
                close = difflib.get_close_matches(node.name, self.known.top, n=1)
                hint = f" Did you mean \u201c{close[0]}\u201d?" if close else ""
                self.say(node, "unknown-variable",
                         f"\u201c{node.name}\u201d is not a variable readydocs provides.{hint} readydocs docs templates lists them all.")
            return None
        if isinstance(node, (J.Getattr, J.Getitem)):
            base = self.expr(node.node, scope)
            if isinstance(node, J.Getattr):
                key = node.attr
            else:
                if not isinstance(node.arg, J.Const):
                    self.expr(node.arg, scope)
                    return f"{base}[]" if base and self.known.is_list(base) else None
                key = node.arg.value
                if isinstance(key, int):
                    return f"{base}[]" if base and self.known.is_list(base) else None
                if not isinstance(key, str):
                    return None
            return self.attribute(node, base, key)
        if isinstance(node, J.Filter):
            base = self.expr(node.node, scope) if node.node is not None else None
            self.call_args(node, scope)
            if node.name not in self.env.filters:
                self.say(node, "unknown-filter",
                         f"there is no filter named \u201c{node.name}\u201d.{_did_you_mean(node.name, self.env.filters)}")
                return None
            if base and self.known.is_list(base):
                if node.name in _SAME_LIST_FILTERS:
                    return base
                if node.name in _ELEMENT_FILTERS:
                    return f"{base}[]"
            return None
        if isinstance(node, J.Test):
            self.expr(node.node, scope)
            self.call_args(node, scope)
            if node.name not in self.env.tests:
                self.say(node, "unknown-test", f"there is no test named \u201c{node.name}\u201d "
                         f"(as in \u201cis {node.name}\u201d).{_did_you_mean(node.name, self.env.tests)}")
            return None
        if isinstance(node, J.CondExpr):
            self.expr(node.test, scope)
            a = self.expr(node.expr1, scope)
            b = self.expr(node.expr2, scope) if node.expr2 is not None else None
            return a if a == b else None
        for child in node.iter_child_nodes():
            if isinstance(child, J.Expr):
                self.expr(child, scope)
            elif isinstance(child, J.Keyword):
                self.expr(child.value, scope)
        return None

    def call_args(self, node, scope) -> None:
        for a in node.args:
            self.expr(a, scope)
        for k in node.kwargs:
            self.expr(k.value, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.expr(extra, scope)

    def attribute(self, node, base: str | None, key: str) -> str | None:
        if base is None:
            return None
        path = f"{base}.{key}"
        if path in self.known.ref:
            return path
        if self.known.is_open(base) or self.known.is_scalar(base):
            return None  # nothing known below it, or a method on text or a number
        if self.known.is_group(base) and key in _DICT_METHODS:
            return None
        siblings = self.known.children(base)
        if self.known.is_list(base) and not siblings:
            return None
        close = difflib.get_close_matches(key, siblings, n=1)
        hint = f" Did you mean \u201c{close[0]}\u201d?" if close else ""
        owner = f"each item of {base[:-2]}" if base.endswith("[]") else base
        self.say(node, "unknown-variable",
                 f"\u201c{_source(node)}\u201d: \u201c{key}\u201d is not a field of {owner}.{hint} readydocs docs templates lists them all.")
        return None


def _source(node) -> str:
    """An expression such as c.name or place["name"] as the template wrote it (roughly)."""
    from jinja2 import nodes as J

    if isinstance(node, J.Name):
        return node.name
    if isinstance(node, J.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, J.Getitem) and isinstance(node.arg, J.Const):
        return f"{_source(node.node)}[{node.arg.value!r}]"
    return "\u2026"


def lint_folder(folder: Path | None) -> tuple[list[LintProblem], list[str]]:
    """Problems in every template readydocs would use from ``folder`` (the defaults when None), and notes."""
    from .cohort_report import DOCUMENTS as COHORT_DOCUMENTS, sample_context
    from .variables import flatten, reference

    ref = reference()
    cohort_ref = flatten([sample_context()])  # the cohort report sees the cohort's variables, not a place's
    problems: list[LintProblem] = []
    notes: list[str] = []
    names = {f for f, _ in DOCUMENTS + COHORT_DOCUMENTS}
    for filename, _ in DOCUMENTS + COHORT_DOCUMENTS:
        if folder is None:
            path = default_templates_dir() / filename
        else:
            path = Path(folder) / filename
            if not path.is_file():
                notes.append(f"{filename}: not in {folder}; the default template is used.")
                continue
        problems.extend(lint_template(path, cohort_ref if (filename, _) in COHORT_DOCUMENTS else ref))
    if folder is not None:
        for other in sorted(Path(folder).glob("*.docx")):
            if other.name not in names and not other.name.startswith("~$"):
                notes.append(f"{other.name}: not used. Templates must be named {', '.join(sorted(names))}.")
    return problems, notes


def export_templates(folder: Path, force: bool = False) -> list[Path]:
    """Copy the default templates into ``folder``. Returns the files already there (nothing is written then)."""
    from .cohort_report import DOCUMENTS as COHORT_DOCUMENTS
    from .outputs import write_atomic

    folder = Path(folder)
    targets = [(default_templates_dir() / f, folder / f) for f, _ in DOCUMENTS + COHORT_DOCUMENTS]
    taken = [dst for _, dst in targets if dst.exists()]
    if taken and not force:
        return taken
    for src, dst in targets:
        write_atomic(dst, src.read_bytes())
    return []


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" Did you mean \u201c{close[0]}\u201d?" if close else ""
