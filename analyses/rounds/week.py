"""A week of rounds, Monday to Sunday, with the same carers and bases every day.

Each base has its carers; each carer works ``carer_days_per_week`` days with consecutive days off, spread
so that about the same number work each day (the rota). Each day is solved with the carers working that
day, each carer a vehicle whose costs add ``continuity_cost`` for a call of a client whose usual carer (who
has served them most so far) is another carer at work: so clients keep their carer where that costs little.
Each day starts from the previous day's rounds, and a day whose calls are exactly an earlier day's keeps
that day's rounds when the same carers work. Rounds are followed across the days (a day's round takes the
name of the earlier round it shares most clients with). With ``continuity_cost`` 0 (or a plan too large
for one cost table per carer), the rounds are planned per base and handed afterwards to the working
carers who have served their clients most so far, as a rostering lead would hand them out.

A round that runs a handful of calls on one or two days of the week (a stub,
:func:`analyses.rounds.stubs.stub_rounds`) is merged into the other rounds of its days where it fits whole
(:mod:`analyses.rounds.stubs`). The carers' rota, the rounds followed from day to day and continuity of care are
:mod:`analyses.rounds.carers`.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.rounds.carers import Carer, RoundFollower, carer_rota, name_and_assign
from analyses.rounds.day import longest_leg_min, solve_day
from analyses.rounds.model import Base, Crew, Progress, Stops
from analyses.rounds.settings import DAY_NAMES, RoundSettings, round_order
from analyses.rounds.stubs import PlannedDay, merge_stubs, stub_rounds
from analyses.rounds.tables import ROUND_COLUMNS, VISIT_COLUMNS, DaySolution
from geo.errors import InputDataError
from routing.engine import TravelEngine


@dataclass
class WeekPlan:
    """The rounds of a week and everything needed to judge and draw them.

    Attributes
    ----------
    rounds : DataFrame
        One row per round of each day: ``day``, ``day_name``, ``round`` (its name through the week,
        "<base> · <shift> <n>"), ``carer``, then the columns of :func:`analyses.rounds.round_table`.
    visits : DataFrame
        One row per served call: ``day``, ``day_name``, ``round``, ``carer``, ``order``, ``call_id``, ``client_id``,
        ``name``, ``postcode``, ``window``, ``window_text`` (the window planned, clock times), ``arrive``,
        ``start``, ``finish`` (clock times), ``minutes``, ``wait_min``, ``travel_min``, ``miles``, x, y.
    unserved : DataFrame
        Calls not fitted: ``day``, ``day_name``, ``call_id``, ``client_id``, ``window``, ``window_text``,
        ``constraint`` (gap, reach, window, shift, capacity), ``reason`` and ``fix``.
    calls : GeoDataFrame
        The week's calls (:func:`analyses.rounds.calls_for_week`).
    carers : list of Carer
    bases : list of Base
    stops : dict
        Per (day, round), the BNG coordinates of base, calls and base again (for drawing).
    method : str
        Travel-time method ("road" or "estimate").
    cost : float
        Pay and mileage of all rounds in the solver's units (thousandths of a penny).
    feasible : bool
        False if on some day the solver found no plan keeping every window and shift.
    solve_seconds : float
        Time taken to plan the week (measuring travel and solving).
    days_reused : list of int
        Days whose calls were exactly an earlier day's and kept its rounds.
    merged : DataFrame
        Stub rounds merged into the other rounds of their day: ``day``, ``day_name``, ``round`` (the stub, gone
        from the plan), ``calls`` and ``into`` (the rounds that took them).
    top_ups : list of str
        Stub rounds that could not be merged (their calls fit no other round of the day): top-up calls, judged
        apart from the rounds.
    """

    rounds: pd.DataFrame
    visits: pd.DataFrame
    unserved: pd.DataFrame
    calls: gpd.GeoDataFrame
    carers: list[Carer]
    bases: list[Base]
    stops: dict[tuple[int, str], np.ndarray]
    method: str
    cost: float
    feasible: bool = True
    solve_seconds: float = 0.0
    days_reused: list[int] = dataclasses.field(default_factory=list)
    merged: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=MERGED_COLUMNS))
    top_ups: list[str] = dataclasses.field(default_factory=list)


MERGED_COLUMNS = ["day", "day_name", "round", "calls", "into"]
"""Columns of :attr:`WeekPlan.merged`."""


def _call_keys(calls: pd.DataFrame) -> list[tuple]:
    """What makes a call the same call on another day: client, call of the day and planned window."""
    return list(zip(calls["client_id"], calls["number"], calls["tw_start_min"], calls["tw_end_min"],
                    calls["minutes"]))


def _seeds(previous: tuple[pd.DataFrame, DaySolution] | None, calls: pd.DataFrame) -> list[tuple[str, list[int]]]:
    """Yesterday's rounds as today's call positions (same client and call of the day), to start from."""
    if previous is None:
        return []
    earlier_calls, solution = previous
    today = {key[:2]: position for position, key in enumerate(_call_keys(calls))}
    earlier = _call_keys(earlier_calls)
    seeds = []
    for vehicle, positions in solution.routes:
        mapped = [today[earlier[p][:2]] for p in positions if earlier[p][:2] in today]
        if mapped:
            seeds.append((solution.type_names[vehicle], mapped))
    return seeds


def _reusable(earlier: DaySolution, day_bases: Sequence[Base], crew: Crew | None) -> bool:
    """Whether today's carers can work every round of an earlier day with the same calls: the same carers at work
    (one carer per vehicle), or enough carers at each base (one round a shift each)."""
    if crew is not None:
        working = {carer for carer, _ in crew.carers}
        return all(earlier.type_names[vehicle].split("|")[-1] in working for vehicle, _ in earlier.routes)
    carers = {base.name: base.carers for base in day_bases}
    per_shift = Counter(earlier.type_names[vehicle] for vehicle, _ in earlier.routes)
    return all(count <= carers.get(name.split("|", 1)[0], 0) for name, count in per_shift.items())


MAX_CREW_CELLS = 8_000_000
"""Largest (carers at work × places²) for which each carer gets their own costs (continuity in the solver); above,
the rounds are handed to carers after solving (memory: two matrices of this many cells at most)."""


def _crew(day: int, carers: list[Carer], follow: RoundFollower, settings: RoundSettings, places: int) -> Crew | None:
    """The day's carers as the solver's vehicles, with their clients' usual carers (None: pooled per base)."""
    working = tuple((carer.name, carer.base) for carer in carers if day in carer.days)
    if settings.continuity_cost <= 0 or not working or len(working) * places ** 2 > MAX_CREW_CELLS:
        return None
    return Crew(working, follow.owners(), int(round(settings.continuity_cost * 100_000)))


def plan_week(calls: gpd.GeoDataFrame, bases: Sequence[Base], engine: TravelEngine, settings: RoundSettings, *,
              progress: Progress | None = None, stops: Stops | None = None, warm_start: bool = True) -> WeekPlan:
    """Build a week's rounds, Monday to Sunday, with the same carers and bases every day.

    Parameters
    ----------
    calls : GeoDataFrame
        From :func:`analyses.rounds.calls_for_week` (a ``day`` column, 0 = Monday).
    bases : sequence of Base
        Where carers start and end, with how many carers each (all of them, over the week).
    engine : TravelEngine
        Road network or estimate.
    settings : RoundSettings
        ``iterations`` and ``time_limit_s`` apply to each day.
    progress : callable, optional
        Called with (fraction of the week, message) while solving.
    stops : Stops, optional
        Travel already measured between these bases and calls (:meth:`Stops.measure`); else measured here.
    warm_start : bool
        Start each day from the previous day's rounds and keep an earlier day's rounds for the same calls (the
        default); False plans every day from scratch (to measure what following the rounds gains).

    Raises
    ------
    InputDataError
        With no calls, or no carers at any base.
    """
    started = time.perf_counter()
    if calls.empty:
        raise InputDataError("No calls to plan: add clients first.")
    if sum(int(base.carers) for base in bases) == 0:
        raise InputDataError("No carers: give at least one carer at a base.")
    calls = calls.reset_index(drop=True)
    if stops is None:
        if progress:
            progress(0.0, "Measuring travel between every pair of stops…")
        stops = Stops.measure(bases, calls, engine, longest_leg_min=longest_leg_min(settings))
    carers = carer_rota(bases, settings.carer_days_per_week)
    follow = RoundFollower(carers)
    days = [day for day in range(7) if (calls["day"] == day).any()]
    solutions: dict[int, PlannedDay] = {}
    solved: dict[tuple, DaySolution] = {}
    feasible, reused = True, []
    previous = None
    for step, day in enumerate(days):
        day_calls = calls[calls["day"] == day].reset_index(drop=True)
        day_bases = [dataclasses.replace(base, carers=sum(carer.base == base.name and day in carer.days
                                                          for carer in carers)) for base in bases]
        keys = tuple(_call_keys(day_calls))
        name = DAY_NAMES[day]
        crew = _crew(day, carers, follow, settings, len(stops.xs))
        same = solved.get(keys) if warm_start else None
        if same is not None and _reusable(same, day_bases, crew):
            solution = solve_day(day_calls, day_bases, settings, stops, crew=crew,
                                 fixed=[(same.type_names[vehicle], visits) for vehicle, visits in same.routes])
            reused.append(day)
            if progress:
                progress((step + 1) / len(days), f"{name}: the same calls as an earlier day, the same rounds")
        else:
            report = None if progress is None else (
                lambda done, text, step=step, name=name: progress((step + done) / len(days),
                                                                  f"{name} ({step + 1} of {len(days)}): {text}"))
            seeds = _seeds(previous, day_calls) if warm_start else None
            # A day started from the day before needs a shorter search than one started from scratch.
            solution = solve_day(day_calls, day_bases, settings, stops, progress=report, crew=crew, seeds=seeds,
                                 iterations=max(1, settings.iterations // 2) if seeds else None)
            solved.setdefault(keys, solution)
        previous = (day_calls, solution)
        feasible = feasible and solution.feasible
        names, chosen = name_and_assign(solution, day, follow, settings)
        solutions[day] = PlannedDay(day_calls, day_bases, crew, solution, names, chosen)
    merged = merge_stubs(solutions, settings, stops) if settings.stub_days > 0 else []
    frames = {day: _frames(record.solution, day, record.names, record.carers, settings)
              for day, record in solutions.items()}
    columns_rounds = ["day", "day_name", "round", "carer", *[c for c in ROUND_COLUMNS if c != "round"]]
    columns_visits = ["day", "day_name", "round", "carer", *[c for c in VISIT_COLUMNS if c != "route"]]
    round_frame = pd.concat([rounds for rounds, _ in frames.values()], ignore_index=True)[columns_rounds] if frames \
        else pd.DataFrame(columns=columns_rounds)
    visit_frame = pd.concat([visits for _, visits in frames.values()], ignore_index=True)[columns_visits] if frames \
        else pd.DataFrame(columns=columns_visits)
    unserved = [_day_unserved(record.solution.unserved, day, record.bases) for day, record in solutions.items()]
    unserved_frame = pd.concat(unserved, ignore_index=True) if unserved else pd.DataFrame()
    paths = {(day, record.names[route]): path for day, record in solutions.items()
             for route, path in record.solution.paths.items()}
    cost = sum(record.solution.cost for record in solutions.values())
    return WeekPlan(round_frame, visit_frame, unserved_frame, calls, carers, list(bases), paths, engine.method, cost,
                    feasible, time.perf_counter() - started, reused,
                    pd.DataFrame(merged, columns=MERGED_COLUMNS), stub_rounds(round_frame, settings))


def _frames(solution: DaySolution, day: int, names: dict[int, str], carers: dict[int, str],
            settings: RoundSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A day's rounds and visits with their names through the week and their carers, in round order."""
    rounds = solution.rounds.copy()
    visits = solution.visits.copy()
    rounds["round"] = rounds["route"].map(names)
    rounds["carer"] = rounds["route"].map(carers)
    visits["round"] = visits["route"].map(names)
    visits["carer"] = visits["route"].map(carers)
    for frame in (rounds, visits):
        frame.insert(0, "day_name", DAY_NAMES[day])
        frame.insert(0, "day", day)
    key = round_order(settings.shifts)
    rounds = rounds.sort_values("round", key=lambda names: names.map(key), kind="stable")
    visits = visits.assign(_order=visits["round"].map(key)).sort_values(["_order", "order"], kind="stable")
    return rounds, visits.drop(columns="_order")


def _day_unserved(unserved: pd.DataFrame, day: int, day_bases: Sequence[Base]) -> pd.DataFrame:
    """A day's unfitted calls, saying how many carers work that day where the rounds are full."""
    table = unserved.copy()
    working = sum(base.carers for base in day_bases)
    full = table["constraint"] == "capacity"
    table.loc[full, "reason"] = (f"capacity: every round is full on {DAY_NAMES[day]} ({working} carers work that day; "
                                 f"add carers or shifts)")
    table.insert(0, "day_name", DAY_NAMES[day])
    table.insert(0, "day", day)
    return table
