"""Text from uploads is shown as text: a <script> client name never runs in a real browser."""

from pathlib import Path

import pytest

from tests.browser.conftest import map_frame, screenshot

pytestmark = pytest.mark.browser
HOSTILE = Path(__file__).resolve().parents[1] / "bad_inputs" / "html_and_script_names.csv"


def test_script_in_a_client_name_is_text_not_code(app_url, page):
    page.goto(f"{app_url}/fee-zones")
    page.get_by_text("My client list").click()
    page.locator("input[type=file]").first.set_input_files(str(HOSTILE))
    page.get_by_text("2 client(s) read, no problems found.").wait_for(timeout=60_000)
    frame = map_frame(page, min_paths=117, contains="Clients (2)")
    # Open the tooltip of every feature on the map and read it as the user would see it.
    tips = frame.evaluate("""() => { const texts = [];
        for (const name of Object.keys(window).filter(k => k.startsWith('geo_json_div_'))) {
            const group = window[name];
            if (!group || !group.eachLayer || !group.getTooltip || !group.getTooltip()) continue;
            group.eachLayer(child => {
                const at = child.getLatLng ? child.getLatLng() : child.getBounds().getCenter();
                child.fire('mouseover', {latlng: at}, true);  // as a pointer over the feature would
                const shown = group.getTooltip().getElement(); if (shown) texts.push(shown.innerText); });
        }
        return texts; }""")
    assert any("<script>window.__pwned=1</script>" in tip for tip in tips)
    assert any('<img src=x onerror="window.__pwned=2">' in tip for tip in tips)
    assert frame.locator(".leaflet-tooltip script, .leaflet-tooltip img").count() == 0
    assert frame.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => window.__pwned") is None
    screenshot(page, "fee_zones_hostile_names")
    assert page.requests.external() == []
