"""One day's rounds: which calls go to the solver, the search from a first plan, and the guarantee that the plan
returned never fits fewer calls than its first plan (the rest come back unserved, each with the constraint that
binds and what change would fit it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyvrp

from analyses.rounds.first_plan import greedy_solution
from analyses.rounds.model import Base, Crew, Progress, Stops, build_problem, solve_problem
from analyses.rounds.settings import RoundSettings
from analyses.rounds.tables import VISIT_COLUMNS, DaySolution, day_tables, round_table
from geo.errors import InputDataError
from routing.engine import TravelEngine


@dataclass
class RoundPlan:
    """The rounds of a day and everything needed to judge and draw them.

    Attributes
    ----------
    rounds : DataFrame
        One row per round used (see :func:`round_table`).
    visits : DataFrame
        One row per served call in visiting order: ``round``, ``order``, ``call_id``, ``client_id``, ``window``,
        ``arrive``, ``start``, ``finish`` (clock text), ``wait_min``, ``travel_min`` and ``miles`` from the
        previous stop, plus x, y.
    unserved : DataFrame
        Calls not fitted: ``call_id``, ``client_id``, ``window``, ``reason``.
    stops : dict
        Per round, the BNG coordinates of base, calls and base again (for drawing).
    method : str
        Travel-time method ("road" or "estimate").
    cost : float
        Pay and mileage of all rounds in the solver's units (thousandths of a penny).
    feasible : bool
        False if the solver found no plan keeping every window and shift in the time allowed.
    """

    rounds: pd.DataFrame
    visits: pd.DataFrame
    unserved: pd.DataFrame
    stops: dict[str, np.ndarray]
    method: str
    cost: float
    feasible: bool = True


def solvable(calls: gpd.GeoDataFrame) -> pd.Series:
    """Which calls go to the solver: those that keep the gap after the client's earlier calls."""
    return calls["gap_ok"].astype(bool) if "gap_ok" in calls.columns else pd.Series(True, index=calls.index)


def plan_rounds(calls: gpd.GeoDataFrame, bases: Sequence[Base], engine: TravelEngine, settings: RoundSettings, *,
                progress: Progress | None = None) -> RoundPlan:
    """Build the rounds of one day.

    Parameters
    ----------
    calls : GeoDataFrame
        From :func:`calls_for_day`.
    bases : sequence of Base
        Where carers start and end (with how many carers each).
    engine : TravelEngine
        Road network or estimate.
    settings : RoundSettings
    progress : callable, optional
        Called with (fraction, message) while solving.
    """
    if calls.empty:
        raise InputDataError("No calls to plan: add clients first.")
    calls = calls.reset_index(drop=True)
    if progress:
        progress(0.0, "Measuring travel between every pair of stops…")
    stops = Stops.measure(bases, calls, engine, longest_leg_min=longest_leg_min(settings))
    day = solve_day(calls, bases, settings, stops, progress=progress)
    names = {}
    counters: dict[str, int] = {}
    for route in day.rounds.itertuples():
        counters[route.shift_name] = counters.get(route.shift_name, 0) + 1
        names[route.route] = f"{route.base} · {route.shift_name} {counters[route.shift_name]}"
    rounds = day.rounds.assign(round=day.rounds["route"].map(names))
    visits = day.visits.assign(round=day.visits["route"].map(names))
    visits = visits[["round", *[column for column in VISIT_COLUMNS if column != "route"]]]
    return RoundPlan(round_table(rounds.to_dict("records")), visits, day.unserved,
                     {names[route]: path for route, path in day.paths.items()}, engine.method, day.cost, day.feasible)


def longest_leg_min(settings: RoundSettings) -> float:
    """The longest drive any round can make, minutes: a shift (or its paid-hours cap), whichever is shorter. Travel
    matrices need not search farther."""
    return max(min(settings.max_paid_hours * 60, shift.end_min - shift.start_min) for shift in settings.shifts)


def solve_day(calls: gpd.GeoDataFrame, bases: Sequence[Base], settings: RoundSettings, stops: Stops, *,
              progress: Progress | None = None, seeds: Sequence[tuple[str, Sequence[int]]] | None = None,
              crew: Crew | None = None, iterations: int | None = None,
              fixed: Sequence[tuple[str, Sequence[int]]] | None = None) -> DaySolution:
    """Solve one day's calls (positions 0…n-1 of ``calls``) with the carers of ``bases`` (or ``crew``, see
    :func:`build_problem`).

    ``seeds`` are rounds to start from, as (vehicle type name, call positions in order). The first plan is the
    seeded one, unless the plain greedy plan fits more calls; the plan returned fits at least as many calls as
    the first plan (see :func:`_fit_every_call`), so every call the plain plan fits is fitted. ``iterations`` overrides
    ``settings.iterations``. ``fixed`` rounds (same form as ``seeds``, every vehicle present) are taken as they
    are, without a search.
    """
    calls = calls.reset_index(drop=True)
    ok = solvable(calls).to_numpy()
    planned = calls[ok].reset_index(drop=True)
    positions = np.flatnonzero(ok)
    staffed = [base for base in bases if base.carers > 0] if crew is None else list(crew.carers)
    if planned.empty or not staffed:
        return day_tables(None, None, calls=calls, planned=positions, bases=bases, settings=settings, stops=stops)
    data = build_problem(planned, bases, settings, stops, crew=crew)
    seconds = stops.seconds
    type_index = {vehicle.name: number for number, vehicle in enumerate(data.vehicle_types())}
    inverse = {int(position): row for row, position in enumerate(positions)}

    def mapped(routes: Sequence[tuple[str, Sequence[int]]]) -> list[tuple[int, list[int]]]:
        found = [(type_index[name], [inverse[p] for p in visits if p in inverse])
                 for name, visits in routes if name in type_index]
        return [(vehicle, visits) for vehicle, visits in found if visits]

    if fixed:
        solution = pyvrp.Solution(data, [pyvrp.Route(data, visits, vehicle) for vehicle, visits in mapped(fixed)])
        return day_tables(solution, data, calls=calls, planned=positions, bases=bases, settings=settings, stops=stops)
    initial = greedy_solution(data, seconds)
    if seeds:
        seeded = greedy_solution(data, seconds, seeds=mapped(seeds))
        if seeded.num_clients() >= initial.num_clients():
            initial = seeded
    result = solve_problem(data, time_limit_s=settings.time_limit_s, seed=settings.seed,
                           iterations=iterations or settings.iterations, progress=progress, initial=initial)
    best = _fit_every_call(result.best, initial, data, seconds)
    return day_tables(best, data, calls=calls, planned=positions, bases=bases, settings=settings, stops=stops)


def _fit_every_call(best: pyvrp.Solution, initial: pyvrp.Solution, data: pyvrp.ProblemData,
                    seconds: np.ndarray) -> pyvrp.Solution:
    """The search's best plan, unless it fits fewer calls than the first plan: a rostering lead fits every call
    first and saves money second. The search weighs a call's prize against the cost of the whole plan, so it may
    trade a call for a cheaper plan elsewhere; then the calls it left out are put back into its rounds where they
    fit, and failing that the first plan is kept."""
    if best.num_clients() >= initial.num_clients():
        return best
    rounds = [(route.vehicle_type(), [a.idx for a in route.schedule() if a.is_client()]) for route in best.routes()]
    repaired = greedy_solution(data, seconds, seeds=rounds)
    if repaired.num_clients() >= initial.num_clients() and repaired.is_feasible():
        return repaired
    return initial
