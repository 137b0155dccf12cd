"""Folium map builders that work offline.

Leaflet is served by the app itself (``static/leaflet``, from the npm package ``leaflet``): no CDN,
no jQuery/Bootstrap, no base-map tiles unless a connected user asks for OpenStreetMap tiles.
Every tooltip is built here from HTML-escaped text, because Leaflet inserts tooltip content as HTML.
"""

from __future__ import annotations

import html
from typing import Callable, Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from geo.units import WGS84

LEAFLET_URL = "/app/static/leaflet"
"""Where the Streamlit server publishes ``static/leaflet`` (``server.enableStaticServing``)."""

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
    fmap = OfflineMap(location=[(south + north) / 2, (west + east) / 2], zoom_start=zoom, tiles=None,
                      control_scale=True, prefer_canvas=False, height=height, zoom_snap=0.25,
                      zoom_delta=0.5)
    # Without tiles, a white background keeps the choropleth colours true to the legend.
    fmap.get_root().header.add_child(folium.Element("<style>.leaflet-container{background:#fff !important}</style>"))
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
) -> folium.GeoJson:
    """Add polygons as one GeoJSON layer, each with its own fill colour and escaped tooltip.

    ``fill_colours`` None draws outlines only. ``tooltips`` are HTML already escaped
    (see :func:`tooltip_html`).
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

    layer = folium.GeoJson(
        data,
        name=name,
        style_function=style,
        highlight_function=lambda _: {"weight": line_weight + 2},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        show=show,
        smooth_factor=0.5,
    )
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


_CONTROL_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function (map) {
    var box = L.DomUtil.create("div", {{ this.css_class|tojson }});
    box.style.cssText = {{ this.style|tojson }};
    box.innerHTML = {{ this.body|tojson }};
    L.DomEvent.disableClickPropagation(box);
    return box;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
_BOX_STYLE = ("background:rgba(255,255,255,0.92);padding:6px 9px;border:1px solid #999;border-radius:4px;"
              "font:12px/1.35 sans-serif;max-width:300px;")


class _HtmlControl(MacroElement):
    """A Leaflet control holding pre-escaped HTML (legend, method label).

    It is part of the map's script, so a change of its text redraws the map in Streamlit.
    """

    def __init__(self, body: str, position: str, css_class: str, style: str = _BOX_STYLE) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.body = body
        self.position = position
        self.css_class = css_class
        self.style = style
        self._template = Template(_CONTROL_TEMPLATE)


def add_legend(fmap: folium.Map, title: str, entries: Sequence[tuple[str, str]], note: str | None = None,
               position: str = "bottomright") -> None:
    """Legend of coloured swatches (colour, label), with an optional note under it."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:12px;background:{escape(colour)};'
        f'border:1px solid #777;margin-right:5px;vertical-align:middle"></span>{escape(label)}</div>'
        for colour, label in entries
    )
    note_html = f'<div style="margin-top:4px;color:#444"><i>{escape(note)}</i></div>' if note else ""
    _HtmlControl(f"<b>{escape(title)}</b>{rows}{note_html}", position, "caremap-legend").add_to(fmap)


def add_banner(fmap: folium.Map, text: str, warning: bool = False) -> None:
    """A label in the map's top-left corner, e.g. the travel-time method in force."""
    colour = "#8a4b00" if warning else "#222"
    _HtmlControl(f'<span style="color:{colour}">{escape(text)}</span>', "topleft", "caremap-banner").add_to(fmap)


def add_layer_control(fmap: folium.Map) -> None:
    """Layer switcher (collapsed=False so users see what they can turn on)."""
    folium.LayerControl(collapsed=False).add_to(fmap)

