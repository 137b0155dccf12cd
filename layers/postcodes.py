"""Postcode centroids (OS Code-Point Open) with the LSOA 2021 each lies in."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.council import Council
from geo.postcode import postcode_keys
from geo.units import BNG
from layers.io import read_table


def postcode_points(council: Council, lsoas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Postcode centroids in the council, each with its LSOA 2021.

    Only postcodes whose district code belongs to the council are kept: postcode areas cross county
    lines (Herefordshire has WR, SY, LD, NP and GL postcodes, and HR postcodes lie in Powys).

    Parameters
    ----------
    council : Council
    lsoas : GeoDataFrame
        The council's LSOA 2021 polygons (:func:`layers.areas.lsoa21`).

    Returns
    -------
    GeoDataFrame
        Columns ``postcode`` (standard form), ``postcode_key`` (no spaces), ``quality`` (Code-Point
        positional quality: 10 = within a building, 50 = approximate), ``district_code``, ``ward_code``,
        ``lsoa21_code``, ``geometry`` (points). LSOA by point-in-polygon; the few points just outside
        the generalised LSOA edges take the nearest LSOA.
    """
    table = read_table("postcodes", council, ["Postcode", "Eastings", "Northings", "Admin_district_code"],
                       dtype={"Postcode": str, "Admin_district_code": str, "Admin_ward_code": str})
    table = table[table["Admin_district_code"].isin(council.lad_codes)]
    points = gpd.GeoDataFrame(
        {
            "postcode": table["Postcode"].str.strip().to_numpy(),
            "postcode_key": postcode_keys(table["Postcode"]).to_numpy(),
            "quality": table["Positional_quality_indicator"].to_numpy(),
            "district_code": table["Admin_district_code"].to_numpy(),
            "ward_code": table["Admin_ward_code"].to_numpy(),
        },
        geometry=gpd.points_from_xy(table["Eastings"].astype(float), table["Northings"].astype(float)),
        crs=BNG,
    )
    return points.assign(lsoa21_code=assign_lsoa(points, lsoas)).reset_index(drop=True)


def postcode_index(postcodes: pd.DataFrame) -> pd.Series:
    """Position of each postcode in ``postcodes``, looked up by its key (``"HR12JB"``)."""
    index = pd.Series(np.arange(len(postcodes)), index=postcodes["postcode_key"].to_numpy())
    return index[~index.index.duplicated()]


def assign_lsoa(points: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame) -> pd.Series:
    """LSOA 2021 code of each point: containing polygon, else the nearest one."""
    polygons = lsoas[["lsoa21_code", "geometry"]]
    inside = gpd.sjoin(points[["geometry"]], polygons, how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]["lsoa21_code"]
    missing = inside.isna()
    if missing.any():
        nearest = gpd.sjoin_nearest(points.loc[missing[missing].index, ["geometry"]], polygons, how="left")
        nearest = nearest[~nearest.index.duplicated(keep="first")]["lsoa21_code"]
        inside = inside.fillna(nearest)
    return inside.reindex(points.index)


POPULATION_SPREAD = ("Each LSOA's people are shared equally among its postcodes (Code-Point Open has no household "
                     "counts).")


def postcode_population(postcodes: pd.DataFrame, lsoa: pd.DataFrame,
                        columns: tuple[str, ...] = ("pop_65plus",)) -> pd.DataFrame:
    """People at each postcode: each LSOA's counts shared equally among its postcodes (see :data:`POPULATION_SPREAD`).

    Returns a DataFrame indexed like ``postcodes`` with the given population columns (fractional people);
    every LSOA total is preserved.
    """
    per_lsoa = lsoa.set_index("lsoa21_code")
    count = postcodes.groupby("lsoa21_code")["lsoa21_code"].transform("size")
    return pd.DataFrame({column: postcodes["lsoa21_code"].map(per_lsoa[column]) / count for column in columns},
                        index=postcodes.index)
