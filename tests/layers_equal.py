"""Comparing a council's layers cut from the national data with its bundled ones, as the national-pack tests do."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def same_frame(cut_frame: pd.DataFrame, bundled: pd.DataFrame, *, drop=(), tolerance_m: float = 0.0) -> None:
    """Equal columns (those of ``bundled`` but ``drop``) and, for a GeoDataFrame, equal shapes (within
    ``tolerance_m`` metres when given: one shape may be a single-part MultiPolygon, the other its Polygon)."""
    columns = [column for column in bundled.columns if column not in drop]
    left, right = cut_frame[columns].reset_index(drop=True), bundled[columns].reset_index(drop=True)
    if isinstance(bundled, gpd.GeoDataFrame):
        if tolerance_m:
            assert (left.geometry.hausdorff_distance(right.geometry, align=False) <= tolerance_m).all()
        else:
            assert left.geometry.geom_equals_exact(right.geometry, tolerance=0).all()
        left, right = left.drop(columns="geometry"), right.drop(columns="geometry")
    pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right), check_dtype=False)


def same_layers(data, bundled, *, tolerance_m: float = 0.0) -> None:
    """A council's layers (:class:`layers.council_data.CouncilData`) equal to its bundled ones: areas, people,
    postcodes, practices, PCN localities, districts and outline. MSOA codes and 2022 wards are not national (a cut
    derives them from the LSOAs), and no national hospital list is held (the layer is empty, not an error)."""
    same_frame(data.lsoa, bundled.lsoa, drop=("msoa21_code", "ward22_code"), tolerance_m=tolerance_m)
    same_frame(data.population_by_age, bundled.population_by_age)
    same_frame(data.postcodes, bundled.postcodes)
    same_frame(data.practices, bundled.practices)
    same_frame(data.localities, bundled.localities, tolerance_m=tolerance_m)
    same_frame(data.pcn_localities, bundled.pcn_localities, tolerance_m=tolerance_m)
    same_frame(data.districts, bundled.districts, tolerance_m=tolerance_m)
    assert data.outline.geometry.iloc[0].hausdorff_distance(bundled.outline.geometry.iloc[0]) <= tolerance_m
    assert data.hospitals.empty
