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


@pytest.mark.parametrize("old, new, key", [
    ("max_lowest_band = 2", "max_lowest_band = -1", "'levels[1].max_lowest_band' must be 0 or more"),
    ("max_insufficient = 1", 'max_insufficient = "one"', "'levels[1].max_insufficient' must be a whole number"),
    ('asks = { department_heads = "Tell us how many',
     'asks = { mayors = "Tell us how many', "'conditions[2].asks.mayors' names an audience readydocs does not address"),
    ('short = "Time to coordinate"', "short = 3", "'conditions[2].indicators[0].short' must be text"),
])
def test_new_framework_keys_are_checked_by_name(tmp_path, old, new, key):
    with pytest.raises(FrameworkError) as exc:
        load_framework(_broken(tmp_path, old, new))
    assert key in str(exc.value)


def test_level_rules_and_roles_are_read(framework):
    middle = framework.levels[1]
    assert (middle.id, middle.max_lowest_band, middle.max_insufficient) == ("strengthen", 2, 1)
    assert framework.levels[0].max_lowest_band is None  # not set: no limit
    asks = {c.id: sorted(dict(c.asks)) for c in framework.conditions if c.asks}
    assert asks == {"leadership": ["elected_officials"], "partnerships": ["elected_officials"],
                    "capacity": ["department_heads"], "buy-in": ["department_heads"], "data": ["department_heads"],
                    "engagement": ["elected_officials"]}
    assert all(i.short for i in framework.indicators)


def test_talking_points_follow_the_framework_roles_not_condition_ids(tmp_path, sample_xlsx):
    """Renamed condition ids still get their asks: the templates name no condition id."""
    import docx

    from readydocs.pipeline import build
    from readydocs.catalogue import DOCUMENTS
    from readydocs.render import default_templates_dir

    for filename, _ in DOCUMENTS:
        d = docx.Document(str(default_templates_dir() / filename))
        text = "\n".join(p.text for p in d.paragraphs)
        for cid in ("'buy-in'", "'capacity'", "'engagement'", '"buy-in"', '"capacity"', '"engagement"'):
            assert cid not in text, (filename, cid)
    renamed = _broken(tmp_path, 'id = "capacity"', 'id = "staff-capacity"')
    fw = load_framework(renamed)
    # The workbook records the framework's id and version, not its condition ids, so it still builds.
    result = build([sample_xlsx], tmp_path / "out", fw)
    assert result.assessment.valid
    tp = "\n".join(p.text for p in docx.Document(str(result.out_dir / "talking-points.docx")).paragraphs)
    assert "Tell us how many staff hours your department could give to working sessions each month." in tp
