"""Arguments and checks shared by the commands: the council, the travel engine, input and output files.

Everything here is checked before any computing starts, so a mistyped path costs a second, not a minute.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from geo.council import Council
from geo.errors import InputDataError
from geo.files import OutputFile, check_output, regular_file
from layers.social_care import council_by_name
from layers.user_files import shown_name

if TYPE_CHECKING:
    import geopandas as gpd

    from analyses.rounds import RoundSettings
    from layers.council_data import CouncilData
    from routing.engine import TravelEngine


def add_council(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--council", required=True, metavar="NAME",
                        help="council slug, name or GSS code: herefordshire, hertfordshire, rutland, worcestershire, or "
                             "any council set up with the setup command")


def add_roads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--roads", metavar="SOURCE",
                        help="travel times from: 'bundled' (the council's bundled network, Rutland's; the default "
                             "where there is one), 'prepared' (roads prepared by the roads command; the default after "
                             "it), 'estimate' (straight line, labelled ESTIMATE), or an .osm.pbf/.osm/.graphml file")


def travel_engine(arguments: argparse.Namespace, council: Council, data: CouncilData) -> TravelEngine:
    """The travel engine of ``--roads`` (:func:`roads_of`), with a warning printed, and carried in its label to every
    output that names the travel method (About sheets, CSV comment lines, the report), when its roads cover less
    than the council (:func:`routing.sources.coverage_warning`, the app's measure)."""
    import numpy as np

    from caremap import api
    from routing.sources import coverage_warning

    engine = api.travel_engine(council, roads_of(arguments, council))
    postcodes = data.postcodes.geometry
    warning = coverage_warning(engine, np.column_stack([postcodes.x, postcodes.y]), council.name)
    if warning:
        print(f"warning: {warning}")
        engine.label = f"{engine.label}. WARNING: {warning}"
    return engine


def council_of(arguments: argparse.Namespace) -> Council:
    return council_by_name(arguments.council)


def roads_of(arguments: argparse.Namespace, council: Council) -> str:
    """The travel engine name or file the user chose, else the council's bundled network or the estimate."""
    from routing import sources

    return arguments.roads or sources.available_sources(council)[0]


def input_file(text: str | None, what: str) -> Path | None:
    """An existing, readable regular file given on the command line (None when not given).

    Raises
    ------
    InputDataError
        If the path does not exist, is a folder, a named pipe, a device or a socket, or cannot be read
        (:func:`geo.files.regular_file`, as every reader checks again).
    """
    if text is None:
        return None
    regular_file(text, what)
    return Path(text)


INPUT_OPTIONS = {"clients": "client list", "care_homes": "care-home file", "candidates": "candidate-sites file",
                 "pbf": "OpenStreetMap extract", "roads": "road network file", "file": "file"}
"""Options naming a file a command reads (attribute -> its role in messages): an output may be none of them."""


def inputs_of(arguments: argparse.Namespace) -> list[tuple[str, Path]]:
    """The files the command reads, each with its role (options of :data:`INPUT_OPTIONS` naming an existing file)."""
    found = []
    for option, what in INPUT_OPTIONS.items():
        text = getattr(arguments, option, None)
        if text and os.path.exists(text):
            found.append((what, Path(text)))
    return found


def output_file(text: str, suffixes: tuple[str, ...], what: str, arguments: argparse.Namespace) -> OutputFile:
    """A file the command may write (:func:`geo.files.check_output`): a name, with a known suffix, in an existing
    writable folder, not a folder itself, and none of the files the command reads (:func:`inputs_of`), even
    through a link. Write it with its ``write`` method: all at once, or not at all.

    Raises
    ------
    InputDataError
        If the path cannot be written, naming why.
    """
    return check_output(text, what=what, suffixes=suffixes, inputs=inputs_of(arguments))


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
    for note in table.notes:
        print(f"note: {shown_name(path.name)}: {note}")
    for problem in table.problems:
        print(f"warning: {shown_name(path.name)}: {problem}")
    if table.clients.empty:
        raise InputDataError(f"No usable client in {shown_name(path.name)}: fix the rows listed above.")
    return table.clients
