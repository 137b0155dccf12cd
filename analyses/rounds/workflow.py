"""The rounds workflow, one for the public API (:func:`caremap.api.build_rounds`, the ``rounds`` command) and the
Round viability page, in its steps:

1. the week's calls (:func:`analyses.rounds.calls.calls_for_week`) and each client's PCN locality
   (:func:`analyses.rounds.viability.client_localities`);
2. bases: in each of the clients' localities the best one to three of its city and towns by drive time
   (:func:`suggested_bases`), with carers enough to fit every call any round can take, or a number of carers in
   all shared among them (:func:`staff_bases`);
3. the week planned (:func:`analyses.rounds.week.plan_week`) and each client inside or outside the fee zone
   (:func:`analyses.rounds.income.client_zones`);
4. the week judged (:func:`analyses.rounds.viability.judge_week`) and its providers per locality tested against the
   viability threshold (:func:`with_providers`: the council's documented count shared by each locality's share of
   its demand, unless given).

:func:`build_week` runs them all, as the API does; the page runs them one at a time, between the choices it offers
(bases and carers, the fee zone, providers). Either way the :class:`~analyses.rounds.viability.WeekReport` is
filled in here, never by its callers.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from analyses.demand import DemandAssumptions, area_share
from analyses.rounds.bases import base_candidates, suggest_bases_by_locality, suggest_carers
from analyses.rounds.calls import calls_for_week
from analyses.rounds.day import longest_leg_min
from analyses.rounds.income import ZoneRule, client_zones
from analyses.rounds.model import Base, Progress, Stops
from analyses.rounds.providers import PROJECTION_YEARS, apportion, default_providers, provider_table
from analyses.rounds.settings import RoundSettings
from analyses.rounds.viability import WeekReport, client_localities, judge_week
from analyses.rounds.week import plan_week
from layers.council_data import CouncilData
from routing.engine import TravelEngine

ENTERED = "entered"
"""Where the providers per locality come from when they are given rather than the council's documented count."""


def suggested_bases(data: CouncilData, clients: gpd.GeoDataFrame, calls: gpd.GeoDataFrame, engine: TravelEngine, *,
                    locality: pd.Series) -> pd.DataFrame:
    """In each PCN locality of the clients, the best one to three of its city and towns by drive time to its calls
    (:func:`analyses.rounds.bases.suggest_bases_by_locality`, each client weighted by its calls of the week).

    Parameters
    ----------
    calls : GeoDataFrame
        The clients' calls of the week (:func:`analyses.rounds.calls.calls_for_week`).
    locality : Series
        Client id -> PCN locality (:func:`analyses.rounds.viability.client_localities`).

    Returns
    -------
    DataFrame
        ``name``, ``x``, ``y`` (BNG metres), ``calls_share`` and ``mean_minutes`` of each base.
    """
    candidates = base_candidates(data.places, data.localities, clients.assign(locality_name=locality.to_numpy()))
    weights = calls.groupby("client_id").size().reindex(clients["client_id"]).fillna(0).to_numpy()
    return suggest_bases_by_locality(candidates, clients, engine, weights=weights, locality=locality)


def unstaffed(bases: pd.DataFrame) -> list[Base]:
    """The bases of :func:`suggested_bases` without carers yet."""
    return [Base(row.name, row.x, row.y, 0) for row in bases.itertuples()]


def staff_bases(bases: Sequence[Base], calls: gpd.GeoDataFrame, settings: RoundSettings, *, carers: int | None = None,
                shares: pd.Series | None = None, stops: Stops | None = None,
                engine: TravelEngine | None = None) -> list[Base]:
    """The bases with their carers: ``carers`` in all shared by ``shares`` (base name -> share; default each base's
    own carers, or one each), else, where no base has any, enough to fit every call any round can take
    (:func:`analyses.rounds.bases.suggest_carers`, from travel ``stops`` measured or with ``engine``); else as given.
    """
    if carers is not None:
        shares = pd.Series([float(base.carers) or 1.0 for base in bases], index=[base.name for base in bases]) \
            if shares is None else shares
        counts = apportion(carers, shares)
        return [dataclasses.replace(base, carers=int(counts[base.name])) for base in bases]
    if all(base.carers == 0 for base in bases):
        suggested = suggest_carers(calls, bases, settings, stops=stops, engine=engine)
        return [dataclasses.replace(base, carers=suggested[base.name]) for base in bases]
    return list(bases)


def locality_shares(data: CouncilData, localities: Sequence[str]) -> pd.Series:
    """Each locality's share of the council's home-care demand (0–1; 0 for a locality of another council, as the
    PCN of a border area may be)."""
    own = set(data.lsoa["locality_name"])
    return pd.Series({name: area_share(data, name, DemandAssumptions()) if name in own else 0.0
                      for name in localities}, dtype=float)


def planned_localities(report: WeekReport) -> list[str]:
    """The localities of a week's rounds (where most of each round's contact time is), sorted."""
    return sorted(set(report.weekly["locality"]))


def default_provider_counts(data: CouncilData, localities: Sequence[str]) -> tuple[pd.Series, str]:
    """Providers per locality to start from, and where the count comes from: the council's documented count shared
    by each locality's share of its demand (:func:`analyses.rounds.providers.default_providers`)."""
    return default_providers(data.council, locality_shares(data, localities))


def with_providers(report: WeekReport, data: CouncilData, providers: Mapping[str, int] | pd.Series | None = None, *,
                   threshold_hours: float | None = None) -> WeekReport:
    """The report with its providers per locality tested against the viability threshold
    (:func:`analyses.rounds.providers.provider_table`, hours projected with the council's home-care growth).

    Parameters
    ----------
    providers : mapping or Series, optional
        Providers sharing each locality's rounds; a locality not given (or given as NaN) keeps the council's
        documented count shared by demand (:func:`default_provider_counts`). Default: all of them so.
    threshold_hours : float, optional
        Weekly contact hours a provider needs; default the council's viability threshold.

    Returns
    -------
    WeekReport
        A copy with ``providers``, ``providers_source`` (the documented count's, or :data:`ENTERED` when any
        locality's count differs from it) and ``threshold_hours`` set.
    """
    council = data.council
    planned = planned_localities(report)
    default, source = default_provider_counts(data, planned)
    counts = default.reindex(planned)
    if providers is not None:
        given = pd.Series(providers, dtype=float).reindex(planned)
        counts = given.where(given.notna(), counts).astype(int)
        source = source if counts.equals(default.reindex(planned)) else ENTERED
    threshold = float(council.viability_hours_per_week if threshold_hours is None else threshold_hours)
    table = provider_table(report.weekly, counts, threshold_hours=threshold,
                           growth={year: council.home_care_growth(year)[0] for year in PROJECTION_YEARS})
    return dataclasses.replace(report, providers=table, providers_source=source, threshold_hours=threshold)


def build_week(data: CouncilData, engine: TravelEngine, clients: gpd.GeoDataFrame, settings: RoundSettings, *,
               zone_rule: ZoneRule, bases: Sequence[Base] | None = None, carers: int | None = None,
               providers: Mapping[str, int] | None = None, threshold_hours: float | None = None,
               progress: Progress | None = None) -> WeekReport:
    """Every step of the workflow (see the module's note): a week of rounds for ``clients``, planned and judged.

    Parameters
    ----------
    clients : GeoDataFrame
        Checked and in BNG (:func:`caremap.api.build_rounds` checks them).
    zone_rule : ZoneRule
        The fee zone the uplift is paid outside.
    bases : sequence of Base, optional
        Default :func:`suggested_bases`; bases without carers get them from :func:`staff_bases`.
    carers : int, optional
        Carers in all, shared among the bases by their share of the calls (or their own carers).
    providers, threshold_hours
        As :func:`with_providers`.
    progress : callable, optional
        Called with (fraction, message) while the week is solved.
    """
    calls = calls_for_week(clients, settings)
    locality = client_localities(clients, data.lsoa)
    shares = None
    if bases is None:
        chosen = suggested_bases(data, clients, calls, engine, locality=locality)
        bases, shares = unstaffed(chosen), chosen.set_index("name")["calls_share"]
    stops = Stops.measure(bases, calls, engine, longest_leg_min=longest_leg_min(settings))
    bases = staff_bases(bases, calls, settings, carers=carers, shares=shares, stops=stops)
    plan = plan_week(calls, bases, engine, settings, stops=stops, progress=progress)
    zones = client_zones(clients, data.places, engine, zone_rule)
    judged = judge_week(plan, settings, zones=zones, client_locality=locality, zone_rule=zone_rule)
    return with_providers(judged, data, providers, threshold_hours=threshold_hours)
