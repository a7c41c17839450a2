"""Output folder names: always one safe, stable folder, whatever the municipality is called."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from readydocs.places import MAX_SLUG, slugify
from readydocs.places import HASH_LENGTH

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
    ("Citt\u00e0 di Roma", "citta-di-roma"), ("Stra\u00dfe K\u00f6ln", "strasse-koln"), ("\u00c6r\u00f8", "aero"),
    ("\uff23\uff49\uff54\uff59 of Riverbend", "city-of-riverbend"),
])
def test_readable_slugs(name, slug):
    assert slugify(name) == slug


def test_long_names_are_cut_without_a_trailing_hyphen():
    slug = slugify("Town of " + "Long Name " * 40)
    assert len(slug) <= MAX_SLUG and not slug.endswith("-")


def test_names_cut_to_length_keep_a_hash_of_the_whole_name():
    a, b = "x" * 300, "x" * 301
    assert len(slugify(a)) == len(slugify(b)) == MAX_SLUG
    assert slugify(a).startswith("x" * (MAX_SLUG - HASH_LENGTH - 1) + "-")
    assert slugify(a) != slugify(b)
    long_a, long_b = "Town of " + "Long Name " * 40 + "East", "Town of " + "Long Name " * 40 + "West"
    assert slugify(long_a) != slugify(long_b)
    assert slugify("x" * MAX_SLUG) == "x" * MAX_SLUG  # a name that fits is not cut, so gets no hash


def test_names_that_lose_letters_stay_apart():
    tokyo, osaka = slugify("Ciudad \u6771\u4eac"), slugify("Ciudad \u5927\u962a")
    assert tokyo != osaka
    assert tokyo.startswith("ciudad-") and osaka.startswith("ciudad-")
    assert re.fullmatch(rf"ciudad-[0-9a-f]{{{HASH_LENGTH}}}", tokyo)
    # The hash is of the name as a place is compared: case and spacing do not move the folder.
    assert slugify("  CIUDAD   \u6771\u4eac ") == tokyo
    # Emoji are not letters: dropping them loses no part of the name.
    assert slugify("Riverbend \U0001F6B2") == "riverbend"


def test_names_with_nothing_ascii_get_distinct_stable_slugs_across_processes():
    names = ["\U0001F600\U0001F6B2", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u062f\u064a\u0646\u0629", "\u6771\u4eac\u90fd"]
    here = [slugify(n) for n in names]
    assert len(set(here)) == len(names)
    assert all(s.startswith("place-") for s in here)
    code = "import json, sys; from readydocs.places import slugify; print(json.dumps([slugify(n) for n in json.load(sys.stdin)]))"
    import json

    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(names), capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert json.loads(out.stdout) == here
