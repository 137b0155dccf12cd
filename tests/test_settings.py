"""The settings object: read when used, overridable for a block, and the council registry it points to."""

from __future__ import annotations

import shutil

import pytest

from geo.council import list_councils, load_council
from geo.errors import UnknownCouncilError
from geo.settings import PROJECT_ROOT, Settings, settings
from layers.social_care import council_by_name


def test_settings_are_read_when_used_from_the_environment(monkeypatch, tmp_path):
    fresh = Settings()
    monkeypatch.setenv("CAREMAP_HOME", str(tmp_path / "home"))
    assert fresh.home == tmp_path / "home"
    assert fresh.cache_folder == tmp_path / "home" / "cache"
    monkeypatch.setenv("CAREMAP_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert fresh.cache_folder == tmp_path / "elsewhere"
    assert fresh.data_folder == PROJECT_ROOT / "data"


def test_a_value_set_in_code_wins_and_overridden_puts_it_back(tmp_path):
    fresh = Settings()
    before = fresh.requests_timeout
    with fresh.overridden(requests_timeout=600, home=tmp_path):
        assert fresh.requests_timeout == 600.0 and fresh.home == tmp_path
    assert fresh.requests_timeout == before and fresh.home != tmp_path
    with pytest.raises(AttributeError, match="No setting named timeout_s"):
        with fresh.overridden(timeout_s=1):
            pass


def test_a_council_in_the_users_folder_is_listed_and_found_by_name_code_or_slug(monkeypatch, tmp_path):
    councils = tmp_path / "councils"
    councils.mkdir()
    text = (settings.councils_folder / "rutland.toml").read_text(encoding="utf-8")
    text = text.replace('slug = "rutland"', 'slug = "rutland-copy"').replace('gss_code = "E06000017"', 'gss_code = "E06999999"')
    text = text.replace('name = "Rutland"', 'name = "Rutland, County of (copy)"')
    (councils / "rutland-copy.toml").write_text(text, encoding="utf-8")
    shutil.copytree(settings.data_folder / "boundaries" / "rutland", tmp_path / "data" / "boundaries" / "rutland-copy")
    monkeypatch.setenv("CAREMAP_HOME", str(tmp_path))
    assert "rutland-copy" in [council.slug for council in list_councils()]
    for name in ("rutland-copy", "E06999999", "rutland county of (COPY)", "Rutland, County of (copy)"):
        council = load_council(name)
        assert council.slug == "rutland-copy" and not council.bundled and not council.is_default
    assert council.data_dir == tmp_path / "data"
    assert load_council("rutland").bundled and load_council("rutland").data_dir == settings.data_folder
    monkeypatch.delenv("CAREMAP_HOME")
    with pytest.raises(UnknownCouncilError, match="python -m caremap setup --council NAME"):
        load_council("rutland-copy")
    with pytest.raises(UnknownCouncilError, match="not one of England's 153 social-care councils. Closest names: Rutland"):
        council_by_name("rutland-copy")
