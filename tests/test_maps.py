"""The map builders: offline assets only, escaped tooltips, sensible zoom and classes."""

import re

import geopandas as gpd
import numpy as np
import pandas as pd
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
