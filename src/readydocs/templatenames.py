"""What a template's Jinja expressions name, checked against what readydocs provides (the linter's deepest check).

lint.py finds the paragraphs and parses their tags; this module walks the
parsed tree. Every name is followed through ``for`` loops, ``set`` and
``with``, so ``c.nmae`` inside ``{% for c in conditions %}`` is found with the
nearest real field (``unknown-variable``); methods and attributes outside the
plain data, Jinja's helpers and other files are refused as the sandbox would
refuse them (``not-allowed``); unknown filters and tests are named
(``unknown-filter``, ``unknown-test``); and an expression of constants only is
worked out within the sandbox's limits, so one a build would stop at is found
now (``over-limit``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from jinja2 import nodes as J

from .sandbox import GROUP_METHODS, TEXT_METHODS, LimitError, uncounted
from .wording import did_you_mean

# Filters whose result is the same list (or an element of it).
_SAME_LIST_FILTERS = {"sort", "reverse", "list", "selectattr", "rejectattr", "unique"}
_ELEMENT_FILTERS = {"first", "last", "random", "min", "max"}


class KnownNames:
    """Look-ups into variables.reference(): what a template may name, and what kind of value each name is."""

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


def check_names(ast, known: KnownNames, env, report: Callable[[int, str, str], None]) -> None:
    """Report (line, code, message) for every name in a parsed template that readydocs does not provide or allow."""
    _Checker(known, env, report).run(ast)


class _Checker:
    """Walk a template's syntax tree, tracking what each name stands for."""

    def __init__(self, known: KnownNames, env, report):
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
        if isinstance(target, J.Name):
            scope[target.name] = value
        elif isinstance(target, J.Tuple):
            for item in target.items:
                self.bind(item, None, scope)

    def expr(self, node, scope: dict[str, str | None]) -> str | None:
        """The reference path an expression stands for, or None when unknown; reports what is wrong."""

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

    if isinstance(node, J.Name):
        return node.name
    if isinstance(node, J.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, J.Getitem) and isinstance(node.arg, J.Const):
        return f"{_source(node.node)}[{node.arg.value!r}]"
    return "\u2026"
