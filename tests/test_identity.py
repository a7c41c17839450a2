"""One place is one place: municipality + state + jurisdiction type, in pooling, folders and across runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from readydocs.batch import assign_folders, run_batch
from readydocs.cli import cli
from readydocs.cohort import FILENAME
from readydocs.errors import InvalidInputError
from readydocs.outputs import MANIFEST_NAME
from readydocs.assessment import assess
from readydocs.places import PlaceIdentity
from readydocs.response import Profile
from readydocs.workbook import set_named_cells

TOKYO, OSAKA = "Ciudad \u6771\u4eac", "Ciudad \u5927\u962a"


def _place(sample, tmp_path, file, **cells):
    values = {f"profile.{k}": v for k, v in cells.items()}
    return set_named_cells(sample, values, tmp_path / file)


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_identity_ignores_case_width_and_spacing():
    a = PlaceIdentity("City of Riverbend", "Minnesota", "City")
    assert a == PlaceIdentity("  city of  RIVERBEND ", "MINNESOTA", "city")
    assert a == PlaceIdentity("\uff23ity of Riverbend", "Minnesota", "City")  # a full-width C
    assert a != PlaceIdentity("City of Riverbend", "Wisconsin", "City")
    assert a != PlaceIdentity("City of Riverbend", "Minnesota", "Town")
    assert Profile(municipality_name="Springfield", state=None).identity == PlaceIdentity("Springfield")


@pytest.mark.parametrize("command", ["build", "validate", "score"])
def test_pooling_refuses_workbooks_for_two_states(sample_xlsx, tmp_path, command):
    il = _place(sample_xlsx, tmp_path, "springfield-il.xlsx", municipality_name="Springfield", state="Illinois")
    ma = _place(sample_xlsx, tmp_path, "springfield-ma.xlsx", municipality_name="Springfield", state="Massachusetts")
    extra = ["-o", tmp_path / "out"] if command == "build" else []
    result = _run(command, il, ma, *extra)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: These workbooks name different states (springfield-il.xlsx: Illinois; springfield-ma.xlsx: Massachusetts). "
        "If they are one place, correct the state in the wrong workbook; otherwise build each place separately, "
        "or use 'readydocs batch' for a cohort."]
    assert not (tmp_path / "out").exists()


def test_pooling_refuses_two_jurisdiction_types_and_accepts_one_place_typed_two_ways(sample_xlsx, tmp_path, framework):
    city = _place(sample_xlsx, tmp_path, "city.xlsx", jurisdiction_type="City")
    county = _place(sample_xlsx, tmp_path, "county.xlsx", jurisdiction_type="County")
    with pytest.raises(InvalidInputError, match=r"different jurisdiction types \(city.xlsx: City; county.xlsx: County\)"):
        assess([city, county], framework)
    same = _place(sample_xlsx, tmp_path, "same.xlsx", municipality_name=" CITY of riverbend", state="minnesota ")
    assert assess([city, same], framework).valid


def test_a_folder_holding_another_place_is_refused_across_runs(sample_xlsx, tmp_path):
    il = _place(sample_xlsx, tmp_path, "il.xlsx", municipality_name="Springfield", state="Illinois")
    ma = _place(sample_xlsx, tmp_path, "ma.xlsx", municipality_name="Springfield", state="Massachusetts",
                **{"advocate_name": "Someone Else"})
    out = tmp_path / "out"
    assert _run("build", il, "-o", out).exit_code == 0
    folder = out / "springfield"
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["place"] == {"municipality": "Springfield", "state": "Illinois", "jurisdiction_type": "City"}
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for extra in ([], ["--force"]):
        result = _run("build", ma, "-o", out, *extra)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"Error: {folder} holds the documents of Springfield, Illinois (City), and this build is for "
            "Springfield, Massachusetts (City) (the state differs); nothing was written. "
            "Give this place another output folder with -o; if it is the same place spelt differently before, "
            "correct the workbook or move the old folder away."]
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert _run("build", ma, "-o", tmp_path / "out-ma").exit_code == 0


def _plan_text(path):
    ws = openpyxl.load_workbook(path).active
    return {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_tokyo_and_osaka_get_their_own_folders(sample_xlsx, tmp_path):
    tokyo = _place(sample_xlsx, tmp_path, "tokyo.xlsx", municipality_name=TOKYO, state="Tokyo")
    osaka = _place(sample_xlsx, tmp_path, "osaka.xlsx", municipality_name=OSAKA, state="Osaka")
    out = tmp_path / "out"
    first = _run("build", tokyo, "-o", out)
    assert first.exit_code == 0, first.output
    tokyo_dir = next(out.iterdir())
    # Tokyo's team fills in its action plan.
    plan = tokyo_dir / "readiness-action-plan.xlsx"
    wb = openpyxl.load_workbook(plan)
    ws = wb.active
    header = next(row for row in ws.iter_rows(max_row=10) if any(c.value == "Owner" for c in row))
    owner_col = next(c.column for c in header if c.value == "Owner")
    ws.cell(row=header[0].row + 1, column=owner_col, value="Tokyo transit office")
    wb.save(plan)
    tokyo_files = {p.name: p.read_bytes() for p in tokyo_dir.iterdir()}
    second = _run("build", osaka, "-o", out)
    assert second.exit_code == 0, second.output
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == 2 and all(f.startswith("ciudad-") for f in folders)
    assert {p.name: p.read_bytes() for p in tokyo_dir.iterdir()} == tokyo_files
    osaka_dir = next(p for p in out.iterdir() if p != tokyo_dir)
    assert "Tokyo transit office" in _plan_text(plan)
    assert "Tokyo transit office" not in _plan_text(osaka_dir / "readiness-action-plan.xlsx")
    report = "\n".join(p.text for p in docx.Document(osaka_dir / "readiness-report.docx").paragraphs)
    assert OSAKA in report and TOKYO not in report


def test_batch_builds_two_springfields_into_two_folders(sample_xlsx, tmp_path, framework):
    d = tmp_path / "in"
    d.mkdir()
    _place(sample_xlsx, d, "il.xlsx", municipality_name="Springfield", state="Illinois")
    _place(sample_xlsx, d, "ma.xlsx", municipality_name="Springfield", state="Massachusetts")
    _place(sample_xlsx, d, "mb.xlsx", municipality_name="springfield", state="massachusetts", advocate_name="Second")
    result = run_batch([d], tmp_path / "out", framework, jobs=1)
    assert [(p.name, p.ok, p.files) for p in result.places] == [
        ("Springfield", True, (str(d / "il.xlsx"),)),
        ("Springfield", True, (str(d / "ma.xlsx"), str(d / "mb.xlsx"))),
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["springfield-illinois", "springfield-massachusetts"]
    ma = json.loads((tmp_path / "out" / "springfield-massachusetts" / "scores.json").read_text("utf-8"))
    assert len(ma["respondents"]) == 2
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(tmp_path / "out" / FILENAME)["Places"].iter_rows(min_row=2)]
    assert [(r[0], r[1], r[-2]) for r in rows] == [("Springfield", "Illinois", "springfield-illinois"),
                                                  ("Springfield", "Massachusetts", "springfield-massachusetts")]


def test_batch_keeps_each_place_in_the_folder_it_owns_across_runs(sample_xlsx, tmp_path, framework):
    d = tmp_path / "in"
    d.mkdir()
    _place(sample_xlsx, d, "il.xlsx", municipality_name="Springfield", state="Illinois")
    out = tmp_path / "out"
    run_batch([d], out, framework, jobs=1)
    assert (out / "springfield" / "scores.json").exists()
    _place(sample_xlsx, d, "ma.xlsx", municipality_name="Springfield", state="Massachusetts")
    result = run_batch([d], out, framework, jobs=1)
    assert [p.ok for p in result.places] == [True, True]
    assert sorted(Path(p.folder).name for p in result.places) == ["springfield", "springfield-massachusetts"]
    assert json.loads((out / "springfield" / MANIFEST_NAME).read_text("utf-8"))["place"]["state"] == "Illinois"
    # A third run finds each in its own folder again, even alone.
    (d / "il.xlsx").unlink()
    result = run_batch([d], out, framework, jobs=1)
    assert [Path(p.folder).name for p in result.places] == ["springfield-massachusetts"]


def test_batch_refuses_a_folder_another_place_owns(sample_xlsx, tmp_path, framework):
    out = tmp_path / "out"
    il = _place(sample_xlsx, tmp_path, "il.xlsx", municipality_name="Springfield", state="Illinois")
    assert _run("build", il, "-o", out).exit_code == 0
    d = tmp_path / "in"
    d.mkdir()
    _place(sample_xlsx, d, "nostate.xlsx", municipality_name="Springfield", state=None)
    result = _run("batch", d, "-o", out, "--jobs", "1")
    assert result.exit_code == 1
    assert f"Not built: Springfield ({d / 'nostate.xlsx'})" in result.stderr
    assert (f"  {out / 'springfield'} holds the documents of Springfield, Illinois (City), and this build is for "
            "Springfield (City) (the state differs); nothing was written. Give this place another output folder with -o") in result.stderr


def test_assign_folders_gives_names_that_meet_the_state_s_longer_name(tmp_path):
    a, b = PlaceIdentity("St. Paul", "Minnesota"), PlaceIdentity("St Paul", "Minnesota")
    c = PlaceIdentity("Springfield", "Illinois")
    # St. Paul and St Paul still meet (run_batch refuses both); Springfield is alone.
    assert assign_folders([a, b, c], tmp_path) == {a: "st-paul-minnesota", b: "st-paul-minnesota", c: "springfield"}


def test_batch_names_the_places_that_would_share_a_longer_folder_name(sample_xlsx, tmp_path, framework):
    d = tmp_path / "in"
    d.mkdir()
    _place(sample_xlsx, d, "a.xlsx", municipality_name="Springfield Illinois", state="")
    _place(sample_xlsx, d, "b.xlsx", municipality_name="Springfield", state="Illinois")
    _place(sample_xlsx, d, "c.xlsx", municipality_name="Springfield", state="Ohio")
    result = run_batch([d], tmp_path / "out", framework, jobs=1)
    by_file = {p.files: p for p in result.places}
    assert by_file[(str(d / "c.xlsx"),)].ok
    assert Path(by_file[(str(d / "c.xlsx"),)].folder).name == "springfield-ohio"
    for mine, other in (("a.xlsx", "Springfield"), ("b.xlsx", "Springfield Illinois")):
        place = by_file[(str(d / mine),)]
        assert not place.ok
        assert f"and '{other}' would share the folder 'springfield-illinois'." in place.problems[0]


def test_the_same_workbook_twice_is_counted_once(sample_xlsx, tmp_path):
    other = set_named_cells(sample_xlsx, {"rating.LEAD_1": "1 - Not in place", "profile.advocate_name": "B"}, tmp_path / "b.xlsx")
    copy = shutil.copyfile(sample_xlsx, tmp_path / "copy-of-sample.xlsx")
    once = _run("score", sample_xlsx, other)
    assert once.exit_code == 0, once.output
    for twice in (_run("score", sample_xlsx, sample_xlsx, other), _run("score", sample_xlsx, other, copy)):
        assert twice.exit_code == 0, twice.output
        assert twice.stdout == once.stdout
    dup = _run("score", sample_xlsx, tmp_path / "." / "sample.xlsx", other)
    assert dup.stderr.splitlines() == [
        f"warning: {tmp_path / '.' / 'sample.xlsx'}: the same file as {sample_xlsx}; its answers are counted once. [duplicate-workbook]"]
    copied = _run("score", sample_xlsx, other, copy, "--json")
    assert copied.stderr.splitlines() == [
        f"warning: {copy}: an identical copy of {sample_xlsx}; its answers are counted once. [duplicate-workbook]"]
    assert json.loads(copied.stdout) == json.loads(_run("score", sample_xlsx, other, "--json").stdout)
    validated = _run("validate", sample_xlsx, sample_xlsx)
    assert validated.exit_code == 0
    assert "[duplicate-workbook]" in validated.stdout
    built = _run("build", sample_xlsx, copy, "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert f"warning: {copy}: an identical copy of {sample_xlsx}" in built.stderr
    scores = json.loads((tmp_path / "out" / "city-of-riverbend" / "scores.json").read_text("utf-8"))
    assert len(scores["respondents"]) == 1


def test_batch_counts_a_copied_workbook_once(sample_xlsx, tmp_path, framework):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(sample_xlsx, d / "a.xlsx")
    shutil.copyfile(sample_xlsx, d / "b-copy.xlsx")
    (place,) = run_batch([d], tmp_path / "out", framework, jobs=1).places
    assert place.ok and place.files == (str(d / "a.xlsx"),)
    assert place.warnings == 1 + _warnings(sample_xlsx, framework)
    scores = json.loads((tmp_path / "out" / "city-of-riverbend" / "scores.json").read_text("utf-8"))
    assert len(scores["respondents"]) == 1


def _warnings(path, framework):
    return len(assess([path], framework).report.warnings)


def test_batch_skips_excel_owner_files_given_by_name(sample_xlsx, tmp_path):
    """`batch dir/*.xlsx`, as the shell expands it while a workbook is open (build's own skip is tested elsewhere)."""
    owner = tmp_path / "~$sample.xlsx"
    owner.write_bytes(b"\x0bAna Garcia" + b"\x00" * 150)  # what Excel leaves while sample.xlsx is open
    result = _run("batch", sample_xlsx, owner, "-o", tmp_path / "cohort", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Built 1 of 1 place from 1 workbook" in result.stdout
    alone = _run("batch", owner, "-o", tmp_path / "cohort")
    assert alone.exit_code == 2
    assert alone.stderr.startswith(f"Error: {owner}: only Excel owner files (~$name.xlsx), no workbook.")


def test_batch_into_its_own_input_folder_twice_ignores_its_outputs(sample_xlsx, tmp_path):
    d = tmp_path / "cohort"
    d.mkdir()
    shutil.copyfile(sample_xlsx, d / "riverbend.xlsx")
    set_named_cells(sample_xlsx, {"profile.municipality_name": "Lakeside County"}, d / "lakeside.xlsx")
    first = _run("batch", d, "-o", d, "--jobs", "1")
    assert first.exit_code == 0, first.output
    assert "Built 2 of 2 places from 2 workbooks" in first.output
    assert (d / FILENAME).exists() and (d / "city-of-riverbend" / "readiness-action-plan.xlsx").exists()
    # Someone fills in the action plan: the next batch keeps a dated copy of it beside the new one.
    plan = d / "city-of-riverbend" / "readiness-action-plan.xlsx"
    wb = openpyxl.load_workbook(plan)
    wb.active.cell(row=4, column=5).value = "Parks department"  # the first action's owner
    wb.save(plan)
    for _ in range(2):
        again = _run("batch", d, "-o", d, "--jobs", "1")
        assert again.exit_code == 0, again.output
        assert "Built 2 of 2 places from 2 workbooks" in again.output
    assert len(list((d / "city-of-riverbend").glob("readiness-action-plan.edited-*.xlsx"))) == 1

