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

from .errors import InvalidInputError, ReadydocsError
from .framework import Framework
from .intake import Intake, read_intake
from .outputs import DEFAULT_KEEP_BACKUPS, DEFAULT_WAIT
from .places import PlaceIdentity, identity_of, normalise
from .scoring import Scores, score
from .validate import WARNING, Problem, Report, Response, combine, validate


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
    pruned: list[Path] = field(default_factory=list)  # older kept copies removed, past the number kept
    retired: list[Path] = field(default_factory=list)  # an earlier build's PDFs, removed because this build made none
    pdf_error: ReadydocsError | None = None  # --pdf asked for and failed; everything else was written


# Problems about the list of files given rather than about a workbook's cells (distinct_workbooks).
INPUT_NOTES = ("duplicate-workbook",)


def read_workbook(path: str | Path, framework: Framework) -> tuple[Report, Response]:
    """Read and check one workbook: its problems (as data) and its answers.

    The answers are usable only when ``report.valid``; a file that cannot be
    read at all raises UnreadableFileError.
    """
    return validate(read_intake(path, framework), framework)


def assess(paths: Sequence[str | Path], framework: Framework) -> Assessment:
    """Read and validate every workbook for one place (one per respondent).

    A workbook given twice (the same path, or a copy with the same bytes) is
    read once, with a warning, so no respondent is counted twice.
    """
    distinct, notes = distinct_workbooks(paths)
    reports, responses = [], []
    intakes = [read_intake(p, framework) for p in distinct]
    if len(intakes) > 1:
        _check_same_framework(intakes)
    for intake in intakes:
        report, response = validate(intake, framework)
        reports.append(report)
        responses.append(response)
    assessment = Assessment(framework, combine([Report(notes), *reports]), responses)
    if assessment.valid and len(responses) > 1:
        _check_same_place(responses)
    return assessment


def distinct_workbooks(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The workbooks to read, each once, and a warning for each path left out."""
    import hashlib
    import os
    import stat

    from .intake import MAX_UNCOMPRESSED_BYTES

    seen: dict[object, Path] = {}
    out: list[Path] = []
    notes: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        keys: list[object] = []
        try:
            info = os.stat(path)
            keys.append(("path", os.path.realpath(path)))
            # Only a regular file of plausible size is read here; anything else is left to read_intake to refuse.
            if len(paths) > 1 and stat.S_ISREG(info.st_mode) and info.st_size <= MAX_UNCOMPRESSED_BYTES:
                keys.append(("bytes", hashlib.sha256(path.read_bytes()).hexdigest()))
        except OSError:
            pass
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            notes.append(duplicate_note(path, first, same_file=seen.get(keys[0]) == first))
            continue
        for k in keys:
            seen[k] = path
        out.append(path)
    return out, notes


def duplicate_note(path: Path, first: Path, same_file: bool) -> Problem:
    """The warning for a workbook left out because ``first`` (the same file, or the same bytes) is read instead."""
    same = "the same file as" if same_file else "an identical copy of"
    return Problem("duplicate-workbook", WARNING, f"{same} {first}; its answers are counted once.", file=str(path))


def place_key(name: str | None) -> str:
    """Two municipality names are the same place when they match ignoring case, width and spacing."""
    return normalise(name)


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


_FIELD_PLURALS = {"municipality": "municipalities", "state": "states", "jurisdiction_type": "jurisdiction types"}


def _check_same_place(responses: Sequence[Response]) -> None:
    """Respondents pooled into one report must name one place (municipality, state and jurisdiction type)."""
    identities = [identity_of(r.profile) for r in responses]
    if len(set(identities)) == 1:
        return
    first = identities[0]
    attr, label = first.differing_field(next(i for i in identities if i != first))
    groups: dict[str, tuple[str, list[str]]] = {}  # normalised value -> (value as first typed, files)
    for r, identity in zip(responses, identities):
        typed = getattr(identity, attr)
        groups.setdefault(normalise(typed), (typed, []))[1].append(r.source.name)
    listing = "; ".join(f"{', '.join(files)}: {typed or '(blank)'}" for typed, files in groups.values())
    raise InvalidInputError(f"These workbooks name different {_FIELD_PLURALS[attr]} ({listing}).",
                            f"If they are one place, correct the {label} in the wrong workbook; otherwise build each place "
                            "separately, or use 'readydocs batch' for a cohort.")


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


@dataclass
class Prepared:
    """One place rendered and scored, not yet written (see write_place). Nothing to write when not valid."""

    result: BuildResult
    context: dict[str, Any] = field(default_factory=dict)
    identity: PlaceIdentity | None = None
    out_dir: Path | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # documents, scores.json, PDFs; the plan comes at writing
    when: dt.datetime | None = None


def build(paths: Sequence[str | Path], out_root: Path, framework: Framework,
          templates_dir: Path | None = None, date: dt.date | None = None, logo: Path | None = None,
          baseline: str | Path | None = None, assessment: Assessment | None = None,
          force: bool = False, pdf: bool = False, wait: float = DEFAULT_WAIT, keep_backups: int = DEFAULT_KEEP_BACKUPS,
          folder_name: str | None = None, benchmark: Any | None = None, chart_image: bool = False,
          template_time_limit: float | None = None) -> BuildResult:
    """Validate, and when valid, write the three documents, the action plan and scores.json into out_root/<slug>/.

    ``logo`` replaces the logo named on the workbook's profile sheet. ``baseline``: an earlier
    round (workbook or scores.json) to compare with. ``assessment``: workbooks already read and
    checked (the batch runner's), used instead of reading ``paths``. ``pdf`` adds a PDF of each
    document; when they cannot be made, the rest is written and the result's ``pdf_error`` says why.
    ``folder_name`` replaces the slug. ``benchmark``: a batch's benchmark.CohortStats, for the
    report's peer comparison. ``template_time_limit``: seconds each document's template may take
    to fill in (sandbox.DEFAULT_TIME_LIMIT when None). A file in the output folder that a person
    has edited since the last build is not replaced (OutputConflictError) unless ``force``, which
    keeps a dated copy first (at most ``keep_backups`` per file). Another build of the same folder
    is waited for, ``wait`` seconds at most (FolderBusyError); a folder holding another place's
    documents is refused (FolderOwnerError).
    ``chart_image``: pictures drawn with matplotlib instead of native charts.
    """
    prepared = prepare(paths, out_root, framework, templates_dir=templates_dir, date=date, logo=logo,
                       baseline=baseline, assessment=assessment, pdf=pdf, folder_name=folder_name,
                       benchmark=benchmark, template_time_limit=template_time_limit, chart_image=chart_image)
    if not prepared.result.assessment.valid:
        return prepared.result
    return write_place(prepared, force=force, wait=wait, keep_backups=keep_backups)


def prepare(paths: Sequence[str | Path], out_root: Path, framework: Framework,
            templates_dir: Path | None = None, date: dt.date | None = None, logo: Path | None = None,
            baseline: str | Path | None = None, assessment: Assessment | None = None, pdf: bool = False,
            folder_name: str | None = None, benchmark: Any | None = None,
            template_time_limit: float | None = None, chart_image: bool = False) -> Prepared:
    """Everything a build does before it touches the output folder: render and score, in memory."""
    from .baseline import alt_text, chart_rounds, compare, load_baseline
    from .branding import drop_logo_problems, logo_for
    from .charts import chart_alt_text, chart_png, native_chart_data
    from .context import build_context
    from .render import CHART_WIDTH_MM, DOCUMENTS, DocumentProps, Picture, render_document, resolve_template

    assessment = assessment if assessment is not None else assess(paths, framework)
    if logo is not None:
        drop_logo_problems(assessment.report)
    result = BuildResult(assessment)
    if not assessment.valid:
        return Prepared(result)
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
    out_dir = Path(out_root) / (folder_name or context["place"]["slug"])
    result.summary = scores_document(assessment, scores, context)
    charts = native_chart_data(context, result.summary)
    pictures: dict[str, Picture] = {}
    chart_pictures = None
    if chart_image:
        bands, rounds = context["framework"]["bands"], chart_rounds(context["baseline"])
        chart = chart_png(context["conditions"], bands, baseline=rounds)
        alt = chart_alt_text(context["conditions"]) + alt_text(context["baseline"])
        pictures["chart"] = Picture(chart, CHART_WIDTH_MM, None, "Condition scores", alt)
        chart_pictures = {"conditions": chart_png(context["conditions"], bands)}
        if rounds is not None:
            chart_pictures["rounds"] = chart
    if brand is not None:
        pictures["logo"] = Picture(brand.data, brand.width_mm, brand.height_mm, brand.alt, brand.alt)
    when = dt.datetime(day.year, day.month, day.day, 9, 0, 0)
    documents: list[tuple[str, bytes]] = []
    for filename, title in DOCUMENTS:
        props = DocumentProps(
            title=f"{title}: {context['place']['name']}", subject=framework.title,
            author=context["advocate"]["name"] or "readydocs", language=framework.language,
            keywords="Mobility Action Planning; readiness", when=when)
        data = render_document(resolve_template(filename, templates_dir), context, props, pictures,
                               time_limit=template_time_limit, native_charts=charts, chart_pictures=chart_pictures)
        documents.append((filename, data))
    scores_json = json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n"
    prepared = Prepared(result, context, identity_of(assessment.responses[0].profile), out_dir,
                        [*documents, ("scores.json", scores_json.encode("utf-8"))], when)
    if pdf:
        # LibreOffice works in a private folder; the PDFs are written with everything else.
        from .pdf import PdfError, pdf_bytes

        try:
            prepared.files += pdf_bytes(documents, shown_as=[out_dir / name for name, _ in documents])
        except PdfError as exc:
            result.pdf_error = exc
    return prepared


def write_place(prepared: Prepared, force: bool = False, wait: float = DEFAULT_WAIT,
                keep_backups: int = DEFAULT_KEEP_BACKUPS) -> BuildResult:
    """Write a prepared place into its folder, holding the folder for the whole step (see outputs.OutputFolder)."""
    import stat

    from .actionplan import FILENAME as PLAN_FILE, build_plan, plan_bytes
    from .outputs import OutputFolder
    from .pdf import pdf_name
    from .render import DOCUMENTS

    result, context, out_dir = prepared.result, prepared.context, prepared.out_dir
    assert out_dir is not None and prepared.when is not None
    responses, framework = result.assessment.responses, result.assessment.framework
    with OutputFolder(out_dir, prepared.identity, wait=wait, keep_backups=keep_backups) as folder:
        # Read under the lock: the plan carries what people typed into the last one forward.
        existing = out_dir / PLAN_FILE
        try:
            has_plan = stat.S_ISREG(existing.lstat().st_mode)
        except OSError:
            has_plan = False
        plan = build_plan(context, responses, framework, existing=existing if has_plan else None)
        files = [*prepared.files, (PLAN_FILE, plan_bytes(plan, context, prepared.when))]
        # PDFs an earlier build made and this one does not would describe other answers.
        pdfs = [pdf_name(name) for name, _ in DOCUMENTS]
        written = folder.write(files, force=force, carried={PLAN_FILE}, retire=pdfs)
    result.written.extend(written.written)
    result.backups.extend(written.backups)
    result.pruned.extend(written.pruned)
    result.retired.extend(written.retired)
    result.out_dir = out_dir
    return result
