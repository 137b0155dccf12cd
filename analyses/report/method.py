"""The method and assumptions behind a coverage report's figures, and the data they rest on with its date and
licence (the report's "Method and assumptions", "Data and its date" and "Data sources and licences")."""

from __future__ import annotations

from analyses import coverage as cv
from analyses import sites as site_choice
from analyses.report.text import number
from layers import catalog
from layers.council_data import CouncilData
from routing.engine import TravelEngine

ATTRIBUTION = [*catalog.ATTRIBUTION,
               "Care homes from a file you loaded: as its publisher licenses it (CQC's care directory: OGL v3.0)."]
VINTAGE_DATASETS = ("lsoa21", "wards22", "population", "postcodes", "places", "practices")
"""Bundled datasets the report's figures rest on (:data:`layers.catalog.DATASETS`)."""


def assumptions(data: CouncilData, result: cv.CoverageResult, choice: site_choice.SiteChoice, engine: TravelEngine,
                homes_source: str) -> list[str]:
    """The method and every assumption behind the figures, with their sources."""
    settings, year, council = result.settings, result.year, data.council
    weights = ", ".join(f"≤{bound:g} min: {weight:g}" for bound, weight in sorted(settings.e2sfca_weights.items()))
    demand_years = ", ".join(f"{number(settings.demand(y))} in {y}" for y in settings.shown_years(year))
    lines = [
        f"Travel times: {engine.label}.",
        f"Care homes: {homes_source}. Only homes registered for older people (CQC 'Service user band - Older People', "
        f"or the list's own flag) count against the need of people aged 65+; other homes' beds are shown apart.",
        "People live at postcodes: each LSOA's mid-2020 population (ONS, carried to 2021 LSOAs) is shared equally "
        "among its postcodes.",
        f"E2SFCA weights by drive time: {weights}; beyond {max(settings.e2sfca_weights):g} minutes, 0.",
        f"Bed need of people aged 65+: {demand_years} ({settings.bed_demand_source}); between and beyond the given "
        f"years it is read off a straight line. Shared between areas by people aged {settings.demand_column[4:6]}+.",
        f"Capacity = beds × (1 − {settings.free_bed_share:.1%}) free for turnover "
        f"({settings.free_bed_share_source or council.source('free_bed_share')}).",
    ]
    if settings.nursing_share is not None:
        lines.append(f"Nursing share of the need: {settings.nursing_share:.1%} ({settings.nursing_share_source}), applied "
                     f"to the need of every year; the rest is residential. A home registered for nursing counts all "
                     f"its beds as nursing beds (CQC gives one bed count per home).")
    if settings.dementia_demand:
        lines.append(f"People with dementia in care homes: {settings.dementia_source}. Compared with the beds of homes "
                     f"registered for dementia (CQC 'Service user band - Dementia').")
    if settings.under65_demand is not None:
        lines.append(f"Bed need of people under 65: {number(settings.under65_demand)} ({settings.under65_source}), "
                     f"compared with the beds of homes not registered for older people.")
    lines += [
        "Gap score = projected people aged 65+ × how far access falls below the council average (0 when above); "
        f"people are projected from mid-2020 with the bed need (× {settings.projection_factor(year):.2f} for {year}).",
        f"Suggested sites: {choice.candidates_from} ({choice.candidates} considered). Each new home has "
        f"{number(choice.new_beds)} beds (the mean of today's homes for older people, or as set). Reach: people aged "
        f"65+ (projected) newly within {choice.minutes:g} minutes. Access gap: the beds within weighted reach that "
        f"people below the council's average access lack to reach it.",
        f"Sites chosen by {site_choice.MEASURES[choice.measure]}; solver: {choice.solver or 'none needed'}."
        + (" The exact covering solver could not run here, so the greedy answer is shown: it may miss the best set."
           if choice.greedy_fallback else ""),
    ]
    if choice.note:
        lines.append(choice.note)
    return lines


def vintages(data: CouncilData, engine: TravelEngine, homes_source: str,
             homes_vintage: str = "") -> list[tuple[str, str]]:
    """The data the report rests on and how recent each is (the council's own record where it was set up or brought
    up to date from newer files: :func:`layers.catalog.vintage`)."""
    council = data.council
    rows = [(catalog.layer_title(key, council),
             catalog.vintage(key, council) + (f" ({catalog.DATASETS[key].origin})" if council.bundled else ""))
            for key in VINTAGE_DATASETS]
    if council.vintages.get(catalog.PROJECTIONS):
        rows.append(("Population projections", council.vintages[catalog.PROJECTIONS]))
    dated = homes_vintage and homes_vintage not in homes_source
    rows.append(("Care homes", homes_source + (f" (data of {homes_vintage})" if dated else "")))
    rows.append(("Travel times", engine.label))
    documents = sorted({figure.document for figure in council.figures.values() if figure.document is not None},
                       key=lambda document: document.title)
    rows += [("Council document", f"{document.title}" + (f" ({document.year})" if document.year else ""))
             for document in documents]
    if not documents:
        rows.append(("Council figures", f"{council.name}'s settings cite no council document: every figure is an "
                                        f"assumption, said so where used."))
    return rows
