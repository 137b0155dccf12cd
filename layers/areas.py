"""Sub-locality boundaries: LSOA 2021, MSOA 2021, electoral wards, and the council outline.

All layers are GeoDataFrames in British National Grid (EPSG:27700).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.council import Council
from layers.io import read_layer

AREA_LEVELS: dict[str, str] = {
    "lsoa21_code": "LSOA 2021",
    "msoa21_code": "MSOA 2021",
    "ward22_code": "Ward (2022)",
    "lad_code": "District",
    "locality_name": "PCN locality",
}
"""Every area level the tool reports by: the column holding an area's code (in the LSOA, postcode and result
tables) -> its display name. Districts apply to two-tier councils only (see :func:`area_levels`)."""


DERIVED_LEVELS: dict[str, str] = {
    "msoa21_code": "MSOA 2021 (from LSOAs)",
    "ward22_code": "Ward (May 2024, from LSOAs)",
}
"""Names of the levels a council set up from the national data has in a derived form (:mod:`layers.cut`): MSOAs and
wards dissolved from LSOAs, wards of May 2024."""


def area_levels(council: Council, *columns: str) -> dict[str, str]:
    """The area levels for a council, in the order asked (all of :data:`AREA_LEVELS` when none is named);
    ``lad_code`` (district) only for a two-tier council, whose documents report by district. A council set up from
    the national data names its derived levels so (:data:`DERIVED_LEVELS`)."""
    wanted = columns or tuple(AREA_LEVELS)
    names = AREA_LEVELS if council.bundled else {**AREA_LEVELS, **DERIVED_LEVELS}
    return {column: names[column] for column in wanted if column != "lad_code" or council.two_tier}


def lsoa21(council: Council) -> gpd.GeoDataFrame:
    """LSOA 2021 polygons of a council.

    Returns
    -------
    GeoDataFrame
        Columns ``lsoa21_code``, ``lsoa21_name``, ``ward24_code``, ``ward24_name`` (best-fit May 2024
        ward), ``lad_code``, ``lad_name``, ``msoa21_code``, ``msoa21_name``, ``geometry``; one row per LSOA,
        sorted by code.
    """
    frame = read_layer("lsoa21", council, ["lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name",
                                                   "ltla24_code", "ltla24_name"])
    frame = frame.rename(columns={"ltla24_code": "lad_code", "ltla24_name": "lad_name"})
    frame = frame[frame["lad_code"].isin(council.lad_codes)]
    # An MSOA is named after its LSOAs without the final letter ("Herefordshire 012A" is in "Herefordshire 012").
    msoa = msoa21(council)[["msoa21_code", "msoa21_name"]]
    frame["msoa21_name"] = frame["lsoa21_name"].str[:-1]
    frame = frame.merge(msoa, on="msoa21_name", how="left")
    columns = ["lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name", "lad_code", "lad_name",
               "msoa21_code", "msoa21_name", "geometry"]
    return gpd.GeoDataFrame(frame[columns], crs=frame.crs).sort_values("lsoa21_code").reset_index(drop=True)


def msoa21(council: Council) -> gpd.GeoDataFrame:
    """MSOA 2021 polygons of a council: ``msoa21_code``, ``msoa21_name``, ``geometry``."""
    frame = read_layer("msoa21", council, ["msoa21_code", "msoa21_name"])
    return frame[["msoa21_code", "msoa21_name", "geometry"]].sort_values("msoa21_code").reset_index(drop=True)


def wards22(council: Council) -> gpd.GeoDataFrame:
    """Electoral ward polygons (December 2022): ``ward22_code``, ``ward22_name``, ``geometry``."""
    frame = read_layer("wards22", council, ["ward22_code", "ward22_name"])
    return frame[["ward22_code", "ward22_name", "geometry"]].sort_values("ward22_code").reset_index(drop=True)


def outline(council: Council) -> gpd.GeoDataFrame:
    """The council area as one polygon: the union of its LSOA 2021 polygons (``name``, ``geometry``)."""
    lsoas = lsoa21(council)
    return gpd.GeoDataFrame({"name": [council.name]}, geometry=[lsoas.union_all()], crs=lsoas.crs)


def districts(lsoas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Local authority districts dissolved from LSOA 2021 polygons: ``lad_code``, ``lad_name``, ``geometry``."""
    dissolved = lsoas[["lad_code", "lad_name", "geometry"]].dissolve(by=["lad_code", "lad_name"], as_index=False)
    return dissolved.sort_values("lad_code").reset_index(drop=True)


def lsoa_to_ward22(lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.Series:
    """Best-fit ward (2022) of each LSOA: the ward containing the LSOA's representative point.

    LSOAs whose point falls in no ward polygon (generalised edges) take the nearest ward.
    Returns a Series of ``ward22_code`` indexed like ``lsoas``.
    """
    points = gpd.GeoDataFrame(geometry=lsoas.representative_point(), crs=lsoas.crs)
    joined = gpd.sjoin_nearest(points, wards[["ward22_code", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["ward22_code"].reindex(lsoas.index)
