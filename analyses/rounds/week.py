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

A round that runs a handful of calls on one or two days of the week (a stub, :func:`stub_rounds`: clients seen
once or twice a week) is merged into the other rounds of its days where their windows and shifts allow, whole or
not at all, so no call is ever left unfitted; what cannot be merged is kept apart as top-up calls.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analyses.rounds.day import longest_leg_min, solvable, solve_day
from analyses.rounds.first_plan import insert_calls
from analyses.rounds.model import Base, Crew, Progress, Stops, build_problem
from analyses.rounds.settings import DAY_NAMES, RoundSettings, round_order
from analyses.rounds.tables import ROUND_COLUMNS, VISIT_COLUMNS, DaySolution
from geo.errors import InputDataError
from routing.engine import TravelEngine


@dataclass(frozen=True)
class Carer:
    """A carer: name, base, and the days worked (0 = Monday)."""

    name: str
    base: str
    days: tuple[int, ...]


def carer_rota(bases: Sequence[Base], days_per_week: int) -> list[Carer]:
    """Every carer of every base with the days they work: ``7 - days_per_week`` consecutive days off, the
    first day off moving through the week from carer to carer so each day has about the same number at work."""
    carers = []
    days_off = 7 - int(days_per_week)
    for base in bases:
        for number in range(int(base.carers)):
            first_off = (number * 7) // max(int(base.carers), 1)
            off = {(first_off + step) % 7 for step in range(days_off)}
            carers.append(Carer(f"{base.name} carer {number + 1}", base.name,
                                tuple(day for day in range(7) if day not in off)))
    return carers


def working_per_day(carers: int, days_per_week: int) -> list[int]:
    """How many of a base's ``carers`` work on each day of the week under :func:`carer_rota`."""
    rota = carer_rota([Base("base", 0.0, 0.0, carers)], days_per_week)
    return [sum(day in carer.days for carer in rota) for day in range(7)]


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


class _Follow:
    """Names rounds across the days and hands each day's rounds to carers, remembering who served whom."""

    def __init__(self, carers: list[Carer]) -> None:
        self.carers = carers
        self.served: Counter = Counter()  # (carer, client) -> calls
        self.worked: Counter = Counter()  # (carer, round name) -> days
        self.rounds: dict[tuple[str, str], list[Counter]] = defaultdict(list)  # (base, shift) -> clients per round
        self.hours: Counter = Counter()  # carer -> paid hours so far

    def owners(self) -> dict[str, str]:
        """Each client's usual carer: who has served most of their calls so far (the first to do so on a tie)."""
        best: dict[str, tuple[int, str]] = {}
        for (carer, client), count in self.served.items():
            if client not in best or count > best[client][0]:
                best[client] = (count, carer)
        return {client: carer for client, (_, carer) in best.items()}

    def record(self, names: list[str], carers: list[str], clients: list[list[str]], hours: list[float]) -> None:
        """Remember who served whom and worked which round."""
        for name, carer, group, paid in zip(names, carers, clients, hours):
            self.served.update((carer, client) for client in group)
            self.worked[(carer, name)] += 1
            self.hours[carer] += paid

    def name_rounds(self, base: str, shift: str, clients: list[list[str]]) -> list[str]:
        """Names for a day's rounds of one base and shift: each takes the earlier round with most clients in
        common, the rest get new numbers."""
        known = self.rounds[(base, shift)]
        names: list[str | None] = [None] * len(clients)
        if known:
            overlap = np.array([[sum(history[client] for client in group) for history in known] for group in clients])
            rows, columns = linear_sum_assignment(overlap, maximize=True)
            for row, column in zip(rows, columns):
                if overlap[row, column] > 0:
                    names[row] = f"{base} · {shift} {column + 1}"
                    known[column].update(clients[row])
        for row, name in enumerate(names):
            if name is None:
                known.append(Counter(clients[row]))
                names[row] = f"{base} · {shift} {len(known)}"
        return [str(name) for name in names]

    def assign(self, day: int, base: str, names: list[str], clients: list[list[str]], hours: list[float]) -> list[str]:
        """The working carer of ``base`` for each round: most calls to these clients so far, then most days on
        the round, then fewest hours so far."""
        working = [carer.name for carer in self.carers if carer.base == base and day in carer.days]
        if len(working) < len(names):
            raise InputDataError(f"{len(names)} rounds at {base} on {DAY_NAMES[day]} but only {len(working)} carers work "
                                 f"that day.")
        score = np.array([[1000.0 * sum(self.served[(carer, client)] for client in group)
                           + 10.0 * self.worked[(carer, name)] - 0.01 * self.hours[carer]
                           for carer in working] for name, group in zip(names, clients)])
        rows, columns = linear_sum_assignment(score, maximize=True)
        chosen = [""] * len(names)
        for row, column in zip(rows, columns):
            chosen[row] = working[column]
        self.record(names, chosen, clients, hours)
        return chosen


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


def _crew(day: int, carers: list[Carer], follow: "_Follow", settings: RoundSettings, places: int) -> Crew | None:
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
    follow = _Follow(carers)
    days = [day for day in range(7) if (calls["day"] == day).any()]
    solutions: dict[int, _Day] = {}
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
        names, chosen = _name_and_assign(solution, day, follow, settings)
        solutions[day] = _Day(day_calls, day_bases, crew, solution, names, chosen)
    merged = _merge_stubs(solutions, settings, stops) if settings.stub_days > 0 else []
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


@dataclass
class _Day:
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


def _merge_stubs(solutions: dict[int, _Day], settings: RoundSettings, stops: Stops) -> list[dict]:
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


def _merge_day(record: _Day, stubs: set[str], settings: RoundSettings, stops: Stops) -> list[dict]:
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


def _name_and_assign(solution: DaySolution, day: int, follow: _Follow, settings: RoundSettings
                     ) -> tuple[dict[int, str], dict[int, str]]:
    """A day's rounds' names through the week and their carers, by route number."""
    rounds = solution.rounds
    clients = solution.visits.groupby("route")["client_id"].apply(list)
    order = {shift.name: number for number, shift in enumerate(settings.shifts)}
    names, carers = {}, {}
    for (base, shift), group in sorted(rounds.groupby(["base", "shift_name"]), key=lambda item: order[item[0][1]]):
        routes = group["route"].tolist()
        groups = [clients.get(route, []) for route in routes]
        named = follow.name_rounds(base, shift, groups)
        if (group["carer"] != "").all():  # the solver chose the carers
            chosen = group["carer"].tolist()
            follow.record(named, chosen, groups, group["paid_hours"].tolist())
        else:
            chosen = follow.assign(day, base, named, groups, group["paid_hours"].tolist())
        names.update(zip(routes, named))
        carers.update(zip(routes, chosen))
    return names, carers


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


def continuity(visits: pd.DataFrame) -> pd.DataFrame:
    """Continuity of care: for each client, the share of their calls served by the carer who served most of them.

    Parameters
    ----------
    visits : DataFrame
        ``client_id`` and ``carer`` of each served call.

    Returns
    -------
    DataFrame
        Indexed by ``client_id``: ``calls`` (served), ``carers`` (how many served the client), ``main_carer`` and
        ``continuity`` (0–1, higher is better).
    """
    if visits.empty:
        return pd.DataFrame(columns=["calls", "carers", "main_carer", "continuity"])
    counts = visits.groupby(["client_id", "carer"]).size().rename("n").reset_index()
    counts = counts.sort_values(["client_id", "n", "carer"], ascending=[True, False, True], kind="stable")
    main = counts.drop_duplicates("client_id").set_index("client_id")
    table = pd.DataFrame({"calls": counts.groupby("client_id")["n"].sum(),
                          "carers": counts.groupby("client_id").size(),
                          "main_carer": main["carer"]})
    table["continuity"] = main["n"] / table["calls"]
    return table


def best_continuity(calls: pd.DataFrame, days_per_week: int) -> float:
    """The highest mean continuity the rota allows: a client visited on more days than a carer works cannot have
    one carer every time (min(1, carer days ÷ client days), averaged over clients)."""
    if calls.empty:
        return 1.0
    days = calls.groupby("client_id")["day"].nunique()
    return float(np.minimum(1.0, int(days_per_week) / days).mean())
