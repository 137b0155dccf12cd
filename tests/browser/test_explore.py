"""The Explore page in a real browser, fully offline."""

import pytest

from tests.browser.conftest import choose_council, map_frame, screenshot

pytestmark = pytest.mark.browser


def test_explore_map_draws_lsoa_polygons_offline(app_url, page):
    page.goto(app_url)
    frame = map_frame(page, min_paths=117)
    # 117 LSOA polygons + 4 locality outlines (Hereford City PCNs merged); points are circle paths too.
    paths = frame.locator("g path.leaflet-interactive").count()
    assert paths >= 117 + 4
    assert frame.locator(".caremap-legend").first.inner_text().startswith("% aged 65+ (LSOA 2021)")
    # Herefordshire has no road network offline: the map says its travel times are estimates.
    assert frame.locator(".caremap-banner").inner_text().startswith("Travel times: ESTIMATE")
    page.get_by_text("193,615").wait_for()
    screenshot(page, "explore_herefordshire")
    assert page.requests.external() == []


def test_switching_council_redraws_the_map(app_url, page):
    page.goto(app_url)
    map_frame(page, min_paths=117)
    choose_council(page, "Rutland")
    page.get_by_text("40,476").wait_for(timeout=30_000)
    page.get_by_text("Roads ready").wait_for(timeout=60_000)
    frame = map_frame(page, min_paths=26, contains="OpenStreetMap extract of Rutland")
    assert frame.locator(".caremap-legend").first.is_visible()
    screenshot(page, "explore_rutland")
    assert page.requests.external() == []
