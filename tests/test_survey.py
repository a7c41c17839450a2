"""Survey answers: a CSV export becomes one intake workbook per respondent, grouped per place."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.form import PROFILE_BY_KEY, indicator_name
from readydocs.assessment import assess, score_assessment
from readydocs.survey import CSV_NAME, MAP_NAME, SurveyError, import_survey, load_map, template_headers
from readydocs.workbook import set_named_cells, write_intake


PLACES = [("Ciudad de Peñasco", "New Mexico"), ("Town of Zoë Falls", "Vermont"), ("Lakeside County", "Minnesota"),
          ("City of Port Aster", "Oregon"), ("Village of Northfield", "Ohio"), ("Hilltown", "Iowa")]


def answers_for(framework, n: int) -> dict[str, str]:
    """Respondent n's answers as a survey tool exports them: a mix of labels, numbers, dropdown text and "Don't know"."""
    rng = random.Random(n)
    place, state = PLACES[n % len(PLACES)]
    heads = template_headers(framework)
    row = {heads["profile"]["municipality_name"]: place, heads["profile"]["state"]: state,
           heads["profile"]["jurisdiction_type"]: "City", heads["profile"]["advocate_name"]: "Ana Lucía Ortega",
           heads["profile"]["respondent_name"]: f"Respondent {n:02d} Müller", heads["profile"]["respondent_role"]: "Department head",
           heads["profile"]["assessment_date"]: "2026-10-15",
           heads["profile"]["departments"]: "Housing\nPublic Works, Transit"}  # a quoted line break and a comma
    for ind in framework.indicators:
        value = rng.choice(framework.scale.levels)
        form = rng.randrange(4)
        text = (str(value.value), value.label, framework.scale.choice(value.value), framework.scale.dont_know)[form]
        row[heads["ratings"][ind.id]] = text
        if rng.random() < 0.2:
            row[heads["evidence"][ind.id]] = f"Note for {ind.id}; with \u201cquotes\u201d"
    return row


def write_csv(path: Path, framework, rows: list[dict[str, str]], delimiter=";", encoding="utf-8-sig") -> Path:
    heads = template_headers(framework)
    columns = list(heads["profile"].values()) + [h for i in framework.indicators for h in (heads["ratings"][i.id], heads["evidence"][i.id])]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in columns])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def survey_files(tmp_path, framework):
    result = CliRunner().invoke(cli, ["survey-template", "-o", str(tmp_path / "tpl")])
    assert result.exit_code == 0, result.output
    return tmp_path / "tpl" / CSV_NAME, tmp_path / "tpl" / MAP_NAME


def test_a_template_written_before_is_kept_and_the_message_agrees_with_what_is_there(survey_files):
    header_csv, map_path = survey_files
    again = CliRunner().invoke(cli, ["survey-template", "-o", str(header_csv.parent)])
    assert again.exit_code == 2
    assert f"Error: {header_csv}, {map_path} already exist." in again.output
    map_path.unlink()
    again = CliRunner().invoke(cli, ["survey-template", "-o", str(header_csv.parent)])
    assert again.exit_code == 2 and f"Error: {header_csv} already exists." in again.output


def test_template_matches_the_framework(survey_files, framework):
    header_csv, map_path = survey_files
    raw = header_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens a UTF-8 CSV with a BOM as UTF-8
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(header) == 21 + 2 * len(framework.indicators)  # every profile field but the logo
    assert header[0] == "Municipality name" and header[21] == f"LEAD-1: {framework.indicators[0].statement}"
    m, problems = load_map(map_path, framework)
    assert problems == []
    assert set(m.ratings) == {i.id for i in framework.indicators} and m.profile["assessment_date"] == "Assessment date"


@pytest.mark.slow  # thirty workbooks written and read back: seconds, not milliseconds
def test_thirty_respondents_for_six_places_score_as_if_typed(tmp_path, survey_files, framework):
    _, map_path = survey_files
    rows = [answers_for(framework, n) for n in range(30)]
    csv_path = write_csv(tmp_path / "answers.csv", framework, rows)
    out = tmp_path / "respondents"
    result = CliRunner().invoke(cli, ["import-survey", str(csv_path), "--map", str(map_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 30 workbooks for 6 places." in result.output
    folders = sorted(p.name for p in out.iterdir())
    assert folders == ["city-of-port-aster", "ciudad-de-penasco", "hilltown", "lakeside-county", "town-of-zoe-falls",
                       "village-of-northfield"]

    # The same answers typed into blank workbooks, cell by cell through the defined names.
    blank = write_intake(tmp_path / "blank.xlsx", framework)
    heads = template_headers(framework)
    typed_dir = tmp_path / "typed"
    typed_dir.mkdir()
    typed: dict[str, list[Path]] = {}
    for n, row in enumerate(rows):
        values = {PROFILE_BY_KEY[k].name: row[h] for k, h in heads["profile"].items() if row.get(h)}
        values[PROFILE_BY_KEY["assessment_date"].name] = dt.date(2026, 10, 15)
        for ind in framework.indicators:
            text = row[heads["ratings"][ind.id]]
            values[indicator_name("rating", ind.id)] = (
                text if text in framework.scale.choices else
                framework.scale.choice(int(text)) if text.isdigit() else
                framework.scale.choice(next(lv.value for lv in framework.scale.levels if lv.label == text)))
            if row.get(heads["evidence"][ind.id]):
                values[indicator_name("evidence", ind.id)] = row[heads["evidence"][ind.id]]
        path = set_named_cells(blank, values, typed_dir / f"r{n:02d}.xlsx")
        typed.setdefault(PLACES[n % 6][0], []).append(path)

    for folder in folders:
        imported = assess(sorted((out / folder).glob("*.xlsx")), framework)
        assert imported.valid, [p.line() for p in imported.report.errors]
        place = imported.responses[0].profile.municipality_name
        by_hand = assess(typed[place], framework)
        a, b = score_assessment(imported), score_assessment(by_hand)
        assert [c.score for c in a.conditions] == [c.score for c in b.conditions], place
        assert (a.level, a.average, a.respondents) == (b.level, b.average, 5)
        assert sorted(r.profile.respondent_name for r in imported.responses) == sorted(
            r.profile.respondent_name for r in by_hand.responses)
        assert [r.rows for r in imported.responses] == [r.rows for r in by_hand.responses]
        assert imported.responses[0].profile.departments == "Housing\nPublic Works, Transit"
    assert "Ciudad de Peñasco" in {assess(sorted((out / "ciudad-de-penasco").glob("*.xlsx")), framework).responses[0].profile.municipality_name}


def test_every_problem_with_row_and_column_and_nothing_written(tmp_path, survey_files, framework):
    _, map_path = survey_files
    rows = [answers_for(framework, n) for n in range(3)]
    heads = template_headers(framework)
    rows[1][heads["ratings"]["CAP-2"]] = "Mostly"
    rows.insert(1, {})  # an empty row: CSV row 3
    csv_path = write_csv(tmp_path / "answers.csv", framework, rows, delimiter=",", encoding="utf-8")
    text = csv_path.read_text(encoding="utf-8").replace("Municipality name", "Municipalty name", 1)
    csv_path.write_text(text, encoding="utf-8")
    out = tmp_path / "respondents"
    result = CliRunner().invoke(cli, ["import-survey", str(csv_path), "--map", str(map_path), "-o", str(out)])
    assert result.exit_code == 1
    cap2 = 21 + 2 * [i.id for i in framework.indicators].index("CAP-2") + 1  # 1-based column of CAP-2's rating
    letter = "".join(chr(65 + d) for d in ((cap2 - 1) // 26 - 1, (cap2 - 1) % 26) if d >= 0)
    cap2_header = heads["ratings"]["CAP-2"]
    assert result.output.splitlines() == [
        "error: answers.csv, row 1: the map's column \u201cMunicipality name\u201d (profile municipality_name) is not in the export. "
        "The export has \u201cMunicipalty name\u201d (column A): fix the spelling in one of them. [survey-missing-column]",
        "error: answers.csv, row 1, column A (Municipalty name): the map does not say what this column holds, so its answers "
        "would be lost. Map it in the survey map, or list it under [survey] ignore. [survey-unmapped-column]",
        "error: answers.csv, row 3: the row is empty. Delete it from the export, or fill in the respondent's answers. [survey-empty-row]",
        f"error: answers.csv, row 4, column {letter} ({cap2_header[:39]}\u2026): "
        "\u201cMostly\u201d is not a rating. Use 1 or Not in place, 2 or Starting, 3 or Partly in place, 4 or Fully in place, "
        "or \u201cDon't know\u201d. [survey-unknown-rating]",
        "4 problems found; nothing was written.",
    ]
    assert not out.exists()


def test_utf16_tab_export_and_windows_1252(tmp_path, survey_files, framework):
    _, map_path = survey_files
    rows = [answers_for(framework, 0)]
    utf16 = write_csv(tmp_path / "u16.csv", framework, rows, delimiter="\t", encoding="utf-16")
    got = import_survey(utf16, map_path, tmp_path / "a", framework)
    assert [p.parent.name for p in got.written] == ["ciudad-de-penasco"] and got.notes == []
    cp = write_csv(tmp_path / "cp.csv", framework, rows, delimiter=";", encoding="cp1252")
    got = import_survey(cp, map_path, tmp_path / "b", framework)
    assert got.notes and "read as Windows-1252" in got.notes[0]
    response = assess(got.written, framework).responses[0]
    assert response.profile.municipality_name == "Ciudad de Peñasco"
    assert response.profile.respondent_name == "Respondent 00 Müller"


def test_an_unmapped_answer_column_is_never_dropped_and_ignore_skips_it(tmp_path, survey_files, framework):
    _, map_path = survey_files
    row = answers_for(framework, 0)
    del row["Departments to involve"]  # no quoted line break, so the lines below are the CSV's rows
    csv_path = write_csv(tmp_path / "answers.csv", framework, [row])
    text = csv_path.read_bytes().decode("utf-8-sig").splitlines()
    text = [text[0] + ";Submitted at", text[1] + ";2026-10-15 10:22"]
    csv_path.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")
    with pytest.raises(SurveyError) as caught:
        import_survey(csv_path, map_path, tmp_path / "out", framework)
    assert [p.code for p in caught.value.problems] == ["survey-unmapped-column"]
    assert caught.value.problems[0].header == "Submitted at"
    map_path.write_text(map_path.read_text().replace("ignore = []", 'ignore = ["Submitted at"]'))
    assert len(import_survey(csv_path, map_path, tmp_path / "out", framework).written) == 1


def test_a_misspelt_map_key_is_named(tmp_path, survey_files, framework):
    _, map_path = survey_files
    map_path.write_text(map_path.read_text().replace("LEAD-2 =", "LAED-2 =", 1))
    m, problems = load_map(map_path, framework)
    assert [p.line() for p in problems] == [
        "error: survey-map.toml, key ratings.LAED-2: is not an indicator of the framework. Did you mean \u201cLEAD-2\u201d? [survey-map-key]",
        "error: survey-map.toml, key ratings.LEAD-2: is missing: every indicator needs the column holding its rating. [survey-map-missing]",
    ]
