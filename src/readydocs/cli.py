"""The readydocs command line: a thin layer over pipeline.py.

Longer than most modules because every command's options, help and
closing messages sit side by side, so they read alike; each command's work is
a call into the library.

Exit codes: 0 ok, 1 invalid input (the workbook has errors), 2 a file that
cannot be read at all, or a usage mistake. A user's mistake is one line on
stderr, never a traceback.

Imports inside functions: each command imports the library modules it calls
when it runs, so `--help` and `validate` never load the rendering, writing and
web libraries (tests/test_api.py and test_launch.py check what they load).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click

from .version import __version__
from .errors import ReadydocsError, UndefinedVariableError


def _framework_option(f):
    return click.option(
        "--framework", "framework_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="A framework TOML file to use instead of the bundled one (see readydocs docs framework).",
    )(f)


def _chart_image_option(f):
    return click.option("--chart-image", "chart_image", is_flag=True,
                        help="Charts as pictures instead of native, editable Word charts, for tools that cannot show "
                             "those (needs: pip install 'readydocs[images]').")(f)


def _handle_errors(f):
    """Turn our exceptions into one line and the right exit code."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except ReadydocsError as exc:
            click.echo(f"Error: {_explained(exc)}", err=True)
            sys.exit(exc.exit_code)
    return wrapper


def _explained(exc: ReadydocsError) -> ReadydocsError:
    """A template's undefined variable as the template linter tells it (the paragraph, and what was meant).

    Also how batch workers tell a place's error: the linter (and the document libraries it loads) is
    imported only when there is such an error to tell.
    """
    if isinstance(exc, UndefinedVariableError):
        from .lint import explain_undefined

        return explain_undefined(exc)  # type: ignore[return-value]
    return exc


def _typed_path(ctx, param, value: Path | None) -> Path | None:
    """A path as typed or pasted on Windows or elsewhere (paths.py); network paths are refused."""
    from .paths import typed_path

    if value is None:
        return None
    try:
        return typed_path(str(value))
    except ReadydocsError as exc:
        raise click.BadParameter(str(exc)) from exc


def _typed_folder(ctx, param, value: Path | None) -> Path | None:
    path = _typed_path(ctx, param, value)
    if path is not None and not path.is_dir():
        raise click.BadParameter(f"{path}: no such folder." if not path.exists() else f"{path}: is a file, not a folder.")
    return path


def _json_errors(f):
    """With --json, an error that stops the command is a JSON object on stdout too, so a program always gets JSON."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except ReadydocsError as exc:
            if not kwargs.get("as_json"):
                raise
            error = {"code": exc.code, "message": str(exc), "file": exc.file}
            click.echo(_json({"error": error}))
            sys.exit(exc.exit_code)
    return wrapper


def _without_owner_files(ctx, param, value: tuple[Path, ...]) -> tuple[Path, ...]:
    """The workbooks given, less Excel's owner files (~$name.xlsx), which 'dir/*.xlsx' picks up while one is open."""
    from .intake import is_owner_file

    kept = tuple(p for p in value if not is_owner_file(p))
    for p in value:
        if is_owner_file(p):
            click.echo(f"note: skipped {p}, the owner file Excel keeps while a workbook is open. Save and close the "
                       "workbook in Excel, so that readydocs reads what you see.", err=True)
    if value and not kept:
        raise click.BadParameter("only Excel owner files (~$...) were given. Give the workbook itself.")
    return kept


def _document_date(ctx, param, value: dt.datetime | None) -> dt.datetime | None:
    """--date, refused unless it lies in the range every date of the form does."""
    from .form import FIRST_DATE, LAST_DATE

    if value is not None and not FIRST_DATE <= value.date() <= LAST_DATE:
        raise click.BadParameter(f"{value.date().isoformat()} is not a plausible document date. "
                                 f"Give one from {FIRST_DATE.year} to {LAST_DATE.year}, such as 2026-10-15.")
    return value


def _internal_error(exc: BaseException) -> str:
    """Write the traceback to a log file in the system's temp folder; return the line to show."""
    import platform
    import tempfile
    import traceback

    from .wording import shorten  # only after a crash: not worth importing for every command

    summary = shorten(f"{type(exc).__name__}: {exc}", 200)
    try:
        fd, log = tempfile.mkstemp(prefix="readydocs-error-", suffix=".log")
        with open(fd, "w", encoding="utf-8", errors="replace") as fh:
            fh.write(f"readydocs {__version__}, Python {platform.python_version()}, {platform.platform()}\n")
            fh.write(f"command: {' '.join(sys.argv)}\n\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        details = f"please report it with the log file {log}"
    except OSError:
        details = "please report it, with the output of the same command run with --debug"
    return f"internal error: {summary}. This is a fault in readydocs, not in your files; {details}."


def _folder_options(f):
    """Options for commands that write into output folders (build, batch)."""
    from .outputs import DEFAULT_KEEP_BACKUPS, DEFAULT_WAIT

    f = click.option("--keep-backups", "keep_backups", type=click.IntRange(min=1), default=DEFAULT_KEEP_BACKUPS,
                     show_default=True, metavar="N", help="Dated copies of edited files to keep per file; older ones are removed.")(f)
    return click.option("--wait", "wait", type=click.FloatRange(min=0), default=DEFAULT_WAIT, show_default=True,
                        metavar="SECONDS",
                        help="Seconds to wait for another build writing into the same folder.")(f)


def _template_time_limit_option(f):
    return click.option(
        "--template-time-limit", "template_time_limit", type=click.FloatRange(min=0, min_open=True), default=None,
        metavar="SECONDS", help="Seconds each document's template may take to fill in (default 10; see readydocs docs safety).",
    )(f)


def _load_framework(path: Path | None):
    from .framework import load_framework

    return load_framework(path)


def _count(n: int, noun: str) -> str:
    """'1 error', '3 errors': counts read as people say them."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _json(data) -> str:
    """JSON for stdout: as typed when the console takes UTF-8, else with \\u escapes, which lose nothing."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return json.dumps(data, indent=2, ensure_ascii=encoding not in ("utf8", "utf8sig"))


def _print_report(report, as_json: bool) -> None:
    if as_json:
        click.echo(_json(report.as_dict()))
        return
    for p in report.problems:
        click.echo(p.line(), err=p.severity == "error")
    verdict = "valid" if report.valid else "not valid"
    click.echo(f"{verdict}: {_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}.",
               err=not report.valid)


class FullSummaryGroup(click.Group):
    """Lists each command with its whole first sentence, wrapped, never cut off with "..."."""

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _SafetyNet(FullSummaryGroup):
    """The top command group: an exception nobody foresaw is one line and a log file, exit code 2.

    Our own errors never get here (_handle_errors turns them into lines); this
    catches the bugs, so a person still sees a sentence rather than a traceback,
    and the log holds what a maintainer needs. --debug prints the traceback instead.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                import traceback

                traceback.print_exc()
                sys.exit(2)
            click.echo(_internal_error(exc), err=True)
            sys.exit(2)

@click.group(cls=_SafetyNet, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readydocs")
@click.option("--debug", is_flag=True, help="On an internal error, print the full traceback instead of writing it to a log file.")
def cli(debug: bool):
    """Readiness assessment for Mobility Action Planning.

    Fill the intake workbook (readydocs init), check it (readydocs validate),
    then write the readiness report, launch memo and talking points
    (readydocs build).
    """


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sample", is_flag=True, help="Fill the workbook with a worked example for a fictional city.")
@click.option("--force", is_flag=True, help="Overwrite PATH (or the respondents' copies) if it already exists.")
@click.option("--respondent", "respondent_texts", multiple=True, metavar='"NAME, ROLE"',
              help="Write a copy for this person beside PATH, with PATH's profile locked in it. Repeat for each person.")
@click.option("--respondents", "respondents_csv", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A CSV file of respondents (name, role, department): one copy each, as with --respondent.")
@_framework_option
@_handle_errors
def init(path: Path, sample: bool, force: bool, respondent_texts: tuple[str, ...], respondents_csv: Path | None,
         framework_path: Path | None):
    """Write a blank intake workbook to PATH (an .xlsx file), or one copy of it per respondent.

    With --respondent or --respondents, PATH is the advocate's workbook: its
    Profile (if it exists) is copied into each respondent's workbook and
    locked there, and PATH itself is left as it is.
    """
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path}: the workbook name must end in .xlsx.")
    framework = _load_framework(framework_path)
    if respondent_texts or respondents_csv:
        written = _init_copies(path, sample, force, respondent_texts, respondents_csv, framework)
    else:
        from .workbook import write_intake

        if path.exists() and not force:
            click.echo(f"Error: {path} already exists. Choose another name, or add --force to replace it.", err=True)
            sys.exit(2)
        written = [write_intake(path, framework, sample=sample)]
    for p in written:
        click.echo(f"Wrote {p}.")
    files = " ".join(_quoted(p) for p in written)
    if sample:
        click.echo(f"Next: readydocs build {files} writes the example's documents.")
    elif len(written) > 1:
        click.echo(f"Next: send each respondent their copy. When the filled copies come back, readydocs validate {files} "
                   "checks them and readydocs build with the same files pools them into one set of documents.")
    else:
        click.echo(f"Next: fill in the yellow cells in Excel or LibreOffice, save, then run readydocs validate {files} "
                   "to check it (or use readydocs serve for a page in your browser).")


def _quoted(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if any(ch.isspace() for ch in text) else text


def _init_copies(path: Path, sample: bool, force: bool, respondent_texts: tuple[str, ...],
                 respondents_csv: Path | None, framework) -> list[Path]:
    from .handout import parse_respondent, plan_copies, read_respondents, shared_profile, write_copies

    if sample:
        raise click.UsageError("--sample cannot be combined with --respondent or --respondents.")
    people = [parse_respondent(t) for t in respondent_texts]
    if respondents_csv is not None:
        people += read_respondents(respondents_csv)
    copies = plan_copies(path, people)
    taken = [p for _, p in copies if p.exists()]
    if taken and not force:
        names = ", ".join(str(p) for p in taken)
        one = len(taken) == 1
        click.echo(f"Error: {names} already exist{'s' if one else ''}. Move {'it' if one else 'them'} away, "
                   f"or add --force to replace {'it' if one else 'them'}.", err=True)
        sys.exit(2)
    shared = shared_profile(path, framework) if path.exists() else {}
    if not shared:
        click.echo(f"Note: {path} does not exist yet or its Profile is empty, so each respondent fills in the place "
                   f"themselves. Fill in the Profile of {path} first to have it locked in every copy.", err=True)
    return write_copies(copies, framework, shared)


@cli.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path), callback=_without_owner_files)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_framework_option
@_handle_errors
@_json_errors
def validate(workbooks: tuple[Path, ...], as_json: bool, framework_path: Path | None):
    """Check one or more filled workbooks (one per respondent) and list every problem."""
    from .assessment import assess

    assessment = assess(workbooks, _load_framework(framework_path))
    _print_report(assessment.report, as_json)
    sys.exit(0 if assessment.valid else 1)


@cli.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path), callback=_without_owner_files)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@_framework_option
@_handle_errors
@_json_errors
def score(workbooks: tuple[Path, ...], as_json: bool, framework_path: Path | None):
    """Print each condition's score and status, and the overall readiness level."""
    from .assessment import INPUT_NOTES, as_of, assess, score_assessment
    from .respondents import discussion_items
    from .scoresjson import scores_document
    from .summary import summarise
    from .wording import join

    framework = _load_framework(framework_path)
    assessment = assess(workbooks, framework)
    if not assessment.valid:
        _print_report(assessment.report, as_json)
        sys.exit(1)
    for note in assessment.report.warnings:
        if note.code in INPUT_NOTES:  # a file left out changes what the scores count
            click.echo(note.line(), err=True)
    summary = summarise(assessment.responses, score_assessment(assessment), framework, as_of=as_of(assessment))
    if as_json:
        click.echo(_json(scores_document(summary)))
        return
    width = max(len(c.name) for c in summary.conditions)
    click.echo(f"{'Condition':<{width}}  Score  {'Status':<24} Indicators")
    for c in summary.conditions:
        res = c.result
        counted = f"{res.n_rated}/{res.n_indicators}" + (f" ({res.n_unknown} unknown)" if res.n_unknown else "")
        flags = " (essential)" if c.essential else ""
        flags += " (respondents disagree)" if res.disagree else ""
        shown = "\u2014" if c.score is None else str(c.score)
        click.echo(f"{c.name:<{width}}  {shown:>5}  {c.status:<24} {counted}{flags}")
    average = "no condition could be scored" if summary.average is None else f"average {summary.average} of 100"
    click.echo(f"\nOverall: {summary.level.label} ({average}).")
    if summary.capped_by:
        click.echo(f"Capped by essential condition: {join([c.name for c in summary.capped_by])}.")
    discussion = discussion_items([p.as_dict() for p in summary.respondents], summary.scores, framework)
    if discussion:
        click.echo("\nWhere respondents disagree (marked above):")
        for item in discussion:
            click.echo(f"  {item['text']}")


@cli.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path), callback=_without_owner_files)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="Folder to write into; each place gets a subfolder.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              callback=_typed_folder,
              help="A folder of customised templates; documents it lacks use the defaults.")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD", callback=_document_date,
              help="Date to print on the documents (default: the workbook's assessment date).")
@click.option("--logo", "logo", type=click.Path(dir_okay=False, path_type=Path), default=None, callback=_typed_path,
              help="A PNG or JPEG logo for the document headers, instead of the one named in the workbook.")
@click.option("--pdf", "pdf", is_flag=True,
              help="Also write a PDF of each document (needs LibreOffice). Exit code 1 if the PDFs cannot be made.")
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="An earlier round to compare with: the scores.json of its build, or its intake workbook.")
@click.option("--force", is_flag=True,
              help="Replace documents edited since the last build, keeping a dated copy of each beside it.")
@_folder_options
@_chart_image_option
@_template_time_limit_option
@_framework_option
@_handle_errors
def build(workbooks: tuple[Path, ...], out_dir: Path, templates_dir: Path | None, date: dt.datetime | None,
          logo: Path | None, pdf: bool, baseline: Path | None, force: bool, keep_backups: int, wait: float, chart_image: bool,
          framework_path: Path | None, template_time_limit: float | None):
    """Validate, score and write the three Word documents, the action plan and scores.json."""
    from .pipeline import build as build_place

    if baseline is not None:
        _refuse_own_baseline(baseline, workbooks)
    result = build_place(workbooks, out_dir, _load_framework(framework_path), templates_dir=templates_dir,
                         date=date.date() if date else None, logo=logo, baseline=baseline, force=force, pdf=pdf,
                         keep_backups=keep_backups, wait=wait, template_time_limit=template_time_limit,
                         chart_image=chart_image)
    if not result.assessment.valid:
        _print_report(result.assessment.report, False)
        click.echo("No documents were written. Fix the errors above and build again.", err=True)
        sys.exit(1)
    for w in result.assessment.report.warnings:
        click.echo(w.line(), err=True)
    for edited, copy in result.backups:
        click.echo(f"Kept your edited {edited.name} as {copy}.")
    for path in result.pruned:
        click.echo(f"Removed the older copy {path} (keeping the newest {keep_backups}).")
    for path in result.retired:
        click.echo(f"Removed {path}, made by an earlier build (build with --pdf to make it again).")
    for path in result.written:
        click.echo(f"Wrote {path}.")
    if result.pdf_error is not None:
        raise result.pdf_error


def _refuse_own_baseline(baseline: Path, workbooks: tuple[Path, ...]) -> None:
    """A workbook compared with itself shows no change at all: almost certainly a mix-up of files."""
    def same(a: Path, b: Path) -> bool:
        try:
            return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
        except OSError:
            return False

    if any(same(baseline, w) for w in workbooks):
        click.echo(f"Error: --baseline {baseline} is also one of the workbooks being built, so nothing would change. "
                   "Give the earlier round's scores.json or workbook.", err=True)
        sys.exit(2)


@cli.group(cls=FullSummaryGroup)
def templates():
    """Export the default Word templates for restyling, and check templates before building."""


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace templates already in FOLDER.")
@_handle_errors
def templates_export(folder: Path, force: bool):
    """Write the default templates into FOLDER, to edit and use with 'build --templates FOLDER'."""
    from .lint import export_templates

    taken = export_templates(folder, force=force)
    if taken:
        click.echo(f"Error: {', '.join(str(p) for p in taken)} already {'exists' if len(taken) == 1 else 'exist'}. "
                   f"Choose another folder, or add --force to replace {'it' if len(taken) == 1 else 'them'}.", err=True)
        sys.exit(2)
    click.echo(f"Wrote the default templates to {folder}. Edit them, check them with 'readydocs templates check {folder}', "
               f"then build with --templates {folder}.")


@templates.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
@_handle_errors
def templates_check(folder: Path | None):
    """Check the templates in FOLDER (default: the bundled ones) for problems that would spoil a build."""
    from .lint import lint_folder

    problems, notes = lint_folder(folder)
    for note in notes:
        click.echo(note)
    for p in problems:
        click.echo(p.line())
    if problems:
        click.echo(f"{_count(len(problems), 'problem')} found.", err=True)
        sys.exit(1)
    click.echo("No problems found.")


@cli.command("check-docs")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_handle_errors
def check_docs(files: tuple[Path, ...]):
    """Check Word documents for accessibility: properties, headings, alt text, table headers, colour."""
    from .a11y import check_docx

    found, unreadable = 0, []
    for f in files:
        try:
            problems = check_docx(f)
        except ReadydocsError as exc:  # one unreadable file does not stop the others being checked
            click.echo(f"Error: {exc}", err=True)
            unreadable.append(exc)
            continue
        for p in problems:
            click.echo(p.line())
        if not problems:
            click.echo(f"{f}: no accessibility problems found.")
        found += len(problems)
    if found:
        click.echo(f"{_count(found, 'problem')} found.", err=True)
    if unreadable:
        if len(files) > 1:
            click.echo(f"{len(unreadable)} of {_count(len(files), 'file')} could not be checked.", err=True)
        sys.exit(max(exc.exit_code for exc in unreadable))
    if found:
        sys.exit(1)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="Folder to write into: a subfolder per place, and cohort-summary.xlsx.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes to use (default: one per CPU).")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              callback=_typed_folder,
              help="A folder of customised templates; documents it lacks use the defaults.")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD", callback=_document_date,
              help="Date to print on every document (default: each place's assessment date).")
@click.option("--logo", "logo", type=click.Path(dir_okay=False, path_type=Path), default=None, callback=_typed_path,
              help="A PNG or JPEG logo for every place's document headers, instead of the ones named in the workbooks.")
@click.option("--pdf", "pdf", is_flag=True,
              help="Also write a PDF of each document (needs LibreOffice).")
@click.option("--force", is_flag=True,
              help="Replace documents edited since the last build, keeping a dated copy of each beside it.")
@click.option("--baseline", "baseline_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="An earlier round's batch output folder: each place is compared with its own earlier scores.json.")
@click.option("--benchmark/--no-benchmark", "benchmark", default=None,
              help="Compare each place with the cohort in its report, and write cohort-report.docx for the team "
                   "(default: on with five or more places).")
@_folder_options
@_chart_image_option
@_template_time_limit_option
@_framework_option
@_handle_errors
def batch(inputs: tuple[str, ...], out_dir: Path, jobs: int | None, templates_dir: Path | None,
          date: dt.datetime | None, logo: Path | None, pdf: bool, force: bool, baseline_dir: Path | None,
          benchmark: bool | None, keep_backups: int, wait: float, chart_image: bool, framework_path: Path | None,
          template_time_limit: float | None):
    """Build a cohort: every place in INPUTS (workbooks, folders or patterns such as 'intakes/*.xlsx').

    Workbooks naming the same place (municipality, state and jurisdiction type) are pooled as
    respondents of one place. A place with a bad workbook is reported at the end and the others
    are still built.
    """
    from .batch import run_batch
    from .progress import Reporter
    from .batch_report import format_table, report_rows
    from .wording import tally

    with Reporter() as reporter:
        result = run_batch(inputs, out_dir, _load_framework(framework_path), jobs=jobs, templates_dir=templates_dir,
                           date=date.date() if date else None, progress=reporter, logo=logo, pdf=pdf, force=force,
                           wait=wait, keep_backups=keep_backups, baseline=baseline_dir, benchmark=benchmark, chart_image=chart_image,
                           template_time_limit=template_time_limit, explain=_explained)
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo("")
    for line in format_table(report_rows(result)):
        click.echo(line)
    click.echo("")
    click.echo(f"Built {len(result.built):,} of {tally(len(result.places), 'place')} from {tally(result.workbooks, 'workbook')} into {out_dir}.")
    if result.summary_path is not None:
        click.echo(f"Wrote {result.summary_path}.")
    click.echo(f"Wrote {result.report_path}.")
    if result.cohort_report_path:
        click.echo(f"Wrote {result.cohort_report_path}.")
    if result.cohort_report_error:
        click.echo(f"Error: {result.cohort_report_error}", err=True)
    for place in result.failed:
        label = place.shortfall[:1].upper() + place.shortfall[1:] if place.shortfall else "Not built"
        click.echo(f"{label}: {place.name or '(municipality not known)'} ({', '.join(place.files)}).", err=True)
        for line in place.problems:
            click.echo(f"  {line}", err=True)
    if result.summary_error is not None:
        click.echo(f"Error: {result.summary_error}", err=True)
    sys.exit(1 if result.failed or result.summary_error is not None or result.cohort_report_error else 0)


@cli.command("docs")
@click.argument("topic", required=False)
@_handle_errors
def docs_command(topic: str | None):
    """Show a documentation page, such as workbook or templates, or list them all."""
    from .manual import page, title, topics

    if topic is None:
        names = topics()
        width = max(len(n) for n in names)
        for name in names:
            click.echo(f"{name:<{width}}  {title(name)}")
        click.echo("Show one with readydocs docs TOPIC, for example readydocs docs workbook.")
        return
    click.echo(page(topic), nl=False)


@cli.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="The output folder to check for write access.")
def doctor(out_dir: Path):
    """Report Python, packages, LibreOffice, output folder and console, to paste into a support email."""
    from .doctor import findings

    found = findings(out_dir)
    width = max(len(f.what) for f in found)
    for f in found:
        click.echo(f"{f.what + ':':<{width + 1}} {f.finding}")
    problems = [f for f in found if not f.ok]
    click.echo(f"{_count(len(problems), 'problem')} found." if problems else "No problems found.")


@cli.command("survey-template")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write survey-answers.csv (the header row) and survey-map.toml into.")
@click.option("--force", is_flag=True, help="Replace the two files if they are already there.")
@_framework_option
@_handle_errors
def survey_template(out_dir: Path, force: bool, framework_path: Path | None):
    """Write the CSV header and the map file for an online survey that matches the framework."""
    from .survey import write_template

    for path in write_template(out_dir, _load_framework(framework_path), force=force):
        click.echo(f"Wrote {path}.")
    click.echo("Build the survey form from the CSV header, then import its export with 'readydocs import-survey'.")


@cli.command("import-survey")
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The map file (TOML) saying which column holds which answer; see 'readydocs survey-template'.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write into: a subfolder per place, one workbook per respondent.")
@_framework_option
@_handle_errors
def import_survey_command(answers: Path, map_path: Path, out_dir: Path, framework_path: Path | None):
    """Turn a survey export (CSV, one row per respondent) into intake workbooks, grouped per place."""
    from .survey import SurveyError, import_survey
    from .wording import tally

    try:
        result = import_survey(answers, map_path, out_dir, _load_framework(framework_path))
    except SurveyError as exc:
        for p in exc.problems:
            click.echo(p.line(), err=True)
        click.echo(f"{tally(len(exc.problems), 'problem')} found; nothing was written.", err=True)
        sys.exit(1)
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    for folder, files in sorted(result.places.items()):
        click.echo(f"{out_dir / folder}: {len(files)} respondent workbook{'s' if len(files) != 1 else ''}.")
    click.echo(f"Wrote {tally(len(result.written), 'workbook')} for {tally(len(result.places), 'place')}. "
               f"Build them with 'readydocs batch {out_dir}'.")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port on 127.0.0.1 to listen on (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; just print the address.")
@_framework_option
@_handle_errors
def serve(port: int, no_browser: bool, framework_path: Path | None):
    """Open the readydocs page in a browser: check workbooks and get the documents without a terminal."""
    from .web.server import serve as run_page

    run_page(_load_framework(framework_path), port=port, open_browser=not no_browser, echo=click.echo)


def main() -> None:
    """The console entry point. Once the command has finished (every file written is already
    on disk and closed: see outputs.write_all_atomic), the process ends at once: the
    interpreter's own teardown of the rendering libraries costs more than a build's writing."""
    import os

    from .console import make_printable

    make_printable()
    try:
        cli(prog_name="readydocs")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            click.echo(exc.code, err=True)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
