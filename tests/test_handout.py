"""Respondent copies from 'readydocs init --respondent / --respondents': the advocate's profile, locked."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.handout import SHARED_FIELDS, parse_respondent, read_respondents
from readydocs.assessment import assess
from readydocs.sample import SAMPLE_PROFILE
from readydocs.workbook import rate_every_indicator


def _profile(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for name, dn in wb.defined_names.items():
        if name.startswith("profile."):
            (sheet, ref), = dn.destinations
            out[name.split(".", 1)[1]] = wb[sheet][ref.replace("$", "")]
    return out


def test_one_copy_per_respondent_with_the_place_locked(sample_xlsx, tmp_path, framework):
    people = tmp_path / "people.csv"
    people.write_text("name,role,department\nAna Ruiz,Department head,Parks and Recreation\n\n"
                      "Bo Li,\"Budget office, analyst\",\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(sample_xlsx), "--respondents", str(people),
                                      "--respondent", "Cy Dee, Front-line staff"])
    assert result.exit_code == 0, result.output
    names = ["sample-ana-ruiz.xlsx", "sample-bo-li.xlsx", "sample-cy-dee.xlsx"]
    assert [line.split("Wrote ")[1] for line in result.output.splitlines() if line.startswith("Wrote")] == \
        [f"{tmp_path / n}." for n in ["sample-cy-dee.xlsx", "sample-ana-ruiz.xlsx", "sample-bo-li.xlsx"]]
    assert "Next: send each respondent their copy" in result.output
    ana = _profile(tmp_path / names[0])
    for key in SHARED_FIELDS:
        cell = ana[key]
        expected = SAMPLE_PROFILE.get(key)
        if expected is None:
            assert cell.value is None and not cell.protection.locked, key
        else:
            got = cell.value.date() if hasattr(cell.value, "date") and key.endswith("date") else cell.value
            assert got == expected, key
            assert cell.protection.locked and cell.fill.fgColor.rgb.endswith("EDEDED"), key
    assert (ana["respondent_name"].value, ana["respondent_role"].value, ana["respondent_department"].value) == \
        ("Ana Ruiz", "Department head", "Parks and Recreation")
    assert not ana["respondent_name"].protection.locked
    help_of = lambda cell: cell.parent.cell(row=cell.row, column=cell.column + 1).value  # noqa: E731
    assert help_of(ana["municipality_name"]) == "Filled in by the advocate, the same on every respondent's copy."
    assert help_of(ana["respondent_role"]).startswith("For example Department head")
    bo = _profile(tmp_path / names[1])
    assert (bo["respondent_role"].value, bo["respondent_department"].value) == ("Budget office, analyst", None)
    # Filled in, the copies pool as one place with the advocate's workbook.
    for n in names:
        rate_every_indicator(tmp_path / n, framework, 3)
    assessment = assess([sample_xlsx, *(tmp_path / n for n in names)], framework)
    assert assessment.valid, [p.line() for p in assessment.report.errors]
    assert [r.profile.respondent_name for r in assessment.responses] == ["Dana Whitfield", "Ana Ruiz", "Bo Li", "Cy Dee"]


def test_copies_are_not_overwritten_without_force(sample_xlsx, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(sample_xlsx), "--respondent", "Ana Ruiz"]).exit_code == 0
    again = runner.invoke(cli, ["init", str(sample_xlsx), "--respondent", "Ana Ruiz"])
    assert again.exit_code == 2
    assert again.output.strip() == (f"Error: {tmp_path / 'sample-ana-ruiz.xlsx'} already exists. Move it away, "
                                    "or add --force to replace it.")
    assert runner.invoke(cli, ["init", str(sample_xlsx), "--respondent", "Ana Ruiz", "--force"]).exit_code == 0


def test_without_an_advocate_workbook_the_copies_leave_the_place_open(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "county.xlsx"), "--respondent", "Ana Ruiz, Clerk"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "county.xlsx").exists()
    ana = _profile(tmp_path / "county-ana-ruiz.xlsx")
    assert ana["municipality_name"].value is None and not ana["municipality_name"].protection.locked
    assert ana["respondent_role"].value == "Clerk"
    assert "Note: " in result.output and "does not exist yet" in result.output


@pytest.mark.parametrize("args, message", [
    (["--respondent", " , Clerk"], "Error: --respondent ' , Clerk' has no name before the comma."),
    (["--respondent", "Ana Ruiz", "--respondent", "ana  ruiz"], "Error: Ana Ruiz and ana ruiz would both get x-ana-ruiz.xlsx."),
])
def test_bad_respondent_lists_are_one_line(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x.xlsx"), *args])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(message)


def test_csv_problems_name_the_line(tmp_path):
    people = tmp_path / "p.csv"
    people.write_text("Ana Ruiz,Clerk\n,Budget office\n", encoding="utf-8")
    with pytest.raises(Exception) as exc:
        read_respondents(people)
    assert str(exc.value).startswith(f"{people}, line 2: has no name in the first column.")
    people.write_bytes("Jos\u00e9 Pe\u00f1a,Clerk\n".encode("cp1252"))  # Excel's plain CSV on Windows
    assert read_respondents(people)[0].name == "Jos\u00e9 Pe\u00f1a"
    people.write_bytes(b"PK\x03\x04 a spreadsheet")
    with pytest.raises(Exception, match="is a spreadsheet, not a CSV file"):
        read_respondents(people)


def test_parse_respondent_keeps_commas_in_the_role():
    r = parse_respondent("  Ana   Ruiz , Director, Parks ")
    assert (r.name, r.role) == ("Ana Ruiz", "Director, Parks")
