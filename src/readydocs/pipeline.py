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
from .intake import Intake, read_intake
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
    summary: dict[str, Any] | None = None  # what scores.json holds
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (generated file, kept copy of a person's edit)


def read_workbook(path: str | Path, framework: Framework) -> tuple[Report, Response]:
    """Read and check one workbook: its problems (as data) and its answers.

    The answers are usable only when ``report.valid``; a file that cannot be
    read at all raises UnreadableFileError.
    """
    return validate(read_intake(path, framework), framework)


def assess(paths: Sequence[str | Path], framework: Framework) -> Assessment:
    """Read and validate every workbook for one place (one per respondent)."""
    reports, responses = [], []
    intakes = [read_intake(p, framework) for p in paths]
    if len(intakes) > 1:
        _check_same_framework(intakes)
    for intake in intakes:
        report, response = validate(intake, framework)
        reports.append(report)
        responses.append(response)
    assessment = Assessment(framework, combine(reports), responses)
    if assessment.valid and len(responses) > 1:
        _check_same_place(responses)
    return assessment


def place_key(name: str | None) -> str:
    """Two municipality names are the same place when they match ignoring case, width and spacing."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def _check_same_framework(intakes: Sequence[Intake]) -> None:
    """Respondents for one place must have used workbooks from one framework version."""
    from .form import NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION
    from .validate import clean_text

    made_from: dict[str, list[str]] = {}
    for intake in intakes:
        fid, fver = intake.meta.get(NAME_FRAMEWORK_ID), intake.meta.get(NAME_FRAMEWORK_VERSION)
        if fid is None or fver is None:
            continue  # validation reports the missing framework id for this workbook
        key = f"{clean_text(fid.value)[0] or '(blank)'} version {clean_text(fver.value)[0] or '(blank)'}"
        made_from.setdefault(key, []).append(f"{intake.path.name} ({fver.where})")
    if len(made_from) > 1:
        listing = "; ".join(f"{', '.join(files)}: {key}" for key, files in made_from.items())
        raise InvalidInputError(f"These workbooks were made from different framework versions ({listing}).",
                                "Every respondent for one place needs a workbook from the same version: copy the answers "
                                "into fresh workbooks from 'readydocs init'.")


def _check_same_place(responses: Sequence[Response]) -> None:
    groups: dict[str, tuple[str, list[str]]] = {}  # key -> (name as first typed, files)
    for r in responses:
        typed = r.profile.get("municipality_name") or ""
        groups.setdefault(place_key(typed), (typed, []))[1].append(r.source.name)
    if len(groups) > 1:
        listing = "; ".join(f"{', '.join(files)}: {typed or '(blank)'}" for typed, files in groups.values())
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
    from .benchmark import scores_entry

    fw = assessment.framework
    return {
        "framework": {"id": fw.id, "version": fw.version},
        "place": context["place"]["name"],
        "state": context["place"]["state"],
        "jurisdiction_type": context["place"]["type"],
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
        "benchmark": scores_entry(context["benchmark"]),
    }


def build(paths: Sequence[str | Path], out_root: Path, framework: Framework,
          templates_dir: Path | None = None, date: dt.date | None = None, logo: Path | None = None,
          baseline: str | Path | None = None, assessment: Assessment | None = None,
          force: bool = False, benchmark: Any | None = None,
          template_time_limit: float | None = None) -> BuildResult:
    """Validate, and when valid, write the three documents, the action plan and scores.json into out_root/<slug>/.

    ``logo`` replaces the logo named on the workbook's profile sheet. ``baseline``: an earlier
    round (workbook or scores.json) to compare with. ``assessment``: workbooks already read and
    checked (the batch runner's), used instead of reading ``paths``. A file in the output folder
    that a person has edited since the last build is not replaced (OutputConflictError) unless
    ``force``, which keeps a dated copy first. ``benchmark``: a batch's benchmark.CohortStats,
    for the report's peer comparison.
    ``template_time_limit``: seconds each document's template may take to fill in
    (sandbox.DEFAULT_TIME_LIMIT when None).
    """
    from .actionplan import FILENAME as PLAN_FILE, build_plan, plan_bytes
    from .baseline import alt_text, chart_rounds, compare, load_baseline
    from .branding import drop_logo_problems, logo_for
    from .charts import chart_alt_text, chart_png
    from .context import build_context
    from .outputs import write_outputs
    from .render import CHART_WIDTH_MM, DOCUMENTS, DocumentProps, Picture, render_document, resolve_template

    assessment = assessment if assessment is not None else assess(paths, framework)
    if logo is not None:
        drop_logo_problems(assessment.report)
    result = BuildResult(assessment)
    if not assessment.valid:
        return result
    scores = score_assessment(assessment)
    day = as_of(assessment, date)
    context = build_context(assessment.responses, scores, framework, as_of=day)
    if baseline is not None:
        context["baseline"] = compare(load_baseline(baseline, framework), context, framework)
    if benchmark is not None:
        from .benchmark import compare as compare_to_cohort

        context["benchmark"] = compare_to_cohort(benchmark, context)
    brand = logo_for(assessment.responses[0], context["place"]["organization"], logo)
    result.scores = scores
    out_dir = Path(out_root) / context["place"]["slug"]
    chart = chart_png(context["conditions"], context["framework"]["bands"], baseline=chart_rounds(context["baseline"]))
    alt = chart_alt_text(context["conditions"]) + alt_text(context["baseline"])
    pictures = {"chart": Picture(chart, CHART_WIDTH_MM, None, "Condition scores", alt)}
    if brand is not None:
        pictures["logo"] = Picture(brand.data, brand.width_mm, brand.height_mm, brand.alt, brand.alt)
    when = dt.datetime(day.year, day.month, day.day, 9, 0, 0)
    rendered: list[tuple[Path, bytes]] = []
    for filename, title in DOCUMENTS:
        props = DocumentProps(
            title=f"{title}: {context['place']['name']}", subject=framework.title,
            author=context["advocate"]["name"] or "readydocs", language=framework.language,
            keywords="Mobility Action Planning; readiness", when=when)
        data = render_document(resolve_template(filename, templates_dir), context, props, pictures,
                               time_limit=template_time_limit)
        rendered.append((out_dir / filename, data))
    result.summary = scores_document(assessment, scores, context)
    scores_json = json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n"
    rendered.append((out_dir / "scores.json", scores_json.encode("utf-8")))
    plan = build_plan(context, assessment.responses, framework, existing=out_dir / PLAN_FILE)
    rendered.append((out_dir / PLAN_FILE, plan_bytes(plan, context, when)))
    # Everything is rendered before anything is written: a template error leaves no partial set.
    written = write_outputs(out_dir, [(path.name, data) for path, data in rendered], force=force, carried={PLAN_FILE})
    result.written.extend(written.written)
    result.backups.extend(written.backups)
    result.out_dir = out_dir
    return result
