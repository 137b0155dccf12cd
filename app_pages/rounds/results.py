"""The Round viability page's results: the verdict, the week's tables (rounds, days, carers, localities, calls not
fitted, visits), the map, providers per locality against the viability threshold, the market, and the downloads."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses import exports
from analyses import rounds as rounds_model
from analyses.rounds import workbook, workflow
from analyses.rounds.market import market_note, market_table
from analyses.rounds.settings import pounds
from app_pages.rounds.rounds_map import build_rounds_map
from geo.council import WHAT_IF, Council
from layers import catalog
from layers.council_data import CouncilData
from routing.engine import TravelEngine
from ui import state, widgets

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
                    f"is {settings.minimum_text()}.")
    if settings.money_year_note():
        st.markdown(f"**Money of the fee's year:** {settings.money_year_note()}")
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


def _providers(council: Council, data: CouncilData, report: rounds_model.WeekReport) -> rounds_model.WeekReport:
    """The providers per locality the user keeps or edits, and the viability threshold: the report with them."""
    st.subheader("Providers per PCN locality")
    planned = workflow.planned_localities(report)
    default, source = workflow.default_provider_counts(data, planned)
    a, b = st.columns([2, 1])
    with a:
        entered = st.data_editor(pd.DataFrame({"locality": planned, "providers": default.reindex(planned).to_numpy()}),
                                 hide_index=True, width="stretch",
                                 key=f"rv_providers_{council.slug}_{widgets.signature(planned)}",
                                 disabled=["locality"], column_config={"providers": st.column_config.NumberColumn(
                                     "providers sharing its rounds", min_value=1, max_value=500, step=1)})
    threshold = b.number_input("Viability threshold (hours/week per provider)", 10.0, 5000.0,
                               council.viability_hours_per_week, 10.0, key=f"rv_threshold_{council.slug}",
                               help=council.source("viability_hours_per_week"))
    report = workflow.with_providers(report, data, entered.set_index("locality")["providers"],
                                     threshold_hours=float(threshold))
    table = report.providers
    growth = {year: council.home_care_growth(year) for year in rounds_model.PROJECTION_YEARS}
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
    return report


def show_results(council: Council, data: CouncilData, report: rounds_model.WeekReport, flat: rounds_model.WeekReport, *,
                 clients: gpd.GeoDataFrame, zones: pd.DataFrame, engine: TravelEngine, synthetic: bool, label: str) -> None:
    plan = report.plan
    st.subheader(widgets.plain(f"The week's rounds for {council.name}: {label}"))  # whose verdict; a file's name as text
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
    report = _providers(council, data, report)
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
