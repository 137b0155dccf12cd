"""Static maps of the coverage report: access, drive time, gaps and suggested sites.

Each map is a matplotlib :class:`~matplotlib.figure.Figure` of its own (no pyplot state, so drawing a
report never changes matplotlib's backend or global figures), in British National Grid metres, with
town labels, a scale bar, a north arrow, a legend and the travel method stated under it. A map is drawn
for a full page of the PDF: :data:`FIGURE_SIZE` is the page's text width and most of its height, the view
is widened to fill it (showing the homes beyond the border), and the legend is set at a size read on paper. Text
from data or users (place and site names, the travel method naming a file) is drawn as it is written
(:func:`drawn_text`), never read as matplotlib's mathematical notation.
"""

from __future__ import annotations

import io
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from analyses import coverage as cv
from analyses.report.map_style import (
    ACCESS_COLOURS,
    BEYOND_COLOURS,
    HOME_COLOURS,
    MAP_CREDIT,
    SITE_COLOUR,
    access_classes,
)
from analyses.sites import SiteChoice
from geo.text import safe_line
from layers.council_data import CouncilData

BAND_COLOURS = ["#1a9850", "#fee08b", "#fc8d59", "#d73027"]
FIGURE_SIZE = (7.2, 9.2)
"""Inches: an A4 page's text width (17.4 cm once placed) and, with the heading and caption, its height."""
MAP_BOX = (0.01, 0.215, 0.98, 0.735)
"""Where the map sits in the figure (left, bottom, width, height) until its legend is known; the legend and notes
fill the band below, and the map grows into what they leave (:func:`_finish`)."""
MAP_TOP = 0.95
"""Top of the map in the figure (its title sits above)."""
LEGEND_SIZE = 9
LABEL_SIZE = 9
GAP_COLOUR = "#fdae61"
_HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


def drawn_text(text: object) -> str:
    """Text for matplotlib to draw literally: one line (:func:`geo.text.safe_line`), and each ``$`` escaped so that
    no pair of them starts mathematical notation (``$\\frac{1}{0}$`` in a site's name would stop the drawing). A
    backslash is literal outside that notation; a written ``\\$`` is drawn as written."""
    return safe_line(text).replace("$", r"\$")


def _figure_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)  # the whole figure: it is sized for the page
    return buffer.getvalue()


def _base_map(data: CouncilData, title: str) -> tuple[Figure, object]:
    """A figure with the council outline and localities, the map area above a band for legend and notes."""
    fig = Figure(figsize=FIGURE_SIZE)
    ax = fig.add_axes(MAP_BOX)
    ax.set_title(title, fontsize=12, loc="left", fontweight="bold")
    data.outline.plot(ax=ax, color="#f7f7f7", edgecolor="#555", linewidth=0.8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def _frame(ax, data: CouncilData, box: tuple[float, float, float, float] = MAP_BOX) -> None:
    """Locality boundaries on top, and the view fitted to the council with a margin, then widened (or heightened)
    to fill the map's box: the page's width is the map's, whatever the council's shape."""
    data.localities.boundary.plot(ax=ax, color="#222", linewidth=1.0, linestyle="--", zorder=4)
    xmin, ymin, xmax, ymax = data.outline.total_bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin)
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    shape = (box[3] * FIGURE_SIZE[1]) / (box[2] * FIGURE_SIZE[0])  # height / width of the map's box
    middle_x, middle_y = (xmin + xmax) / 2, (ymin + ymax) / 2
    width, height = xmax - xmin, ymax - ymin
    if height / width > shape:
        width = height / shape
    else:
        height = width * shape
    ax.set_xlim(middle_x - width / 2, middle_x + width / 2)
    ax.set_ylim(middle_y - height / 2, middle_y + height / 2)


def _nice_length(width_m: float) -> float:
    """A round scale-bar length (metres) near a fifth of the map's width."""
    target = width_m / 5.0
    for length in (500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000):
        if length >= target * 0.6:
            return float(length)
    return 100_000.0


def scale_bar(ax) -> float:
    """Draw a two-part scale bar at the lower right (map in metres); returns its length in metres."""
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    length = _nice_length(xmax - xmin)
    height = 0.012 * (ymax - ymin)
    x0, y0 = xmax - 0.04 * (xmax - xmin) - length, ymin + 0.03 * (ymax - ymin)
    for part, colour in enumerate(("#000", "#fff")):
        ax.add_patch(Rectangle((x0 + part * length / 2, y0), length / 2, height, facecolor=colour, edgecolor="#000",
                               linewidth=0.8, zorder=8))
    kilometres = length / 1000.0
    for offset, text in ((0.0, "0"), (length / 2, f"{kilometres / 2:g}"), (length, f"{kilometres:g} km")):
        ax.text(x0 + offset, y0 + 1.8 * height, text, ha="center", va="bottom", fontsize=8, zorder=8,
                path_effects=_HALO)
    ax.text(x0 + length / 2, y0 - 0.6 * height, f"{kilometres / 1.609344:.1f} miles", ha="center", va="top",
            fontsize=7.5, color="#333", zorder=8, path_effects=_HALO)
    return length


def north_arrow(ax) -> None:
    """An arrow marked N at the upper right (British National Grid north)."""
    ax.annotate("N", xy=(0.95, 0.97), xytext=(0.95, 0.87), xycoords="axes fraction", textcoords="axes fraction",
                ha="center", va="center", fontsize=11, fontweight="bold", zorder=9,
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 10, "headlength": 10})


def town_labels(ax, places: gpd.GeoDataFrame, *, also: pd.Series | None = None) -> None:
    """Name the cities and towns (bold) and any other places in ``also`` on the map."""
    towns = places[places["kind"].isin(["city", "town"])]
    for row in towns.itertuples():
        ax.plot(row.geometry.x, row.geometry.y, marker="s", markersize=3, color="#111", zorder=7)
        ax.annotate(drawn_text(row.name), (row.geometry.x, row.geometry.y), xytext=(4, 3), textcoords="offset points",
                    fontsize=LABEL_SIZE, fontweight="bold", zorder=9, path_effects=_HALO)
    if also is not None and len(also):
        extra = places[places["name"].isin(set(also)) & ~places["kind"].isin(["city", "town"])]
        for row in extra.drop_duplicates("name").itertuples():
            ax.annotate(drawn_text(row.name), (row.geometry.x, row.geometry.y), xytext=(4, -10), textcoords="offset points",
                        fontsize=LABEL_SIZE - 1, style="italic", zorder=9, path_effects=_HALO)


def _homes(ax, homes: gpd.GeoDataFrame) -> list:
    """Homes sized by beds, coloured by kind (pale beyond the border); returns their legend handles."""
    if homes.empty:
        return []
    older = homes["older_people"].astype(bool).to_numpy()
    nursing = homes["nursing"].astype(bool).to_numpy()
    inside = homes["in_council"].astype(bool).to_numpy()
    sizes = 10 + 0.9 * homes["beds"].to_numpy()
    kinds = np.where(~older, "other", np.where(nursing, "nursing", "residential"))
    handles = []
    labels = {"residential": "home for older people (size: beds)", "nursing": "… with nursing",
              "other": "home not for older people"}
    for colours, where, suffix in ((HOME_COLOURS, inside, ""), (BEYOND_COLOURS, ~inside, ", beyond the border")):
        for kind, label in labels.items():
            chosen = (kinds == kind) & where
            if chosen.any():
                marker = "^" if kind == "other" else "o"
                ax.scatter(homes.geometry.x[chosen], homes.geometry.y[chosen], s=sizes[chosen], c=colours[kind],
                           marker=marker, edgecolor="white" if colours is HOME_COLOURS else "#777",
                           linewidth=0.6, zorder=6 if colours is HOME_COLOURS else 5)
                handles.append(Line2D([], [], marker=marker, linestyle="", markersize=8, color=colours[kind],
                                      markeredgecolor="white" if colours is HOME_COLOURS else "#777",
                                      label=label.replace(" (size: beds)", "") + suffix if suffix else label))
    return handles


def _finish(fig: Figure, ax, data: CouncilData, handles: list, *, method_label: str, estimate: bool,
            note: str = "") -> bytes:
    """Frame, town labels, scale bar, north arrow, legend below the map, the travel method and credits: the map
    fills the figure down to the legend, whose height follows its entries."""
    handles = handles + [Line2D([], [], color="#222", linestyle="--", label="PCN locality boundary"),
                         Line2D([], [], marker="s", linestyle="", markersize=5, color="#111", label="town")]
    lines = [drawn_text(line) for line in textwrap.wrap(method_label + ("" if not note else f" · {note}"), 125)]
    lines.append(MAP_CREDIT)
    rows = -(-len(handles) // 2)
    band = (rows * 0.205 + len(lines) * 0.13 + 0.2) / FIGURE_SIZE[1]  # legend rows, notes and a margin (inches)
    box = (MAP_BOX[0], band, MAP_BOX[2], MAP_TOP - band)
    ax.set_position(box)
    _frame(ax, data, box)
    scale_bar(ax)
    north_arrow(ax)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, band - 0.005), ncol=2,
               fontsize=LEGEND_SIZE, frameon=False, handletextpad=0.5, columnspacing=1.5, labelspacing=0.35)
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=7, color="#8a4b00" if estimate else "#444", va="bottom")
    return _figure_bytes(fig)


def draw_figures(data: CouncilData, result: cv.CoverageResult, gaps: pd.DataFrame, sites: SiteChoice, *,
                 method_label: str) -> dict[str, bytes]:
    """PNG maps for the report: ``access``, ``drive_time`` and ``gaps`` (with suggested sites)."""
    estimate = result.method == "estimate"
    lsoa = data.lsoa.join(result.areas["lsoa21_code"][["access", "minutes_mean"]], on="lsoa21_code")
    figures = {}

    fig, ax = _base_map(data, f"Access to beds for older people (E2SFCA), {result.year}")
    edges = access_classes(lsoa["access"])
    classes = np.clip(np.searchsorted(edges, lsoa["access"].to_numpy(), side="right") - 1, 0, len(edges) - 2)
    colours = np.array(ACCESS_COLOURS)[np.round(np.linspace(0, len(ACCESS_COLOURS) - 1, len(edges) - 1)).astype(int)]
    lsoa.plot(ax=ax, color=colours[classes], edgecolor="#999", linewidth=0.3)
    handles = [Patch(facecolor=colour, edgecolor="#999", label=f"{low:g}–{high:g} beds per 1,000 aged 65+")
               for colour, low, high in zip(colours, edges[:-1], edges[1:])]
    handles += _homes(ax, result.homes)
    town_labels(ax, data.places)
    figures["access"] = _finish(fig, ax, data, handles, method_label=method_label, estimate=estimate,
                                note="access: beds within weighted reach")

    fig, ax = _base_map(data, "Drive time from each postcode to the nearest home for older people")
    data.lsoa.boundary.plot(ax=ax, color="#ddd", linewidth=0.3)
    thresholds = result.settings.thresholds_min
    bounds = [-np.inf, *thresholds, np.inf]
    labels = [f"≤ {thresholds[0]:g} min"] + [f"{low:g}–{high:g} min" for low, high in zip(thresholds, thresholds[1:])] \
        + [f"> {thresholds[-1]:g} min"]
    minutes = result.postcodes["minutes_nearest"].to_numpy()
    handles = []
    for index, label in enumerate(labels):
        chosen = (minutes > bounds[index]) & (minutes <= bounds[index + 1])
        colour = BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]
        points = result.postcodes[chosen]
        ax.scatter(points.geometry.x, points.geometry.y, s=2, color=colour, zorder=3)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=5, color=colour,
                              label=f"postcode: {label} ({chosen.sum():,})"))
    handles += _homes(ax, result.homes)
    town_labels(ax, data.places)
    figures["drive_time"] = _finish(fig, ax, data, handles, method_label=method_label, estimate=estimate)

    fig, ax = _base_map(data, f"Gaps (low access, high projected need, {result.year}) and suggested sites")
    lsoa.plot(ax=ax, color="#f4f4f4", edgecolor="#bbb", linewidth=0.3)
    gap_areas = lsoa.set_index("lsoa21_code").loc[[code for code in gaps.index if code in set(lsoa["lsoa21_code"])]]
    handles = []
    if len(gap_areas):
        gap_areas.plot(ax=ax, color=GAP_COLOUR, edgecolor="#d7301f", linewidth=1.0)
        for rank, point in enumerate(gap_areas.geometry.representative_point(), start=1):
            ax.annotate(str(rank), (point.x, point.y), ha="center", va="center", fontsize=8, fontweight="bold",
                        color="#7f2704", zorder=9, path_effects=_HALO)
        handles.append(Patch(facecolor=GAP_COLOUR, edgecolor="#d7301f", label="gap, numbered as in the gap table"))
    handles += _homes(ax, result.homes)
    if len(sites.sites):
        ax.scatter(sites.sites.geometry.x, sites.sites.geometry.y, marker="*", s=260, c=SITE_COLOUR, edgecolor="white",
                   zorder=8)
        for row in sites.sites.itertuples():
            ax.annotate(drawn_text(row.name), (row.geometry.x, row.geometry.y), xytext=(6, 6),
                        textcoords="offset points", fontsize=8, color="#3f007d", fontweight="bold", zorder=9,
                        path_effects=_HALO)
        handles.append(Line2D([], [], marker="*", linestyle="", markersize=12, color=SITE_COLOUR, label="suggested site"))
    town_labels(ax, data.places)
    figures["gaps"] = _finish(fig, ax, data, handles, method_label=method_label, estimate=estimate)
    return figures
