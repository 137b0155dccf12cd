"""Settlements (OS Open Names populated places): city, towns, villages, hamlets."""

from __future__ import annotations

import geopandas as gpd

from geo.council import Council
from geo.units import BNG
from layers.io import read_table

KINDS = {
    "City": "city",
    "Town": "town",
    "Village": "village",
    "Hamlet": "hamlet",
    "Suburban Area": "suburb",
    "Other Settlement": "other",
}


def settlements(council: Council) -> gpd.GeoDataFrame:
    """Named settlements of a council.

    Returns
    -------
    GeoDataFrame
        Columns ``place_id``, ``name``, ``kind`` (city, town, village, hamlet, suburb, other),
        ``postcode_district``, ``xmin``, ``ymin``, ``xmax``, ``ymax`` (bounding box of the named
        place, metres BNG) and ``geometry`` (the OS Open Names point), sorted by kind then name.
    """
    table = read_table("places", council, ["ID", "NAME1", "LOCAL_TYPE", "X", "Y", "MBRXMIN", "MBRYMIN",
                                                "MBRXMAX", "MBRYMAX"])
    frame = gpd.GeoDataFrame(
        {
            "place_id": table["ID"],
            "name": table["NAME1"],
            "kind": table["LOCAL_TYPE"].map(KINDS).fillna("other"),
            "postcode_district": table.get("POSTCODE_DISTRICT"),
            "xmin": table["MBRXMIN"].astype(float),
            "ymin": table["MBRYMIN"].astype(float),
            "xmax": table["MBRXMAX"].astype(float),
            "ymax": table["MBRYMAX"].astype(float),
        },
        geometry=gpd.points_from_xy(table["X"].astype(float), table["Y"].astype(float)),
        crs=BNG,
    )
    order = {kind: rank for rank, kind in enumerate(KINDS.values())}
    frame = frame.sort_values(["kind", "name"], key=lambda column: column.map(order) if column.name == "kind" else column)
    return frame.reset_index(drop=True)
