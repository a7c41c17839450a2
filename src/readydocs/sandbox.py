"""The Jinja environment every Word template is rendered in.

Longer than most modules because every bound a template meets (time,
steps, text size, what it may call) is set and enforced here, where one
review sees them all.

A customised template is code from someone else's hands, so what it can do
is bounded here, in one place:

* It sees plain data only (text, numbers, true/false, lists and groups) and
  may call only a few plain text methods on it (``TEXT_METHODS``, and
  ``GROUP_METHODS`` on a group); nothing can be changed in place. Jinja's
  sandbox already refuses attributes that reach into Python's internals
  (``''.__class__``).
* Every loop step and every call counts against a time limit
  (``DEFAULT_TIME_LIMIT`` seconds, ``build --template-time-limit``) and a step
  count that grows with it (``OPERATIONS_PER_SECOND`` per second), both
  checked by the rendering code itself, so a limit holds on every system and
  in every batch worker: ``{% for i in range(100000) %}{% for j in
  range(100000) %}`` stops with one line instead of running for hours.
* No value a template makes, and no rendered part, may be longer than
  ``MAX_TEXT`` characters. The operators and filters that build a long value
  from a short expression (``*``, ``**``, ``+``, ``%``, ``~``, ``center``,
  ``indent``, ``format``, ``wordwrap``, ``join``, ``replace``, ``batch``,
  ``slice``, ``lipsum``...) are checked before they run, so the value is never
  built: ``'x'|center(10**9)`` fails at once without using a gigabyte.

StrictUndefined makes a missing variable an error rather than blank text, and
autoescape makes a person's "<" or "&" reach the document as typed.
docs/safety.md lists every limit.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import time
from typing import Any, Callable, Iterable, Iterator

from jinja2 import StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join, str_join
from jinja2.utils import generate_lorem_ipsum
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

# Far beyond any real document (Excel's cell limit is 32,767 characters).
MAX_PRODUCT_LENGTH = 1_000_000
MAX_POWER_DIGITS = 10_000
# Characters in any one value a template makes, and in one rendered part (the
# default report's body renders to about 25,000 characters of XML).
MAX_TEXT = 10_000_000
# Seconds one document may take to render (the default report takes well under one), and
# loop steps plus calls allowed per second of it: 2,000,000 by default, where the default
# report takes under a hundred. Raising the time limit raises both.
DEFAULT_TIME_LIMIT = 10.0
OPERATIONS_PER_SECOND = 200_000
# Words lipsum() may make (paragraphs times the most words in one).
MAX_LIPSUM_WORDS = 100_000

# The methods a template may call: plain text methods that never make text
# longer, and reading a group (dict). Filters do the rest.
TEXT_METHODS = frozenset({"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip",
                          "startswith", "endswith", "split"})
GROUP_METHODS = frozenset({"items", "keys", "values", "get"})
# Exactly these types: Jinja's own results (groupby's named tuples) keep their fields.
_PLAIN = (int, float, bool, list, tuple)


class LimitError(SecurityError):
    """A template met one of the limits: too much text, too many steps or too long."""

    raisable = False  # the time and step limits can be raised with --template-time-limit


class BudgetError(LimitError):
    """Too many steps, or too long."""

    raisable = True


class Budget:
    """What one document's rendering may still spend."""

    def __init__(self, time_limit: float | None = None):
        self.time_limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
        self.deadline = time.monotonic() + self.time_limit
        self.max_operations = max(1, int(self.time_limit * OPERATIONS_PER_SECOND))
        self.left = self.max_operations

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise BudgetError(f"the template takes more than {self.max_operations:,} steps to fill in "
                             "(a loop or a call repeated far too often)")
        if self.left % 16 == 0 and time.monotonic() > self.deadline:
            raise BudgetError(f"the template took longer than the {self.time_limit:g}-second limit to fill in")


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("readydocs_budget", default=None)


@contextlib.contextmanager
def limits(time_limit: float | None = None):
    """Render inside this to share one budget between all parts of one document."""
    token = _budget.set(Budget(time_limit))
    try:
        yield
    finally:
        _budget.reset(token)


def _spend(n: int = 1) -> None:
    budget = _budget.get()
    if budget is not None:  # None only while compiling (constant folding)
        budget.spend(n)


def counted(iterable: Iterable) -> Iterator:
    """Every {% for %} iterates through this (see _count_loops): one step per item."""
    budget = _budget.get()
    for item in iterable:
        if budget is not None:
            budget.spend()
        yield item


def text_size(value: Any, cap: int = MAX_TEXT) -> int:
    """About how many characters ``value`` becomes as text; stops counting past ``cap``.

    Lists and groups can share elements (``[a, a, a]``), so their printed size
    can be far larger than their memory: each distinct one is measured once.
    """
    memo: dict[int, int] = {}

    def size(v: Any) -> int:
        if isinstance(v, str):
            return len(v)
        if isinstance(v, (bool, int, float)) or v is None:
            return 8 if not isinstance(v, int) or abs(v) < 10 ** 8 else len(str(v))
        if isinstance(v, (list, tuple, dict)):
            key = id(v)
            if key in memo:
                return memo[key]
            memo[key] = cap + 1  # a structure holding itself
            total = 2
            items = v.items() if isinstance(v, dict) else ((None, x) for x in v)
            for k, x in items:
                total += 2 + (size(k) if k is not None else 0) + size(x)
                if total > cap:
                    break
            memo[key] = total
            return total
        return 64

    return size(value)


def _check_text(value: Any, what: str = "a value") -> None:
    n = text_size(value)
    if n > MAX_TEXT:
        raise LimitError(f"{what} of more than {MAX_TEXT:,} characters is too large for a document")


def _check_length(n: int, what: str = "the result") -> None:
    if n > MAX_TEXT:
        raise LimitError(f"{what} would be {n:,} characters, too large for a document")


def _int(v: Any, default: int = 0) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else default


_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_NUMBER = re.compile(r"\d+")


def _printf_size(fmt: str, args: Any) -> int:
    """An upper bound on the length of ``fmt % args``, from the widths and precisions written in it."""
    total = len(fmt) + text_size(args)
    for m in _PRINTF_SPEC.finditer(fmt):
        for part in m.groups():
            if part == "*":
                raise SecurityError("a width or precision taken from the arguments (*) is not allowed in a template")
            if part:
                total += int(part) if len(part) < 12 else MAX_TEXT + 1
    return total


# Checks run before a filter, from its arguments: (value, *args, **kwargs) -> predicted length.
def _center(value, width=80, *a, **k):
    return max(len(str(value)), _int(width))


def _indent(value, width=4, *a, **k):
    w = _int(width) if not isinstance(width, str) else len(width)
    s = str(value)
    return len(s) + (s.count("\n") + 1) * w


def _format(value, *args, **kwargs):
    return _printf_size(str(value), (args, kwargs))


def _wordwrap(value, width=79, break_long_words=True, wrapstring=None, *a, **k):
    s = str(value)
    return len(s) + (len(s) // max(_int(width, 1), 1) + 1) * len(wrapstring or "\n")


def _join(value, d="", *a, **k):
    items = list(value) if not isinstance(value, (str, dict)) else value
    return text_size(items) + len(items) * len(str(d))


def _replace(value, old, new, count=None, *a, **k):
    s, old, new = str(value), str(old), str(new)
    n = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    return len(s) + n * max(len(new) - len(old), 0)


def _batch(value, linecount, fill_with=None, *a, **k):
    return _int(linecount) + text_size(value)


def _slice(value, slices, fill_with=None, *a, **k):
    return _int(slices) * 4 + text_size(value)


def _sum(iterable, attribute=None, start=0, *a, **k):
    if not isinstance(start, (int, float)):
        raise SecurityError("sum() may only add numbers in a template")
    return 0


_PREDICT: dict[str, Callable[..., int]] = {"center": _center, "indent": _indent, "format": _format, "wordwrap": _wordwrap, "join": _join,
            "replace": _replace, "batch": _batch, "slice": _slice, "sum": _sum}


def _bounded_filter(name: str, func):
    """A filter that checks its arguments before it runs, and its result after."""

    predict = _PREDICT.get(name)
    # Filters marked pass_context / pass_eval_context / pass_environment get that first;
    # functools.wraps copies the mark, so Jinja passes it to the wrapper too.
    passes = getattr(func, "jinja_pass_arg", None)

    @functools.wraps(func)
    def bounded(*args, **kwargs):
        data = args[1:] if passes is not None else args
        for v in data:
            _check_text(v)
        for v in kwargs.values():
            _check_text(v)
        if predict is not None and data:
            _check_length(predict(*data, **kwargs), f"the {name} filter's result")
        result = func(*args, **kwargs)
        if isinstance(result, str):
            _check_length(len(result), f"the {name} filter's result")
        return result

    return bounded


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if _int(n) * _int(max) > MAX_LIPSUM_WORDS:
        raise LimitError(f"lipsum() may make at most {MAX_LIPSUM_WORDS:,} words in a template")
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


class _BoundedNamespace(Namespace):
    """namespace(): values kept in it obey the same size limit as any other."""

    def __setitem__(self, name: str, value: Any) -> None:
        _check_text(value)
        super().__setitem__(name, value)


def _bounded_join(environment_join):
    def join(parts: Iterable) -> str:
        """Joins every buffer of rendered text (the part, macro bodies, {% set %} blocks), counting as it goes."""
        total = 0
        out = []
        for chunk in parts:
            total += len(chunk) if isinstance(chunk, str) else text_size(chunk)
            if total > MAX_TEXT:
                raise LimitError(f"the template makes more than {MAX_TEXT:,} characters of text")
            out.append(chunk)
            if len(out) % 1024 == 0:
                _spend()
        return environment_join(out)

    return join


def _bounded_concat(values: Iterable, markup: bool) -> str:
    """The ~ operator: each piece is measured before it becomes text."""
    values = tuple(values)
    _check_length(sum(text_size(v) for v in values), "the joined text")
    return markup_join(values) if markup else str_join(values)


class _Generator(CodeGenerator):
    """Compiles ~ to the measured join above instead of Jinja's own."""

    def visit_Concat(self, node, frame) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.volatile"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {markup})")


def _count_loops(tree: nodes.Template) -> nodes.Template:
    """Make every {% for %} iterate through counted(), so each step is paid for."""
    for loop in tree.find_all(nodes.For):
        it = loop.iter
        if uncounted(it) is not it:
            continue  # a tree already seen (the parse is cached)
        loop.iter = nodes.Call(nodes.ImportedName(_COUNTED), [it], [], None, None, lineno=it.lineno)
    return tree


_COUNTED = f"{__name__}.counted"


def uncounted(node):
    """A {% for %}'s iterable as the template wrote it (without the counted() around it)."""
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.ImportedName) and node.node.importname == _COUNTED:
        return node.args[0]
    return node


class _BoundedTemplate(Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        if _budget.get() is not None:
            return super().render(*args, **kwargs)
        with limits():  # rendered on its own: a budget of its own
            return super().render(*args, **kwargs)


_DICT_ATTRIBUTES = frozenset(dir(dict))  # every attribute a dict has: dict's and object's


class TemplateSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator
    template_class = _BoundedTemplate

    def __init__(self, **kw):
        kw.setdefault("finalize", self._finalize)
        super().__init__(**kw)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals["lipsum"] = _lipsum
        self.globals["namespace"] = _BoundedNamespace
        # Jinja joins a template's output with self.concat; bounding it per instance is the point.
        self.concat = _bounded_join(type(self).concat)  # type: ignore[method-assign]
        self.bounded_concat = _bounded_concat

    @staticmethod
    def _finalize(value: Any) -> Any:
        if not isinstance(value, str):
            _check_text(value)
        return value

    def _parse(self, source, name, filename):
        return _count_loops(super()._parse(source, name, filename))

    def wrap_str_format(self, value: Any) -> None:
        # str.format and format_map are refused like any other method not in
        # TEXT_METHODS (a width such as {:>999999999} builds a gigabyte); the
        # format filter does the same job within the limits.
        return None

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `summary.place` on the plain dicts templates see: Jinja's own getattr first asks the dict for
        # an attribute of that name and catches the AttributeError, for every name in every document.
        # A name no dict has as an attribute is looked up as a key at once, with the same result.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str):  # Markup too: escaped text is text
            return attr in TEXT_METHODS
        if type(obj) is dict:
            return attr in GROUP_METHODS
        if type(obj) in _PLAIN:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        _spend()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_PRODUCT_LENGTH:
                    raise LimitError(f"a value of {len(seq) * n:,} items is too large for a document")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > MAX_POWER_DIGITS * 4:
                raise LimitError("a number this large is not allowed in a template")
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _check_length(text_size(left) + text_size(right), "the sum")
        if operator == "%" and isinstance(left, str):
            _check_length(_printf_size(left, right), "the formatted text")
        return super().call_binop(context, operator, left, right)


def environment() -> TemplateSandbox:
    return TemplateSandbox(undefined=StrictUndefined, autoescape=True)
