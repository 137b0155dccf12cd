"""Building a coverage report: measure coverage, choose sites, and gather everything the report shows (the
council's documents beside the homes, evidence, assumptions, data vintages, and the maps when it is to be drawn)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from analyses import coverage as cv
from analyses import sites as site_choice
from analyses.evidence import evidence_table
from analyses.need_and_supply import documented_totals, documents_beside_homes
from analyses.report.method import assumptions, vintages
from analyses.report.model import Authorship, CoverageReport
from layers.care_homes import CareHomeTable
from layers.council_data import CouncilData
from routing.engine import TravelEngine


def homes_details(table: CareHomeTable) -> dict[str, Any]:
    """What a report says about its care homes, from the table they were read into: ``homes_source``, ``notes``
    (what was left out, then the reader's notes) and ``homes_vintage``; give them to :func:`build_report` or
    :func:`report_from` as ``**homes_details(table)``."""
    read = [table.outcome()] if table.left_out() or not table.shipped else []
    return {"homes_source": table.source or f"{len(table.homes):,} care homes", "notes": [*read, *table.notes],
            "homes_vintage": table.vintage}


def build_report(data: CouncilData, homes: gpd.GeoDataFrame, engine: TravelEngine, *, homes_source: str, year: int,
                 settings: cv.CoverageSettings | None = None, sites: int = 3, site_minutes: float = 20.0,
                 notes: list[str] | None = None, measure: str = "reach", new_beds: float | None = None,
                 candidates: gpd.GeoDataFrame | None = None, homes_vintage: str = "",
                 authorship: Authorship | None = None) -> CoverageReport:
    """Compute the coverage measures, choose sites, and everything the report shows.

    ``candidates`` are the user's candidate sites (:func:`analyses.sites.user_candidates`); by default the
    council's towns and villages (:func:`analyses.sites.candidate_places`). ``homes_source``, ``notes`` and
    ``homes_vintage`` say what the homes are (:func:`homes_details`); ``authorship`` who wrote the report.
    """
    result = cv.measure_coverage(data, homes, engine, year=year, settings=settings)
    places = site_choice.candidate_places(data, result.homes) if candidates is None else candidates
    choice = site_choice.suggest_sites(result, places, engine, k=sites, minutes=site_minutes, measure=measure,
                                       new_beds=new_beds)
    return report_from(data, result, choice, engine, homes_source=homes_source, notes=notes,
                       homes_vintage=homes_vintage, authorship=authorship)


def report_from(data: CouncilData, result: cv.CoverageResult, choice: site_choice.SiteChoice, engine: TravelEngine, *,
                homes_source: str, notes: list[str] | None = None, draw: bool = True, homes_vintage: str = "",
                authorship: Authorship | None = None) -> CoverageReport:
    """The report of measures already computed (:func:`analyses.coverage.measure_coverage`,
    :func:`analyses.sites.suggest_sites`). ``draw=False`` leaves out the maps (for tables shown in the app)."""
    from geo.version import tool_version

    gaps = cv.named_gaps(result, data)
    report = CoverageReport(data.council.name, result.year, engine.method, f"Travel times: {engine.label}", homes_source,
                            result, gaps, choice, {}, assumptions(data, result, choice, engine, homes_source),
                            list(notes or []), documented_totals(data.council, result.homes),
                            vintages(data, engine, homes_source, homes_vintage), version=tool_version(),
                            homes_vintage=homes_vintage, authorship=authorship or Authorship(),
                            council_settings=data.council)
    report.beside = documents_beside_homes(data, result.homes, settings=result.settings, years=report.years)
    report.evidence = evidence_table(data, homes=result.homes, homes_source=homes_source)
    if draw:
        from analyses.report.html_page import map_layers
        from analyses.report.maps import draw_figures

        report.figures = draw_figures(data, result, gaps, choice, method_label=report.method_label)
        report.map_layers = map_layers(data, result, gaps, choice)
    return report


def area_layers(report: CoverageReport, data: CouncilData) -> dict[str, gpd.GeoDataFrame]:
    """The area tables as polygon layers (for GeoPackage export), plus the homes and suggested sites."""
    lsoa = data.lsoa[["lsoa21_code", "area_name", "locality_name", "geometry"]].join(
        report.result.areas["lsoa21_code"].drop(columns="name"), on="lsoa21_code")
    localities = data.localities[["locality_name", "geometry"]].join(
        report.result.areas["locality_name"].drop(columns="name"), on="locality_name")
    layers = {"lsoa": lsoa, "localities": localities, "care_homes": report.result.homes}
    if len(report.sites.sites):
        layers["suggested_sites"] = report.sites.sites
    return layers
