"""Rounds of home-care calls with PyVRP, and how viable they are.

A day of calls (each with a time window and a visit length) is shared among carers' shifts (the
vehicles), starting and ending at their bases, with travel times from ``routing`` (real roads or the
labelled estimate). Calls are optional with a large prize, so the solver serves every call it can and
returns the rest as unserved, each with the reason it could not be fitted.

All solving goes through :func:`solve_problem`, the same path the VRPLIB benchmark measures.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning

from geo.errors import InputDataError
from geo.units import METRES_PER_MILE
from layers.clients import ClientTable, RowProblem
from routing.engine import TravelEngine


UNREACHABLE = 10**9
"""Travel time and distance put on pairs with no road route (seconds / metres): never worth taking."""

Progress = Callable[[float, str], None]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Shift:
    """A carer's shift: one round. Times in minutes after midnight."""

    name: str
    start_min: int
    end_min: int

    def label(self) -> str:
        return f"{self.name} {_clock(self.start_min)}–{_clock(self.end_min)}"


@dataclass(frozen=True)
class RoundSettings:
    """Assumptions of the round model (none is in the council documents; all are visible in the app).

    Attributes
    ----------
    windows : dict
        Named call windows, minutes after midnight: the visit must start within it.
    shifts : tuple of Shift
        The shifts each carer works; each shift is one round.
    max_paid_hours : float
        Longest paid round (hours), within the shift.
    carer_pay_per_hour : float
        Carer pay, £ per paid hour (contact, travel and waiting).
    mileage_per_mile : float
        Mileage paid, £ per mile (HMRC approved rate 45p).
    income_per_contact_hour : float
        What the provider is paid per contact hour (the council's fee), £.
    max_travel_share : float
        A round with more travel than this share of its paid time is not viable.
    min_contact_hours : float
        A round with fewer contact hours is not viable.
    iterations : int
        Solver iterations: with the seed, this fixes the result (same seed and iterations, same rounds).
    seconds : float
        Time cap per run; if it stops the search before the iterations are done, results may vary.
    seed : int
        Solver seed.
    """

    windows: dict[str, tuple[int, int]] = field(default_factory=lambda: {
        "morning": (7 * 60, 10 * 60), "lunch": (11 * 60 + 30, 13 * 60 + 30),
        "tea": (16 * 60, 18 * 60), "bed": (19 * 60 + 30, 22 * 60)})
    shifts: tuple[Shift, ...] = (Shift("Morning", 7 * 60, 14 * 60), Shift("Evening", 16 * 60, 22 * 60 + 30))
    max_paid_hours: float = 7.0
    carer_pay_per_hour: float = 12.60
    mileage_per_mile: float = 0.45
    income_per_contact_hour: float = 19.45
    max_travel_share: float = 0.35
    min_contact_hours: float = 2.0
    iterations: int = 3000
    seconds: float = 60.0
    seed: int = 1

    def solver_key(self) -> str:
        """The settings that change the planned rounds (not the verdict thresholds, which only judge them)."""
        judged_only = {"income_per_contact_hour", "max_travel_share", "min_contact_hours"}
        return repr({name: value for name, value in self.__dict__.items() if name not in judged_only})


# --- Calls ----------------------------------------------------------------------------------------

_EXPLICIT = re.compile(r"^(\d{1,2})[:.]?(\d{2})\s*[-–]\s*(\d{1,2})[:.]?(\d{2})$")


def parse_windows(text: str, settings: RoundSettings) -> list[tuple[str, int, int]]:
    """Windows of one client's calls from text such as ``"morning;tea"`` or ``"08:00-09:00;bed"``.

    Raises
    ------
    InputDataError
        For an unknown window name, a malformed time, or a window ending before it starts.
    """
    windows = []
    for token in [part.strip() for part in re.split(r"[;,|/]", str(text)) if part.strip()]:
        named = settings.windows.get(token.lower())
        if named:
            windows.append((token.lower(), *named))
            continue
        match = _EXPLICIT.match(token)
        if not match:
            raise InputDataError(f"{token!r} is not a call window: use {', '.join(settings.windows)} or a time range "
                                 f"such as 08:00-09:30.")
        h1, m1, h2, m2 = map(int, match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            raise InputDataError(f"{token!r} is not a valid time range (hours 0–24, minutes 0–59).")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise InputDataError(f"The window {token!r} ends before it starts; write the earlier time first.")
        windows.append((token, start, end))
    return windows


def default_windows(calls_per_day: int, settings: RoundSettings) -> list[tuple[str, int, int]]:
    """Usual windows for a number of calls a day (1: morning … 4: morning, lunch, tea, bed)."""
    names = {1: ["morning"], 2: ["morning", "tea"], 3: ["morning", "lunch", "tea"],
             4: ["morning", "lunch", "tea", "bed"]}.get(int(calls_per_day))
    if names is None:
        names = list(settings.windows)[: int(calls_per_day)]
    return [(name, *settings.windows[name]) for name in names if name in settings.windows]


def calls_for_day(clients: gpd.GeoDataFrame, settings: RoundSettings, default_minutes: float = 30.0) -> gpd.GeoDataFrame:
    """One row per call of a day on which every client is visited.

    Parameters
    ----------
    clients : GeoDataFrame
        ``client_id`` and point geometry (BNG); optional ``name``, ``calls_per_day``,
        ``minutes_per_call``, ``windows`` (text), ``days_per_week``.

    Returns
    -------
    GeoDataFrame
        ``call_id`` (``<client>-<n>``), ``client_id``, ``name``, ``window``, ``tw_start_min``,
        ``tw_end_min``, ``minutes``, ``days_per_week`` and geometry.
    """
    rows = []
    for client in clients.itertuples():
        text = getattr(client, "windows", "") or ""
        per_day = getattr(client, "calls_per_day", None)
        per_day = int(per_day) if per_day is not None and not pd.isna(per_day) else 1
        windows = parse_windows(text, settings) if str(text).strip() else default_windows(per_day, settings)
        minutes = getattr(client, "minutes_per_call", None)
        minutes = float(minutes) if minutes is not None and not pd.isna(minutes) else default_minutes
        days = getattr(client, "days_per_week", None)
        days = float(days) if days is not None and not pd.isna(days) else 7.0
        for number, (window, start, end) in enumerate(windows, start=1):
            rows.append({"call_id": f"{client.client_id}-{number}", "client_id": client.client_id,
                         "name": getattr(client, "name", "") or "", "window": window, "tw_start_min": start,
                         "tw_end_min": end, "minutes": minutes, "days_per_week": days, "geometry": client.geometry})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=clients.crs)


# --- Solving --------------------------------------------------------------------------------------


class _Stop:
    """Stop after ``iterations`` (if given) or ``seconds``, whichever comes first, reporting progress."""

    def __init__(self, seconds: float, iterations: int | None, progress: Progress | None) -> None:
        self._seconds, self._iterations, self._progress = seconds, iterations, progress
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


def solve_problem(data: pyvrp.ProblemData, seconds: float, seed: int = 1, iterations: int | None = None,
                  progress: Progress | None = None, initial: pyvrp.Solution | None = None) -> pyvrp.Result:
    """Solve a PyVRP instance exactly as given (no rescaling or rounding).

    Stops after ``iterations`` or ``seconds``, whichever first; with an iteration budget that is
    reached first, the same seed gives the same solution. ``initial`` is a plan to start from.
    """
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their cap; with optional calls a feasible plan always
        # exists (serve fewer calls), so the warning says nothing the result does not.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return pyvrp.solve(data, stop=_Stop(seconds, iterations, progress), seed=seed, display=False,
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


def _travel_matrices(engine: TravelEngine, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    matrix = engine.matrix(xy, xy)
    seconds = np.where(np.isfinite(matrix.minutes), np.round(matrix.minutes * 60.0), UNREACHABLE)
    metres = np.where(np.isfinite(matrix.miles), np.round(matrix.miles * METRES_PER_MILE), UNREACHABLE)
    np.fill_diagonal(seconds, 0)
    np.fill_diagonal(metres, 0)
    return seconds.astype(np.int64), metres.astype(np.int64)


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


def build_problem(calls: gpd.GeoDataFrame, bases: Sequence[Base], settings: RoundSettings, seconds: np.ndarray,
                  metres: np.ndarray, call_location: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> pyvrp.ProblemData:
    """The PyVRP instance: bases are depots, each (base, shift) a vehicle type, each call an optional client.

    Times are whole seconds and distances whole metres, so rounding changes a round by under a second
    per leg.
    """
    per_second, per_metre = _pay_units(settings)
    prize = call_prize(settings, seconds, metres)
    locations = [pyvrp.Location(float(x), float(y)) for x, y in zip(xs, ys)]
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
                             distance_matrices=[metres], duration_matrices=[seconds])


def _locations(bases: Sequence[Base], calls: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Location index of each call (calls at one address share it), and x, y of every location (bases first)."""
    keys = list(zip(calls.geometry.x.round(1), calls.geometry.y.round(1)))
    distinct = list(dict.fromkeys(keys))
    position = {key: len(bases) + index for index, key in enumerate(distinct)}
    xs = np.array([base.x for base in bases] + [x for x, _ in distinct], dtype=float)
    ys = np.array([base.y for base in bases] + [y for _, y in distinct], dtype=float)
    return np.array([position[key] for key in keys], dtype=np.int64), xs, ys


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


def plan_rounds(calls: gpd.GeoDataFrame, bases: Sequence[Base], engine: TravelEngine, settings: RoundSettings,
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
    call_location, xs, ys = _locations(bases, calls)
    if progress:
        progress(0.0, "Measuring travel between every pair of stops…")
    seconds, metres = _travel_matrices(engine, np.column_stack([xs, ys]))
    data = build_problem(calls, bases, settings, seconds, metres, call_location, xs, ys)
    result = solve_problem(data, settings.seconds, settings.seed, settings.iterations, progress,
                           greedy_solution(data, seconds))
    return _interpret(result.best, data, calls, bases, settings, seconds, metres, call_location, xs, ys,
                      engine.method)


def _interpret(solution, data, calls, bases, settings, seconds, metres, call_location, xs, ys, method) -> RoundPlan:
    vehicle_names = [vehicle.name for vehicle in data.vehicle_types()]
    shifts = {shift.name: shift for shift in settings.shifts}
    rounds, visits, stops, served = [], [], {}, set()
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
                "window_text": f"{_clock(int(call.tw_start_min))}–{_clock(int(call.tw_end_min))}",
                "arrive": _clock(int((activity.start_time - activity.wait_duration) // 60)),
                "start": _clock(int(activity.start_time // 60)), "finish": _clock(int(activity.end_time // 60)),
                "wait_min": activity.wait_duration / 60, "travel_min": travel / 60,
                "miles": metres[previous, location] / METRES_PER_MILE, "x": xs[location], "y": ys[location]})
            path.append((xs[location], ys[location]))
            previous = location
        path.append((xs[base_index], ys[base_index]))
        stops[round_id] = np.array(path)
        rounds.append(_round_row(round_id, base_name, shifts[shift_name], route, settings))
    unserved = [{"call_id": call.call_id, "client_id": call.client_id, "window": call.window,
                 "reason": _unserved_reason(call, int(call_location[row]), bases, settings, seconds)}
                for row, call in enumerate(calls.itertuples()) if row not in served]
    cost = float(solution.distance() * per_metre + solution.duration() * per_second)
    return RoundPlan(round_table(rounds), pd.DataFrame(visits), pd.DataFrame(unserved, columns=[
        "call_id", "client_id", "window", "reason"]), stops, method, cost, bool(solution.is_feasible()))


def _round_row(round_id: str, base_name: str, shift: Shift, route, settings: RoundSettings) -> dict:
    contact_h = route.service_duration() / 3600
    travel_h = route.travel_duration() / 3600
    wait_h = route.wait_duration() / 3600
    paid_h = route.duration() / 3600
    miles = route.distance() / METRES_PER_MILE
    cost = paid_h * settings.carer_pay_per_hour + miles * settings.mileage_per_mile
    return {"round": round_id, "base": base_name, "shift": shift.label(), "calls": route.num_clients(),
            "start": _clock(int(route.start_time() // 60)), "end": _clock(int(route.end_time() // 60)),
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


# --- Viability ------------------------------------------------------------------------------------


def judge_rounds(rounds: pd.DataFrame, settings: RoundSettings) -> pd.DataFrame:
    """Add a verdict to each round: "viable", or "not viable" with the thresholds it breaks."""
    judged = rounds.copy()
    reasons = []
    for row in judged.itertuples():
        broken = []
        if row.travel_share > settings.max_travel_share:
            broken.append(f"travel {row.travel_share:.0%} of paid time (limit {settings.max_travel_share:.0%})")
        if row.contact_hours < settings.min_contact_hours:
            broken.append(f"{row.contact_hours:.1f} contact hours (minimum {settings.min_contact_hours:g})")
        if row.cost_per_contact_hour > settings.income_per_contact_hour:
            broken.append(f"costs £{row.cost_per_contact_hour:.2f} per contact hour, paid "
                          f"£{settings.income_per_contact_hour:.2f}")
        reasons.append("; ".join(broken))
    judged["verdict"] = ["viable" if not reason else "not viable" for reason in reasons]
    judged["why"] = reasons
    return judged


def provider_scenario(weekly_hours: pd.Series, providers: int | pd.Series, threshold_hours: float,
                      contact_hours_per_round: float) -> pd.DataFrame:
    """Hours per provider in each locality if ``providers`` share its weekly hours equally.

    Parameters
    ----------
    weekly_hours : Series
        Contact hours per week by locality.
    providers : int or Series
        Providers sharing each locality.
    threshold_hours : float
        Weekly hours a provider needs to be viable (300 in Herefordshire).
    contact_hours_per_round : float
        Contact hours one round delivers (from the planned rounds, or an assumption).

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


def suggest_carers(calls: pd.DataFrame, travel_minutes: float = 10.0) -> int:
    """Carers needed so every call window can be covered: for each window, its calls over the calls one
    carer can start within it (each call taking its visit plus ``travel_minutes``)."""
    if calls.empty:
        return 0
    needed = 1
    for (start, end), group in calls.groupby(["tw_start_min", "tw_end_min"]):
        per_call = float(group["minutes"].mean()) + travel_minutes
        per_carer = int((end - start) // per_call) + 1
        needed = max(needed, int(np.ceil(len(group) / per_carer)))
    return needed


def weekly_contact_hours(clients: pd.DataFrame, settings: RoundSettings) -> pd.Series:
    """Weekly contact hours of each client: calls a day × minutes a call × days a week."""
    calls = calls_for_day(gpd.GeoDataFrame(clients, geometry="geometry"), settings)
    per_day = calls.groupby("client_id")["minutes"].sum() / 60.0
    days = calls.groupby("client_id")["days_per_week"].first()
    return (per_day * days).reindex(clients["client_id"]).fillna(0.0)


ROUND_CLIENT_COLUMNS = {"calls_per_day": (1.0, 6.0), "minutes_per_call": (5.0, 240.0), "days_per_week": (1.0, 7.0),
                        "hours_per_week": (0.0, 168.0)}
"""Numeric columns of a round-planning client list, with their allowed ranges."""


def check_client_windows(table: ClientTable, settings: RoundSettings) -> ClientTable:
    """Move clients whose ``windows`` text cannot be read from ``table.clients`` to ``table.problems``."""
    keep = []
    for position, client in enumerate(table.clients.itertuples()):
        text = getattr(client, "windows", "") or ""
        try:
            windows = parse_windows(text, settings) if str(text).strip() else []
        except InputDataError as error:
            table.problems.append(RowProblem(int(client.row), "windows", str(error)))
            continue
        calls = getattr(client, "calls_per_day", None)
        if windows and calls is not None and not pd.isna(calls) and int(calls) != len(windows):
            table.notes.append(f"Row {client.row}: {len(windows)} window(s) given for {int(calls)} call(s) a day; the "
                               f"windows were used.")
        keep.append(position)
    table.clients = table.clients.iloc[keep].reset_index(drop=True)
    table.problems.sort(key=lambda problem: (problem.row or 0))
    return table
