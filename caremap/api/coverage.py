"""Care-home coverage through the public API: the care homes and candidate sites, coverage measured, and the
committee report written."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from caremap import arguments
from geo import checks
from geo.crs import to_bng
from layers.council_data import CouncilData

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from analyses.coverage import CoverageResult
    from layers.care_homes import CareHomeTable
    from routing.engine import TravelEngine


REPORT_SUFFIXES = (".pdf", ".html")


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
