"""The Care-home coverage page in a real browser: Rutland's tagged homes, the map, the PDF and HTML reports (the
HTML report opened on its own, offline, with its map drawn), and a download that follows the year shown."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import map_frame, map_text, screenshot

pytestmark = pytest.mark.browser


def _pdf_text(path: str) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return " ".join(subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout.split())


def test_rutland_coverage_and_report(app_url, page, tmp_path):
    page.goto(f"{app_url}/coverage")
    page.get_by_text("No care homes loaded yet").wait_for(timeout=60_000)  # Herefordshire: nothing invented
    page.get_by_role("combobox", name="Council").first.click()
    page.get_by_role("option", name="Rutland").click()
    page.get_by_text("9 of them have no beds tag").wait_for(timeout=60_000)
    frame = map_frame(page, min_paths=26 + 9, contains="Care homes (9)")
    legend = frame.locator(".caremap-legend").first.inner_text()
    assert legend.startswith("E2SFCA access") and "care home (size: beds)" in legend
    assert "Care homes (9)" in map_text(frame)
    page.get_by_text("Gaps: low access, high projected demand").wait_for()
    page.get_by_text("Need and supply by year").wait_for()
    page.get_by_role("button", name="Prepare the coverage report for 2028").click()
    page.get_by_text("Download PDF").wait_for(timeout=120_000)
    screenshot(page, "coverage_rutland")
    with page.expect_download() as download:
        page.get_by_text("Download PDF").click()
    pdf = download.value.path()
    assert open(pdf, "rb").read(5) == b"%PDF-" and "scenario 2028" in _pdf_text(str(pdf))
    with page.expect_download() as download:
        page.get_by_text("Download HTML").click()
    html_report = tmp_path / "report.html"
    html_report.write_bytes(Path(download.value.path()).read_bytes())
    assert page.requests.external() == []

    # A new year: the 2028 report is withdrawn until the report is prepared again for 2038.
    slider = page.locator("[data-testid=stSlider]").filter(has_text="Scenario year").get_by_role("slider")
    slider.focus()
    for _ in range(3):  # 2028 → 2033 → 2038 (the last stop)
        page.keyboard.press("ArrowRight")
    page.get_by_text("settings changed since the last report").wait_for(timeout=60_000)
    assert page.get_by_text("Download PDF").count() == 0
    page.get_by_role("button", name="Prepare the coverage report for 2038").click()
    page.get_by_text("Download PDF").wait_for(timeout=120_000)
    with page.expect_download() as download:
        page.get_by_text("Download PDF").click()
    assert "scenario 2038" in _pdf_text(str(download.value.path()))
    assert page.requests.external() == []


def test_the_html_report_works_offline_on_its_own(browser, tmp_path):
    import caremap

    data = caremap.load_data("rutland")
    engine = caremap.travel_engine(data.council, "estimate")
    path = caremap.write_report(data, caremap.care_homes(data), engine, tmp_path / "rutland.html", site_minutes=8)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    requests, errors = [], []
    tab.on("request", lambda request: requests.append(request.url))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(path.resolve().as_uri())
    tab.wait_for_selector("#caremap-map path.leaflet-interactive", timeout=20_000)
    assert tab.locator("#caremap-map path.leaflet-interactive").count() >= 26  # every LSOA drawn
    assert tab.locator(".town-label").all_inner_texts() == ["Oakham", "Uppingham"]
    assert "beds per 1,000 aged 65+" in tab.locator(".map-legend").inner_text()
    tab.locator("#caremap-map").screenshot(path=str(tmp_path / "map.png"))
    context.close()
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == [] and errors == []
