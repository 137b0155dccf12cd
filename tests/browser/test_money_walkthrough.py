"""Money in a real browser: a provider uploads 80 clients in North & West Herefordshire, plans a week, changes pay
and waiting pay (the plan is kept, only money changes), and downloads the workbook; a commissioner reads the uplift
on the base fee and the road reading's estimated band. Screenshots: ``artifacts/screenshots/money_*.png``."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import downloaded_workbook, map_frame, screenshot

pytestmark = pytest.mark.browser
CLIENTS = Path(__file__).resolve().parents[1] / "fixtures" / "north_west_80_clients.csv"


def _verdict(page) -> tuple[int, int, str]:
    text = page.locator("p", has_text="Verdict:").first.inner_text()
    viable, rounds = map(int, re.search(r"(\d+) of (\d+) rounds are viable", text).groups())
    margin = page.locator("[data-testid=stMetric]", has_text="Margin a week").first.inner_text().splitlines()[-1]
    return viable, rounds, margin


def test_a_providers_week_at_the_legal_minimum(app_url, page):
    page.goto(f"{app_url}/rounds")
    page.get_by_text("My client list").click()
    page.locator("input[type=file]").first.set_input_files(str(CLIENTS))
    page.get_by_text("Windows planned with a 2-hour gap").wait_for(timeout=60_000)
    page.get_by_text("current fee (+8.7%, April 2023)").click()
    page.get_by_text("Legal minimum: £10.42 (National Living Wage from April 2023, the fee's year).").wait_for()
    assert page.get_by_role("spinbutton", name="Carer pay (£/h)").input_value() == "10.42"
    page.get_by_role("spinbutton", name="Time limit a day (s)").fill("2")  # the shortest search the page allows
    page.keyboard.press("Enter")
    page.get_by_text("net of the uplift from the £19.45 average").first.wait_for()
    page.get_by_role("button", name="Build rounds").click()
    page.get_by_text("Calls fitted").wait_for(timeout=240_000)
    map_frame(page, min_paths=3, contains="Clients (80)")
    page.get_by_text("The market you enter").wait_for()
    page.get_by_text("Golden Valley, the south and the west").first.wait_for()
    viable, rounds, margin = _verdict(page)
    pay_line = page.locator("p", has_text="Pay:").first.inner_text()
    assert "£10.42 an hour (National Living Wage from April 2023)" in pay_line
    screenshot(page, "money_1_week_at_the_minimum")

    # Pay typed below the legal minimum: used, flagged beside the box and in the verdict, the same plan re-judged.
    pay = page.get_by_role("spinbutton", name="Carer pay (£/h)")
    pay.fill("8.92")
    page.keyboard.press("Enter")
    page.get_by_text("Below the legal minimum, £10.42 from April 2023").wait_for()
    page.get_by_text("Pay £8.92 an hour is below the legal minimum for the fee's year").wait_for()
    assert page.get_by_text("Press the button").count() == 0  # the plan is kept
    low_viable, low_rounds, low_margin = _verdict(page)
    assert low_rounds == rounds and low_viable >= viable and low_margin != margin
    screenshot(page, "money_2_pay_below_the_minimum")

    # Paying waiting time keeps the plan too (it used to throw it away).
    page.get_by_text("Pay waiting time", exact=True).click()
    page.get_by_text("paid, as set under the assumptions").wait_for()
    assert page.get_by_text("Press the button").count() == 0
    assert _verdict(page)[1] == rounds
    page.get_by_role("tab", name="Visits").click()
    page.get_by_text("waits for the window to open").wait_for()
    screenshot(page, "money_3_waiting_paid")

    workbook, about = downloaded_workbook(page)
    assert {"rounds", "visits", "merged", "market", "assumptions"} <= set(workbook)
    assert about["WARNING"].startswith("Pay £8.92 an hour is below the legal minimum")
    assert about["Pay"] == ("£8.92 an hour; legal minimum £10.42 (National Living Wage from April 2023, the fee's "
                            "year)")
    assumptions = dict(zip(workbook["assumptions"]["Assumption"], workbook["assumptions"]["Value"]))
    assert assumptions["Paid time"] == "contact, travel and waiting between calls"
    fee = assumptions["Fee per contact hour"]
    assert fee.startswith("current fee (+8.7%, April 2023): £19.95") and "the average £19.45" in fee and \
        "÷ (1 + 20% × 29.9%)" in fee  # the base net of the uplift, raised 8.7%
    visits = workbook["visits"]
    columns = list(visits.columns)
    assert columns.index("Arrive (after the drive)") < columns.index("Wait for the window (minutes)") < \
        columns.index("Start of the visit")
    assert "33 providers" in workbook["market"]["Value"].tolist()
    assert page.requests.external() == []


def test_the_uplift_on_the_base_fee_and_the_road_band(app_url, page):
    page.goto(f"{app_url}/fee-zones")
    map_frame(page, min_paths=117)
    page.get_by_text("solved from the council's average").wait_for()
    page.get_by_text("Annual uplift cost").first.wait_for()
    assert page.get_by_role("spinbutton", name="Base fee (£/hour)").input_value() == "18.35"
    page.get_by_text("3,238–3,624", exact=True).wait_for()  # postcodes outside by road: the estimate's band
    page.get_by_text("£564,511").first.wait_for()  # the uplift on the base, not £598,239 on the average
    page.get_by_text("the uplift counted twice").wait_for()
    page.locator("[data-testid=stRadio]", has_text="Costed on").get_by_text("road distance").click()
    page.get_by_text("Annual uplift cost (ESTIMATE)").wait_for()
    page.get_by_text("estimated band").first.wait_for()
    page.get_by_text("python -m caremap roads --council herefordshire").first.wait_for()
    frame = map_frame(page, min_paths=117, contains="ESTIMATE band")
    assert "road zone's edge lies here" in frame.locator(".caremap-legend").first.inner_text()
    screenshot(page, "money_4_fee_zones_road_band")
    assert page.requests.external() == []
