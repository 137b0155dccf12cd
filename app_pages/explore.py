"""Explore page: population by sub-locality, PCN localities, towns and practices on one map."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses import demand, gp_access
from layers.areas import AREA_LEVELS, area_levels
from layers.council_data import CouncilData
from layers.sublocalities import MEASURES as AREA_MEASURES
from ui import maps, state

MEASURES = {**AREA_MEASURES, **gp_access.GP_MEASURES, **demand.HOURS_MEASURES}
OUTSIDE_COLOUR = "#7fbf7b"

NUMBER_FORMATS = {
    "pct_65plus": lambda v: f"{v:.1f}%",
    "pct_85plus": lambda v: f"{v:.1f}%",
    "pop_65plus": lambda v: f"{v:,.0f}",
    "pop_total": lambda v: f"{v:,.0f}",
    gp_access.GP_MINUTES: lambda v: f"{v:.1f} min",
    demand.HOURS: lambda v: f"{v:,.0f} h",
}


def _measure_text(row, measure: str) -> str:
    value = getattr(row, measure)
    if measure == "ruc":
        return str(value)
    return NUMBER_FORMATS[measure](value) if np.isfinite(value) else "—"


def _sublocality_tooltips(frame: pd.DataFrame, measure: str, level_label: str) -> list[str]:
    """Each area's name and code, the measure being coloured first, then its locality and people."""
    return [
        maps.tooltip_html(
            row.name if level_label == AREA_LEVELS["lsoa21_code"] else f"{row.name} ({row.code})",
            [
                (MEASURES[measure], _measure_text(row, measure)),
                ("PCN locality", row.locality_name),
                (level_label, row.code),
                ("Population (mid-2020)", f"{row.pop_total:,.0f}"),
                ("Aged 65+", f"{row.pop_65plus:,.0f} ({row.pct_65plus:.1f}%)"),
                ("Aged 85+", f"{row.pop_85plus:,.0f} ({row.pct_85plus:.1f}%)"),
                ("Rural-urban", row.ruc),
                *([("Drive to nearest GP (mean)", f"{row.gp_minutes:.1f} min"),
                   ("People whose nearest GP is outside the council", f"{row.pct_nearest_outside:.0f}%")]
                  if hasattr(row, "gp_minutes") else []),
            ],
        )
        for row in frame.itertuples()
    ]


def build_explore_map(data: CouncilData, frame: gpd.GeoDataFrame, *, level: str, measure: str, merged: bool,
                      tiles: bool, method: str = "", estimate: bool = False,
                      roads: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The Explore map: choropleth of ``frame`` (one area level), localities, practices, hospitals, on an offline base
    of the council's outline, place and locality names (and main roads when a road network is loaded)."""
    fmap = maps.new_map(data.outline, tiles=tiles)
    if measure == "ruc":
        colours = maps.category_colours(sorted(frame["ruc"].unique()), maps.RUC_COLOURS)
        fills = frame["ruc"].map(colours).tolist()
        legend = list(((colour, label) for label, colour in colours.items()))
    else:
        edges = maps.quantile_bins(frame[measure])
        fills = maps.classify(frame[measure], edges)
        legend = maps.class_legend(edges, NUMBER_FORMATS[measure])
    level_name = area_levels(data.council, level)[level]
    maps.add_polygons(fmap, frame, f"{MEASURES[measure]} by {level_name}",
                      _sublocality_tooltips(frame, measure, level_name), fill_colours=fills)
    localities = data.localities_layer(merged)
    maps.add_polygons(fmap, localities, "PCN localities", [""] * len(localities), line_colour="#1a1a1a",
                      line_weight=3.0, dash="6 4", interactive=False)
    maps.add_base_layer(fmap, outline=data.outline, places=data.places, localities=localities, roads=roads)
    practices = gp_access.practices_for_access(data)
    maps.add_points(fmap, practices, "GP practices (pale: outside the council)",
                    [maps.tooltip_html(row.practice_name, [("PCN", row.pcn_name), ("Postcode", row.postcode),
                                                           ("Where", "in the council" if row.in_council else
                                                            "OUTSIDE the council (used by residents near the border)")])
                     for row in practices.itertuples()],
                    colour=["#1b7837" if inside else OUTSIDE_COLOUR for inside in practices["in_council"]], radius=5)
    if not data.hospitals.empty:  # a council set up from the national data has no hospital list
        maps.add_points(fmap, data.hospitals, "NHS hospitals (pale: outside the council)",
                        [maps.tooltip_html(row.name, [("Also listed as", row.aliases or "—"),
                                                      ("Where", "in the council" if row.within_area else
                                                       "OUTSIDE the council (within 15 km)")])
                         for row in data.hospitals.itertuples()],
                        colour=["#b2182b" if inside else "#f4a582" for inside in data.hospitals["within_area"]],
                        radius=6, show=False)
    maps.add_legend(fmap, f"{MEASURES[measure]} ({level_name})", legend,
                    note="Dashed: PCN localities. Green: GP practices.")
    if method:
        maps.add_banner(fmap, method, warning=estimate)
    return maps.finish_map(fmap, data.outline)


def page() -> None:
    """Render the Explore page."""
    council, engine, data = state.page_inputs()
    st.title(f"Explore {council.name}")
    st.caption(f"Older population by sub-locality, PCN localities (each LSOA joined to its nearest member "
               f"practice by {data.locality_method}), the city and market towns, and GP practices.")
    left, middle, right = st.columns([2, 1.3, 1.3])
    measure = left.selectbox("Colour areas by", list(MEASURES), format_func=MEASURES.get, key="explore_measure")
    levels = area_levels(council, "lsoa21_code", "msoa21_code", "ward22_code", "lad_code")
    level = middle.selectbox("Areas", list(levels), format_func=levels.get, key="explore_level")
    merged = True
    if council.locality_merges:
        merged = right.checkbox(f"Merge {', '.join(council.locality_merges)} PCNs", value=True, key="explore_merge",
                                help=f"As the council's documents count localities: {council.source('pcn_localities')}"
                                if "pcn_localities" in council.figures else None)
    tiles = st.session_state.get("basemap_tiles", False)
    frame = state.sublocalities(council.slug, level, engine.token, engine)
    if measure == gp_access.GP_MINUTES:
        frame = frame.join(state.nearest_gp_by_area(council.slug, level, engine.token, engine), on="code")
        st.caption(f"Drive time from each postcode to its nearest GP practice, including practices up to 15 km beyond "
                   f"the border (pale green on the map); area means weight postcodes by population. "
                   f"{'ESTIMATE: straight lines, no road network.' if engine.is_estimate else ''}")
    if measure == demand.HOURS:
        frame = frame.join(demand.hours_by_area(data, level), on="code")
        documented = "lad_code" in levels and not demand.district_rows(data).empty
        st.caption(f"MODELLED: {demand.hours_source(data)}"
                   + (f" Areas: {levels['lad_code']} shows the documented rows." if documented else ""))
    fmap = build_explore_map(data, frame, level=level, measure=measure, merged=merged, tiles=tiles,
                             method=state.method_banner(engine), estimate=engine.is_estimate,
                             roads=state.main_roads(engine.token, engine))
    st_folium(fmap, height=620, use_container_width=True, returned_objects=[], key=f"explore_map_{council.slug}")
    st.caption("Population: ONS mid-2020 estimates carried to 2021 LSOAs. Names: OS Open Names settlements and "
               "the LSOA's ward. Hover an area for its figures; the layer button (top right) turns layers on and off.")
    if not council.bundled:
        st.info(f"{council.name} was set up from the national data shipped with the tool: no council document is held "
                f"(every figure is a labelled national default or assumption; see Evidence). MSOAs and wards are drawn "
                f"from their LSOAs (the May 2024 wards the ONS lookup best-fits them to), and no hospital list is held, "
                f"so the map shows no hospitals.")

    totals = data.lsoa[["pop_total", "pop_65plus", "pop_85plus"]].sum()
    a, b, c, d = st.columns(4)
    a.metric("Population (mid-2020)", f"{totals.pop_total:,.0f}")
    b.metric("Aged 65+", f"{totals.pop_65plus:,.0f}")
    c.metric("Aged 85+", f"{totals.pop_85plus:,.0f}")
    d.metric("% aged 65+", f"{100 * totals.pop_65plus / totals.pop_total:.1f}%")
    table = data.localities_layer(merged).drop(columns="geometry").rename(columns={
        "locality_name": "Locality", "pcn_codes": "PCN codes", "n_lsoa": "LSOAs", "pop_total": "Population",
        "pop_65plus": "Aged 65+", "pop_75plus": "Aged 75+", "pop_85plus": "Aged 85+", "pct_65plus": "% 65+",
        "pct_85plus": "% 85+"}).drop(columns="locality_code")
    st.subheader("PCN localities")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"% 65+": st.column_config.NumberColumn(format="%.1f"),
                                "% 85+": st.column_config.NumberColumn(format="%.1f")})
