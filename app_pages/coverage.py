"""Care-home coverage page: where older people are far from care-home beds, now and as demand grows."""

from __future__ import annotations

import dataclasses

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses import coverage as cv
from analyses import exports, uploads
from analyses import report as reporting
from geo.council import Council
from layers.areas import area_levels
from layers.council_data import CouncilData
from routing.engine import TravelEngine
from ui import maps, state, widgets

YEARS = [2018, 2023, 2028, 2033, 2038]
MEASURES = {
    "access": ("E2SFCA access (beds per 1,000 aged 65+ within reach)", lambda v: f"{v:.1f}"),
    "minutes_mean": ("Minutes to the nearest home (65+ average)", lambda v: f"{v:.0f} min"),
    "beds_per_1000_65": ("Beds per 1,000 aged 65+ (in the area)", lambda v: f"{v:.1f}"),
}
TABLE_LEVELS = ("lsoa21_code", "ward22_code", "lad_code", "locality_name")


def _homes(council: Council, data: CouncilData):
    """The care homes to use, their source text and notes (None when there are none yet)."""
    options = ["upload"] + (["osm"] if council.osm_extract else [])
    names = {"upload": "CQC care directory or my list", "osm": "Care homes tagged in OpenStreetMap (demo)"}
    default = 1 if council.osm_extract else 0
    choice = st.radio("Care homes", options, index=default, format_func=names.get, horizontal=True,
                      key=f"cv_source_{council.slug}")
    if choice == "osm":
        table = state.osm_care_homes(council.slug)
        for note in table.notes:
            st.info(widgets.plain(note))
        return table.homes, f"care homes and assisted-living places tagged in OpenStreetMap ({len(table.homes)})", \
            table.notes
    uploaded = st.file_uploader(
        "CQC 'Care directory with filters' (HSCA Active Locations) as CSV, XLSX or ODS, or a list with name, postcode "
        "(or latitude/longitude), beds, nursing", type=["csv", "xlsx", "ods", "txt"], key=f"cv_upload_{council.slug}")
    st.caption(f"{widgets.CARE_HOME_LIMITS} The national CQC file works: homes more than 15 km outside "
               f"{council.name} are left out. Download it from cqc.org.uk (Using CQC data).")
    table = widgets.read_upload(uploaded, lambda content, name: uploads.care_homes(content, name, data),
                                key=council.slug)
    if table is None:
        return None, "", []
    return table.homes, f"{uploaded.name} ({len(table.homes)} homes)", table.notes


def _settings(council: Council) -> tuple[int, cv.CoverageSettings, int, float]:
    defaults = cv.CoverageSettings.for_council(council)
    a, b, c = st.columns([2, 1, 1])
    year = a.select_slider("Projection year", YEARS, value=2028, key="cv_year",
                           help=f"Bed need of people aged 65+ by year: {defaults.bed_demand_source}")
    sites = b.number_input("New sites to suggest", 0, 10, 3, key="cv_sites")
    minutes = c.number_input("Site reach (minutes)", 5.0, 60.0, 20.0, 5.0, key="cv_minutes")
    with st.expander("Assumptions: drive-time bands, E2SFCA weights, free beds, bed need"):
        d, e, f, g = st.columns(4)
        bands = tuple(sorted({d.number_input("Band 1 (min)", 1.0, 120.0, 10.0, key="cv_b1"),
                              e.number_input("Band 2 (min)", 1.0, 120.0, 20.0, key="cv_b2"),
                              f.number_input("Band 3 (min)", 1.0, 120.0, 30.0, key="cv_b3")}))
        free = g.number_input("Beds kept free (%)", 0.0, 30.0, defaults.free_bed_share * 100, 0.5, key="cv_free",
                              help=council.source("free_bed_share"))
        h, i, j = st.columns(3)
        w = (h.number_input(f"Weight ≤ {bands[0]:g} min", 0.0, 1.0, 1.0, 0.01, key="cv_w1"),
             i.number_input(f"Weight ≤ {bands[min(1, len(bands) - 1)]:g} min", 0.0, 1.0, 0.68, 0.01, key="cv_w2"),
             j.number_input(f"Weight ≤ {bands[-1]:g} min", 0.0, 1.0, 0.22, 0.01, key="cv_w3"))
        columns = st.columns(len(defaults.bed_demand))
        need = {year_: column.number_input(f"Bed need {year_} (65+)", 0.0, 100_000.0, float(round(value)), 10.0,
                                           key=f"cv_need_{council.slug}_{year_}", help=defaults.bed_demand_source)
                for column, (year_, value) in zip(columns, sorted(defaults.bed_demand.items()))}
    weights = dict(zip(bands, w))
    return year, dataclasses.replace(defaults, thresholds_min=bands, e2sfca_weights=weights, free_bed_share=free / 100,
                                     bed_demand=need), int(sites), float(minutes)


def build_coverage_map(data: CouncilData, result: cv.CoverageResult, gaps: pd.DataFrame, *, sites: gpd.GeoDataFrame,
                       measure: str, engine: TravelEngine, tiles: bool) -> folium.Map:
    """Homes sized by beds, the chosen measure by LSOA, drive-time bands, gaps and suggested sites."""
    fmap = maps.new_map(data.outline, tiles=tiles)
    table = result.areas["lsoa21_code"]
    lsoa = data.lsoa.join(table[["access", "minutes_mean", "beds_per_1000_65", "bed_demand", "homes"]], on="lsoa21_code")
    label, formatter = MEASURES[measure]
    edges = maps.quantile_bins(lsoa[measure])
    first, *_, last = result.settings.thresholds_min
    maps.add_polygons(fmap, lsoa, label, [
        maps.tooltip_html(f"{r.lsoa21_name} ({r.lsoa21_code})", [
            ("Aged 65+", f"{r.pop_65plus:,.0f}"), ("Access (E2SFCA)", f"{r.access:.1f} beds per 1,000"),
            ("Minutes to nearest home", f"{r.minutes_mean:.0f}"), ("Homes in area", int(r.homes)),
            (f"Bed demand {result.year}", f"{r.bed_demand:.0f}")]) for r in lsoa.itertuples()],
        fill_colours=maps.classify(lsoa[measure], edges, palette=maps.SEQUENTIAL), fill_opacity=0.65, line_weight=0.4)
    bands = [0.0, *result.settings.thresholds_min, np.inf]
    colours = ["#1a9850", "#fee08b", "#fc8d59", "#d73027", "#67001f"]
    minutes = result.postcodes["minutes_nearest"].to_numpy()
    band = np.clip(np.searchsorted(bands, minutes, side="left") - 1, 0, len(bands) - 2)
    names = [f"≤ {b:g} min" for b in result.settings.thresholds_min] + [f"> {last:g} min"]
    maps.add_points(fmap, result.postcodes, "Drive time to nearest home (postcodes)", [
        maps.tooltip_html(r.postcode, [("Nearest home", f"{r.minutes_nearest:.0f} min"),
                                       ("Nearest with nursing", f"{r.minutes_nursing:.0f} min"
                                        if np.isfinite(r.minutes_nursing) else "none within reach")])
        for r in result.postcodes.itertuples()], colour=[colours[b] for b in band], radius=2, show=False)
    gap_areas = lsoa[lsoa["lsoa21_code"].isin(gaps.index)]
    maps.add_polygons(fmap, gap_areas, f"Gaps (top {len(gap_areas)})", [
        maps.tooltip_html(f"Gap: {r.lsoa21_name}", [("Access", f"{r.access:.1f}"), ("Aged 65+", f"{r.pop_65plus:,.0f}")])
        for r in gap_areas.itertuples()], line_colour="#d7301f", line_weight=3)
    homes = result.homes
    maps.add_points(fmap, homes, f"Care homes ({len(homes)})", [
        maps.tooltip_html(r.name, [("Beds", f"{r.beds:.0f}" + (" (ASSUMED)" if r.beds_assumed else "")),
                                   ("Nursing", "yes" if r.nursing else "no"), ("Postcode", r.postcode or "—")])
        for r in homes.itertuples()], colour=np.where(homes["nursing"], "#b2182b", "#2166ac").tolist(),
        radius=(3 + 1.2 * np.sqrt(homes["beds"])).tolist())
    if len(sites):
        maps.add_points(fmap, sites, "Suggested sites", [
            maps.tooltip_html(f"Suggested: {r.name}", [("People 65+ newly within reach", f"{r.new_people_within:,.0f}")])
            for r in sites.itertuples()], colour="#6a3d9a", radius=10)
    legend = maps.class_legend(edges, formatter) + [("#2166ac", "care home (size: beds)"),
                                                     ("#b2182b", "care home with nursing"),
                                                     ("#6a3d9a", "suggested site")]
    maps.add_legend(fmap, label, legend, note=f"Red outlines: gaps. Drive-time bands: {', '.join(names)} (layer).")
    maps.add_banner(fmap, state.method_banner(engine), warning=engine.is_estimate)
    maps.add_layer_control(fmap)
    return fmap


def _column_label(column: str) -> str:
    """Readable header of an area-table column (``pct65_within_10`` -> ``% 65+ within 10 min``)."""
    fixed = {"pop_65plus": "aged 65+", "pop_75plus": "aged 75+", "pop_85plus": "aged 85+", "homes": "homes",
             "beds": "beds", "nursing_homes": "with nursing", "minutes_mean": "minutes to nearest (65+ mean)",
             "access": "access (E2SFCA, beds/1,000 65+)", "bed_demand": "bed demand", "capacity": "capacity",
             "shortfall": "shortfall (+) / spare (−)"}
    if column in fixed:
        return fixed[column]
    if column.startswith("beds_per_1000_"):
        return f"beds per 1,000 aged {column[-2:]}+"
    if column.startswith("pct"):
        age, threshold = column[3:5], column.rsplit("_", 1)[-1]
        return f"% {age}+ within {threshold} min"
    return column


def _levels(council: Council) -> dict[str, str]:
    return area_levels(council, *TABLE_LEVELS) | {"council": "Council"}


def _area_table(council: Council, result: cv.CoverageResult) -> None:
    levels = _levels(council)
    level = st.radio("Areas", list(levels), format_func=levels.get, horizontal=True, key="cv_level",
                     index=list(levels).index("locality_name"))
    table = result.areas[level]
    shown = table.reset_index(names=levels[level]).rename(columns=_column_label)
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        _column_label(column): st.column_config.NumberColumn(format="%.0f" if column in ("homes", "nursing_homes")
                                                             else "%.1f") for column in table.columns})


def page() -> None:
    """Render the Care-home coverage page."""
    council = state.current_council()
    engine = state.travel_engine()
    data = state.council_data_for(council.slug, engine.token, engine)
    st.title("Care-home coverage")
    documented = (f" {council.name} documents {council.care_homes} homes and {council.care_home_beds:,} beds."
                  if council.care_home_beds else "")
    st.caption("Where are older people far from care-home beds, now and as demand grows?" + documented)
    widgets.engine_note(engine)
    homes, source, notes = _homes(council, data)
    if homes is None:
        st.info("No care homes loaded yet. Upload the CQC care directory (or your own list) to map coverage. No CQC "
                "file ships with the tool, and none is invented.")
        return
    year, settings, site_count, site_minutes = _settings(council)
    inputs = {"slug": council.slug, "engine_token": engine.token, "_engine": engine, "homes_key": state.homes_key(homes),
              "_homes": homes, "year": year, "settings_key": repr(settings), "_settings": settings}
    result = state.coverage_result(**inputs)
    gaps = cv.named_gaps(result, data)
    choice = state.coverage_sites(**inputs, sites=site_count, minutes=site_minutes)

    council_row = result.areas["council"].iloc[0]
    first, *_, last = settings.thresholds_min
    a, b, c, d = st.columns(4)
    a.metric("Beds per 1,000 aged 65+", f"{council_row['beds_per_1000_65']:.1f}",
             help=f"{council_row['beds']:,.0f} beds in {int(council_row['homes'])} homes in the council")
    b.metric(f"65+ within {first:g} / {last:g} min", f"{council_row[f'pct65_within_{first:g}']:.0f}% / "
                                                     f"{council_row[f'pct65_within_{last:g}']:.0f}%")
    c.metric(f"Bed demand {year}", f"{council_row['bed_demand']:,.0f}",
             help=cv.bed_demand(year, settings)[1])
    d.metric("Shortfall (+) / spare (−)", f"{council_row['shortfall']:+,.0f}",
             help=f"Demand − beds × (1 − {settings.free_bed_share:.1%})")
    measure = st.radio("Colour areas by", list(MEASURES), format_func=lambda k: MEASURES[k][0], horizontal=True,
                       key="cv_measure")
    fmap = build_coverage_map(data, result, gaps, sites=choice.sites, measure=measure, engine=engine,
                              tiles=st.session_state.get("basemap_tiles", False))
    st_folium(fmap, height=620, use_container_width=True, returned_objects=[], key=f"cv_map_{council.slug}")
    _area_table(council, result)

    st.subheader("Gaps: low access, high projected demand")
    report = reporting.CoverageReport(council.name, year, engine.method, state.method_banner(engine), source, result,
                                      gaps, choice, {}, [], notes)
    st.dataframe(report.gap_table(), hide_index=True, width="stretch")
    st.subheader("Suggested new sites")
    st.write(report.site_sentence() if site_count else "Set how many new sites to suggest above.")
    if len(choice.sites):
        st.dataframe(report.site_table(), hide_index=True, width="stretch")

    st.subheader("Report and data")
    layers = reporting.area_layers(report, data)
    levels = _levels(council)
    about = [f"Care-home coverage, {council.name}, {year}.", state.method_banner(engine), f"Care homes: {source}."]
    widgets.download_row(f"coverage_{council.slug}_{year}", {
        "CSV": lambda: exports.csv_bytes(result.areas["lsoa21_code"].reset_index(), about),
        "XLSX": lambda: exports.xlsx_bytes({levels[k]: v.reset_index() for k, v in result.areas.items() if k in levels} |
                                           {"gaps": report.gap_table(), "suggested sites": report.site_table()}, about),
        "GeoPackage": lambda: exports.gpkg_bytes(layers),
    })
    if st.button("Prepare the coverage report (PDF and HTML)", key="cv_report"):
        with st.spinner("Drawing the maps and writing the report…"):
            full = reporting.report_from(data, result, choice, engine, homes_source=source, notes=notes)
            st.session_state["cv_report_files"] = (reporting.to_pdf(full), reporting.to_html(full).encode("utf-8"))
    if st.session_state.get("cv_report_files"):
        pdf, page_html = st.session_state["cv_report_files"]
        widgets.download_row(f"coverage_report_{council.slug}_{year}", {"PDF": pdf, "HTML": page_html})
