"""Sub-locality tables for choropleths: LSOA, MSOA or ward, with population and rurality."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.errors import InputDataError
from layers.council_data import CouncilData

MEASURES = {
    "pct_65plus": "% aged 65+",
    "pct_85plus": "% aged 85+",
    "pop_65plus": "People aged 65+",
    "pop_total": "Population (all ages)",
    "ruc": "Rural-urban class (2021)",
}
"""Choropleth measures the Explore page offers, with display names."""


def _rural_share(lsoa: pd.DataFrame, key: str) -> pd.Series:
    rural_people = lsoa["pop_total"].where(lsoa["is_rural"], 0)
    return 100.0 * rural_people.groupby(lsoa[key]).sum() / lsoa.groupby(key)["pop_total"].sum()


def sublocality_layer(data: CouncilData, level: str) -> gpd.GeoDataFrame:
    """Polygons of one sub-locality level with population and rural-urban columns.

    Parameters
    ----------
    data : CouncilData
    level : {"lsoa21_code", "msoa21_code", "ward22_code", "lad_code"}
        The level's code column (see :data:`layers.areas.AREA_LEVELS`).

    Returns
    -------
    GeoDataFrame
        Columns ``code``, ``name``, ``pop_total``, ``pop_65plus``, ``pop_75plus``, ``pop_85plus``,
        ``pct_65plus``, ``pct_85plus``, ``pct_rural_pop`` (percent of people living in rural LSOAs),
        ``ruc`` (the LSOA's class, or "Mainly rural"/"Mainly urban"/"Mixed" above LSOA level),
        ``locality_name`` and ``geometry``.
    """
    lsoa = data.lsoa
    if level == "lsoa21_code":
        frame = lsoa.rename(columns={"lsoa21_code": "code", "area_name": "name", "ruc21_name": "ruc"})
        frame["pct_rural_pop"] = 100.0 * frame["is_rural"].astype(float)
    elif level in ("msoa21_code", "ward22_code", "lad_code"):
        key = level
        polygons = {"msoa21_code": data.msoa, "ward22_code": data.wards, "lad_code": data.districts}[level]
        frame = polygons.rename(columns={key: "code", ("area_name" if level == "msoa21_code" else f"{key[:-5]}_name"):
                                         "name"})
        frame["pct_rural_pop"] = frame["code"].map(_rural_share(lsoa, key))
        frame["ruc"] = pd.cut(frame["pct_rural_pop"], [-1, 33.3, 66.7, 101],
                              labels=["Mainly urban", "Mixed", "Mainly rural"]).astype(str)
        # Locality of the sub-locality: the one holding most of its people.
        people = lsoa.groupby([key, "locality_name"])["pop_total"].sum().reset_index()
        main = people.sort_values("pop_total").drop_duplicates(key, keep="last").set_index(key)["locality_name"]
        frame["locality_name"] = frame["code"].map(main)
    else:
        raise InputDataError(f"Unknown sub-locality level {level!r}; use one of 'lsoa21_code', 'msoa21_code', "
                         f"'ward22_code', 'lad_code'.")
    columns = ["code", "name", "pop_total", "pop_65plus", "pop_75plus", "pop_85plus", "pct_65plus", "pct_85plus",
               "pct_rural_pop", "ruc", "locality_name", "geometry"]
    return gpd.GeoDataFrame(frame[columns], crs=lsoa.crs).reset_index(drop=True)
