"""Setting a council up from the app, in a real browser: search the 153, set it up, and use it on every page."""

import os

import pytest

from tests.browser.conftest import SCREENSHOTS, map_frame, screenshot, start_app

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_app(tmp_path):
    """An app of its own with an empty user's folder, so the council set up here stays out of the other tests."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # and artifacts/, where the app's log goes
    saved = os.environ.get("CAREMAP_HOME")
    os.environ["CAREMAP_HOME"] = str(tmp_path)
    try:
        process, url = start_app()
    finally:
        os.environ["CAREMAP_HOME"] = saved or ""
        if saved is None:
            del os.environ["CAREMAP_HOME"]
    yield url, tmp_path
    process.terminate()
    process.wait(timeout=20)


def _open(page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title.split()[0]).first.wait_for(timeout=120_000)


def test_a_council_set_up_from_the_app_opens_on_every_page(fresh_app, page):
    url, home = fresh_app
    page.goto(url)
    map_frame(page, min_paths=117)
    page.get_by_text("Set up another council").click()
    page.get_by_role("combobox", name="Any English social-care council").click()
    page.keyboard.type("Shrop")
    page.get_by_role("option", name="Shropshire (unitary authority, E06000051)").click()
    page.get_by_role("button", name="Set up this council").click()
    page.get_by_role("heading", name="Explore Shropshire").wait_for(timeout=180_000)
    assert (home / "councils" / "shropshire.toml").is_file()
    frame = map_frame(page, min_paths=190, contains="ESTIMATE")
    assert "LSOA 2021" in frame.locator(".caremap-legend").first.inner_text()
    page.get_by_text("no hospital list is held").wait_for()
    screenshot(page, "explore_shropshire")

    _open(page, "Rural fee zones")
    map_frame(page, min_paths=190)
    page.get_by_text("Herefordshire's four-mile rule", exact=False).first.wait_for(timeout=120_000)
    screenshot(page, "fee_zones_shropshire")

    _open(page, "Care-home coverage")
    map_frame(page, min_paths=190, timeout_s=240)
    screenshot(page, "coverage_shropshire")
    page.get_by_text("(shipped with the tool)").first.wait_for(timeout=120_000)
    page.get_by_text("Key findings").wait_for(timeout=120_000)

    _open(page, "Evidence")
    page.get_by_text("no council document held").first.wait_for(timeout=60_000)
    screenshot(page, "evidence_shropshire")
    assert page.requests.external() == []
