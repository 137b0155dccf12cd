"""The Care-home coverage page in a real browser: Rutland's tagged homes, the map, and the PDF report."""

import pytest

from tests.browser.conftest import map_frame, screenshot

pytestmark = pytest.mark.browser


def test_rutland_coverage_and_report(app_url, page):
    page.goto(f"{app_url}/coverage")
    page.get_by_text("No care homes loaded yet").wait_for(timeout=60_000)  # Herefordshire: nothing invented
    page.get_by_role("combobox", name="Council").first.click()
    page.get_by_role("option", name="Rutland").click()
    page.get_by_text("9 of them have no beds tag").wait_for(timeout=60_000)
    frame = map_frame(page, min_paths=26 + 9, contains="Care homes (9)")
    legend = frame.locator(".caremap-legend").first.inner_text()
    assert legend.startswith("E2SFCA access") and "care home (size: beds)" in legend
    assert "Care homes (9)" in frame.locator("body").inner_text()
    page.get_by_text("Gaps: low access, high projected demand").wait_for()
    page.get_by_role("button", name="Prepare the coverage report").click()
    page.get_by_text("Download PDF").wait_for(timeout=120_000)
    screenshot(page, "coverage_rutland")
    with page.expect_download() as download:
        page.get_by_text("Download PDF").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    assert page.requests.external() == []
