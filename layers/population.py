"""Population by age on LSOA 2021, carried from the mid-2020 estimates on 2011 LSOAs (or, for a council cut from the
current ONS estimates, which are on 2021 LSOAs, read as they are).

The ONS mid-2020 single-year-of-age estimates are published on 2011 LSOAs. The ONS lookup says how
each 2011 LSOA became 2021 LSOAs: unchanged (U), merged (M), split (S) or redrawn (X). A 2011 LSOA
with one 2021 successor gives it all its people; one with several shares its people among them in
proportion to their postcode counts (a proxy for addresses), by largest remainder, so every count
stays a whole number and every total (per 2011 LSOA, per age, per council) is preserved exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.council import Council
from geo.errors import DataFileError
from layers.io import dataset_exists, read_table

AGE_COLUMNS: tuple[str, ...] = tuple([str(age) for age in range(90)] + ["90+"])
"""Single-year-of-age columns of the ONS estimates (0 … 89 and 90+)."""


def _age_from(column: str) -> int:
    return int(column.rstrip("+"))


def apportion_to_lsoa21(counts11: pd.DataFrame, lookup: pd.DataFrame, weights21: pd.Series) -> pd.DataFrame:
    """Carry whole-number counts from 2011 LSOAs to 2021 LSOAs, preserving every total exactly.

    Parameters
    ----------
    counts11 : DataFrame
        Counts (people) indexed by ``lsoa11_code``, one column per category (e.g. single year of age).
    lookup : DataFrame
        Columns ``lsoa11_code`` and ``lsoa21_code``: one row per 2011→2021 pair.
    weights21 : Series
        Non-negative weight of each 2021 LSOA (e.g. postcode count) used to share a split 2011 LSOA.
        Where all successors of a 2011 LSOA weigh zero, they share equally.

    Returns
    -------
    DataFrame
        Integer counts indexed by ``lsoa21_code`` with the columns of ``counts11``.

    Raises
    ------
    DataFileError
        If a 2011 LSOA with people has no 2021 successor in the lookup.
    """
    pairs = lookup[["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    orphans = sorted(set(counts11.index) - set(pairs["lsoa11_code"]))
    if orphans:
        raise DataFileError(
            f"The LSOA 2011→2021 lookup has no successor for {len(orphans)} 2011 LSOA(s) "
            f"({', '.join(orphans[:5])}); the population cannot be carried to 2021 LSOAs."
        )
    pairs = pairs[pairs["lsoa11_code"].isin(counts11.index)].reset_index(drop=True)
    weight = pairs["lsoa21_code"].map(weights21).fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
    group = pairs.groupby("lsoa11_code")
    total_weight = pd.Series(weight).groupby(pairs["lsoa11_code"]).transform("sum").to_numpy()
    successors = group["lsoa21_code"].transform("size").to_numpy()
    share = np.where(total_weight > 0, weight / np.where(total_weight > 0, total_weight, 1.0), 1.0 / successors)

    source = counts11.loc[pairs["lsoa11_code"]].to_numpy(dtype=float)
    quota = source * share[:, None]
    floors = np.floor(quota + 1e-9)
    remainders = quota - floors
    shortfall = counts11.to_numpy(dtype=float) - pd.DataFrame(floors).groupby(pairs["lsoa11_code"]).sum().reindex(
        counts11.index
    ).to_numpy()
    shortfall_per_pair = pd.DataFrame(shortfall, index=counts11.index).loc[pairs["lsoa11_code"]].to_numpy()
    # Within each 2011 LSOA and column, the pairs with the largest remainders get the leftover people.
    rank = (
        pd.DataFrame(-remainders)
        .assign(_key=pairs["lsoa11_code"].to_numpy(), _order=np.arange(len(pairs)))
        .groupby("_key")
        .rank(method="first")
        .drop(columns="_order")
        .to_numpy()
    )
    apportioned = floors + (rank <= np.round(shortfall_per_pair)).astype(float)
    result = pd.DataFrame(apportioned, columns=counts11.columns).groupby(pairs["lsoa21_code"].to_numpy()).sum()
    result.index.name = "lsoa21_code"
    return result.round().astype("int64")


def population_lsoa11(council: Council) -> pd.DataFrame:
    """Mid-2020 persons by single year of age on 2011 LSOAs, indexed by ``lsoa11_code``."""
    table = read_table("population", council, ["lsoa11_code", "total_population", *AGE_COLUMNS])
    return table.set_index("lsoa11_code")[list(AGE_COLUMNS)].astype("int64")


def population_lsoa21(council: Council, postcode_counts: pd.Series) -> pd.DataFrame:
    """Population of each LSOA 2021 by single year of age: the council's estimates on 2021 LSOAs when it has them
    (``population_lsoa21`` of the catalog, cut from the current ONS estimates), else the mid-2020 estimates carried
    from 2011 LSOAs.

    Parameters
    ----------
    council : Council
    postcode_counts : Series
        Number of postcodes in each LSOA 2021 (indexed by ``lsoa21_code``), used to share split LSOAs.

    Returns
    -------
    DataFrame
        Indexed by ``lsoa21_code``; integer columns ``0`` … ``89``, ``90+``.
    """
    if dataset_exists("population_lsoa21", council):
        table = read_table("population_lsoa21", council, ["lsoa21_code", "total_population", *AGE_COLUMNS])
        return table.set_index("lsoa21_code")[list(AGE_COLUMNS)].astype("int64")
    lookup = read_table("lsoa_lookup", council, ["lsoa11_code", "lsoa21_code", "change_code"])
    return apportion_to_lsoa21(population_lsoa11(council), lookup, postcode_counts)


def age_summary(by_age: pd.DataFrame) -> pd.DataFrame:
    """Totals and older-age groups from single-year-of-age counts.

    Returns
    -------
    DataFrame
        Same index; columns ``pop_total``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus`` (people) and
        ``pct_65plus``, ``pct_85plus`` (percent of ``pop_total``; NaN where nobody lives).
    """
    ages = np.array([_age_from(column) for column in by_age.columns])
    summary = pd.DataFrame(index=by_age.index)
    summary["pop_total"] = by_age.sum(axis=1)
    for threshold in (65, 75, 85):
        summary[f"pop_{threshold}plus"] = by_age.loc[:, ages >= threshold].sum(axis=1)
    total = summary["pop_total"].where(summary["pop_total"] > 0)
    summary["pct_65plus"] = 100.0 * summary["pop_65plus"] / total
    summary["pct_85plus"] = 100.0 * summary["pop_85plus"] / total
    return summary
