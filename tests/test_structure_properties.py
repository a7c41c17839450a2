"""Property test: whatever is done to a workbook's *structure*, every command ends with 0, 1 or 2, one line per
problem, no traceback and no internal error, within a bounded time.

Mutations are what scripts and careless edits do: delete or insert rows (openpyxl
does not move defined names, as a script would not), delete names or point them
elsewhere (#REF!, whole rows and columns, ranges, chart sheets, sheets that do
not exist, cells outside the grid), rename, hide or delete sheets, merge input
cells, put formulas in input cells. Under CI=true the examples are a fixed set
(conftest.py).
"""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName

from readydocs.cli import cli
from readydocs.form import NAME_FORM_VERSION, NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, PROFILE_FIELDS, RATING_INPUTS, indicator_name
from readydocs.framework import load_framework

FRAMEWORK = load_framework()
SHEETS = ["Instructions", "Profile", "Ratings", "Lists"]
NAMES = ([NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, NAME_FORM_VERSION] + [f.name for f in PROFILE_FIELDS]
         + [indicator_name(k, i.id) for i in FRAMEWORK.indicators for k in RATING_INPUTS])
TARGETS = ["#REF!", "Ratings!#REF!", "Profile!$5:$5", "Ratings!$D:$D", "Ratings!$D$0", "Ratings!$D$1048577",
           "Ratings!$XFE$4", "Nowhere!$A$1", "'Chart'!$A$1", "Ratings!$D$4:$E$9", "Profile!$B$4", "Lists!$A$2",
           "Ratings!$XFD$1048576", '"3 - Partly in place"', "1+2", "Ratings!$A$4", "Ratings!$D$4,Ratings!$D$5",
           "Instructions!$C$2", "'Ratings'!$D$31"]
FORMULAS = ["=1+2", "=Ratings!D5", "=#REF!", "=1/0", "=NOW()", "=INDIRECT(\"A1\")", '="3 - Partly in place"']
MERGES = ["D4:E5", "B4:B6", "A11:H11", "D10:D12", "A1:H40", "B17:C18", "C20:C30"]
# Every command gets this long per example; a hang fails the example instead of the whole run.
DEADLINE_SECONDS = 60

mutation = st.one_of(
    st.tuples(st.just("delete_rows"), st.sampled_from(SHEETS[:3]), st.integers(1, 40), st.integers(1, 3)),
    st.tuples(st.just("insert_rows"), st.sampled_from(SHEETS[:3]), st.integers(1, 40), st.integers(1, 3)),
    st.tuples(st.just("delete_name"), st.sampled_from(NAMES)),
    st.tuples(st.just("retarget"), st.sampled_from(NAMES), st.sampled_from(TARGETS)),
    st.tuples(st.just("rename_sheet"), st.sampled_from(SHEETS), st.sampled_from(["Ratings (2)", "profile", "Sheet1", "Chart"])),
    st.tuples(st.just("hide_sheet"), st.sampled_from(SHEETS), st.sampled_from(["hidden", "veryHidden"])),
    st.tuples(st.just("delete_sheet"), st.sampled_from(SHEETS)),
    st.tuples(st.just("merge"), st.sampled_from(SHEETS[1:3]), st.sampled_from(MERGES)),
    st.tuples(st.just("formula"), st.sampled_from(NAMES), st.sampled_from(FORMULAS)),
    st.tuples(st.just("chartsheet")),
)


class TookTooLong(BaseException):
    """Raised by the alarm; a BaseException so that no handler in readydocs can swallow it."""


def _mutate(wb, step) -> None:
    kind, *args = step
    if kind in ("delete_rows", "insert_rows"):
        sheet, row, amount = args
        if sheet in wb.sheetnames:
            getattr(wb[sheet], kind)(row, amount)
    elif kind == "delete_name":
        if args[0] in wb.defined_names:
            del wb.defined_names[args[0]]
    elif kind == "retarget":
        name, target = args
        if name in wb.defined_names:
            del wb.defined_names[name]
        wb.defined_names[name] = DefinedName(name, attr_text=target)
    elif kind == "rename_sheet":
        if args[0] in wb.sheetnames:
            wb[args[0]].title = args[1]
    elif kind == "hide_sheet":
        if args[0] in wb.sheetnames:
            wb[args[0]].sheet_state = args[1]
    elif kind == "delete_sheet":
        if args[0] in wb.sheetnames and len(wb.sheetnames) > 1:
            wb.remove(wb[args[0]])
    elif kind == "merge":
        if args[0] in wb.sheetnames:
            wb[args[0]].merge_cells(args[1])
    elif kind == "formula":
        dn = wb.defined_names.get(args[0])
        try:
            (sheet, ref), = dn.destinations
            wb[sheet][ref.replace("$", "")].value = args[1]
        except Exception:
            pass  # the name was already broken by an earlier step
    elif kind == "chartsheet" and "Chart" not in wb.sheetnames and "Lists" in wb.sheetnames:
        chart = BarChart()
        chart.add_data(Reference(wb["Lists"], min_col=1, min_row=1, max_row=3))
        wb.create_chartsheet("Chart").add_chart(chart)


def _run(args: list[str]):
    """Run one command in-process under an alarm; fail the example if it does not end in time."""
    def alarm(signum, frame):
        raise TookTooLong(f"{args[0]} took longer than {DEADLINE_SECONDS} s")

    timed = hasattr(signal, "SIGALRM")
    if timed:
        previous = signal.signal(signal.SIGALRM, alarm)
        signal.alarm(DEADLINE_SECONDS)
    try:
        return CliRunner().invoke(cli, args)
    except TookTooLong as exc:
        pytest.fail(str(exc))
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def _check(result, args) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output, result.output
    # openpyxl wrote the file, so it can be read: the catch-all for damaged files must not have fired.
    assert "cannot be opened as a workbook" not in result.output, result.output
    for line in result.stderr.splitlines():
        assert line.startswith(("error: ", "warning: ", "Error: ", "not valid: ", "No documents were written")), line


@pytest.fixture(scope="module")
def sample_master(tmp_path_factory):
    from readydocs.workbook import write_intake

    return write_intake(tmp_path_factory.mktemp("structure") / "sample.xlsx", FRAMEWORK, sample=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_any_structural_change_ends_in_0_1_or_2_without_a_traceback(sample_master, steps):
    wb = openpyxl.load_workbook(sample_master)
    for step in steps:
        _mutate(wb, step)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.xlsx"
        try:
            wb.save(path)
        except Exception:
            assume(False)  # openpyxl itself cannot write this workbook; nobody could hand it to readydocs
        before = path.read_bytes()
        validate = _run(["validate", str(path)])
        _check(validate, steps)
        score = _run(["score", "--json", str(path)])
        _check(score, steps)
        assert score.exit_code == validate.exit_code, (steps, validate.output, score.output)
        if validate.exit_code == 0:
            build = _run(["build", str(path), "-o", str(Path(tmp) / "out")])
            _check(build, steps)
            assert build.exit_code == 0, (steps, build.output)
        assert path.read_bytes() == before
