"""Output folder names: always one safe, stable folder, whatever the municipality is called."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from readydocs.context import MAX_SLUG, slugify

SAFE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}

NAMES = [
    "../../etc", "..", ".", "/", "a/b", "a\\b", "C:\\Windows\\System32", "CON", "con", "Con.", "con ", "CON. ",
    "nul", "Aux", "COM1", "lpt9", "prn..", "x" * 300, "Town of " + "Long Name " * 40, "\U0001F600\U0001F6B2",
    "\U0001F6B2 ", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u062f\u064a\u0646\u0629", "\u6771\u4eac\u90fd", "",
    "   ", "\t\n", "City of Riverbend", "Citt\u00e0 di Roma", "Cafe\u0301", "\x00\x01name", "name\u202e\u0074\u0078\u0074",
    "-leading and trailing-", "a\u00a0b", "\u2024\u2024/\u2024\u2024", "~user", "$HOME", "%APPDATA%", "*?<>|:",
]


@pytest.mark.parametrize("name", NAMES, ids=[repr(n[:24]) for n in NAMES])
def test_slug_is_one_safe_folder_name(name, tmp_path):
    slug = slugify(name)
    assert SAFE.match(slug), slug
    assert 1 <= len(slug) <= MAX_SLUG
    assert slug not in WINDOWS_RESERVED and slug.split(".")[0] not in WINDOWS_RESERVED
    assert slug == slugify(name)
    folder = tmp_path / slug
    folder.mkdir()
    assert folder.resolve().parent == tmp_path.resolve()


@pytest.mark.parametrize("name,slug", [
    ("../../etc", "etc"), ("a/b", "a-b"), ("CON", "con-place"), ("con", "con-place"), ("Con.", "con-place"),
    ("CON. ", "con-place"), ("COM1", "com1-place"), ("City of Riverbend", "city-of-riverbend"),
    ("Citt\u00e0 di Roma", "citta-di-roma"), ("x" * 300, "x" * MAX_SLUG),
])
def test_readable_slugs(name, slug):
    assert slugify(name) == slug


def test_long_names_are_cut_without_a_trailing_hyphen():
    slug = slugify("Town of " + "Long Name " * 40)
    assert len(slug) <= MAX_SLUG and not slug.endswith("-")


def test_names_with_nothing_ascii_get_distinct_stable_slugs_across_processes():
    names = ["\U0001F600\U0001F6B2", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u062f\u064a\u0646\u0629", "\u6771\u4eac\u90fd"]
    here = [slugify(n) for n in names]
    assert len(set(here)) == len(names)
    assert all(s.startswith("place-") for s in here)
    code = "import json, sys; from readydocs.context import slugify; print(json.dumps([slugify(n) for n in json.load(sys.stdin)]))"
    import json

    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(names), capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert json.loads(out.stdout) == here
