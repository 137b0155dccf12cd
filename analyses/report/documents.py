"""The council's documents beside the care homes loaded, before anything is measured: what the documents say (homes,
beds, need, nursing share, dementia) beside what the homes give, the need by year beside the beds, and by area."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.need_and_supply import DocumentsBeside, beds_text
from analyses.report.text import number
from geo.council import Council
from geo.figures import figure_text


def _documented(council: Council, key: str) -> str:
    """A council figure as text with its year and whether it is assumed ("—" when the council gives none)."""
    figure = council.figures.get(key)
    if figure is None:
        return "—"
    year = f" ({figure.year})" if figure.year and not isinstance(figure.value, dict) else ""
    return figure_text(figure) + year + (" — assumption" if figure.is_assumption else "")


def documents_totals_table(beside: DocumentsBeside, council: Council) -> pd.DataFrame:
    """What the council's documents say (homes, beds, need, nursing share, dementia) beside what the loaded homes
    give, one row per figure, as text."""
    supply, settings, totals = beside.council, beside.settings, beside.totals.table.set_index("key")
    everything = supply["homes"] + supply["other_homes"]
    all_beds = supply["beds"] + supply["other_beds"]
    rows = [("Care homes in the council", _documented(council, "care_homes"),
             f"{number(everything)} ({number(supply['homes'])} registered for older people)",
             council.source("care_homes") if "care_homes" in council.figures else ""),
            ("Beds in those homes", _documented(council, "care_home_beds"),
             f"{beds_text(all_beds, supply['beds_assumed'])}; {number(supply['beds'])} in homes for older people",
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


def documents_year_table(beside: DocumentsBeside, *, as_text: bool = True) -> pd.DataFrame:
    """The council's need by year beside the usable beds of the loaded homes for older people and, where documented,
    its own bed total (less the same share kept free; say which total it is beside the table:
    :attr:`analyses.need_and_supply.TotalsCheck.documented_beds_what`)."""
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


def documents_area_table(beside: DocumentsBeside, label: str = "Locality", *, as_text: bool = True) -> pd.DataFrame:
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
