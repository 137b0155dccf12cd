"""Round viability page: plan a week of rounds with PyVRP, judge each round on its cost against its income (with
the rural uplift outside the fee zone), follow carers and continuity, and test providers per PCN locality.

The page takes the steps of :mod:`analyses.rounds.workflow` (the public API's too) one at a time, between the
choices it offers: its inputs (:mod:`app_pages.rounds.inputs`), the plan kept in the session, and its results
(:mod:`app_pages.rounds.results`, with the map of :mod:`app_pages.rounds.rounds_map`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from analyses import rounds as rounds_model
from app_pages.rounds.inputs import (
    bases_input,
    client_key,
    clients_input,
    gap_example,
    income_input,
    settings_input,
    suggested_bases,
)
from app_pages.rounds.results import show_results
from geo.council import Council
from geo.errors import CareMapError, InputDataError
from layers.council_data import CouncilData
from routing.engine import TravelEngine
from ui import state, widgets

BUSY_DAY_CALLS = 600
"""Above this many calls on one day, say that the week may take minutes."""


def page() -> None:
    """Render the Round viability page."""
    council, engine, data = state.page_inputs()
    st.title("Round viability")
    st.caption("Can a provider build workable rounds of care calls here? Plan a week (Monday to Sunday) on the roads "
               "(or the labelled estimate) with the same carers and bases every day, judge each round's cost against "
               "its income with the rural uplift, see the calls that cannot be fitted and why, and test how many "
               "providers each PCN locality can keep above the viability threshold.")
    widgets.engine_note(engine)
    try:
        settings = settings_input(council)
    except InputDataError as error:
        widgets.show_error(error)
        return
    clients, synthetic, label = clients_input(council, data, settings)
    if clients is None or clients.empty:
        st.info("Choose a synthetic week or upload a client list to build rounds.")
        return
    calls = rounds_model.calls_for_week(clients, settings)
    gap_example(settings, float(calls["minutes"].median()) if len(calls) else 30.0)
    busiest = int(calls.groupby("day").size().max())
    if busiest > BUSY_DAY_CALLS:
        st.warning(f"The busiest day has {busiest:,} calls: the week may take several minutes to plan. Choose a "
                   f"locality or fewer clients for a quicker answer.")
    settings, rule, _ = income_input(council, data, settings, engine)
    locality = rounds_model.client_localities(clients, data.lsoa)
    try:
        suggested = suggested_bases(council, data, clients, calls, engine=engine, settings=settings, locality=locality)
        bases = bases_input(council, data, suggested, settings)
    except InputDataError as error:
        widgets.show_error(error)
        return
    signature = widgets.signature(council.slug, engine.token, label, client_key(clients),
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
    zones = fee_zones_of(council, data, clients, engine, rule)
    report = rounds_model.judge_week(plan, settings, zones=zones, client_locality=locality, zone_rule=rule)
    flat_settings = rounds_model.RoundSettings(**{**settings.__dict__, "rural_uplift_pct": 0.0})
    flat = rounds_model.judge_week(plan, flat_settings, zones=zones, client_locality=locality, zone_rule=rule)
    show_results(council, data, report, flat, clients=clients, zones=zones, engine=engine, synthetic=synthetic,
                 label=label)


def fee_zones_of(council: Council, data: CouncilData, clients: gpd.GeoDataFrame, engine: TravelEngine,
                 rule: rounds_model.ZoneRule) -> pd.DataFrame:
    """Each client inside or outside the fee zone (kept in the session per clients and rule)."""
    key = widgets.signature(council.slug, engine.token, rule.__dict__, client_key(clients))
    stored = st.session_state.get("rv_zones")
    if stored and stored["key"] == key:
        return stored["zones"]
    zones = rounds_model.client_zones(clients, data.places, engine, rule)
    st.session_state["rv_zones"] = {"key": key, "zones": zones}
    return zones
