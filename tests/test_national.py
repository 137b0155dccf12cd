"""The national pack: cutting Herefordshire and Rutland from it gives their bundled layers; any council's cut holds
together; refusals and a damaged pack say why."""

from __future__ import annotations

import dataclasses
import filecmp

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.council import load_council
from geo.errors import DataFileError, UnknownCouncilError
from geo.settings import settings
from layers import national, social_care
from layers.council_data import load_council_data
from layers.cut import NationalPack, cut_council
from tests.layers_equal import same_frame, same_layers

WELSH_PRACTICES_NEAR_HEREFORDSHIRE = 10
"""Surgeries in Wales within 15 km of Herefordshire: in the bundled border file, but not locatable from the pack's
Code-Point Open, which covers England only."""


@pytest.fixture(scope="module")
def pack():
    return NationalPack()


@pytest.fixture(scope="module")
def cut(pack, tmp_path_factory):
    """Herefordshire and Rutland cut from the pack, loaded with their bundled settings but the cut files."""
    folder = tmp_path_factory.mktemp("cut")
    loaded = {}
    for slug in ("herefordshire", "rutland"):
        summary = cut_council(social_care.find_social_care_council(slug, pack.councils), pack, folder)
        council = dataclasses.replace(load_council(slug), data_folder=folder, bundled=False)
        loaded[slug] = (summary, load_council_data(council))
    return folder, loaded


@pytest.mark.parametrize("slug, tolerance_m", [("herefordshire", 0.0), ("rutland", 0.15)])
def test_cutting_a_bundled_council_from_the_pack_gives_its_bundled_layers(cut, request, slug, tolerance_m):
    # Rutland's bundled boundaries are full precision; the pack's (as the source) are rounded to 6 decimals.
    bundled = request.getfixturevalue(slug)
    _, data = cut[1][slug]
    same_layers(data, bundled, tolerance_m=tolerance_m)  # MSOAs and 2022 wards derived from the LSOAs: tested below


def test_herefordshires_files_are_byte_for_byte_the_bundled_ones(cut):
    folder = cut[0]
    for path in ("boundaries/herefordshire/lsoa21.geojson", "boundaries/herefordshire/lad24.geojson",
                 "tables/herefordshire/postcodes.csv", "tables/herefordshire/population_mid2020_lsoa11_syoa.csv",
                 "tables/herefordshire/lookup_lsoa11_lsoa21.csv", "tables/herefordshire/ruc21_lsoa21.csv",
                 "tables/rutland/places.csv", "tables/rutland/postcodes.csv"):
        assert filecmp.cmp(folder / path, settings.data_folder / path, shallow=False), path


def test_rutlands_full_precision_boundaries_equal_the_cut_after_rounding_to_6_decimals(cut):
    for path in ("boundaries/rutland/lsoa21.geojson", "boundaries/rutland/lad24.geojson"):
        bundled = gpd.read_file(settings.data_folder / path)
        rounded = shapely.transform(bundled.geometry.explode().to_numpy(), lambda xy: np.round(xy, 6))
        cut_parts = gpd.read_file(cut[0] / path).geometry.explode().to_numpy()
        # Same parts and vertices; a coordinate ending in 5 at the seventh decimal may round either way (1e-6° on each axis).
        assert len(rounded) == len(cut_parts) and shapely.equals_exact(rounded, cut_parts, tolerance=1.5e-6).all(), path


def test_places_and_border_practices_differ_only_where_the_pack_says_why(cut, herefordshire, rutland):
    _, hereford = cut[1]["herefordshire"]
    # Places are cut by the LSOA they lie in: High Lane (a hamlet named "County of Herefordshire") lies in Malvern Hills.
    assert set(herefordshire.places["name"]) - set(hereford.places["name"]) == {"High Lane"}
    same_frame(cut[1]["rutland"][1].places, rutland.places)
    listed = pd.read_csv(settings.data_folder / "tables/herefordshire/gp_practices_border15km.csv", dtype=str)
    in_wales = set(listed.loc[listed["Admin_district_code"].str.startswith("W"), "practice_code"])
    assert len(in_wales) == WELSH_PRACTICES_NEAR_HEREFORDSHIRE
    english = herefordshire.border_practices[~herefordshire.border_practices["practice_code"].isin(in_wales)]
    same_frame(hereford.border_practices, english)
    border = cut[1]["rutland"][1].border_practices
    same_frame(border, rutland.border_practices, drop=("distance_to_boundary_m",))
    assert (border["distance_to_boundary_m"] - rutland.border_practices["distance_to_boundary_m"]).abs().max() <= 1


def test_derived_msoas_and_wards_have_the_bundled_names_and_cover_the_council(cut, herefordshire):
    _, data = cut[1]["herefordshire"]
    assert sorted(data.msoa["msoa21_name"]) == sorted(herefordshire.msoa["msoa21_name"])
    assert (data.msoa["msoa21_code"] == data.msoa["msoa21_name"]).all()  # no ONS code held: the name is the code
    # Herefordshire's 53 wards were not redrawn between 2022 and 2024: the same codes and names.
    assert sorted(data.wards["ward22_code"]) == sorted(herefordshire.wards["ward22_code"])
    assert (data.lsoa["ward22_code"] == data.lsoa["ward24_code"]).all()
    area = data.outline.area.iloc[0]
    assert abs(data.msoa.area.sum() - area) / area < 1e-6 and abs(data.wards.area.sum() - area) / area < 1e-6


def test_care_homes_inside_and_within_15_km_as_sources_md_counts_them(cut):
    summary, _ = cut[1]["herefordshire"]
    assert (summary.counts["care_homes"], summary.counts["care_home_beds"]) == (88, 2150)
    assert summary.counts["older_people_beds"] == 1970 and summary.counts["care_homes_beyond"] == 160
    homes = pd.read_csv(cut[0] / "tables/herefordshire/cqc_care_homes.csv")
    assert list(homes.columns) == [*national.CQC_COLUMNS, "inside_council", "distance_to_boundary_m"]
    assert (homes.loc[homes["inside_council"], "distance_to_boundary_m"] == 0).all()
    assert homes.loc[~homes["inside_council"], "distance_to_boundary_m"].between(1, 15_000).all()


def test_every_council_of_the_pack_holds_together(pack):
    councils = pack.councils
    assert len(councils) == 153
    assert pd.Series([c.code[:3] for c in councils]).value_counts().to_dict() == {"E06": 63, "E08": 36, "E09": 33,
                                                                                  "E10": 21}
    projected = pack.table("snpp2016_age60plus")["AREA_CODE"].astype(str)
    covered = set(projected.map(pack.district_2024).fillna(projected))
    assert {code for council in councils for code in council.lad_codes} <= covered
    located = set(pack.postcodes["Admin_district_code"])
    assert {"E08000016", "E08000019"} <= located and not {"E08000038", "E08000039"} & located


def test_a_2011_lsoa_split_between_two_councils_is_shared_not_counted_twice(pack, tmp_path):
    # Gateshead 024C (E01008187) became one 2021 LSOA in Gateshead and one in Northumberland.
    from layers.cut import CutSummary, _cut_people

    national_row = pack.table("population_mid2020_lsoa11").set_index("lsoa11_code").loc["E01008187"]
    kept = []
    for name in ("Gateshead", "Northumberland"):
        council = social_care.find_social_care_council(name, pack.councils)
        lsoa = pack.lsoa[pack.lsoa["ltla24_code"].isin(council.lad_codes)]
        summary = CutSummary(council, tmp_path)
        _cut_people(council, pack, tmp_path, lsoa, summary)
        table = pd.read_csv(tmp_path / f"tables/{council.slug}/population_mid2020_lsoa11_syoa.csv").set_index("lsoa11_code")
        kept.append(table.loc["E01008187", "total_population"])
        assert any("E01008187" in note for note in summary.notes)
    assert sum(kept) == national_row["total_population"] and min(kept) > 0


@pytest.mark.parametrize("name, code", [
    ("Herefordshire", "E06000019"), ("herefordshire, county of", "E06000019"), ("E06000019", "E06000019"),
    ("bristol", "E06000023"), ("Bristol, City of", "E06000023"), ("St Helens", "E08000013"),
    ("kingston upon hull", "E06000010"), ("BRIGHTON & HOVE", "E06000043"),
])
def test_a_council_is_found_by_any_of_its_names(pack, name, code):
    assert social_care.find_social_care_council(name, pack.councils).code == code


@pytest.mark.parametrize("name, words", [
    ("Powys", ["Powys is in Wales", "devolved"]), ("W06000023", ["Wales", "England only"]),
    ("Fife", ["Scotland"]), ("Malvern Hills", ["district council", "set up Worcestershire (E10000034)"]),
    ("E07000235", ["Malvern Hills", "Worcestershire"]), ("Cumbria", ["Cumberland and Westmorland and Furness"]),
    ("Shropshyre", ["Closest names: Shropshire"]), ("Atlantis", ["not one of England's 153", "--available"]),
])
def test_councils_that_cannot_be_set_up_are_refused_with_why(pack, name, words):
    with pytest.raises(UnknownCouncilError) as refused:
        social_care.find_social_care_council(name, pack.councils, pack.table("lookup_lad24_ctyua24"))
    for word in words:
        assert word in str(refused.value)


def test_a_missing_or_damaged_pack_file_is_named_with_the_fix(tmp_path):
    with settings.overridden(data_folder=tmp_path / "nowhere", home=tmp_path / "home"):
        with pytest.raises(DataFileError, match="lookup_lad24_ctyua24.parquet.*missing.*git checkout -- data/national"):
            national.read_pack_table("lookup_lad24_ctyua24")
    refreshed = tmp_path / "home" / "national" / "codepoint_open.parquet"
    refreshed.parent.mkdir(parents=True)
    refreshed.write_bytes(b"PAR1 not really parquet")
    with settings.overridden(home=tmp_path / "home"):
        assert national.table_path("codepoint_open") == refreshed  # a refreshed copy is preferred
        with pytest.raises(DataFileError, match=f"Cannot read .*{refreshed}.*delete {refreshed}"):
            national.read_pack_table("codepoint_open")
        assert national.table_path("epraccur") == national.shipped_path("epraccur")


def test_a_refreshed_table_records_its_vintage(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(national.read_pack_table("lookup_lad24_ctyua24"), preserve_index=False)
    path = tmp_path / "national" / "lookup_lad24_ctyua24.parquet"
    path.parent.mkdir()
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, national.VINTAGE_KEY: b"ONS, May 2026"}),
                   path)
    with settings.overridden(home=tmp_path):
        assert national.table_vintage("lookup_lad24_ctyua24") == "ONS, May 2026"
    assert national.table_vintage("lookup_lad24_ctyua24") == "ONS LAD to CTYUA lookup, December 2024"
