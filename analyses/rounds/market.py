"""The home-care market as the council's documents describe it, beside a plan: a provider sees its plan against the
market it enters (how many providers share the hours, how many are below the viability threshold, the framework and
its localities, where packages wait).

Every figure comes from the council's settings file with its document and place; a council whose documents do not
describe its market says so, and its figures there are labelled assumptions.
"""

from __future__ import annotations

import pandas as pd

from analyses.rounds.viability import WeekReport
from geo.council import Council
from geo.figures import figure_text

MARKET_FIGURES = (
    "home_care_providers", "providers_below_threshold_pct", "providers_below_threshold_pct_2017",
    "viability_hours_per_week", "framework_providers", "framework_localities", "framework_secondary_tier",
    "home_care_clients", "weekly_home_care_hours", "package_delays_where",
)
"""The council figures that describe its home-care market, in reading order (those a council gives are shown)."""

COLUMNS = ["figure", "value", "year", "source", "documented", "your_plan"]


def _beside(key: str, council: Council, report: WeekReport | None) -> str:
    """The plan beside one market figure ("" when there is nothing to set beside it)."""
    if report is None or not len(report.weekly):
        return ""
    contact = float(report.weekly["contact_hours"].sum())
    threshold = report.threshold_hours or council.viability_hours_per_week
    localities = sorted(set(report.weekly["locality"]) - {"unknown"})
    side = "above" if contact >= threshold else "below"
    if key == "weekly_home_care_hours":
        return f"{contact:,.0f} contact hours a week: {contact / council.weekly_home_care_hours:.1%} of the council's"
    if key == "home_care_clients":
        return f"{report.plan.calls['client_id'].nunique():,} clients"
    if key == "home_care_providers":
        return (f"{council.weekly_home_care_hours / council.home_care_providers:,.0f} hours a week per provider on "
                f"average; this plan: {contact:,.0f} contact hours a week")
    if key in ("viability_hours_per_week", "providers_below_threshold_pct"):
        return f"{contact:,.0f} contact hours a week: {side} the {threshold:g}-hour threshold"
    if key in ("framework_providers", "framework_localities", "package_delays_where"):
        return f"this plan's rounds are in {', '.join(localities) or 'no known locality'}"
    return ""


def market_table(council: Council, report: WeekReport | None = None) -> pd.DataFrame:
    """The council's market figures (:data:`MARKET_FIGURES` it gives), each with its year and source, whether a
    document gives it, and the plan beside it.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``figure`` (label), ``value`` (as people write it), ``year``, ``source``, ``documented``
        (bool) and ``your_plan``.
    """
    rows = []
    for key in MARKET_FIGURES:
        figure = council.figures.get(key)
        if figure is None:
            continue
        rows.append({"figure": figure.label, "value": figure_text(figure), "year": figure.year,
                     "source": figure.source, "documented": not figure.is_assumption,
                     "your_plan": _beside(key, council, report)})
    return pd.DataFrame(rows, columns=COLUMNS)


def market_note(council: Council) -> str:
    """Whose words the market figures are: the council's documents, or none (then every figure is an assumption)."""
    table = market_table(council)
    documented = table[table["documented"]]
    if documented.empty:
        return (f"No document of {council.name}'s home-care market is held: the figures below are assumptions, "
                f"labelled so (set your own).")
    titles = sorted({council.figure(key).document.title for key in MARKET_FIGURES
                     if key in council.figures and not council.figures[key].is_assumption})
    return f"{council.name}'s home-care market as its documents describe it: {'; '.join(titles)}."
