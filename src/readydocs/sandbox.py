"""The Jinja environment every Word template is rendered in.

A customised template is code from someone else's hands. Jinja's sandbox
already refuses attributes that reach into Python's internals
(``''.__class__``), unsafe calls, and ranges past 100,000 items; this adds
limits on the two operators that can build a huge value from a short
expression (``'x' * 10**9``, ``9 ** 9 ** 9``). StrictUndefined makes a
missing variable an error rather than blank text, and autoescape makes a
person's "<" or "&" reach the document as typed.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

# Far beyond any real document (Excel's cell limit is 32,767 characters).
MAX_PRODUCT_LENGTH = 1_000_000
MAX_POWER_DIGITS = 10_000


class TemplateSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_PRODUCT_LENGTH:
                    raise SecurityError(f"a value of {len(seq) * n:,} items is too large for a document")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > MAX_POWER_DIGITS * 4:
                raise SecurityError("a number this large is not allowed in a template")
        return super().call_binop(context, operator, left, right)


def environment() -> TemplateSandbox:
    return TemplateSandbox(undefined=StrictUndefined, autoescape=True)
