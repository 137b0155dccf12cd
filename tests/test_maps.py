"""The map builders: offline assets only, escaped tooltips, sensible zoom and classes."""

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from app_pages.explore import build_explore_map
from layers.sublocalities import sublocality_layer
from ui import maps


def test_explore_map_loads_nothing_from_the_internet(herefordshire):
    fmap = build_explore_map(herefordshire, sublocality_layer(herefordshire, "lsoa21_code"), level="lsoa21_code",
                             measure="pct_65plus", merged=True, tiles=False)
    assert maps.external_urls(fmap) == []
    html = fmap.get_root().render()
    assets = re.findall(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)"', html)
    assert assets and all(url.startswith("/app/static/leaflet/") for url in assets)
    assert "tile.openstreetmap" not in html


def test_tiles_are_only_added_on_request(herefordshire):
    fmap = build_explore_map(herefordshire, sublocality_layer(herefordshire, "msoa21_code"), level="msoa21_code",
                             measure="ruc", merged=True, tiles=True)
    assert "tile.openstreetmap.org" in fmap.get_root().render()


def test_tooltips_escape_html_and_script():
    tip = maps.tooltip_html("<script>alert(1)</script>", [("name", "<img src=x onerror=alert(2)>"), ("a", "`${x}`")])
    assert "<script>" not in tip and "<img" not in tip and "`" not in tip and "${" not in tip
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tip


def test_point_layer_carries_escaped_text_only():
    frame = gpd.GeoDataFrame({"name": ["</script><b>x"]}, geometry=[Point(350000, 240000)], crs=27700)
    fmap = maps.new_map(frame.buffer(1000))
    maps.add_points(fmap, frame, "Test", [maps.tooltip_html(frame["name"][0], [])])
    html = fmap.get_root().render()
    assert "</script><b>x" not in html


def test_zoom_fits_herefordshire_in_the_map():
    # Herefordshire spans about 0.57 degrees of latitude: at zoom 9.75 that is ~570 px, under 600.
    assert maps.zoom_to_fit(51.83, -3.14, 52.40, -2.34, height=600) == 9.75


def test_quantile_classes_cover_all_values_light_to_dark():
    values = pd.Series(np.arange(100, dtype=float))
    edges = maps.quantile_bins(values)
    colours = maps.classify(values, edges)
    assert colours[0] == maps.SEQUENTIAL[0] and colours[-1] == maps.SEQUENTIAL[-1]
    assert maps.classify(pd.Series([np.nan]), edges) == [None]
    constant = maps.quantile_bins(pd.Series([5.0, 5.0]))
    assert len(constant) == 2 and constant[0] < constant[1]


def test_map_fits_the_layer_bounds():
    frame = gpd.GeoSeries([box(480000, 290000, 510000, 320000)], crs=27700)
    fmap = maps.new_map(frame)
    south, west = fmap.location[0] - 0.2, fmap.location[1] - 0.3
    assert 52.5 < fmap.location[0] < 52.8 and -0.9 < fmap.location[1] < -0.4
    assert south < fmap.location[0] and west < fmap.location[1]


def test_legend_and_banner_are_in_the_map_script_so_changes_redraw_the_map():
    from streamlit_folium import _get_map_string

    frame = gpd.GeoSeries([box(480000, 290000, 510000, 320000)], crs=27700)
    scripts = []
    for label in ("Travel times: ESTIMATE", "Travel times: Road network: my.osm.pbf"):
        fmap = maps.new_map(frame)
        maps.add_legend(fmap, "Legend <b>", [("#fff", "a & b")])
        maps.add_banner(fmap, label)
        fmap.render()
        scripts.append(_get_map_string(fmap))
    assert scripts[0] != scripts[1]
    assert "Legend &lt;b&gt;" in scripts[0] or "Legend \\u0026lt;b\\u0026gt;" in scripts[0]
    assert "<b>Legend <b>" not in scripts[0]


def test_care_homes_beyond_the_border_are_pale_and_say_so(rutland):
    from analyses import coverage, uploads
    from app_pages.coverage import HOME_COLOURS, OUTSIDE_HOME_COLOURS, build_coverage_map
    from routing.engine import EstimateEngine

    # Oakham (in Rutland) and Stamford, Lincolnshire (about 2 km beyond the border).
    content = b"name,lat,lon,beds,nursing\nOakham home,52.6703,-0.7275,30,N\nStamford home,52.6531,-0.4797,40,Y\n"
    homes = uploads.care_homes(content, "homes.csv", rutland).homes
    assert homes["in_council"].tolist() == [True, False]
    engine = EstimateEngine()
    result = coverage.measure_coverage(rutland, homes, engine, year=2028)
    html = build_coverage_map(rutland, result, result.areas["lsoa21_code"].head(0), sites=homes.head(0),
                              measure="access", engine=engine, tiles=False).get_root().render()
    assert html.count("OUTSIDE the council (within 15 km)") == 1 and html.count("in the council") >= 1
    assert OUTSIDE_HOME_COLOURS["nursing"] in html and HOME_COLOURS["residential"] in html
    assert "Pale homes: outside the council (1)." in html and "Care homes (2; 1 pale: outside the council)" in html


def test_hertfordshire_hours_by_district_are_mapped_as_documented(all_councils):
    from analyses import demand

    data = all_councils["hertfordshire"]
    frame = sublocality_layer(data, "lad_code").join(demand.hours_by_area(data, "lad_code"), on="code")
    assert frame[demand.HOURS].sum() == pytest.approx(39_517)
    # Dacorum: its 3,118 hours and 822 rural hours (Table 10), all within the district.
    assert frame.set_index("code").loc["E07000096", demand.HOURS] == pytest.approx(3_940, abs=0.1)
    html = build_explore_map(data, frame, level="lad_code", measure=demand.HOURS, merged=True,
                             tiles=False).get_root().render()
    assert "Home-care hours a week (modelled placement)" in html and "3,940 h" in html
    assert "Table 10" in demand.hours_source(data) and "assumption" in demand.hours_source(data)
