"""Why a call is left out of every round, and what change would fit it: the gap after the client's earlier call,
no road route from any base, a window no shift reaches, a shift too short for the journey, or full rounds."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analyses.rounds.model import UNREACHABLE, Base
from analyses.rounds.settings import RoundSettings, clock


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
