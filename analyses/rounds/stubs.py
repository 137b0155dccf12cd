"""Stub rounds: a round that runs a handful of calls on one or two days of the week (clients seen once or twice a
week) is merged into the other rounds of its days where their windows and shifts allow, whole or not at all, so no
call is ever left unfitted; what cannot be merged is kept apart as top-up calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analyses.rounds.day import solvable, solve_day
from analyses.rounds.first_plan import insert_calls
from analyses.rounds.model import Base, Crew, Stops, build_problem
from analyses.rounds.settings import DAY_NAMES, RoundSettings, round_order
from analyses.rounds.tables import DaySolution


@dataclass
class PlannedDay:
    """A day as planned: its calls, bases (with the carers at work), crew, solution, and each route's round name and
    carer (by route number)."""

    calls: pd.DataFrame
    bases: list[Base]
    crew: Crew | None
    solution: DaySolution
    names: dict[int, str]
    carers: dict[int, str]


def stub_rounds(rounds: pd.DataFrame, settings: RoundSettings) -> list[str]:
    """Rounds of a week that run on at most ``settings.stub_days`` days with at most ``settings.stub_calls`` calls
    on each: stubs (none when ``stub_days`` is 0), in round order."""
    if settings.stub_days <= 0 or rounds.empty:
        return []
    per_round = rounds.groupby("round").agg(days=("day", "nunique"), most=("calls", "max"))
    stubs = per_round.index[(per_round["days"] <= settings.stub_days) & (per_round["most"] <= settings.stub_calls)]
    return sorted(stubs, key=round_order(settings.shifts))


def merge_stubs(solutions: dict[int, PlannedDay], settings: RoundSettings, stops: Stops) -> list[dict]:
    """Merge each stub round (:func:`stub_rounds`) into the other rounds of its day where every one of its calls
    fits (else it stays, whole); the days changed are taken again as fixed rounds. Returns what was merged."""
    table = pd.DataFrame([{"day": day, "round": name, "calls": len(record.solution.routes[route][1])}
                          for day, record in solutions.items() for route, name in record.names.items()])
    if table.empty:
        return []
    stubs = set(stub_rounds(table, settings))
    if not stubs or stubs == set(table["round"]):
        return []
    merged = []
    for day, record in solutions.items():
        moved = _merge_day(record, stubs, settings, stops)
        if moved:
            merged += [{"day": day, "day_name": DAY_NAMES[day], **row} for row in moved]
    return merged


def _merge_day(record: PlannedDay, stubs: set[str], settings: RoundSettings, stops: Stops) -> list[dict]:
    """Merge a day's stub rounds into its other rounds, one stub at a time and only whole (every call fitted), then
    take the day again as those fixed rounds; ``record`` is updated. Returns a row per stub merged."""
    solution = record.solution
    numbers = [route for route, name in record.names.items() if name in stubs]
    if not numbers or len(numbers) == len(solution.routes):
        return []
    positions = np.flatnonzero(solvable(record.calls).to_numpy())
    index = {int(position): row for row, position in enumerate(positions)}  # call position -> client of the problem
    data = build_problem(record.calls.iloc[positions].reset_index(drop=True), record.bases, settings, stops,
                         crew=record.crew)
    kept = [route for route in range(len(solution.routes)) if route not in numbers]
    current = [(solution.routes[route][0], [index[p] for p in solution.routes[route][1]]) for route in kept]
    left, rows = [], []
    for route in numbers:
        vehicle, visits = solution.routes[route]
        attempt = insert_calls(data, stops.seconds, current, [index[p] for p in visits])
        if attempt is None:
            left.append(route)
            continue
        into = [record.names[kept[number]] for number, (before, after) in enumerate(zip(current, attempt))
                if len(after[1]) > len(before[1])]
        current = attempt
        rows.append({"round": record.names[route], "calls": len(visits), "into": ", ".join(into)})
    if not rows:
        return []
    final = current + [(solution.routes[route][0], [index[p] for p in solution.routes[route][1]]) for route in left]
    if not pyvrp_feasible(data, final):
        return []
    fixed = [(solution.type_names[vehicle], [int(positions[client]) for client in visits]) for vehicle, visits in final]
    again = solve_day(record.calls, record.bases, settings, stops, crew=record.crew, fixed=fixed)
    # Each round keeps its name and carer: it holds all of its calls of before (the day is left as it was if not).
    old = [(route, solution.routes[route]) for route in [*kept, *left]]
    names, carers = {}, {}
    for number, (vehicle, visits) in enumerate(again.routes):
        route = next((route for route, (was, calls) in old if was == vehicle and set(calls) <= set(visits)), None)
        if route is None or len(visits) > len(solution.visits):
            return []
        names[number], carers[number] = record.names[route], record.carers[route]
    if len(again.visits) != len(solution.visits):
        return []
    record.solution, record.names, record.carers = again, names, carers
    return rows


def pyvrp_feasible(data, rounds: Sequence[tuple[int, Sequence[int]]]) -> bool:
    """Whether PyVRP finds these rounds (vehicle type, client indices) keep every window and shift."""
    import pyvrp

    return bool(pyvrp.Solution(data, [pyvrp.Route(data, list(visits), vehicle) for vehicle, visits in rounds])
                .is_feasible())
