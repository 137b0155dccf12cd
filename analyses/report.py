"""The coverage report a planner can take to committee: findings written from the figures, need and supply by
year (residential, nursing, dementia), maps, named tables of localities and gaps, suggested sites, the homes
used, method, assumptions and sources — as PDF (:mod:`analyses.report_pdf`) and self-contained HTML with an
interactive map (:mod:`analyses.report_html`).

A :class:`CoverageReport` holds everything computed once; the renderers only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses import coverage as cv
from analyses import sites as site_choice
from analyses.evidence import evidence_table
from geo.council import Council, figure_text
from layers import catalog
from layers.care_homes import CareHomeTable
from layers.council_data import CouncilData
from routing.engine import TravelEngine

ATTRIBUTION = [*catalog.ATTRIBUTION,
               "Care homes from a file you loaded: as its publisher licenses it (CQC's care directory: OGL v3.0)."]
TITLE = "Care-home coverage"
SUBTITLE = "Beds for older people: residential, nursing and dementia care"
SECTIONS = ["Summary", "The council's documents beside the homes", "Need and supply by year", "Maps", "By locality",
            "Gaps", "Suggested sites", "Method and assumptions", "Appendix: the council's figures",
            "Appendix: care homes used", "Data sources and licences"]
"""Sections of the report, in order, after the title page."""
STATUSES = {"draft": "Draft", "for-comment": "Draft for comment", "final": "Final"}
"""Status a report can carry on its title page and running header (key as given on the command line -> words)."""


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
VINTAGE_DATASETS = ("lsoa21", "wards22", "population", "postcodes", "places", "practices")
"""Bundled datasets the report's figures rest on (:data:`layers.catalog.DATASETS`)."""


def number(value: float, *, signed: bool = False) -> str:
    """A count for people: thousands separated, no decimals, "–" when not known."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:+,.0f}" if signed else f"{value:,.0f}"


def shortfall_words(value: float) -> str:
    """"a shortfall of 144 beds" or "144 beds to spare"."""
    return f"a shortfall of {number(value)} beds" if value > 0.5 else f"{number(-value)} beds to spare"


def gap_beds(value: float) -> str:
    """Beds of the access gap, as every page, report and command shows them (one decimal: a site's share can be
    small)."""
    return f"{value:,.1f}" if np.isfinite(value) else "–"


@dataclass
class CoverageReport:
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
        PNG maps (:func:`analyses.report_maps.draw_figures`); empty for a report shown in the app only.
    assumptions : list of str
    notes : list of str
        What reading the homes said (assumed beds, left-out rows…).
    totals : TotalsCheck
        The loaded homes beside the council's documented totals.
    vintages : list of (str, str)
        Dataset and where/when it is from.
    map_layers : dict
        GeoJSON layers of the HTML report's interactive map (:func:`analyses.report_html.map_layers`).
    produced : date
    version : str
        The tool's version.
    evidence : DataFrame
        The council's figures beside the tool's (:func:`analyses.evidence.evidence_table`).
    homes_vintage : str
        The date of the care homes' data.
    beside : DocumentsBeside
        The council's documents beside the loaded homes (:func:`analyses.coverage.documents_beside_homes`).
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
    totals: cv.TotalsCheck = field(default_factory=lambda: cv.TotalsCheck(pd.DataFrame()))
    vintages: list[tuple[str, str]] = field(default_factory=list)
    map_layers: dict[str, Any] = field(default_factory=dict)
    produced: date = field(default_factory=date.today)
    version: str = ""
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    homes_vintage: str = ""
    beside: cv.DocumentsBeside | None = None
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
        """:func:`analyses.coverage.demand_by_year` for the years shown."""
        return cv.demand_by_year(self.result, self.years)

    @property
    def headline(self) -> cv.Headline:
        """The headline shortfall of the scenario year, marked partial for a partial file (:func:`cv.headline`)."""
        return cv.headline(self.result, self.totals)

    def title(self) -> str:
        return f"{TITLE}: {self.council}"

    def running_header(self) -> str:
        return f"{TITLE} for older people · {self.council} · scenario {self.year} · {self.authorship.status_text}"

    def scenario(self) -> list[tuple[str, str]]:
        """The settings the report was made with, for its title page."""
        settings, sites = self.result.settings, self.sites
        first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
        site_text = (f"{len(sites.sites)} of {sites.candidates} candidate places, chosen by "
                     f"{site_choice.MEASURES[sites.measure]} ({sites.minutes:g} minutes"
                     f"{f', asked {sites.requested_minutes:g}' if sites.requested_minutes != sites.minutes else ''}); "
                     f"{number(sites.new_beds)} beds each")
        authorship = self.authorship
        people = [("Author", authorship.author)] if authorship.author else []
        people += [("Organisation", authorship.organisation)] if authorship.organisation else []
        return [("Council", self.council), ("Status", authorship.status_text), *people,
                ("Scenario year", str(self.year)), ("Years compared", ", ".join(map(str, self.years))),
                ("Care homes", self.homes_source), ("Travel times", self.method_label.removeprefix("Travel times: ")),
                ("Drive-time bands", f"{', '.join(f'{t:g}' for t in settings.thresholds_min)} minutes "
                                     f"(shares within {first:g} to {last:g})"),
                ("Beds kept free", f"{settings.free_bed_share:.1%} of beds"),
                ("New sites", site_text), ("Produced", f"{self.produced:%d %B %Y}"),
                ("Tool", f"Rural care planner (caremap) {self.version}")]

    def summary(self) -> list[tuple[str, str]]:
        """Key figures of the scenario year (the shortfall marked partial, and set beside the council's documented
        supply, for a partial file)."""
        council, head = self.council_row, self.headline
        first, last = self.result.settings.thresholds_min[0], self.result.settings.thresholds_min[-1]
        shortfall = (("Shortfall (+) or spare (−): PARTIAL FILE", head.sentence()) if head.partial else
                     ("Shortfall (+) or spare (−)", f"{council['shortfall']:+,.0f}"))
        return [
            ("Care homes for older people (in the council)", f"{int(council['homes']):,}"),
            ("Beds", cv.beds_text(council["beds"], council["beds_assumed"])),
            ("Other care homes (not for older people)", f"{int(council['other_homes']):,} homes, "
                                                         f"{council['other_beds']:,.0f} beds"),
            ("Beds per 1,000 aged 65+ / 85+", f"{council['beds_per_1000_65']:.1f} / {council['beds_per_1000_85']:.0f}"),
            ("Access (average, beds within reach per 1,000 aged 65+)", f"{council['access']:.1f}"),
            (f"Aged 65+ within {first:g} / {last:g} min of a home",
             f"{council[f'pct65_within_{first:g}']:.0f}% / {council[f'pct65_within_{last:g}']:.0f}%"),
            (f"Projected bed demand {self.year}", f"{council['bed_demand']:,.0f}"),
            ("Capacity (beds less free share)", f"{council['capacity']:,.0f}"),
            shortfall,
        ]

    def findings(self) -> list[str]:
        """The key findings, written from the figures (the report's summary page)."""
        council, settings, by_year = self.council_row, self.result.settings, self.by_year()
        first_year, last_year = self.years[0], self.years[-1]
        first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
        found = [f"{self.council} has {int(council['homes']):,} care homes for older people with "
                 f"{cv.beds_text(council['beds'], council['beds_assumed'])}: {council['beds_per_1000_65']:.1f} per "
                 f"1,000 people aged 65+ and "
                 f"{council['beds_per_1000_85']:.0f} per 1,000 aged 85+."
                 + (f" Another {int(council['other_homes']):,} homes ({number(council['other_beds'])} beds) are not "
                    f"registered for older people and are counted apart." if council["other_homes"] else "")]
        if self.totals.warning:
            found.append("Warning: " + self.totals.warning)
        elif len(self.totals.table):
            found.append("The homes loaded agree with the council's documented totals within 10% ("
                         + "; ".join(f"{row.what}: {row.loaded:,.0f} against {row.documented:,.0f}"
                                     for row in self.totals.table.itertuples()) + ").")
        else:
            found.append(f"{self.council}'s settings give no documented totals of homes and beds to check the loaded "
                         f"homes against.")
        need = " → ".join(f"{number(by_year.loc[y, 'need_65'])} ({y})" for y in self.years)
        short = ", ".join(f"{shortfall_words(by_year.loc[y, 'shortfall_65'])} in {y}" for y in self.years)
        head = self.headline
        partial = (f" These rest on a PARTIAL FILE: against the {number(head.documented_beds)} beds the council "
                   f"documents the shortfall would be "
                   + ", ".join(f"{number(self.beside.by_year.loc[y, 'documented_shortfall'], signed=True)} in {y}"
                               for y in self.years) + "."
                   if head.partial and self.beside is not None and head.documented_beds is not None else
                   " These rest on a PARTIAL FILE." if head.partial else "")
        found.append(f"Bed need of people aged 65+ grows {need}. Against today's {number(council['capacity'])} usable "
                     f"beds for older people that is {short}.{partial}")
        if settings.nursing_share is not None:
            nursing = ", ".join(f"{number(by_year.loc[y, 'nursing_need'])} in {y}" for y in (first_year, last_year))
            supply = (f"{number(council['nursing_beds'])} beds in homes with nursing — "
                      f"{shortfall_words(by_year.loc[last_year, 'nursing_shortfall'])} by {last_year}; residential "
                      f"care: {shortfall_words(by_year.loc[last_year, 'residential_shortfall'])} by {last_year}"
                      if self.result.nursing_known else
                      "the care-home list does not say which homes are registered for nursing")
            found.append(f"Nursing care ({settings.nursing_share:.0%} of the need): {nursing}; {supply}.")
        if settings.dementia_demand:
            people = " → ".join(f"{number(by_year.loc[y, 'dementia_need'])} ({y})" for y in (first_year, last_year))
            supply = (f"{int(council['dementia_homes']):,} homes registered for dementia have "
                      f"{number(council['dementia_beds'])} beds ({shortfall_words(by_year.loc[last_year, 'dementia_shortfall'])}"
                      f" by {last_year})" if self.result.dementia_known
                      else "the care-home list does not say which homes are registered for dementia")
            found.append(f"People with dementia in care homes: {people}; {supply}.")
        reach = (f"{council[f'pct65_within_{first:g}']:.0f}% of people aged 65+ live within {first:g} minutes of a home "
                 f"for older people and {council[f'pct65_within_{last:g}']:.0f}% within {last:g} minutes (mean "
                 f"{council['minutes_mean']:.0f} minutes; {self.method_label.removeprefix('Travel times: ')}).")
        found.append(reach)
        if len(self.gaps):
            names = "; ".join(f"{row.area_name} (nearest town {row.nearest_town}, {row.town_km:.0f} km)"
                              for row in self.gaps.head(3).itertuples())
            found.append(f"Largest gaps (low access, high projected need): {names}.")
        found.append(self.site_sentence())
        return found

    def access_explained(self) -> list[str]:
        """What "access" and "the access gap" mean, in plain English, with this report's own weights and figures."""
        settings, council = self.result.settings, self.council_row
        bands = sorted(settings.e2sfca_weights.items())
        steps, low = [], 0.0
        for bound, weight in bands:
            share = "fully" if weight >= 1 else f"as {weight:.2f} of a bed"
            steps.append(f"a bed {low:g}–{bound:g} minutes' drive away counts {share}")
            low = bound
        return [
            "Access: how many care-home beds for older people are within reach of where people aged 65+ live, per 1,000 "
            "of them. Nearer beds count more: " + "; ".join(steps) + f"; beds further than {low:g} minutes count not at "
            "all. Each home's beds are shared among everyone aged 65+ who can reach it, so a home with many older "
            "people around it gives each of them less. (The method is the enhanced two-step floating catchment area, "
            "E2SFCA: Luo and Qi, 2009.)",
            f"{self.council}'s average is {council['access']:.1f} beds within reach per 1,000 people aged 65+. The "
            f"access gap is the number of beds that would have to be added within reach of the people below that "
            f"average to bring each of them up to it: {gap_beds(self.sites.gap_before)} beds in {self.year}. A new home "
            f"closes part of the gap by putting beds within reach of people below the average.",
            "Shortfall is different: the council's whole need for beds less the beds there are (after the share kept "
            "free for turnover), wherever they are.",
        ]

    def what_this_means(self) -> str:
        """One paragraph for a committee: what the figures mean and the decision they inform."""
        council, head, by_year = self.council_row, self.headline, self.by_year()
        last = self.years[-1]
        lines = [f"In {self.year}, {self.council} needs about {number(head.need)} care-home beds for people aged 65+; "
                 f"its homes for older people have {number(council['capacity'])} usable beds, "
                 f"{shortfall_words(head.shortfall)}, and by {last} {shortfall_words(by_year.loc[last, 'shortfall_65'])}."]
        if head.partial:
            lines.append(f"These figures rest on a PARTIAL care-home file: against the "
                         f"{number(head.documented_beds)} beds the council documents the {self.year} figure would be "
                         f"{number(head.documented_shortfall, signed=True)}; load the full CQC care directory before "
                         f"relying on them." if head.documented_shortfall is not None else
                         "These figures rest on a PARTIAL care-home file: load the full CQC care directory before "
                         "relying on them.")
        if len(self.gaps):
            places = self.gaps["area_name"].head(3).str.split(" — ").str[0].str.replace(r" \(E\d+\)$", "", regex=True)
            lines.append(f"Beds are hardest to reach around {', '.join(places)}.")
        if len(self.sites.sites):
            lines.append(f"New homes at {', '.join(self.sites.sites['name'])} would close "
                         f"{gap_beds(self.sites.gap_before - self.sites.gap_after)} of the "
                         f"{gap_beds(self.sites.gap_before)}-bed access gap.")
        lines.append(f"The decision this informs: how many care-home beds for older people {self.council} should "
                     f"seek by {last}, of which kind (residential, nursing, dementia), and in which localities to "
                     f"commission or encourage them.")
        return " ".join(lines)

    def year_table(self, *, as_text: bool = True) -> pd.DataFrame:
        """Need and usable beds side by side by year (rows: measures; columns: years): as text for reading
        (signed shortfalls, "—" where not known), or as whole numbers for a spreadsheet (``as_text=False``). For a
        partial file the shortfall of older people is marked so, and set beside the council's documented supply."""
        by_year = self.by_year()
        head = self.headline
        mark = " (PARTIAL FILE)" if head.partial else ""
        rows = [("Bed need, aged 65+", "need_65"), (f"Beds for older people, usable{mark}", "usable_65"),
                (f"Shortfall (+) / spare (−), aged 65+{mark}", "shortfall_65")]
        if head.partial and head.documented_beds is not None:
            by_year["documented_usable"] = head.documented_beds * (1.0 - self.result.settings.free_bed_share)
            by_year["documented_shortfall"] = by_year["need_65"] - by_year["documented_usable"]
            rows += [(f"Documented beds, usable ({number(head.documented_beds)}, {head.documented_beds_what})",
                      "documented_usable"), ("Shortfall (+) / spare (−) against the documented beds",
                                             "documented_shortfall")]
        rows += [("Nursing need", "nursing_need"), ("Nursing beds, usable", "nursing_usable"),
                 ("Nursing shortfall (+) / spare (−)", "nursing_shortfall"),
                 ("Residential need", "residential_need"), ("Residential beds, usable", "residential_usable"),
                 ("Residential shortfall (+) / spare (−)", "residential_shortfall"),
                 ("People with dementia in care homes", "dementia_need"),
                 ("Beds in dementia-registered homes, usable", "dementia_usable"),
                 ("Dementia shortfall (+) / spare (−)", "dementia_shortfall"),
                 ("Bed need, aged under 65", "under65_need"),
                 ("Other beds (not for older people), usable", "other_usable"),
                 ("Under-65 shortfall (+) / spare (−)", "under65_shortfall"),
                 ("All ages: need", "all_need"), ("All beds, usable", "all_usable"),
                 ("All ages: shortfall (+) / spare (−)", "all_shortfall")]
        table = pd.DataFrame({"Measure": [label for label, _ in rows]})
        for year in self.years:
            signed = [column.endswith("shortfall") or column == "shortfall_65" for _, column in rows]
            values = [by_year.loc[year, column] for _, column in rows]
            table[str(year)] = [number(value, signed=flag) for value, flag in zip(values, signed)] if as_text \
                else pd.Series(values, dtype=float).round()
        return table

    def totals_table(self, *, as_text: bool = True) -> pd.DataFrame:
        """The loaded homes beside the council's documented totals (numbers as numbers with ``as_text=False``); a
        bed total says how many of its beds are assumed."""
        table = self.totals.table
        if not as_text:
            return pd.DataFrame({"What": table["what"], "Loaded": table["loaded"], "Of which assumed": table["assumed"],
                                 "Documented": table["documented"], "Year": table["year"],
                                 "Difference (%)": table["difference_pct"].round(), "Source": table["source"]})
        loaded = [f"{number(value)} ({number(assumed)} assumed)" if assumed >= 0.5 else number(value)
                  for value, assumed in zip(table["loaded"], table["assumed"])]
        return pd.DataFrame({"What": table["what"], "Loaded": loaded,
                             "Documented": table["documented"].map(number), "Year": table["year"],
                             "Difference": table["difference_pct"].map(lambda v: f"{v:+.0f}%"),
                             "Source": table["source"]})

    def _area_table(self, key: str, label: str) -> pd.DataFrame:
        table = self.result.areas[key]
        first, last = self.result.settings.thresholds_min[0], self.result.settings.thresholds_min[-1]
        assumed = ({"Beds assumed": table["beds_assumed"].round().astype(int).to_numpy()}
                   if table["beds_assumed"].sum() >= 0.5 else {})
        return pd.DataFrame({
            label: table["name"].to_numpy(),
            "Aged 65+": table["pop_65plus"].round().astype(int).to_numpy(),
            "Homes": table["homes"].to_numpy(), "Beds": table["beds"].round().astype(int).to_numpy(), **assumed,
            "Beds/1,000 65+": table["beds_per_1000_65"].round(1).to_numpy(),
            f"% 65+ ≤{first:g} min": table[f"pct65_within_{first:g}"].round(0).to_numpy(),
            f"% 65+ ≤{last:g} min": table[f"pct65_within_{last:g}"].round(0).to_numpy(),
            "Access (E2SFCA)": table["access"].round(1).to_numpy(),
            f"Demand {self.year}": table["bed_demand"].round().astype(int).to_numpy(),
            "Shortfall": table["shortfall"].round().astype(int).to_numpy(),
        })

    def locality_table(self) -> pd.DataFrame:
        """Access and need by PCN locality."""
        return self._area_table("locality_name", "Locality")

    def district_table(self) -> pd.DataFrame:
        """Access and need by district (two-tier councils)."""
        return self._area_table("lad_code", "District")

    def locality_year_table(self, key: str = "locality_name", label: str = "Locality") -> pd.DataFrame:
        """Beds by kind and the shortfall of each year, by area."""
        table = self.result.areas[key]
        by_year = cv.area_shortfall_by_year(self.result, key, self.years)
        frame = pd.DataFrame({label: table["name"].to_numpy()})
        if self.result.nursing_known:
            frame["Nursing beds"] = table["nursing_beds"].round().astype(int).to_numpy()
            frame["Residential beds"] = table["residential_beds"].round().astype(int).to_numpy()
        else:
            frame["Beds (nursing not known)"] = table["beds"].round().astype(int).to_numpy()
        if self.result.dementia_known:
            frame["Dementia beds"] = table["dementia_beds"].round().astype(int).to_numpy()
        frame["Other beds"] = table["other_beds"].round().astype(int).to_numpy()
        for year in self.years:
            frame[f"Shortfall {year}"] = by_year[f"shortfall_{year}"].round().astype(int).to_numpy()
        return frame

    def gap_table(self) -> pd.DataFrame:
        """The ranked gaps, named for people."""
        gaps = self.gaps
        return pd.DataFrame({
            "Rank": np.arange(1, len(gaps) + 1),
            "Area": gaps["area_name"].to_numpy(),
            "Nearest town": [f"{town} ({km:.0f} km)" for town, km in zip(gaps["nearest_town"], gaps["town_km"])],
            "Locality": gaps["locality"].to_numpy(),
            "Aged 65+": gaps["pop_65plus"].round().astype(int).to_numpy(),
            f"Projected 65+ {self.year}": gaps["projected_65plus"].round().astype(int).to_numpy(),
            "Access (E2SFCA)": gaps["access"].round(1).to_numpy(),
            "Minutes to nearest": gaps["minutes_mean"].round(0).to_numpy(),
            "Gap score": gaps["gap_score"].round(0).to_numpy(),
        })

    def site_sentence(self) -> str:
        """What the suggested sites add, in one paragraph (says which solver chose them)."""
        sites = self.sites
        if sites.candidates == 0:
            return "No candidate place was available for a new home (no town or village at least 1 km from a home)."
        if len(sites.sites) == 0:
            return "No new site was asked for." if sites.note == "" else sites.note
        names = ", ".join(sites.sites["name"])
        share_before = 100.0 * sites.covered_before / sites.population if sites.population else 0.0
        share_after = 100.0 * sites.covered_after / sites.population if sites.population else 0.0
        text = (f"{len(sites.sites)} new home(s) of {number(sites.new_beds)} beds at {names} would bring "
                f"{number(sites.covered_after - sites.covered_before)} more people aged 65+ ({self.year}) within "
                f"{sites.minutes:g} minutes of a home for older people ({share_before:.0f}% → {share_after:.0f}%) and "
                f"close {gap_beds(sites.gap_before - sites.gap_after)} of the {gap_beds(sites.gap_before)} beds by "
                f"which people below the council's average access fall short of it (the access gap). "
                f"Chosen by {site_choice.MEASURES[sites.measure]}; solver: {sites.solver}.")
        return f"{sites.note} {text}" if sites.note else text

    def site_table(self) -> pd.DataFrame:
        """The suggested sites with the gain of each (counted after the sites above it): the figures the page, the
        report and the command line all show (:func:`site_lines`)."""
        sites = self.sites.sites
        return pd.DataFrame({"Place": sites["name"].to_numpy(), "Kind": sites["kind"].to_numpy(),
                             "Area": sites["area_name"].to_numpy() if "area_name" in sites else "",
                             f"People 65+ newly within {self.sites.minutes:g} min":
                                 [float(number(value).replace(",", "")) for value in sites["new_people_within"]],
                             "Access gap closed (beds)":
                                 [float(gap_beds(value).replace(",", "")) for value in sites["access_gap_closed"]]})

    def site_lines(self) -> list[str]:
        """Each suggested site and its gain in one line, as the command line prints it (the figures of
        :meth:`site_table`)."""
        minutes = self.sites.minutes
        return [f"{rank}. {row.name}: {number(row.new_people_within)} more people aged 65+ within {minutes:g} min; "
                f"closes {gap_beds(row.access_gap_closed)} beds of the access gap"
                for rank, row in enumerate(self.sites.sites.itertuples(), start=1)]

    def homes_table(self, *, as_text: bool = True) -> pd.DataFrame:
        """Every home used, inside the council first, by name (:func:`homes_table`)."""
        return homes_table(self.result.homes, nursing_known=self.result.nursing_known,
                           dementia_known=self.result.dementia_known, as_text=as_text)


def homes_table(homes: gpd.GeoDataFrame, *, nursing_known: bool = True, dementia_known: bool | None = None,
                as_text: bool = True) -> pd.DataFrame:
    """The care homes a coverage uses, inside the council first, by name: for reading (``as_text``: beds with
    "(assumed)" where assumed), or for a spreadsheet (also the CQC Location ID, beds as numbers and a column saying
    which are assumed).

    Parameters
    ----------
    homes : GeoDataFrame
        Placed homes (:func:`analyses.coverage.place_homes`: ``locality_name`` inside the council).
    nursing_known, dementia_known : bool
        Whether the homes say which are registered for nursing and for dementia (default: a ``dementia`` column).
    """
    homes = homes.sort_values(["in_council", "name"], ascending=[False, True])
    dementia_known = "dementia" in homes.columns if dementia_known is None else dementia_known
    yes_no = {True: "yes", False: "no"}
    beds = {"Beds": homes["beds"].round().astype(int).to_numpy(),
            "Beds assumed": homes["beds_assumed"].astype(bool).map(yes_no).to_numpy()} if not as_text else {
        "Beds": [f"{count:,.0f}{' (assumed)' if assumed else ''}"
                 for count, assumed in zip(homes["beds"], homes["beds_assumed"])]}
    identity = {} if as_text else {"CQC Location ID": homes["home_id"].to_numpy()}
    table = pd.DataFrame({
        **identity, "Home": homes["name"].to_numpy(), "Postcode": homes["postcode"].to_numpy(), **beds,
        "Older people": homes["older_people"].astype(bool).map(yes_no).to_numpy(),
        "Nursing": homes["nursing"].astype(bool).map(yes_no).to_numpy() if nursing_known else "not known"})
    if dementia_known:
        table["Dementia"] = homes["dementia"].astype(bool).map(yes_no).to_numpy()
    table["Where"] = np.where(homes["in_council"], homes["locality_name"].fillna(""), "outside (within 15 km)")
    if not as_text:
        table.insert(len(table.columns) - 1, "In the council", homes["in_council"].astype(bool).map(yes_no).to_numpy())
    return table


def homes_about(table: CareHomeTable, council: Council) -> list[tuple[str, str]]:
    """The About rows of a list of care homes: what it is, where the homes come from and their date, how many are
    inside the council and beyond its border (with their beds, saying how many are assumed), and what reading them
    noted."""
    homes = table.homes
    inside, beyond = homes[homes["in_council"].astype(bool)], homes[~homes["in_council"].astype(bool)]

    def beds(chosen: pd.DataFrame) -> str:
        return cv.beds_text(chosen["beds"].sum(), chosen.loc[chosen["beds_assumed"].astype(bool), "beds"].sum())

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
    does (:attr:`analyses.coverage.TotalsCheck.partial`)."""
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


# --- The council's documents beside the homes (before anything is measured) -------------------------------------


def _documented(council: Council, key: str) -> str:
    """A council figure as text with its year and whether it is assumed ("—" when the council gives none)."""
    figure = council.figures.get(key)
    if figure is None:
        return "—"
    year = f" ({figure.year})" if figure.year and not isinstance(figure.value, dict) else ""
    return figure_text(figure) + year + (" — assumption" if figure.is_assumption else "")


def documents_totals_table(beside: cv.DocumentsBeside, council: Council) -> pd.DataFrame:
    """What the council's documents say (homes, beds, need, nursing share, dementia) beside what the loaded homes
    give, one row per figure, as text."""
    supply, settings, totals = beside.council, beside.settings, beside.totals.table.set_index("key")
    everything = supply["homes"] + supply["other_homes"]
    all_beds = supply["beds"] + supply["other_beds"]
    rows = [("Care homes in the council", _documented(council, "care_homes"),
             f"{number(everything)} ({number(supply['homes'])} registered for older people)",
             council.source("care_homes") if "care_homes" in council.figures else ""),
            ("Beds in those homes", _documented(council, "care_home_beds"),
             f"{cv.beds_text(all_beds, supply['beds_assumed'])}; {number(supply['beds'])} in homes for older people",
             council.source("care_home_beds") if "care_home_beds" in council.figures else "")]
    for key in ("residential_homes", "residential_beds", "nursing_homes", "nursing_beds"):
        if key in totals.index:
            row = totals.loc[key]
            rows.append((row["what"][:1].upper() + row["what"][1:], _documented(council, key), number(row["loaded"]),
                         row["source"]))
    if beside.nursing_known:
        share = supply["nursing_beds"] / supply["beds"] if supply["beds"] else np.nan
        nursing = (f"{number(supply['nursing_beds'])} of {number(supply['beds'])} beds for older people ({share:.0%}), "
                   f"in {number(supply['nursing_homes'])} homes with nursing")
    else:
        nursing = "not known: the homes do not say which have nursing"
    rows.append(("Nursing", _documented(council, "nursing_share"), nursing, settings.nursing_share_source))
    dementia = (f"{number(supply['dementia_homes'])} homes registered for dementia, {number(supply['dementia_beds'])} "
                f"beds" if beside.dementia_known else "not known: the homes do not say which are registered for dementia")
    rows.append(("People with dementia in care homes", _documented(council, "dementia_in_care_homes"), dementia,
                 settings.dementia_source))
    rows.append(("Bed need, aged 65+", _documented(council, "bed_demand_65plus"),
                 f"{number(supply['beds'])} beds in homes for older people (by year below)",
                 settings.bed_demand_source))
    if settings.under65_demand is not None:
        rows.append(("Bed need, aged under 65", _documented(council, "bed_demand_under65"),
                     f"{number(supply['other_homes'])} homes not for older people, {number(supply['other_beds'])} beds",
                     settings.under65_source))
    return pd.DataFrame(rows, columns=["What", "The council's documents", "The homes loaded", "Source"])


def documents_year_table(beside: cv.DocumentsBeside, *, as_text: bool = True) -> pd.DataFrame:
    """The council's need by year beside the usable beds of the loaded homes for older people and, where documented,
    its own bed total (less the same share kept free; say which total it is beside the table:
    :attr:`analyses.coverage.TotalsCheck.documented_beds_what`)."""
    by_year, totals = beside.by_year, beside.totals
    table = pd.DataFrame({"Year": [str(year) for year in by_year.index],
                          "Bed need, aged 65+": by_year["need_65"].to_numpy(),
                          "Beds loaded, usable": by_year["usable_65"].to_numpy(),
                          "Shortfall (+) / spare (−)": by_year["shortfall_65"].to_numpy()})
    if totals.documented_beds is not None:  # (the documented total and what it counts: TotalsCheck)
        table["Documented beds, usable"] = by_year["documented_usable"].to_numpy()
        table["Shortfall against the documented beds"] = by_year["documented_shortfall"].to_numpy()
    if not as_text:
        return table.assign(**{column: table[column].round() for column in table.columns[1:]})
    return table.assign(**{column: [number(value, signed="Shortfall" in column) for value in table[column]]
                           for column in table.columns[1:]})


def documents_area_table(beside: cv.DocumentsBeside, label: str = "Locality", *, as_text: bool = True) -> pd.DataFrame:
    """The loaded homes and the council's need (shared by its people) in each area, by year."""
    areas = beside.by_area
    columns = {label: areas.index.to_numpy(), "Homes": areas["homes"].to_numpy(), "Beds": areas["beds"].to_numpy()}
    if areas["beds_assumed"].sum() >= 0.5:
        columns["Beds assumed"] = areas["beds_assumed"].to_numpy()
    if beside.nursing_known:
        columns["Nursing beds"] = areas["nursing_beds"].to_numpy()
    if beside.dementia_known:
        columns["Dementia beds"] = areas["dementia_beds"].to_numpy()
    columns["Other beds"] = areas["other_beds"].to_numpy()
    for year in beside.years:
        columns[f"Need {year}"] = areas[f"need_{year}"].to_numpy()
        columns[f"Shortfall {year}"] = areas[f"shortfall_{year}"].to_numpy()
    table = pd.DataFrame(columns)
    numeric = table.columns[1:]
    if not as_text:
        return table.assign(**{column: table[column].astype(float).round() for column in numeric})
    return table.assign(**{column: [number(value, signed=column.startswith("Shortfall")) for value in table[column]]
                           for column in numeric})


# --- Building ---------------------------------------------------------------------------------------------------


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
                            list(notes or []), cv.documented_totals(data.council, result.homes),
                            vintages(data, engine, homes_source, homes_vintage), version=tool_version(),
                            homes_vintage=homes_vintage, authorship=authorship or Authorship(),
                            council_settings=data.council)
    report.beside = cv.documents_beside_homes(data, result.homes, settings=result.settings, years=report.years)
    report.evidence = evidence_table(data, homes=result.homes, homes_source=homes_source)
    if draw:
        from analyses import report_html, report_maps

        report.figures = report_maps.draw_figures(data, result, gaps, choice, method_label=report.method_label)
        report.map_layers = report_html.map_layers(data, result, gaps, choice)
    return report


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


def to_html(report: CoverageReport) -> str:
    """The report as one self-contained HTML page (:func:`analyses.report_html.render_html`)."""
    from analyses.report_html import render_html

    return render_html(report)


def to_pdf(report: CoverageReport) -> bytes:
    """The report as an A4 PDF (:func:`analyses.report_pdf.render_pdf`)."""
    from analyses.report_pdf import render_pdf

    return render_pdf(report)
