"""The PyVRP model of a day's rounds: bases are depots, carers' shifts are vehicles, calls are optional clients.

A day of calls (each with a time window and a visit length) is shared among carers' shifts (the
vehicles), starting and ending at their bases, with travel times from ``routing`` (real roads or the
labelled estimate). Calls are optional with a large prize, so the solver serves every call it can and
returns the rest as unserved, each with the reason it could not be fitted.

All solving goes through :func:`solve_problem`, the same path the VRPLIB benchmark measures.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning

from analyses.rounds.settings import RoundSettings, Shift, clock
from geo.errors import InputDataError
from geo.units import METRES_PER_MILE
from routing.engine import TravelEngine

UNREACHABLE = 10**9
"""Travel time and distance put on pairs with no road route (seconds / metres): never worth taking."""

Progress = Callable[[float, str], None]

# --- Solving --------------------------------------------------------------------------------------


class _Stop:
    """Stop after ``iterations`` (if given) or ``time_limit_s``, whichever comes first, reporting progress."""

    def __init__(self, time_limit_s: float, iterations: int | None, progress: Progress | None) -> None:
        self._seconds, self._iterations, self._progress = time_limit_s, iterations, progress
        self._start = time.perf_counter()
        self._count = 0
        self._reported = 0.0

    def __call__(self, best_cost: float) -> bool:
        self._count += 1
        elapsed = time.perf_counter() - self._start
        done = elapsed / self._seconds
        if self._iterations:
            done = max(done, self._count / self._iterations)
        if self._progress is not None and elapsed - self._reported > 0.2:
            self._reported = elapsed
            self._progress(min(done, 1.0), f"Improving rounds… {elapsed:.0f} s")
        return done >= 1.0


def solve_problem(data: pyvrp.ProblemData, *, time_limit_s: float, seed: int = 1, iterations: int | None = None,
                  progress: Progress | None = None, initial: pyvrp.Solution | None = None) -> pyvrp.Result:
    """Solve a PyVRP instance exactly as given (no rescaling or rounding).

    Stops after ``iterations`` or ``time_limit_s`` seconds, whichever first; with an iteration budget that is
    reached first, the same seed gives the same solution. ``initial`` is a plan to start from.
    """
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their cap; with optional calls a feasible plan always
        # exists (serve fewer calls), so the warning says nothing the result does not.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return pyvrp.solve(data, stop=_Stop(time_limit_s, iterations, progress), seed=seed, display=False,
                           initial_solution=initial)


@dataclass(frozen=True)
class Base:
    """Where carers start and end their rounds (BNG metres)."""

    name: str
    x: float
    y: float
    carers: int


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


def _pay_units(settings: RoundSettings) -> tuple[int, int]:
    """Integer solver costs per second (pay) and per metre (mileage), in thousandths of a penny."""
    per_second = round(settings.carer_pay_per_hour * 100_000 / 3600)
    per_metre = round(settings.mileage_per_mile * 100_000 / METRES_PER_MILE)
    return per_second, per_metre


@dataclass(frozen=True)
class Stops:
    """Every place of a day's rounds (bases first, then each distinct client address) and the travel between them.

    Attributes
    ----------
    xs, ys : ndarray (n_locations,)
        BNG metres.
    call_location : ndarray (n_calls,)
        Location index of each call (calls at one address share it).
    seconds, metres : ndarray (n_locations × n_locations) of int64
        Travel time and distance, whole seconds and metres; :data:`UNREACHABLE` where no route exists.
    """

    xs: np.ndarray
    ys: np.ndarray
    call_location: np.ndarray
    seconds: np.ndarray
    metres: np.ndarray

    @classmethod
    def measure(cls, bases: Sequence[Base], calls: gpd.GeoDataFrame, engine: TravelEngine, *,
                longest_leg_min: float | None = None) -> "Stops":
        """Locate the calls and measure travel between every pair of places with ``engine`` (legs longer than
        ``longest_leg_min`` minutes, which no round can drive, are left unmeasured: UNREACHABLE)."""
        keys = list(zip(calls.geometry.x.round(1), calls.geometry.y.round(1)))
        distinct = list(dict.fromkeys(keys))
        position = {key: len(bases) + index for index, key in enumerate(distinct)}
        xs = np.array([base.x for base in bases] + [x for x, _ in distinct], dtype=float)
        ys = np.array([base.y for base in bases] + [y for _, y in distinct], dtype=float)
        matrix = engine.matrix(np.column_stack([xs, ys]), np.column_stack([xs, ys]), cutoff=longest_leg_min)
        seconds = np.where(np.isfinite(matrix.minutes), np.round(matrix.minutes * 60.0), UNREACHABLE)
        metres = np.where(np.isfinite(matrix.miles), np.round(matrix.miles * METRES_PER_MILE), UNREACHABLE)
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        return cls(xs, ys, np.array([position[key] for key in keys], dtype=np.int64), seconds.astype(np.int64),
                   metres.astype(np.int64))


def call_prize(settings: RoundSettings, seconds: np.ndarray, metres: np.ndarray) -> int:
    """Prize for serving a call: more than any feasible insertion can cost, yet small enough that the
    solver's time-warp penalty (at most 100,000 per second) soon outweighs it, so it never serves a call
    by breaking a time window or a shift.

    An insertion lengthens a round by at most a whole shift of paid time plus two of the longest legs.
    """
    per_second, per_metre = _pay_units(settings)
    finite = seconds < UNREACHABLE
    longest_shift = max(shift.end_min - shift.start_min for shift in settings.shifts) * 60
    return int(per_second * longest_shift + 2 * (per_second * seconds[finite].max() + per_metre * metres[finite].max()))


def build_problem(calls: gpd.GeoDataFrame, bases: Sequence[Base], settings: RoundSettings,
                  stops: Stops) -> pyvrp.ProblemData:
    """The PyVRP instance: bases are depots, each (base, shift) a vehicle type, each call an optional client.

    Times are whole seconds and distances whole metres, so rounding changes a round by under a second
    per leg.
    """
    per_second, per_metre = _pay_units(settings)
    prize = call_prize(settings, stops.seconds, stops.metres)
    call_location = stops.call_location
    locations = [pyvrp.Location(float(x), float(y)) for x, y in zip(stops.xs, stops.ys)]
    depots = [pyvrp.Depot(location=index, name=base.name) for index, base in enumerate(bases)]
    clients = [
        pyvrp.Client(location=int(call_location[row]), service_duration=int(round(call.minutes * 60)),
                     tw_early=int(call.tw_start_min * 60), tw_late=int(call.tw_end_min * 60), prize=prize,
                     required=False, name=str(call.call_id))
        for row, call in enumerate(calls.itertuples())
    ]
    vehicle_types = [
        pyvrp.VehicleType(num_available=base.carers, start_depot=index, end_depot=index,
                          tw_early=shift.start_min * 60, tw_late=shift.end_min * 60,
                          shift_duration=int(min(settings.max_paid_hours * 3600, (shift.end_min - shift.start_min) * 60)),
                          unit_distance_cost=per_metre, unit_duration_cost=per_second, name=f"{base.name}|{shift.name}")
        for index, base in enumerate(bases) if base.carers > 0 for shift in settings.shifts
    ]
    if not vehicle_types:
        raise InputDataError("No carers: give at least one carer at a base.")
    return pyvrp.ProblemData(locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
                             distance_matrices=[stops.metres], duration_matrices=[stops.seconds])


def greedy_solution(data: pyvrp.ProblemData, seconds: np.ndarray) -> pyvrp.Solution:
    """A quick first plan to start the search from: calls in order of their window's end, each appended
    to the round that can start it soonest (opening a new round only when none can).

    PyVRP then improves it; starting from an empty plan, it spends most of its effort just inserting
    hundreds of optional calls.
    """
    depots = data.depots()
    clients = data.clients()
    types = data.vehicle_types()
    open_routes: list[dict] = []
    unused = [vehicle.num_available for vehicle in types]
    new_round_penalty = 1800  # seconds: prefer filling a round to opening another
    order = sorted(range(len(clients)), key=lambda index: (clients[index].tw_late, clients[index].tw_early))
    for index in order:
        client = clients[index]
        candidates = open_routes + [
            {"type": number, "loc": depots[vehicle.start_depot].location, "time": vehicle.tw_early,
             "start": vehicle.tw_early, "visits": [], "new": True}
            for number, vehicle in enumerate(types) if unused[number] > 0]
        best, best_score = None, None
        for route in candidates:
            vehicle = types[route["type"]]
            begin = max(route["time"] + seconds[route["loc"], client.location], client.tw_early)
            home = depots[vehicle.end_depot].location
            finish = begin + client.service_duration + seconds[client.location, home]
            if begin > client.tw_late or finish > vehicle.tw_late or finish - route["start"] > vehicle.shift_duration:
                continue
            score = begin - route["time"] + (new_round_penalty if route.get("new") else 0)
            if best_score is None or score < best_score:
                best, best_score = route, score
        if best is None:
            continue
        if best.pop("new", False):
            unused[best["type"]] -= 1
            open_routes.append(best)
        best["visits"].append(index)
        best["time"] = max(best["time"] + seconds[best["loc"], client.location], client.tw_early) + \
            client.service_duration
        best["loc"] = client.location
    routes = [pyvrp.Route(data, [pyvrp.Activity(pyvrp.ActivityType.CLIENT, visit) for visit in route["visits"]],
                          route["type"]) for route in open_routes if route["visits"]]
    return pyvrp.Solution(data, routes)


def _unserved_reason(call, location: int, bases: Sequence[Base], settings: RoundSettings, seconds: np.ndarray) -> str:
    """Why a call could not be fitted into any round."""
    reachable = [index for index in range(len(bases))
                 if seconds[index, location] < UNREACHABLE and seconds[location, index] < UNREACHABLE]
    if not reachable:
        return "unreachable: no road route from any base"
    service = call.minutes * 60
    window_ok = shift_ok = False
    for index in reachable:
        for shift in settings.shifts:
            arrive = shift.start_min * 60 + seconds[index, location]
            start = max(arrive, call.tw_start_min * 60)
            if start > call.tw_end_min * 60:
                continue
            window_ok = True
            finish = start + service + seconds[location, index]
            longest = min(settings.max_paid_hours * 3600, (shift.end_min - shift.start_min) * 60)
            if finish <= shift.end_min * 60 and finish - shift.start_min * 60 <= longest:
                shift_ok = True
    if not window_ok:
        return "window: no shift can reach the client within the call window"
    if not shift_ok:
        return "shift length: the visit and the journeys to and from the base do not fit in a shift"
    return "capacity: every round is full (add carers or shifts)"


def plan_rounds(calls: gpd.GeoDataFrame, bases: Sequence[Base], engine: TravelEngine, settings: RoundSettings, *,
                progress: Progress | None = None) -> RoundPlan:
    """Build the day's rounds.

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
    longest_leg = max(min(settings.max_paid_hours * 60, shift.end_min - shift.start_min) for shift in settings.shifts)
    stops = Stops.measure(bases, calls, engine, longest_leg_min=longest_leg)
    data = build_problem(calls, bases, settings, stops)
    result = solve_problem(data, time_limit_s=settings.time_limit_s, seed=settings.seed,
                           iterations=settings.iterations, progress=progress,
                           initial=greedy_solution(data, stops.seconds))
    return _interpret(result.best, data, calls=calls, bases=bases, settings=settings, stops=stops,
                      method=engine.method)


def _interpret(solution: pyvrp.Solution, data: pyvrp.ProblemData, *, calls: gpd.GeoDataFrame, bases: Sequence[Base],
               settings: RoundSettings, stops: Stops, method: str) -> RoundPlan:
    xs, ys, seconds, metres, call_location = stops.xs, stops.ys, stops.seconds, stops.metres, stops.call_location
    vehicle_names = [vehicle.name for vehicle in data.vehicle_types()]
    shifts = {shift.name: shift for shift in settings.shifts}
    rounds, visits, paths, served = [], [], {}, set()
    counters: dict[str, int] = {}
    per_second, per_metre = _pay_units(settings)
    for route in solution.routes():
        base_name, shift_name = vehicle_names[route.vehicle_type()].split("|", 1)
        counters[shift_name] = counters.get(shift_name, 0) + 1
        round_id = f"{base_name} · {shift_name} {counters[shift_name]}"
        base_index = route.start_depot()
        previous = base_index
        path = [(xs[base_index], ys[base_index])]
        for order, activity in enumerate([a for a in route.schedule() if a.is_client()], start=1):
            call = calls.iloc[activity.idx]  # a client activity's index is the call's position
            location = int(call_location[activity.idx])
            served.add(activity.idx)
            travel = seconds[previous, location]
            visits.append({
                "round": round_id, "order": order, "call_id": call.call_id, "client_id": call.client_id,
                "name": call["name"], "window": call.window,
                "window_text": f"{clock(int(call.tw_start_min))}–{clock(int(call.tw_end_min))}",
                "arrive": clock(int((activity.start_time - activity.wait_duration) // 60)),
                "start": clock(int(activity.start_time // 60)), "finish": clock(int(activity.end_time // 60)),
                "wait_min": activity.wait_duration / 60, "travel_min": travel / 60,
                "miles": metres[previous, location] / METRES_PER_MILE, "x": xs[location], "y": ys[location]})
            path.append((xs[location], ys[location]))
            previous = location
        path.append((xs[base_index], ys[base_index]))
        paths[round_id] = np.array(path)
        rounds.append(_round_row(round_id, base_name, shifts[shift_name], route, settings))
    unserved = [{"call_id": call.call_id, "client_id": call.client_id, "window": call.window,
                 "reason": _unserved_reason(call, int(call_location[row]), bases, settings, seconds)}
                for row, call in enumerate(calls.itertuples()) if row not in served]
    cost = float(solution.distance() * per_metre + solution.duration() * per_second)
    return RoundPlan(round_table(rounds), pd.DataFrame(visits), pd.DataFrame(unserved, columns=[
        "call_id", "client_id", "window", "reason"]), paths, method, cost, bool(solution.is_feasible()))


def _round_row(round_id: str, base_name: str, shift: Shift, route, settings: RoundSettings) -> dict:
    contact_h = route.service_duration() / 3600
    travel_h = route.travel_duration() / 3600
    wait_h = route.wait_duration() / 3600
    paid_h = route.duration() / 3600
    miles = route.distance() / METRES_PER_MILE
    cost = paid_h * settings.carer_pay_per_hour + miles * settings.mileage_per_mile
    return {"round": round_id, "base": base_name, "shift": shift.label(), "calls": route.num_clients(),
            "start": clock(int(route.start_time() // 60)), "end": clock(int(route.end_time() // 60)),
            "contact_hours": contact_h, "travel_hours": travel_h, "idle_hours": wait_h, "paid_hours": paid_h,
            "miles": miles, "travel_share": travel_h / paid_h if paid_h else 0.0,
            "cost": cost, "cost_per_contact_hour": cost / contact_h if contact_h else np.inf}


def round_table(rows: list[dict]) -> pd.DataFrame:
    """Rounds as a table: ``round``, ``base``, ``shift``, ``calls``, ``start``, ``end``, ``contact_hours``,
    ``travel_hours``, ``idle_hours``, ``paid_hours``, ``miles``, ``travel_share`` (of paid time), ``cost`` (£ pay and
    mileage) and ``cost_per_contact_hour`` (£)."""
    columns = ["round", "base", "shift", "calls", "start", "end", "contact_hours", "travel_hours", "idle_hours",
               "paid_hours", "miles", "travel_share", "cost", "cost_per_contact_hour"]
    return pd.DataFrame(rows, columns=columns)


