"""The Round viability page in a real browser: Rutland's real roads, rounds drawn, table and verdicts."""

import pytest

from tests.browser.conftest import map_frame, map_text, screenshot

pytestmark = pytest.mark.browser


def test_rutland_rounds_on_real_roads(app_url, page):
    page.goto(f"{app_url}/rounds")
    page.get_by_role("combobox", name="Council").first.click()
    page.get_by_role("option", name="Rutland").click()
    page.get_by_text("Roads ready").wait_for(timeout=60_000)
    page.get_by_role("spinbutton", name="Number of clients").fill("30")  # a small synthetic day keeps the test quick
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Build rounds").wait_for()
    page.get_by_role("button", name="Build rounds").click()
    page.get_by_text("Calls fitted").wait_for(timeout=90_000)
    frame = map_frame(page, min_paths=5, contains="SYNTHETIC clients")
    body = map_text(frame)
    assert "OpenStreetMap extract of Rutland" in body and "SYNTHETIC clients" in body
    assert "ESTIMATE" not in body  # real roads: paths follow the road network
    page.get_by_text("Providers per PCN locality").wait_for()
    screenshot(page, "rounds_rutland")
    assert page.requests.external() == []
