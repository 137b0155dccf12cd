"""The public interface for notebooks and scripts: a council, its data, a travel engine, and the three analyses.

Each function is a thin, documented entry to the pipeline (council → layers → travel → analyses); the
modules it calls are the place to look for the details. Nothing here imports Streamlit or folium.

Example
-------
>>> import caremap
>>> data = caremap.load_data("rutland")
>>> engine = caremap.travel_engine(data.council, "rutland-osm")
>>> zones = caremap.classify_fee_zones(data, engine)            # the council's own radius
>>> plan = caremap.build_rounds(data, engine, clients=30)         # a week for 30 SYNTHETIC clients
>>> coverage = caremap.measure_coverage(data, caremap.care_homes(data).homes, engine, year=2028)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from geo.council import Council, load_council
from geo.errors import InputDataError, RoadNetworkError
from layers.council_data import CouncilData, load_council_data

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from analyses.coverage import CoverageResult
    from analyses.rounds import Base, RoundSettings, WeekReport
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
    """A reproducible set of SYNTHETIC home-care clients (labelled so), placed by the 65+/85+ population.

    Raises
    ------
    InputDataError
        If ``locality`` is not one of the council's PCN localities (the message lists them), or ``clients`` is
        less than 1.
    """
    from analyses.demand import synthetic_clients as make

    if clients is not None and int(clients) < 1:
        raise InputDataError(f"{clients} SYNTHETIC clients asked for: give 1 or more.")
    names = sorted(data.lsoa["locality_name"].dropna().unique())
    if locality is not None and locality not in names:
        raise InputDataError(f"{locality!r} is not a PCN locality of {data.council.name}. Use one of: "
                             f"{'; '.join(names)}.")
    return make(data, locality=locality, clients=clients, seed=seed)


def read_clients(path: str | Path, data: CouncilData, *, settings: "RoundSettings | None" = None,
                 purpose: str = "rounds"):
    """A client list (CSV, XLSX or ODS) read and checked as the app reads it (see :mod:`analyses.uploads`).

    Parameters
    ----------
    purpose : {"rounds", "fee-zones"}
        What the list is for: rounds need each client's calls; fee-zone costing needs weekly hours
        (``hours_per_week``, or the round columns they follow from).
    """
    from analyses import rounds, uploads
    from layers.user_files import CLIENT_LIST, read_user_file

    path = Path(path)
    if purpose not in ("rounds", "fee-zones"):
        raise InputDataError(f"A client list is read for 'rounds' or 'fee-zones', not {purpose!r}.")
    content = read_user_file(path, CLIENT_LIST)
    if purpose == "fee-zones":
        return uploads.fee_zone_clients(content, path.name, data)
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
        For a fee the council's settings do not record.
    """
    from analyses import fee_costing, rounds
    from analyses.base_fee import council_base_fee, includes_uplift

    council = data.council
    share = fee_costing.council_outside_share(data, engine, reading=reading, measure_from=measure_from) \
        if includes_uplift(council) else None
    options = {option.key: option for option in rounds.fee_options(council, base_fee=council_base_fee(council, share))}
    if fee not in options:
        raise InputDataError(f"{council.name}'s settings give no {fee!r} fee: choose one of {', '.join(options)}.")
    option = options[fee] if fee_rate is None else rounds.what_if_fee(options[fee], float(fee_rate))
    return rounds.RoundSettings.for_council(council, fee=option, pay_basis=pay_basis, **changes)


def build_rounds(data: CouncilData, engine: "TravelEngine", *, clients: gpd.GeoDataFrame | int | None = None,
                 settings: "RoundSettings | None" = None, carers: int | None = None, seed: int = 1,
                 locality: str | None = None, bases: Sequence["Base"] | None = None,
                 providers: Mapping[str, int] | None = None, radius_miles: float | None = None,
                 reading: str = "straight", measure_from: str = "point", progress=None) -> "WeekReport":
    """A week of rounds (Monday to Sunday), judged: income with the rural uplift, verdicts, carers, localities,
    continuity and providers.

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    clients : GeoDataFrame or int, optional
        A client list (the ``clients`` of :func:`read_clients`), or a number of SYNTHETIC clients; default 40
        synthetic clients.
    settings : RoundSettings, optional
        Default: :func:`round_settings` (the council's base fee, net of the uplift where its figure is an average
        including it, and its rural uplift).
    carers : int, optional
        Carers in all, shared among the bases by their share of the calls; default the suggested count, which
        fits every call that any round can take.
    seed : int
        Seed of the synthetic clients.
    locality : str, optional
        PCN locality of the synthetic clients (default the whole council).
    bases : sequence of Base, optional
        Default: in each of the clients' PCN localities, the best one to three of its city and towns by drive time.
    providers : mapping, optional
        Providers per locality; default the council's documented count shared by demand.
    radius_miles, reading, measure_from
        The fee zone (default the council's radius, straight line, from each settlement's point).
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
        For fewer than 1 synthetic client or carer, an unknown locality, or more client addresses than one plan
        takes (:data:`analyses.rounds.MAX_PLAN_PLACES`).
    """
    from analyses import rounds
    from analyses.demand import DemandAssumptions, area_share

    council = data.council
    if clients is None or isinstance(clients, int):
        clients = synthetic_clients(data, locality=locality, clients=40 if clients is None else clients, seed=seed)
    if carers is not None and int(carers) < 1:
        raise InputDataError(f"{carers} carers asked for: give 1 or more, or leave carers out for the suggested count.")
    rounds.check_plan_size(clients)
    settings = settings or round_settings(data, engine, reading=reading, measure_from=measure_from)
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
        counts = rounds.apportion(int(carers), shares)
        bases = [dataclasses.replace(base, carers=int(counts[base.name])) for base in bases]
    elif all(base.carers == 0 for base in bases):
        suggested = rounds.suggest_carers(calls, bases, settings, stops=stops)
        bases = [dataclasses.replace(base, carers=suggested[base.name]) for base in bases]
    plan = rounds.plan_week(calls, bases, engine, settings, stops=stops, progress=progress)
    rule = rounds.ZoneRule.for_council(council, reading=reading, measure_from=measure_from,
                                       **({} if radius_miles is None else {"radius_miles": float(radius_miles)}))
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
    """The care homes coverage uses: CQC's care directory or a simple list from ``path`` (which replaces the shipped
    homes, said so in its notes), or, without one, the CQC care homes shipped with the tool for the council (in it
    and within 15 km beyond its border; the table's ``vintage`` gives their date).

    Raises
    ------
    InputDataError
        If the file cannot be used, or without a file for a council set up without CQC's homes.
    """
    from analyses import uploads
    from layers.care_homes import shipped_care_homes

    if path is not None:
        from layers.user_files import CARE_HOME_LIST, read_user_file

        path = Path(path)
        return uploads.care_homes(read_user_file(path, CARE_HOME_LIST), path.name, data)
    return shipped_care_homes(data)


def candidate_sites(data: CouncilData, path: str | Path) -> gpd.GeoDataFrame:
    """Your candidate sites for new care homes (name and postcode or latitude/longitude; CSV, XLSX or ODS), with
    their area and locality, for :func:`write_report` or :func:`analyses.sites.suggest_sites`."""
    from analyses import uploads
    from analyses.sites import user_candidates
    from layers.care_homes import CANDIDATE_LIST
    from layers.user_files import read_user_file

    path = Path(path)
    return user_candidates(uploads.candidate_sites(read_user_file(path, CANDIDATE_LIST), path.name, data).sites, data)


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
    access gap closed). The file is written whole or not at all (:func:`geo.files.check_output`).

    Raises
    ------
    InputDataError
        If ``path`` cannot be written (no such folder, a folder, the tool's own data, a full disk…).
    """
    from analyses import report as reporting
    from geo.files import check_output

    output = check_output(path, what="report file", suffixes=(".pdf", ".html"))

    built = reporting.build_report(data, homes.homes, engine, year=year, sites=sites, site_minutes=site_minutes,
                                   homes_source=homes_source or homes.source or f"{len(homes.homes)} care homes",
                                   notes=homes.notes, measure=site_measure, candidates=candidates)
    output.write(lambda: reporting.to_html(built).encode("utf-8") if output.suffix.lower() == ".html" else
                 reporting.to_pdf(built))
    return Path(path)
