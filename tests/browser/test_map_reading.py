"""Maps a commissioner can read: names on the map, tooltips under the locality outlines, nothing over the county."""

import pytest

from tests.browser.conftest import choose_council, map_frame, screenshot

pytestmark = pytest.mark.browser

CONTROLS = [".caremap-legend", ".caremap-banner", ".leaflet-control-layers", ".leaflet-control-zoom",
            ".leaflet-control-scale"]


def _box(locator) -> dict:
    return locator.evaluate("element => { const r = element.getBoundingClientRect(); "
                            "return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }")


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("council, lsoas, town", [("Herefordshire", 117, "Leominster"), ("Hertfordshire", 713, "Stevenage"),
                                                  ("Worcestershire", 374, "Kidderminster"), ("Rutland", 26, "Oakham")])
def test_controls_never_cover_the_county_and_places_are_named(app_url, page, council, lsoas, town):
    page.goto(app_url)
    if council != "Herefordshire":
        choose_council(page, council)
    frame = map_frame(page, min_paths=lsoas, contains=town)
    frame.locator(".leaflet-container[data-caremap-fitted='1']").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    county = _box(frame.locator("path.caremap-outline").first)
    assert county["right"] - county["left"] > 250  # the county fills a good part of the map
    for selector in CONTROLS:
        control = _box(frame.locator(selector).first)
        assert not _overlap(county, control), f"{selector} covers part of {council}: {control} over {county}"
    towns = frame.locator(".caremap-label-town, .caremap-label-city")
    assert towns.count() >= 2 and frame.locator(".caremap-label-locality").count() >= 1
    shown = [text for text in towns.all_inner_texts() if text]
    assert shown, "no town is named on the map"
    screenshot(page, f"map_reading_{council.lower()}")
    assert page.requests.external() == []


def test_hover_on_an_area_shows_its_name_value_and_locality_with_localities_on(app_url, page):
    page.goto(app_url)
    frame = map_frame(page, min_paths=117)
    frame.locator(".leaflet-container[data-caremap-fitted='1']").wait_for(timeout=30_000)
    # The localities layer is on (drawn above the areas); hover the middle of the biggest area.
    areas = frame.locator("path.leaflet-interactive")
    boxes = [(index, _box(areas.nth(index))) for index in range(min(areas.count(), 117))]
    index, box = max(boxes, key=lambda item: (item[1]["right"] - item[1]["left"]) * (item[1]["bottom"] - item[1]["top"]))
    areas.nth(index).hover(position={"x": (box["right"] - box["left"]) / 2, "y": (box["bottom"] - box["top"]) / 2},
                           force=True)
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=10_000)
    text = tooltip.inner_text()
    assert "% aged 65+" in text and "PCN locality" in text and "ward" in text and "(E0" in text
