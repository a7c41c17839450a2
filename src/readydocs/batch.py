"""Building a cohort of places at once: `readydocs batch INPUTS... -o DIR`.

Two rounds of work in a pool of worker processes (one per CPU unless told):
first every workbook is read and checked; then the workbooks are grouped by
the place they name (see places.py) and each place is built
from its already-checked answers, exactly as `readydocs build` would build it.
A bad workbook fails only its own place; every failure is collected and
reported at the end, and DIR/cohort-summary.xlsx lists every place built.

Each worker loads the framework once and keeps what can be kept between
places (template bytes, compiled template text, matplotlib's font cache).

With --benchmark every place is scored first, in this process, from the
answers already read, and only the cohort's medians and quartiles go to the
workers (benchmark.py); cohort-report.docx is rendered by a worker at the
end and written here, through the folder's manifest like the summary.
With --baseline DIR each place is built against its own earlier round,
found by identity (baseline.index_round). The end-of-run table and
batch-report.json are batch_report.py's. Longer than most modules because
the two rounds of pool work, their failure handling and the cohort-wide
steps between them share one pool and one set of results.

Imports inside functions: with two or more workers the main process only
schedules and collects (and checks a few workbooks while the workers start),
so it never loads the rendering libraries and stays small however many places
there are; the workers load them once (the forkserver's preload and _warm),
and each step imports the modules it calls. What the main process would
otherwise hold for every place, each workbook's answers and each place's
numbers, waits in two spools on disk (spool.py) until a worker reads it back.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import os
import pickle
import zlib
from collections import deque
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor
from concurrent.futures import wait as first_done
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import spool
from .batch_report import NEW_PLACE, write_report
from .catalogue import COHORT_REPORT
from .errors import OutputConflictError, ReadydocsError, UnreadableFileError
from .framework import Framework
from .intake import is_owner_file
from .outputs import DEFAULT_KEEP_BACKUPS, DEFAULT_WAIT, read_manifest, written_by_readydocs
from .assessment import duplicate_note
from .places import PlaceIdentity, slugify
from .response import Response
from .scoresjson import PlaceScores
from .validate import Report
from .workers import WORKER_MODULES, default_jobs, leave_with_batch, one_task, worker_context

_GLOB_CHARS = set("*?[")


# --------------------------------------------------------------------------
# Finding the workbooks


def collect_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Workbook paths from files, folders (every .xlsx inside, at any depth) and glob patterns.

    Excel's lock files (~$name.xlsx), hidden files, and what readydocs wrote
    (files an output folder's manifest lists, such as cohort-summary.xlsx and
    the action plans, and kept copies of them) are skipped, so ``batch DIR -o
    DIR`` can run again; a file named twice is taken once. A name that matches
    nothing is an error: a typo must not silently shrink a cohort.
    """
    inputs = list(inputs)
    found: list[Path] = []
    manifests: dict[Path, set[str]] = {}
    skipped = lambda q: _skipped(q) or written_by_readydocs(q, manifests)  # noqa: E731
    for raw in inputs:
        text = str(raw)
        p = Path(text)
        if p.is_dir():
            matches = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".xlsx" and not skipped(q))
            if not matches:
                raise UnreadableFileError(f"{p}: the folder holds no .xlsx workbooks.", "Give the folder that holds the intake workbooks.")
            found += matches
        elif p.exists():
            if not is_owner_file(p):  # `batch dir/*.xlsx` while a workbook is open in Excel
                found.append(p)
        elif _GLOB_CHARS & set(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True) if Path(m).is_file() and not skipped(Path(m)))
            if not matches:
                raise UnreadableFileError(f"{text}: no files match this pattern.", "Check the pattern, or give the folder instead.")
            found += matches
        else:
            raise UnreadableFileError(f"{p}: no such file or folder.", "Check the path.")
    if not found:
        raise UnreadableFileError(f"{', '.join(str(i) for i in inputs)}: only Excel owner files (~$name.xlsx), no workbook.",
                                  "Give the workbooks themselves; close them in Excel first.")
    seen: set[Path] = set()
    out = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _skipped(p: Path) -> bool:
    return is_owner_file(p) or p.name.startswith(".")


# --------------------------------------------------------------------------
# Results


@dataclass(slots=True)
class Checked:
    """One workbook after the first round.

    The main process holds one for every workbook of the cohort until its
    place is built, so it keeps no answers: the worker sends them packed, and
    the main process moves them to the batch's spool of answers (answers_at),
    from which the worker that builds the place reads them. The report's
    problems (a few hundred bytes of text each) stay packed too.
    """

    path: Path
    place: str  # municipality named in the workbook ("" when none could be read)
    packed_report: bytes  # the validate.Report, pickled and compressed: see report and change_report
    packed: bytes | None  # the response.Response, pickled and compressed, until it is spooled
    error: str = ""  # why the workbook could not be read at all
    identity: PlaceIdentity | None = None
    digest: str = ""  # SHA-256 of the file, to count a copy given twice once
    condition_scores: tuple[float | None, ...] | None = None  # this workbook alone, in framework order, for the cohort's numbers
    answers_at: int = -1  # where the main process spooled ``packed``

    @property
    def report(self) -> Report:
        """The workbook's problems; empty when the file could not be read at all (see error)."""
        return pickle.loads(zlib.decompress(self.packed_report))  # made by _pack in this batch

    def change_report(self, change: Callable[[Report], None]) -> None:
        report = self.report
        change(report)
        self.packed_report = _pack(report)

    def response(self, answers: Path | None = None) -> Response:
        """The workbook's answers, from ``packed`` or from the spool at ``answers``."""
        data = self.packed
        if data is None and self.answers_at >= 0 and answers is not None:
            data = spool.read(answers, self.answers_at)
        if data is None:
            raise ValueError(f"{self.path}: its answers were not read, or not kept")
        return pickle.loads(zlib.decompress(data))  # made by _check in a worker of this batch


def _pack(value: Any) -> bytes:
    return zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)


NOT_REPLACED = "documents not replaced"  # a refused place, in the summary's note and the closing lines
NO_PDFS = "PDFs not written"


@dataclass(slots=True)
class PlaceOutcome:
    name: str
    files: tuple[str, ...]
    ok: bool
    folder: str = ""
    # Its numbers, also of a place scored but not all written. run_batch moves them to its spool of
    # scored places as each place comes back (the cohort files read them there), so its result has None.
    scores: PlaceScores | None = None
    problems: tuple[str, ...] = ()
    verdict: str = ""  # the overall level's label, when scored
    warnings: int = 0
    note: str = ""  # NO_PDFS when the place is scored and its documents written, but --pdf failed
    worker_pid: int = 0
    worker_peak_kb: int = 0
    errors: int = 0
    refused: bool = False  # scored, not replaced: a document there was edited since the last build
    earlier: str = ""  # with --baseline: the earlier round's scores.json, or NEW_PLACE

    @property
    def documents(self) -> str:
        """What happened to this place's documents: written, refused (edited, kept) or skipped (not built)."""
        if self.ok:
            return "written"
        return "refused" if self.refused else "written, no PDFs" if self.note == NO_PDFS else "skipped"

    @property
    def shortfall(self) -> str:
        """Why a place that was scored was not wholly written ("" when it was, or was not scored)."""
        return NOT_REPLACED if self.refused else self.note


@dataclass(frozen=True)
class ScoredPlace:
    """What the cohort files need of a place that was scored: a batch keeps these in a spool, not in memory."""

    scores: PlaceScores
    name: str
    files: tuple[str, ...]
    folder: str  # the folder's name in the output folder
    note: str  # the cohort summary's note (see _note)
    built: bool  # every document written
    earlier: str  # as PlaceOutcome.earlier

    @classmethod
    def of(cls, p: PlaceOutcome) -> "ScoredPlace | None":
        if p.scores is None or not p.folder:
            return None
        return cls(p.scores, p.name, p.files, Path(p.folder).name, _note(p), p.ok, p.earlier)


def _scored_places(source: Path | Iterable[ScoredPlace]) -> Iterable[ScoredPlace]:
    """The scored places of a batch: read back from its spool (a path), or as given."""
    if isinstance(source, Path):
        return (pickle.loads(data) for data in spool.records(source))  # spooled by run_batch from its workers' outcomes
    return source


@dataclass
class BatchResult:
    places: list[PlaceOutcome] = field(default_factory=list)
    summary_path: Path | None = None
    summary_error: ReadydocsError | None = None  # why cohort-summary.xlsx was not written
    report_path: Path | None = None
    cohort_report_path: Path | None = None
    cohort_report_error: str = ""  # why cohort-report.docx could not be written
    workbooks: int = 0
    baseline: Path | None = None
    benchmarked: bool = False
    notes: list[str] = field(default_factory=list)  # lines to show the user (unreadable baseline files, ...)

    @property
    def failed(self) -> list[PlaceOutcome]:
        return [p for p in self.places if not p.ok]

    @property
    def built(self) -> list[PlaceOutcome]:
        return [p for p in self.places if p.ok]

    def worker_peaks_kb(self) -> dict[int, int]:
        """Peak resident memory of each process that built places, in KB."""
        peaks: dict[int, int] = {}
        for p in self.places:
            if p.worker_pid:
                peaks[p.worker_pid] = max(peaks.get(p.worker_pid, 0), p.worker_peak_kb)
        return peaks


# --------------------------------------------------------------------------
# Worker side

_framework: Framework | None = None


def _init_worker(framework: Framework, chart_image: bool = False, own_process: bool = False) -> None:
    """Run once per worker: keep the framework and load the rendering libraries up front."""
    global _framework
    _framework = framework
    _warm(chart_image)
    if own_process:  # the pool's own process: its collector is set for this work until it ends
        import gc

        gc.freeze()
        gc.set_threshold(*_COLLECT_EVERY)
        leave_with_batch()


# Python's cycle collector looks at the newest objects every 700 made. A place makes hundreds of
# thousands, nearly all freed at once by reference counting, and the libraries and templates a
# process keeps never become garbage. Frozen, and collected every 20,000 new objects, the collector
# took 0.08 ms of a place instead of 0.5 (300 places).
_COLLECT_EVERY = (20_000, 20, 20)


@contextmanager
def _collect_seldom() -> Iterator[None]:
    """The collector set so in this process while a batch runs (a caller's own process: put back after)."""
    import gc

    before = gc.get_threshold()
    gc.freeze()  # what exists now is kept for good: the collector stops looking at it
    gc.set_threshold(*_COLLECT_EVERY)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _warm(chart_image: bool = False) -> None:
    import importlib

    for name in WORKER_MODULES:
        importlib.import_module(name)

    if chart_image:  # matplotlib is an optional extra, loaded only for --chart-image
        try:
            import matplotlib.font_manager  # noqa: F401  (reads matplotlib's font cache once)
            from matplotlib.backends import backend_agg  # noqa: F401
        except ImportError:
            pass  # the first chart says what to install


def _peak_kb() -> int:
    try:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KB on Linux
    except (ImportError, OSError):  # pragma: no cover - not on POSIX
        return 0


@one_task
def _cohort_report(scored: Path | Iterable[ScoredPlace], places: int, baseline_given: bool,
                   options: PlaceOptions) -> bytes | str:
    """cohort-report.docx's bytes (written by the caller, through the manifest), or why it could not be made.

    ``scored``: the batch's spool of scored places (or the places); ``places``: how many the batch has in all.
    """
    from .baseline import load_baseline
    from .cohort_report import FILENAME, cohort_context, render_report
    from .xlsxparts import stamp_for

    assert _framework is not None
    try:
        built = sorted((s for s in _scored_places(scored) if s.built), key=lambda s: (s.name.casefold(), s.files))
        not_built = places - len(built)
        earlier = {s.scores.place: s.earlier for s in built if s.earlier and s.earlier != NEW_PLACE}
        places_built = [s.scores for s in built]
        del built
        rounds = {name: load_baseline(path, _framework) for name, path in earlier.items()}
        context = cohort_context(places_built, _framework, not_built=not_built, earlier=rounds, baseline_given=baseline_given)
        dates = [p.assessment_date for p in places_built if p.assessment_date]
        return render_report(context, _framework, options.templates_dir, stamp_for(max(dates) if dates else None))
    except ReadydocsError as exc:
        return f"{FILENAME} was not written: {options.told(exc)}"


# Workbooks a worker checks per task once the pool runs: one round trip for several, so the
# workers never wait on this process between workbooks (a check takes a few milliseconds).
CHECKS_PER_TASK = 4


@one_task
def _check_each(paths: Sequence[Path], for_cohort: bool = False) -> list[Checked]:
    return [_check(p, for_cohort) for p in paths]


def _check(path: Path, for_cohort: bool = False, framework: Framework | None = None) -> Checked:
    """Read and check one workbook; ``for_cohort``: also score it alone, for the cohort's numbers (benchmark.py).

    ``framework``: in the main process (a worker has its own).
    """
    from .assessment import assess
    from .scoring import score

    framework = framework or _framework
    assert framework is not None
    try:
        a = assess([path], framework)
    except ReadydocsError as exc:
        return Checked(path, "", _pack(Report()), None, str(exc))
    except Exception as exc:  # a bug must fail one workbook, not the cohort
        return Checked(path, "", _pack(Report()), None, f"{path}: could not be read ({type(exc).__name__}: {exc}).")
    response = a.responses[0]
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()  # read_intake has checked its size
    except OSError:
        digest = ""
    alone = None
    if for_cohort and a.report.valid:  # scored here, in parallel, rather than one by one in the main process
        alone = tuple(c.score for c in score([response.answers], framework).conditions)
    return Checked(path, response.profile.municipality_name or "", _pack(a.report), _pack(response),
                   identity=response.profile.identity, digest=digest, condition_scores=alone)


@dataclass(frozen=True)
class PlaceOptions:
    """What `build` takes per place, the same for every place of a batch."""

    templates_dir: Path | None = None
    date: dt.date | None = None
    logo: Path | None = None
    pdf: bool = False
    force: bool = False
    wait: float = DEFAULT_WAIT
    keep_backups: int = DEFAULT_KEEP_BACKUPS
    template_time_limit: float | None = None  # seconds per document (sandbox.DEFAULT_TIME_LIMIT when None)
    chart_image: bool = False  # pictures drawn with matplotlib instead of native charts
    # How an error that stops a place is told (a module-level function, so a worker can be given it): the
    # command line passes one that says which paragraph uses an unknown variable, loading the template
    # linter only when a place fails that way.
    explain: Callable[[ReadydocsError], Exception] | None = None

    def told(self, exc: ReadydocsError) -> str:
        return str(self.explain(exc) if self.explain is not None else exc)


# Places built per task: a task waits only for the flush of its last place (_build_each), and there
# are fewer round trips through the pool, whose machinery costs the main process about a millisecond
# a task, on a machine whose cores the workers already fill.
BUILDS_PER_TASK = 4


def _task_size(waiting: int, jobs: int, most: int) -> int:
    """Places in the next build task: up to ``most``, fewer towards the end, so that no worker
    waits idle while another builds the last task's places."""
    return min(most, max(1, waiting // (2 * jobs)))


@one_task
def _build_each(places: Sequence[tuple], out_dir: Path, options: PlaceOptions, benchmark: Any = None,
                answers: Path | None = None) -> list[PlaceOutcome]:
    """Build each place of ``places``, each given as (name, its checked workbooks, folder, earlier).

    The places are rendered one after another, and written behind (pipeline.WriteBehind): while
    the places rendered so far are made durable by one flush, which waits for the disk and for
    every other file being written to it, the next is rendered.
    """
    from .pipeline import WriteBehind

    rendered = []
    with WriteBehind(force=options.force, wait=options.wait, keep_backups=options.keep_backups) as writer:
        for n, (name, members, folder, earlier) in enumerate(places):
            place = _render(name, members, out_dir, folder, options, earlier, benchmark, answers)
            if isinstance(place, _Rendered):
                writer.add(n, place.prepared)
            rendered.append(place)
        written = writer.finish()
    return [r.told(written[n], options) if isinstance(r, _Rendered) else r for n, r in enumerate(rendered)]


def _build(name: str, checked: Sequence[Checked], out_dir: Path, folder: str, options: PlaceOptions,
           earlier: str = "", benchmark: Any = None, answers: Path | None = None) -> PlaceOutcome:
    """Build one place from its checked workbooks (their answers packed, or in the spool at ``answers``)."""
    return _build_each([(name, checked, folder, earlier)], out_dir, options, benchmark, answers)[0]


@dataclass
class _Rendered:
    """A place scored and rendered in a worker, waiting to be written with the other places of its task."""

    name: str
    folder: Path
    outcome: Callable[..., PlaceOutcome]  # the place's outcome, given how it ended
    prepared: Any = None  # pipeline.Prepared
    scores: PlaceScores | None = None

    def told(self, written: Any, options: PlaceOptions) -> PlaceOutcome:
        """The outcome, from what writing the place gave (pipeline.BuildResult) or the error that stopped it."""
        if isinstance(written, OutputConflictError):  # the scores stand; the documents were left as people edited them
            return self.outcome(False, folder=str(self.folder), scores=self.scores, problems=(str(written),), refused=True)
        if isinstance(written, ReadydocsError):
            return self.outcome(False, problems=(options.told(written),), errors=1)
        if isinstance(written, Exception):
            return self.outcome(False, problems=(f"{self.name}: could not be built ({type(written).__name__}: {written}).",),
                                errors=1)
        problems = (str(written.pdf_error),) if written.pdf_error is not None else ()
        return self.outcome(written.pdf_error is None, folder=str(written.out_dir), scores=self.scores, problems=problems,
                            errors=len(problems), note=NO_PDFS if problems else "")


def _render(name: str, checked: Sequence[Checked], out_dir: Path, folder: str, options: PlaceOptions,
            earlier: str = "", benchmark: Any = None, answers: Path | None = None) -> PlaceOutcome | _Rendered:
    """A place's documents made, not yet written (or its outcome, when it cannot be)."""
    from .assessment import Assessment
    from .pipeline import prepare
    from .scoresjson import place_scores
    from .validate import combine

    assert _framework is not None
    files = tuple(str(c.path) for c in checked)
    try:
        responses = [c.response(answers) for c in checked]
    except ReadydocsError as exc:  # the spool could not be read back
        return PlaceOutcome(name, files, False, problems=(str(exc),), errors=1)
    assessment = Assessment(_framework, combine(c.report for c in checked), responses)

    def outcome(ok: bool, scores: PlaceScores | None = None, **kw) -> PlaceOutcome:
        return PlaceOutcome(name, files, ok, scores=scores, verdict=scores.level_label if scores else "",
                            warnings=len(assessment.report.warnings), earlier=earlier, worker_pid=os.getpid(),
                            worker_peak_kb=_peak_kb(), **kw)
    rendered = _Rendered(name, out_dir / folder, outcome)
    try:
        rendered.prepared = prepare([], out_dir, _framework, templates_dir=options.templates_dir, date=options.date,
                                    logo=options.logo, assessment=assessment, pdf=options.pdf, folder_name=folder,
                                    baseline=earlier if earlier and earlier != NEW_PLACE else None, benchmark=benchmark,
                                    template_time_limit=options.template_time_limit, chart_image=options.chart_image)
        scores_json = rendered.prepared.result.scores_json
        rendered.scores = place_scores(scores_json) if scores_json else None
    except Exception as exc:
        return rendered.told(exc, options)
    return rendered


def assign_folders(identities: Sequence[PlaceIdentity], out_dir: Path) -> dict[PlaceIdentity, str]:
    """Each place's folder under ``out_dir``: its name's slug, unless another place has a claim to it.

    A place keeps a folder it already owns (by an earlier run's manifest).
    When several places of this batch have names with one slug (Springfield,
    Illinois and Springfield, Massachusetts), each takes its state's (then
    its jurisdiction type's) longer name instead. Places that still end up
    with one folder (St. Paul and St Paul in one state) are for the caller
    to refuse.
    """
    owners: dict[str, PlaceIdentity | None] = {}
    # A folder that is not there has no owner: only those that are have their manifests read (compared
    # without case, for filesystems that ignore it).
    present: set[str] | None
    try:
        present = {entry.name.casefold() for entry in os.scandir(out_dir)}
    except FileNotFoundError:
        present = set()  # a new output folder: no place owns anything in it yet
    except OSError:
        present = None  # unlistable: ask of each folder

    def owner(folder: str) -> PlaceIdentity | None:
        if folder not in owners:
            owners[folder] = read_manifest(out_dir / folder).place if present is None or folder.casefold() in present else None
        return owners[folder]

    names_of: dict[PlaceIdentity, list[str]] = {}

    def candidates(p: PlaceIdentity) -> list[str]:
        if p not in names_of:
            names = [p.municipality, f"{p.municipality} {p.state}", f"{p.municipality} {p.state} {p.jurisdiction_type}"]
            names_of[p] = list(dict.fromkeys(slugify(n) for n in names))
        return names_of[p]

    by_base: dict[str, list[PlaceIdentity]] = {}
    for p in identities:
        by_base.setdefault(candidates(p)[0], []).append(p)
    chosen: dict[PlaceIdentity, str] = {}
    for base, members in by_base.items():
        for p in members:
            own = next((c for c in candidates(p) if owner(c) == p), None)
            if own is not None:
                chosen[p] = own
            elif len(members) == 1:
                chosen[p] = base
            else:
                names = candidates(p)
                chosen[p] = next((c for c in names[1:] if owner(c) is None), names[-1])
    return chosen


# --------------------------------------------------------------------------
# Running


class _InProcess(Executor):
    """--jobs 1: the same work in this process, one item at a time."""

    def __init__(self, framework: Framework, chart_image: bool = False):
        _init_worker(framework, chart_image)

    def submit(self, fn, /, *args, **kwargs):
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # pragma: no cover - workers catch their own errors
            f.set_exception(exc)
        return f


def _pool(jobs: int, framework: Framework, chart_image: bool = False) -> Executor:
    if jobs <= 1:
        return _InProcess(framework, chart_image)
    # Workers fork from a server that has already imported the heavy libraries (workers.py).
    return ProcessPoolExecutor(max_workers=jobs, mp_context=worker_context(), initializer=_init_worker,
                               initargs=(framework, chart_image, True))


Progress = Callable[[str, int, int, str, int], None]  # (stage, done, total, message, failures so far)


def run_batch(inputs: Iterable[str | Path], out_dir: Path, framework: Framework, jobs: int | None = None,
              templates_dir: Path | None = None, date: dt.date | None = None,
              progress: Progress | None = None, logo: Path | None = None, pdf: bool = False, force: bool = False,
              wait: float = DEFAULT_WAIT, keep_backups: int = DEFAULT_KEEP_BACKUPS, baseline: Path | None = None,
              benchmark: bool | None = None, template_time_limit: float | None = None,
              chart_image: bool = False, explain: Callable[[ReadydocsError], Exception] | None = None) -> BatchResult:
    """Check every workbook, build every place, write the cohort summary, cohort report and batch-report.json.

    Workbooks are grouped by the place they name (municipality, state and jurisdiction
    type: see places.py). ``baseline``: an earlier batch's output folder; each place is compared
    with its own earlier round, found by the same identity. ``benchmark``: compare each place with
    the cohort (None: when at least ``[benchmark] min_places`` places are built). ``explain``: how
    an error that stops a place is told (see PlaceOptions). The other options are `build`'s,
    applied to every place and to the cohort-wide files.
    """
    paths = collect_inputs(inputs)
    if logo is not None:
        from .branding import load_logo

        load_logo(Path(logo), "", "--logo")  # a bad --logo is one error, not one per place
    earlier_round = None
    if baseline is not None:
        from .baseline import index_round

        earlier_round = index_round(baseline)
    jobs = max(1, jobs or default_jobs())
    jobs = min(jobs, len(paths)) or 1
    notify = progress or (lambda *a: None)
    result = BatchResult(workbooks=len(paths), baseline=Path(baseline) if baseline is not None else None)
    if earlier_round is not None:
        result.notes += earlier_round.unreadable
    out_dir = Path(out_dir)
    options = PlaceOptions(templates_dir, date, logo, pdf, force, wait, keep_backups, template_time_limit, chart_image,
                           explain)

    # The answers of every workbook and the numbers of every place wait on disk, not in this process
    # (spool.py); the pool is shut down before the spools are removed.
    with _collect_seldom(), spool.Spool("readydocs-answers-") as answers, spool.Spool("readydocs-scores-") as scored, \
            _pool(jobs, framework, chart_image) as pool:
        checked: list[Checked] = []
        unusable = 0
        for_cohort = benchmark is not False

        def take(c: Checked) -> None:
            nonlocal unusable
            if c.packed is not None:
                c.answers_at, c.packed = answers.append(c.packed), None
            checked.append(c)
            unusable += bool(c.error) or not c.report.valid
            notify("check", len(checked), len(paths), str(c.path), unusable)

        unchecked = deque(paths)

        def check_here() -> bool:
            """Check the queue's last workbook in this process; False when none is left."""
            if not unchecked:
                return False
            take(_check(unchecked.pop(), for_cohort, framework))
            return True

        checking: set[Future[list[Checked]]] = set()
        started = jobs == 1  # the workers have sent a first result
        if not started:
            # Starting the workers takes about half a second (the forkserver imports the rendering
            # libraries, then each worker the rest), and the first submissions wait for it; until
            # the first result comes back, this process checks workbooks too, from the other end of
            # the queue. Checking needs none of those libraries.
            first = [(_check_each, ([unchecked.popleft()], for_cohort)) for _ in range(min(2 * jobs, len(unchecked)))]
            checking = _submit_meanwhile(pool, first, check_here)
        while unchecked or checking:
            while unchecked and len(checking) < 2 * jobs:
                some = [unchecked.popleft() for _ in range(min(CHECKS_PER_TASK, len(unchecked)))]
                checking.add(pool.submit(_check_each, some, for_cohort))
            while not started and not any(f.done() for f in checking) and check_here():
                pass
            came_back, checking = first_done(checking, return_when=FIRST_COMPLETED)
            started = True
            for job in came_back:
                for c in job.result():
                    take(c)
            del came_back
        order = {str(p): n for n, p in enumerate(paths)}
        checked.sort(key=lambda c: order[str(c.path)])

        groups: dict[PlaceIdentity, list[Checked]] = {}
        first_with: dict[str, Checked] = {}  # file digest -> the workbook counted
        for c in checked:
            if c.error or not c.place or c.identity is None:
                problems = (c.error,) if c.error else tuple(p.line() for p in c.report.errors) or (
                    f"{c.path}: names no municipality.",)
                result.places.append(PlaceOutcome(c.place or "", (str(c.path),), False, problems=problems, errors=len(problems)))
                continue
            if c.digest and c.digest in first_with:  # a copy of a workbook already counted: one respondent, once
                note = duplicate_note(c.path, first_with[c.digest].path, same_file=False)
                first_with[c.digest].change_report(lambda report: report.problems.append(note))
                continue
            first_with[c.digest] = c
            groups.setdefault(c.identity, []).append(c)

        folders = assign_folders(list(groups), out_dir)
        sharing: dict[str, list[PlaceIdentity]] = {}
        for identity, folder in folders.items():
            sharing.setdefault(folder, []).append(identity)
        to_build = []
        for identity, members in groups.items():
            name = members[0].place
            files = tuple(str(c.path) for c in members)
            if logo is not None:
                from .branding import drop_logo_problems

                for c in members:
                    c.change_report(drop_logo_problems)
            reports = [c.report for c in members]
            errors = [p for r in reports for p in r.errors]
            warnings = sum(len(r.warnings) for r in reports)
            del reports
            others = [p for p in sharing[folders[identity]] if p != identity]
            if others:
                # Two names that differ but make the same folder name would overwrite each other.
                base = slugify(identity.municipality)
                shared = base if all(slugify(p.municipality) == base for p in others) else folders[identity]
                result.places.append(PlaceOutcome(name, files, False, errors=1, warnings=warnings, problems=(
                    f"'{name}' and {', '.join(repr(p.municipality) for p in others)} would share the folder '{shared}'. "
                    "Spell the name the same way in every workbook of one place, or tell different places apart.",)))
            elif errors:
                result.places.append(PlaceOutcome(name, files, False, errors=len(errors), warnings=warnings,
                                                  problems=tuple(p.line() for p in errors)))
            else:
                to_build.append((name, members, folders[identity], _earlier_for(members, earlier_round)))

        stats = None
        if benchmark or (benchmark is None and len(to_build) >= framework.benchmark_min_places):
            stats = _cohort_stats([members for _, members, _, _ in to_build], framework, answers.path)
            result.benchmarked = True
        for c in checked:
            c.condition_scores = None  # counted in stats

        failures = len(result.places)
        # Places go to the workers a few at a time and are let go of once built, so the main process
        # holds each place's checked workbooks only until then, and its memory does not grow with the cohort.
        del checked, groups, first_with
        total, done = len(to_build), 0
        waiting = deque(to_build)
        del to_build
        running: set[Future[list[PlaceOutcome]]] = set()
        # One place a task where a place takes seconds (--pdf), so that progress is told place by place.
        per_task = 1 if options.pdf else BUILDS_PER_TASK
        while waiting or running:
            while waiting and len(running) < 2 * jobs:
                places = [waiting.popleft() for _ in range(_task_size(len(waiting), jobs, per_task))]
                running.add(pool.submit(_build_each, places, out_dir, options, stats, answers.path))
                del places
            finished, running = first_done(running, return_when=FIRST_COMPLETED)
            for outcome in (outcome for f in finished for outcome in f.result()):
                place = ScoredPlace.of(outcome)
                if place is not None:  # the cohort files read it back at the end
                    scored.append(pickle.dumps(place, pickle.HIGHEST_PROTOCOL))
                outcome.scores = None
                result.places.append(outcome)
                failures += not outcome.ok
                done += 1
                verdict = "built" if outcome.ok else outcome.shortfall or outcome.documents
                notify("build", done, total, f"{outcome.name}: {verdict}", failures)
            del finished
        report_job: Future | None = None
        if result.benchmarked:
            # Rendered by a worker, which has the document libraries loaded already, while another
            # makes the summary.
            report_job = pool.submit(_cohort_report, scored.path, len(result.places), baseline is not None, options)
        result.places.sort(key=lambda p: (p.name.casefold(), p.files))
        try:
            result.summary_path = write_summary(result, out_dir, framework, options, pool=pool, scored=scored.path)
        except ReadydocsError as exc:
            result.summary_error = exc
        cohort_report: bytes | str | None = report_job.result() if report_job is not None else None

    if isinstance(cohort_report, str):
        result.cohort_report_error = cohort_report
    elif cohort_report is not None:
        try:
            result.cohort_report_path = _write_own(out_dir, COHORT_REPORT.filename, cohort_report, options)
        except ReadydocsError as exc:
            result.cohort_report_error = f"{COHORT_REPORT.filename} was not written: {exc}"
    result.report_path = write_report(result, out_dir)
    return result


def _submit_meanwhile(pool: Executor, calls: list[tuple[Callable[..., Any], tuple]],
                      meanwhile: Callable[[], bool]) -> set[Future]:
    """Submit ``calls`` from a helper thread, running ``meanwhile()`` here until they are in (or it returns False).

    A pool's first submissions wait until its worker processes exist; this process need not wait idle.
    """
    import threading

    futures: list[Future] = []
    failed: list[BaseException] = []

    def submit_all() -> None:
        try:
            futures.extend(pool.submit(fn, *args) for fn, args in calls)
        except BaseException as exc:  # told in this thread, below
            failed.append(exc)

    starter = threading.Thread(target=submit_all, name="readydocs-batch-start", daemon=True)
    starter.start()
    while starter.is_alive() and meanwhile():
        pass
    starter.join()
    if failed:
        raise failed[0]
    return set(futures)


def _write_own(out_dir: Path, name: str, data: bytes, options: PlaceOptions) -> Path:
    """Write a cohort-wide file through the output folder's manifest: an edited one is kept unless --force."""
    from .outputs import OutputFolder

    with OutputFolder(out_dir, wait=options.wait, keep_backups=options.keep_backups) as folder:
        folder.write([(name, data)], force=options.force)
    return out_dir / name


def _earlier_for(members: Sequence[Checked], earlier_round) -> str:
    """The earlier round's scores.json for this place, NEW_PLACE when it has none, "" without --baseline."""
    if earlier_round is None:
        return ""
    place = members[0].identity
    assert place is not None  # only workbooks that name a place are grouped
    found = earlier_round.find(place.municipality, place.state, place.jurisdiction_type)
    return str(found) if found else NEW_PLACE


def _cohort_stats(places: Sequence[Sequence[Checked]], framework: Framework, answers: Path):
    """The cohort's numbers from each place's condition scores.

    A place of one workbook was scored by the worker that checked it; one of several respondents
    is scored here (pure arithmetic), from their answers in the spool at ``answers``.
    """
    from .benchmark import cohort_stats
    from .scoring import score

    ids = [c.id for c in framework.conditions]

    def condition_scores():
        for members in places:
            alone = members[0].condition_scores
            if len(members) == 1 and alone is not None:
                yield dict(zip(ids, alone))
                continue
            scores = score([c.response(answers).answers for c in members], framework)
            yield {c.id: c.score for c in scores.conditions}

    return cohort_stats(condition_scores(), framework)


def write_summary(result: BatchResult, out_dir: Path, framework: Framework, options: PlaceOptions = PlaceOptions(),
                  pool: Executor | None = None, scored: Path | None = None) -> Path:
    """cohort-summary.xlsx: every place with scores (built, or scored with its documents left as edited), and every failure.

    ``scored``: run_batch's spool of the places scored; without it, the scores of ``result``'s places.
    With ``pool`` (a batch's workers) the workbook is made by a worker, so this
    process never holds it; it is written here, through the folder's manifest.
    """
    from .cohort import FILENAME, NotBuilt

    places: Path | list[ScoredPlace] = scored if scored is not None else [
        s for s in (ScoredPlace.of(p) for p in result.places) if s is not None]
    failed = [NotBuilt(p.name, tuple(Path(f).name for f in p.files), p.problems) for p in result.failed]
    data = pool.submit(_summary_bytes, places, failed).result() if pool is not None else _summary_bytes(places, failed, framework)
    return _write_own(out_dir, FILENAME, data, options)


@one_task
def _summary_bytes(scored: Path | Iterable[ScoredPlace], failed: list, framework: Framework | None = None) -> bytes:
    """The cohort summary workbook's bytes (in a worker: with the framework it loaded)."""
    from .cohort import PlaceRow, summary_bytes
    from .xlsxparts import stamp_for

    framework = framework or _framework
    assert framework is not None
    # A place scored but not wholly written (documents not replaced, no PDFs) is on both sheets: its scores, and why.
    built = [PlaceRow(s.scores, s.folder, s.note) for s in _scored_places(scored)]
    dates = [r.scores.assessment_date for r in built if r.scores.assessment_date]
    return summary_bytes(built, failed, framework, stamp_for(max(dates) if dates else None))


def _note(p: PlaceOutcome) -> str:
    """The summary's note: what became of the documents when not all was written, and the round."""
    shortfall = p.shortfall[:1].upper() + p.shortfall[1:]
    if p.earlier == NEW_PLACE:
        round_note = "New this round: not in the baseline round"
    else:
        round_note = "Compared with the baseline round" if p.earlier else ""
    return "; ".join(n for n in (shortfall, round_note) if n)
