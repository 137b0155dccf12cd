"""Four browser sessions at once, each with its own council or parameters: no cross-talk."""

import pytest

from analyses import fee_zones
from geo.council import load_council
from layers.council_data import load_council_data
from routing.engine import EstimateEngine
from tests.browser.conftest import RequestLog, choose_council, map_frame

pytestmark = pytest.mark.browser


def _outside(radius: float) -> int:
    data = load_council_data(load_council("herefordshire"))
    centres = fee_zones.zone_centres(data.places, data.council.fee_zone_centres)
    zones = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, EstimateEngine(), radius_miles=radius)
    return int((~zones["inside_straight"]).sum())


def _set_radius(tab, radius: float) -> None:
    field = tab.get_by_role("spinbutton", name="Radius (miles)")
    field.fill(str(radius))
    field.press("Enter")


def test_four_sessions_keep_their_own_results(app_url, browser):
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(4)]
    tabs = [context.new_page() for context in contexts]
    for tab in tabs:
        tab.requests = RequestLog()
        tab.on("request", lambda request, tab=tab: tab.requests.urls.append(request.url))
    explore_hereford, explore_rutland, zones_three, zones_six = tabs
    # Open all four before changing anything, so their reruns overlap on the server.
    explore_hereford.goto(app_url)
    explore_rutland.goto(app_url)
    zones_three.goto(f"{app_url}/fee-zones")
    zones_six.goto(f"{app_url}/fee-zones")
    choose_council(explore_rutland, "Rutland")
    # Change the radius once each page has finished its first run (a change during a run can be lost).
    map_frame(zones_three, min_paths=117, contains="Zone: straight line")
    map_frame(zones_six, min_paths=117, contains="Zone: straight line")
    _set_radius(zones_three, 3)
    _set_radius(zones_six, 6)

    three, six = _outside(3.0), _outside(6.0)
    assert three > six
    zones_three.get_by_text(f"{three:,} of 6,829").wait_for(timeout=60_000)
    zones_six.get_by_text(f"{six:,} of 6,829").wait_for(timeout=60_000)
    explore_rutland.get_by_text("40,476").wait_for(timeout=60_000)
    explore_hereford.get_by_text("193,615").wait_for(timeout=60_000)
    map_frame(explore_rutland, min_paths=26, contains="Rutland")
    # Nothing leaked between sessions: each still shows its own figures after the others changed.
    assert explore_hereford.get_by_text("40,476").count() == 0
    assert zones_three.get_by_text(f"{six:,} of 6,829").count() == 0
    assert zones_six.get_by_text(f"{three:,} of 6,829").count() == 0
    assert zones_three.get_by_role("spinbutton", name="Radius (miles)").input_value() == "3.00"
    for tab in tabs:
        assert tab.requests.external() == []
    for context in contexts:
        context.close()
