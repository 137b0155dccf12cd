"""Calls of a day or a week from a client list: call windows, visit lengths, days a week and the gap between calls.

A client with N days a week is visited on N days of the week, spread evenly (3 days: e.g. Monday,
Wednesday, Friday), starting on a day drawn from the seed and the client's id, so a client's days do
not change when others are added. The calls of a client on one day are kept at least
``min_gap_minutes`` apart (from the end of one to the start of the next) by cutting their windows
where they would come closer: any start times within the cut windows keep the gap, so the solver
cannot break it. A call that cannot keep the gap at all is not planned and is reported with the reason.
"""

from __future__ import annotations

import re
import zlib

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.rounds.settings import DAY_NAMES, RoundSettings, clock
from geo.errors import InputDataError
from layers.clients import ClientTable
from layers.user_files import RowProblem

CALL_PATTERNS: dict[int, tuple[str, ...]] = {
    1: ("morning",), 2: ("morning", "tea"), 3: ("morning", "lunch", "tea"), 4: ("morning", "lunch", "tea", "bed"),
}
"""The usual windows of a client's calls by number of calls a day (assumption; windows are editable)."""

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
    names = CALL_PATTERNS.get(int(calls_per_day)) or tuple(settings.windows)[: int(calls_per_day)]
    return [(name, *settings.windows[name]) for name in names if name in settings.windows]


def visit_days(client_id: object, days_per_week: float, seed: int) -> list[int]:
    """The days (0 = Monday … 6 = Sunday) a client is visited: ``days_per_week`` (rounded, 1–7) spread evenly
    over the week from a first day drawn from ``seed`` and the client's id.

    >>> visit_days("C1", 7, seed=1)
    [0, 1, 2, 3, 4, 5, 6]
    """
    days = int(np.clip(int(np.floor(float(days_per_week) + 0.5)), 1, 7))
    first = int(np.random.default_rng([int(seed), zlib.crc32(str(client_id).encode())]).integers(7))
    return sorted({(first + (k * 7) // days) % 7 for k in range(days)})


def separate_calls(windows: list[tuple[int, int]], minutes: list[float], gap: float
                   ) -> list[tuple[int, int] | None]:
    """Cut one day's call windows (sorted by start) so that any start times within them keep ``gap`` minutes
    between the end of one call and the start of the next.

    Each pair of consecutive windows that would come closer is cut at the point that keeps the largest share
    of both windows. A call that cannot follow the calls before it by ``gap`` gets None (it cannot be planned).

    Parameters
    ----------
    windows : list of (start, end)
        Minutes after midnight; the visit must start within the window.
    minutes : list of float
        Visit length of each call.
    gap : float
        Least minutes from the end of a call to the start of the next.

    Returns
    -------
    list
        The cut window of each call, or None for a call that cannot keep the gap.
    """
    separation = [int(np.ceil(length + gap)) for length in minutes]  # whole minutes, so the cut windows are too
    kept: list[int] = []  # positions of the calls that can follow each other with the gap
    earliest: list[int] = []
    for position, (start, end) in enumerate(windows):
        soonest = int(start) if not kept else max(int(start), earliest[-1] + separation[kept[-1]])
        if soonest <= end:
            kept.append(position)
            earliest.append(soonest)
    latest = [0] * len(kept)
    for k in range(len(kept) - 1, -1, -1):
        end = int(windows[kept[k]][1])
        latest[k] = end if k == len(kept) - 1 else min(end, latest[k + 1] - separation[kept[k]])
    result: list[tuple[int, int] | None] = [None] * len(windows)
    low = earliest[0] if kept else 0
    for k, position in enumerate(kept):
        high = latest[k]
        next_low = 0
        if k + 1 < len(kept):
            # Cut where the smaller of the two kept shares (this window's, the next one's) is largest.
            cuts = np.arange(low, high + 1)
            starts = np.maximum(earliest[k + 1], cuts + separation[position])
            own = (cuts - low + 1) / (high - low + 1)
            following = (latest[k + 1] - starts + 1) / (latest[k + 1] - earliest[k + 1] + 1)
            best = int(np.argmax(np.minimum(own, following)))
            high, next_low = int(cuts[best]), int(starts[best])
        result[position] = (low, high)
        low = next_low
    return result


def _client_windows(client, settings: RoundSettings, default_minutes: float):
    """A client's windows of a day (sorted), visit length and days a week."""
    text = getattr(client, "windows", "") or ""
    per_day = getattr(client, "calls_per_day", None)
    per_day = int(per_day) if per_day is not None and not pd.isna(per_day) else 1
    windows = parse_windows(text, settings) if str(text).strip() else default_windows(per_day, settings)
    windows = sorted(windows, key=lambda window: (window[1], window[2]))
    minutes = getattr(client, "minutes_per_call", None)
    minutes = float(minutes) if minutes is not None and not pd.isna(minutes) else default_minutes
    days = getattr(client, "days_per_week", None)
    days = float(days) if days is not None and not pd.isna(days) else 7.0
    return windows, minutes, days


def largest_gap(windows: list[tuple[int, int]], minutes: list[float], position: int) -> float:
    """The largest gap (whole minutes, -1 if none) with which the call at ``position`` keeps its place after the
    calls before it (:func:`separate_calls`)."""
    low, high = 0, 24 * 60
    if separate_calls(windows, minutes, low)[position] is None:
        return -1
    while low < high:  # a larger gap never makes room for a call, so bisect
        middle = (low + high + 1) // 2
        if separate_calls(windows, minutes, middle)[position] is None:
            high = middle - 1
        else:
            low = middle
    return float(low)


def _client_rows(client, settings: RoundSettings, default_minutes: float) -> tuple[list[dict], float]:
    """One row per call of the client on a day it is visited (no day yet), and its days a week."""
    windows, minutes, days = _client_windows(client, settings, default_minutes)
    spans = [(start, end) for _, start, end in windows]
    cut = separate_calls(spans, [minutes] * len(windows), settings.min_gap_minutes)
    postcode = getattr(client, "postcode", "") or ""
    rows = []
    for number, ((window, start, end), kept) in enumerate(zip(windows, cut), start=1):
        rows.append({"client_id": client.client_id, "name": getattr(client, "name", "") or "",
                     "postcode": "" if pd.isna(postcode) else str(postcode), "number": number, "window": window,
                     "window_start_min": start, "window_end_min": end,
                     "tw_start_min": kept[0] if kept else start, "tw_end_min": kept[1] if kept else end,
                     "gap_ok": kept is not None,
                     "gap_limit_min": np.nan if kept else largest_gap(spans, [minutes] * len(spans), number - 1),
                     "minutes": minutes, "days_per_week": days, "geometry": client.geometry})
    return rows, days


CALL_COLUMNS = ["call_id", "client_id", "name", "postcode", "number", "window", "window_start_min", "window_end_min",
                "tw_start_min", "tw_end_min", "gap_ok", "gap_limit_min", "minutes", "days_per_week", "geometry"]


def calls_for_day(clients: gpd.GeoDataFrame, settings: RoundSettings, *,
                  default_minutes: float = 30.0) -> gpd.GeoDataFrame:
    """One row per call of a day on which every client is visited.

    Parameters
    ----------
    clients : GeoDataFrame
        ``client_id`` and point geometry (BNG); optional ``name``, ``postcode``, ``calls_per_day``,
        ``minutes_per_call``, ``windows`` (text), ``days_per_week``.

    Returns
    -------
    GeoDataFrame
        ``call_id`` (``<client>-<n>``), ``client_id``, ``name``, ``postcode``, ``number`` (call of the day),
        ``window`` (name), ``window_start_min`` and ``window_end_min`` (the window asked for),
        ``tw_start_min`` and ``tw_end_min`` (the window planned, cut to keep the gap), ``gap_ok`` (False: the
        call cannot keep the gap after the client's earlier calls), ``gap_limit_min`` (for those: the largest gap
        that would keep it, minutes), ``minutes``, ``days_per_week`` and geometry.
    """
    rows = []
    for client in clients.itertuples():
        for row in _client_rows(client, settings, default_minutes)[0]:
            rows.append({"call_id": f"{row['client_id']}-{row['number']}", **row})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=CALL_COLUMNS), geometry="geometry", crs=clients.crs)


def calls_for_week(clients: gpd.GeoDataFrame, settings: RoundSettings, *,
                   default_minutes: float = 30.0) -> gpd.GeoDataFrame:
    """One row per call of a week, Monday to Sunday: each client's calls on each of its days (:func:`visit_days`).

    Returns
    -------
    GeoDataFrame
        ``day`` (0 = Monday), ``day_name``, then the columns of :func:`calls_for_day`; ``call_id`` is
        ``<client>-<Mon>-<n>``. Sorted by day.
    """
    rows = []
    for client in clients.itertuples():
        client_rows, days = _client_rows(client, settings, default_minutes)
        for day in visit_days(client.client_id, days, settings.seed):
            for row in client_rows:
                rows.append({"day": day, "day_name": DAY_NAMES[day],
                             "call_id": f"{row['client_id']}-{DAY_NAMES[day][:3]}-{row['number']}", **row})
    frame = pd.DataFrame(rows, columns=["day", "day_name", *CALL_COLUMNS])
    frame = frame.sort_values("day", kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=clients.crs)


def window_text(start: int, end: int) -> str:
    """A window as clock times (``"07:00–10:00"``)."""
    return f"{clock(int(start))}–{clock(int(end))}"


def weekly_contact_hours(clients: pd.DataFrame, settings: RoundSettings) -> pd.Series:
    """Weekly contact hours of each client: calls a day × minutes a call × days a week."""
    calls = calls_for_day(gpd.GeoDataFrame(clients, geometry="geometry"), settings)
    per_day = calls.groupby("client_id")["minutes"].sum() / 60.0
    days = calls.groupby("client_id")["days_per_week"].first()
    return (per_day * days).reindex(clients["client_id"]).fillna(0.0)


MAX_PLAN_PLACES = 3_000
"""Most client addresses in one plan. Travel is measured between every pair of places (a 3,000-place plan holds
about 400 MB of matrices) and a larger area is better planned a locality at a time."""


def check_plan_size(clients: gpd.GeoDataFrame) -> None:
    """Refuse a plan with more client addresses than :data:`MAX_PLAN_PLACES` before anything is measured.

    Raises
    ------
    InputDataError
        Naming the count and what to do.
    """
    places = len(set(zip(clients.geometry.x.round(1), clients.geometry.y.round(1))))
    if places > MAX_PLAN_PLACES:
        raise InputDataError(f"{places:,} client addresses: one plan of rounds takes at most {MAX_PLAN_PLACES:,} "
                             f"(travel is measured between every pair). Plan a PCN locality at a time: split the "
                             f"list by locality, or choose a locality for synthetic clients.")


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
        if not windows and calls is not None and not pd.isna(calls) and len(default_windows(calls, settings)) < int(calls):
            table.problems.append(RowProblem(int(client.row), "calls_per_day", (
                f"{int(calls)} calls a day but no windows, and the named windows ({', '.join(settings.windows)}) "
                f"cover only {len(default_windows(calls, settings))}: give this client's windows as times, "
                f"e.g. 07:00-08:00;10:00-11:00;13:00-14:00;16:00-17:00;20:00-21:00.")))
            continue
        if windows and calls is not None and not pd.isna(calls) and int(calls) != len(windows):
            table.notes.append(f"Row {client.row}: {len(windows)} window(s) given for {int(calls)} call(s) a day; the "
                               f"windows were used.")
        keep.append(position)
    table.clients = table.clients.iloc[keep].reset_index(drop=True)
    table.problems.sort(key=lambda problem: (problem.row or 0))
    return table
