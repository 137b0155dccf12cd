"""A first-time user's path through every page of the default council, Herefordshire, with a screenshot of each
page (``artifacts/screenshots/walk_<council>_<n>_<page>.png``). Rutland on real roads is walked page by page in
``test_explore``, ``test_fee_zones_page``, ``test_rounds_page`` and ``test_coverage_page``; the two larger bundled
councils' maps are read in ``test_map_reading`` and their analyses tested without a browser."""

import pytest

from tests.browser.conftest import map_frame, map_text, screenshot

pytestmark = pytest.mark.browser


def _page(page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title if title != "Explore" else "Explore", exact=False).first.wait_for()


@pytest.mark.parametrize("council, lsoas, population, roads", [
    ("Herefordshire", 117, "193,615", "ESTIMATE"),
])
def test_walkthrough(app_url, page, tmp_path, council, lsoas, population, roads):
    slug = council.lower()
    page.goto(app_url)  # Herefordshire, the default council
    page.get_by_text(population).wait_for(timeout=60_000)
    map_frame(page, min_paths=lsoas, contains=roads)
    screenshot(page, f"walk_{slug}_1_explore")

    _page(page, "Rural fee zones")
    frame = map_frame(page, min_paths=lsoas, contains="Zone: straight line")
    assert roads in map_text(frame)
    page.get_by_text("Annual uplift cost").wait_for()
    screenshot(page, f"walk_{slug}_2_fee_zones")

    _page(page, "Round viability")
    page.get_by_role("spinbutton", name="Number of clients").fill("25")
    page.keyboard.press("Enter")
    page.get_by_role("spinbutton", name="Time limit a day (s)").fill("2")  # the page's shortest search
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Build rounds").click()
    page.get_by_text("Calls fitted").wait_for(timeout=120_000)
    map_frame(page, min_paths=3, contains="SYNTHETIC clients")
    page.get_by_text("Providers per PCN locality").wait_for()
    screenshot(page, f"walk_{slug}_3_rounds")

    _page(page, "Care-home coverage")  # CQC's homes shipped with the tool: nothing to load first
    page.get_by_text("The council's documents beside the homes loaded").wait_for(timeout=60_000)
    map_frame(page, min_paths=lsoas, contains="Care homes (")
    page.get_by_role("button", name="Prepare the coverage report").click()
    page.get_by_text("Download PDF").wait_for(timeout=120_000)
    screenshot(page, f"walk_{slug}_4_coverage")
    with page.expect_download() as download:
        page.get_by_text("Download PDF").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"

    _page(page, "Evidence")
    page.get_by_text("documented figures,").first.wait_for(timeout=60_000)
    screenshot(page, f"walk_{slug}_5_evidence")
    _page(page, "About")
    page.get_by_text("Attribution", exact=True).wait_for()
    screenshot(page, f"walk_{slug}_6_about")
    assert page.requests.external() == []
