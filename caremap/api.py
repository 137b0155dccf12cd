"""The public interface for notebooks and scripts: a council, its data, a travel engine, and the three analyses.

Each function is a thin, documented entry to the pipeline (council → layers → travel → analyses); the
modules it calls are the place to look for the details. Nothing here imports Streamlit or folium.

Example
-------
>>> import caremap
>>> data = caremap.load_data("rutland")
>>> engine = caremap.travel_engine(data.council, "rutland-osm")
>>> zones = caremap.classify_fee_zones(data, engine)            # the council's own radius
>>> plan = caremap.build_rounds(data, engine, clients=30)         # 30 SYNTHETIC clients
>>> coverage = caremap.measure_coverage(data, caremap.care_homes(data).homes, engine, year=2028)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import geopandas as gpd

from geo.council import Council, load_council
from geo.errors import InputDataError, RoadNetworkError
from layers.council_data import CouncilData, load_council_data

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from analyses.coverage import CoverageResult
    from analyses.rounds import RoundPlan, RoundSettings
    from layers.care_homes import CareHomeTable
    from routing.engine import TravelEngine

ESTIMATE_NAME = "estimate"
DOWNLOAD_NAME = "download"
PREPARED_NAME = "prepared"


def _council(council: Council | str) -> Council:
    return council if isinstance(council, Council) else load_council(council)


def load_data(council: Council | str) -> CouncilData:
    """Every bundled layer of a council (boundaries, population, postcodes, practices, localities), in BNG.

    Parameters
    ----------
    council : Council or str
        A council or its name/slug (``"herefordshire"``, ``"Rutland"``).
    """
    return load_council_data(_council(council))


def engine_names(council: Council | str) -> list[str]:
    """Names :func:`travel_engine` accepts for a council besides a file path: its bundled network
    (``"<slug>-osm"``) where it has one, ``"prepared"`` once ``python -m caremap roads`` has run for it,
    ``"estimate"`` and ``"download"``."""
    from routing.sources import prepared_extract

    council = _council(council)
    bundled = [f"{council.slug}-osm"] if council.osm_extract else []
    prepared = [PREPARED_NAME] if prepared_extract(council.slug).is_file() else []
    return [*bundled, *prepared, ESTIMATE_NAME, DOWNLOAD_NAME]


def travel_engine(council: Council | str, source: str | Path = ESTIMATE_NAME, *,
                  cache_dir: Path | None = None) -> "TravelEngine":
    """The travel-time engine for a council, by name.

    Parameters
    ----------
    council : Council or str
    source : str or Path
        ``"<slug>-osm"`` for the council's bundled OpenStreetMap extract (``"rutland-osm"``), ``"estimate"``
        for the labelled straight-line estimate, ``"prepared"`` for the roads ``python -m caremap roads``
        prepared, ``"download"`` to fetch the drive network with OSMnx (internet), or the path of an
        ``.osm.pbf``/``.osm``/``.graphml`` file.
    cache_dir : Path, optional
        Where built networks are cached (default ``cache/`` in the project).

    Raises
    ------
    RoadNetworkError
        For an unknown name, a council without a bundled network, or a file that is not a road network.
    """
    from routing.sources import BUNDLED, DOWNLOAD, ESTIMATE, PREPARED, UPLOAD, build_engine

    council = _council(council)
    name = str(source)
    if name == ESTIMATE_NAME:
        return build_engine(council, ESTIMATE)
    if name == f"{council.slug}-osm" and council.osm_extract:
        return build_engine(council, BUNDLED, cache_dir=cache_dir)
    if name == PREPARED_NAME:
        return build_engine(council, PREPARED, cache_dir=cache_dir)
    if name == DOWNLOAD_NAME:
        return build_engine(council, DOWNLOAD, outline=load_council_data(council).outline, cache_dir=cache_dir)
    if name.endswith("-osm"):
        raise RoadNetworkError(f"{name!r} is not a bundled network of {council.name}. Use one of "
                               f"{', '.join(engine_names(council))} or the path of a road network file.")
    path = Path(source)
    if not path.exists():
        raise RoadNetworkError(f"{name!r} is neither a travel engine name ({', '.join(engine_names(council))}) nor "
                               f"an existing road network file.")
    return build_engine(council, UPLOAD, upload=path, cache_dir=cache_dir)


def classify_fee_zones(data: CouncilData, engine: "TravelEngine", *, radius_miles: float | None = None,
                       centres: Sequence[str] | None = None, measure_from: str = "point") -> gpd.GeoDataFrame:
    """Every postcode of the council inside or outside the rural fee zone, by straight line and by road.

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    radius_miles : float, optional
        Default: the council's own radius (its settings file).
    centres : sequence of str, optional
        Settlements measured from; default the council's centres.
    measure_from : {"point", "extent"}
        The settlement's point or its edge (OS Open Names extent).

    Returns
    -------
    GeoDataFrame
        See :func:`analyses.fee_zones.classify_postcodes`.
    """
    from analyses import fee_zones

    council = data.council
    centre_layer = fee_zones.zone_centres(data.places, centres or council.fee_zone_centres)
    radius = council.fee_zone_radius_miles if radius_miles is None else radius_miles
    return fee_zones.classify_postcodes(data.postcodes, data.lsoa, centre_layer, engine, radius_miles=radius,
                                        measure_from=measure_from)


def synthetic_clients(data: CouncilData, *, clients: int | None = None, locality: str | None = None,
                      seed: int = 0) -> gpd.GeoDataFrame:
    """A reproducible set of SYNTHETIC home-care clients (labelled so), placed by the 65+/85+ population."""
    from analyses.demand import synthetic_clients as make

    return make(data, locality=locality, clients=clients, seed=seed)


def read_clients(path: str | Path, data: CouncilData, *, settings: "RoundSettings | None" = None):
    """A client list (CSV, XLSX or ODS) read and checked as the app reads it (see :mod:`analyses.uploads`)."""
    from analyses import rounds, uploads

    path = Path(path)
    return uploads.round_clients(path.read_bytes(), path.name, data,
                                 settings or rounds.RoundSettings.for_council(data.council))


def build_rounds(data: CouncilData, engine: "TravelEngine", *, clients: gpd.GeoDataFrame | int | None = None,
                 settings: "RoundSettings | None" = None, carers: int | None = None, seed: int = 1) -> "RoundPlan":
    """Rounds of a day's calls, with a verdict on each round.

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    clients : GeoDataFrame or int, optional
        A client list (:func:`read_clients`), or a number of SYNTHETIC clients; default 40 synthetic clients.
    settings : RoundSettings, optional
        Default: the model's defaults with the council's base fee.
    carers : int, optional
        Carers at the base (the council's main town nearest the clients); default enough for the busiest window.

    Returns
    -------
    RoundPlan
        With ``rounds`` judged (``verdict`` and ``why`` columns).
    """
    from analyses import rounds
    from analyses.demand import synthetic_clients as make

    if clients is None or isinstance(clients, int):
        clients = make(data, clients=clients or 40, seed=seed)
    settings = settings or rounds.RoundSettings.for_council(data.council)
    calls = rounds.calls_for_day(clients, settings)
    towns = data.places[data.places["kind"].isin(["city", "town"])]
    towns = towns if len(towns) else data.places
    middle = clients.geometry.union_all().centroid
    town = towns.iloc[int(towns.distance(middle).to_numpy().argmin())]
    base = rounds.Base(str(town["name"]), town.geometry.x, town.geometry.y, carers or rounds.suggest_carers(calls))
    plan = rounds.plan_rounds(calls, [base], engine, settings)
    plan.rounds = rounds.judge_rounds(plan.rounds, settings)
    return plan


def care_homes(data: CouncilData, path: str | Path | None = None) -> "CareHomeTable":
    """Care homes from a CQC care directory or simple list (``path``), or, without one, the homes tagged in the
    council's bundled OpenStreetMap extract (real places; beds assumed, said so).

    Raises
    ------
    InputDataError
        Without a file for a council that has no bundled extract (no CQC file ships, nothing is invented).
    """
    from layers.care_homes import care_homes_from_osm, read_care_homes
    from layers.catalog import DATA_DIR

    council = data.council
    if path is not None:
        path = Path(path)
        return read_care_homes(path.read_bytes(), path.name, postcodes=data.postcodes, outline=data.outline,
                               council=council)
    if council.osm_extract:
        return care_homes_from_osm(DATA_DIR / council.osm_extract, outline=data.outline, council=council)
    raise InputDataError(f"{council.name} has no care-home data in the tool: give the CQC care directory (CSV, XLSX or "
                         f"ODS) from cqc.org.uk.")


def candidate_sites(data: CouncilData, path: str | Path) -> gpd.GeoDataFrame:
    """Your candidate sites for new care homes (name and postcode or latitude/longitude; CSV, XLSX or ODS), with
    their area and locality, for :func:`write_report` or :func:`analyses.sites.suggest_sites`."""
    from analyses.sites import user_candidates
    from layers.care_homes import read_candidate_sites

    path = Path(path)
    table = read_candidate_sites(path.read_bytes(), path.name, postcodes=data.postcodes, outline=data.outline)
    return user_candidates(table.sites, data)


def measure_coverage(data: CouncilData, homes: gpd.GeoDataFrame, engine: "TravelEngine", *,
                     year: int = 2028) -> "CoverageResult":
    """Care-home coverage: beds per 1,000, drive times, E2SFCA access, projected need and shortfall by area."""
    from analyses.coverage import measure_coverage as measure

    return measure(data, homes, engine, year=year)


def write_report(data: CouncilData, homes: "CareHomeTable", engine: "TravelEngine", path: str | Path, *,
                 year: int = 2028, sites: int = 3, site_minutes: float = 20.0, site_measure: str = "reach",
                 candidates: gpd.GeoDataFrame | None = None, homes_source: str | None = None) -> Path:
    """Write the coverage report as PDF (``.pdf``) or HTML (``.html``) and return its path.

    ``candidates`` are your candidate sites (:func:`candidate_sites`); by default the council's towns and villages.
    ``site_measure`` is ``"reach"`` (people aged 65+ brought within ``site_minutes``) or ``"access"`` (the E2SFCA
    access gap closed).
    """
    from analyses import report as reporting

    built = reporting.build_report(data, homes.homes, engine, year=year, sites=sites, site_minutes=site_minutes,
                                   homes_source=homes_source or f"{len(homes.homes)} care homes", notes=homes.notes,
                                   measure=site_measure, candidates=candidates)
    path = Path(path)
    if path.suffix.lower() == ".html":
        path.write_text(reporting.to_html(built), encoding="utf-8")
    else:
        path.write_bytes(reporting.to_pdf(built))
    return path
