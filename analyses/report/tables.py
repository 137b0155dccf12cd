"""The coverage report's tables, for reading (text with separators and signs) or for a spreadsheet (numbers,
``as_text=False``): need and supply by year, the documented totals, localities and districts, gaps, suggested sites
and the homes used. Mixed into :class:`analyses.report.model.CoverageReport` (the methods read its attributes);
:func:`homes_table` also serves a list of homes on its own."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.need_and_supply import area_shortfall_by_year
from analyses.report.text import gap_beds, number


class ReportTables:
    """The report's tables (see the module's note)."""

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
        by_year = area_shortfall_by_year(self.result, key, self.years)
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
