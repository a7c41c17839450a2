"""Fixtures and collection hooks shared by the tests (helpers live in the package: readydocs.workbook)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from readydocs.framework import load_framework
from readydocs.workbook import write_intake

# In CI the property tests run a fixed, repeatable set of examples (still the
# full count), so a submission is judged on the same inputs every time; on a
# developer's machine they explore new examples on each run.
if os.environ.get("CI"):
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")


# `make test-fast` leaves out the slow tests: property tests (hypothesis) and
# tests that need an outside program (LibreOffice, pdftotext, a browser), which
# say so in their skip condition. They are marked here, not test by test, so a
# new test of either kind is slow without anyone remembering to say it.
_OUTSIDE_PROGRAMS = ("libreoffice", "soffice", "pdftotext", "pdftoppm", "chromium", "browser")


def pytest_collection_modifyitems(items):
    for item in items:
        reasons = " ".join(str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif")).lower()
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) or any(p in reasons for p in _OUTSIDE_PROGRAMS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def framework():
    return load_framework()


@pytest.fixture(scope="session")
def _sample_master(tmp_path_factory, framework) -> Path:
    return write_intake(tmp_path_factory.mktemp("master") / "sample.xlsx", framework, sample=True)


@pytest.fixture
def sample_xlsx(tmp_path, _sample_master) -> Path:
    """A fresh copy of the sample workbook, free to modify."""
    target = tmp_path / "sample.xlsx"
    shutil.copyfile(_sample_master, target)
    return target


@pytest.fixture
def blank_xlsx(tmp_path, framework) -> Path:
    return write_intake(tmp_path / "blank.xlsx", framework)

