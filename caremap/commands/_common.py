"""Arguments and checks shared by the commands: the council, the travel engine, input and output files.

Everything here is checked before any computing starts, so a mistyped path costs a second, not a minute.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from geo import checks
from geo.council import Council, load_council
from geo.errors import InputDataError

if TYPE_CHECKING:
    import geopandas as gpd

    from analyses.rounds import RoundSettings
    from layers.council_data import CouncilData


def add_council(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--council", required=True, metavar="NAME",
                        help="council slug or name: herefordshire, hertfordshire, rutland, worcestershire")


def add_roads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--roads", metavar="SOURCE",
                        help="travel times from: 'bundled' (the council's bundled network, Rutland's; the default "
                             "where there is one), 'prepared' (roads prepared by the roads command; the default after "
                             "it), 'estimate' (straight line, labelled ESTIMATE), or an .osm.pbf/.osm/.graphml file")


def council_of(arguments: argparse.Namespace) -> Council:
    return load_council(arguments.council)


def roads_of(arguments: argparse.Namespace, council: Council) -> str:
    """The travel engine name or file the user chose, else the council's bundled network or the estimate."""
    from routing import sources

    return arguments.roads or sources.available_sources(council)[0]


def in_range(value: float, low: float, high: float, *, option: str, what: str) -> float:
    """A number given on the command line, checked against its allowed range.

    Raises
    ------
    InputDataError
        If it is not a finite number between ``low`` and ``high`` (:func:`geo.checks.in_range`).
    """
    return checks.in_range(value, low, high, name=option, what=what)


def input_file(text: str | None, what: str) -> Path | None:
    """An existing, readable file given on the command line (None when not given).

    Raises
    ------
    InputDataError
        If the path does not exist, is a folder, or cannot be read.
    """
    if text is None:
        return None
    path = Path(text)
    if not path.exists():
        raise InputDataError(f"The {what} {text!r} does not exist. Check the path.")
    if path.is_dir():
        raise InputDataError(f"The {what} {text!r} is a folder, not a file. Give the file inside it.")
    if not os.access(path, os.R_OK):
        raise InputDataError(f"The {what} {text!r} cannot be read (permissions). Copy it somewhere readable.")
    return path


def write(path: Path, content: bytes, what: str) -> None:
    """Write an output, turning a failure the checks could not foresee (disk full, a folder made read-only
    meanwhile) into a message.

    Raises
    ------
    InputDataError
        If the file cannot be written.
    """
    try:
        path.write_bytes(content)
    except OSError as error:
        raise InputDataError(f"The {what} {str(path)!r} could not be written ({error.strerror or error}). Choose "
                             f"another folder.") from error


def output_file(text: str, suffixes: tuple[str, ...], what: str) -> Path:
    """A file the command may write: a known suffix, in an existing writable folder, and not a folder itself.

    Raises
    ------
    InputDataError
        If the path cannot be written, naming why.
    """
    path = Path(text)
    if path.is_dir():
        raise InputDataError(f"The {what} {text!r} is a folder. Give a file name, e.g. {Path(text) / ('out' + suffixes[0])}.")
    if path.suffix.lower() not in suffixes:
        raise InputDataError(f"The {what} {text!r} should end in {' or '.join(suffixes)}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputDataError(f"The folder of the {what} ({folder}) does not exist. Create it or choose another.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputDataError(f"The {what} {text!r} cannot be written (permissions). Choose a folder you can write to.")
    return path


def read_client_list(path: Path, data: CouncilData, *, purpose: str,
                     settings: RoundSettings | None = None) -> gpd.GeoDataFrame:
    """A client list read as the app reads it (:func:`caremap.api.read_clients`), each refused row printed as a
    warning, the usable clients returned.

    Parameters
    ----------
    path : Path
    data : CouncilData
    purpose : {"rounds", "fee-zones"}
        What the list is for (what it must give: calls for rounds, weekly hours for fee zones).
    settings : RoundSettings, optional
        For rounds: the settings the calls are read with.

    Raises
    ------
    InputDataError
        If no row is usable.
    """
    from caremap import api

    table = api.read_clients(path, data, settings=settings, purpose=purpose)
    for problem in table.problems:
        print(f"warning: {path.name}: {problem}")
    if table.clients.empty:
        raise InputDataError(f"No usable client in {path.name}: fix the rows listed above.")
    return table.clients
