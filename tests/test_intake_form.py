"""The intake workbook as a person meets it: rows that fit their notes, a progress count, forgiving answers."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from readydocs import form, office
from readydocs.intake import read_intake
from readydocs.assessment import assess, score_assessment
from readydocs.sample import SAMPLE_EVIDENCE
from readydocs.validate import interpret_rating, validate
from readydocs.workbook import named_cell, set_named_cells, write_intake

needs_office = pytest.mark.skipif(not office.available(), reason="LibreOffice (soffice) is not installed")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")


_cell = named_cell


def _sheet_xml(path: Path, title: str) -> str:
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(title) + 1
    with zipfile.ZipFile(path) as zf:
        return zf.read(f"xl/worksheets/sheet{index}.xml").decode()


# -- rows grow to fit ---------------------------------------------------------

def test_no_row_height_is_fixed_so_rows_grow_as_people_type(_sample_master):
    for title in (form.SHEET_INSTRUCTIONS, form.SHEET_PROFILE, form.SHEET_RATINGS):
        xml = _sheet_xml(_sample_master, title)
        assert "customHeight" not in xml, title
    # ... and every input wraps, so a long note grows its row instead of running off.
    wb = openpyxl.load_workbook(_sample_master)
    evidence = _cell(wb, "evidence.LEAD_1")
    assert evidence.alignment.wrap_text and evidence.alignment.vertical == "top"


def test_estimated_height_covers_the_longest_sample_note(_sample_master):
    wb = openpyxl.load_workbook(_sample_master)
    longest = max(SAMPLE_EVIDENCE, key=lambda k: len(SAMPLE_EVIDENCE[k]))
    cell = _cell(wb, f"evidence.{longest.replace('-', '_')}")
    width = wb[form.SHEET_RATINGS].column_dimensions[cell.column_letter].width
    # At most `width` characters fit on a line of the column; 15 points a line.
    lines_needed = -(-len(SAMPLE_EVIDENCE[longest]) // int(width))
    assert wb[form.SHEET_RATINGS].row_dimensions[cell.row].height >= lines_needed * 15


def _words_overlap(a, b) -> bool:
    """Two word boxes (x0, y0, x1, y1) drawn over each other; glyph boxes of adjacent lines touch by a point or so."""
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 2.5 and b[1] < a[3] - 2.5


@needs_office
@needs_poppler
def test_sample_printed_through_libreoffice_shows_every_note_in_full(_sample_master, tmp_path):
    pdf = office.convert(_sample_master, "pdf", tmp_path)
    text = " ".join(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for ind, note in SAMPLE_EVIDENCE.items():
        assert " ".join(note.split()) in text, f"{ind}'s note is not printed in full"
    # A row too short for its note makes lines of text run into the next row's: no two words may overlap.
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for page in html.split("<page")[1:]:
        boxes = [tuple(float(v) for v in m.groups())
                 for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)]
        clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if _words_overlap(a, b)]
        assert not clashes, f"{len(clashes)} overlapping words, for example {clashes[:2]}"


# -- the progress count -------------------------------------------------------

def test_progress_counts_are_plain_formulas_over_the_input_cells(_sample_master):
    wb = openpyxl.load_workbook(_sample_master)
    ratings = _cell(wb, form.NAME_PROGRESS_RATINGS)
    assert ratings.value == "=COUNTA('Ratings'!$D$4:$D$30)"
    assert ratings.number_format == '0" of 27"'
    assert _cell(wb, form.NAME_PROGRESS_DONT_KNOW).value == "=COUNTIF('Ratings'!$D$4:$D$30,\"Don't know\")"
    required = [f.name for f in form.PROFILE_FIELDS if f.required]
    refs = ",".join(f"'{_cell(wb, n).parent.title}'!${_cell(wb, n).column_letter}${_cell(wb, n).row}" for n in required)
    assert _cell(wb, form.NAME_PROGRESS_PROFILE).value == f"=COUNTA({refs})"
    assert wb.calculation.fullCalcOnLoad


def test_progress_formulas_do_not_change_what_readydocs_reads(blank_xlsx, framework):
    report, _ = validate(read_intake(blank_xlsx, framework), framework)
    # No problem is about the Instructions sheet's formula cells.
    assert not [p for p in report.problems if p.sheet == form.SHEET_INSTRUCTIONS]


@needs_office
def test_libreoffice_calculates_the_progress_counts(blank_xlsx, framework, tmp_path):
    set_named_cells(blank_xlsx, {"rating.LEAD_1": "4 - Fully in place", "rating.LEAD_2": "Don't know", "rating.CAP_1": 2,
                           "profile.municipality_name": "Town of Elm", "profile.assessment_date": None})
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(blank_xlsx, source / "partly.xlsx")
    resaved = office.convert(source / "partly.xlsx", "xlsx", tmp_path / "out")
    wb = openpyxl.load_workbook(resaved, data_only=True)
    assert _cell(wb, form.NAME_PROGRESS_RATINGS).value == 3
    assert _cell(wb, form.NAME_PROGRESS_DONT_KNOW).value == 1
    assert _cell(wb, form.NAME_PROGRESS_PROFILE).value == 1
    # readydocs reads the resaved workbook (now holding cached results) as before: same problems.
    before, _ = validate(read_intake(blank_xlsx, framework), framework)
    after, _ = validate(read_intake(resaved, framework), framework)
    assert [(p.sheet, p.cell, p.code) for p in after.problems] == [(p.sheet, p.cell, p.code) for p in before.problems]


# -- instructions -------------------------------------------------------------

def test_instructions_name_no_file_and_point_to_the_web_page(framework, tmp_path):
    path = write_intake(tmp_path / "county-of-ash-2027.xlsx", framework)
    wb = openpyxl.load_workbook(path)
    text = " ".join(str(c.value) for row in wb[form.SHEET_INSTRUCTIONS].iter_rows() for c in row if c.value)
    assert "county-of-ash-2027" not in text
    assert "readydocs serve" in text
    assert "terminal" not in text.lower()
    # Two workbooks under different names are the same bytes apart from nothing at all.
    other = write_intake(tmp_path / "x.xlsx", framework, sample=True)
    again = write_intake(tmp_path / "y.xlsx", framework, sample=True)
    assert other.read_bytes() == again.read_bytes()


# -- "Don't know" as people type it ---------------------------------------------

@pytest.mark.parametrize("typed", ["Dont know", "dont know", "DK", "dk", "Don't know ", "  don't  know", "Don\u2019t know",
                                   "Don't know.", "do not know"])
def test_dont_know_spellings(framework, typed):
    assert interpret_rating(typed, framework) == ("dont-know", None)


@pytest.mark.parametrize("typed", ["Don", "know", "D", "K", "no idea maybe", "dont knot"])
def test_near_misses_are_not_guessed(framework, typed):
    assert interpret_rating(typed, framework) == ("invalid", None)


@pytest.mark.parametrize("typed, note", [
    ("DK", "STAFF-2 is rated \"Don't know\" ('DK' was read as \"Don't know\"); it is left out of the score"),
    ("dont know", "STAFF-2 is rated \"Don't know\" ('dont know' was read as \"Don't know\"); it is left out"),
    ("Don't know  ", "STAFF-2 is rated \"Don't know\" (the spaces around it were ignored); it is left out"),
    ("Don't know", "STAFF-2 is rated \"Don't know\"; it is left out of the score"),
])
def test_a_typed_dont_know_is_noted_where_it_was_typed(sample_xlsx, framework, typed, note):
    set_named_cells(sample_xlsx, {"rating.STAFF_2": typed})
    assessment = assess([sample_xlsx], framework)
    assert assessment.valid
    (warning,) = assessment.report.warnings
    assert (warning.sheet, warning.cell, warning.code) == ("Ratings", "D18", "dont-know")
    assert warning.message.startswith(note)
    # Scored exactly like the dropdown's answer.
    assert score_assessment(assessment).conditions[4].n_unknown == 1


# -- a LibreOffice spreadsheet instead of a workbook ----------------------------

def _ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    return path


@pytest.mark.parametrize("name", ["county.ods", "county.xlsx"])
def test_an_ods_file_is_named_with_how_to_save_it_as_xlsx(tmp_path, name):
    from click.testing import CliRunner

    from readydocs.cli import cli

    path = _ods(tmp_path / name)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {path}: is a LibreOffice spreadsheet (.ods), not an Excel workbook. In LibreOffice choose File > Save As, "
        "set the file type to Excel 2007-365 (.xlsx), keep the current format when asked, and give that file."]


def test_a_workbook_read_from_its_bytes_or_from_the_file_gives_the_same_answers(sample_xlsx, framework, monkeypatch):
    """Up to HELD_BYTES the file is read once and checked from memory; past it, from the file: same result."""
    from readydocs import intake, zipguard

    held = read_intake(sample_xlsx, framework)
    monkeypatch.setattr(zipguard, "HELD_BYTES", 0)
    opened = []
    real = intake.XlsxWorkbook
    monkeypatch.setattr(intake, "XlsxWorkbook", lambda source: opened.append(source) or real(source))
    from_file = read_intake(sample_xlsx, framework)
    assert opened == [sample_xlsx]  # read from the file this time
    assert from_file == held
