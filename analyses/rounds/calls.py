"""Calls of a day from a client list: call windows, visit lengths and days a week."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from analyses.rounds.settings import RoundSettings
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


def calls_for_day(clients: gpd.GeoDataFrame, settings: RoundSettings, *,
                  default_minutes: float = 30.0) -> gpd.GeoDataFrame:
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
