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
from layers.candidate_sites import CandidateSites, read_candidate_sites
from layers.care_homes import CareHomeTable, read_care_homes
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
HOURS_TOLERANCE = 0.1
"""Hours a week by which ``hours_per_week`` may differ from calls × minutes × days before the difference is reported
(rounding to a tenth of an hour is not a disagreement)."""
ROUND_MINUTES = 30.0
"""Minutes a call when a client list gives none: the rounds' own default (:func:`analyses.rounds.calls_for_week`)."""
CALL_COLUMNS = ("calls_per_day", "windows", "minutes_per_call")


def hours_from_calls(clients: pd.DataFrame, settings: rounds.RoundSettings, *,
                     default_minutes: float | None = None) -> pd.Series:
    """Weekly hours from a client's calls: the number of call windows (or calls a day where no windows are given) ×
    minutes a call × days a week (7 where not given) ÷ 60. Without ``default_minutes`` a client without calls or
    minutes has none (NaN); with it, as the rounds plan them: one call a day of ``default_minutes``."""
    nothing = pd.Series(float("nan"), index=clients.index)
    windows = clients.get("windows", pd.Series("", index=clients.index)).fillna("")
    from_windows = windows.map(lambda text: len(rounds.parse_windows(text, settings)) if str(text).strip() else 0)
    calls = clients["calls_per_day"] if "calls_per_day" in clients else nothing
    calls = from_windows.where(from_windows > 0, calls)  # windows first, as the rounds read them
    minutes = clients["minutes_per_call"] if "minutes_per_call" in clients else nothing
    if default_minutes is not None:
        calls, minutes = calls.fillna(1.0), minutes.fillna(default_minutes)
    days = clients["days_per_week"] if "days_per_week" in clients else pd.Series(7.0, index=clients.index)
    return calls * minutes * days.fillna(7.0) / 60


def report_disagreeing_hours(table: ClientTable, settings: rounds.RoundSettings, *, for_rounds: bool) -> ClientTable:
    """Say in a note which clients' ``hours_per_week`` differs from the calls round viability plans for them (calls
    × minutes × days, :func:`hours_from_calls` with the rounds' defaults) by more than :data:`HOURS_TOLERANCE`:
    rural fee zones cost the first, round viability plans the second. ``for_rounds``: the list is read for rounds,
    which then also hear when it gives hours but no calls at all."""
    clients = table.clients
    if "hours_per_week" not in clients or clients.empty:
        return table
    gives_calls = "calls_per_day" in clients or "minutes_per_call" in clients or \
        clients.get("windows", pd.Series(dtype=object)).fillna("").astype(str).str.strip().ne("").any()
    if not gives_calls:
        if for_rounds:
            table.notes.append(f"The file gives hours_per_week but no calls: round viability plans one call a day of "
                               f"{ROUND_MINUTES:g} minutes, 7 days a week, for each client ({ROUND_MINUTES * 7 / 60:g} "
                               f"hours) whatever its hours; rural fee zones cost hours_per_week. Give calls_per_day (or "
                               f"windows) and minutes_per_call to plan the real calls.")
        return table
    planned = hours_from_calls(clients, settings, default_minutes=ROUND_MINUTES)
    given = clients["hours_per_week"]
    differ = (planned - given).abs() > HOURS_TOLERANCE
    if not differ.any():
        return table
    examples = [f"row {clients.at[index, 'row']}: {given[index]:g} given, {planned[index]:.4g} from the calls"
                for index in clients.index[differ][:3]]
    table.notes.append(f"{int(differ.sum()):,} client(s) have hours_per_week that differ from calls a day × minutes a "
                       f"call × days a week ({'; '.join(examples)}{'; …' if differ.sum() > 3 else ''}). Rural fee zones "
                       f"cost hours_per_week; round viability plans the calls. Correct whichever is wrong.")
    return table


def fee_zone_clients(content: bytes, filename: str, data: CouncilData) -> ClientTable:
    """A client list for fee-zone costing: client_id, postcode (or lat/lon, easting/northing) and weekly hours
    (``hours_per_week``, or derived from a round-planning list's calls, minutes and days, said in a note)."""
    settings = rounds.RoundSettings.for_council(data.council)
    table = read_client_table(content, filename, postcodes=data.postcodes, outline=data.outline,
                              council_name=data.council.name, numeric=FEE_ZONE_COLUMNS, one_of=FEE_ZONE_HOURS,
                              one_of_text="hours_per_week, or minutes_per_call with calls_per_day or windows",
                              checks={"windows": lambda text: rounds.parse_windows(text, settings)})
    clients = table.clients
    if "hours_per_week" in clients:
        report_disagreeing_hours(table, settings, for_rounds=False)
    else:
        hours = hours_from_calls(clients, settings)
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
                              checks={"windows": lambda text: rounds.parse_windows(text, settings)},
                              example="client_id, postcode, calls_per_day, minutes_per_call, windows, days_per_week")
    table = rounds.check_client_windows(table, settings)
    rounds.check_plan_size(table.clients)
    return report_disagreeing_hours(table, settings, for_rounds=True)


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
