"""A solved day as tables: its rounds (hours, miles, cost), its visits in order with their times, and the calls not
fitted with the reason and the fix, read from PyVRP's solution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyvrp

from analyses.rounds.model import Base, Stops, leg_cost, pay_units
from analyses.rounds.settings import RoundSettings, Shift, clock
from analyses.rounds.unserved import explain_unserved
from geo.units import METRES_PER_MILE


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


def day_tables(solution: pyvrp.Solution | None, data: pyvrp.ProblemData | None, *, calls: gpd.GeoDataFrame,
               planned: np.ndarray, bases: Sequence[Base], settings: RoundSettings, stops: Stops) -> DaySolution:
    """Tables of a solved day. Client ``i`` of ``data`` is row ``planned[i]`` of ``calls``."""
    xs, ys, seconds, metres = stops.xs, stops.ys, stops.seconds, stops.metres
    call_location = stops.locate(calls)
    type_names = [vehicle.name for vehicle in data.vehicle_types()] if data is not None else []
    shifts = {shift.name: shift for shift in settings.shifts}
    rounds, visits, paths, served, routes = [], [], {}, set(), []
    per_second, _ = pay_units()
    costs = leg_cost(stops)
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
        cost += float(costs[legs[:-1], legs[1:]].sum()) + per_second * route.service_duration()
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
