"""What goes with every export of a coverage report or its homes (spreadsheet sheets, CSV comment lines): column
titles, and the About rows saying what, from which data of when, and on which assumptions."""

from __future__ import annotations

import pandas as pd

from analyses.need_and_supply import beds_text
from analyses.report.model import CoverageReport
from geo.council import Council
from layers import catalog
from layers.care_homes import CareHomeTable

EXPORT_TITLES = {
    "name": "Name", "homes": "Homes for older people", "beds": "Beds for older people",
    "nursing_homes": "Homes for older people with nursing", "nursing_beds": "Beds in homes with nursing",
    "residential_beds": "Beds in homes without nursing", "dementia_homes": "Homes registered for dementia",
    "dementia_beds": "Beds in homes registered for dementia", "other_homes": "Homes not for older people",
    "other_beds": "Beds in homes not for older people", "bed_demand": "Bed need, aged 65+",
    "capacity": "Beds for older people, usable (less free share)", "shortfall": "Shortfall (+) or spare (−) beds",
    "nursing_demand": "Nursing bed need", "nursing_shortfall": "Nursing shortfall (+) or spare (−) beds",
    "residential_demand": "Residential bed need", "residential_shortfall": "Residential shortfall (+) or spare (−) beds",
    "dementia_demand": "People with dementia in care homes", "dementia_shortfall":
    "Dementia shortfall (+) or spare (−) beds", "minutes_dementia": "Drive time to nearest dementia-registered home "
    "(minutes)", "older_people": "For older people", "dementia": "Registered for dementia",
    "access_gap_closed": "Access gap closed (beds)", "nearest_town": "Nearest town", "town_km": "Nearest town (km)",
}
"""Titles of the coverage columns for spreadsheets (:func:`analyses.exports.xlsx_bytes` ``titles=``)."""


def homes_about(table: CareHomeTable, council: Council) -> list[tuple[str, str]]:
    """The About rows of a list of care homes: what it is, where the homes come from and their date, how many are
    inside the council and beyond its border (with their beds, saying how many are assumed), and what reading them
    noted."""
    homes = table.homes
    inside, beyond = homes[homes["in_council"].astype(bool)], homes[~homes["in_council"].astype(bool)]

    def beds(chosen: pd.DataFrame) -> str:
        return beds_text(chosen["beds"].sum(), chosen.loc[chosen["beds_assumed"].astype(bool), "beds"].sum())

    rows = [("What", f"The care homes the coverage of {council.name} uses: in the council and within 15 km beyond its "
                     f"border"),
            ("Source", table.source), ("Data of", table.vintage or "not recorded"),
            ("In the council", f"{len(inside):,} homes, {beds(inside)}"),
            ("Beyond the border (within 15 km)", f"{len(beyond):,} homes, {beds(beyond)}")]
    if table.left_out() or not table.shipped:
        rows.append(("Read", table.outcome()))
    rows += [("Note", note) for note in table.notes]
    return rows + [("Licence", "Contains Care Quality Commission data, © CQC, OGL v3.0 (CQC's care directory).")]


def export_titles(report: CoverageReport) -> dict[str, str]:
    """:data:`EXPORT_TITLES`, with every shortfall of older people marked as resting on a partial file where it
    does (:attr:`analyses.need_and_supply.TotalsCheck.partial`)."""
    if not report.headline.partial:
        return dict(EXPORT_TITLES)
    return EXPORT_TITLES | {key: f"{title} (PARTIAL FILE)" for key, title in EXPORT_TITLES.items()
                            if key in ("shortfall", "capacity", "beds")}


def export_about(report: CoverageReport) -> list[tuple[str, str]]:
    """The About rows of every export of a report (spreadsheet sheet, CSV comment lines): what, the data and its
    date, the headline (marked partial with both figures for a partial file), assumptions and notes."""
    head = report.headline
    rows = [("Analysis", f"Care-home coverage for older people, {report.council}, scenario {report.year}"),
            ("Status", report.authorship.status_text), ("Travel times", report.method_label),
            ("Care homes", report.homes_source)]
    if report.homes_vintage:
        rows.append(("Care-home data of", report.homes_vintage))
    if report.council_settings is not None:
        rows.append(("Data vintages", catalog.vintage_summary(report.council_settings)))
    rows.append(("Shortfall (+) or spare (−) " + ("— PARTIAL FILE" if head.partial else f"{report.year}"),
                 head.sentence()))
    if report.totals.warning:
        rows.append(("Warning", report.totals.warning))
    rows += [*[("Assumption", line) for line in report.assumptions],
             *[("Care-home data", note) for note in report.notes]]
    return rows
