"""Folium map builders that work offline.

Leaflet is served by the app itself (``static/leaflet``, from the npm package ``leaflet``): no CDN,
no jQuery/Bootstrap, no base-map tiles unless a connected user asks for OpenStreetMap tiles.
Every tooltip is built here from HTML-escaped text, because Leaflet inserts tooltip content as HTML.
The maps' own scripts and stylesheet (legend and label controls, place names, the fit clear of the controls) are
files in ``static/maps``, read when first used and inlined in each map's script.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any, Callable, Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from geo.settings import PROJECT_ROOT
from geo.shapes import label_point
from geo.units import WGS84

LEAFLET_URL = "/app/static/leaflet"
"""Where the Streamlit server publishes ``static/leaflet`` (``server.enableStaticServing``)."""
ASSETS = PROJECT_ROOT / "static" / "maps"
"""The maps' scripts and stylesheet."""

SEQUENTIAL = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
"""Five-class sequential palette (ColorBrewer Oranges, colour-blind safe)."""

RUC_COLOURS = {
    "Urban: Nearer to a major town or city": "#4575b4",
    "Urban: Further from a major town or city": "#91bfdb",
    "Larger rural: Nearer to a major town or city": "#fee090",
    "Larger rural: Further from a major town or city": "#fdae61",
    "Smaller rural: Nearer to a major town or city": "#f46d43",
    "Smaller rural: Further from a major town or city": "#d73027",
    "Mainly urban": "#4575b4",
    "Mixed": "#fee090",
    "Mainly rural": "#d73027",
}
CATEGORY_FALLBACK = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
LOCALITY_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#386cb0",
                    "#f0027f", "#bf5b17", "#666666", "#1f78b4"]


class OfflineMap(folium.Map):
    """A folium map that loads Leaflet from the app's own server and nothing else."""

    default_js = [("leaflet", f"{LEAFLET_URL}/leaflet.js")]
    default_css = [("leaflet_css", f"{LEAFLET_URL}/leaflet.css")]


@cache
def asset(name: str) -> str:
    """The text of one of the maps' scripts or stylesheets (``static/maps/<name>``), read when first used."""
    return (ASSETS / name).read_text(encoding="utf-8")


_SCRIPT = Template("""
{% macro script(this, kwargs) %}
(function () {
{{ this.code }}
{{ this.function }}({{ this._parent.get_name() }}{% for value in this.arguments %}, {{ value|tojson }}{% endfor %});
})();
{% endmacro %}
""")


class _Script(MacroElement):
    """One function of the maps' scripts (``static/maps/<file>``) called on its parent (the map, or a layer) with
    JSON arguments, as part of the map's own script: a change of an argument redraws the map in Streamlit."""

    def __init__(self, file: str, function: str, *arguments: Any) -> None:
        super().__init__()
        self._name = function
        self.code = asset(file)
        self.function = function
        self.arguments = arguments
        self._template = _SCRIPT  # compiled once: compiling a template per map element costs more than drawing it


def external_urls(fmap: folium.Map) -> list[str]:
    """Script and stylesheet URLs of a map and its children that point off the app's own server."""
    urls = []
    stack = [fmap]
    while stack:
        element = stack.pop()
        for _, url in list(getattr(element, "default_js", [])) + list(getattr(element, "default_css", [])):
            if "://" in url or url.startswith("//"):
                urls.append(url)
        stack.extend(getattr(element, "_children", {}).values())
    return urls


def new_map(bounds: gpd.GeoDataFrame | gpd.GeoSeries, *, tiles: bool = False, height: int = 600) -> OfflineMap:
    """Empty map fitted to the bounds of a layer (any CRS).

    Parameters
    ----------
    bounds : GeoDataFrame or GeoSeries
        Layer whose extent the map shows.
    tiles : bool
        Add OpenStreetMap tiles (needs internet); off by default so the app works offline.
    """
    west, south, east, north = bounds.to_crs(WGS84).total_bounds
    zoom = zoom_to_fit(south, west, north, east, height=height)
    # Zoom buttons sit by the scale, bottom left, so the top of the map is free for the travel-method line.
    fmap = OfflineMap(location=[(south + north) / 2, (west + east) / 2], zoom_start=zoom, tiles=None,
                      control_scale=True, prefer_canvas=False, height=height, zoom_snap=0.25,
                      zoom_delta=0.5, zoom_control="bottomleft")
    # Without tiles, a white background keeps the choropleth colours true to the legend.
    fmap.get_root().header.add_child(folium.Element(f"<style>{asset('maps.css')}</style>"))
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", control=True).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def zoom_to_fit(south: float, west: float, north: float, east: float, *, width: int = 760, height: int = 600) -> float:
    """Largest Leaflet zoom (in quarter steps) at which the bounds fit a map of ``width`` × ``height`` pixels.

    The zoom is set up front because the map's container has no size yet when Leaflet first runs
    inside the Streamlit component, which makes ``fitBounds`` alone zoom out too far.
    """

    def mercator_y(lat: float) -> float:
        radians = np.radians(lat)
        return np.log(np.tan(np.pi / 4 + radians / 2)) / (2 * np.pi)

    lon_fraction = max(east - west, 1e-6) / 360.0
    lat_fraction = max(mercator_y(north) - mercator_y(south), 1e-9)
    zoom = min(np.log2(width / (256 * lon_fraction)), np.log2(height / (256 * lat_fraction)))
    return float(np.clip(np.floor(zoom * 4) / 4, 1, 18))


def escape(value: object) -> str:
    """Text safe to show inside HTML (also safe inside JavaScript template strings)."""
    return html.escape("" if value is None else str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")


def tooltip_html(title: object, rows: Iterable[tuple[str, object]]) -> str:
    """Escaped tooltip: a bold title then one "label: value" line per row."""
    lines = [f"<b>{escape(title)}</b>"]
    lines += [f"{escape(label)}: {escape(value)}" for label, value in rows]
    return "<br>".join(lines)


def _geojson(frame: gpd.GeoDataFrame, properties: dict[str, Sequence]) -> dict:
    """GeoJSON FeatureCollection (WGS84, 5 decimals ≈ 1 m) carrying only the given properties."""
    shapes = frame.geometry.to_crs(WGS84).set_precision(1e-5)
    features = []
    for position, geometry in enumerate(shapes):
        if geometry is None or geometry.is_empty:
            continue
        props = {key: values[position] for key, values in properties.items()}
        features.append({"type": "Feature", "geometry": geometry.__geo_interface__, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def add_polygons(
    fmap: folium.Map,
    frame: gpd.GeoDataFrame,
    name: str,
    tooltips: Sequence[str],
    *,
    fill_colours: Sequence[str | None] | None = None,
    line_colour: str = "#444444",
    line_weight: float = 0.6,
    fill_opacity: float = 0.75,
    dash: str | None = None,
    show: bool = True,
    interactive: bool = True,
) -> folium.GeoJson:
    """Add polygons as one GeoJSON layer, each with its own fill colour and escaped tooltip.

    ``fill_colours`` None draws outlines only. ``tooltips`` are HTML already escaped
    (see :func:`tooltip_html`). ``interactive=False`` draws a layer that never takes the mouse (outlines drawn
    above other layers), so the tooltips of the layers below stay reachable.
    """
    fills = list(fill_colours) if fill_colours is not None else [None] * len(frame)
    data = _geojson(frame, {"tip": list(tooltips), "fill": fills})

    def style(feature: dict) -> dict:
        fill = feature["properties"]["fill"]
        return {
            "fillColor": fill or "#000000",
            "fillOpacity": fill_opacity if fill else 0.0,
            "color": line_colour,
            "weight": line_weight,
            "dashArray": dash,
        }

    hover = {"highlight_function": lambda _: {"weight": line_weight + 2},
             "tooltip": folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)} if interactive else {}
    layer = folium.GeoJson(data, name=name, style_function=style, show=show, smooth_factor=0.5,
                           interactive=interactive, **hover)
    layer.add_to(fmap)
    return layer


def add_points(
    fmap: folium.Map,
    frame: gpd.GeoDataFrame,
    name: str,
    tooltips: Sequence[str],
    *,
    colour: str | Sequence[str] = "#08519c",
    radius: float | Sequence[float] = 6.0,
    show: bool = True,
    fill_opacity: float = 0.9,
) -> folium.GeoJson:
    """Add points as circle markers (one GeoJSON layer) with escaped tooltips.

    ``colour`` and ``radius`` may be one value or one per point.
    """
    count = len(frame)
    colours = [colour] * count if isinstance(colour, str) else list(colour)
    radii = [float(radius)] * count if np.isscalar(radius) else [float(r) for r in radius]
    data = _geojson(frame, {"tip": list(tooltips), "colour": colours, "radius": radii})
    layer = folium.GeoJson(
        data,
        name=name,
        marker=folium.CircleMarker(radius=6, weight=1, color="#ffffff", fill=True, fill_opacity=fill_opacity),
        style_function=lambda feature: {
            "fillColor": feature["properties"]["colour"],
            "radius": feature["properties"]["radius"],
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        show=show,
    )
    layer.add_to(fmap)
    return layer


def add_lines(
    fmap: folium.Map,
    frame: gpd.GeoDataFrame,
    name: str,
    tooltips: Sequence[str],
    *,
    colours: Sequence[str],
    weight: float = 4.0,
    dashes: Sequence[str | None] | None = None,
    show: bool = True,
) -> folium.GeoJson:
    """Add lines (routes, paths) with one colour, dash pattern and escaped tooltip each."""
    dash_values = list(dashes) if dashes is not None else [None] * len(frame)
    data = _geojson(frame, {"tip": list(tooltips), "colour": list(colours), "dash": dash_values})
    layer = folium.GeoJson(
        data,
        name=name,
        style_function=lambda feature: {
            "color": feature["properties"]["colour"],
            "weight": weight,
            "opacity": 0.85,
            "dashArray": feature["properties"]["dash"],
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        show=show,
    )
    layer.add_to(fmap)
    return layer


def quantile_bins(values: pd.Series, classes: int = 5) -> np.ndarray:
    """Class breaks (``classes + 1`` edges) at quantiles of the finite values, made strictly increasing."""
    finite = values[np.isfinite(values.astype(float))].astype(float)
    if finite.empty:
        return np.array([0.0, 1.0])
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, classes + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0] + 1.0])
    return edges


def classify(values: pd.Series, edges: np.ndarray, palette: Sequence[str] = SEQUENTIAL) -> list[str | None]:
    """Colour of each value from class edges; missing values get no colour."""
    numbers = values.astype(float).to_numpy()
    position = np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, len(edges) - 2)
    # Spread the used classes over the palette so 3 classes still run from light to dark.
    steps = np.linspace(0, len(palette) - 1, len(edges) - 1).round().astype(int)
    return [None if not np.isfinite(v) else palette[steps[p]] for v, p in zip(numbers, position)]


def class_legend(edges: np.ndarray, formatter: Callable[[float], str],
                 palette: Sequence[str] = SEQUENTIAL) -> list[tuple[str, str]]:
    """Legend entries (colour, "low – high") for class edges."""
    steps = np.linspace(0, len(palette) - 1, len(edges) - 1).round().astype(int)
    return [(palette[steps[i]], f"{formatter(edges[i])} – {formatter(edges[i + 1])}") for i in range(len(edges) - 1)]


def category_colours(categories: Iterable[str], known: dict[str, str] | None = None) -> dict[str, str]:
    """A colour for each category: the known ones first, then a fallback palette."""
    known = known or {}
    colours = {}
    spare = iter(CATEGORY_FALLBACK * 4)
    for category in categories:
        colours[category] = known.get(category) or next(spare)
    return colours


def add_legend(fmap: folium.Map, title: str, entries: Sequence[tuple[str, str]], note: str | None = None,
               position: str = "bottomright") -> None:
    """Legend of coloured swatches (colour, label), with an optional note under it."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:12px;background:{escape(colour)};'
        f'border:1px solid #777;margin-right:5px;vertical-align:middle"></span>{escape(label)}</div>'
        for colour, label in entries
    )
    note_html = f'<div style="margin-top:4px;color:#444"><i>{escape(note)}</i></div>' if note else ""
    _Script("html_control.js", "caremapHtmlControl", position, "caremap-legend",
            f"<b>{escape(title)}</b>{rows}{note_html}").add_to(fmap)


def add_banner(fmap: folium.Map, text: str, warning: bool = False) -> None:
    """A label in the map's top-left corner, e.g. the travel-time method in force."""
    colour = "#8a4b00" if warning else "#222"
    _Script("html_control.js", "caremapHtmlControl", "topleft", "caremap-banner",
            f'<span style="color:{colour}">{escape(text)}</span>').add_to(fmap)


def add_layer_control(fmap: folium.Map) -> None:
    """Layer switcher, collapsed to an icon (it opens on hover) so it never covers the map's subject."""
    folium.LayerControl(collapsed=True).add_to(fmap)


def add_labels(fmap: folium.Map, points: gpd.GeoDataFrame, *, texts: Sequence[str], kinds: Sequence[str],
               name: str, sizes: Sequence[float] | None = None, show: bool = True) -> folium.FeatureGroup:
    """Add text labels at points as one layer (listed in the layer control as ``name``).

    ``kinds`` style each label: ``city``, ``town``, ``village``/``suburb`` (shown when zoomed in) or ``locality``.
    Where labels collide, the bigger place of a kind (``sizes``, e.g. its extent's area) is named first.
    """
    lonlat = points.geometry.to_crs(WGS84)
    sizes = [0.0] * len(points) if sizes is None else [float(size) for size in sizes]
    labels = [{"lat": round(float(point.y), 5), "lon": round(float(point.x), 5), "text": str(text), "kind": str(kind),
               "size": round(size, 1)} for point, text, kind, size in zip(lonlat, texts, kinds, sizes)]
    group = folium.FeatureGroup(name=name, show=show)
    _Script("labels.js", "caremapLabels", labels).add_to(group)
    group.add_to(fmap)
    return group


def add_base_layer(fmap: folium.Map, *, outline: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                   localities: gpd.GeoDataFrame | None = None, roads: gpd.GeoDataFrame | None = None,
                   village_zoom: float = 10.75) -> None:
    """An offline base map from the bundled data, so a map reads without tiles: the council's outline, its
    city/town names (villages and suburbs when zoomed in), locality names and, when a road network is loaded,
    its main roads. None of it takes the mouse: tooltips of the layers above stay reachable."""
    root = fmap.get_root()
    if not getattr(root, "_caremap_label_placement", False):  # once per map
        root._caremap_label_placement = True
        _Script("label_placement.js", "caremapLabelPlacement", village_zoom).add_to(fmap)
    if roads is not None and len(roads):
        folium.GeoJson(_geojson(roads, {}), name="Main roads", interactive=False, control=True,
                       style_function=lambda _: {"color": "#9a6a2a", "weight": 1.6, "opacity": 0.7}).add_to(fmap)
    folium.GeoJson(_geojson(outline, {}), name="Council boundary", interactive=False, control=False,
                   style_function=lambda _: {"color": "#4d4d4d", "weight": 2.5, "fill": False,
                                             "className": "caremap-outline"}).add_to(fmap)
    named = places[places["kind"].isin(["city", "town", "village", "suburb"])]
    extent = (named["xmax"] - named["xmin"]) * (named["ymax"] - named["ymin"]) / 1e6
    add_labels(fmap, named, texts=named["name"].tolist(), kinds=named["kind"].tolist(), sizes=extent.tolist(),
               name="Place names")
    if localities is not None and len(localities):
        towns = places[places["kind"].isin(["city", "town"])].geometry.union_all()
        anchors = gpd.GeoSeries([label_point(area, avoid=towns, clearance_m=4000.0) for area in localities.geometry],
                                crs=localities.crs)
        add_labels(fmap, gpd.GeoDataFrame(geometry=anchors, crs=localities.crs),
                   texts=localities["locality_name"].tolist(), kinds=["locality"] * len(localities),
                   sizes=(localities.area / 1e6).tolist(), name="Locality names")


def finish_map(fmap: folium.Map, subject: gpd.GeoDataFrame | gpd.GeoSeries) -> folium.Map:
    """Last step of every map: the layer switcher, then a fit that keeps every control clear of ``subject``
    (the council's outline, usually) at the opening zoom."""
    add_layer_control(fmap)
    west, south, east, north = subject.to_crs(WGS84).total_bounds
    _Script("fit_clear_of_controls.js", "caremapFitClearOfControls",
            [[float(south), float(west)], [float(north), float(east)]], 8).add_to(fmap)
    return fmap

