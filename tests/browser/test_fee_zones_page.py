"""The Rural fee zones page in a real browser: map, figures, and the XLSX export."""

import pytest

from tests.browser.conftest import downloaded_workbook, map_frame, screenshot

pytestmark = pytest.mark.browser


def test_fee_zone_page_shows_both_readings_and_exports(app_url, page):
    page.goto(f"{app_url}/fee-zones")
    frame = map_frame(page, min_paths=117)
    legend = frame.locator(".caremap-legend").first.inner_text()
    assert "% of 65+ outside (straight line)" in legend and "Inside straight, outside by road" in legend
    page.get_by_text("2,626 of 6,829").wait_for()  # outside by straight line, Herefordshire
    page.get_by_text("Road figures are estimates").wait_for()
    page.get_by_text("Download XLSX").scroll_into_view_if_needed()
    screenshot(page, "fee_zones_herefordshire")
    workbook, about = downloaded_workbook(page)
    assert {"About", "postcodes", "PCN locality", "radius what-if", "banded schemes"} <= set(workbook)
    assert about["Demand"].startswith("SYNTHETIC") and about["Radius"].startswith("4 miles")
    assert len(workbook["postcodes"]) == 6_829
    assert {"Area", "Inside the zone (by road)", "Road distance to nearest centre (miles)"} <= set(workbook["postcodes"])
    assert page.requests.external() == []
