"""The week's plan as tables for people: the sheets of the workbook, their titles, and the assumptions as a table.

Used by the page's download and by ``python -m caremap rounds``, so both give the same workbook:
About (from :func:`analyses.exports.xlsx_bytes`), ``rounds``, ``rounds_by_day``, ``carers``, ``localities``,
``continuity``, ``visits``, ``not_fitted``, ``merged`` (stub rounds merged into others), ``providers``, ``market``
(the council's market beside the plan) and ``assumptions``.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from analyses import exports
from analyses.rounds.market import market_note, market_table
from analyses.rounds.providers import PROJECTION_YEARS
from analyses.rounds.settings import (
    BUSINESS_COSTS_PCT,
    MILEAGE_SOURCE,
    UKHCA_SOURCE,
    WAGE_ON_COSTS_PCT,
    RoundSettings,
    clock,
    fee_option_for,
)
from analyses.rounds.viability import WeekReport
from geo.council import WHAT_IF, Council
from layers import catalog

TITLES = {
    "day_name": "Day", "carer": "Carer", "locality": "PCN locality", "days": "Days it runs", "carers": "Carers",
    "main_carer": "Carer on most days", "income": "Income (£)", "margin": "Margin (£, income − business costs − cost)",
    "business_costs": "Business costs (£, share of income)",
    "income_per_contact_hour": "Income per contact hour (£)", "zone": "Fee zone", "fee_per_hour": "Fee (£ per hour)",
    "minutes": "Visit (minutes)", "rota_days": "Days on the rota", "days_worked": "Days with a round",
    "rounds": "Rounds", "calls_fitted": "Calls fitted", "round_hours": "Contact hours of its rounds",
    "continuity_pct": "Continuity: calls by the main carer (%)", "constraint": "Constraint that binds",
    "fix": "What would fit it", "reason": "Why not fitted", "weekly_hours": "Contact hours per week",
    "smallest_provider_hours": "Smallest provider (hours per week)",
    "largest_provider_hours": "Largest provider (hours per week)", "providers_above": "Providers above the threshold",
    "viable": "Every provider above the threshold", "most_viable_providers": "Most providers kept above the threshold",
    "window_text": "Window planned (clock)", "cost": "Cost: pay with on-costs, and mileage (£)", "idle_hours": "Waiting (hours)",
    "paid_hours": "Paid (hours)", "calls": "Calls", "kind": "Kind", "arrive": "Arrive (after the drive)",
    "wait_min": "Wait for the window (minutes)", "visit_start": "Start of the visit", "finish": "Finish",
    **{f"hours_{year}": f"Contact hours per week in {year} (projected)" for year in PROJECTION_YEARS},
    **{f"providers_{year}": f"Most providers above the threshold in {year}" for year in PROJECTION_YEARS},
}
"""Titles of the plan's columns that :data:`analyses.exports.TITLES` lacks or words differently."""


def _percent(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table.assign(**{f"{column}_pct": table[column] * 100.0}).drop(columns=[column])


def plan_sheets(report: WeekReport, providers: pd.DataFrame | None, *, synthetic: bool) -> dict[str, pd.DataFrame]:
    """The tables of the workbook, in reading order (machine column names; titles come from :data:`TITLES`)."""
    rounds_by_day = report.rounds.drop(columns=["day"], errors="ignore")
    rounds_by_day = rounds_by_day[["day_name", "round", "locality",
                                   *[c for c in rounds_by_day.columns if c not in ("day_name", "round", "locality")]]]
    visits = report.visits.drop(columns=["day", "x", "y", "call_id"], errors="ignore")
    visits.insert(0, "demand", "SYNTHETIC" if synthetic else "client list")
    order = ["demand", "day_name", "round", "carer", "order", "client_id", "name", "postcode", "locality", "zone",
             "fee_per_hour", "window", "window_text", "travel_min", "miles", "arrive", "wait_min", "start", "finish",
             "minutes", "income"]
    # A carer reads arrival, the wait for the window to open and the visit's start apart: "Arrive 10:00" alone
    # would send them to a call whose window opens at 12:00.
    visits = visits[[column for column in order if column in visits.columns]].rename(columns={"start": "visit_start"})
    not_fitted = report.unserved.drop(columns=["day"], errors="ignore")
    weekly = report.weekly[["round", "locality", *[c for c in report.weekly.columns if c not in ("round", "locality")]]]
    continuity = _percent(report.continuity.reset_index(), "continuity")
    localities = _percent(report.localities.reset_index(), "continuity")
    sheets = {"rounds": weekly, "rounds_by_day": rounds_by_day, "carers": report.carers, "localities": localities,
              "continuity": continuity, "visits": visits, "not_fitted": not_fitted,
              "merged": report.plan.merged.drop(columns=["day"], errors="ignore")}
    sheets["providers"] = providers.reset_index() if providers is not None and len(providers) else pd.DataFrame(
        {"locality": [], "note": []})
    return sheets


UKHCA_ASSUMPTION = "assumption from UKHCA's costing (below)"


def _default_or_what_if(value: float, default: float, source: str) -> str:
    """Where a model figure comes from: ``source`` at its default, else the user's what-if."""
    return source if abs(value - default) < 1e-9 else WHAT_IF


def settings_rows(settings: RoundSettings) -> list[tuple[str, str]]:
    """The round model's assumptions as (item, value) rows, in words and clock times."""
    windows = "; ".join(f"{name} {clock(start)}–{clock(end)}" for name, (start, end) in settings.windows.items())
    shifts = "; ".join(shift.label() for shift in settings.shifts)
    return [
        ("Call windows (the visit starts within its window)", windows),
        ("Least gap between a client's calls",
         f"{settings.min_gap_minutes:g} minutes from the end of one call to the start of the next"),
        ("Shifts (each is one round)", shifts),
        ("Longest round", f"{settings.max_paid_hours:g} hours from leaving the base to returning"),
        ("Carers' week", f"{settings.carer_days_per_week} days of 7, consecutive days off spread over the week"),
        ("Carer pay", f"£{settings.carer_pay_per_hour:.2f} per paid hour — {settings.pay_source}"),
        ("Legal minimum pay for the fee's year", f"{settings.minimum_text()} — {settings.minimum_pay_source}"),
        *([("WARNING: pay below the legal minimum", settings.pay_warning())] if settings.pay_warning() else []),
        *([("Money of the fee's year", settings.money_year_note())] if settings.money_year_note() else []),
        ("Employer's on-costs", f"{settings.wage_on_costs_pct:g}% of pay (NI, pension, holiday, sickness, training), "
                                f"so £{settings.employer_cost_per_hour:.2f} per paid hour — "
                                f"{_default_or_what_if(settings.wage_on_costs_pct, WAGE_ON_COSTS_PCT, UKHCA_ASSUMPTION)}"),
        ("Business costs", f"{settings.business_costs_pct:g}% of income (office, managers, rostering, recruitment, "
                           f"insurance, surplus): not there to pay for the rounds — "
                           f"{_default_or_what_if(settings.business_costs_pct, BUSINESS_COSTS_PCT, UKHCA_ASSUMPTION)}"),
        ("UKHCA's costing", UKHCA_SOURCE),
        ("Paid time", "contact, travel and waiting between calls" if settings.pay_waiting
         else "contact and travel (waiting between calls not paid)"),
        ("Mileage", f"£{settings.mileage_per_mile:.2f} per mile — "
                    f"{_default_or_what_if(settings.mileage_per_mile, RoundSettings.mileage_per_mile, MILEAGE_SOURCE)}"),
        ("Verdict: most travel", f"{settings.max_travel_share:.0%} of paid time"),
        ("Verdict: fewest contact hours", f"{settings.min_contact_hours:g} a round a day"),
        ("Verdict: cost and income", "a round whose pay (with on-costs) and mileage exceed its income less business "
                                     "costs is not viable"),
        ("Days a week", "a client with N days a week is visited on N days spread evenly (N rounded to a whole day)"),
        ("Solver", f"PyVRP, {settings.iterations:,} iterations a day (at most {settings.time_limit_s:g} s), seed "
                   f"{settings.seed}: same inputs, same rounds, unless the time limit stops a day's search before its "
                   f"iterations are done (then the result depends on the machine's speed and load)"),
    ]


def assumptions_table(report: WeekReport, council: Council, *, extra: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """Every assumption of the plan as a two-column table (``item``, ``value``): fee, uplift, fee zone, bases,
    providers, growth, then the round model's settings, each with where it comes from."""
    settings = report.settings
    if settings.fee_source:
        fee = settings.fee_source
    else:
        option = fee_option_for(council, settings.income_per_contact_hour)
        fee = f"{option.label} — {option.source}"
    uplift = council.source_of_value("rural_uplift_pct", settings.rural_uplift_pct)
    threshold = council.viability_hours_per_week if report.threshold_hours is None else report.threshold_hours
    threshold_source = council.source_of_value("viability_hours_per_week", threshold)
    rows = [
        ("Fee per contact hour", fee),
        ("Rural uplift outside the fee zone", f"{settings.rural_uplift_pct:g}% — {uplift}"),
        ("Fee zone", report.zone_rule.describe() if report.zone_rule else "not classified: base fee for every call"),
        ("Bases (carers)", "; ".join(f"{base.name} ({base.carers})" for base in report.plan.bases)),
        ("Provider viability threshold", f"{threshold:g} hours a week — {threshold_source}"),
        *([("Providers per locality", report.providers_source)] if report.providers_source else []),
        *[(f"Demand growth to {year}", f"× {council.home_care_growth(year)[0]:.2f} — {council.home_care_growth(year)[1]}")
          for year in PROJECTION_YEARS],
        *extra,
        *settings_rows(settings),
    ]
    return pd.DataFrame({"item": [item for item, _ in rows], "value": [str(value) for _, value in rows]})


def week_workbook(report: WeekReport, council: Council, *, clients_label: str, synthetic: bool,
                  engine_label: str) -> bytes:
    """The plan as an Excel workbook for people (see the module's description)."""
    about = [("Plan", f"Home-care rounds for a week, Monday to Sunday, in {council.name}"),
             ("Clients", clients_label), ("Travel times", engine_label), ("Summary", report.summary()),
             ("Data vintages", catalog.vintage_summary(council))]
    if synthetic:
        about.insert(0, ("SYNTHETIC", "SYNTHETIC demand: modelled clients, not real people"))
    pay = f"£{report.settings.carer_pay_per_hour:.2f} an hour; legal minimum {report.settings.minimum_text()}"
    about += [("Pay", pay), *([("WARNING", report.settings.pay_warning())] if report.settings.pay_warning() else []),
              *([("Money of the fee's year", report.settings.money_year_note())]
                if report.settings.money_year_note() else [])]
    sheets = plan_sheets(report, report.providers, synthetic=synthetic)
    sheets["market"] = market_table(council, report)
    sheets["assumptions"] = assumptions_table(report, council, extra=[("Market figures", market_note(council))])
    titles = {**TITLES, "item": "Assumption", "value": "Value", "figure": "Figure", "documented":
              "In a council document", "your_plan": "This plan beside it", "into": "Merged into"}
    return exports.xlsx_bytes(sheets, about, titles=titles)
