"""The one path every user file takes: the app's pages and the bad-input tests call these functions.

Each returns the valid records and a list of problems (row, column, what to do), or raises
:class:`geo.errors.InputDataError` / :class:`geo.errors.RoadNetworkError` when the file as a whole
cannot be used. Nothing a user uploads is written to disk, except a road network the user accepted and asked to
keep (the road-network picker builds from a temporary file that is removed).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analyses import rounds
from geo.council import Council
from geo.errors import InputDataError
from layers import catalog
from layers.care_homes import CandidateSites, CareHomeTable, read_candidate_sites, read_care_homes
from layers.clients import ClientTable, read_client_table
from layers.council_data import CouncilData
from layers.user_files import RowProblem
from routing.engine import TravelEngine
from routing.limits import RoadLimits
from routing.settings import RoutingSettings
from routing.sources import UPLOAD, build_engine

FEE_ZONE_COLUMNS = {"hours_per_week": (0.0, 168.0), "calls_per_day": (1.0, 6.0), "minutes_per_call": (5.0, 240.0),
                    "days_per_week": (1.0, 7.0)}
"""Numeric columns of a fee-zone client list, with their allowed ranges (the call columns as for rounds)."""
FEE_ZONE_HOURS = (("hours_per_week",), ("minutes_per_call",))
"""Weekly hours come from ``hours_per_week`` or, without it, from the columns of a round-planning list: the number
of call windows (or calls a day) × minutes a call × days a week (7 when not given) — one client list serves every
page."""


def fee_zone_clients(content: bytes, filename: str, data: CouncilData) -> ClientTable:
    """A client list for fee-zone costing: client_id, postcode (or lat/lon, easting/northing) and weekly hours
    (``hours_per_week``, or derived from a round-planning list's calls, minutes and days, said in a note)."""
    settings = rounds.RoundSettings.for_council(data.council)
    table = read_client_table(content, filename, postcodes=data.postcodes, outline=data.outline,
                              council_name=data.council.name, numeric=FEE_ZONE_COLUMNS, one_of=FEE_ZONE_HOURS,
                              one_of_text="hours_per_week, or minutes_per_call with calls_per_day or windows",
                              checks={"windows": lambda text: rounds.parse_windows(text, settings)})
    clients = table.clients
    if "hours_per_week" not in clients:
        windows = clients.get("windows", pd.Series("", index=clients.index)).fillna("")
        from_windows = windows.map(lambda text: len(rounds.parse_windows(text, settings)) if str(text).strip() else 0)
        calls = clients["calls_per_day"] if "calls_per_day" in clients else pd.Series(float("nan"), index=clients.index)
        # Windows first, as the rounds read them: a client's windows are its calls.
        calls = from_windows.where(from_windows > 0, calls)
        days = clients["days_per_week"] if "days_per_week" in clients else pd.Series(7.0, index=clients.index)
        days = days.fillna(7.0)
        hours = calls * clients["minutes_per_call"] * days / 60
        unknown = hours.isna()
        for row in clients.loc[unknown, "row"]:
            table.problems.append(RowProblem(int(row), None, "no weekly hours: give hours_per_week, or calls_per_day "
                                                             "(or windows) and minutes_per_call."))
        if len(clients) and unknown.all():
            raise InputDataError(f"{filename}: no row gives weekly hours. Add an hours_per_week column, or "
                                 f"calls_per_day (or windows) with minutes_per_call.")
        table.clients = clients = clients[~unknown].assign(hours_per_week=hours[~unknown]).reset_index(drop=True)
        table.problems.sort(key=lambda problem: problem.row or 0)
        table.notes.append("Weekly hours = the number of call windows (or calls a day where no windows are given) × "
                           "minutes a call × days a week (7 where not given) ÷ 60: the file has no hours_per_week "
                           "column.")
    return table


def round_clients(content: bytes, filename: str, data: CouncilData, settings: rounds.RoundSettings) -> ClientTable:
    """A client list for rounds: location plus calls_per_day, minutes_per_call, windows, days_per_week.

    Call windows are checked with the other values, so a row with unreadable windows never claims a client id
    that a later, valid row of the same client needs. A list of more addresses than one plan takes
    (:data:`analyses.rounds.MAX_PLAN_PLACES`) is refused.
    """
    table = read_client_table(content, filename, postcodes=data.postcodes, outline=data.outline,
                              council_name=data.council.name, numeric=rounds.ROUND_CLIENT_COLUMNS,
                              checks={"windows": lambda text: rounds.parse_windows(text, settings)})
    table = rounds.check_client_windows(table, settings)
    rounds.check_plan_size(table.clients)
    return table


def care_homes(content: bytes, filename: str, data: CouncilData) -> CareHomeTable:
    """A CQC care directory (CSV, XLSX, ODS) or a simple care-home list: it replaces the CQC homes shipped with the
    tool (:func:`layers.care_homes.shipped_care_homes`), and its notes say so."""
    table = read_care_homes(content, filename, postcodes=data.postcodes, outline=data.outline, council=data.council)
    table.source += f" (your file; it replaces the {catalog.vintage('care_homes', data.council)} shipped with the tool)"
    table.notes.insert(0, f"Your file replaces the care homes shipped with the tool "
                          f"({catalog.vintage('care_homes', data.council)}): only the homes it lists are used.")
    return table


def candidate_sites(content: bytes, filename: str, data: CouncilData) -> CandidateSites:
    """Candidate sites for new care homes: name and postcode (or latitude/longitude, easting/northing)."""
    return read_candidate_sites(content, filename, postcodes=data.postcodes, outline=data.outline)


def road_network(path: str | Path, council: Council, *, settings: RoutingSettings | None = None,
                 cache_dir: Path | None = None) -> TravelEngine:
    """A road network from a user's .osm.pbf, .osm or OSMnx GraphML file, within the app's upload limits."""
    return build_engine(council, UPLOAD, settings=settings, upload=path, cache_dir=cache_dir,
                        limits=RoadLimits.for_uploads())
