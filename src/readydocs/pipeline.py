"""Building one place: assess -> score -> summarise -> render and write every view of the summary.

Plain functions with no click in sight: the CLI, the batch runner and the
tests all call these.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .actionplan import FILENAME as PLAN_FILE, build_plan, plan_bytes
from .assessment import Assessment, as_of, assess, score_assessment
from .baseline import compare, load_baseline
from .benchmark import CohortStats, compare as compare_with_cohort
from .branding import drop_logo_problems, logo_for
from .catalogue import PLACE_DOCUMENTS
from .charts import native_chart_data, picture_charts
from .context import build_context
from .errors import FolderBusyError, ReadydocsError
from .framework import Framework
from .outputs import DEFAULT_KEEP_BACKUPS, DEFAULT_WAIT, Flush, OutputFolder, PendingWrite, WriteReport, finish_writes
from .pdf import PdfError, pdf_bytes, pdf_name
from .places import PlaceIdentity
from .render import CHART_WIDTH_MM, DocumentProps, Picture, render_document, resolve_template
from .scoresjson import scores_document
from .scoring import Scores
from .summary import Summary, summarise


@dataclass
class BuildResult:
    assessment: Assessment
    scores: Scores | None = None
    out_dir: Path | None = None
    written: list[Path] = field(default_factory=list)
    summary: Summary | None = None  # every fact the documents state
    scores_json: dict[str, Any] | None = None  # what scores.json holds
    backups: list[tuple[Path, Path]] = field(default_factory=list)  # (generated file, kept copy of a person's edit)
    pruned: list[Path] = field(default_factory=list)  # older kept copies removed, past the number kept
    retired: list[Path] = field(default_factory=list)  # an earlier build's PDFs, removed because this build made none
    pdf_error: ReadydocsError | None = None  # --pdf asked for and failed; everything else was written


@dataclass
class Prepared:
    """One place rendered and scored, not yet written (see write_place). Nothing to write when not valid."""

    result: BuildResult
    summary: Summary | None = None
    identity: PlaceIdentity | None = None
    out_dir: Path | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # documents, scores.json, PDFs; the plan comes at writing
    when: dt.datetime | None = None


def build(paths: Sequence[str | Path], out_root: Path, framework: Framework,
          templates_dir: Path | None = None, date: dt.date | None = None, logo: Path | None = None,
          baseline: str | Path | None = None, assessment: Assessment | None = None,
          force: bool = False, pdf: bool = False, wait: float = DEFAULT_WAIT, keep_backups: int = DEFAULT_KEEP_BACKUPS,
          folder_name: str | None = None, benchmark: CohortStats | None = None, chart_image: bool = False,
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
            folder_name: str | None = None, benchmark: CohortStats | None = None,
            template_time_limit: float | None = None, chart_image: bool = False) -> Prepared:
    """Everything a build does before it touches the output folder: render and score, in memory."""

    assessment = assessment if assessment is not None else assess(paths, framework)
    if logo is not None:
        drop_logo_problems(assessment.report)
    result = BuildResult(assessment)
    if not assessment.valid:
        return Prepared(result)
    scores = score_assessment(assessment)
    day = as_of(assessment, date)
    summary = summarise(assessment.responses, scores, framework, as_of=day)
    if baseline is not None:
        summary = compare(load_baseline(baseline, framework), summary)
    if benchmark is not None:
        summary = compare_with_cohort(benchmark, summary)
    context = build_context(summary)
    brand = logo_for(assessment.responses[0], summary.place.organization, logo)
    result.scores, result.summary = scores, summary
    out_dir = Path(out_root) / (folder_name or summary.place.slug)
    result.scores_json = scores_document(summary)
    charts = native_chart_data(summary)
    pictures: dict[str, Picture] = {}
    chart_pictures = None
    if chart_image:
        chart, alt, chart_pictures = picture_charts(summary)
        pictures["chart"] = Picture(chart, CHART_WIDTH_MM, None, "Condition scores", alt)
    if brand is not None:
        pictures["logo"] = Picture(brand.data, brand.width_mm, brand.height_mm, brand.alt, brand.alt)
    when = dt.datetime(day.year, day.month, day.day, 9, 0, 0)
    documents: list[tuple[str, bytes]] = []
    for doc in PLACE_DOCUMENTS:
        props = DocumentProps(
            title=f"{doc.title}: {summary.place.name}", subject=framework.title,
            author=summary.advocate_name or "readydocs", language=framework.language,
            keywords=doc.keywords, when=when)
        data = render_document(resolve_template(doc.template, templates_dir), context, props, pictures,
                               time_limit=template_time_limit, native_charts=charts, chart_pictures=chart_pictures)
        documents.append((doc.filename, data))
    scores_json = json.dumps(result.scores_json, indent=2, ensure_ascii=False) + "\n"
    prepared = Prepared(result, summary, summary.place.identity, out_dir,
                        [*documents, ("scores.json", scores_json.encode("utf-8"))], when)
    if pdf:
        # LibreOffice works in a private folder; the PDFs are written with everything else.
        try:
            prepared.files += pdf_bytes(documents, shown_as=[out_dir / name for name, _ in documents])
        except PdfError as exc:
            result.pdf_error = exc
    return prepared


def write_place(prepared: Prepared, force: bool = False, wait: float = DEFAULT_WAIT,
                keep_backups: int = DEFAULT_KEEP_BACKUPS) -> BuildResult:
    """Write a prepared place into its folder, holding the folder for the whole step (see outputs.OutputFolder)."""
    with WriteBehind(force=force, wait=wait, keep_backups=keep_backups) as writer:
        writer.add(0, prepared)
        done = writer.finish()[0]
    if isinstance(done, Exception):
        raise done
    return done


class WriteBehind:
    """Writes prepared places while the caller prepares the next ones: ``with WriteBehind() as w: w.add(key, p) ...``.

    add holds the place's folder and writes its files beside their targets at once; they are
    made durable by a flush in a thread (outputs.Flush: it waits for the disk, not for the
    CPU) and put in place once it is done. One flush runs at a time: the places added while
    it runs are made durable together by the next. finish waits for the last and gives each
    place's result, or the error that stopped it (the others are still written), by its key.
    A folder is held until its files are in place, and never waited for while another is
    held: tried at once, and only waited for after the writes in hand are finished, so that
    two processes never wait for each other in a circle.
    """

    def __init__(self, force: bool = False, wait: float = DEFAULT_WAIT, keep_backups: int = DEFAULT_KEEP_BACKUPS):
        self.force, self.wait, self.keep_backups = force, wait, keep_backups
        self._started: list[_Started] = []  # written beside their targets, not yet flushing
        self._flushing: tuple[list[_Started], Flush] | None = None
        self._done: dict[Any, BuildResult | Exception] = {}

    def __enter__(self) -> "WriteBehind":
        return self

    def __exit__(self, *exc: object) -> None:
        # Left early (an error in the caller): what was started is let go unwritten, each folder's
        # temporary files removed (OutputFolder), once a flush still running has ended.
        if self._flushing is not None:
            try:
                self._flushing[1].wait()
            except BaseException:
                pass
        for started in [*(self._flushing[0] if self._flushing else ()), *self._started]:
            started.let_go()
        self._flushing, self._started = None, []

    def add(self, key: Any, prepared: Prepared) -> None:
        if self._flushing is not None and self._flushing[1].done:
            self._put_in_place()
        try:
            started = self._start(key, prepared)
        except Exception as exc:  # this place only: told by finish
            self._done[key] = exc
            return
        self._started.append(started)
        if self._flushing is None:
            self._flush()

    def finish(self) -> dict[Any, BuildResult | Exception]:
        """Wait until every place added is written or refused; each one's result by its key."""
        while self._started or self._flushing is not None:
            if self._flushing is None:
                self._flush()
            self._put_in_place()
        return self._done

    def _start(self, key: Any, prepared: Prepared) -> "_Started":
        holding = bool(self._started) or self._flushing is not None
        try:
            folder = self._folder(prepared, wait=0 if holding else self.wait).__enter__()
        except FolderBusyError:
            if not holding:
                raise
            self.finish()  # let every folder go before waiting for this one
            folder = self._folder(prepared, wait=self.wait).__enter__()
        try:
            return _Started(key, prepared, _start_write(prepared, folder, self.force))
        except BaseException:
            folder.__exit__(None, None, None)
            raise

    def _folder(self, prepared: Prepared, wait: float) -> OutputFolder:
        assert prepared.out_dir is not None
        return OutputFolder(prepared.out_dir, prepared.identity, wait=wait, keep_backups=self.keep_backups)

    def _flush(self) -> None:
        started, self._started = self._started, []
        self._flushing = (started, Flush([s.write for s in started]))

    def _put_in_place(self) -> None:
        assert self._flushing is not None
        started, flush = self._flushing
        try:
            written = finish_writes([s.write for s in started], flush)
        finally:
            self._flushing = None
            for s in started:
                s.let_go()
        for s, report in zip(started, written):
            self._done[s.key] = report if isinstance(report, Exception) else _written(s.prepared, report)


@dataclass(eq=False)
class _Started:
    """A place whose files WriteBehind has written beside their targets, its folder held until let_go."""

    key: Any
    prepared: Prepared
    write: PendingWrite

    def let_go(self) -> None:
        self.write.folder.__exit__(None, None, None)


def _start_write(prepared: Prepared, folder: OutputFolder, force: bool) -> PendingWrite:
    """Start writing the place's files in its folder, which the caller holds."""
    out_dir, summary = prepared.out_dir, prepared.summary
    assert out_dir is not None and prepared.when is not None and summary is not None
    # Read under the lock: the plan carries what people typed into the last one forward.
    existing = out_dir / PLAN_FILE
    try:
        has_plan = stat.S_ISREG(existing.lstat().st_mode)
    except OSError:
        has_plan = False
    plan = build_plan(summary, existing=existing if has_plan else None)
    files = [*prepared.files, (PLAN_FILE, plan_bytes(plan, summary, prepared.when))]
    # PDFs an earlier build made and this one does not would describe other answers.
    pdfs = [pdf_name(doc.filename) for doc in PLACE_DOCUMENTS]
    return folder.start_write(files, force=force, carried={PLAN_FILE}, retire=pdfs)


def _written(prepared: Prepared, written: WriteReport) -> BuildResult:
    result = prepared.result
    result.written.extend(written.written)
    result.backups.extend(written.backups)
    result.pruned.extend(written.pruned)
    result.retired.extend(written.retired)
    result.out_dir = prepared.out_dir
    return result
