"""Providers per locality: the rounds actually built shared out whole among a locality's providers against the
viability threshold, the most providers a locality can keep above it now and in later years, and the council's
documented count of providers to start from."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from geo.council import Council


def allocate_rounds(hours: Sequence[float], providers: int) -> np.ndarray:
    """Weekly hours of each of ``providers`` when whole rounds are shared out, longest first, each to the
    provider with fewest hours so far (a balanced share; a round is never split).

    Returns
    -------
    ndarray (providers,)
        Hours per provider, largest first.
    """
    loads = np.zeros(max(int(providers), 0))
    if not len(loads):
        return loads
    for value in sorted((float(h) for h in hours), reverse=True):
        loads[int(np.argmin(loads))] += value
    return np.sort(loads)[::-1]


def most_viable_providers(hours: Sequence[float], threshold_hours: float) -> int:
    """The most providers that can each keep at least ``threshold_hours`` a week from whole rounds."""
    total = float(np.sum(hours))
    for providers in range(int(total // threshold_hours), 0, -1):
        if allocate_rounds(hours, providers).min() >= threshold_hours:
            return providers
    return 0


def provider_table(rounds_week: pd.DataFrame, providers: Mapping[str, int] | pd.Series, *, threshold_hours: float,
                   growth: Mapping[int, float] | None = None) -> pd.DataFrame:
    """Providers per locality from the rounds actually built: each locality's weekly rounds (their contact hours)
    shared out as whole rounds among its providers, against the viability threshold; and the hours projected
    for later years with the most providers they keep above the threshold.

    Parameters
    ----------
    rounds_week : DataFrame
        :func:`weekly_rounds` with ``locality``.
    providers : mapping or Series
        Providers sharing each locality (entered by the user).
    threshold_hours : float
        Weekly contact hours a provider needs to be viable.
    growth : mapping, optional
        Year -> growth factor of home-care demand from today's hours.

    Returns
    -------
    DataFrame
        By locality: ``weekly_hours``, ``rounds``, ``providers``, ``smallest_provider_hours``,
        ``largest_provider_hours``, ``providers_above``, ``viable`` (every provider above the threshold),
        ``most_viable_providers``; and for each year ``hours_<year>`` and ``providers_<year>``.
    """
    rows = []
    providers = pd.Series(providers, dtype=float)
    for locality, group in rounds_week.groupby("locality", sort=True):
        hours = group["contact_hours"].to_numpy(dtype=float)
        count = int(providers.get(locality, 1) if not pd.isna(providers.get(locality, np.nan)) else 1)
        loads = allocate_rounds(hours, max(count, 1))
        row = {"locality": locality, "weekly_hours": float(hours.sum()), "rounds": len(hours), "providers": count,
               "smallest_provider_hours": float(loads.min()), "largest_provider_hours": float(loads.max()),
               "providers_above": int((loads >= threshold_hours).sum()),
               "viable": bool(loads.min() >= threshold_hours),
               "most_viable_providers": most_viable_providers(hours, threshold_hours)}
        for year, factor in (growth or {}).items():
            projected = float(hours.sum()) * float(factor)
            row[f"hours_{year}"] = projected
            row[f"providers_{year}"] = int(projected // threshold_hours)
        rows.append(row)
    return pd.DataFrame(rows).set_index("locality") if rows else pd.DataFrame()


def apportion(total: int, shares: pd.Series) -> pd.Series:
    """Share ``total`` whole providers among localities in proportion to ``shares`` (largest remainders), at least
    one each."""
    shares = shares.astype(float)
    if shares.sum() <= 0:
        shares = pd.Series(1.0, index=shares.index)
    exact = total * shares / shares.sum()
    whole = np.floor(exact).astype(int)
    left = int(total - whole.sum())
    for name in (exact - whole).sort_values(ascending=False, kind="stable").index[:max(left, 0)]:
        whole[name] += 1
    return whole.clip(lower=1)


def provider_scenario(weekly_hours: pd.Series, providers: int | pd.Series, *, threshold_hours: float,
                      contact_hours_per_round: float) -> pd.DataFrame:
    """Hours per provider in each locality if ``providers`` share its weekly hours equally (a quick what-if
    without rounds; :func:`provider_table` shares the rounds actually built).

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


PROJECTION_YEARS = (2028, 2038)
"""Years the weekly hours are projected to with the council's home-care growth."""


def default_providers(council: Council, shares: pd.Series) -> tuple[pd.Series, str]:
    """Providers per locality to start from: the council's documented count (its home-care framework where it has
    one, else its approved providers) shared out by each locality's share of the council's demand.

    Parameters
    ----------
    council : Council
    shares : Series
        Locality -> share of the council's home-care demand (0–1), for the localities wanted.

    Returns
    -------
    Series, str
        Providers by locality (at least one each) and where the count comes from.
    """
    if council.value("framework_providers") is not None:
        total, key = int(council.value("framework_providers")), "framework_providers"
        spread = council.value("framework_localities")
        source = (f"{total} {council.figure(key).label.lower()}"
                  f"{f' across {int(spread)} localities' if spread else ''} ({council.source(key)})")
    else:
        total, key = council.home_care_providers, "home_care_providers"
        source = f"{total} {council.figure(key).label.lower()} ({council.source(key)})"
    shares = shares.astype(float)
    counts = apportion(max(1, round(total * float(shares.sum()))), shares)
    return counts, f"{source}, shared by each locality's share of the council's demand"
