"""A quick first plan of a day's rounds for PyVRP to improve (starting from an empty plan, it spends most of its
effort just inserting hundreds of optional calls), and calls put into rounds already built without opening any.

Rounds are built as PyVRP checks them: times in whole seconds, each visit within its window, each round within its
shift and its longest paid length.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyvrp


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
