"""Round viability page: build a day's rounds with PyVRP, judge each round, and test providers per PCN."""

from __future__ import annotations

import hashlib
import json

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry import LineString
from streamlit_folium import st_folium

from analyses import exports, uploads
from analyses import rounds as rounds_model
from analyses.demand import DemandAssumptions, lsoa_weights, synthetic_clients
from geo.council import Council
from geo.errors import CareMapError, InputDataError
from geo.postcode import format_postcode, postcode_key
from layers.council_data import CouncilData
from layers.postcodes import assign_lsoa, postcode_index
from routing.engine import TravelEngine
from ui import maps, state, widgets

WHOLE_COUNCIL = "Whole council"
DEFAULT_PROVIDERS_PER_LOCALITY = 8


def _clock_to_minutes(text: str) -> int:
    hours, minutes = str(text).strip().split(":")
    return int(hours) * 60 + int(minutes)


def _clients(council: Council, data: CouncilData, settings: rounds_model.RoundSettings):
    """The clients to plan for, and whether they are synthetic."""
    source = st.radio("Clients", ["synthetic", "upload"], horizontal=True, key="rv_source",
                      format_func={"synthetic": "SYNTHETIC day of demand", "upload": "My client list"}.get)
    if source == "upload":
        uploaded = st.file_uploader("Client list: client_id, postcode (or lat/lon), calls_per_day, minutes_per_call, "
                                    "windows (e.g. morning;tea or 08:00-09:00), days_per_week",
                                    type=["csv", "xlsx", "txt"], key="rv_upload", help=widgets.UPLOAD_LIMITS)
        st.caption(widgets.UPLOAD_LIMITS)
        table = widgets.read_upload(uploaded, lambda content, name: uploads.round_clients(content, name, data, settings))
        return (table.clients if table is not None else None), False, (uploaded.name if uploaded else "")
    localities = [WHOLE_COUNCIL, *sorted(data.lsoa["locality_name"].unique())]
    a, b, c = st.columns([2, 1, 1])
    default_area = 1 if len(localities) > 2 else 0
    area = a.selectbox("Area", localities, index=default_area, key=f"rv_area_{council.slug}")
    locality = None if area == WHOLE_COUNCIL else area
    share = DemandAssumptions()
    expected = max(1, round(council.home_care_clients * (1.0 if locality is None else float(
        lsoa_weights(data.lsoa, share).reindex(data.lsoa.loc[data.lsoa["locality_name"] == locality,
                                                             "lsoa21_code"]).sum()))))
    count = b.number_input("Number of clients", 1, 2000, expected, key=f"rv_count_{council.slug}_{area}",
                           help=f"Default: the council's {council.home_care_clients:,} clients × this area's share.")
    seed = c.number_input("Seed", 0, 10_000, 1, key="rv_seed", help="Same seed, same synthetic clients.")
    clients = synthetic_clients(data, locality, int(count), int(seed))
    st.caption(f"SYNTHETIC clients placed by 65+/85+ population at real postcode centroids; "
               f"{clients['hours_per_week'].sum():,.0f} hours/week, {clients['calls_per_day'].sum():,} calls a day. "
               f"Not real people.")
    return clients, True, f"synthetic seed {seed}"


def _settings(council: Council) -> rounds_model.RoundSettings:
    defaults = rounds_model.RoundSettings.for_council(council)
    with st.expander("Assumptions: shifts, pay, thresholds (none of these is in the council documents)"):
        shifts = st.data_editor(pd.DataFrame({"shift": [s.name for s in defaults.shifts],
                                              "start": [rounds_model.clock(s.start_min) for s in defaults.shifts],
                                              "end": [rounds_model.clock(s.end_min) for s in defaults.shifts]}),
                                num_rows="dynamic", key="rv_shifts", width="stretch")
        a, b, c, d = st.columns(4)
        paid = a.number_input("Longest paid round (h)", 1.0, 14.0, defaults.max_paid_hours, 0.5, key="rv_paid")
        pay = b.number_input("Carer pay (£/h)", 5.0, 50.0, defaults.carer_pay_per_hour, 0.1, key="rv_pay")
        mileage = c.number_input("Mileage (£/mile)", 0.0, 2.0, defaults.mileage_per_mile, 0.01, key="rv_mileage")
        income = d.number_input("Provider paid (£/contact h)", 5.0, 100.0, defaults.income_per_contact_hour, 0.05,
                                key="rv_income")
        e, f, g, h, k = st.columns(5)
        travel = e.slider("Most travel (% of paid time)", 5, 80, int(defaults.max_travel_share * 100), key="rv_travel")
        contact = f.number_input("Fewest contact hours a round", 0.0, 10.0, defaults.min_contact_hours, 0.5,
                                 key="rv_contact")
        iterations = g.select_slider("Search effort (iterations)", [300, 1000, 2000, 3000, 5000, 10000],
                                     value=defaults.iterations, key="rv_iterations",
                                     help="With the seed, fixes the result: same inputs, same rounds.")
        seconds = h.number_input("Time limit (s)", 2.0, 600.0, defaults.time_limit_s, 1.0, key="rv_seconds",
                                 help="Stops the search early if reached before the iterations are done (the "
                                      "result may then vary from run to run).")
        seed = k.number_input("Solver seed", 0, 10_000, defaults.seed, key="rv_solver_seed")
    try:
        shift_list = tuple(rounds_model.Shift(str(row.shift), _clock_to_minutes(row.start), _clock_to_minutes(row.end))
                           for row in shifts.dropna().itertuples())
    except (ValueError, AttributeError):
        raise InputDataError("Shift times must be written as HH:MM (e.g. 07:00).") from None
    if not shift_list or any(shift.end_min <= shift.start_min for shift in shift_list):
        raise InputDataError("Each shift needs a start before its end (HH:MM).")
    return rounds_model.RoundSettings(shifts=shift_list, max_paid_hours=paid, carer_pay_per_hour=pay,
                                      mileage_per_mile=mileage, income_per_contact_hour=income,
                                      max_travel_share=travel / 100, min_contact_hours=contact,
                                      iterations=int(iterations), time_limit_s=float(seconds), seed=int(seed))


def _default_base(data: CouncilData, clients: gpd.GeoDataFrame) -> tuple[str, str]:
    """The city or town nearest the clients' middle, as (name, postcode of the nearest postcode)."""
    towns = data.places[data.places["kind"].isin(["city", "town"])]
    towns = towns if len(towns) else data.places
    middle = clients.geometry.union_all().centroid
    town = towns.iloc[int(towns.distance(middle).to_numpy().argmin())]
    postcode = data.postcodes.iloc[int(data.postcodes.distance(town.geometry).to_numpy().argmin())]["postcode"]
    return str(town["name"]), str(postcode)


def _bases(council: Council, data: CouncilData, clients: gpd.GeoDataFrame, calls: pd.DataFrame) -> list[rounds_model.Base]:
    name, postcode = _default_base(data, clients)
    suggested = rounds_model.suggest_carers(calls)
    st.caption(f"Carers start and end at their base. Suggested: {suggested} carers (enough to cover the busiest call "
               f"window); each works every shift.")
    table = st.data_editor(pd.DataFrame({"base": [name], "postcode": [postcode], "carers": [suggested]}),
                           num_rows="dynamic", key=f"rv_bases_{council.slug}_{name}_{suggested}", width="stretch",
                           column_config={"carers": st.column_config.NumberColumn(min_value=0, max_value=500, step=1)})
    lookup = postcode_index(data.postcodes)
    bases = []
    for row in table.dropna(subset=["postcode"]).itertuples():
        key = postcode_key(row.postcode)
        if key not in lookup.index:
            raise InputDataError(f"Base {row.base!r}: {format_postcode(row.postcode)!r} is not a postcode in "
                                 f"{council.name}. Use a postcode in the council area.")
        point = data.postcodes.geometry.iloc[int(lookup[key])]
        bases.append(rounds_model.Base(str(row.base or row.postcode), point.x, point.y, int(row.carers or 0)))
    if not bases or sum(base.carers for base in bases) == 0:
        raise InputDataError("Give at least one base with one or more carers.")
    return bases


def _signature(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


def _round_lines(plan: rounds_model.RoundPlan, engine: TravelEngine) -> gpd.GeoDataFrame:
    """Each round as one line: road paths between stops, or straight segments for estimates."""
    names, lines = [], []
    for name, stops in plan.stops.items():
        legs = engine.paths(stops[:-1], stops[1:])
        coordinates = [point for leg in legs for point in leg.line.coords]
        names.append(name)
        lines.append(LineString(coordinates) if len(coordinates) > 1 else LineString([stops[0], stops[0]]))
    return gpd.GeoDataFrame({"round": names}, geometry=lines, crs="EPSG:27700")


def build_rounds_map(data: CouncilData, plan: rounds_model.RoundPlan, judged: pd.DataFrame, *,
                     clients: gpd.GeoDataFrame, bases: list[rounds_model.Base], engine: TravelEngine, synthetic: bool,
                     tiles: bool) -> folium.Map:
    """Rounds as coloured paths, clients with their call times, bases, and the method label."""
    lines = _round_lines(plan, engine)
    fmap = maps.new_map(clients.geometry.buffer(2000) if len(clients) else data.outline, tiles=tiles)
    maps.add_polygons(fmap, data.localities, "PCN localities",
                      [maps.tooltip_html(n, []) for n in data.localities["locality_name"]],
                      line_colour="#555", line_weight=2, dash="6 4")
    info = judged.set_index("round")
    colours = [maps.LOCALITY_COLOURS[i % len(maps.LOCALITY_COLOURS)] for i in range(len(lines))]
    suffix = " (straight segments: ESTIMATE)" if engine.is_estimate else ""
    maps.add_lines(fmap, lines, f"Rounds{suffix}", [
        maps.tooltip_html(row.round, [("Calls", info.loc[row.round, "calls"]),
                                      ("Contact / travel", f"{info.loc[row.round, 'contact_hours']:.1f} h / "
                                                           f"{info.loc[row.round, 'travel_hours']:.1f} h"),
                                      ("Verdict", info.loc[row.round, "verdict"])])
        for row in lines.itertuples()], colours=colours, dashes=["6 6" if engine.is_estimate else None] * len(lines))
    visits = plan.visits.groupby("client_id").apply(
        lambda group: "; ".join(f"{v.window} {v.start} ({v.round})" for v in group.itertuples()), include_groups=False)
    missed = plan.unserved.groupby("client_id")["window"].apply(lambda w: ", ".join(w))
    label = "SYNTHETIC clients" if synthetic else "Clients"
    maps.add_points(fmap, clients, f"{label} ({len(clients):,})", [
        maps.tooltip_html(f"{row.client_id} {row.name or ''}".strip(),
                          [("Calls", visits.get(row.client_id, "none planned")),
                           ("Not fitted", missed.get(row.client_id, "—"))])
        for row in clients.itertuples()],
        colour=["#d7191c" if c in missed.index else "#1a1a1a" for c in clients["client_id"]], radius=4)
    maps.add_points(fmap, gpd.GeoDataFrame({"name": [b.name for b in bases]},
                                           geometry=gpd.points_from_xy([b.x for b in bases], [b.y for b in bases]),
                                           crs="EPSG:27700"),
                    "Bases", [maps.tooltip_html(b.name, [("Carers", b.carers)]) for b in bases], colour="#6a3d9a",
                    radius=9)
    maps.add_legend(fmap, "Rounds", [(colours[i], name) for i, name in enumerate(lines["round"][:8])] +
                    ([("#ffffff", f"… and {len(lines) - 8} more")] if len(lines) > 8 else []) +
                    [("#1a1a1a", "client, all calls fitted"), ("#d7191c", "client with a call not fitted")],
                    note=("SYNTHETIC demand. " if synthetic else "") + ("Straight segments: travel is estimated."
                                                                         if engine.is_estimate else ""))
    maps.add_banner(fmap, state.method_banner(engine), warning=engine.is_estimate)
    maps.add_layer_control(fmap)
    return fmap


def _locality_hours(council: Council, data: CouncilData, clients: gpd.GeoDataFrame, *, synthetic: bool,
                    settings: rounds_model.RoundSettings) -> tuple[pd.Series, str]:
    """Weekly contact hours by locality: the council's demand model (synthetic) or the uploaded clients."""
    if synthetic:
        weights = lsoa_weights(data.lsoa, DemandAssumptions())
        by_locality = weights.groupby(data.lsoa.set_index("lsoa21_code")["locality_name"]).sum()
        return by_locality * council.weekly_home_care_hours, (
            f"SYNTHETIC: the council's {council.weekly_home_care_hours:,.0f} hours/week shared by 65+/85+ population")
    lsoa = assign_lsoa(clients, data.lsoa)
    locality = lsoa.map(data.lsoa.set_index("lsoa21_code")["locality_name"])
    hours = rounds_model.weekly_contact_hours(clients, settings)
    return hours.groupby(locality.to_numpy()).sum(), "your client list"


def _provider_scenario(council: Council, data: CouncilData, clients, *, synthetic, settings, judged) -> pd.DataFrame:
    st.subheader("Providers per PCN locality")
    hours, source = _locality_hours(council, data, clients, synthetic=synthetic, settings=settings)
    localities = len(hours)
    default = max(1, round(council.home_care_providers / localities)) if council.home_care_providers else \
        DEFAULT_PROVIDERS_PER_LOCALITY
    a, b = st.columns(2)
    providers = a.slider("Providers sharing each locality", 1, 20, default, key=f"rv_providers_{council.slug}",
                         help=(f"{council.home_care_providers} approved providers across {localities} localities"
                               if council.home_care_providers else "assumption"))
    threshold = b.number_input("Viability threshold (hours/week per provider)", 50.0, 2000.0,
                               council.viability_hours_per_week, 10.0, key=f"rv_threshold_{council.slug}",
                               help=council.source("viability_hours_per_week"))
    per_round = float(judged["contact_hours"].mean()) if len(judged) else 4.0
    table = rounds_model.provider_scenario(hours, providers, threshold_hours=threshold, contact_hours_per_round=per_round)
    st.caption(f"Weekly hours from {source}. Rounds per day at {per_round:.1f} contact hours a round "
               f"({'mean of the planned rounds' if len(judged) else 'assumption'}).")
    st.dataframe(table.reset_index(names="locality"), hide_index=True, width="stretch", column_config={
        "weekly_hours": st.column_config.NumberColumn("hours/week", format="%.0f"),
        "rounds_per_day": st.column_config.NumberColumn("rounds/day", format="%.1f"),
        "hours_per_provider": st.column_config.NumberColumn("hours/provider", format="%.0f"),
        "most_viable_providers": st.column_config.NumberColumn(f"providers that can each reach {threshold:.0f} h")})
    return table


def page() -> None:
    """Render the Round viability page."""
    council = state.current_council()
    engine = state.travel_engine()
    data = state.council_data_for(council.slug, engine.token, engine)
    st.title("Round viability")
    st.caption("Can a provider build workable rounds of care calls here? Build a day's rounds on the roads (or the "
               "labelled estimate), see travel against contact time, the calls that cannot be fitted and why, and "
               "test how many providers each PCN locality can keep above the viability threshold.")
    widgets.engine_note(engine)
    try:
        settings = _settings(council)
    except InputDataError as error:
        st.error(str(error))
        return
    clients, synthetic, label = _clients(council, data, settings)
    if clients is None or clients.empty:
        st.info("Choose a synthetic day or upload a client list to build rounds.")
        return
    calls = rounds_model.calls_for_day(clients, settings)
    st.subheader("Carers")
    try:
        bases = _bases(council, data, clients, calls)
    except InputDataError as error:
        st.error(str(error))
        return
    signature = _signature(council.slug, engine.token, label, clients[["client_id"]].to_dict("list"),
                           calls[["call_id", "tw_start_min", "tw_end_min", "minutes"]].to_dict("list"),
                           [b.__dict__ for b in bases], settings.solver_key())
    stored = st.session_state.get("rv_plan")
    if st.button(f"Build rounds for {len(calls):,} calls", type="primary", key="rv_build"):
        bar = st.progress(0.0, text="Preparing…")
        try:
            plan = rounds_model.plan_rounds(calls, bases, engine, settings,
                                            progress=lambda done, text: bar.progress(done, text=text))
        except CareMapError as error:
            st.error(str(error))
            return
        bar.empty()
        stored = {"signature": signature, "plan": plan}
        st.session_state["rv_plan"] = stored
    if not stored or stored["signature"] != signature:
        st.info("Press the button to build the rounds (a few seconds; the search effort is under Assumptions).")
        _provider_scenario(council, data, clients, synthetic=synthetic, settings=settings,
                           judged=pd.DataFrame(columns=["contact_hours"]))
        return
    plan: rounds_model.RoundPlan = stored["plan"]
    if not plan.feasible:
        st.error("The solver found no plan that keeps every window and shift; raise the search effort or add carers.")
    judged = rounds_model.judge_rounds(plan.rounds, settings)
    _results(data, plan, judged, clients=clients, bases=bases, engine=engine, synthetic=synthetic, settings=settings,
             label=label)


def _results(data, plan, judged, *, clients, bases, engine, synthetic, settings, label) -> None:
    council = data.council
    served, total = len(plan.visits), len(plan.visits) + len(plan.unserved)
    a, b, c, d = st.columns(4)
    a.metric("Calls fitted", f"{served:,} of {total:,}")
    b.metric("Rounds", f"{len(judged):,}", help=f"{(judged['verdict'] == 'viable').sum():,} viable")
    share = judged["travel_hours"].sum() / judged["paid_hours"].sum() if len(judged) else 0.0
    c.metric("Travel share of paid time", f"{share:.0%}")
    cost = judged["cost"].sum() / judged["contact_hours"].sum() if len(judged) else 0.0
    d.metric("Cost per contact hour", f"£{cost:.2f}", help="Carer pay for all paid time plus mileage.")
    fmap = build_rounds_map(data, plan, judged, clients=clients, bases=bases, engine=engine, synthetic=synthetic,
                            tiles=st.session_state.get("basemap_tiles", False))
    st_folium(fmap, height=600, use_container_width=True, returned_objects=[], key=f"rv_map_{council.slug}")
    st.subheader("Rounds")
    labels = {"contact_hours": "contact h", "travel_hours": "travel h", "idle_hours": "idle h", "paid_hours": "paid h",
              "miles": "miles", "cost": "cost (£)", "cost_per_contact_hour": "£ per contact h"}
    st.dataframe(judged, hide_index=True, width="stretch", column_config={
        name: st.column_config.NumberColumn(label, format="%.2f") for name, label in labels.items()} | {
        "travel_share": st.column_config.NumberColumn("travel share", format="percent")})
    if len(plan.unserved):
        st.subheader(f"Calls not fitted ({len(plan.unserved):,})")
        st.dataframe(plan.unserved, hide_index=True, width="stretch")
    with st.expander(f"Every visit ({len(plan.visits):,})"):
        st.dataframe(plan.visits.drop(columns=["x", "y"]), hide_index=True, width="stretch")
    scenario = _provider_scenario(council, data, clients, synthetic=synthetic, settings=settings, judged=judged)
    about = [f"Rounds for {council.name}, clients: {label}.", state.method_banner(engine), f"Assumptions: {settings!r}"]
    if synthetic:
        about.insert(0, "SYNTHETIC demand: not real clients.")
    visits = plan.visits.assign(demand="SYNTHETIC" if synthetic else "uploaded")
    widgets.download_row(f"rounds_{council.slug}", {
        "CSV": lambda: exports.csv_bytes(visits, about),
        "XLSX": lambda: exports.xlsx_bytes({"rounds": judged, "visits": visits, "not fitted": plan.unserved,
                                            "providers per locality": scenario.reset_index(names="locality")}, about),
    })
