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

import numbers
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import geopandas as gpd

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
        checks.FEE_ZONE_RADIUS_MILES.check(radius_miles, "radius_miles")
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


def round_settings(data: CouncilData, engine: "TravelEngine", *, fee: str = "base", fee_rate: float | None = None,
                   pay_basis: str = "minimum", reading: str = "straight", measure_from: str = "point",
                   **changes) -> "RoundSettings":
    """The round model's settings for a council: its fee, net of the rural uplift where its figure is an average
    that includes it (with the modelled share of its hours outside its zone on ``reading``), carer pay of the fee's
    year (the legal minimum, or the real Living Wage with ``pay_basis="real"``), then ``changes``.

    Parameters
    ----------
    fee : {"base", "current"}
        The council's base fee, or its current fee where its documents record a rise.
    fee_rate : float, optional
        A fee of your own (£ a contact hour) in place of that fee's rate, paid from the same year.
    changes
        Any other :class:`analyses.rounds.RoundSettings` field (``carer_pay_per_hour`` labelled a what-if).

    Raises
    ------
    InputDataError
        For a fee the council's settings do not record, or an option out of range.
    """
    from analyses import fee_costing, fee_zones, rounds
    from analyses.base_fee import council_base_fee, includes_uplift

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    reading = checks.one_of(reading, fee_zones.READINGS, name="reading")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    pay_basis = checks.one_of(pay_basis, ("minimum", "real"), name="pay_basis")
    if fee_rate is not None:
        fee_rate = checks.FEE_RATE.check(fee_rate, "fee_rate")
    council = data.council
    share = fee_costing.council_outside_share(data, engine, reading=reading, measure_from=measure_from) \
        if includes_uplift(council) else None
    options = {option.key: option for option in rounds.fee_options(council, base_fee=council_base_fee(council, share))}
    fee = checks.one_of(fee, tuple(options), name="fee")
    option = options[fee] if fee_rate is None else rounds.what_if_fee(options[fee], fee_rate)
    return arguments.round_settings_of(rounds.RoundSettings.for_council(council, fee=option, pay_basis=pay_basis,
                                                                        **changes))


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
        Default: :func:`round_settings` (the council's base fee, net of the uplift where its figure is an average
        including it, and its rural uplift).
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
        ``visits``, ``unserved``, ``continuity``, and ``providers`` (with ``providers_source`` and
        ``threshold_hours``): every step of :mod:`analyses.rounds.workflow`, the page's too.

    Raises
    ------
    InputDataError
        For any option out of range or unknown, an unknown locality, or more client addresses than one plan
        takes (:data:`analyses.rounds.MAX_PLAN_PLACES`).
    """
    from analyses import fee_zones, rounds

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    # Every option first: nothing is solved with an option that would fail afterwards.
    reading = checks.one_of(reading, fee_zones.READINGS, name="reading")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    if radius_miles is not None:
        radius_miles = checks.FEE_ZONE_RADIUS_MILES.check(radius_miles, "radius_miles")
    if carers is not None:
        carers = checks.CARERS.check(carers, "carers")
    seed = checks.SEED.check(seed, "seed")
    locality = arguments.locality_of(data, locality)
    providers = arguments.providers_of(providers)
    bases = arguments.bases_of(bases)
    settings = arguments.round_settings_of(settings)
    if progress is not None and not callable(progress):
        raise InputDataError("progress should be a function of (fraction, message), or None.")
    if clients is None or (isinstance(clients, numbers.Real) and not isinstance(clients, bool)):
        count = 40 if clients is None else checks.whole_number(clients, 1, rounds.MAX_PLAN_PLACES, name="clients",
                                                               what="the number of SYNTHETIC clients")
        clients = synthetic_clients(data, locality=locality, clients=count, seed=seed)
    else:
        clients = to_bng(checks.frame_of(clients, "clients", name="clients", what="a client list"), name="clients")
    rounds.check_plan_size(clients)
    settings = settings or round_settings(data, engine, reading=reading, measure_from=measure_from)
    rule = rounds.ZoneRule.for_council(data.council, reading=reading, measure_from=measure_from,
                                       **({} if radius_miles is None else {"radius_miles": radius_miles}))
    return rounds.build_week(data, engine, clients, settings, zone_rule=rule, bases=bases, carers=carers,
                             providers=providers, progress=progress)


def care_homes(data: CouncilData, path: str | Path | None = None) -> "CareHomeTable":
    """The care homes coverage uses: CQC's care directory or a simple list from ``path`` (which replaces the shipped
    homes, said so in its notes), or, without one, the CQC care homes shipped with the tool for the council (in it
    and within 15 km beyond its border; the table's ``vintage`` gives their date).

    Returns
    -------
    CareHomeTable
        ``homes`` (BNG), ``problems`` and ``notes``; pass it as it is to :func:`measure_coverage` or
        :func:`write_report`.

    Raises
    ------
    InputDataError
        If the file cannot be used, or without a file for a council set up without CQC's homes (also a
        ``FileNotFoundError`` for a file that does not exist).
    """
    from analyses import uploads
    from layers.care_homes import shipped_care_homes

    data = arguments.council_data(data)
    path = arguments.optional_file(path, what="care-home file")
    if path is not None:
        from layers.user_files import CARE_HOME_LIST, read_user_file

        return uploads.care_homes(read_user_file(path, CARE_HOME_LIST), path.name, data)
    return shipped_care_homes(data)


def candidate_sites(data: CouncilData, path: str | Path) -> gpd.GeoDataFrame:
    """Your candidate sites for new care homes (name and postcode or latitude/longitude; CSV, XLSX or ODS), with
    their area and locality, for :func:`write_report` or :func:`analyses.sites.suggest_sites`."""
    from analyses import uploads
    from analyses.sites import user_candidates
    from layers.candidate_sites import CANDIDATE_LIST
    from layers.user_files import read_user_file

    data = arguments.council_data(data)
    path = checks.existing_file(path, what="candidate-sites file")
    return user_candidates(uploads.candidate_sites(read_user_file(path, CANDIDATE_LIST), path.name, data).sites, data)


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
    year = checks.PROJECTION_YEAR.check(year, "year")
    frame, _ = arguments.homes_of(homes)
    return measure(data, frame, engine, year=year)


def write_report(data: CouncilData, homes: "CareHomeTable | gpd.GeoDataFrame", engine: "TravelEngine",
                 path: str | Path, *, year: int = 2028, sites: int = 3, site_minutes: float = 20.0,
                 site_measure: str = "reach", candidates: gpd.GeoDataFrame | None = None,
                 homes_source: str | None = None) -> Path:
    """Write the coverage report as PDF (``.pdf``) or HTML (``.html``) and return its path.

    ``candidates`` are your candidate sites (:func:`candidate_sites`); by default the council's towns and villages.
    The file is written whole or not at all (:func:`geo.files.check_output`).

    Parameters
    ----------
    homes : CareHomeTable or GeoDataFrame
        :func:`care_homes` as it returns it (its source and notes go in the report), or its ``.homes``.
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
        How the report names the homes' source (default: the table's own, else their number).

    Raises
    ------
    InputDataError
        For an option out of range, or if ``path`` cannot be written (no such folder, a folder, the tool's own
        data, a full disk…).
    """
    from analyses import report as reporting
    from analyses.sites import MEASURES
    from geo.files import check_output

    output = check_output(path, what="report file", suffixes=REPORT_SUFFIXES)  # before anything is built
    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    year = checks.PROJECTION_YEAR.check(year, "year")
    sites = checks.NEW_SITES.check(sites, "sites")
    site_minutes = checks.SITE_MINUTES.check(site_minutes, "site_minutes")
    site_measure = checks.one_of(site_measure, MEASURES, name="site_measure")
    frame, notes = arguments.homes_of(homes)
    if candidates is not None:
        candidates = to_bng(checks.frame_of(candidates, "sites", name="candidates", what="candidate sites"),
                            name="candidates")
    table_source = "" if isinstance(homes, gpd.GeoDataFrame) else getattr(homes, "source", "")
    source = homes_source or table_source or f"{len(frame)} care homes"
    built = reporting.build_report(data, frame, engine, year=year, sites=sites, site_minutes=site_minutes,
                                   homes_source=source, notes=notes, measure=site_measure, candidates=candidates)
    output.write(lambda: reporting.to_html(built).encode("utf-8") if output.suffix.lower() == ".html" else
                 reporting.to_pdf(built))
    return Path(path)
