"""What the page does with a session's files: the CLI's library calls, shaped for the page.

Each workbook is checked on its own (assessment.assess), so every problem is
shown under the file, sheet and cell it concerns. Nothing is built while any
workbook, the logo or the templates has an error. Then the workbooks are
grouped by the place they name (places.normalise, as `readydocs batch`
groups them) and each place is built with pipeline.build exactly as
`readydocs build` builds it, into its own folder; PDFs come from pdf.to_pdf.

Imports inside functions: the page opens before the rendering libraries are
loaded (app._warm loads them in the background while it is read), so each step
imports the library modules it calls when it runs.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..catalogue import DOCUMENTS
from ..errors import ReadydocsError
from ..framework import Framework
from . import uploads

WHOLE_WORKBOOK = "The whole workbook"
# The page cannot see the folder a workbook came from, so a logo it names is rarely found.
LOGO_HINT = " On this page you can add the logo under \u201cOptional\u201d instead; it replaces the one the workbook names."


@dataclass
class Row:
    """One problem as the page shows it."""

    severity: str  # "error" or "warning"
    cell: str
    message: str
    code: str
    line: str  # the problem as the CLI prints it


@dataclass
class FileReport:
    name: str  # as the person named the file
    sheets: list[tuple[str, list[Row]]] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [r for _, rows in self.sheets for r in rows]

    @property
    def n_errors(self) -> int:
        return sum(r.severity == "error" for r in self.rows)

    @property
    def n_warnings(self) -> int:
        return sum(r.severity == "warning" for r in self.rows)


@dataclass
class Download:
    name: str  # file name in the place's folder
    label: str
    size: int


@dataclass
class PlaceResult:
    name: str
    slug: str
    folder: Path
    workbooks: list[str]
    context: dict[str, Any]  # context.build_context for the place, as the `score` command shows it
    summary: dict[str, Any]  # what scores.json holds
    downloads: list[Download] = field(default_factory=list)
    pdf_problem: str = ""


@dataclass
class Outcome:
    files: list[FileReport] = field(default_factory=list)
    template_problems: list[Any] = field(default_factory=list)  # lint.LintProblem
    notes: list[str] = field(default_factory=list)
    other_problems: list[str] = field(default_factory=list)  # logo, template zip, a build that failed
    places: list[PlaceResult] = field(default_factory=list)
    cohort: Download | None = None  # cohort-summary.xlsx, when several places were built
    cohort_folder: Path | None = None

    @property
    def n_errors(self) -> int:
        return sum(f.n_errors for f in self.files) + len(self.template_problems) + len(self.other_problems)

    @property
    def n_warnings(self) -> int:
        return sum(f.n_warnings for f in self.files)

    @property
    def built(self) -> bool:
        return bool(self.places) and not self.n_errors

    def file(self, place: int, name: str) -> Path | None:
        """The file ``name`` of place number ``place`` (-1: the cohort summary) when the build wrote it;
        never a path from the request."""
        if place == -1 and self.cohort is not None and self.cohort_folder is not None and name == self.cohort.name:
            return self.cohort_folder / name
        if not (0 <= place < len(self.places)):
            return None
        p = self.places[place]
        for d in p.downloads:
            if d.name == name:
                return p.folder / d.name
        return None


class Scrubber:
    """Shows stored paths as the names people gave their files."""

    def __init__(self, session_folder: Path, names: dict[Path, str]):
        self.pairs = sorted(((str(p), n) for p, n in names.items()), key=lambda pair: -len(pair[0]))
        self.folder = str(session_folder)

    def __call__(self, text: str) -> str:
        for stored, shown in self.pairs:
            text = text.replace(stored, shown)
        inside = str(Path(self.folder) / "in") + os.sep
        return text.replace(inside, "").replace(self.folder + os.sep, "").replace(self.folder, "the upload")


def label_for(filename: str) -> str:
    from ..actionplan import FILENAME as PLAN_FILE

    titles = dict(DOCUMENTS)
    stem_docx = filename[:-4] + ".docx" if filename.endswith(".pdf") else filename
    if stem_docx in titles:
        return f"{titles[stem_docx]} ({'PDF' if filename.endswith('.pdf') else 'Word'})"
    if filename == PLAN_FILE:
        return "Action plan tracker (Excel)"
    if filename == "scores.json":
        return "Scores (JSON, for other programs)"
    return filename


def file_report(name: str, problems: Sequence[Any], scrub: Scrubber) -> FileReport:
    """Problems grouped by sheet, in the order met; problems about the whole workbook first."""
    from ..branding import LOGO_CODES

    report = FileReport(name)
    by_sheet: dict[str, list[Row]] = {}
    for p in problems:
        message = scrub(p.message) + (LOGO_HINT if p.code in LOGO_CODES else "")
        shown = dataclasses.replace(p, file=name, message=message)
        by_sheet.setdefault(p.sheet or WHOLE_WORKBOOK, []).append(
            Row(p.severity, p.cell or "", shown.message, p.code, shown.line()))
    if WHOLE_WORKBOOK in by_sheet:
        report.sheets.append((WHOLE_WORKBOOK, by_sheet.pop(WHOLE_WORKBOOK)))
    report.sheets.extend(by_sheet.items())
    return report


def check_uploads(framework: Framework, folder: Path, workbooks: list[uploads.Incoming], *,
                  logo: uploads.Incoming | None = None, zipped: uploads.Incoming | None = None,
                  want_pdf: bool = False) -> Outcome:
    """Store the uploads in ``folder``, check the logo and the templates, then check_and_build."""
    from ..lint import lint_folder

    from ..intake import is_owner_file

    outcome = Outcome()
    owners = [f for f in workbooks if is_owner_file(Path(uploads.display_name(f.name, "workbook")))]
    for f in owners:  # as the commands skip them
        outcome.notes.append(f"Skipped {uploads.display_name(f.name, 'workbook')}, the owner file Excel keeps while a "
                             "workbook is open. Save and close the workbook in Excel, and add the workbook itself.")
    workbooks = [f for f in workbooks if f not in owners]
    if not workbooks:
        outcome.other_problems.append("Only Excel owner files (~$...) were added. Add the workbook itself.")
        return outcome
    stored = uploads.save_workbooks(workbooks, folder / "in")
    logo_path = templates_dir = None
    if logo is not None:
        logo_path, why = uploads.save_logo(logo, folder)
        if why:
            outcome.other_problems.append(why)
    if zipped is not None:
        templates_dir, problems, notes = uploads.unpack_templates(zipped, folder / "templates", {f for f, _ in DOCUMENTS})
        outcome.other_problems += problems
        outcome.notes += notes
        if templates_dir is not None:
            lint_problems, lint_notes = lint_folder(templates_dir)  # as `readydocs templates check` does
            outcome.template_problems += lint_problems
            outcome.notes += [n.replace(str(templates_dir), "your templates zip") for n in lint_notes]
    return check_and_build(framework, folder, stored, logo=logo_path, templates_dir=templates_dir, want_pdf=want_pdf,
                           outcome=outcome)


def check_and_build(framework: Framework, folder: Path, workbooks: list[tuple[Path, str]], *,
                    logo: Path | None = None, templates_dir: Path | None = None, want_pdf: bool = False,
                    outcome: Outcome | None = None) -> Outcome:
    """Check every workbook; when nothing has an error, build every place into ``folder``/out.

    ``outcome`` may already hold problems with the logo or templates; then nothing is built.
    """
    from ..branding import drop_logo_problems
    from ..assessment import assess
    from ..places import normalise

    outcome = outcome or Outcome()
    scrub = Scrubber(folder, {p: n for p, n in workbooks})
    checked = []  # (path, shown name, municipality, its assessment)
    for path, name in workbooks:
        try:
            assessment = assess([path], framework)
        except ReadydocsError as exc:
            outcome.files.append(FileReport(name, [(WHOLE_WORKBOOK, [
                Row("error", "", scrub(str(exc)), "", f"error: {scrub(str(exc))}")])]))
            continue
        if logo is not None:
            drop_logo_problems(assessment.report)  # as build --logo does: the workbook's own logo cell is not used
        outcome.files.append(file_report(name, assessment.report.problems, scrub))
        checked.append((path, name, assessment.responses[0].profile.municipality_name or "", assessment))
    if outcome.n_errors:
        return outcome

    groups: dict[str, list[tuple]] = {}
    for item in checked:
        groups.setdefault(normalise(item[2]), []).append(item)
    for n, members in enumerate(groups.values(), start=1):
        place = _build_place(framework, folder / "out" / f"{n:02d}", members, logo, templates_dir, want_pdf, scrub, outcome)
        if place is not None:
            outcome.places.append(place)
    if outcome.n_errors:
        outcome.places.clear()  # nothing is offered while anything failed
    elif len(outcome.places) > 1:
        _cohort_summary(framework, folder / "out", outcome)
    return outcome


def _cohort_summary(framework: Framework, out_root: Path, outcome: Outcome) -> None:
    """cohort-summary.xlsx for the places built, written as `readydocs batch` writes it."""
    from ..batch import BatchResult, PlaceOutcome, write_summary
    from ..scoresjson import place_scores

    built = []
    for p in outcome.places:
        built.append(PlaceOutcome(p.name, tuple(p.workbooks), True, folder=str(p.folder), scores=place_scores(p.summary)))
    path = write_summary(BatchResult(places=built), out_root, framework)
    outcome.cohort_folder = path.parent
    outcome.cohort = Download(path.name, "Cohort summary of every place (Excel)", path.stat().st_size)


def _build_place(framework: Framework, out_root: Path, members: list[tuple], logo: Path | None,
                 templates_dir: Path | None, want_pdf: bool, scrub: Scrubber, outcome: Outcome) -> PlaceResult | None:
    from ..context import build_context
    from ..pipeline import build

    paths = [m[0] for m in members]
    names = [m[1] for m in members]
    # One workbook is built from the check just made; several are read together again, so that
    # build's checks across respondents (same place, same framework version) apply.
    checked = members[0][3] if len(members) == 1 else None
    try:
        result = build(paths, out_root, framework, templates_dir=templates_dir, logo=logo, assessment=checked)
    except ReadydocsError as exc:
        from ..lint import explain_undefined  # a template's undefined variable, with its paragraph and what was meant

        outcome.other_problems.append(f"{', '.join(names)}: {scrub(str(explain_undefined(exc)))}")
        return None
    if not result.assessment.valid:  # problems only seen when the workbooks are read together
        for line in (p.line() for p in result.assessment.report.errors):
            outcome.other_problems.append(scrub(line))
        return None
    assert result.summary is not None and result.out_dir is not None  # a valid build has both
    context = build_context(result.summary)
    written = list(result.written)
    place = PlaceResult(result.summary.place.name, result.summary.place.slug, result.out_dir, names, context,
                        dict(result.scores_json or {}))
    if want_pdf:
        from ..pdf import PdfError, to_pdf

        try:
            written += to_pdf([p for p in result.written if p.suffix == ".docx"])
        except PdfError as exc:
            place.pdf_problem = scrub(str(exc))
    place.downloads = [Download(p.name, label_for(p.name), p.stat().st_size) for p in written]
    return place


def zip_bytes(outcome: Outcome) -> bytes:
    """Every file of every place, one folder per place (named like the place's output folder)."""
    import io
    import zipfile

    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for place in outcome.places:
            top, k = place.slug, 1
            while top in used:  # two places whose names make the same folder name
                k += 1
                top = f"{place.slug}-{k}"
            used.add(top)
            for d in place.downloads:
                zf.write(place.folder / d.name, f"{top}/{d.name}")
        if outcome.cohort is not None and outcome.cohort_folder is not None:
            zf.write(outcome.cohort_folder / outcome.cohort.name, outcome.cohort.name)
    return buf.getvalue()
