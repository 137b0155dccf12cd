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
from layers import catalog
from layers.council_data import CouncilData
from routing.engine import TravelEngine

ATTRIBUTION = [*catalog.ATTRIBUTION,
               "Care homes: the file named in this report (the CQC care directory is published under the OGL v3.0)."]
TITLE = "Care-home coverage"
SUBTITLE = "Beds for older people: residential, nursing and dementia care"
SECTIONS = ["Summary", "Need and supply by year", "Maps", "By locality", "Gaps", "Suggested sites",
            "Care homes used", "Method and assumptions", "Appendix: the council's figures", "Data sources and licences"]
"""Sections of the report, in order, after the title page."""
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

    def title(self) -> str:
        return f"{TITLE}: {self.council}"

    def running_header(self) -> str:
        return f"{TITLE} for older people · {self.council} · scenario {self.year}"

    def scenario(self) -> list[tuple[str, str]]:
        """The settings the report was made with, for its title page."""
        settings, sites = self.result.settings, self.sites
        first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
        site_text = (f"{len(sites.sites)} of {sites.candidates} candidate places, chosen by "
                     f"{site_choice.MEASURES[sites.measure]} ({sites.minutes:g} minutes"
                     f"{f', asked {sites.requested_minutes:g}' if sites.requested_minutes != sites.minutes else ''}); "
                     f"{number(sites.new_beds)} beds each")
        return [("Council", self.council), ("Scenario year", str(self.year)),
                ("Years compared", ", ".join(map(str, self.years))),
                ("Care homes", self.homes_source), ("Travel times", self.method_label.removeprefix("Travel times: ")),
                ("Drive-time bands", f"{', '.join(f'{t:g}' for t in settings.thresholds_min)} minutes "
                                     f"(shares within {first:g} to {last:g})"),
                ("Beds kept free", f"{settings.free_bed_share:.1%} of beds"),
                ("New sites", site_text), ("Produced", f"{self.produced:%d %B %Y}"),
                ("Tool", f"Rural care planner (caremap) {self.version}")]

    def summary(self) -> list[tuple[str, str]]:
        """Key figures of the scenario year."""
        council = self.council_row
        first, last = self.result.settings.thresholds_min[0], self.result.settings.thresholds_min[-1]
        return [
            ("Care homes for older people (in the council)", f"{int(council['homes']):,}"),
            ("Beds", f"{council['beds']:,.0f}"),
            ("Other care homes (not for older people)", f"{int(council['other_homes']):,} homes, "
                                                         f"{council['other_beds']:,.0f} beds"),
            ("Beds per 1,000 aged 65+ / 85+", f"{council['beds_per_1000_65']:.1f} / {council['beds_per_1000_85']:.0f}"),
            (f"Aged 65+ within {first:g} / {last:g} min of a home",
             f"{council[f'pct65_within_{first:g}']:.0f}% / {council[f'pct65_within_{last:g}']:.0f}%"),
            (f"Projected bed demand {self.year}", f"{council['bed_demand']:,.0f}"),
            ("Capacity (beds less free share)", f"{council['capacity']:,.0f}"),
            ("Shortfall (+) or spare (−)", f"{council['shortfall']:+,.0f}"),
        ]

    def findings(self) -> list[str]:
        """The key findings, written from the figures (the report's summary page)."""
        council, settings, by_year = self.council_row, self.result.settings, self.by_year()
        first_year, last_year = self.years[0], self.years[-1]
        first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
        found = [f"{self.council} has {int(council['homes']):,} care homes for older people with "
                 f"{number(council['beds'])} beds: {council['beds_per_1000_65']:.1f} per 1,000 people aged 65+ and "
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
        found.append(f"Bed need of people aged 65+ grows {need}. Against today's {number(council['capacity'])} usable "
                     f"beds for older people that is {short}.")
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

    def year_table(self, *, as_text: bool = True) -> pd.DataFrame:
        """Need and usable beds side by side by year (rows: measures; columns: years): as text for reading
        (signed shortfalls, "—" where not known), or as whole numbers for a spreadsheet (``as_text=False``)."""
        by_year = self.by_year()
        rows = [("Bed need, aged 65+", "need_65"), ("Beds for older people, usable", "usable_65"),
                ("Shortfall (+) / spare (−), aged 65+", "shortfall_65"),
                ("Nursing need", "nursing_need"), ("Nursing beds, usable", "nursing_usable"),
                ("Nursing shortfall (+) / spare (−)", "nursing_shortfall"),
                ("Residential need", "residential_need"), ("Residential beds, usable", "residential_usable"),
                ("Residential shortfall (+) / spare (−)", "residential_shortfall"),
                ("People with dementia in care homes", "dementia_need"),
                ("Beds in dementia-registered homes, usable", "dementia_usable"),
                ("Dementia shortfall (+) / spare (−)", "dementia_shortfall"),
                ("Bed need, aged under 65", "under65_need"), ("Other beds (not for older people), usable", "other_usable"),
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
        """The loaded homes beside the council's documented totals (numbers as numbers with ``as_text=False``)."""
        table = self.totals.table
        if not as_text:
            return pd.DataFrame({"What": table["what"], "Loaded": table["loaded"], "Documented": table["documented"],
                                 "Year": table["year"], "Difference (%)": table["difference_pct"].round(),
                                 "Source": table["source"]})
        return pd.DataFrame({"What": table["what"], "Loaded": table["loaded"].map(number),
                             "Documented": table["documented"].map(number), "Year": table["year"],
                             "Difference": table["difference_pct"].map(lambda v: f"{v:+.0f}%"),
                             "Source": table["source"]})

    def _area_table(self, key: str, label: str) -> pd.DataFrame:
        table = self.result.areas[key]
        first, last = self.result.settings.thresholds_min[0], self.result.settings.thresholds_min[-1]
        return pd.DataFrame({
            label: table["name"].to_numpy(),
            "Aged 65+": table["pop_65plus"].round().astype(int).to_numpy(),
            "Homes": table["homes"].to_numpy(), "Beds": table["beds"].round().astype(int).to_numpy(),
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
                f"close {number(sites.gap_before - sites.gap_after)} of the {number(sites.gap_before)} beds by which "
                f"people below the council's average access fall short of it (the E2SFCA access gap). "
                f"Chosen by {site_choice.MEASURES[sites.measure]}; solver: {sites.solver}.")
        return f"{sites.note} {text}" if sites.note else text

    def site_table(self) -> pd.DataFrame:
        """The suggested sites with the gain of each (counted after the sites above it)."""
        sites = self.sites.sites
        return pd.DataFrame({"Place": sites["name"].to_numpy(), "Kind": sites["kind"].to_numpy(),
                             "Area": sites["area_name"].to_numpy() if "area_name" in sites else "",
                             f"People 65+ newly within {self.sites.minutes:g} min":
                                 sites["new_people_within"].round().to_numpy(),
                             "Access gap closed (beds)": sites["access_gap_closed"].round(1).to_numpy()})

    def homes_table(self, *, as_text: bool = True) -> pd.DataFrame:
        """Every home used, inside the council first, by name (beds as numbers, with a column saying which are
        assumed, with ``as_text=False``)."""
        homes = self.result.homes.sort_values(["in_council", "name"], ascending=[False, True])
        yes_no = {True: "yes", False: "no"}
        beds = {"Beds": homes["beds"].round().astype(int).to_numpy(),
                "Beds assumed": homes["beds_assumed"].map(yes_no).to_numpy()} if not as_text else {
            "Beds": [f"{count:,.0f}{' (assumed)' if assumed else ''}"
                     for count, assumed in zip(homes["beds"], homes["beds_assumed"])]}
        table = pd.DataFrame({
            "Home": homes["name"].to_numpy(), "Postcode": homes["postcode"].to_numpy(), **beds,
            "Older people": homes["older_people"].map(yes_no).to_numpy(),
            "Nursing": homes["nursing"].map(yes_no).to_numpy() if self.result.nursing_known else "not known"})
        if self.result.dementia_known:
            table["Dementia"] = homes["dementia"].astype(bool).map(yes_no).to_numpy()
        table["Where"] = np.where(homes["in_council"], homes["locality_name"].fillna(""), "outside (within 15 km)")
        return table


# --- Building ---------------------------------------------------------------------------------------------------


def build_report(data: CouncilData, homes: gpd.GeoDataFrame, engine: TravelEngine, *, homes_source: str, year: int,
                 settings: cv.CoverageSettings | None = None, sites: int = 3, site_minutes: float = 20.0,
                 notes: list[str] | None = None, measure: str = "reach", new_beds: float | None = None,
                 candidates: gpd.GeoDataFrame | None = None) -> CoverageReport:
    """Compute the coverage measures, choose sites, and everything the report shows.

    ``candidates`` are the user's candidate sites (:func:`analyses.sites.user_candidates`); by default the
    council's towns and villages (:func:`analyses.sites.candidate_places`).
    """
    result = cv.measure_coverage(data, homes, engine, year=year, settings=settings)
    places = site_choice.candidate_places(data, result.homes) if candidates is None else candidates
    choice = site_choice.suggest_sites(result, places, engine, k=sites, minutes=site_minutes, measure=measure,
                                       new_beds=new_beds)
    return report_from(data, result, choice, engine, homes_source=homes_source, notes=notes)


def report_from(data: CouncilData, result: cv.CoverageResult, choice: site_choice.SiteChoice, engine: TravelEngine, *,
                homes_source: str, notes: list[str] | None = None, draw: bool = True) -> CoverageReport:
    """The report of measures already computed (:func:`analyses.coverage.measure_coverage`,
    :func:`analyses.sites.suggest_sites`). ``draw=False`` leaves out the maps (for tables shown in the app)."""
    from caremap import __version__

    gaps = cv.named_gaps(result, data)
    report = CoverageReport(data.council.name, result.year, engine.method, f"Travel times: {engine.label}", homes_source,
                            result, gaps, choice, {}, assumptions(data, result, choice, engine, homes_source),
                            list(notes or []), cv.documented_totals(data.council, result.homes),
                            vintages(data, engine, homes_source), version=__version__)
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


def vintages(data: CouncilData, engine: TravelEngine, homes_source: str) -> list[tuple[str, str]]:
    """The data the report rests on and how recent each is (the council's own record where it was set up or brought
    up to date from newer files: :func:`layers.catalog.vintage`)."""
    council = data.council
    rows = [(catalog.layer_title(key, council),
             catalog.vintage(key, council) + (f" ({catalog.DATASETS[key].origin})" if council.bundled else ""))
            for key in VINTAGE_DATASETS]
    if council.vintages.get(catalog.PROJECTIONS):
        rows.append(("Population projections", council.vintages[catalog.PROJECTIONS]))
    rows.append(("Care homes", homes_source))
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
