"""The Care-home coverage page in a real browser: Herefordshire before any upload (CQC's shipped homes, the
documents beside them) and after a partial file (the headline marked partial), Rutland's map, the PDF and HTML
reports (the HTML report opened on its own, offline, with its map and town markers drawn whole, and every PDF page
drawn as an image to look at), and a download that follows the year shown."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, choose_council, map_frame, map_text, screenshot

pytestmark = pytest.mark.browser


def _pages_as_images(path: str, name: str) -> None:
    """Every page of a PDF as a PNG in the screenshots folder (``<name>-<page>.png``), to look at."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", path, str(SCREENSHOTS / name)], check=True)


def _pdf_text(path: str) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return " ".join(subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout.split())


def test_herefordshire_before_any_upload_and_after_a_partial_one(app_url, page, tmp_path):
    import pandas as pd

    page.goto(f"{app_url}/coverage")
    page.get_by_text("The council's documents beside the homes loaded").wait_for(timeout=120_000)
    page.get_by_text("88 in Herefordshire and 160 within 15 km beyond its border").first.wait_for()
    frame = map_frame(page, min_paths=117 + 248, contains="Care homes (248")
    assert "Care homes (248; 160 pale: outside the council)" in map_text(frame)
    page.get_by_text("Key findings").wait_for()
    screenshot(page, "coverage_herefordshire")

    root = Path(__file__).resolve().parents[2]
    cut = pd.read_csv(root / "data/tables/herefordshire/cqc_care_homes.csv", dtype=str, keep_default_na=False)
    partial = cut[cut["inside_council"] == "True"].head(29).copy()
    partial.loc[partial.index[0], "Care homes beds"] = ""  # no bed count: the council's 24 assumed
    agencies = partial.iloc[:2].assign(**{"Care home?": "N", "Location ID": ["1-x1", "1-x2"]})
    path = tmp_path / "partial_care_homes.csv"
    pd.concat([partial, agencies]).to_csv(path, index=False)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("29 care home(s) read; 2 row(s) left out: 2 not a care home.").wait_for(timeout=120_000)
    page.get_by_text("Shortfall (+) / spare (−), PARTIAL FILE").wait_for(timeout=120_000)
    page.get_by_text("against the 2,113 beds the council documents").first.wait_for()
    map_frame(page, min_paths=117 + 29, contains="Care homes (29)")
    assert page.get_by_text("no problems found").count() == 0
    screenshot(page, "coverage_herefordshire_partial")
    assert page.requests.external() == []


def test_rutland_coverage_and_report(app_url, page, tmp_path):
    page.goto(f"{app_url}/coverage")
    choose_council(page, "Rutland")
    page.get_by_text("12 in Rutland and 99 within 15 km beyond its border").first.wait_for(timeout=60_000)
    frame = map_frame(page, min_paths=26 + 111, contains="Care homes (111")
    legend = frame.locator(".caremap-legend").first.inner_text()
    assert legend.startswith("E2SFCA access") and "care home (size: beds)" in legend
    assert "care home with nursing" in legend
    page.get_by_text("Gaps: low access, high projected demand").wait_for()
    page.get_by_text("Need and supply by year").wait_for()
    page.get_by_label("Author (on the report)").fill("A. Planner")
    page.get_by_label("Organisation").fill("Rutland County Council")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Prepare the coverage report for 2028").click()
    page.get_by_text("Download PDF").wait_for(timeout=120_000)
    screenshot(page, "coverage_rutland")
    with page.expect_download() as download:
        page.get_by_text("Download PDF").click()
    pdf = download.value.path()
    assert open(pdf, "rb").read(5) == b"%PDF-" and "scenario 2028 · Draft" in _pdf_text(str(pdf))
    assert "A. Planner" in _pdf_text(str(pdf)) and "Rutland County Council" in _pdf_text(str(pdf))
    _pages_as_images(str(pdf), "coverage_report_rutland")
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
    page.get_by_text("Download PDF").wait_for(state="detached", timeout=60_000)  # gone once the page has rerun
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
    # Each town marker is drawn whole: its label starts beyond the marker's right edge, and it sits above the areas.
    for label, marker in zip(tab.locator(".town-label").all(), tab.locator(".leaflet-towns-pane path").all()):
        assert label.bounding_box()["x"] >= marker.bounding_box()["x"] + marker.bounding_box()["width"]
    tab.locator("#caremap-map").screenshot(path=str(SCREENSHOTS / "coverage_report_html_map.png"))
    context.close()
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == [] and errors == []
