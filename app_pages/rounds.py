"""Round viability page: plan a week of rounds with PyVRP, judge each round on its cost against its income (with
the rural uplift outside the fee zone), follow carers and continuity, and test providers per PCN locality."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry import LineString
from streamlit_folium import st_folium

from analyses import exports, fee_zones, uploads
from analyses import rounds as rounds_model
from analyses.demand import DemandAssumptions, area_share, demand_weights, synthetic_clients
from analyses.rounds import workbook
from analyses.rounds.bases import BASE_CUT
from analyses.rounds.market import market_note, market_table
from analyses.rounds.settings import MILEAGE_SOURCE, UKHCA_SOURCE, pounds
from geo.council import WHAT_IF, Council
from geo.errors import CareMapError, InputDataError
from geo.postcode import format_postcode, postcode_key
from layers import catalog
from layers.council_data import CouncilData
from layers.postcodes import postcode_index
from routing.engine import TravelEngine
from ui import maps, state, widgets

WHOLE_COUNCIL = "Whole council"
DISTRICT_PREFIX = "District: "
BUSY_DAY_CALLS = 600
"""Above this many calls on one day, say that the week may take minutes."""
ZONE_COLOURS = {rounds_model.INSIDE: "#1a1a1a", rounds_model.OUTSIDE: "#e66101"}
NOT_FITTED_COLOUR = "#d7191c"


def _signature(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


def _where(clients: gpd.GeoDataFrame) -> list:
    """Who and where the clients are (ids and coordinates to the decimetre), for keys of stored results."""
    return [clients["client_id"].tolist(), clients.geometry.x.round(1).tolist(), clients.geometry.y.round(1).tolist()]


# --- Inputs -------------------------------------------------------------------------------------------


def _first_area(data: CouncilData, localities: list[str]) -> str:
    """The area shown first: of the localities with at least half the median locality's demand (a locality far
    smaller, such as a neighbouring council's PCN holding a few border areas, is a poor example), the one whose
    people aged 65+ live most in rural areas, where rounds are hardest."""
    if len(localities) <= 1:
        return WHOLE_COUNCIL
    weights = demand_weights(data, DemandAssumptions())
    lsoa = data.lsoa.set_index("lsoa21_code")
    shares = weights.groupby(lsoa["locality_name"].reindex(weights.index)).sum().reindex(localities, fill_value=0.0)
    rural = (lsoa["pop_65plus"] * lsoa["is_rural"]).groupby(lsoa["locality_name"]).sum() / \
        lsoa["pop_65plus"].groupby(lsoa["locality_name"]).sum()
    sizeable = [name for name in localities if shares[name] >= shares.median() / 2]
    return max(sizeable, key=lambda name: (float(rural.get(name, 0.0)), -sizeable.index(name)))


def _clients(council: Council, data: CouncilData, settings: rounds_model.RoundSettings):
    """The clients to plan for, whether they are synthetic, and a label for exports."""
    source = st.radio("Clients", ["synthetic", "upload"], horizontal=True, key="rv_source",
                      format_func={"synthetic": "SYNTHETIC week of demand", "upload": "My client list"}.get)
    if source == "upload":
        uploaded = st.file_uploader("Client list: client_id, postcode (or lat/lon), calls_per_day, minutes_per_call, "
                                    "windows (e.g. morning;tea or 08:00-09:00), days_per_week",
                                    type=["csv", "xlsx", "ods", "txt"], key="rv_upload",
                                    max_upload_size=widgets.CLIENT_UPLOAD_MB)
        st.caption(widgets.UPLOAD_LIMITS)
        table = widgets.read_upload(uploaded, lambda content, name: uploads.round_clients(content, name, data, settings),
                                    key=(council.slug, settings.solver_key()))
        return (table.clients if table is not None else None), False, (f"client list {uploaded.name}" if uploaded
                                                                       else "")
    localities = sorted(data.lsoa["locality_name"].unique())
    # Two-tier councils report by district too: their districts are areas to plan as well.
    districts = sorted(data.lsoa["lad_name"].unique()) if council.two_tier else []
    areas = [WHOLE_COUNCIL, *localities, *(f"{DISTRICT_PREFIX}{name}" for name in districts)]
    a, b, c = st.columns([2, 1, 1])
    area = a.selectbox("Area", areas, index=areas.index(_first_area(data, localities)), key=f"rv_area_{council.slug}",
                       help="A PCN locality" + (" or a district" if districts else "") + " (or the whole council).")
    locality = area if area in localities else None
    district = area.removeprefix(DISTRICT_PREFIX) if area.startswith(DISTRICT_PREFIX) else None
    expected = max(1, round(council.home_care_clients * area_share(data, locality, DemandAssumptions(),
                                                                   district=district)))
    most = 2000  # a week of 2,000 clients' calls takes minutes to plan: larger areas are planned by locality
    capped = f" ({expected:,}), capped at {most:,}: plan a locality at a time" if expected > most else ""
    count = b.number_input("Number of clients", 1, most, min(expected, most), key=f"rv_count_{council.slug}_{area}",
                           help=f"Default: the council's {council.home_care_clients:,} clients × this area's share{capped}.")
    seed = c.number_input("Seed", 0, 10_000, 1, key="rv_seed", help="Same seed, same synthetic clients.")
    clients = synthetic_clients(data, locality, int(count), int(seed), district=district)
    st.caption(f"SYNTHETIC clients placed by 65+/85+ population at real postcode centroids, each visited every day; "
               f"{clients['hours_per_week'].sum():,.0f} hours/week, {clients['calls_per_day'].sum():,} calls a day. "
               f"Not real people.")
    where = f" in {area}" if area != WHOLE_COUNCIL else ""
    return clients, True, f"SYNTHETIC: {int(count)} clients{where}, seed {int(seed)}"


def _clock_table(what: str, rows: list[tuple[str, int, int]], *, key: str) -> list[tuple[str, int, int]]:
    """An editable table of named periods in clock times (call windows, shifts), read back as minutes.

    Raises
    ------
    InputDataError
        For a time that is not HH:MM, a period ending before it starts, two of one name, or none at all.
    """
    table = st.data_editor(pd.DataFrame({what: [name for name, _, _ in rows],
                                         "start": [rounds_model.clock(start) for _, start, _ in rows],
                                         "end": [rounds_model.clock(end) for _, _, end in rows]}),
                           num_rows="dynamic", key=key, width="stretch", hide_index=True)
    periods = []
    for name, start, end in zip(table[what], table["start"], table["end"]):
        name = "" if pd.isna(name) else str(name).strip()
        if not name:
            continue
        start = rounds_model.clock_minutes(start, f"start of the {name} {what}")
        end = rounds_model.clock_minutes(end, f"end of the {name} {what}")
        if end <= start:
            raise InputDataError(f"The {name} {what} ends before it starts: write the earlier time first.")
        periods.append((name, start, end))
    if not periods:
        raise InputDataError(f"Give at least one {what} (a name, a start and an end).")
    if len({name.lower() for name, _, _ in periods}) < len(periods):
        raise InputDataError(f"Two of the {what}s have the same name: give each its own.")
    return periods


def _settings(council: Council) -> rounds_model.RoundSettings:
    # Pay defaults to the legal minimum of the chosen fee's year (the fee is chosen further down the page; its last
    # choice is in the session), or the real Living Wage of that year as a what-if. Money is applied when the rounds
    # are judged, so changing it (waiting pay included) never re-plans the week.
    options = {option.key: option for option in rounds_model.fee_options(council)}
    fee = options.get(st.session_state.get(f"rv_fee_{council.slug}"), next(iter(options.values())))
    basis = st.session_state.get("rv_pay_basis", "minimum")
    defaults = rounds_model.RoundSettings.for_council(council, fee=fee, pay_basis=basis)
    with st.expander("The week: call windows, shifts, the gap between calls, carers' days (assumptions)"):
        left, right = st.columns(2)
        with left:
            st.markdown("**Call windows**: a visit starts within its window (clock times, editable; add rows for more).")
            windows = {name.lower(): (start, end) for name, start, end in _clock_table(
                "window", [(name, *span) for name, span in defaults.windows.items()], key="rv_windows")}
        with right:
            st.markdown("**Shifts**: a working carer may work each shift of the day; each shift is one round.")
            shifts = tuple(rounds_model.Shift(*period) for period in _clock_table(
                "shift", [(shift.name, shift.start_min, shift.end_min) for shift in defaults.shifts], key="rv_shifts"))
        a, b, c = st.columns(3)
        gap = a.number_input("Least gap between a client's calls (hours)", 0.0, 8.0, defaults.min_gap_minutes / 60,
                             0.25, key="rv_gap", help="From the end of one call to the start of the next. Windows "
                                                      "are cut where needed so every plan keeps it.")
        days = b.slider("Days a week each carer works", 1, 7, defaults.carer_days_per_week, key="rv_days",
                        help="Consecutive days off, spread so about the same number of carers work each day.")
        longest = c.number_input("Longest round (h, leaving the base to returning)", 1.0, 14.0,
                                 defaults.max_paid_hours, 0.5, key="rv_paid")
    with st.expander("Pay, verdict thresholds and search effort (assumptions)", expanded=True):
        st.radio("Carer pay follows", list(rounds_model.PAY_BASES), format_func=rounds_model.PAY_BASES.get,
                 horizontal=True, key="rv_pay_basis",
                 help="The legal minimum is the National Living Wage in force in the fee's year (GOV.UK); the real "
                      "Living Wage is the Living Wage Foundation's voluntary rate, a what-if.")
        a, b, c, m, w = st.columns(5)
        pay = a.number_input("Carer pay (£/h)", 5.0, 50.0, step=0.01,
                             key=widgets.follows_default(f"rv_pay_{council.slug}", defaults.carer_pay_per_hour),
                             help=defaults.pay_source)
        if pay < defaults.minimum_pay_per_hour - 0.005:
            a.error(f"Below the legal minimum, £{defaults.minimum_pay_per_hour:.2f} from April "
                    f"{defaults.minimum_pay_year} (the fee's year): used only because you typed it.")
        else:
            a.caption(f"Legal minimum: {defaults.minimum_text()}.")
        on_costs = b.number_input("Employer's on-costs (% of pay)", 0.0, 100.0, defaults.wage_on_costs_pct, 0.5,
                                  key="rv_on_costs", help=f"NI, pension, holiday, sickness, training. {UKHCA_SOURCE}.")
        business = c.number_input("Business costs (% of income)", 0.0, 80.0, defaults.business_costs_pct, 0.5,
                                  key="rv_business", help=f"Office, managers, rostering, recruitment, insurance, "
                                                          f"surplus: not there to pay for the rounds. {UKHCA_SOURCE}.")
        mileage = m.number_input("Mileage (£/mile)", 0.0, 2.0, defaults.mileage_per_mile, 0.01, key="rv_mileage",
                                 help=MILEAGE_SOURCE)
        waiting = w.checkbox("Pay waiting time", defaults.pay_waiting, key="rv_waiting",
                             help="On: all time on the round is paid. Off: contact and travel only. The plan stays "
                                  "the same: only its cost changes.")
        d, e, f, g, h = st.columns(5)
        travel = d.slider("Most travel (% of paid time)", 5, 80, int(defaults.max_travel_share * 100), key="rv_travel")
        contact = e.number_input("Fewest contact hours a round", 0.0, 10.0, defaults.min_contact_hours, 0.5,
                                 key="rv_contact")
        iterations = f.select_slider("Search effort (iterations a day)", [300, 1000, 2000, 3000, 5000, 10000],
                                     value=defaults.iterations, key="rv_iterations",
                                     help="With the seed, fixes the result: same inputs, same rounds.")
        seconds = g.number_input("Time limit a day (s)", 2.0, 600.0, defaults.time_limit_s, 1.0, key="rv_seconds",
                                 help="Stops a day's search early if reached before the iterations are done (the "
                                      "result may then vary from run to run).")
        seed = h.number_input("Seed", 0, 10_000, defaults.seed, key="rv_solver_seed",
                              help="Seed of the solver and of the days each client is visited.")
    typed = abs(pay - defaults.carer_pay_per_hour) >= 0.005  # the box shows pence
    return dataclasses.replace(
        defaults, windows=windows, shifts=shifts, max_paid_hours=float(longest), min_gap_minutes=float(gap) * 60,
        carer_days_per_week=int(days), carer_pay_per_hour=float(pay) if typed else defaults.carer_pay_per_hour,
        mileage_per_mile=float(mileage), pay_source=WHAT_IF if typed else defaults.pay_source,
        wage_on_costs_pct=float(on_costs), business_costs_pct=float(business),
        pay_waiting=bool(waiting), income_per_contact_hour=defaults.income_per_contact_hour,
        rural_uplift_pct=defaults.rural_uplift_pct, max_travel_share=travel / 100, min_contact_hours=float(contact),
        iterations=int(iterations), time_limit_s=float(seconds), seed=int(seed))


def _income(council: Council, data: CouncilData, settings: rounds_model.RoundSettings, engine: TravelEngine
            ) -> tuple[rounds_model.RoundSettings, rounds_model.ZoneRule, rounds_model.FeeOption]:
    """The fee (the council's base fee net of the uplift where its figure is an average including it; its current fee;
    or a rate of the user's), the uplift and the fee zone, defaulting to the Rural fee zones page's choices."""
    st.subheader("Income")
    a, f, b, c, d, e = st.columns([2.2, 1, 1, 1, 1.3, 1.3])
    chosen = state.fee_zone_choice(council, set(data.places["name"]))
    readings = list(fee_zones.READINGS)
    reading = d.radio("Zone by", readings, index=readings.index(chosen.reading), format_func=fee_zones.READINGS.get,
                      key="rv_reading")
    froms = list(fee_zones.MEASURE_FROM)
    measure_from = e.radio("Measured from", froms, index=froms.index(chosen.measure_from),
                           format_func=fee_zones.MEASURE_FROM.get, key="rv_from")
    base = state.base_fee(council, data, engine, reading=reading, measure_from=measure_from)
    options = {option.key: option for option in rounds_model.fee_options(council, base_fee=base)}
    key = a.radio("Fee", list(options), format_func=lambda k: options[k].label, key=f"rv_fee_{council.slug}",
                  help=" · ".join(option.source for option in options.values()))
    rate = f.number_input("Fee rate (£/contact h)", 1.0, 200.0, step=0.01,
                          key=widgets.follows_default(f"rv_fee_rate_{council.slug}", options[key].fee_per_hour),
                          help="The chosen fee's rate; type your own for a what-if (paid from the same year).")
    uplift = b.number_input("Rural uplift (%)", 0.0, 200.0, council.rural_uplift_pct, 1.0,
                            key=f"rv_uplift_{council.slug}", help=council.source("rural_uplift_pct"))
    radius = c.number_input("Zone radius (miles)", 0.0, 30.0, chosen.radius_miles, 0.5, key=f"rv_radius_{council.slug}",
                            help=council.source("fee_zone_radius_miles"))
    centres = chosen.centres
    rule = rounds_model.ZoneRule(centres, float(radius), reading, measure_from)
    option = rounds_model.what_if_fee(options[key], float(rate))
    netted = (f" The council's £{base.average_per_hour:.2f} is an average over every hour with the uplift in it: the "
              f"base inside the zone is £{base.per_hour:.2f} = £{base.average_per_hour:.2f} ÷ (1 + "
              f"{council.rural_uplift_pct:g}% × {base.share.share:.1%}), {base.share.share:.1%} being the share of "
              f"{base.share.source}." if base.netted else "")
    st.caption(f"Each call is paid {option.label}, plus {uplift:g}% for clients outside the fee zone ({rule.describe()}"
               f"; the same rule as the Rural fee zones page, whose choices are the defaults here).{netted} "
               f"Uplift: {council.source_of_value('rural_uplift_pct', uplift)}.")
    changed = dataclasses.replace(settings, income_per_contact_hour=option.fee_per_hour,
                                  fee_source=f"{option.label} — {option.source}", rural_uplift_pct=float(uplift))
    return changed, rule, option


def _suggestions(council: Council, data: CouncilData, clients: gpd.GeoDataFrame, calls: gpd.GeoDataFrame, *,
                 engine: TravelEngine, settings: rounds_model.RoundSettings, locality: pd.Series) -> pd.DataFrame:
    """Suggested bases with their carers and postcodes (kept in the session per inputs: it takes a second)."""
    key = _signature(council.slug, engine.token, _where(clients),
                     calls[["call_id", "tw_start_min", "tw_end_min", "minutes"]].to_dict("list"),
                     [shift.__dict__ for shift in settings.shifts], settings.max_paid_hours,
                     settings.carer_days_per_week)
    stored = st.session_state.get("rv_suggested")
    if stored and stored["key"] == key:
        return stored["table"]
    with st.spinner("Choosing bases and counting the carers needed…"):
        candidates = rounds_model.base_candidates(data.places, data.localities,
                                                  clients.assign(locality_name=locality.to_numpy()))
        weights = calls.groupby("client_id").size().reindex(clients["client_id"]).fillna(0).to_numpy()
        chosen = rounds_model.suggest_bases_by_locality(candidates, clients, engine, weights=weights, locality=locality)
        bases = [rounds_model.Base(row.name, row.x, row.y, 0) for row in chosen.itertuples()]
        carers = rounds_model.suggest_carers(calls, bases, settings, engine=engine)
    points = gpd.GeoSeries(gpd.points_from_xy(chosen["x"], chosen["y"]), crs="EPSG:27700")
    nearest = [int(data.postcodes.distance(point).to_numpy().argmin()) for point in points]
    table = pd.DataFrame({"base": chosen["name"], "postcode": data.postcodes["postcode"].iloc[nearest].to_numpy(),
                          "carers": [carers[name] for name in chosen["name"]],
                          "calls_share": chosen["calls_share"], "mean_minutes": chosen["mean_minutes"]})
    st.session_state["rv_suggested"] = {"key": key, "table": table}
    return table


def _bases(council: Council, data: CouncilData, suggested: pd.DataFrame, settings: rounds_model.RoundSettings
           ) -> list[rounds_model.Base]:
    """The bases and carers the user keeps or edits; an emptied carers cell counts as no carers, said so."""
    st.subheader("Bases and carers")
    st.caption(f"Suggested: in each PCN locality of the clients, the best one to three of its city and towns by drive "
               f"time to its calls (a further base only when it shortens the mean drive by {BASE_CUT:.0%}), with "
               f"enough carers to fit every call any round can take, each working {settings.carer_days_per_week} days "
               f"a week and any shift of those days. Edit, add or remove rows.")
    signature = _signature(suggested.to_dict("list"))
    table = st.data_editor(suggested[["base", "postcode", "carers"]], num_rows="dynamic", hide_index=True,
                           key=f"rv_bases_{council.slug}_{signature}", width="stretch", column_config={
                               "carers": st.column_config.NumberColumn(min_value=0, max_value=2000, step=1),
                               "base": st.column_config.TextColumn(help="A name for the base")})
    st.caption(" · ".join(f"{row.base}: {row.calls_share:.0%} of calls nearest, {row.mean_minutes:.0f} min mean drive"
                          for row in suggested.itertuples()))
    lookup = postcode_index(data.postcodes)
    bases, empty = [], []
    for row in table.itertuples():
        postcode = "" if pd.isna(row.postcode) else str(row.postcode).strip()
        name = "" if pd.isna(row.base) else str(row.base).strip()
        if not postcode:
            if name:
                raise InputDataError(f"Base {name!r} has no postcode: give the postcode where its carers start.")
            continue
        key = postcode_key(postcode)
        if key not in lookup.index:
            raise InputDataError(f"Base {name or postcode!r}: {format_postcode(postcode)!r} is not a postcode in "
                                 f"{council.name}. Use a postcode in the council area.")
        if pd.isna(row.carers):
            empty.append(name or postcode)
        carers = 0 if pd.isna(row.carers) else int(row.carers)
        point = data.postcodes.geometry.iloc[int(lookup[key])]
        bases.append(rounds_model.Base(name or format_postcode(postcode), point.x, point.y, carers))
    if len({base.name for base in bases}) < len(bases):
        raise InputDataError("Two bases have the same name: give each its own.")
    if empty:
        st.warning(f"No number of carers at {widgets.plain(', '.join(empty))}: counted as 0 carers. Enter a number to use "
                   f"{'that base' if len(empty) == 1 else 'those bases'}.")
    if not bases or sum(base.carers for base in bases) == 0:
        raise InputDataError("Give at least one base with one or more carers.")
    return bases


# --- The map --------------------------------------------------------------------------------------------


def _round_lines(report: rounds_model.WeekReport, day: int, engine: TravelEngine) -> gpd.GeoDataFrame:
    """A day's rounds as lines: road paths between stops, or straight segments for estimates."""
    names, lines = [], []
    key = rounds_model.round_order(report.settings.shifts)
    for (plan_day, name), stops in sorted(report.plan.stops.items(), key=lambda item: (item[0][0], key(item[0][1]))):
        if plan_day != day:
            continue
        legs = engine.paths(stops[:-1], stops[1:])
        coordinates = [point for leg in legs for point in leg.line.coords]
        names.append(name)
        lines.append(LineString(coordinates) if len(coordinates) > 1 else LineString([stops[0], stops[0]]))
    return gpd.GeoDataFrame({"round": names}, geometry=lines, crs="EPSG:27700")


def build_rounds_map(data: CouncilData, report: rounds_model.WeekReport, *, day: int, clients: gpd.GeoDataFrame,
                     zones: pd.DataFrame, engine: TravelEngine, synthetic: bool, tiles: bool) -> folium.Map:
    """One day's rounds as coloured paths, clients by fee zone with their calls that day, bases, and the method."""
    lines = _round_lines(report, day, engine)
    fmap = maps.new_map(clients.geometry.buffer(2000) if len(clients) else data.outline, tiles=tiles)
    maps.add_polygons(fmap, data.localities, "PCN localities", [""] * len(data.localities), line_colour="#555",
                      line_weight=2, dash="6 4", interactive=False)
    maps.add_base_layer(fmap, outline=data.outline, places=data.places, localities=data.localities,
                        roads=state.main_roads(engine.token, engine))
    rounds = report.rounds[report.rounds["day"] == day].set_index("round")
    colours = [maps.LOCALITY_COLOURS[i % len(maps.LOCALITY_COLOURS)] for i in range(len(lines))]
    suffix = " (straight segments: ESTIMATE)" if engine.is_estimate else ""
    maps.add_lines(fmap, lines, f"Rounds on {rounds_model.DAY_NAMES[day]}{suffix}", [
        maps.tooltip_html(row.round, [("Carer", rounds.loc[row.round, "carer"]),
                                      ("Calls", rounds.loc[row.round, "calls"]),
                                      ("Contact / travel", f"{rounds.loc[row.round, 'contact_hours']:.1f} h / "
                                                           f"{rounds.loc[row.round, 'travel_hours']:.1f} h"),
                                      ("Cost / income", f"£{rounds.loc[row.round, 'cost']:.2f} / "
                                                        f"£{rounds.loc[row.round, 'income']:.2f}"),
                                      ("Verdict", rounds.loc[row.round, "verdict"])])
        for row in lines.itertuples()], colours=colours, dashes=["6 6" if engine.is_estimate else None] * len(lines))
    visits = report.visits[report.visits["day"] == day]
    planned = visits.groupby("client_id").apply(
        lambda group: "; ".join(f"{v.window} {v.start} ({v.round})" for v in group.itertuples()), include_groups=False)
    unserved = report.unserved[report.unserved["day"] == day] if len(report.unserved) else report.unserved
    missed = unserved.groupby("client_id")["window"].apply(", ".join) if len(unserved) else pd.Series(dtype=object)
    zone = clients["client_id"].map(zones["zone"]).fillna("")
    label = "SYNTHETIC clients" if synthetic else "Clients"
    maps.add_points(fmap, clients, f"{label} ({len(clients):,})", [
        maps.tooltip_html(f"{row.client_id} {getattr(row, 'name', '') or ''}".strip(),
                          [("Fee zone", zone.iloc[i]), (f"Calls on {rounds_model.DAY_NAMES[day]}",
                                                        planned.get(row.client_id, "none")),
                           ("Not fitted", missed.get(row.client_id, "—"))])
        for i, row in enumerate(clients.itertuples())],
        colour=[NOT_FITTED_COLOUR if c in missed.index else ZONE_COLOURS.get(z, "#1a1a1a")
                for c, z in zip(clients["client_id"], zone)], radius=4)
    bases = report.plan.bases
    maps.add_points(fmap, gpd.GeoDataFrame({"name": [b.name for b in bases]},
                                           geometry=gpd.points_from_xy([b.x for b in bases], [b.y for b in bases]),
                                           crs="EPSG:27700"),
                    "Bases", [maps.tooltip_html(b.name, [("Carers", b.carers)]) for b in bases], colour="#6a3d9a",
                    radius=9)
    maps.add_legend(fmap, f"Rounds on {rounds_model.DAY_NAMES[day]}",
                    [(colours[i], name) for i, name in enumerate(lines["round"][:8])] +
                    ([("#ffffff", f"… and {len(lines) - 8} more")] if len(lines) > 8 else []) +
                    [(ZONE_COLOURS[rounds_model.INSIDE], "client inside the fee zone"),
                     (ZONE_COLOURS[rounds_model.OUTSIDE], "client outside (rural uplift)"),
                     (NOT_FITTED_COLOUR, "client with a call not fitted"), ("#6a3d9a", "base")],
                    note=("SYNTHETIC demand. " if synthetic else "") + ("Straight segments: travel is estimated."
                                                                         if engine.is_estimate else ""))
    maps.add_banner(fmap, state.method_banner(engine), warning=engine.is_estimate)
    return maps.finish_map(fmap, clients.geometry.buffer(2000) if len(clients) else data.outline)


# --- Results --------------------------------------------------------------------------------------------

HOURS = {"contact_hours": "contact h", "travel_hours": "travel h", "idle_hours": "waiting h", "paid_hours": "paid h",
         "miles": "miles", "cost": "cost £", "income": "income £", "business_costs": "business costs £",
         "margin": "margin £",
         "cost_per_contact_hour": "cost £/contact h", "income_per_contact_hour": "income £/contact h"}


LABELS = {"day_name": "day", "rota_days": "days on the rota", "days_worked": "days with a round",
          "main_carer": "carer on most days", "calls_fitted": "calls fitted", "round_hours": "contact h of its rounds",
          "shift_name": "shift"}


def _table(frame: pd.DataFrame, **extra) -> None:
    """A results table with hours and money to two decimals and shares as percentages."""
    config = {name: st.column_config.NumberColumn(label, format="%.2f") for name, label in HOURS.items()} | {
        "travel_share": st.column_config.NumberColumn("travel share", format="percent"),
        "continuity": st.column_config.NumberColumn("continuity", format="percent")} | {
        name: st.column_config.Column(label) for name, label in LABELS.items()} | extra
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def _verdict(report: rounds_model.WeekReport, flat: rounds_model.WeekReport) -> None:
    settings = report.settings
    served, total = len(report.plan.visits), len(report.plan.calls)
    a, b, c, d, e = st.columns(5)
    # "of N" sits in the label: a value such as "14,875 of 14,875" is cut short in a fifth of the page.
    a.metric(f"Calls fitted (of {total:,})", f"{served:,}", help="Calls of the whole week, Monday to Sunday.")
    b.metric(f"Rounds viable (of {report.round_count:,})", f"{report.viable_rounds:,}",
             help="Rounds through the week (a round runs on several days), judged on their weekly totals; top-up "
                  "calls apart.")
    day_rounds = report.rounds[report.rounds["kind"] == rounds_model.ROUND]
    c.metric(f"Day rounds viable (of {len(day_rounds):,})", f"{int((day_rounds['verdict'] == 'viable').sum()):,}")
    margin = report.weekly["margin"].sum(min_count=1) if len(report.weekly) else float("nan")
    d.metric("Margin a week", pounds(margin), help="Income less business costs, pay with on-costs, and mileage, "
                                                       "all rounds.")
    mean = report.continuity["continuity"].mean() if len(report.continuity) else 0.0
    e.metric("Continuity", f"{mean:.0%}", help=f"Share of each client's calls served by the carer who serves most of "
                                               f"them (mean over clients); at most {report.best_continuity:.0%} when "
                                               f"carers work {settings.carer_days_per_week} days of 7.")
    st.markdown(f"**Verdict:** {report.viable_rounds} of {report.round_count} rounds are viable with the "
                f"{settings.rural_uplift_pct:g}% rural uplift outside the fee zone; {flat.viable_rounds} would be "
                f"without the uplift. A round is viable when its income, less {settings.business_costs_pct:g}% business "
                f"costs, covers its pay (with {settings.wage_on_costs_pct:g}% on-costs) and mileage, its travel is at "
                f"most {settings.max_travel_share:.0%} of paid time and it has at least "
                f"{settings.min_contact_hours:g} contact hours a day.")
    if settings.pay_warning():
        st.error(f"**Pay:** {settings.pay_warning()}")
    else:
        paid = ("your what-if" if settings.pay_source == WHAT_IF else settings.pay_source.split(",")[0])
        st.markdown(f"**Pay:** carers are paid £{settings.carer_pay_per_hour:.2f} an hour ({paid}); the legal minimum "
                    f"for the fee's year is {settings.minimum_text()}.")
    if report.top_up_text():
        st.markdown(f"**Stub rounds:** {report.top_up_text()}. Top-up calls are costed apart: neither viable nor "
                    f"unviable rounds.")
    waiting = float(report.weekly["idle_hours"].sum()) if len(report.weekly) else 0.0
    if waiting > 0:
        on_round = waiting + float(report.weekly[["contact_hours", "travel_hours"]].sum().sum())
        long_waits = int((report.plan.visits["wait_min"] >= 60).sum()) if len(report.plan.visits) else 0
        st.markdown(f"**Waiting:** carers wait {waiting:,.0f} hours a week between calls ({waiting / on_round:.0%} of "
                    f"their time on the rounds; {long_waits:,} waits of an hour or more), "
                    + ("paid, as set under the assumptions." if settings.pay_waiting else
                       "unpaid by default, as providers cost it: a carer may not accept it. Tick 'Pay waiting time' "
                       "under the assumptions to cost it."))


def _providers(council: Council, data: CouncilData, report: rounds_model.WeekReport) -> pd.DataFrame:
    st.subheader("Providers per PCN locality")
    planned = sorted(set(report.weekly["locality"]))
    shares = pd.Series({name: area_share(data, name, DemandAssumptions()) if name in set(data.lsoa["locality_name"])
                        else 0.0 for name in planned})
    default, source = rounds_model.default_providers(council, shares)
    a, b = st.columns([2, 1])
    with a:
        entered = st.data_editor(pd.DataFrame({"locality": planned, "providers": default.reindex(planned).to_numpy()}),
                                 hide_index=True, width="stretch", key=f"rv_providers_{council.slug}_{_signature(planned)}",
                                 disabled=["locality"], column_config={"providers": st.column_config.NumberColumn(
                                     "providers sharing its rounds", min_value=1, max_value=500, step=1)})
    threshold = b.number_input("Viability threshold (hours/week per provider)", 10.0, 5000.0,
                               council.viability_hours_per_week, 10.0, key=f"rv_threshold_{council.slug}",
                               help=council.source("viability_hours_per_week"))
    counts = entered.set_index("locality")["providers"]
    counts = counts.where(counts.notna(), default.reindex(counts.index)).astype(int)
    growth = {year: council.home_care_growth(year) for year in rounds_model.PROJECTION_YEARS}
    table = rounds_model.provider_table(report.weekly, counts, threshold_hours=threshold,
                                        growth={year: factor for year, (factor, _) in growth.items()})
    report.providers, report.threshold_hours = table, float(threshold)
    report.providers_source = source if counts.equals(default.reindex(counts.index)) else "entered on the page"
    st.caption(f"Default providers: {source}. Each locality's rounds (the rounds with most of their contact time "
               f"there) are shared out whole among its providers, largest first, each to the provider with fewest "
               f"hours; the smallest and largest provider's hours are compared with the threshold. "
               + " ".join(f"{year}: × {factor:.2f} ({text})." for year, (factor, text) in growth.items()))
    hours = ["weekly_hours", "smallest_provider_hours", "largest_provider_hours",
             *[f"hours_{year}" for year in rounds_model.PROJECTION_YEARS]]
    config = {"weekly_hours": st.column_config.NumberColumn("contact h/week", format=widgets.WHOLE),
              "smallest_provider_hours": st.column_config.NumberColumn("smallest provider h", format=widgets.WHOLE),
              "largest_provider_hours": st.column_config.NumberColumn("largest provider h", format=widgets.WHOLE),
              "providers_above": st.column_config.NumberColumn(f"providers ≥ {threshold:.0f} h"),
              "most_viable_providers": st.column_config.NumberColumn(f"most providers ≥ {threshold:.0f} h")} | {
        f"hours_{year}": st.column_config.NumberColumn(f"h/week {year}", format=widgets.WHOLE)
        for year in rounds_model.PROJECTION_YEARS} | {
        f"providers_{year}": st.column_config.NumberColumn(f"most providers ≥ {threshold:.0f} h in {year}")
        for year in rounds_model.PROJECTION_YEARS}
    st.dataframe(widgets.whole_numbers(table.reset_index(), hours), hide_index=True, width="stretch",
                 column_config=config)
    return table


def _results(council: Council, data: CouncilData, report: rounds_model.WeekReport, flat: rounds_model.WeekReport, *,
             clients: gpd.GeoDataFrame, zones: pd.DataFrame, engine: TravelEngine, synthetic: bool, label: str) -> None:
    plan = report.plan
    _verdict(report, flat)
    if not plan.feasible:
        st.error("On some day the solver found no plan keeping every window and shift; raise the search effort.")
    days = sorted(int(day) for day in plan.rounds["day"].unique())
    if days:
        day = st.radio("Day on the map", days, format_func=lambda d: rounds_model.DAY_NAMES[d], horizontal=True,
                       key="rv_map_day")
        fmap = build_rounds_map(data, report, day=int(day), clients=clients, zones=zones, engine=engine,
                                synthetic=synthetic, tiles=st.session_state.get("basemap_tiles", False))
        st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key=f"rv_map_{council.slug}")
    unfitted = len(plan.unserved)
    tabs = st.tabs(["Rounds through the week", "Each day's rounds", "Carers", "Localities",
                    f"Not fitted ({unfitted:,})", "Visits"])
    with tabs[0]:
        _table(report.weekly, days=st.column_config.NumberColumn("days it runs"),
               carers=st.column_config.NumberColumn("carers on it"))
    with tabs[1]:
        _table(report.rounds.drop(columns=["day"]))
    with tabs[2]:
        used = int((report.carers["rounds"] > 0).sum())
        st.caption(f"{used} of {len(report.carers)} carers have a round this week; each carer's week from the rota.")
        _table(report.carers)
    with tabs[3]:
        st.caption(f"Continuity: each client's calls served by their main carer (mean over the locality's clients); at "
                   f"most {report.best_continuity:.0%} when carers work {report.settings.carer_days_per_week} days of 7.")
        _table(report.localities.reset_index())
    with tabs[4]:
        if unfitted:
            counts = plan.unserved["constraint"].value_counts()
            st.caption("Binding constraints: " + ", ".join(f"{name} {count}" for name, count in counts.items()) +
                       ". Each row says what change would fit the call.")
            st.dataframe(plan.unserved.drop(columns=["day"]), hide_index=True, width="stretch")
        else:
            st.caption("Every call of the week is fitted.")
    with tabs[5]:
        st.caption("Each visit: the carer arrives after the drive, waits for the window to open where they arrive "
                   "early, then starts the visit.")
        day_sheet = workbook.plan_sheets(report, None, synthetic=synthetic)["visits"].drop(columns=["demand"])
        titles = {**exports.TITLES, **workbook.TITLES}
        st.dataframe(day_sheet, hide_index=True, width="stretch",
                     column_config={name: st.column_config.Column(titles.get(name, name)) for name in day_sheet.columns})
    _providers(council, data, report)
    _market(council, report)
    visits = workbook.plan_sheets(report, report.providers, synthetic=synthetic)["visits"]
    about = [f"Rounds for a week in {council.name}; clients: {label}.", state.method_banner(engine), report.summary(),
             f"Data vintages: {catalog.vintage_summary(council)}"]
    widgets.download_row(f"rounds_{council.slug}", {
        "XLSX": lambda: workbook.week_workbook(report, council, clients_label=label, synthetic=synthetic,
                                               engine_label=engine.label),
        "CSV": lambda: exports.csv_bytes(visits, (["SYNTHETIC demand: not real clients."] if synthetic else []) + about),
    })


def _market(council: Council, report: rounds_model.WeekReport) -> None:
    """The market as the council's documents describe it, beside the plan."""
    st.subheader("The market you enter")
    st.caption(market_note(council))
    table = market_table(council, report)
    if table.empty:
        st.info(f"{council.name}'s settings describe no home-care market.")
        return
    # A table of text wrapped in full (not a grid that cuts long sources short).
    st.table(table.drop(columns=["documented"]).rename(columns={
        "figure": "figure", "value": "council's figure", "year": "year", "source": "source",
        "your_plan": "this plan beside it"}).set_index("figure"))


def _gap_example(settings: rounds_model.RoundSettings, minutes: float) -> None:
    """How the least gap cuts the usual windows, so the planned windows are never a surprise."""
    rows = []
    for names in rounds_model.CALL_PATTERNS.values():
        windows = [settings.windows[name] for name in names if name in settings.windows]
        cut = rounds_model.separate_calls(windows, [minutes] * len(windows), settings.min_gap_minutes)
        rows.append(" · ".join(f"{name} {rounds_model.window_text(*kept) if kept else 'cannot keep the gap'}"
                               for name, kept in zip(names, cut)))
    st.caption(f"Windows planned with a {settings.min_gap_minutes / 60:g}-hour gap for {minutes:.0f}-minute calls — "
               + "; ".join(f"{count} a day: {text}" for count, text in zip(rounds_model.CALL_PATTERNS, rows)))


def page() -> None:
    """Render the Round viability page."""
    council = state.current_council()
    engine = state.travel_engine()
    data = state.council_data_for(council.slug, engine.token, engine)
    st.title("Round viability")
    st.caption("Can a provider build workable rounds of care calls here? Plan a week (Monday to Sunday) on the roads "
               "(or the labelled estimate) with the same carers and bases every day, judge each round's cost against "
               "its income with the rural uplift, see the calls that cannot be fitted and why, and test how many "
               "providers each PCN locality can keep above the viability threshold.")
    widgets.engine_note(engine)
    try:
        settings = _settings(council)
    except InputDataError as error:
        widgets.show_error(error)
        return
    clients, synthetic, label = _clients(council, data, settings)
    if clients is None or clients.empty:
        st.info("Choose a synthetic week or upload a client list to build rounds.")
        return
    calls = rounds_model.calls_for_week(clients, settings)
    _gap_example(settings, float(calls["minutes"].median()) if len(calls) else 30.0)
    busiest = int(calls.groupby("day").size().max())
    if busiest > BUSY_DAY_CALLS:
        st.warning(f"The busiest day has {busiest:,} calls: the week may take several minutes to plan. Choose a "
                   f"locality or fewer clients for a quicker answer.")
    settings, rule, _ = _income(council, data, settings, engine)
    locality = rounds_model.client_localities(clients, data.lsoa)
    try:
        suggested = _suggestions(council, data, clients, calls, engine=engine, settings=settings, locality=locality)
        bases = _bases(council, data, suggested, settings)
    except InputDataError as error:
        widgets.show_error(error)
        return
    signature = _signature(council.slug, engine.token, label, _where(clients),
                           calls[["call_id", "tw_start_min", "tw_end_min", "minutes"]].to_dict("list"),
                           [b.__dict__ for b in bases], settings.solver_key())
    stored = st.session_state.get("rv_plan")
    if st.button(f"Build rounds for the week ({len(calls):,} calls)", type="primary", key="rv_build"):
        bar = st.progress(0.0, text="Preparing…")
        try:
            plan = rounds_model.plan_week(calls, bases, engine, settings,
                                          progress=lambda done, text: bar.progress(min(max(done, 0.0), 1.0), text=text))
        except CareMapError as error:
            widgets.show_error(error)
            return
        bar.empty()
        stored = {"signature": signature, "plan": plan}
        st.session_state["rv_plan"] = stored
    if not stored or stored["signature"] != signature:
        st.info("Press the button to plan the week (seconds to a minute; the search effort is under the assumptions).")
        return
    plan: rounds_model.WeekPlan = stored["plan"]
    st.caption(f"Planned in {plan.solve_seconds:.1f} s" + (f"; {len(plan.days_reused)} day(s) had exactly an earlier "
                                                          f"day's calls and kept its rounds" if plan.days_reused else ""))
    zones = _zones(council, data, clients, engine, rule)
    report = rounds_model.judge_week(plan, settings, zones=zones, client_locality=locality, zone_rule=rule)
    flat_settings = rounds_model.RoundSettings(**{**settings.__dict__, "rural_uplift_pct": 0.0})
    flat = rounds_model.judge_week(plan, flat_settings, zones=zones, client_locality=locality, zone_rule=rule)
    _results(council, data, report, flat, clients=clients, zones=zones, engine=engine, synthetic=synthetic, label=label)


def _zones(council: Council, data: CouncilData, clients: gpd.GeoDataFrame, engine: TravelEngine,
           rule: rounds_model.ZoneRule) -> pd.DataFrame:
    """Each client inside or outside the fee zone (kept in the session per clients and rule)."""
    key = _signature(council.slug, engine.token, rule.__dict__, _where(clients))
    stored = st.session_state.get("rv_zones")
    if stored and stored["key"] == key:
        return stored["zones"]
    zones = rounds_model.client_zones(clients, data.places, engine, rule)
    st.session_state["rv_zones"] = {"key": key, "zones": zones}
    return zones
