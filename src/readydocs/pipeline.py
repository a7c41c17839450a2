"""Building one place: load -> validate -> score -> context -> render -> write.

Plain functions with no click in sight: the CLI, the batch runner and the
tests all call these.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .errors import InvalidInputError
from .framework import Framework
from .intake import read_intake
from .scoring import Scores, score
from .validate import Report, Response, combine, validate


@dataclass
class Assessment:
    """One place's workbooks, read and checked."""

    framework: Framework
    report: Report
    responses: list[Response]

    @property
    def valid(self) -> bool:
        return self.report.valid


@dataclass
class BuildResult:
    assessment: Assessment
    scores: Scores | None = None
    out_dir: Path | None = None
    written: list[Path] = field(default_factory=list)
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (generated file, kept copy of a person's edit)


def assess(paths: Sequence[str | Path], framework: Framework) -> Assessment:
    """Read and validate every workbook for one place (one per respondent)."""
    reports, responses = [], []
    for p in paths:
        report, response = validate(read_intake(p, framework), framework)
        reports.append(report)
        responses.append(response)
    assessment = Assessment(framework, combine(reports), responses)
    if assessment.valid and len(responses) > 1:
        _check_same_place(responses)
    return assessment


def _check_same_place(responses: Sequence[Response]) -> None:
    names = {}
    for r in responses:
        names.setdefault(" ".join((r.profile.get("municipality_name") or "").casefold().split()), []).append(r.source.name)
    if len(names) > 1:
        listing = "; ".join(f"{', '.join(files)}: {name or '(blank)'}" for name, files in names.items())
        raise InvalidInputError(f"These workbooks name different municipalities ({listing}).",
                                "Build each place separately, or use 'readydocs batch' for a cohort.")


def score_assessment(assessment: Assessment) -> Scores:
    return score([r.answers for r in assessment.responses], assessment.framework)


def as_of(assessment: Assessment, override: dt.date | None = None) -> dt.date:
    """The date the documents carry: --date, else the assessment date, else 1 January 1980 (never the clock)."""
    if override:
        return override
    dates = [r.profile.get("assessment_date") for r in assessment.responses if r.profile.get("assessment_date")]
    return max(dates) if dates else dt.date(1980, 1, 1)


def scores_document(assessment: Assessment, scores: Scores, context: dict[str, Any]) -> dict[str, Any]:
    """scores.json: the numbers behind the documents, for programs and for later rounds."""
    fw = assessment.framework
    return {
        "framework": {"id": fw.id, "version": fw.version},
        "place": context["place"]["name"],
        "assessment_date": context["dates"]["assessment_iso"],
        "respondents": context["respondents"],
        "overall": {"level": scores.level, "label": context["overall"]["label"],
                    "average": None if scores.average is None else round(scores.average, 2),
                    "capped_by": list(scores.capped_by)},
        "conditions": [
            {"id": c.id, "name": fw.condition(c.id).name,
             "score": None if c.score is None else round(c.score, 2),
             "status": c.status, "indicators": c.n_indicators, "rated": c.n_rated, "unknown": c.n_unknown,
             "spread": None if c.spread is None else round(c.spread, 2), "disagree": c.disagree}
            for c in scores.conditions
        ],
    }


def build(paths: Sequence[str | Path], out_root: Path, framework: Framework,
          templates_dir: Path | None = None, date: dt.date | None = None, force: bool = False) -> BuildResult:
    """Validate, and when valid, write the three documents and scores.json into out_root/<slug>/.

    A file there that a person has edited since the last build is not
    replaced (OutputConflictError) unless ``force``, which keeps a dated copy first.
    """
    from .charts import chart_alt_text, chart_png
    from .context import build_context
    from .outputs import write_outputs
    from .render import DOCUMENTS, DocumentProps, check_templates, render_document, resolve_template

    assessment = assess(paths, framework)
    result = BuildResult(assessment)
    if not assessment.valid:
        return result
    scores = score_assessment(assessment)
    day = as_of(assessment, date)
    context = build_context(assessment.responses, scores, framework, as_of=day)
    check_templates(context, templates_dir)
    result.scores = scores
    out_dir = Path(out_root) / context["place"]["slug"]
    chart = chart_png(context["conditions"], context["framework"]["bands"])
    alt = chart_alt_text(context["conditions"])
    when = dt.datetime(day.year, day.month, day.day, 9, 0, 0)
    rendered: list[tuple[Path, bytes]] = []
    for filename, title in DOCUMENTS:
        props = DocumentProps(
            title=f"{title}: {context['place']['name']}", subject=framework.title,
            author=context["advocate"]["name"] or "readydocs", language=framework.language,
            keywords="Mobility Action Planning; readiness", when=when)
        data = render_document(resolve_template(filename, templates_dir), context, props, chart=chart, chart_alt=alt)
        rendered.append((out_dir / filename, data))
    scores_json = json.dumps(scores_document(assessment, scores, context), indent=2, ensure_ascii=False) + "\n"
    rendered.append((out_dir / "scores.json", scores_json.encode("utf-8")))
    # Everything is rendered before anything is written: a template error leaves no partial set.
    written = write_outputs(out_dir, [(path.name, data) for path, data in rendered], force=force)
    result.written.extend(written.written)
    result.backups.extend(written.backups)
    result.out_dir = out_dir
    return result
