"""The PyVRP model of a day's rounds: bases are depots, carers' shifts are vehicles, calls are optional clients.

A day of calls (each with a time window and a visit length) is shared among carers' shifts (the
vehicles), starting and ending at their bases, with travel times from ``routing`` (real roads or the
labelled estimate). Calls are optional with a large prize, so the solver serves every call it can; the
plan returned never fits fewer calls than its greedy first plan, and the rest come back unserved, each
with the constraint that binds and what change would fit it. The solver weighs pay for contact and travel
(never waiting: whether waiting is paid is money, applied when rounds are judged) and mileage, plus, when
carers are vehicles of their own (:class:`Crew`), a cost for a call served by someone other than the client's
usual carer.

All solving goes through :func:`solve_problem`, the same path the VRPLIB benchmark measures.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning

from analyses.rounds.calls import MAX_PLAN_PLACES, check_plan_size
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


SOLVER_RATES = RoundSettings()
"""Whose pay with on-costs and mileage weigh time against distance in the solver: the model's defaults, whatever
a user sets, so a plan depends on its planning settings alone and money is applied when rounds are judged."""


def _pay_units() -> tuple[int, int]:
    """Integer solver costs per second (pay with on-costs) and per metre (mileage), in thousandths of a penny, at
    :data:`SOLVER_RATES`."""
    per_second = round(SOLVER_RATES.employer_cost_per_hour * 100_000 / 3600)
    per_metre = round(SOLVER_RATES.mileage_per_mile * 100_000 / METRES_PER_MILE)
    return per_second, per_metre


@dataclass(frozen=True)
class Stops:
    """Every place of the rounds (bases first, then each distinct client address) and the travel between them.

    Measured once for a day or a whole week: each day's problem reads the rows and columns it needs.

    Attributes
    ----------
    xs, ys : ndarray (n_locations,)
        BNG metres.
    call_location : ndarray (n_calls,)
        Location index of each call measured (calls at one address share it).
    seconds, metres : ndarray (n_locations × n_locations) of int64
        Travel time and distance, whole seconds and metres; :data:`UNREACHABLE` where no route exists.
    """

    xs: np.ndarray
    ys: np.ndarray
    call_location: np.ndarray
    seconds: np.ndarray
    metres: np.ndarray

    @staticmethod
    def _keys(calls: gpd.GeoDataFrame) -> list[tuple[float, float]]:
        return list(zip(calls.geometry.x.round(1), calls.geometry.y.round(1)))

    @classmethod
    def measure(cls, bases: Sequence[Base], calls: gpd.GeoDataFrame, engine: TravelEngine, *,
                longest_leg_min: float | None = None) -> "Stops":
        """Locate the calls and measure travel between every pair of places with ``engine`` (legs longer than
        ``longest_leg_min`` minutes, which no round can drive, are left unmeasured: UNREACHABLE)."""
        keys = cls._keys(calls)
        distinct = list(dict.fromkeys(keys))
        if len(distinct) > MAX_PLAN_PLACES:
            check_plan_size(calls)
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

    def locate(self, calls: gpd.GeoDataFrame) -> np.ndarray:
        """Location index of each call (all must be at places measured)."""
        index = {(round(x, 1), round(y, 1)): position for position, (x, y) in enumerate(zip(self.xs, self.ys))}
        return np.array([index[key] for key in self._keys(calls)], dtype=np.int64)


def call_prize(settings: RoundSettings, seconds: np.ndarray, metres: np.ndarray) -> int:
    """Prize for serving a call: more than any feasible insertion can cost, yet small enough that the
    solver's time-warp penalty (at most 100,000 per second) soon outweighs it, so it never serves a call
    by breaking a time window or a shift.

    An insertion lengthens a round by at most a whole shift of paid time plus two of the longest legs.
    """
    per_second, per_metre = _pay_units()
    finite = seconds < UNREACHABLE
    longest_shift = max(shift.end_min - shift.start_min for shift in settings.shifts) * 60
    return int(per_second * longest_shift + 2 * (per_second * seconds[finite].max() + per_metre * metres[finite].max()))


@dataclass(frozen=True)
class Crew:
    """The carers working a day, each its own vehicle, and the client's usual carer, so the solver keeps clients
    with their usual carer unless that costs more than ``change_cost``.

    Attributes
    ----------
    carers : tuple of (carer name, base name)
        Carers working the day; each may work every shift.
    owners : mapping
        Client id -> the client's usual carer (who has served most of their calls so far).
    change_cost : int
        Solver units (thousandths of a penny) added to each call served by another carer while the client's usual
        carer works that day.
    """

    carers: tuple[tuple[str, str], ...]
    owners: Mapping[str, str] = field(default_factory=dict)
    change_cost: int = 0


def build_problem(calls: gpd.GeoDataFrame, bases: Sequence[Base], settings: RoundSettings, stops: Stops, *,
                  crew: Crew | None = None) -> pyvrp.ProblemData:
    """The PyVRP instance: bases are depots, carers' shifts are vehicles, each call an optional client.

    Without ``crew``, each (base, shift) is one vehicle type with the base's carers; with it, each (carer, shift)
    is a vehicle named ``"<base>|<shift>|<carer>"``, and each carer drives on their own costs, which add
    ``crew.change_cost`` for arriving at a client whose usual carer is another carer working that day.

    Times are whole seconds and distances whole metres, so rounding changes a round by under a second
    per leg. ``calls`` are the calls to plan (those that keep the gap, ``gap_ok``), all at places of ``stops``;
    client ``i`` of the instance is row ``i`` of ``calls``.
    """
    prize = call_prize(settings, stops.seconds, stops.metres)
    call_location = stops.locate(calls)
    locations = [pyvrp.Location(float(x), float(y)) for x, y in zip(stops.xs, stops.ys)]
    depots = [pyvrp.Depot(location=index, name=base.name) for index, base in enumerate(bases)]
    clients = [
        pyvrp.Client(location=int(call_location[row]), service_duration=int(round(call.minutes * 60)),
                     tw_early=int(call.tw_start_min * 60), tw_late=int(call.tw_end_min * 60), prize=prize,
                     required=False, name=str(call.call_id))
        for row, call in enumerate(calls.itertuples())
    ]
    leg_cost = _leg_cost(stops)

    def vehicle(index: int, shift: Shift, *, available: int, profile: int, name: str) -> pyvrp.VehicleType:
        return pyvrp.VehicleType(
            num_available=available, start_depot=index, end_depot=index, tw_early=shift.start_min * 60,
            tw_late=shift.end_min * 60,
            shift_duration=int(min(settings.max_paid_hours * 3600, (shift.end_min - shift.start_min) * 60)),
            unit_distance_cost=1, unit_duration_cost=0, profile=profile,
            name=name)

    if crew is None:
        vehicle_types = [vehicle(index, shift, available=base.carers, profile=0, name=f"{base.name}|{shift.name}")
                         for index, base in enumerate(bases) if base.carers > 0 for shift in settings.shifts]
        matrices = [leg_cost]
    else:
        position = {base.name: index for index, base in enumerate(bases)}
        matrices = _crew_costs(leg_cost, calls, call_location, crew)
        vehicle_types = [vehicle(position[base], shift, available=1, profile=number if len(matrices) > 1 else 0,
                                 name=f"{base}|{shift.name}|{carer}")
                         for number, (carer, base) in enumerate(crew.carers) for shift in settings.shifts]
    if not vehicle_types:
        raise InputDataError("No carers: give at least one carer at a base.")
    return pyvrp.ProblemData(locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
                             distance_matrices=matrices, duration_matrices=[stops.seconds] * len(matrices))


def _leg_cost(stops: Stops) -> np.ndarray:
    """The solver's "distance": the cost of each leg in solver units, mileage plus the pay for the time driving it
    (waiting is never weighed, so the plan does not depend on whether it is paid)."""
    per_second, per_metre = _pay_units()
    return (per_metre * stops.metres + per_second * stops.seconds).astype(np.int64)


def _crew_costs(leg_cost: np.ndarray, calls: pd.DataFrame, call_location: np.ndarray, crew: Crew) -> list[np.ndarray]:
    """One leg-cost matrix per carer: arriving at a client whose usual carer is another working carer costs
    ``crew.change_cost`` more. A single matrix when no client has a usual carer at work."""
    working = {carer for carer, _ in crew.carers}
    owner_of_location: dict[int, str | None] = {}
    for client, location in zip(calls["client_id"], call_location):
        owner = crew.owners.get(client)
        owner = owner if owner in working else None
        seen = owner_of_location.setdefault(int(location), owner)
        if seen != owner:
            owner_of_location[int(location)] = None  # clients of different carers at one address: no preference
    owned = {location: owner for location, owner in owner_of_location.items() if owner is not None}
    if not owned or crew.change_cost <= 0:
        return [leg_cost]
    matrices = []
    for carer, _ in crew.carers:
        others = [location for location, owner in owned.items() if owner != carer]
        matrix = leg_cost.copy()
        matrix[:, others] += crew.change_cost
        np.fill_diagonal(matrix, 0)
        matrices.append(matrix)
    return matrices


# --- A first plan -----------------------------------------------------------------------------------


class _Rounds:
    """Rounds being built by :func:`greedy_solution`: times in seconds, checked as PyVRP checks them."""

    def __init__(self, data: pyvrp.ProblemData, seconds: np.ndarray) -> None:
        self.clients = data.clients()
        self.types = data.vehicle_types()
        self.depot_location = [depot.location for depot in data.depots()]
        self.seconds = seconds.tolist()  # plain lists: indexing them is many times faster than numpy scalars
        self.unused = [vehicle.num_available for vehicle in self.types]
        self.routes: list[list] = []  # [vehicle type, calls in order, leaves base (s), last visit ends (s)]

    def schedule(self, vehicle: int, visits: list[int]) -> tuple[bool, int, int]:
        """Whether a round keeps every window and its shift, when the carer leaves the base (just in time for the
        first visit, never before the shift starts) and when the last visit ends."""
        kind = self.types[vehicle]
        home = self.depot_location[kind.start_depot]
        first = self.clients[visits[0]]
        start = max(kind.tw_early, first.tw_early - self.seconds[home][first.location])
        time, where = start, home
        for index in visits:
            client = self.clients[index]
            begin = max(time + self.seconds[where][client.location], client.tw_early)
            if begin > client.tw_late:
                return False, start, time
            time, where = begin + client.service_duration, client.location
        finish = time + self.seconds[where][self.depot_location[kind.end_depot]]
        return finish <= kind.tw_late and finish - start <= kind.shift_duration, start, time

    def _fits_after(self, route: list, index: int) -> tuple[bool, int]:
        """Whether a call can follow a round's last visit, and when it would start (a quick check)."""
        vehicle, visits, start, end = route
        kind = self.types[vehicle]
        client = self.clients[index]
        begin = max(end + self.seconds[self.clients[visits[-1]].location][client.location], client.tw_early)
        finish = begin + client.service_duration + self.seconds[client.location][self.depot_location[kind.end_depot]]
        return begin <= client.tw_late and finish <= kind.tw_late and finish - start <= kind.shift_duration, begin

    def open(self, vehicle: int, visits: list[int]) -> bool:
        """Start a round of ``visits`` (as many of them, in order, as keep it feasible) if a carer is free."""
        if self.unused[vehicle] <= 0:
            return False
        kept: list[int] = []
        for index in visits:
            if self.schedule(vehicle, [*kept, index])[0]:
                kept.append(index)
        if kept:
            self.unused[vehicle] -= 1
            _, start, end = self.schedule(vehicle, kept)
            self.routes.append([vehicle, kept, start, end])
        return bool(kept)

    def append(self, index: int, new_round_penalty: int) -> bool:
        """Put a call at the end of the round that reaches it with least travel, or open a round from the nearest
        base with a free carer when that costs ``new_round_penalty`` seconds less."""
        best, best_score = None, None
        for route in self.routes:
            ok, _ = self._fits_after(route, index)
            if not ok:
                continue
            score = self.seconds[self.clients[route[1][-1]].location][self.clients[index].location]
            if best_score is None or score < best_score:
                best, best_score = route, score
        if self._open_nearest(index, None if best_score is None else best_score - new_round_penalty):
            return True
        if best is None:
            return False
        best[1].append(index)
        _, best[2], best[3] = self.schedule(best[0], best[1])
        return True

    def _open_nearest(self, index: int, shorter_than: int | None) -> bool:
        """Open a round for one call from the nearest base with a free carer (travel under ``shorter_than``)."""
        client = self.clients[index]
        choices = sorted((self.seconds[self.depot_location[kind.start_depot]][client.location], vehicle)
                         for vehicle, kind in enumerate(self.types) if self.unused[vehicle] > 0)
        for travel, vehicle in choices:
            if shorter_than is not None and travel >= shorter_than:
                return False
            if self.schedule(vehicle, [index])[0]:
                return self.open(vehicle, [index])
        return False

    def _duration(self, vehicle: int, visits: list[int]) -> int:
        kind = self.types[vehicle]
        ok, start, end = self.schedule(vehicle, visits)
        home = self.depot_location[kind.end_depot]
        return end + self.seconds[self.clients[visits[-1]].location][home] - start if ok else -1

    def insert(self, index: int, *, may_open: bool = True) -> bool:
        """Put a call where it lengthens a round least (any position), else open the nearest free round (unless
        ``may_open`` is False: then the call is not placed)."""
        best, best_added = None, None
        for route in self.routes:
            vehicle, visits = route[0], route[1]
            before = self._duration(vehicle, visits)
            for position in range(len(visits) + 1):
                duration = self._duration(vehicle, visits[:position] + [index] + visits[position:])
                if duration >= 0 and (best_added is None or duration - before < best_added):
                    best, best_added = (route, position), duration - before
        if best is not None:
            route, position = best
            route[1].insert(position, index)
            _, route[2], route[3] = self.schedule(route[0], route[1])
            return True
        return self._open_nearest(index, None) if may_open else False

    def solution(self, data: pyvrp.ProblemData) -> pyvrp.Solution:
        return pyvrp.Solution(data, [pyvrp.Route(data, route[1], route[0]) for route in self.routes if route[1]])


def greedy_solution(data: pyvrp.ProblemData, seconds: np.ndarray, *,
                    seeds: Sequence[tuple[int, Sequence[int]]] | None = None) -> pyvrp.Solution:
    """A quick first plan to start the search from.

    Without ``seeds``: calls in order of their window's end, each appended to the round that reaches it with least
    travel, or to a new round from the nearest base with a free carer
    when that costs over half an hour less (or no round can take it). With ``seeds`` (vehicle type, calls in
    order), e.g. yesterday's rounds, those rounds are rebuilt first, keeping the calls that still fit, and every
    other call is inserted where it lengthens a round least.

    PyVRP then improves it; starting from an empty plan, it spends most of its effort just inserting
    hundreds of optional calls.
    """
    rounds = _Rounds(data, seconds)
    clients = rounds.clients
    order = sorted(range(len(clients)), key=lambda index: (clients[index].tw_late, clients[index].tw_early))
    if not seeds:
        for index in order:
            rounds.append(index, new_round_penalty=1800)  # seconds: prefer filling a round to opening another
        return rounds.solution(data)
    placed: set[int] = set()
    for vehicle, visits in seeds:
        if rounds.open(int(vehicle), [int(index) for index in visits if int(index) not in placed]):
            placed.update(rounds.routes[-1][1])
    for index in order:
        if index not in placed:
            rounds.insert(index)
    return rounds.solution(data)


def insert_calls(data: pyvrp.ProblemData, seconds: np.ndarray, rounds: Sequence[tuple[int, Sequence[int]]],
                 calls: Sequence[int]) -> list[tuple[int, list[int]]] | None:
    """``rounds`` (vehicle type, client indices in visiting order) with each of ``calls`` (client indices) put where
    it lengthens a round least, keeping every window and shift; no round is opened.

    Returns
    -------
    list or None
        The rounds with the calls in them, in the order given; None when some call fits no round (or a round given
        does not keep its windows and shift as it is), so nothing is ever left unfitted.
    """
    built = _Rounds(data, seconds)
    for vehicle, visits in rounds:
        if not built.open(int(vehicle), [int(index) for index in visits]) or len(built.routes[-1][1]) != len(visits):
            return None
    for index in calls:
        if not built.insert(int(index), may_open=False):
            return None
    return [(int(vehicle), list(visits)) for vehicle, visits, *_ in built.routes]


# --- Why a call is not fitted -----------------------------------------------------------------------


def explain_unserved(call, location: int, bases: Sequence[Base], settings: RoundSettings,
                     seconds: np.ndarray) -> dict[str, str]:
    """Which constraint keeps a call out of every round, and what change would fit it.

    Parameters
    ----------
    call : namedtuple
        A row of the calls (:func:`analyses.rounds.calls_for_day`).
    location : int
        Its location in ``seconds``.
    bases : sequence of Base
        The bases with carers that day.

    Returns
    -------
    dict
        ``constraint`` ("gap", "reach", "window", "shift" or "capacity"), ``reason`` (a sentence starting with
        the constraint: "gap:", "unreachable:", "window:", "shift length:", "capacity:") and ``fix``.
    """
    planned = f"{clock(int(call.tw_start_min))}–{clock(int(call.tw_end_min))}"
    if not getattr(call, "gap_ok", True):
        limit = getattr(call, "gap_limit_min", None)
        hint = f"lower the least gap to {limit:.0f} minutes" if limit is not None and not pd.isna(limit) and limit >= 0 \
            else "remove one of the client's calls"
        return {"constraint": "gap", "reason": f"gap: the {call.window} call cannot start {settings.min_gap_minutes:.0f} "
                                               f"minutes after the end of the client's earlier call",
                "fix": f"{hint}, or move the {call.window} window later"}
    staffed = [index for index, base in enumerate(bases) if base.carers > 0] or list(range(len(bases)))
    reachable = [index for index in staffed
                 if seconds[index, location] < UNREACHABLE and seconds[location, index] < UNREACHABLE]
    if not reachable:
        return {"constraint": "reach", "reason": "unreachable: no road route from any base",
                "fix": "check the client's postcode, or add a base whose roads reach the client"}
    service = call.minutes * 60
    arrivals, needs = [], []
    for index in reachable:
        travel = int(seconds[index, location])
        for shift in settings.shifts:
            arrive = shift.start_min * 60 + travel
            arrivals.append((arrive, index, shift, travel))
            start = max(arrive, call.tw_start_min * 60)
            if start > call.tw_end_min * 60:
                continue
            finish = start + service + seconds[location, index]
            longest = min(settings.max_paid_hours * 3600, (shift.end_min - shift.start_min) * 60)
            leave = max(shift.start_min * 60, start - travel)
            needs.append((finish - leave <= longest and finish <= shift.end_min * 60, finish, leave, index, shift))
    if not needs:
        arrive, index, shift, travel = min(arrivals, key=lambda item: (item[0], item[3]))
        return {"constraint": "window",
                "reason": f"window: no shift reaches the client within {planned} (earliest arrival "
                          f"{clock(arrive // 60)} from {bases[index].name} at the start of the {shift.name} shift)",
                "fix": f"start a shift at {bases[index].name} by {clock(max(0, call.tw_end_min * 60 - travel) // 60)}, "
                       f"or let the call start as late as {clock(arrive // 60)}"}
    if not any(ok for ok, *_ in needs):
        _, finish, leave, index, shift = min(needs, key=lambda item: item[1] - item[2])
        hours = (finish - leave) / 3600
        return {"constraint": "shift",
                "reason": f"shift length: the visit and the journeys to and from {bases[index].name} take {hours:.1f} h "
                          f"and end at {clock(int(np.ceil(finish / 60)))}, beyond the {shift.name} shift "
                          f"({clock(shift.end_min)} end, rounds up to {settings.max_paid_hours:g} h)",
                "fix": f"allow rounds of {np.ceil(hours * 2) / 2:g} h and end the {shift.name} shift at "
                       f"{clock(int(np.ceil(finish / 60)))} or later"}
    nearest = min(reachable, key=lambda index: seconds[index, location])
    return {"constraint": "capacity", "reason": "capacity: every round is full (add carers or shifts)",
            "fix": f"add a carer at {bases[nearest].name}"}


# --- One day's rounds -------------------------------------------------------------------------------


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


@dataclass
class DaySolution:
    """One day's solved rounds before they are named: ``rounds`` and ``visits`` carry a ``route`` number."""

    rounds: pd.DataFrame
    visits: pd.DataFrame
    unserved: pd.DataFrame
    paths: dict[int, np.ndarray]
    cost: float
    feasible: bool
    routes: list[tuple[int, list[int]]]  # (vehicle type, positions in ``calls`` in visiting order)
    type_names: list[str]


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
        return _interpret(None, None, calls=calls, planned=positions, bases=bases, settings=settings, stops=stops)
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
        return _interpret(solution, data, calls=calls, planned=positions, bases=bases, settings=settings, stops=stops)
    initial = greedy_solution(data, seconds)
    if seeds:
        seeded = greedy_solution(data, seconds, seeds=mapped(seeds))
        if seeded.num_clients() >= initial.num_clients():
            initial = seeded
    result = solve_problem(data, time_limit_s=settings.time_limit_s, seed=settings.seed,
                           iterations=iterations or settings.iterations, progress=progress, initial=initial)
    best = _fit_every_call(result.best, initial, data, seconds)
    return _interpret(best, data, calls=calls, planned=positions, bases=bases, settings=settings, stops=stops)


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


def _interpret(solution: pyvrp.Solution | None, data: pyvrp.ProblemData | None, *, calls: gpd.GeoDataFrame,
               planned: np.ndarray, bases: Sequence[Base], settings: RoundSettings, stops: Stops) -> DaySolution:
    """Tables of a solved day. Client ``i`` of ``data`` is row ``planned[i]`` of ``calls``."""
    xs, ys, seconds, metres = stops.xs, stops.ys, stops.seconds, stops.metres
    call_location = stops.locate(calls)
    type_names = [vehicle.name for vehicle in data.vehicle_types()] if data is not None else []
    shifts = {shift.name: shift for shift in settings.shifts}
    rounds, visits, paths, served, routes = [], [], {}, set(), []
    per_second, _ = _pay_units()
    leg_cost = _leg_cost(stops)
    cost = 0.0
    for number, route in enumerate(solution.routes() if solution is not None else []):
        base_name, shift_name, *carer = type_names[route.vehicle_type()].split("|")
        base_index = route.start_depot()
        previous = base_index
        path = [(xs[base_index], ys[base_index])]
        order_positions = []
        for order, activity in enumerate([a for a in route.schedule() if a.is_client()], start=1):
            row = int(planned[activity.idx])  # a client activity's index is the call's position among those planned
            call = calls.iloc[row]
            location = int(call_location[row])
            served.add(row)
            order_positions.append(row)
            visits.append({
                "route": number, "order": order, "call_id": call.call_id, "client_id": call.client_id,
                "name": call["name"], "postcode": call.get("postcode", ""), "window": call.window,
                "window_text": f"{clock(int(call.tw_start_min))}–{clock(int(call.tw_end_min))}",
                "arrive": clock(int((activity.start_time - activity.wait_duration) // 60)),
                "start": clock(int(activity.start_time // 60)), "finish": clock(int(activity.end_time // 60)),
                "minutes": float(call.minutes), "wait_min": activity.wait_duration / 60,
                "travel_min": seconds[previous, location] / 60, "miles": metres[previous, location] / METRES_PER_MILE,
                "x": xs[location], "y": ys[location]})
            path.append((xs[location], ys[location]))
            previous = location
        path.append((xs[base_index], ys[base_index]))
        paths[number] = np.array(path)
        routes.append((route.vehicle_type(), order_positions))
        legs = [base_index, *[int(call_location[row]) for row in order_positions], base_index]
        miles = float(metres[legs[:-1], legs[1:]].sum()) / METRES_PER_MILE
        # Pay and mileage in solver units, without any cost of a change of carer the solver also weighed.
        cost += float(leg_cost[legs[:-1], legs[1:]].sum()) + per_second * route.service_duration()
        rounds.append({"route": number, "shift_name": shift_name, "carer": carer[0] if carer else "",
                       **_round_row("", base_name, shifts[shift_name], route, settings, miles=miles)})
    unserved = [{"call_id": call.call_id, "client_id": call.client_id, "window": call.window,
                 "window_text": f"{clock(int(call.tw_start_min))}–{clock(int(call.tw_end_min))}",
                 **explain_unserved(call, int(call_location[row]), bases, settings, seconds)}
                for row, call in enumerate(calls.itertuples()) if row not in served]
    feasible = bool(solution.is_feasible()) if solution is not None else True
    return DaySolution(pd.DataFrame(rounds, columns=["route", "shift_name", "carer", *ROUND_COLUMNS]),
                       pd.DataFrame(visits, columns=VISIT_COLUMNS), pd.DataFrame(
        unserved, columns=UNSERVED_COLUMNS), paths, cost, feasible, routes, type_names)


VISIT_COLUMNS = ["route", "order", "call_id", "client_id", "name", "postcode", "window", "window_text", "arrive",
                 "start", "finish", "minutes", "wait_min", "travel_min", "miles", "x", "y"]
UNSERVED_COLUMNS = ["call_id", "client_id", "window", "window_text", "constraint", "reason", "fix"]


def _round_row(round_id: str, base_name: str, shift: Shift, route, settings: RoundSettings, *, miles: float) -> dict:
    contact_h = route.service_duration() / 3600
    travel_h = route.travel_duration() / 3600
    wait_h = route.wait_duration() / 3600
    paid_h = route.duration() / 3600 if settings.pay_waiting else contact_h + travel_h
    cost = settings.round_cost(paid_h, miles)
    return {"round": round_id, "base": base_name, "shift": shift.label(), "calls": route.num_clients(),
            "start": clock(int(route.start_time() // 60)), "end": clock(int(route.end_time() // 60)),
            "contact_hours": contact_h, "travel_hours": travel_h, "idle_hours": wait_h, "paid_hours": paid_h,
            "miles": miles, "travel_share": travel_h / paid_h if paid_h else 0.0,
            "cost": cost, "cost_per_contact_hour": cost / contact_h if contact_h else np.inf}


ROUND_COLUMNS = ["round", "base", "shift", "calls", "start", "end", "contact_hours", "travel_hours", "idle_hours",
                 "paid_hours", "miles", "travel_share", "cost", "cost_per_contact_hour"]


def round_table(rows: list[dict]) -> pd.DataFrame:
    """Rounds as a table: ``round``, ``base``, ``shift``, ``calls``, ``start``, ``end``, ``contact_hours``,
    ``travel_hours``, ``idle_hours`` (waiting), ``paid_hours`` (all three, or contact and travel when waiting is not
    paid), ``miles``, ``travel_share`` (of paid time), ``cost`` (£ pay with its
    on-costs, and mileage) and ``cost_per_contact_hour`` (£)."""
    return pd.DataFrame(rows, columns=ROUND_COLUMNS)
