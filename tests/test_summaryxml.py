"""summaryxml.py writes the cohort summary as openpyxl wrote it (tests/summary_openpyxl.py), part for part.

Every part is compared byte for byte but two: the theme (the action plan's)
and docProps/app.xml (readydocs is named as the application). Text that
starts with "=" is the one intended difference in the cells: it stays text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import sys
import zipfile

import openpyxl
import pytest

from readydocs import cohort, xlsxparts
from readydocs.cohort import NotBuilt, PlaceRow, summary_bytes
from readydocs.scoresjson import ConditionScore, PlaceScores

from summary_openpyxl import openpyxl_summary_bytes

WHEN = dt.datetime(2026, 10, 15, 9, 0)
OWN_PARTS = ("xl/theme/theme1.xml", "docProps/app.xml")


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def random_place(rng: random.Random, framework, n: int, names=None) -> PlaceRow:
    conditions = []
    for c in framework.conditions:
        if rng.random() < 0.08:
            conditions.append(ConditionScore(c.id, None, framework.insufficient.id, None, False))
            continue
        score = rng.choice([0, 100, 50, 75, 74.99, 49.995, round(rng.uniform(0, 100), 2)])
        status = next(b.id for b in framework.bands if score >= b.min) if score >= framework.bands[-1].min else framework.bands[-1].id
        conditions.append(ConditionScore(c.id, score, status, rng.choice([None, 0.5, 2.0]), rng.random() < 0.2))
    if rng.random() < 0.1:
        conditions = conditions[:-2]  # a framework with fewer conditions at the time
    level = rng.choice(framework.levels)
    name = (names or [f"Town of Test {n:03d}", f"Ville {n} \u00e9t\u00e9", f"{n} Long Name " + "word " * rng.randint(1, 12)])
    return PlaceRow(
        PlaceScores(place=rng.choice(name), state=rng.choice(["Minnesota", "", "New York"]), jurisdiction_type="city",
                    assessment_date=rng.choice([dt.date(2026, 3, rng.randint(1, 28)), None]),
                    respondents=rng.randint(0, 12), level=level.id, level_label=level.label,
                    average=rng.choice([None, 62.5, round(rng.uniform(0, 100), 2)]), conditions=tuple(conditions)),
        folder=f"place-{n:03d}", note=rng.choice(["", "New this round: not in the baseline round",
                                                  "Documents not replaced; Compared with the baseline round"]))


def failures(rng: random.Random, count: int) -> list[NotBuilt]:
    return [NotBuilt(rng.choice(["", f"Failed Town {n}"]), tuple(f"file-{n}-{k}.xlsx" for k in range(rng.randint(1, 3))),
                     tuple(rng.choice(["Sheet 'Profile', cell C4: the date is missing. Type it as 2026-10-15.",
                                       "An unreadable workbook & more <text>"]) for _ in range(rng.randint(0, 3))))
            for n in range(count)]


def unusual_framework(framework):
    """Four bands (two sharing the palette's last colour), two levels, labels with quotes, & and <."""
    bands = (dataclasses.replace(framework.bands[0], label='Fully "in" place'),
             dataclasses.replace(framework.bands[1], id="b2", label="Partly & growing", min=60),
             dataclasses.replace(framework.bands[1], id="b3", label="In place", min=40),
             dataclasses.replace(framework.bands[2], label="Not <yet>"))
    levels = (framework.levels[0], dataclasses.replace(framework.levels[-1], label="Wait \u2014 build first"))
    return dataclasses.replace(framework, bands=bands, levels=levels, title="A & B <framework>")


def assert_same(places, not_built, framework):
    ours = parts(summary_bytes(places, not_built, framework, WHEN))
    theirs = parts(openpyxl_summary_bytes(places, not_built, framework, WHEN))
    assert list(ours) == list(theirs)  # the same parts, in the same order
    for name in theirs:
        if name not in OWN_PARTS:
            assert ours[name] == theirs[name], name
    assert ours["xl/theme/theme1.xml"] == xlsxparts.theme_xml().encode()
    assert b"<Application>readydocs</Application>" in ours["docProps/app.xml"]


@pytest.mark.parametrize("seed", range(12))
def test_every_part_is_the_one_openpyxl_wrote(seed, framework):
    rng = random.Random(seed)
    fw = unusual_framework(framework) if seed % 3 == 2 else framework
    places = [random_place(rng, fw, n) for n in range(rng.choice([1, 3, 40]))]
    assert_same(places, failures(rng, rng.choice([0, 1, 5])), fw)


def test_no_places_and_no_failures_and_failures_only(framework):
    assert_same([], [], framework)
    assert_same([], failures(random.Random(1), 4), framework)


def test_text_with_edge_spaces_markup_and_long_words(framework):
    rng = random.Random(5)
    names = ["  Spaced  ", "Tab\tTown", "Line\nbreak", "A & B <c> \"d\" 'e'", "x" * 70, "\u6771\u4eac \U0001F3D9"]
    assert_same([random_place(rng, framework, n, names=[names[n]]) for n in range(len(names))], [], framework)


def test_text_starting_with_equals_stays_text(framework, tmp_path):
    rng = random.Random(2)
    place = random_place(rng, framework, 0, names=['=HYPERLINK("http://example.org","click")'])
    path = tmp_path / "s.xlsx"
    path.write_bytes(summary_bytes([place], [NotBuilt("=1+1", ("a.xlsx",), ("=2+2",))], framework, WHEN))
    wb = openpyxl.load_workbook(path)
    assert wb["Places"]["A2"].value == '=HYPERLINK("http://example.org","click")'
    assert wb["Places"]["A2"].data_type == "s"
    assert wb["Heat map"]["A2"].data_type == "s"
    assert [c.value for c in wb["Not built"][2]] == ["=1+1", "a.xlsx", "=2+2"]
    assert all(c.data_type == "s" for c in wb["Not built"][2])
    sheet = parts(path.read_bytes())["xl/worksheets/sheet1.xml"]
    assert b"<f>" not in sheet


def test_control_characters_lone_surrogates_and_overlong_text_are_written_as_a_cell_can_hold(framework, tmp_path):
    rng = random.Random(3)
    long = "word " * 7000  # 35,000 characters, past a cell's 32,767
    path = tmp_path / "s.xlsx"
    path.write_bytes(summary_bytes([random_place(rng, framework, 0, names=["Bell\x07Town _x0041_"])],
                                   [NotBuilt("Odd \udcff name", ("b\x01.xlsx",), (long,))], framework, WHEN))
    wb = openpyxl.load_workbook(path)  # it opens: every part is well-formed XML
    sheet = parts(path.read_bytes())["xl/worksheets/sheet1.xml"].decode()
    assert "Bell_x0007_Town _x005F_x0041_" in sheet  # as the action plan writes them: Excel reads back what was typed
    assert wb["Not built"]["A2"].value == "Odd \ufffd name"
    assert len(wb["Not built"]["C2"].value) == 32767


def test_the_summary_opens_with_its_sheets_rules_and_charts(framework, tmp_path):
    rng = random.Random(4)
    places = [random_place(rng, framework, n) for n in range(6)]
    path = tmp_path / "s.xlsx"
    path.write_bytes(summary_bytes(places, [], framework, WHEN))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Places", "Heat map", "Charts", "Not built"]
    assert wb["Places"].max_row == 7 and wb["Places"].freeze_panes == "B2"
    assert wb["Places"].auto_filter.ref == "A1:AA7"
    assert b"<c:chart " in parts(path.read_bytes())["xl/drawings/drawing1.xml"]
    assert wb.properties.creator == "readydocs" and wb.properties.created == WHEN


def test_making_the_summary_never_loads_openpyxl(framework):
    import subprocess

    code = ("import sys, datetime as dt; from readydocs.framework import load_framework; from readydocs import cohort; "
            "fw = load_framework(); cohort.summary_bytes([], [], fw, dt.datetime(2026, 1, 1)); "
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("largest, step", [(0, 1), (1, 1), (8, 1), (9, 2), (16, 2), (17, 5), (40, 5), (41, 10),
                                           (185, 50), (400, 50), (401, 100), (19500, 5000)])
def test_the_places_axis_steps_by_whole_places_at_most_eight_times(largest, step):
    assert cohort.count_step(largest) == step


def test_a_large_cohort_s_level_chart_has_a_few_gridlines_not_one_per_place(framework):
    rng = random.Random(6)
    places = [random_place(rng, framework, n) for n in range(60)]
    top = max(sum(p.scores.level == lv.id for p in places) for lv in framework.levels)
    chart = parts(summary_bytes(places, [], framework, WHEN))["xl/charts/chart1.xml"].decode()
    assert f'<majorUnit val="{cohort.count_step(top)}"/>' in chart and cohort.count_step(top) > 1
