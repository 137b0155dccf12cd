"""Where carers start and how many are needed: bases among a locality's city and towns, carers that fit every call.

Bases are chosen as a small p-median: among the city and towns of the clients' locality, the one, two or
three that make the calls' drive from their nearest base shortest, a further base being suggested only
when it shortens that mean drive by a clear margin; clients of several localities get each locality's
own. Carers are counted from a quick first plan of each day with as many carers as wanted (every call
that fits any round is fitted), then converted to a number of carers through the rota (carers work some
days of the week).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.rounds.carers import working_per_day
from analyses.rounds.day import longest_leg_min, solvable
from analyses.rounds.first_plan import greedy_solution
from analyses.rounds.model import Base, Stops, build_problem
from analyses.rounds.settings import RoundSettings
from routing.engine import TravelEngine

BASE_KINDS = ("city", "town")
MOST_BASES = 3
BASE_CUT = 0.2
"""A further base is suggested only when it shortens the calls' mean drive from their nearest base by this share
(assumption)."""


def base_candidates(places: gpd.GeoDataFrame, localities: gpd.GeoDataFrame, clients: gpd.GeoDataFrame, *,
                    nearest: int = 3) -> gpd.GeoDataFrame:
    """The city and towns of the clients' PCN localities (``clients["locality_name"]``); where those localities
    have none, the ``nearest`` city or towns to the clients' middle.

    Returns
    -------
    GeoDataFrame
        ``name``, ``kind``, ``locality_name`` and point geometry (BNG).
    """
    towns = places[places["kind"].isin(BASE_KINDS)]
    towns = towns if len(towns) else places
    located = gpd.sjoin(towns[["name", "kind", "geometry"]], localities[["locality_name", "geometry"]],
                        predicate="within", how="left").drop(columns="index_right")
    located = located[~located.index.duplicated(keep="first")]
    wanted = set(clients["locality_name"].dropna()) if "locality_name" in clients.columns else set()
    chosen = located[located["locality_name"].isin(wanted)]
    if chosen.empty:
        middle = clients.geometry.union_all().centroid
        chosen = located.iloc[np.argsort(located.distance(middle).to_numpy(), kind="stable")[:nearest]]
    return chosen.reset_index(drop=True)


def suggest_bases(candidates: gpd.GeoDataFrame, clients: gpd.GeoDataFrame, engine: TravelEngine, *,
                  weights: Sequence[float] | None = None, most: int = MOST_BASES, cut: float = BASE_CUT
                  ) -> pd.DataFrame:
    """The best one to ``most`` bases among ``candidates`` by drive time to the clients.

    For each number of bases, the set of candidates with the shortest mean drive (weighted by ``weights``, e.g.
    calls a week) from each client's nearest base; a further base is added while it shortens that mean by at
    least ``cut`` (a share).

    Returns
    -------
    DataFrame
        One row per base: ``name``, ``x``, ``y`` (BNG metres), ``calls_share`` (share of the weight nearest it)
        and ``mean_minutes`` (mean drive from it to those clients), in the order of ``candidates``.
    """
    xy = np.column_stack([clients.geometry.x, clients.geometry.y])
    towns = np.column_stack([candidates.geometry.x, candidates.geometry.y])
    weight = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    minutes = engine.matrix(towns, xy).minutes
    minutes = np.where(np.isfinite(minutes), minutes, 24 * 60.0)  # unreachable: a day's drive, never the nearest
    total = weight.sum() or 1.0

    def mean_drive(chosen: tuple[int, ...]) -> float:
        return float((minutes[list(chosen)].min(axis=0) * weight).sum() / total)

    best = min(((i,) for i in range(len(towns))), key=mean_drive)
    for count in range(2, min(most, len(towns)) + 1):
        better = min(itertools.combinations(range(len(towns)), count), key=mean_drive)
        if mean_drive(better) > (1.0 - cut) * mean_drive(best):
            break
        best = better
    chosen = sorted(best)
    nearest = np.asarray(chosen)[minutes[chosen].argmin(axis=0)]
    rows = []
    for index in chosen:
        mine = nearest == index
        share = float(weight[mine].sum() / total)
        mean = float((minutes[index, mine] * weight[mine]).sum() / weight[mine].sum()) if mine.any() else np.nan
        rows.append({"name": str(candidates["name"].iloc[index]), "x": float(towns[index, 0]),
                     "y": float(towns[index, 1]), "calls_share": share, "mean_minutes": mean})
    return pd.DataFrame(rows)


def suggest_bases_by_locality(candidates: gpd.GeoDataFrame, clients: gpd.GeoDataFrame, engine: TravelEngine, *,
                              locality: pd.Series, weights: Sequence[float] | None = None,
                              most: int = MOST_BASES, cut: float = BASE_CUT) -> pd.DataFrame:
    """Bases for clients of several PCN localities: each locality's best one to ``most`` among its own city and
    towns (:func:`suggest_bases`), as councils organise home care by locality; one locality is planned as one.

    Parameters
    ----------
    candidates : GeoDataFrame
        :func:`base_candidates` (with ``locality_name``).
    locality : Series
        Each client's locality, in the order of ``clients`` (NaN where not known).

    Returns
    -------
    DataFrame
        As :func:`suggest_bases`; ``calls_share`` is the share of all the clients' weight nearest each base.
    """
    weight = np.ones(len(clients)) if weights is None else np.asarray(weights, dtype=float)
    # Clients of no known locality are a group of their own, served from any of the candidates.
    names = locality.astype(object).where(locality.notna(), "").to_numpy()
    groups = list(dict.fromkeys(names))
    if len(groups) <= 1:
        return suggest_bases(candidates, clients, engine, weights=weight, most=most, cut=cut)
    total = weight.sum() or 1.0
    parts = []
    for name in groups:
        mine = names == name
        own = candidates[candidates["locality_name"] == name]
        chosen = suggest_bases(own if len(own) else candidates, clients[mine], engine, weights=weight[mine],
                               most=most, cut=cut)
        parts.append(chosen.assign(calls_share=chosen["calls_share"] * weight[mine].sum() / total))
    table = pd.concat(parts, ignore_index=True)
    # A town chosen by two localities (one without towns of its own) is one base.
    table["weighted_minutes"] = table["mean_minutes"].fillna(0.0) * table["calls_share"]
    merged = table.groupby("name", sort=False).agg(x=("x", "first"), y=("y", "first"),
                                                    calls_share=("calls_share", "sum"),
                                                    weighted_minutes=("weighted_minutes", "sum"))
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["mean_minutes"] = merged["weighted_minutes"] / merged["calls_share"]
    return merged.drop(columns="weighted_minutes").reset_index()


def suggest_carers(calls: gpd.GeoDataFrame, bases: Sequence[Base], settings: RoundSettings, *,
                   stops: Stops | None = None, engine: TravelEngine | None = None) -> dict[str, int]:
    """Carers at each base so that every call that fits any round is fitted, every day of the week.

    Each day is planned quickly (:func:`analyses.rounds.greedy_solution`) with as many carers as wanted: a
    call that some round could take is always fitted, since a new round can be opened for it. The most rounds
    of one shift a base needs on a day is then covered by enough carers for the rota (each works
    ``settings.carer_days_per_week`` days). A base needs at least one carer.

    Parameters
    ----------
    calls : GeoDataFrame
        A week's calls (:func:`analyses.rounds.calls_for_week`) or a day's (no ``day`` column).
    bases : sequence of Base
        The bases (their ``carers`` are ignored).
    stops : Stops, optional
        Travel already measured for these bases and calls; else measured with ``engine``.

    Returns
    -------
    dict
        Base name -> carers.
    """
    if stops is None:
        if engine is None:
            raise ValueError("give the travel measured (stops) or a travel engine")
        stops = Stops.measure(bases, calls, engine, longest_leg_min=longest_leg_min(settings))
    calls = calls[solvable(calls).to_numpy()]
    days = calls["day"] if "day" in calls.columns else pd.Series(0, index=calls.index)
    unlimited = [dataclasses.replace(base, carers=max(len(calls), 1)) for base in bases]
    need = {base.name: [0] * 7 for base in bases}
    for day in sorted(days.unique()):
        day_calls = calls[(days == day).to_numpy()].reset_index(drop=True)
        if day_calls.empty:
            continue
        data = build_problem(day_calls, unlimited, settings, stops)
        names = [vehicle.name.split("|", 1)[0] for vehicle in data.vehicle_types()]
        per_type = Counter(route.vehicle_type() for route in greedy_solution(data, stops.seconds).routes())
        for vehicle, count in per_type.items():
            need[names[vehicle]][int(day)] = max(need[names[vehicle]][int(day)], count)
    suggested = {}
    for base in bases:
        wanted = need[base.name]
        carers = max(max(wanted), 1)
        if "day" not in calls.columns:  # one day: every carer works it
            suggested[base.name] = carers
            continue
        while any(working < needed for working, needed in zip(working_per_day(carers, settings.carer_days_per_week),
                                                               wanted)):
            carers += 1
        suggested[base.name] = carers
    return suggested
