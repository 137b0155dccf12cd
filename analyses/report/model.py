"""The coverage report a planner can take to committee, computed once: a :class:`CoverageReport` holds the
coverage measures, the suggested sites, the council's documents beside the homes, assumptions and sources; its
words are written from the figures (:mod:`analyses.report.writing`), its tables laid out for reading or spreadsheets
(:mod:`analyses.report.tables`), and the renderers (:mod:`analyses.report.html_page`, :mod:`analyses.report.pdf`)
only lay it out. :func:`analyses.report.build.build_report` makes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from analyses import coverage as cv
from analyses import need_and_supply
from analyses import sites as site_choice
from analyses.report.tables import ReportTables
from analyses.report.text import STATUSES, TITLE
from analyses.report.writing import ReportWriting
from geo.council import Council


@dataclass(frozen=True)
class Authorship:
    """Who wrote a report, for whom, and how final it is (the title page and every page's header say so)."""

    author: str = ""
    organisation: str = ""
    status: str = "draft"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}.")

    @property
    def status_text(self) -> str:
        return STATUSES[self.status]


@dataclass
class CoverageReport(ReportWriting, ReportTables):
    """Everything a coverage report shows, computed once and rendered as PDF, HTML or data files.

    Attributes
    ----------
    council, year, method, method_label, homes_source : str, int, str, str, str
        The council, scenario year, travel method ("road"/"estimate") and its label, and where the homes come from.
    result : CoverageResult
    gaps : DataFrame
        :func:`analyses.coverage.named_gaps`.
    sites : SiteChoice
    figures : dict of str to bytes
        PNG maps (:func:`analyses.report.maps.draw_figures`); empty for a report shown in the app only.
    assumptions : list of str
    notes : list of str
        What reading the homes said (assumed beds, left-out rows…).
    totals : TotalsCheck
        The loaded homes beside the council's documented totals.
    vintages : list of (str, str)
        Dataset and where/when it is from.
    map_layers : dict
        GeoJSON layers of the HTML report's interactive map (:func:`analyses.report.html_page.map_layers`).
    produced : date
    version : str
        The tool's version.
    evidence : DataFrame
        The council's figures beside the tool's (:func:`analyses.evidence.evidence_table`).
    homes_vintage : str
        The date of the care homes' data.
    beside : DocumentsBeside
        The council's documents beside the loaded homes (:func:`analyses.need_and_supply.documents_beside_homes`).
    authorship : Authorship
    council_settings : Council
        The council's settings (its documented figures).
    """

    council: str
    year: int
    method: str
    method_label: str
    homes_source: str
    result: cv.CoverageResult
    gaps: pd.DataFrame
    sites: site_choice.SiteChoice
    figures: dict[str, bytes]
    assumptions: list[str]
    notes: list[str] = field(default_factory=list)
    totals: need_and_supply.TotalsCheck = field(default_factory=lambda: need_and_supply.TotalsCheck(pd.DataFrame()))
    vintages: list[tuple[str, str]] = field(default_factory=list)
    map_layers: dict[str, Any] = field(default_factory=dict)
    produced: date = field(default_factory=date.today)
    version: str = ""
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    homes_vintage: str = ""
    beside: need_and_supply.DocumentsBeside | None = None
    authorship: Authorship = field(default_factory=Authorship)
    council_settings: Council | None = None

    def evidence_table(self) -> pd.DataFrame:
        """The appendix: each figure of the council's documents beside the tool's own (:mod:`analyses.evidence`)."""
        if self.evidence.empty:
            return self.evidence
        return self.evidence[["Figure", "Documented", "Year", "Tool's figure", "Difference", "Source"]]

    # --- What the figures say ----------------------------------------------------------------------------------

    @property
    def council_row(self) -> pd.Series:
        return self.result.areas["council"].iloc[0]

    @property
    def years(self) -> list[int]:
        return self.result.settings.shown_years(self.year)

    def by_year(self) -> pd.DataFrame:
        """:func:`analyses.need_and_supply.demand_by_year` for the years shown."""
        return need_and_supply.demand_by_year(self.result, self.years)

    @property
    def headline(self) -> need_and_supply.Headline:
        """The headline shortfall of the scenario year, marked partial for a partial file (:func:`need_and_supply.headline`)."""
        return need_and_supply.headline(self.result, self.totals)

    def title(self) -> str:
        return f"{TITLE}: {self.council}"

    def running_header(self) -> str:
        return f"{TITLE} for older people · {self.council} · scenario {self.year} · {self.authorship.status_text}"
