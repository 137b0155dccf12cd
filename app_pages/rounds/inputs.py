"""The Round viability page's inputs: the clients (SYNTHETIC or uploaded), the week's windows, shifts and pay, the
fee and the fee zone, and the bases and carers (suggested by :mod:`analyses.rounds.workflow`, editable)."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import streamlit as st

from analyses import fee_zones, uploads
from analyses import rounds as rounds_model
from analyses.demand import DemandAssumptions, area_share, demand_weights, synthetic_clients
from analyses.rounds import workflow
from analyses.rounds.bases import BASE_CUT
from analyses.rounds.settings import DEFAULT_PAY_YEAR, MILEAGE_SOURCE, UKHCA_SOURCE
from geo.council import WHAT_IF, Council
from geo.errors import InputDataError
from geo.postcode import format_postcode, postcode_key
from layers.council_data import CouncilData
from layers.postcodes import postcode_index
from routing.engine import TravelEngine
from ui import state, widgets

WHOLE_COUNCIL = "Whole council"
DISTRICT_PREFIX = "District: "


def client_key(clients: gpd.GeoDataFrame) -> list:
    """Who and where the clients are (ids and coordinates to the decimetre), for keys of stored results."""
    return [clients["client_id"].tolist(), clients.geometry.x.round(1).tolist(), clients.geometry.y.round(1).tolist()]


def first_area(data: CouncilData, localities: list[str]) -> str:
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


def clients_input(council: Council, data: CouncilData, settings: rounds_model.RoundSettings):
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
    area = a.selectbox("Area", areas, index=areas.index(first_area(data, localities)), key=f"rv_area_{council.slug}",
                       help="A PCN locality" + (" or a district" if districts else "") + " (or the whole council). "
                            "Shown first: the most rural of the sizeable localities, where rounds are hardest.")
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


def clock_table(what: str, rows: list[tuple[str, int, int]], *, key: str) -> list[tuple[str, int, int]]:
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


def _fee_year_key(council: Council) -> str:
    return f"rv_fee_year_{council.slug}"


def _with_typed_year(council: Council, fee: rounds_model.FeeOption) -> rounds_model.FeeOption:
    """The chosen fee paid from the year typed in "Paid from (year)" further down the page (its last value is in the
    session), so that pay and the legal minimum follow it; the fee itself while the box shows its own year."""
    key = _fee_year_key(council)
    typed = st.session_state.get(key)
    if typed is None or typed == st.session_state.get(f"{key}_default"):
        return fee
    return rounds_model.what_if_fee(fee, fee.fee_per_hour, year=int(round(typed)))


def settings_input(council: Council) -> rounds_model.RoundSettings:
    # Pay defaults to the legal minimum of the chosen fee's year (the fee is chosen further down the page; its last
    # choice is in the session), or the real Living Wage of that year as a what-if. Money is applied when the rounds
    # are judged, so changing it (waiting pay included) never re-plans the week.
    options = {option.key: option for option in rounds_model.fee_options(council)}
    fee = _with_typed_year(council, options.get(st.session_state.get(f"rv_fee_{council.slug}"),
                                                next(iter(options.values()))))
    basis = st.session_state.get("rv_pay_basis", "minimum")
    defaults = rounds_model.RoundSettings.for_council(council, fee=fee, pay_basis=basis)
    with st.expander("The week: call windows, shifts, the gap between calls, carers' days (assumptions)"):
        left, right = st.columns(2)
        with left:
            st.markdown("**Call windows**: a visit starts within its window (clock times, editable; add rows for more).")
            windows = {name.lower(): (start, end) for name, start, end in clock_table(
                "window", [(name, *span) for name, span in defaults.windows.items()], key="rv_windows")}
        with right:
            st.markdown("**Shifts**: a working carer may work each shift of the day; each shift is one round.")
            shifts = tuple(rounds_model.Shift(*period) for period in clock_table(
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
        if defaults.money_year_note():
            a.caption(defaults.money_year_note())
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
                                     help="With the seed, fixes the result: same inputs, same rounds, unless the time "
                                          "limit stops the search first.")
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


def income_input(council: Council, data: CouncilData, settings: rounds_model.RoundSettings, engine: TravelEngine
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
                          help="The chosen fee's rate; type your own for a what-if.")
    year = f.number_input("Paid from (year)", 2015.0, 2040.0, step=1.0, format="%.0f",
                          key=widgets.follows_default(_fee_year_key(council), options[key].year or DEFAULT_PAY_YEAR),
                          help="The year the fee is paid from, whose legal minimum pay applies: the chosen fee's own "
                               "year, or the year of a fee you type (e.g. this year's, for today's rounds).")
    uplift = b.number_input("Rural uplift (%)", 0.0, 200.0, council.rural_uplift_pct, 1.0,
                            key=f"rv_uplift_{council.slug}", help=council.source("rural_uplift_pct"))
    radius = c.number_input("Zone radius (miles)", 0.0, 30.0, chosen.radius_miles, 0.5, key=f"rv_radius_{council.slug}",
                            help=council.source("fee_zone_radius_miles"))
    centres = chosen.centres
    rule = rounds_model.ZoneRule(centres, float(radius), reading, measure_from)
    option = rounds_model.what_if_fee(options[key], float(rate), year=int(round(year)))
    netted = (f" The council's £{base.average_per_hour:.2f} is an average over every hour with the uplift in it: the "
              f"base inside the zone is £{base.per_hour:.2f} = £{base.average_per_hour:.2f} ÷ (1 + "
              f"{council.rural_uplift_pct:g}% × {base.share.share:.1%}), {base.share.share:.1%} being the share of "
              f"{base.share.source}." if base.netted else "")
    st.caption(f"Each call is paid {option.label}, plus {uplift:g}% for clients outside the fee zone ({rule.describe()}"
               f"; the same rule as the Rural fee zones page, whose choices are the defaults here).{netted} "
               f"Uplift: {council.source_of_value('rural_uplift_pct', uplift)}.")
    changed = dataclasses.replace(settings, income_per_contact_hour=option.fee_per_hour,
                                  fee_source=f"{option.label} — {option.source}", rural_uplift_pct=float(uplift))
    if changed.money_year_note():  # beside the fee and its year too, not only beside pay
        st.caption(changed.money_year_note())
    return changed, rule, option


def suggested_bases(council: Council, data: CouncilData, clients: gpd.GeoDataFrame, calls: gpd.GeoDataFrame, *,
                    engine: TravelEngine, settings: rounds_model.RoundSettings, locality: pd.Series) -> pd.DataFrame:
    """Suggested bases with their carers and postcodes (kept in the session per inputs: it takes a second)."""
    key = widgets.signature(council.slug, engine.token, client_key(clients),
                            calls[["call_id", "tw_start_min", "tw_end_min", "minutes"]].to_dict("list"),
                            [shift.__dict__ for shift in settings.shifts], settings.max_paid_hours,
                            settings.carer_days_per_week)
    stored = st.session_state.get("rv_suggested")
    if stored and stored["key"] == key:
        return stored["table"]
    with st.spinner("Choosing bases and counting the carers needed…"):
        chosen = workflow.suggested_bases(data, clients, calls, engine, locality=locality)
        carers = {base.name: base.carers
                  for base in workflow.staff_bases(workflow.unstaffed(chosen), calls, settings, engine=engine)}
    points = gpd.GeoSeries(gpd.points_from_xy(chosen["x"], chosen["y"]), crs="EPSG:27700")
    nearest = [int(data.postcodes.distance(point).to_numpy().argmin()) for point in points]
    table = pd.DataFrame({"base": chosen["name"], "postcode": data.postcodes["postcode"].iloc[nearest].to_numpy(),
                          "carers": [carers[name] for name in chosen["name"]],
                          "calls_share": chosen["calls_share"], "mean_minutes": chosen["mean_minutes"]})
    st.session_state["rv_suggested"] = {"key": key, "table": table}
    return table


def bases_input(council: Council, data: CouncilData, suggested: pd.DataFrame, settings: rounds_model.RoundSettings
                ) -> list[rounds_model.Base]:
    """The bases and carers the user keeps or edits; an emptied carers cell counts as no carers, said so."""
    st.subheader("Bases and carers")
    st.caption(f"Suggested: in each PCN locality of the clients, the best one to three of its city and towns by drive "
               f"time to its calls (a further base only when it shortens the mean drive by {BASE_CUT:.0%}), with "
               f"enough carers to fit every call any round can take, each working {settings.carer_days_per_week} days "
               f"a week and any shift of those days. Edit, add or remove rows.")
    signature = widgets.signature(suggested.to_dict("list"))
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


def gap_example(settings: rounds_model.RoundSettings, minutes: float) -> None:
    """How the least gap cuts the usual windows, so the planned windows are never a surprise."""
    rows = []
    for names in rounds_model.CALL_PATTERNS.values():
        windows = [settings.windows[name] for name in names if name in settings.windows]
        cut = rounds_model.separate_calls(windows, [minutes] * len(windows), settings.min_gap_minutes)
        rows.append(" · ".join(f"{name} {rounds_model.window_text(*kept) if kept else 'cannot keep the gap'}"
                               for name, kept in zip(names, cut)))
    st.caption(f"Windows planned with a {settings.min_gap_minutes / 60:g}-hour gap for {minutes:.0f}-minute calls — "
               + "; ".join(f"{count} a day: {text}" for count, text in zip(rounds_model.CALL_PATTERNS, rows)))
