"""Bringing a council up to date from the app, in a real browser: the Evidence page lists each layer's date and
brings the council up to date from the stand-in publishers (loopback), and "Set up another council" lists the
national data's dates. The app runs in the stand-in world of the refresh tests (its pack: Rutland's rows; Rutland not
bundled, set up first from files downloaded by hand), so nothing leaves the machine."""

from __future__ import annotations

import os
import shutil

import pytest

from geo.settings import settings
from layers import setup
from tests.browser.conftest import SCREENSHOTS, screenshot, start_app
from tests.refresh.publishers import Publishers, build_rutland_pack, downloads_folder
from tests.refresh.standin import StandIn

pytestmark = pytest.mark.browser


@pytest.fixture
def world_app(tmp_path):
    """The stand-in publishers, a user's folder with Rutland set up from downloaded files, and an app pointed at
    both (by the environment variables of the settings)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    councils = tmp_path / "councils"
    councils.mkdir()
    for name in ("herefordshire.toml", "national.toml"):
        shutil.copy(settings.councils_folder / name, councils / name)
    data = build_rutland_pack(tmp_path / "pack")
    with StandIn() as server:
        publishers = Publishers(server)
        folders = {"home": tmp_path / "home", "data_folder": data, "councils_folder": councils}
        with settings.overridden(**folders, **publishers.settings()):
            downloads_folder(tmp_path / "Downloads", publishers)
            setup.bring_up_to_date("Rutland", from_folder=tmp_path / "Downloads")
        names = {"home": "CAREMAP_HOME", "data_folder": "CAREMAP_DATA_DIR", "councils_folder": "CAREMAP_COUNCILS_DIR"}
        variables = {names[key]: str(value) for key, value in folders.items()}
        variables |= {f"CAREMAP_{key.upper()}": value for key, value in publishers.settings().items()}
        saved = {key: os.environ.get(key) for key in variables}
        os.environ.update(variables)
        try:
            process, url = start_app()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        yield url, publishers
        process.terminate()
        process.wait(timeout=20)


def _shot_of(page, element, name: str) -> None:
    """The window scrolled to put an element at its top (Streamlit scrolls inside its main section, which a full-page
    shot misses)."""
    element.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_evidence_shows_each_layers_date_and_brings_the_council_up_to_date(world_app, page):
    url, publishers = world_app
    page.goto(f"{url}/evidence")
    page.get_by_role("combobox", name="Council").first.click()
    page.get_by_role("option", name="Rutland (national data)").click()
    page.get_by_role("heading", name="Data and their dates").first.wait_for(timeout=120_000)
    page.get_by_role("button", name="Bring Rutland up to date").wait_for(timeout=60_000)
    screenshot(page, "evidence_vintages_rutland")
    _shot_of(page, page.get_by_role("heading", name="Data and their dates").first, "evidence_vintages_rutland_dates")
    asked = len(publishers.server.log)
    page.get_by_role("button", name="Bring Rutland up to date").click()
    page.get_by_text("Rutland: set up again").wait_for(timeout=120_000)
    assert len(publishers.server.log) > asked  # the stand-in publishers were asked, nobody else
    page.get_by_text("population: refreshed — ONS small-area population estimates, mid-2020 (NM_2014_1").wait_for()
    _shot_of(page, page.get_by_role("heading", name="Data and their dates").first, "evidence_brought_up_to_date_rutland")

    page.get_by_test_id("stSidebarUserContent").get_by_text("Set up another council").click()
    page.get_by_text("The national data and their dates").wait_for(timeout=60_000)
    page.get_by_role("button", name="Bring the national data up to date").wait_for()
    screenshot(page, "setup_national_dates")
    assert page.requests.external() == []
