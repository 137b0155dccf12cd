"""The council's data, travel engines and client lists: what every analysis of the public API starts from."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from caremap import arguments
from geo import checks
from geo.council import Council
from geo.errors import InputDataError, RoadNetworkError
from layers.council_data import CouncilData, load_council_data

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from analyses.rounds import RoundSettings
    from layers.clients import ClientTable
    from routing.engine import TravelEngine


CLIENT_PURPOSES = ("rounds", "fee-zones")
"""What a client list is read for (:func:`read_clients`)."""
MAX_SYNTHETIC_CLIENTS = 100_000
"""Most SYNTHETIC clients made at once."""


def load_data(council: Council | str) -> CouncilData:
    """Every bundled layer of a council (boundaries, population, postcodes, practices, localities), in BNG.

    Parameters
    ----------
    council : Council or str
        A council or its name/slug (``"herefordshire"``, ``"Rutland"``).
    """
    return load_council_data(arguments.council_of(council))


def engine_names(council: Council | str) -> list[str]:
    """Names :func:`travel_engine` takes for a council besides a file's path, the default first: ``"bundled"`` where
    the council has a bundled network, ``"prepared"`` once ``python -m caremap roads`` has run for it,
    ``"download"`` and ``"estimate"`` (the names of :data:`routing.sources.SOURCES`, as the app's sidebar and the
    commands' ``--roads`` use them)."""
    from routing import sources

    return [name for name in sources.available_sources(arguments.council_of(council)) if name != sources.UPLOAD]


def travel_engine(council: Council | str, source: str | Path = "estimate", *,
                  cache_dir: Path | None = None) -> "TravelEngine":
    """The travel-time engine for a council, by name: a thin alias of the engines' constructors
    (``RoadEngine.bundled(council)``, ``RoadEngine.prepared(council)``, ``RoadEngine.from_file(path)``,
    ``EstimateEngine()``).

    Parameters
    ----------
    council : Council or str
    source : str or Path
        ``"bundled"`` for the council's bundled OpenStreetMap extract (Rutland's), ``"prepared"`` for the roads
        ``python -m caremap roads`` prepared, ``"download"`` to fetch the drive network with OSMnx (internet),
        ``"estimate"`` for the labelled straight-line estimate, or the path of an ``.osm.pbf``/``.osm``/``.graphml``
        file. (``"<slug>-osm"``, the old name of the bundled network, still works and warns.)
    cache_dir : Path, optional
        Where built networks are cached (default ``cache_folder`` of :mod:`geo.settings`).

    Raises
    ------
    RoadNetworkError
        For an unknown name, a council without a bundled network, or a file that is not a road network.
    """
    from routing import sources

    council = arguments.council_of(council)
    if not isinstance(source, (str, Path)):
        raise InputDataError(f"source should be one of {', '.join(engine_names(council))} or a file's path, not "
                             f"{type(source).__name__}.")
    name = str(source)
    if name == f"{council.slug}-osm":
        warnings.warn(f"The engine name {name!r} is now 'bundled'.", DeprecationWarning, stacklevel=2)
        name = sources.BUNDLED
    if name in (sources.BUNDLED, sources.PREPARED, sources.ESTIMATE):
        return sources.build_engine(council, name, cache_dir=cache_dir)
    if name == sources.DOWNLOAD:
        return sources.build_engine(council, name, outline=load_council_data(council).outline, cache_dir=cache_dir)
    if not Path(source).is_file():
        raise RoadNetworkError(f"{name!r} is neither a travel engine name ({', '.join(engine_names(council))}) nor "
                               f"an existing road network file.")
    return sources.build_engine(council, sources.UPLOAD, upload=Path(source), cache_dir=cache_dir)


def synthetic_clients(data: CouncilData, *, clients: int | None = None, locality: str | None = None,
                      seed: int = 0) -> gpd.GeoDataFrame:
    """A reproducible set of SYNTHETIC home-care clients (labelled so), placed by the 65+/85+ population.

    Parameters
    ----------
    clients : int, optional
        How many (1–100,000); default as many as the council's documented hours call for.
    locality : str, optional
        One of the council's PCN localities (default the whole council).
    seed : int
        0 or more.

    Raises
    ------
    InputDataError
        If ``locality`` is not one of the council's PCN localities (the message lists them), or ``clients`` or
        ``seed`` is out of range.
    """
    from analyses.demand import synthetic_clients as make

    data = arguments.council_data(data)
    if clients is not None:
        clients = checks.whole_number(clients, 1, MAX_SYNTHETIC_CLIENTS, name="clients",
                                      what="the number of SYNTHETIC clients")
    seed = checks.SEED.check(seed, "seed")
    return make(data, locality=arguments.locality_of(data, locality), clients=clients, seed=seed)


def read_clients(path: str | Path, data: CouncilData, *, settings: "RoundSettings | None" = None,
                 purpose: str = "rounds") -> "ClientTable":
    """A client list (CSV, XLSX or ODS) read and checked as the app reads it (see :mod:`analyses.uploads`).

    Parameters
    ----------
    purpose : {"rounds", "fee-zones"}
        What the list is for: rounds need each client's calls; fee-zone costing needs weekly hours
        (``hours_per_week``, or the round columns they follow from).

    Returns
    -------
    ClientTable
        ``clients`` (the usable rows, BNG), ``problems`` (each row left out and why) and ``notes``; pass it as it is
        to :func:`build_rounds` or :func:`classify_fee_zones`.

    Raises
    ------
    InputDataError
        If the file does not exist (also a ``FileNotFoundError``) or cannot be used at all.
    """
    from analyses import uploads
    from layers.user_files import CLIENT_LIST, read_user_file

    purpose = checks.one_of(purpose, CLIENT_PURPOSES, name="purpose")
    path = checks.existing_file(path, what="client list")
    data = arguments.council_data(data)
    content = read_user_file(path, CLIENT_LIST)
    if purpose == "fee-zones":
        return uploads.fee_zone_clients(content, path.name, data)
    from analyses import rounds

    return uploads.round_clients(content, path.name, data, settings or rounds.RoundSettings.for_council(data.council))
