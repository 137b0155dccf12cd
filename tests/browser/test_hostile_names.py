"""Hostile names in a real browser (issue 21): a client list whose file name holds line breaks and formulas yields a
CSV export whose comment lines stay comments, and candidate sites named in matplotlib's notation ($…$) are drawn in
the coverage report."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import choose_council, screenshot

pytestmark = pytest.mark.browser
INJECTED = "clients\n=cmd|' -C calc'!A0,+1+2\r\n@SUM(1).csv"
CLIENTS = b"client_id,postcode,hours_per_week\nA1,HR4 9AB,10\nA2,HR2 0RG,7.5\n"
SITES = "name,postcode\n$\\frac{1}{0}$ House,LE15 6RP\nC:\\new\\$5 Hall,LE15 8AA\n"


def _finished(page) -> None:
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)


def test_a_file_name_with_line_breaks_gives_a_safe_csv(app_url, page):
    page.goto(f"{app_url}/fee-zones")
    page.get_by_text("My client list").click()
    page.locator("input[type=file]").first.set_input_files({"name": INJECTED, "mimeType": "text/csv",
                                                            "buffer": CLIENTS})
    page.get_by_text("2 client(s) read, no problems found.").wait_for(timeout=60_000)
    page.get_by_text("uploaded client list clients").first.wait_for(timeout=60_000)
    _finished(page)  # the download buttons of the run before the upload are gone
    page.get_by_text("Download CSV").scroll_into_view_if_needed()
    with page.expect_download() as download:
        page.get_by_text("Download CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    header = next(number for number, line in enumerate(lines) if not line.startswith("# "))
    assert lines[header].startswith("postcode,") and len(lines) == header + 1 + 6_829
    demand = next(line for line in lines[:header] if line.startswith("# Demand:"))
    # Chromium sends the line breaks of a file name percent-encoded (the server escapes any that arrive raw, as the
    # command-line tests show): either way the name stays on its comment line, its formula after a comma defused.
    assert demand in ("# Demand: uploaded client list clients%0A=cmd|' -C calc'!A0,'+1+2%0D%0A@SUM(1).csv",
                      "# Demand: uploaded client list clients\\n=cmd|' -C calc'!A0,'+1+2\\r\\n@SUM(1).csv")
    assert not any(line.lstrip("'").startswith(("=", "+", "@", "-")) for line in lines)
    screenshot(page, "fee_zones_hostile_file_name")
    assert page.requests.external() == []


def test_site_names_in_math_notation_draw_in_the_apps_report(app_url, page, tmp_path):
    page.goto(f"{app_url}/coverage")
    choose_council(page, "Rutland")
    page.get_by_text("12 in Rutland", exact=False).first.wait_for(timeout=60_000)  # Rutland's homes, not the last council's
    _finished(page)
    page.get_by_text("Candidate sites for new homes").click()
    page.locator("input[type=file]").last.set_input_files({"name": "sites.csv", "mimeType": "text/csv",
                                                           "buffer": SITES.encode()})
    page.get_by_text("2 candidate site(s) read", exact=False).wait_for(timeout=60_000)
    page.get_by_role("button", name=re.compile("Prepare the coverage report")).click()
    page.get_by_text("Download HTML").wait_for(timeout=120_000)
    _finished(page)
    assert page.locator("[data-testid=stException]").count() == 0
    with page.expect_download() as download:
        page.get_by_text("Download HTML").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "$\\frac{1}{0}$ House" in report and report.count("data:image/png") == 3
    screenshot(page, "coverage_rutland_hostile_site_names")
    assert page.requests.external() == []
