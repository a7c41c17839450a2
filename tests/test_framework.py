from __future__ import annotations

from pathlib import Path

import pytest

from readydocs.errors import FrameworkError
from readydocs.framework import load_framework

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "src" / "readydocs" / "data" / "mobility-readiness.toml"


def test_default_framework_has_the_nine_conditions(framework):
    assert framework.id == "mobility-readiness"
    assert framework.version == "1.0"
    assert [c.id for c in framework.conditions] == [
        "leadership", "partnerships", "capacity", "culture", "buy-in", "equity", "data", "engagement", "learning"]
    for c in framework.conditions:
        assert 2 <= len(c.indicators) <= 4, c.id
        assert 2 <= len(c.actions) <= 4, c.id
    assert [e.condition for e in framework.essentials] == ["leadership"]
    assert framework.scale.choices == ["1 - Not in place", "2 - Starting", "3 - Partly in place", "4 - Fully in place", "Don't know"]
    assert [b.min for b in framework.bands] == [75, 50, 0]


def _broken(tmp_path, old: str, new: str) -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "fw.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old, new, key", [
    ('id = "mobility-readiness"', 'ident = "x"', "'id' is missing"),
    ('{ value = 2, label = "Starting"', '{ value = "two", label = "Starting"', "'scale.levels[1].value' must be a whole number"),
    ('min = 50\n', 'min = 80\n', "'bands' must be listed from the highest minimum to the lowest"),
    ('min_band = "developing"', 'min_band = "amber"', "'levels[0].min_band' names band 'amber'"),
    ('condition = "leadership"\nmin_score = 50', 'condition = "leader"\nmin_score = 50', "'essentials[0].condition' names condition 'leader'"),
    ('{ id = "LRN-2", ', '{ id = "LRN-1", ', "'conditions[8].indicators[1].id' repeats indicator id 'LRN-1'"),
    ('max_unknown_share = 0.5', 'max_unknown_share = 1.5', "'insufficient.max_unknown_share' must be at least 0 and below 1"),
])
def test_malformed_framework_names_the_key(tmp_path, old, new, key):
    with pytest.raises(FrameworkError) as exc:
        load_framework(_broken(tmp_path, old, new))
    assert key in str(exc.value)
    assert str(tmp_path / "fw.toml") in str(exc.value)


def test_not_toml_is_a_clear_error(tmp_path):
    p = tmp_path / "fw.toml"
    p.write_text("id = [unclosed", encoding="utf-8")
    with pytest.raises(FrameworkError, match="not valid TOML"):
        load_framework(p)


def test_missing_framework_file(tmp_path):
    with pytest.raises(FrameworkError, match="framework file not found"):
        load_framework(tmp_path / "nope.toml")
