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
builds for the bundled sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .catalogue import ALL_DOCUMENTS, COHORT_REPORT
from .docxparts import W_NS, Para, paragraphs, parts, story_parts
from .render import default_templates_dir, jinja_env
from .sandbox import GROUP_METHODS, TEXT_METHODS, LimitError, uncounted
from .wording import did_you_mean, shorten

_SMART_QUOTES = "\u2018\u2019\u201c\u201d\u201a\u201e\u2032\u2033"
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DOCXTPL_PREFIX = re.compile(r"(\{[{%#])(p|tr|tc|r)\s")
_BLOCK_OPEN = {"for", "if", "macro", "call", "filter", "with", "block", "raw", "autoescape"}
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


def lint_template(path: Path, reference: dict[str, Any] | None = None, name: str | None = None) -> list[LintProblem]:
    """Every problem in one template."""
    from docxtpl import DocxTemplate

    from .errors import UnreadableFileError
    from .zipguard import TEMPLATE, linked_content, open_docx

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
        from .variables import reference as build_reference

        reference = build_reference()
    known = _Known(reference)
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
        _Checker(known, env, lambda lineno, code, msg: add(by_line.get(lineno), code, msg)).run(ast)
    return problems


def _check_charts(doc, name: str, problems: list[LintProblem]) -> None:
    """Native charts named readydocs:NAME must name data readydocs has, and hold nothing unsafe (``bad-chart``)."""
    from .charts import CHART_NAMES
    from .docxchart import chart_problems, marked_charts
    from .errors import TemplateError

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
            base = self.expr(uncounted(node.iter), scope)
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
            for target, expr in zip(node.targets, node.values):
                self.bind(target, self.expr(expr, scope), inner)
            self.visit_all(node.body, inner)
        elif isinstance(node, (J.Include, J.Import, J.FromImport, J.Extends)):
            self.say(node, "not-allowed", _NO_OTHER_FILES)
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

        if isinstance(node, (J.Filter, J.BinExpr, J.Call)):
            self.over_limit(node)
        if isinstance(node, J.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.known.ref:
                return node.name
            if node.name in self.env.globals:
                return _GLOBAL + node.name
            if node.name not in self.globals:
                self.say(node, "unknown-variable",
                         f"\u201c{node.name}\u201d is not a variable readydocs provides.{did_you_mean(node.name, self.known.top)} "
                         "readydocs docs templates lists them all.")
            return None
        if isinstance(node, J.Getattr) and isinstance(node.node, J.Const):
            value = node.node.value
            if not (isinstance(value, str) and node.attr in TEXT_METHODS):
                self.say(node, "not-allowed", f"\u201c{value!r}.{node.attr}\u201d: templates may call only "
                         f"{', '.join(sorted(TEXT_METHODS))} on text, and nothing on a number. "
                         "Use a filter instead (readydocs docs templates says which).")
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
                         f"there is no filter named \u201c{node.name}\u201d.{did_you_mean(node.name, self.env.filters)}")
                return None
            if base and base in self.known.ref and "picture" in " ".join(self.known.ref[base].kinds) \
                    and node.name not in ("default", "d"):
                self.say(node, "not-allowed", f"\u201c{base}|{node.name}\u201d: {base} is a picture; a filter would turn it "
                         f"into text. Put \u201c{{{{ {base} }}}}\u201d on its own where it should appear.")
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
                         f"(as in \u201cis {node.name}\u201d).{did_you_mean(node.name, self.env.tests)}")
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

    def over_limit(self, node) -> None:
        """An expression of constants only (``'x'|center(10**9)``) is worked out here, within the sandbox's
        limits, so one that a build would stop at is reported now."""
        try:
            _constant(node, self.env)
        except LimitError as exc:
            self.say(node, "over-limit", f"{str(exc).rstrip('.')}; a build would stop here. "
                     "readydocs docs safety lists the limits.")
        except Exception:  # not made of constants only, or an error the build reports itself
            pass

    def not_allowed_on_value(self, node, base: str, key: str) -> bool:
        """A method or attribute on a single value: only the plain text methods are allowed. True when reported."""
        kinds = self.known.ref[base].kinds
        shown = base.replace("[]", "")
        if "picture" in " ".join(kinds):
            self.say(node, "not-allowed", f"\u201c{_source(node)}\u201d: {shown} is a picture; put \u201c{{{{ {shown} }}}}\u201d "
                     "on its own where it should appear, with nothing after the name.")
        elif "text" in kinds and key in TEXT_METHODS:
            return False
        elif "text" in kinds:
            self.say(node, "not-allowed", f"\u201c{_source(node)}\u201d: templates may call only "
                     f"{', '.join(sorted(TEXT_METHODS))} on text. Use a filter instead (readydocs docs templates says which).")
        else:
            self.say(node, "not-allowed", f"\u201c{_source(node)}\u201d: {shown} is a single value, with no fields or methods "
                     "a template may use. Use a filter instead (readydocs docs templates says which).")
        return True

    def call_args(self, node, scope) -> None:
        for a in node.args:
            self.expr(a, scope)
        for k in node.kwargs:
            self.expr(k.value, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.expr(extra, scope)

    def attribute(self, node, base: str | None, key: str) -> str | None:
        if base == _REPORTED:
            return _REPORTED  # one problem per expression: "a.__b__.__c__" is reported once
        if key.startswith("_"):
            self.say(node, "not-allowed", f"\u201c{_source(node)}\u201d: names starting with \u201c_\u201d reach into "
                     "the program, not the data; templates cannot use them.")
            return _REPORTED
        if base is None:
            return None  # a name whose contents are not known here (a macro argument, a namespace)
        if base.startswith(_GLOBAL):
            self.say(node, "not-allowed", f"\u201c{_source(node)}\u201d: {base[len(_GLOBAL):]} is one of Jinja's helpers; "
                     "templates may call it but not reach into it.")
            return _REPORTED
        path = f"{base}.{key}"
        if path in self.known.ref:
            return path
        if self.known.is_open(base):
            return None  # nothing known below it
        if self.known.is_scalar(base):
            return _REPORTED if self.not_allowed_on_value(node, base, key) else None
        if self.known.is_group(base) and key in GROUP_METHODS:
            return None
        siblings = self.known.children(base)
        if self.known.is_list(base) and not siblings:
            return None
        owner = f"each item of {base[:-2]}" if base.endswith("[]") else base
        self.say(node, "unknown-variable", f"\u201c{_source(node)}\u201d: \u201c{key}\u201d is not a field of {owner}."
                 f"{did_you_mean(key, siblings)} readydocs docs templates lists them all.")
        return None


class _NotConstant(Exception):
    pass


def _constant(node, env):
    """The value of an expression made only of constants, operators, filters and lipsum(); _NotConstant otherwise."""
    from jinja2 import nodes as J

    def value(n):
        if isinstance(n, J.Const):
            return n.value
        if isinstance(n, (J.List, J.Tuple)):
            return [value(i) for i in n.items]
        if isinstance(n, J.BinExpr):
            return env.call_binop(None, n.operator, value(n.left), value(n.right))
        if isinstance(n, J.Neg):
            return -value(n.node)
        if isinstance(n, (J.Filter, J.Call)) and not (n.dyn_args or n.dyn_kwargs):
            args = [value(a) for a in n.args]
            # Jinja annotates a filter's keyword arguments as Pair nodes; its parser makes Keyword nodes (key: str).
            kwargs: dict[str, Any] = {k.key: value(k.value) for k in n.kwargs}  # type: ignore[misc]
            if isinstance(n, J.Call) and isinstance(n.node, J.Name) and n.node.name in ("lipsum", "range"):
                return env.globals[n.node.name](*args, **kwargs)
            if isinstance(n, J.Filter) and n.node is not None and n.name in env.filters:
                func = env.filters[n.name]
                passes = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
                first = {None: [], "environment": [env], "eval_context": [J.EvalContext(env)]}
                if passes not in first:
                    raise _NotConstant
                return func(*first[passes], value(n.node), *args, **kwargs)
        raise _NotConstant

    return value(node)


_GLOBAL = "global:"  # expr()'s path for one of Jinja's helpers (range, cycler, namespace...)
_NO_OTHER_FILES = ("a template cannot include, import or extend another file; put everything it needs in "
                   "this one (macros can be defined here with {% macro %}).")
_REPORTED = "reported:"  # expr()'s path once a problem in the expression has been reported


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
    from .cohort_report import sample_context
    from .variables import flatten, reference

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
    import zipfile

    from .errors import UnreadableFileError
    from .zipguard import TEMPLATE, check_archive

    try:
        check_archive(path, TEMPLATE)  # never inflate a zip bomb to look for a tag
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8", "replace")
    except (UnreadableFileError, OSError, KeyError, zipfile.BadZipFile):
        return False  # lint_template has reported it
    return re.search(r"\{\{\s*chart\s*\}\}", re.sub(r"<[^>]+>", "", xml)) is not None


def export_templates(folder: Path, force: bool = False) -> list[Path]:
    """Copy the default templates into ``folder``. Returns the files already there (nothing is written then)."""
    from .outputs import write_atomic

    folder = Path(folder)
    targets = [(default_templates_dir() / d.template, folder / d.template) for d in ALL_DOCUMENTS]
    taken = [dst for _, dst in targets if dst.exists()]
    if taken and not force:
        return taken
    for src, dst in targets:
        write_atomic(dst, src.read_bytes())
    return []

