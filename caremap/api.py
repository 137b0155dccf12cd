"""The public interface for notebooks and scripts: a council, its data, a travel engine, and the three analyses.

Each function is a thin, documented entry to the pipeline (council → layers → travel → analyses); the
modules it calls are the place to look for the details. Nothing here imports Streamlit or folium.

Every option is checked before any work starts (:mod:`geo.checks`, the checks the command line uses too), and
every error raised is a :class:`~geo.errors.CareMapError` (a bad value is also a ``ValueError``, a missing file a
``FileNotFoundError``). Layers given in another CRS than British National Grid are reprojected with a
:class:`~geo.errors.ReprojectedWarning`; a layer without a CRS is refused.

Readers and analyses fit together: what :func:`read_clients` returns goes to :func:`build_rounds` or
:func:`classify_fee_zones` as it is (or its ``.clients``); what :func:`care_homes` returns goes to
:func:`measure_coverage` or :func:`write_report` as it is (or its ``.homes``).

Example
-------
>>> import caremap
>>> data = caremap.load_data("rutland")
>>> engine = caremap.travel_engine(data.council, "bundled")      # or RoadEngine.bundled(data.council)
>>> zones = caremap.classify_fee_zones(data, engine)               # the council's own radius
>>> plan = caremap.build_rounds(data, engine, clients=30)            # a week for 30 SYNTHETIC clients
>>> coverage = caremap.measure_coverage(data, caremap.care_homes(data), engine, year=2028)
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from caremap import arguments
from geo import checks
from geo.council import Council
from geo.crs import to_bng
from geo.errors import InputDataError, RoadNetworkError
from layers.council_data import CouncilData, load_council_data

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from analyses.coverage import CoverageResult
    from analyses.rounds import Base, RoundSettings, WeekReport
    from layers.care_homes import CareHomeTable
    from layers.clients import ClientTable
    from routing.engine import TravelEngine

CLIENT_PURPOSES = ("rounds", "fee-zones")
"""What a client list is read for (:func:`read_clients`)."""
MAX_SYNTHETIC_CLIENTS = 100_000
"""Most SYNTHETIC clients made at once."""
REPORT_SUFFIXES = (".pdf", ".html")


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


def classify_fee_zones(data: CouncilData, engine: "TravelEngine", *, radius_miles: float | None = None,
                       centres: str | Sequence[str] | None = None, measure_from: str = "point",
                       clients: "ClientTable | gpd.GeoDataFrame | None" = None) -> gpd.GeoDataFrame:
    """Every postcode of the council (or every client of a list) inside or outside the rural fee zone, by straight
    line and by road.

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    radius_miles : float, optional
        0–30 miles; default the council's own radius (its settings file).
    centres : str or sequence of str, optional
        The settlement (``"Oakham"``) or settlements measured from; default the council's centres.
    measure_from : {"point", "extent"}
        The settlement's point or its edge (OS Open Names extent).
    clients : ClientTable or GeoDataFrame, optional
        A client list (:func:`read_clients`, or its ``.clients``): classify each client instead of every postcode.

    Returns
    -------
    GeoDataFrame
        See :func:`analyses.fee_zones.classify_postcodes` (or :func:`analyses.fee_zones.classify_clients`).
    """
    from analyses import fee_zones

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    council = data.council
    radius = council.fee_zone_radius_miles if radius_miles is None else \
        checks.in_range(radius_miles, *checks.RADIUS_MILES, name="radius_miles", what="the fee-zone radius (miles)")
    names = council.fee_zone_centres if centres is None else checks.names(centres, name="centres")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    if clients is not None:
        clients = to_bng(checks.frame_of(clients, "clients", name="clients", what="a client list"), name="clients")
    centre_layer = fee_zones.zone_centres(data.places, names)
    if clients is not None:
        return fee_zones.classify_clients(clients, centre_layer, engine, radius_miles=radius, measure_from=measure_from)
    return fee_zones.classify_postcodes(data.postcodes, data.lsoa, centre_layer, engine, radius_miles=radius,
                                        measure_from=measure_from)


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
    seed = checks.whole_number(seed, *checks.SEED, name="seed", what="the seed")
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

    purpose = checks.one_of(purpose, CLIENT_PURPOSES, name="purpose")
    path = checks.existing_file(path, what="client list")
    data = arguments.council_data(data)
    if purpose == "fee-zones":
        return uploads.fee_zone_clients(path.read_bytes(), path.name, data)
    from analyses import rounds

    return uploads.round_clients(path.read_bytes(), path.name, data,
                                 settings or rounds.RoundSettings.for_council(data.council))


def build_rounds(data: CouncilData, engine: "TravelEngine", *,
                 clients: "ClientTable | gpd.GeoDataFrame | int | None" = None,
                 settings: "RoundSettings | None" = None, carers: int | None = None, seed: int = 1,
                 locality: str | None = None, bases: Sequence["Base"] | None = None,
                 providers: Mapping[str, int] | None = None, radius_miles: float | None = None,
                 reading: str = "straight", measure_from: str = "point",
                 progress: Callable[[float, str], None] | None = None) -> "WeekReport":
    """A week of rounds (Monday to Sunday), judged: income with the rural uplift, verdicts, carers, localities,
    continuity and providers.

    Every option is checked before the week is solved (a mistyped ``reading`` fails at once).

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    clients : ClientTable, GeoDataFrame or int, optional
        A client list (:func:`read_clients` as it returns it, or its ``.clients``), or a number of SYNTHETIC
        clients (1 to :data:`analyses.rounds.MAX_PLAN_PLACES`); default 40 synthetic clients.
    settings : RoundSettings, optional
        Default: the model's defaults with the council's base fee and rural uplift.
    carers : int, optional
        Carers in all (1–10,000), shared among the bases by their share of the calls; default the suggested count,
        which fits every call that any round can take.
    seed : int
        Seed of the synthetic clients (0 or more).
    locality : str, optional
        PCN locality of the synthetic clients (default the whole council).
    bases : sequence of Base, optional
        Default: in each of the clients' PCN localities, the best one to three of its city and towns by drive time.
    providers : mapping, optional
        Providers per locality; default the council's documented count shared by demand.
    radius_miles, reading, measure_from
        The fee zone: radius 0–30 miles (default the council's), ``"straight"`` or ``"road"``, from each
        settlement's ``"point"`` or ``"extent"``.
    progress : callable, optional
        Called with (fraction, message) while the week is solved.

    Returns
    -------
    WeekReport
        ``rounds`` (each day's, judged: ``verdict`` and ``why``), ``weekly``, ``carers``, ``localities``,
        ``visits``, ``unserved``, ``continuity``, and ``providers`` set on the report as ``report.providers``.

    Raises
    ------
    InputDataError
        For any option out of range or unknown, an unknown locality, or more client addresses than one plan
        takes (:data:`analyses.rounds.MAX_PLAN_PLACES`).
    """
    from analyses import fee_zones, rounds
    from analyses.demand import DemandAssumptions, area_share

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    council = data.council
    # Every option first: nothing is solved with an option that would fail afterwards.
    reading = checks.one_of(reading, fee_zones.READINGS, name="reading")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    if radius_miles is not None:
        radius_miles = checks.in_range(radius_miles, *checks.RADIUS_MILES, name="radius_miles",
                                       what="the fee-zone radius (miles)")
    if carers is not None:
        carers = checks.whole_number(carers, *checks.CARERS, name="carers", what="the number of carers")
    seed = checks.whole_number(seed, *checks.SEED, name="seed", what="the seed")
    locality = arguments.locality_of(data, locality)
    providers = arguments.providers_of(providers)
    bases = arguments.bases_of(bases)
    settings = arguments.round_settings_of(settings, council)
    if progress is not None and not callable(progress):
        raise InputDataError("progress should be a function of (fraction, message), or None.")
    if clients is None or (isinstance(clients, numbers.Real) and not isinstance(clients, bool)):
        count = 40 if clients is None else checks.whole_number(clients, 1, rounds.MAX_PLAN_PLACES, name="clients",
                                                               what="the number of SYNTHETIC clients")
        clients = synthetic_clients(data, locality=locality, clients=count, seed=seed)
    else:
        clients = to_bng(checks.frame_of(clients, "clients", name="clients", what="a client list"), name="clients")
    rounds.check_plan_size(clients)

    calls = rounds.calls_for_week(clients, settings)
    where = rounds.client_localities(clients, data.lsoa)
    if bases is None:
        candidates = rounds.base_candidates(data.places, data.localities, clients.assign(locality_name=where.to_numpy()))
        weights = calls.groupby("client_id").size().reindex(clients["client_id"]).fillna(0).to_numpy()
        chosen = rounds.suggest_bases_by_locality(candidates, clients, engine, weights=weights, locality=where)
        bases = [rounds.Base(row.name, row.x, row.y, 0) for row in chosen.itertuples()]
        shares = chosen.set_index("name")["calls_share"]
    else:
        shares = pd.Series([float(base.carers) or 1.0 for base in bases], index=[base.name for base in bases])
    stops = rounds.Stops.measure(bases, calls, engine, longest_leg_min=rounds.longest_leg_min(settings))
    if carers is not None:
        counts = rounds.apportion(carers, shares)
        bases = [dataclasses.replace(base, carers=int(counts[base.name])) for base in bases]
    elif all(base.carers == 0 for base in bases):
        suggested = rounds.suggest_carers(calls, bases, settings, stops=stops)
        bases = [dataclasses.replace(base, carers=suggested[base.name]) for base in bases]
    plan = rounds.plan_week(calls, bases, engine, settings, stops=stops, progress=progress)
    rule = rounds.ZoneRule.for_council(council, reading=reading, measure_from=measure_from,
                                       **({} if radius_miles is None else {"radius_miles": radius_miles}))
    zones = rounds.client_zones(clients, data.places, engine, rule)
    report = rounds.judge_week(plan, settings, zones=zones, client_locality=where, zone_rule=rule)
    planned = sorted(set(report.weekly["locality"]))
    default, report.providers_source = rounds.default_providers(council, pd.Series(
        {name: area_share(data, name, DemandAssumptions()) if name in set(data.lsoa["locality_name"]) else 0.0
         for name in planned}))
    wanted = default
    if providers is not None:
        wanted = pd.Series(providers, dtype=float).reindex(planned).fillna(default).astype(int)
        report.providers_source = "entered"
    report.threshold_hours = council.viability_hours_per_week
    report.providers = rounds.provider_table(report.weekly, wanted, threshold_hours=report.threshold_hours,
                                             growth={year: council.home_care_growth(year)[0]
                                                     for year in rounds.PROJECTION_YEARS})
    return report


def care_homes(data: CouncilData, path: str | Path | None = None) -> "CareHomeTable":
    """Care homes from a CQC care directory or simple list (``path``), or, without one, the homes tagged in the
    council's bundled OpenStreetMap extract (real places; beds assumed, said so).

    Returns
    -------
    CareHomeTable
        ``homes`` (BNG), ``problems`` and ``notes``; pass it as it is to :func:`measure_coverage` or
        :func:`write_report`.

    Raises
    ------
    InputDataError
        For a file that does not exist, or without a file for a council that has no bundled extract (no CQC file
        ships, nothing is invented).
    """
    from analyses import uploads
    from layers.care_homes import care_homes_from_osm

    data = arguments.council_data(data)
    path = arguments.optional_file(path, what="care-home file")
    council = data.council
    if path is not None:
        return uploads.care_homes(path.read_bytes(), path.name, data)
    if council.osm_extract:
        return care_homes_from_osm(council.data_dir / council.osm_extract, outline=data.outline, council=council)
    raise InputDataError(f"{council.name} has no care-home data in the tool: give the CQC care directory (CSV, XLSX or "
                         f"ODS) from cqc.org.uk.")


def candidate_sites(data: CouncilData, path: str | Path) -> gpd.GeoDataFrame:
    """Your candidate sites for new care homes (name and postcode or latitude/longitude; CSV, XLSX or ODS), with
    their area and locality, for :func:`write_report` or :func:`analyses.sites.suggest_sites`."""
    from analyses import uploads
    from analyses.sites import user_candidates

    data = arguments.council_data(data)
    path = checks.existing_file(path, what="candidate-sites file")
    return user_candidates(uploads.candidate_sites(path.read_bytes(), path.name, data).sites, data)


def measure_coverage(data: CouncilData, homes: "CareHomeTable | gpd.GeoDataFrame", engine: "TravelEngine", *,
                     year: int = 2028) -> "CoverageResult":
    """Care-home coverage: beds per 1,000, drive times, E2SFCA access, projected need and shortfall by area.

    Parameters
    ----------
    data : CouncilData
    homes : CareHomeTable or GeoDataFrame
        :func:`care_homes` as it returns it, or its ``.homes``; a frame in another CRS is reprojected (warned).
    engine : TravelEngine
    year : int
        Scenario year, 2018–2040.
    """
    from analyses.coverage import measure_coverage as measure

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    year = checks.whole_number(year, *checks.YEARS, name="year", what="the projection year")
    frame, _ = arguments.homes_of(homes)
    return measure(data, frame, engine, year=year)


def write_report(data: CouncilData, homes: "CareHomeTable | gpd.GeoDataFrame", engine: "TravelEngine",
                 path: str | Path, *, year: int = 2028, sites: int = 3, site_minutes: float = 20.0,
                 site_measure: str = "reach", candidates: gpd.GeoDataFrame | None = None,
                 homes_source: str | None = None) -> Path:
    """Write the coverage report as PDF (``.pdf``) or HTML (``.html``) and return its path.

    Parameters
    ----------
    homes : CareHomeTable or GeoDataFrame
        :func:`care_homes` as it returns it (its notes go in the report), or its ``.homes``.
    path : str or Path
        ``.pdf`` or ``.html``, in a folder that exists.
    year : int
        Scenario year, 2018–2040.
    sites : int
        New sites to suggest, 1–10.
    site_minutes : float
        Drive time a new site should bring people within, 1–120 minutes.
    site_measure : {"reach", "access"}
        People aged 65+ brought within ``site_minutes``, or the E2SFCA access gap closed.
    candidates : GeoDataFrame, optional
        Your candidate sites (:func:`candidate_sites`); by default the council's towns and villages.
    homes_source : str, optional
        How the report names the homes' source (default: their number).
    """
    from analyses import report as reporting
    from analyses.sites import MEASURES

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    year = checks.whole_number(year, *checks.YEARS, name="year", what="the projection year")
    sites = checks.whole_number(sites, *checks.SITES, name="sites", what="the number of new sites to suggest")
    site_minutes = checks.in_range(site_minutes, *checks.SITE_MINUTES, name="site_minutes",
                                   what="the drive time a new site should reach, in minutes,")
    site_measure = checks.one_of(site_measure, MEASURES, name="site_measure")
    path = Path(path)
    checks.one_of(path.suffix.lower(), REPORT_SUFFIXES, name="the report's suffix")
    if not path.parent.is_dir():
        raise InputDataError(f"The folder of the report ({path.parent}) does not exist. Create it or choose another.")
    frame, notes = arguments.homes_of(homes)
    if candidates is not None:
        candidates = to_bng(checks.frame_of(candidates, "sites", name="candidates", what="candidate sites"),
                            name="candidates")
    built = reporting.build_report(data, frame, engine, year=year, sites=sites, site_minutes=site_minutes,
                                   homes_source=homes_source or f"{len(frame)} care homes", notes=notes,
                                   measure=site_measure, candidates=candidates)
    if path.suffix.lower() == ".html":
        path.write_text(reporting.to_html(built), encoding="utf-8")
    else:
        path.write_bytes(reporting.to_pdf(built))
    return path
