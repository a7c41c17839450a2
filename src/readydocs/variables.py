"""The variables a template can use, as dotted paths with a type and an example.

The pipeline is the authority on what a template receives, so the reference is
taken from it: the bundled sample is read, scored and turned into a context
exactly as ``readydocs build`` does. A second, two-respondent variant of the
sample, compared with the sample as an earlier round, fills the lists the
sample leaves empty (disagreements, the essential conditions that capped the
level, the baseline comparison), so every list has an element to describe.

Paths use ``[]`` for "each element of this list": ``conditions[].name`` is the
name of each condition. The template linter checks templates against these
paths and the test suite checks docs/templates.md against them.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assessment import as_of, assess, score_assessment
from .baseline import compare, load_baseline
from .benchmark import cohort_stats, compare as compare_with_cohort
from .context import build_context
from .framework import load_framework
from .scoring import score
from .summary import Summary, summarise
from .workbook import write_intake

# Variables render.py adds at rendering time: placeholders (text) that become pictures once
# the template is filled in.
RENDERED = {
    "chart": ("picture placeholder or empty", "With --chart-image, the condition-score chart as a picture, with alt text listing every score; empty text otherwise (the template's native charts carry the scores)."),
    "logo": ("picture or empty", "The logo from the profile sheet or --logo, sized for the header; empty text when there is none."),
}


@dataclass
class Variable:
    """One path: the kinds of value seen there, and the first example from the sample."""

    path: str
    kinds: set[str] = field(default_factory=set)
    example: Any = None
    has_example: bool = False
    has_children: bool = False

    @property
    def open(self) -> bool:
        """Nothing is known below this path (it was empty everywhere), so any sub-path is accepted."""
        return self.kinds <= {"empty", "list"} and not self.has_children

    @property
    def type_name(self) -> str:
        order = ["group", "list", "text", "whole number", "number", "true/false", "picture", "empty"]
        shown = [k for k in order if k in self.kinds] + sorted(self.kinds - set(order))
        return " or ".join(shown)


def kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "whole number"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "group"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def flatten(contexts: list[dict[str, Any]]) -> dict[str, Variable]:
    """Every path in the contexts, merging all elements of every list.

    Examples come from the first context that has a non-empty value there.
    """
    out: dict[str, Variable] = {}

    def visit(value: Any, path: str) -> None:
        var = out.setdefault(path, Variable(path))
        var.kinds.add(kind(value))
        if not var.has_example and value not in (None, "", [], {}):
            if not isinstance(value, (dict, list, tuple)):
                var.example, var.has_example = value, True
        if isinstance(value, dict):
            for k, v in value.items():
                var.has_children = True
                visit(v, f"{path}.{k}" if path else k)
        elif isinstance(value, (list, tuple)):
            for v in value:
                var.has_children = True
                visit(v, f"{path}[]")

    for ctx in contexts:
        for k, v in ctx.items():
            visit(v, k)
    return out


def sample_contexts(framework=None) -> list[dict[str, Any]]:
    """The sample's context, then a two-respondent variant that fills the lists the sample leaves empty."""

    framework = framework or load_framework()
    with tempfile.TemporaryDirectory(prefix="readydocs-sample-") as tmp:
        path = write_intake(Path(tmp) / "sample.xlsx", framework, sample=True)
        assessment = assess([path], framework)
        earlier = load_baseline(path, framework)
    scores = score_assessment(assessment)
    first = build_context(summarise(assessment.responses, scores, framework, as_of=as_of(assessment)))
    # A second respondent who rates everything at the bottom of the scale: every
    # condition is disputed and the essential ones fall below their minimum.
    sample = assessment.responses[0]
    low = framework.scale.levels[0].value
    # Their note on the first indicator contradicts the sample's, so disputed notes are filled too.
    first_indicator = framework.indicators[0].id
    rows = {**sample.rows, first_indicator: dataclasses.replace(sample.row(first_indicator), evidence="Not seen in practice.")}
    other = dataclasses.replace(sample, answers={k: low for k in sample.answers}, rows=rows,
                                profile=dataclasses.replace(sample.profile, respondent_name="Second respondent"))
    both = [sample, other]
    second = summarise(both, score([r.answers for r in both], framework), framework, as_of=as_of(assessment))
    # ...compared with the sample as an earlier round, so the baseline lists are filled too,
    # and as one place of a cohort, so the peer comparison's lists are filled as well.
    second = _sample_benchmark(compare(earlier, second), framework)
    return [first, build_context(second)]


def _sample_benchmark(summary: Summary, framework) -> Summary:
    """A made-up cohort of five places: lower than this place on some conditions, higher on others,
    and the last condition scored by only one place, so every list of the comparison has entries."""

    ids = [c.id for c in framework.conditions]
    places = [{cid: (None if i == len(ids) - 1 and n else (5.0 + 5 * n) if i % 2 == 0 else (70.0 + 5 * n))
               for i, cid in enumerate(ids)} for n in range(5)]
    return compare_with_cohort(cohort_stats(places, framework), summary)


def reference(framework=None) -> dict[str, Variable]:
    """Every variable a template can use: the context's paths plus those added at rendering."""
    out = flatten(sample_contexts(framework))
    for name, (type_name, _) in RENDERED.items():
        out[name] = Variable(name, {type_name}, None, False)
    return out
