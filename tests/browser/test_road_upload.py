"""Uploading a road network in the sidebar: progress, then a warning when it does not cover the council."""

import pytest

from geo.settings import settings
from tests.browser.conftest import map_frame

pytestmark = pytest.mark.browser


def test_uploaded_network_for_another_area_is_flagged(app_url, page):
    page.goto(app_url)
    page.get_by_role("combobox", name="Road network").click()
    page.get_by_role("option", name="My own file").click()
    page.locator("section[data-testid=stSidebar] input[type=file]").set_input_files(
        str(settings.data_folder / "osm" / "rutland-latest.osm.pbf"))
    page.get_by_text("Roads ready").wait_for(timeout=120_000)
    page.get_by_text("Only 0% of Herefordshire's postcodes are within 1 km of a road").wait_for(timeout=30_000)
    frame = map_frame(page, min_paths=117, contains="Travel times: Road network: OpenStreetMap, rutland-latest.osm.pbf")
    # Herefordshire's localities stay straight-line: Rutland's roads cannot join its LSOAs to practices.
    page.get_by_text("nearest member practice by straight line").wait_for()
    assert frame is not None
    assert page.requests.external() == []
