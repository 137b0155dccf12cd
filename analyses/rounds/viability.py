"""Judging rounds and providers: verdicts against the thresholds, providers per locality, carers needed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.rounds.settings import RoundSettings


def judge_rounds(rounds: pd.DataFrame, settings: RoundSettings) -> pd.DataFrame:
    """Add a verdict to each round: "viable", or "not viable" with the thresholds it breaks."""
    judged = rounds.copy()
    reasons = []
    for row in judged.itertuples():
        broken = []
        if row.travel_share > settings.max_travel_share:
            broken.append(f"travel {row.travel_share:.0%} of paid time (limit {settings.max_travel_share:.0%})")
        if row.contact_hours < settings.min_contact_hours:
            broken.append(f"{row.contact_hours:.1f} contact hours (minimum {settings.min_contact_hours:g})")
        if settings.income_per_contact_hour is not None and \
                row.cost_per_contact_hour > settings.income_per_contact_hour:
            broken.append(f"costs £{row.cost_per_contact_hour:.2f} per contact hour, paid "
                          f"£{settings.income_per_contact_hour:.2f}")
        reasons.append("; ".join(broken))
    judged["verdict"] = ["viable" if not reason else "not viable" for reason in reasons]
    judged["why"] = reasons
    return judged


def provider_scenario(weekly_hours: pd.Series, providers: int | pd.Series, *, threshold_hours: float,
                      contact_hours_per_round: float) -> pd.DataFrame:
    """Hours per provider in each locality if ``providers`` share its weekly hours equally.

    Parameters
    ----------
    weekly_hours : Series
        Contact hours per week by locality.
    providers : int or Series
        Providers sharing each locality.
    threshold_hours : float
        Weekly hours a provider needs to be viable (300 in Herefordshire).
    contact_hours_per_round : float
        Contact hours one round delivers (from the planned rounds, or an assumption).

    Returns
    -------
    DataFrame
        By locality: ``weekly_hours``, ``rounds_per_day``, ``providers``, ``hours_per_provider``, ``viable``,
        ``most_viable_providers`` (how many providers the locality can keep above the threshold).
    """
    table = pd.DataFrame({"weekly_hours": weekly_hours})
    table["rounds_per_day"] = table["weekly_hours"] / 7.0 / contact_hours_per_round
    table["providers"] = providers if np.isscalar(providers) else pd.Series(providers).reindex(table.index)
    table["hours_per_provider"] = table["weekly_hours"] / table["providers"]
    table["viable"] = table["hours_per_provider"] >= threshold_hours
    table["most_viable_providers"] = np.floor(table["weekly_hours"] / threshold_hours).astype(int)
    return table


def suggest_carers(calls: pd.DataFrame, travel_minutes: float = 10.0) -> int:
    """Carers needed so every call window can be covered: for each window, its calls over the calls one
    carer can start within it (each call taking its visit plus ``travel_minutes``)."""
    if calls.empty:
        return 0
    needed = 1
    for (start, end), group in calls.groupby(["tw_start_min", "tw_end_min"]):
        per_call = float(group["minutes"].mean()) + travel_minutes
        per_carer = int((end - start) // per_call) + 1
        needed = max(needed, int(np.ceil(len(group) / per_carer)))
    return needed


