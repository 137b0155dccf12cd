"""``python -m caremap check``: read a client list, care-home file or road network exactly as the app does.

Prints how the file was read, every problem (row, column, what to do) and a one-line summary; exits 0 when
the file is usable and 2 when it is not. The readers stop at the stated limits (see
:mod:`layers.user_files`), so checking any file takes seconds, and nothing read is kept.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from caremap.commands import _common
from geo.council import Council, default_council
from geo.errors import CareMapError, InputDataError
from layers.social_care import council_by_name
from layers.user_files import CARE_HOME_LIST, CLIENT_LIST, UploadSummary, read_user_file, shown_name

NAME = "check"
HELP = "check a client list, care-home file or road network as the app reads it, listing every problem"
DESCRIPTION = ("Reads FILE through the same functions as the app's upload boxes and prints the same messages: how "
               "it was read, each row left out (row as a spreadsheet numbers it, column, what to fix), then a summary. "
               "Exit code 0: usable; 2: not usable. For a client list it says which pages the file suits (rural fee "
               "zones need hours_per_week, or minutes_per_call with calls_per_day or windows, days_per_week 7 when "
               "absent; round viability needs locations and reads the call columns when given).")
KINDS = ("clients", "care-homes", "roads")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the file to check (CSV, XLSX, ODS; for roads .osm.pbf, .osm "
                                                     "or .graphml)")
    parser.add_argument("--kind", required=True, choices=KINDS, help="what the file is")
    parser.add_argument("--council", metavar="NAME", help="council whose area and postcodes the file is checked "
                                                         "against (default: the app's first council)")


def run(arguments: argparse.Namespace) -> int:
    try:
        return _check(arguments)
    except CareMapError:
        raise  # the command line prints it and exits 2
    except Exception as error:  # a checker of hostile files never ends in a traceback
        print(f"error: the file could not be checked ({type(error).__name__}: {error}). Please report this with the "
              f"file.")
        print("Summary: not checked.")
        return 2


def _check(arguments: argparse.Namespace) -> int:
    council = council_by_name(arguments.council) if arguments.council else default_council()
    path = _common.input_file(arguments.file, "file")
    if arguments.kind == "roads":
        return _check_roads(path, council)
    limits = CARE_HOME_LIST if arguments.kind == "care-homes" else CLIENT_LIST
    try:
        content = read_user_file(path, limits)  # the commands' and the API's own entry
    except InputDataError as error:
        return _refused(error)
    from caremap import api

    data = api.load_data(council)
    print(f"{shown_name(path.name)}, read as a {limits.what} for {council.name}, as the app reads it.")
    if arguments.kind == "care-homes":
        return _check_care_homes(content, path.name, data)
    return _check_clients(content, path.name, data)


def _refused(error: InputDataError) -> int:
    print(f"error: {error}")
    for problem in error.problems:
        print(f"  {problem}")
    print(f"Summary: not usable ({len(error.problems):,} problem(s) listed)." if error.problems else
          "Summary: not usable.")
    return 2


def _print_result(table: UploadSummary) -> None:
    for note in table.notes:
        print(f"  note: {note}")
    for problem in table.problems:
        print(f"  {problem}")


def _check_care_homes(content: bytes, filename: str, data) -> int:
    from analyses import uploads

    try:
        table = uploads.care_homes(content, filename, data)
    except InputDataError as error:
        return _refused(error)
    _print_result(table)
    inside = int(table.homes["in_council"].sum())
    print(f"Summary: usable, {inside:,} home(s) in {data.council.name}: {table.outcome()}")
    return 0


def _check_clients(content: bytes, filename: str, data) -> int:
    from analyses import rounds, uploads

    settings = rounds.RoundSettings.for_council(data.council)
    pages = {"round viability": lambda: uploads.round_clients(content, filename, data, settings),
             "rural fee zones": lambda: uploads.fee_zone_clients(content, filename, data)}
    verdicts, usable = [], False
    for page, read in pages.items():
        try:
            table = read()
        except InputDataError as error:
            print(f"{page.capitalize()}: not usable: {error}")
            for problem in error.problems:
                print(f"  {problem}")
            verdicts.append(f"not for {page}")
            continue
        usable = True
        print(f"{page.capitalize()}: {len(table.clients):,} client(s) usable; {table.rejected_rows:,} row(s) left out.")
        _print_result(table)
        rows = f"{table.rejected_rows:,} row{'' if table.rejected_rows == 1 else 's'} left out"
        verdicts.append(f"usable for {page} ({len(table.clients):,} clients, {rows})")
    print(f"Summary: {'; '.join(verdicts)}.")
    return 0 if usable else 2


def _check_roads(path: Path, council: Council) -> int:
    from analyses import uploads

    with tempfile.TemporaryDirectory(prefix="caremap-check-") as folder:  # nothing of the check stays on disk
        try:
            engine = uploads.road_network(path, council, cache_dir=Path(folder))
        except CareMapError as error:
            print(f"error: {error}")
            print("Summary: not usable as a road network.")
            return 2
    network = engine.network
    print(f"Summary: usable: a road network of {network.n_nodes:,} junctions and {network.n_edges:,} road links "
          f"({engine.label}).")
    return 0
