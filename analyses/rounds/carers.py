"""The carers of a week: the rota (each works some days, with consecutive days off spread through the week), rounds
followed from day to day (a day's round takes the name of the earlier round it shares most clients with) and handed
to the working carers who have served their clients most, and continuity of care (each client's calls served by
their main carer)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analyses.rounds.model import Base
from analyses.rounds.settings import DAY_NAMES, RoundSettings
from analyses.rounds.tables import DaySolution
from geo.errors import InputDataError


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


class RoundFollower:
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


def name_and_assign(solution: DaySolution, day: int, follow: RoundFollower, settings: RoundSettings
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
