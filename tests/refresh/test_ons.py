"""ONS ArcGIS adapters against the stand-in: paging with and without exceededTransferLimit, an error body with
HTTP 200, a moved service (404), a renamed column, and Rutland's pack rows reproduced."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import shape

from layers.refresh.errors import PublisherError, SourceCheckFailed
from layers.refresh.sources.ons import BoundariesSource, LookupsSource, RuralUrbanSource
from tests.refresh.publishers import FIXTURE_OF, PACK, pack_csv
from tests.refresh.standin import Reply


def _same(table: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(table.reset_index(drop=True).astype(str), expected.reset_index(drop=True),
                                  check_dtype=False)


def test_lookups_are_paged_to_the_services_count_and_reproduce_the_pack(publishers, context):
    release = LookupsSource().download(context)
    converted = LookupsSource().convert(release, context)
    for name in LookupsSource.tables:
        _same(converted.tables[name], pack_csv(FIXTURE_OF[name]))
    # 26 LSOAs at 10 a page: three pages, the flag on the first two only; the fourth service's Welsh row is not asked
    assert [entry["counts"]["features"] for entry in release.manifest["files"]
            if entry["role"] == "lookup_lsoa21_ward24_ltla24"] == [10, 10, 6]
    assert "LSOA21_WD24_LAD24_EW_LU (last edited 2024-04-24)" in converted.vintages["lookup_lsoa21_ward24_ltla24"]


def test_paging_does_not_need_the_exceeded_flag(publishers, context):
    for service in publishers.services.values():
        service.flag, service.max_records = "never", 7
    release = LookupsSource().download(context)
    _same(LookupsSource().convert(release, context).tables["lookup_lsoa21_ward24_ltla24"],
          pack_csv("lookup_lsoa21_ward24_ltla24"))


def test_an_error_body_with_http_200_is_an_error(publishers, context):
    publishers.server.script("/arcgis/rest/services/LSOA21_WD24_LAD24_EW_LU/FeatureServer/0/query", [
        None, Reply(200, b'{"error":{"code":400,"message":"Unable to complete operation.","details":["Invalid query"]}}',
                    {"Content-Type": "application/json"})])
    with pytest.raises(PublisherError, match="answered an error .with HTTP 200. for page 1: 400 Unable to complete"):
        LookupsSource().download(context)


def test_a_moved_service_is_found_under_its_new_name(publishers, context):
    old = publishers.services["Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4"]
    old.hidden = True
    publishers.arcgis.add("Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V5",
                          type(old)(old.rows, old.geometries))
    LookupsSource().convert(LookupsSource().download(context), context)  # the lookup is needed by the boundaries
    context.made["lookup_lsoa21_ward24_ltla24"] = pack_csv("lookup_lsoa21_ward24_ltla24")
    release = BoundariesSource().download(context)
    assert release.manifest["notes"] == ["Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4 has moved: "
                                         "read Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V5 instead."]
    converted = BoundariesSource().convert(release, context)
    lsoas = converted.tables["lsoa21_boundaries"]
    expected = json.loads((PACK / "lsoa21_bsc_england.geojson").read_text())["features"]
    assert list(lsoas.columns) == ["lsoa21_code", "lsoa21_name", "geometry"]
    assert lsoas.drop(columns="geometry").astype(str).to_dict("records") == [
        {"lsoa21_code": f["properties"]["lsoa21_code"], "lsoa21_name": f["properties"]["lsoa21_name"]} for f in expected]
    assert all(a.equals_exact(shape(f["geometry"]), 0) for a, f in zip(lsoas.geometry, expected))
    assert isinstance(converted.tables["lad24_boundaries"], gpd.GeoDataFrame)


def test_a_service_with_no_successor_says_what_was_looked_for(publishers, context):
    publishers.services["LSOA21_RUC21_EW_LU"].hidden = True
    with pytest.raises(PublisherError, match="lists no service like"):
        RuralUrbanSource().download(context)


def test_a_renamed_column_is_fatal_and_named(publishers, context):
    service = publishers.services["LSOA21_RUC21_EW_LU"]
    service.rows = [{("RUC21_CODE" if key == "RUC21CD" else key): value for key, value in row.items()}
                    for row in service.rows]
    with pytest.raises(SourceCheckFailed, match=r"lacks the column ruc21_code \('RUC21CD'\)"):
        RuralUrbanSource().download(context)
