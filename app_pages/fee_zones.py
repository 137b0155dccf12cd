"""Rural fee zones page: both readings of the radius rule, the disagreement, the uplift's cost and what-ifs."""

from __future__ import annotations

import altair as alt
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses import exports, fee_costing, fee_zones, uploads
from analyses.fee_costing import BandedScheme, Demand, FeeAssumptions
from geo.council import WHAT_IF, Council
from geo.errors import InputDataError
from layers import catalog
from layers.areas import area_levels
from layers.council_data import CouncilData
from layers.names import with_area_names
from layers.postcodes import POPULATION_SPREAD
from routing.engine import TravelEngine
from ui import maps, state, widgets

CLASS_COLOURS = {"Inside by both": "#2c7bb6", "Outside by both": "#252525", "Inside straight, outside by road": "#e7298a"}
TABLE_LEVELS = ("locality_name", "lad_code", "ward22_code", "lsoa21_code")


def _postcode_class(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(np.select([frame["disagree"], frame["inside_straight"]],
                               ["Inside straight, outside by road", "Inside by both"], "Outside by both"),
                     index=frame.index)


def _postcode_tips(frame: pd.DataFrame, label: str = "postcode") -> list[str]:
    """Tooltips of postcodes (or clients: ``label="client_id"``, with the client's name when given)."""
    def title(row) -> str:
        name = getattr(row, "name", "") if label == "client_id" else ""
        return f"{getattr(row, label)} {name or ''}".strip()

    return [
        maps.tooltip_html(title(row), [
            ("Straight line", f"{row.straight_miles:.2f} mi from {row.straight_centre}"),
            ("By road" + (" (estimate)" if row.road_method == "estimate" else ""),
             f"{row.road_miles:.2f} mi from {row.road_centre}" if np.isfinite(row.road_miles) else "no road route"),
            ("Zone", "inside" if row.inside_straight else "outside") if row.inside_straight == row.inside_road else
            ("Zone", "inside by straight line, OUTSIDE by road"),
        ])
        for row in frame.itertuples()
    ]


def build_fee_zone_map(data: CouncilData, classified: gpd.GeoDataFrame, centres: gpd.GeoDataFrame, *,
                       zones: tuple[gpd.GeoSeries, gpd.GeoSeries], reading: str, engine: TravelEngine,
                       show_all: bool, tiles: bool, clients: gpd.GeoDataFrame | None = None,
                       roads: gpd.GeoDataFrame | None = None, band: gpd.GeoSeries | None = None) -> folium.Map:
    """Map of both zone readings, the LSOA share of people aged 65+ outside, and the disagreement; without roads,
    the estimate's band of the road zone (``band``: :func:`analyses.fee_zones.road_band_zone`)."""
    straight, road = zones
    fmap = maps.new_map(data.outline, tiles=tiles)
    summary = fee_zones.area_summary(classified, "lsoa21_code")
    lsoa = data.lsoa.join(summary, on="lsoa21_code")
    share = lsoa[f"pct65_outside_{reading}"]
    edges = np.array([0, 10, 25, 50, 75, 100.0])
    measure = f"Aged 65+ outside ({fee_zones.READINGS[reading]})"
    maps.add_polygons(fmap, lsoa, f"% of 65+ outside ({fee_zones.READINGS[reading]})", [
        maps.tooltip_html(r.area_name, [(measure, f"{getattr(r, f'pct65_outside_{reading}'):.0f}%"),
                                        ("PCN locality", r.locality_name),
                                        ("Aged 65+ outside, straight line", f"{r.pct65_outside_straight:.0f}%"),
                                        ("Aged 65+ outside, by road", f"{r.pct65_outside_road:.0f}%"),
                                        ("Postcodes", r.postcodes)])
        for r in lsoa.itertuples()], fill_colours=maps.classify(share, edges), fill_opacity=0.55, line_weight=0.4)
    # Zones are drawn above the areas but never take the mouse: hovering shows the area under them. A radius of 0
    # draws no zone (everyone is outside).
    if not straight.is_empty.all():
        maps.add_polygons(fmap, gpd.GeoDataFrame(geometry=straight), "Zone: straight line", [""],
                          line_colour="#08306b", line_weight=3, dash="8 5", interactive=False)
    road_name = "Zone: by road" + (" (ESTIMATE, typical detours)" if engine.is_estimate else "")
    if not road.is_empty.all():
        maps.add_polygons(fmap, gpd.GeoDataFrame(geometry=road), road_name, [""], fill_colours=["#41ab5d"],
                          line_colour="#006d2c", line_weight=2, fill_opacity=0.18, interactive=False,
                          dash="4 4" if engine.is_estimate else None)
    if band is not None and not band.is_empty.all():
        maps.add_polygons(fmap, gpd.GeoDataFrame(geometry=band), "Zone by road: ESTIMATE band", [""],
                          fill_colours=["#fdae61"], line_colour="#d95f0e", line_weight=1, fill_opacity=0.35,
                          interactive=False)
    maps.add_base_layer(fmap, outline=data.outline, places=data.places, localities=data.localities, roads=roads)
    disagree = classified[classified["disagree"]]
    if len(disagree):  # folium cannot draw an empty layer with tooltips
        maps.add_points(fmap, disagree, f"Disagreement ({len(disagree):,} postcodes)", _postcode_tips(disagree),
                        colour=CLASS_COLOURS["Inside straight, outside by road"], radius=4)
    if show_all:
        classes = _postcode_class(classified)
        maps.add_points(fmap, classified, "Every postcode", _postcode_tips(classified),
                        colour=classes.map(CLASS_COLOURS).tolist(), radius=3)
    if clients is not None and len(clients):
        classes = _postcode_class(clients)
        maps.add_points(fmap, clients, f"Clients ({len(clients):,})", _postcode_tips(clients, "client_id"),
                        colour=classes.map(CLASS_COLOURS).tolist(), radius=6)
    maps.add_points(fmap, centres, "Centres", [maps.tooltip_html(r.name, [("Settlement", r.kind)])
                                               for r in centres.itertuples()], colour="#6a3d9a", radius=8)
    entries = maps.class_legend(edges, lambda v: f"{v:.0f}%") + list((c, k) for k, c in CLASS_COLOURS.items())
    if band is not None:
        entries.append(("#fdae61", "road zone's edge lies here (ESTIMATE band)"))
    note = ("Dashed: straight-line zone. Green: road zone" + (" at typical detours; orange: where its edge may lie "
                                                               "until roads are prepared." if band is not None else "."))
    maps.add_legend(fmap, f"% of 65+ outside ({fee_zones.READINGS[reading]}); postcodes", entries, note=note)
    maps.add_banner(fmap, state.method_banner(engine), warning=engine.is_estimate)
    return maps.finish_map(fmap, data.outline)


def _zone_controls(council: Council, data: CouncilData) -> tuple[tuple[str, ...], float, str, str]:
    places = data.places
    options = places["name"].drop_duplicates().tolist()
    left, middle, right, last = st.columns([3, 1.4, 1.4, 1.4])
    centres = left.multiselect("Centres", options, default=[c for c in council.fee_zone_centres if c in options],
                               key=state.fee_zone_key("centres", council),
                               help="The city and market towns the radius is measured from. Add or remove places.")
    radius = middle.number_input("Radius (miles)", 0.0, 30.0, float(council.fee_zone_radius_miles), 0.5,
                                 key=state.fee_zone_key("radius", council))
    measure_from = right.radio("Measured from", list(fee_zones.MEASURE_FROM), format_func=fee_zones.MEASURE_FROM.get,
                               key=state.fee_zone_key("from", council),
                               help="The documents do not say: the settlement's point or its edge.")
    reading = last.radio("Colour areas by", list(fee_zones.READINGS), format_func=fee_zones.READINGS.get,
                         key="fz_reading")
    return tuple(centres), float(radius), measure_from, reading


def _demand(data: CouncilData, classified: gpd.GeoDataFrame, engine: TravelEngine, *, centres: gpd.GeoDataFrame,
            radius: float, measure_from: str):
    """Weekly hours and clients at their locations, with their classification: modelled or uploaded."""
    source = st.radio("Hours by area from", ["model", "upload"], horizontal=True, key="fz_demand_source",
                      format_func={"model": "Modelled demand (SYNTHETIC)", "upload": "My client list"}.get)
    if source == "upload":
        uploaded = st.file_uploader("Client list: client_id, postcode (or lat/lon), hours_per_week (or the round "
                                    "columns: calls_per_day or windows, minutes_per_call, days_per_week)",
                                    type=["csv", "xlsx", "ods", "txt"],
                                    key="fz_clients", max_upload_size=widgets.CLIENT_UPLOAD_MB)
        st.caption(widgets.UPLOAD_LIMITS)
        table = widgets.read_upload(uploaded, lambda content, name: uploads.fee_zone_clients(content, name, data),
                                    key=data.council.slug)
        if table is not None:
            located = fee_zones.classify_clients(table.clients, centres, engine, radius_miles=radius,
                                                 measure_from=measure_from)
            return located, fee_costing.client_demand(located["hours_per_week"], uploaded.name), table
        st.info("Until a client list is read, the costing uses modelled demand (SYNTHETIC).")
    demand = fee_costing.modelled_demand(classified, data)
    return classified, demand, None


def _money_range(low: float, high: float) -> str:
    """A range of pounds short enough for a metric (thousands as k)."""
    return f"£{low / 1000:,.0f}k–£{high / 1000:,.0f}k" if high >= 10_000 else f"£{low:,.0f}–£{high:,.0f}"


def _costing(council: Council, data: CouncilData, located: pd.DataFrame, demand: Demand, *, engine: TravelEngine,
             radius: float, measure_from: str) -> tuple[FeeAssumptions, str]:
    a, b, c = st.columns(3)
    reading = c.radio("Costed on", list(fee_zones.READINGS), format_func=fee_zones.READINGS.get, horizontal=True,
                      key=state.fee_zone_key("cost_reading", council))
    base = state.base_fee(council, data, engine, reading=reading, measure_from=measure_from)
    fee = a.number_input("Base fee (£/hour)", 0.0, 200.0, step=0.25,
                         key=widgets.follows_default(f"fz_fee_{council.slug}", base.per_hour), help=base.source)
    uplift = b.number_input("Rural uplift (%)", 0.0, 200.0, float(council.rural_uplift_pct), 1.0,
                            key=f"fz_uplift_{council.slug}", help=council.source("rural_uplift_pct"))
    typed = abs(fee - base.per_hour) >= 0.005
    fee_source = WHAT_IF if typed else base.source
    uplift_source = council.source_of_value("rural_uplift_pct", uplift)
    if base.netted and not typed:
        st.caption(f"Base fee **£{base.per_hour:.2f}** an hour inside the zone, solved from the council's average "
                   f"**£{base.average_per_hour:.2f}** (every hour, the uplift included): £{base.average_per_hour:.2f} ÷ "
                   f"(1 + {council.rural_uplift_pct:g}% × {base.share.share:.1%}), {base.share.share:.1%} being the "
                   f"share of {base.share.source}. Uplift: {uplift_source}. "
                   f"Demand costed: {widgets.plain(demand.source)}.")
    else:
        st.caption(f"Base fee: {fee_source}. Uplift: {uplift_source}. "
                   f"Demand: {widgets.plain(demand.source)}.")  # the source names the user's file
    fee = float(fee) if typed else base.per_hour  # the box shows pence; the base is costed exactly
    fees = FeeAssumptions(fee, uplift, base_fee_source=fee_source, uplift_source=uplift_source,
                          average_fee_per_hour=None if typed else base.average_per_hour)
    outside = ~located[f"inside_{reading}"].to_numpy()
    cost = fee_costing.zone_cost(outside, demand, fees)
    band = fee_costing.road_cost_band(located, demand, fees, radius_miles=radius) if reading == "road" else None
    m1, m2, m3, m4 = st.columns(4)
    if band is None:
        m1.metric("Weekly uplift cost", f"£{cost['weekly_uplift']:,.0f}")
        m2.metric("Annual uplift cost", f"£{cost['annual_uplift']:,.0f}")
        m3.metric("Hours/week outside", f"{cost['hours_outside']:,.0f}", help=f"Inside: {cost['hours_inside']:,.0f}")
        m4.metric("Clients outside", f"{cost['clients_outside']:,.0f}", help=f"Inside: {cost['clients_inside']:,.0f}")
    else:
        low, high = band["low"], band["high"]
        typical = "At typical detours: "
        m1.metric("Weekly uplift cost (ESTIMATE)", _money_range(low["weekly_uplift"], high["weekly_uplift"]),
                  help=f"{typical}£{cost['weekly_uplift']:,.0f}")
        m2.metric("Annual uplift cost (ESTIMATE)", _money_range(low["annual_uplift"], high["annual_uplift"]),
                  help=f"{typical}£{cost['annual_uplift']:,.0f}")
        m3.metric("Hours/week outside (ESTIMATE)", f"{low['hours_outside']:,.0f}–{high['hours_outside']:,.0f}",
                  help=f"{typical}{cost['hours_outside']:,.0f}")
        m4.metric("Clients outside (ESTIMATE)", f"{low['clients_outside']:,.0f}–{high['clients_outside']:,.0f}",
                  help=f"{typical}{cost['clients_outside']:,.0f}")
        st.warning(f"No road network: the road reading is an **estimated band**, from few detours to many (eight trips "
                   f"in ten on Rutland's roads). To cost it on real roads, "
                   f"{fee_zones.prepare_roads(council.slug)}.", icon="⚠️")
    if base.netted and not typed and cost["annual_uplift"] > 0:
        doubled = fee_costing.zone_cost(outside, demand, FeeAssumptions(base.average_per_hour, uplift))
        st.caption(f"Costed at the average £{base.average_per_hour:.2f} instead, the uplift would seem to cost "
                   f"£{doubled['annual_uplift']:,.0f} a year ({doubled['annual_uplift'] / cost['annual_uplift'] - 1:.1%} "
                   f"more{' at typical detours' if band is not None else ''}): the uplift counted twice.")
    if demand.is_synthetic:
        st.caption("SYNTHETIC demand: the council's weekly hours and clients spread over postcodes by people aged "
                   "65+. Not real clients.")
    return fees, reading


def _what_ifs(council: Council, located: pd.DataFrame, demand: Demand, fees: FeeAssumptions, reading: str, *,
              radius: float):
    st.subheader("What if the radius changed?")
    radii = fee_costing.radius_what_if(fee_costing.band_readings(located), demand, fees)
    chart = radii.pivot(index="radius_miles", columns="reading", values="annual_uplift")
    st.line_chart(chart, x_label="radius (miles)", y_label="annual uplift (£)")
    wide = radii.pivot(index="radius_miles", columns="reading",
                       values=["clients_outside", "hours_outside", "annual_uplift"])
    wide.columns = [f"{measure.replace('_', ' ')} ({reading_name})" for measure, reading_name in wide.columns]
    st.dataframe(widgets.whole_numbers(wide, wide.columns).reset_index().rename(columns={"radius_miles": "radius (miles)"}),
                 hide_index=True, width="stretch",
                 column_config={"radius (miles)": st.column_config.NumberColumn(format="%g")} | {
                     name: st.column_config.NumberColumn(format=widgets.WHOLE) for name in wide.columns})

    st.subheader("Banded schemes")
    st.caption("Some councils pay more the farther out a client lives. The bands below are illustrative; edit the "
               "custom scheme's table to test your own.")
    custom = st.data_editor(pd.DataFrame({"from_miles": [0.0, 3.0, 6.0], "uplift_pct": [0.0, 10.0, 20.0]}),
                            num_rows="dynamic", key=f"fz_bands_{council.slug}", width="stretch",
                            column_config={"from_miles": st.column_config.NumberColumn("from (miles)", min_value=0.0),
                                           "uplift_pct": st.column_config.NumberColumn("uplift (%)", min_value=0.0,
                                                                                       max_value=200.0)})
    schemes = fee_costing.default_schemes(council, radius_miles=radius, uplift_pct=fees.uplift_pct)
    try:
        bands = fee_costing.validate_bands(list(custom.dropna().itertuples(index=False, name=None)))
        schemes.append(BandedScheme("Custom", bands))
    except InputDataError as error:
        st.error(f"Custom scheme not used: {widgets.plain(error)}")
    compared = fee_costing.scheme_costs(schemes, located[f"{reading}_miles"].to_numpy(), demand,
                                        base_fee=fees.base_fee_per_hour)
    if reading == "road" and (located["road_method"] == "estimate").any():
        st.caption("Schemes costed by road at typical detours (ESTIMATE): each may cost less or more, as the band "
                   "above shows for the current rule, until roads are prepared.")
    # Altair, not st.bar_chart: its horizontal bars put the value's title on the names' axis and cut long names.
    st.altair_chart(alt.Chart(compared).mark_bar().encode(
        x=alt.X("annual_uplift:Q", title="annual uplift (£)", axis=alt.Axis(format=",.0f")),
        y=alt.Y("scheme:N", sort=None, title=None, axis=alt.Axis(labelLimit=500)),
        tooltip=[alt.Tooltip("scheme:N"), alt.Tooltip("annual_uplift:Q", title="annual uplift (£)", format=",.0f")]),
        width="stretch")
    whole = ["clients_uplifted", "hours_uplifted", "weekly_uplift", "annual_uplift"]
    st.dataframe(widgets.whole_numbers(compared, whole), hide_index=True, width="stretch", column_config={
        "clients_uplifted": st.column_config.NumberColumn("clients uplifted", format=widgets.WHOLE),
        "hours_uplifted": st.column_config.NumberColumn("hours/week uplifted", format=widgets.WHOLE),
        "weekly_uplift": st.column_config.NumberColumn("weekly (£)", format=widgets.WHOLE),
        "annual_uplift": st.column_config.NumberColumn("annual (£)", format=widgets.WHOLE),
        "mean_uplift_pct": st.column_config.NumberColumn("mean uplift (%)", format="%.1f")})
    return radii, compared


def _exports(data: CouncilData, classified: gpd.GeoDataFrame, located: pd.DataFrame, *, demand: Demand,
             tables: dict[str, pd.DataFrame], engine: TravelEngine, settings: list[tuple[str, str]],
             zones: gpd.GeoDataFrame) -> None:
    council = data.council
    radii, compared = tables["radius what-if"], tables["banded schemes"]
    st.subheader("Download")
    st.caption("The workbook is for reading (titles with units, rounded figures, names beside codes, an About sheet); "
               "the CSV and GeoPackage keep every figure at full precision for analysis.")
    about = [("Analysis", f"Rural fee zones for {council.name}"), *settings,
             ("Travel times", engine.label), ("People at postcodes", POPULATION_SPREAD), ("Demand", demand.source),
             ("Data vintages", catalog.vintage_summary(council))]
    sheets = fee_costing.costing_sheets(data, classified, located, demand, radii=radii, schemes=compared)
    postcodes = sheets["postcodes"]
    lsoa_layer = data.lsoa[["lsoa21_code", "area_name", "geometry"]].join(
        fee_zones.area_summary(classified, "lsoa21_code"), on="lsoa21_code")
    widgets.download_row(f"fee_zones_{council.slug}", {
        "CSV": lambda: exports.csv_bytes(postcodes, [f"{item}: {text}" for item, text in about]),
        "XLSX": lambda: exports.xlsx_bytes(sheets, about),
        "GeoPackage": lambda: exports.gpkg_bytes({"postcodes": postcodes, "lsoa": lsoa_layer, "zones": zones}),
    })


AREA_COLUMNS = {
    "postcodes": "postcodes", "postcodes_outside_straight": "outside (straight)", "postcodes_outside_road":
    "outside (road)", "postcodes_disagree": "disagree", "pop65": "aged 65+", "pop65_outside_straight":
    "65+ outside (straight)", "pop65_outside_road": "65+ outside (road)", "pct65_outside_straight":
    "% 65+ outside (straight)", "pct65_outside_road": "% 65+ outside (road)",
}


def _area_tables(data: CouncilData, classified: gpd.GeoDataFrame, radius: float) -> None:
    council = data.council
    a, b, c = st.columns(3)
    total = len(classified)
    a.metric("Postcodes outside (straight)", f"{(~classified['inside_straight']).sum():,} of {total:,}")
    if (classified["road_method"] == "estimate").any():
        low, high = (int((~(classified[f"road_miles_{end}"] <= radius)).sum()) for end in fee_zones.BAND_ENDS)
        b.metric(f"Postcodes outside by road (ESTIMATE, of {total:,})", f"{low:,}–{high:,}",
                 help=f"At typical detours: {(~classified['inside_road']).sum():,}. The band runs from few detours to "
                      f"many; prepare roads for one measured figure.")
    else:
        b.metric("Postcodes outside (by road)", f"{(~classified['inside_road']).sum():,} of {total:,}")
    c.metric("Disagree", f"{classified['disagree'].sum():,}", help="Inside by straight line, outside by road.")
    levels = area_levels(council, *TABLE_LEVELS)
    level = st.radio("Areas", list(levels), format_func=levels.get, horizontal=True, key="fz_level")
    table = with_area_names(fee_zones.area_summary(classified, level).reset_index(), data, level)
    table = table.rename(columns={"area_name": "area", level: levels[level],
                                                                                   **AREA_COLUMNS})
    counts = [name for name in AREA_COLUMNS.values() if name in table and not name.startswith("%")]
    st.dataframe(widgets.whole_numbers(table, counts), hide_index=True, width="stretch",
                 column_config={name: st.column_config.NumberColumn(format=widgets.WHOLE if name in counts else "%.0f")
                                for name in AREA_COLUMNS.values()})


def page() -> None:
    """Render the Rural fee zones page."""
    council, engine, data = state.page_inputs()
    st.title("Rural fee zones")
    st.caption(f"{council.name}: home care at locations outside {council.fee_zone_radius_miles:g} miles of the "
               f"centres is paid {council.rural_uplift_pct:g}% more ({council.source('rural_uplift_pct')}). "
               f"The documents do not say whether the radius is straight-line or by road, nor from a town's centre "
               f"or edge: both readings are shown."
               + ("" if council.bundled else f" Radius and centres: {council.source('fee_zone_radius_miles')}."))
    centres_names, radius, measure_from, reading = _zone_controls(council, data)
    if not centres_names:
        st.info("Choose at least one centre to draw the zones.")
        return
    if radius == 0 and measure_from == "point":
        st.info("A radius of 0 miles draws no zone: every postcode and client is outside it and paid the uplift.")
    elif radius == 0:
        st.info("A radius of 0 miles from the edge: only postcodes and clients within the centres' own built-up "
                "extents are inside the zone; everyone else is paid the uplift.")
    classified = state.fee_zone_postcodes(council.slug, engine.token, engine, centres_names, radius, measure_from)
    straight, road, road_method = state.fee_zone_shapes(council.slug, engine.token, engine, centres_names, radius,
                                                        measure_from)
    centres = fee_zones.zone_centres(data.places, centres_names)
    widgets.engine_note(engine)
    map_area = st.container()
    st.subheader("Costing")
    located, demand, _ = _demand(data, classified, engine, centres=centres, radius=radius, measure_from=measure_from)
    fees, cost_reading = _costing(council, data, located, demand, engine=engine, radius=radius,
                                  measure_from=measure_from)
    band = fee_zones.road_band_zone(engine, centres, radius_miles=radius, measure_from=measure_from)

    with map_area:
        show_all = st.checkbox("Show every postcode on the map", value=False, key="fz_show_all",
                               help="Off by default: thousands of points slow the map down.")
        clients = located if located is not classified else None
        fmap = build_fee_zone_map(data, classified, centres, zones=(straight, road), reading=reading, engine=engine,
                                  show_all=show_all, tiles=st.session_state.get("basemap_tiles", False),
                                  clients=clients, roads=state.main_roads(engine.token, engine),
                                  band=band[0] if band else None)
        st_folium(fmap, height=600, use_container_width=True, returned_objects=[], key=f"fz_map_{council.slug}")
        st.caption(f"Road zone: {road_method}" + (f" {band[1]}; to make it real, "
                                                   f"{fee_zones.prepare_roads(council.slug)}." if band else "")
                   + f" {POPULATION_SPREAD}")
        _area_tables(data, classified, radius)

    radii, compared = _what_ifs(council, located, demand, fees, cost_reading, radius=radius)
    zones = gpd.GeoDataFrame({"reading": ["straight line", "by road" + (" (estimate)" if engine.is_estimate else "")]},
                             geometry=[straight.iloc[0], road.iloc[0]], crs=straight.crs)
    settings = [("Centres", ", ".join(centres_names)),
                ("Radius", f"{radius:g} miles from the {fee_zones.MEASURE_FROM[measure_from]}"),
                ("Base fee", f"£{fees.base_fee_per_hour:.2f} per hour ({fees.base_fee_source})"),
                *([("Council's average fee", f"£{fees.average_fee_per_hour:.2f} per hour, the uplift included")]
                  if fees.average_fee_per_hour is not None else []),
                ("Rural uplift", f"{fees.uplift_pct:g}% ({fees.uplift_source})"),
                *([("Road reading", f"ESTIMATE band: {band[1]}; to make it real, "
                                    f"{fee_zones.prepare_roads(council.slug)}")] if band else [])]
    _exports(data, classified, located, demand=demand, tables={"radius what-if": radii, "banded schemes": compared},
             engine=engine, settings=settings, zones=zones)
