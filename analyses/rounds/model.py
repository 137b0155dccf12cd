"""The PyVRP model of a day's rounds: bases are depots, carers' shifts are vehicles, calls are optional clients.

A day of calls (each with a time window and a visit length) is shared among carers' shifts (the
vehicles), starting and ending at their bases, with travel times from ``routing`` (real roads or the
labelled estimate), measured once between every place of the rounds (:class:`Stops`). Calls are optional with a
large prize (:func:`call_prize`), so the solver serves every call it can. The solver weighs pay for contact and
travel (never waiting: whether waiting is paid is money, applied when rounds are judged) and mileage, plus, when
carers are vehicles of their own (:class:`Crew`), a cost for a call served by someone other than the client's
usual carer.

All solving goes through :func:`solve_problem`, the same path the VRPLIB benchmark measures. A day's rounds are
planned from here by :mod:`analyses.rounds.day`, starting from a first plan (:mod:`analyses.rounds.first_plan`).
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
from analyses.rounds.settings import RoundSettings, Shift
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


SOLVER_RATES = RoundSettings()
"""Whose pay with on-costs and mileage weigh time against distance in the solver: the model's defaults, whatever
a user sets, so a plan depends on its planning settings alone and money is applied when rounds are judged."""


def pay_units() -> tuple[int, int]:
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
    per_second, per_metre = pay_units()
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
    costs = leg_cost(stops)

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
        matrices = [costs]
    else:
        position = {base.name: index for index, base in enumerate(bases)}
        matrices = _crew_costs(costs, calls, call_location, crew)
        vehicle_types = [vehicle(position[base], shift, available=1, profile=number if len(matrices) > 1 else 0,
                                 name=f"{base}|{shift.name}|{carer}")
                         for number, (carer, base) in enumerate(crew.carers) for shift in settings.shifts]
    if not vehicle_types:
        raise InputDataError("No carers: give at least one carer at a base.")
    return pyvrp.ProblemData(locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
                             distance_matrices=matrices, duration_matrices=[stops.seconds] * len(matrices))


def leg_cost(stops: Stops) -> np.ndarray:
    """The solver's "distance": the cost of each leg in solver units, mileage plus the pay for the time driving it
    (waiting is never weighed, so the plan does not depend on whether it is paid)."""
    per_second, per_metre = pay_units()
    return (per_metre * stops.metres + per_second * stops.seconds).astype(np.int64)


def _crew_costs(costs: np.ndarray, calls: pd.DataFrame, call_location: np.ndarray, crew: Crew) -> list[np.ndarray]:
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
        return [costs]
    matrices = []
    for carer, _ in crew.carers:
        others = [location for location, owner in owned.items() if owner != carer]
        matrix = costs.copy()
        matrix[:, others] += crew.change_cost
        np.fill_diagonal(matrix, 0)
        matrices.append(matrix)
    return matrices
