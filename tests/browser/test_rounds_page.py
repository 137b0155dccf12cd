"""The Round viability page in a real browser: a week on Rutland's real roads, rounds drawn, the verdict read."""

import re

import pytest

from tests.browser.conftest import choose_council, map_frame, map_text, screenshot

pytestmark = pytest.mark.browser


def test_a_week_of_rutland_rounds_on_real_roads(app_url, page):
    page.goto(f"{app_url}/rounds")
    choose_council(page, "Rutland")
    page.get_by_text("Roads ready").wait_for(timeout=60_000)
    page.get_by_role("spinbutton", name="Number of clients").fill("12")  # a small synthetic week keeps the test quick
    page.keyboard.press("Enter")
    page.get_by_text("Windows planned with a 2-hour gap").wait_for()
    page.get_by_text("Oakham: ").first.wait_for(timeout=60_000)  # the suggested bases and their share of calls
    page.get_by_role("button", name="Build rounds").wait_for()
    page.get_by_role("button", name="Build rounds").click()
    page.get_by_text("Calls fitted").wait_for(timeout=120_000)
    verdict = page.locator("p", has_text="Verdict:").inner_text()
    match = re.search(r"(\d+) of (\d+) rounds are viable with the 20% rural uplift outside the fee zone; (\d+) would be",
                      verdict)
    assert match, verdict
    viable, rounds, flat = map(int, match.groups())
    assert 0 < rounds and flat <= viable <= rounds  # the uplift never makes a round less viable
    frame = map_frame(page, min_paths=3, contains="SYNTHETIC clients")
    body = map_text(frame)
    assert "OpenStreetMap extract of Rutland" in body and "Rounds on Monday" in body
    assert "ESTIMATE" not in body  # real roads: paths follow the road network
    page.get_by_role("tab", name="Carers").click()
    page.get_by_text("carers have a round this week").wait_for()
    page.get_by_text("Providers per PCN locality").wait_for()
    screenshot(page, "rounds_rutland_week")
    assert page.requests.external() == []
