"""Figures from the bundled data: population, PCNs, settlements, localities, hospitals."""

import shutil

import numpy as np
import pandas as pd
import pytest

from geo.council import load_council
from geo.errors import DataFileError
from geo.settings import settings
from geo.units import BNG
from layers.population import AGE_COLUMNS, apportion_to_lsoa21
from layers.sublocalities import sublocality_layer


def test_herefordshire_population_matches_ons_totals(herefordshire):
    totals = herefordshire.lsoa[["pop_total", "pop_65plus", "pop_85plus"]].sum()
    assert totals.to_dict() == {"pop_total": 193_615, "pop_65plus": 48_458, "pop_85plus": 6_463}
    assert len(herefordshire.lsoa) == 117


@pytest.mark.parametrize("slug", ["herefordshire", "rutland", "worcestershire", "hertfordshire"])
def test_carrying_to_2021_lsoas_preserves_every_age_total(all_councils, slug):
    raw = pd.read_csv(settings.data_folder / f"tables/{slug}/population_mid2020_lsoa11_syoa.csv")
    carried = all_councils[slug].population_by_age
    assert (carried[list(AGE_COLUMNS)].sum() == raw[list(AGE_COLUMNS)].sum()).all()
    assert carried.to_numpy().sum() == raw["total_population"].sum()
    assert set(carried.index) == set(all_councils[slug].lsoa["lsoa21_code"])


def test_rutland_figures(rutland):
    totals = rutland.lsoa[["pop_total", "pop_65plus", "pop_85plus"]].sum()
    assert totals.to_dict() == {"pop_total": 40_476, "pop_65plus": 10_345, "pop_85plus": 1_450}
    assert len(rutland.lsoa) == 26 and len(rutland.postcodes) == 1_274
    assert list(rutland.places.query("kind in ['city', 'town']")["name"]) == ["Oakham", "Uppingham"]


def test_split_lsoa_is_shared_by_postcode_count_in_whole_people():
    counts = pd.DataFrame({"65": [10, 7], "66": [3, 0]}, index=pd.Index(["A11", "B11"], name="lsoa11_code"))
    lookup = pd.DataFrame({"lsoa11_code": ["A11", "A11", "A11", "B11"], "lsoa21_code": ["A1", "A2", "A3", "B1"]})
    weights = pd.Series({"A1": 1, "A2": 1, "A3": 1, "B1": 5})
    result = apportion_to_lsoa21(counts, lookup, weights)
    # 10 people over three equal successors: 3.33 each, the one spare person to the first.
    assert result.loc[["A1", "A2", "A3"], "65"].tolist() == [4, 3, 3]
    assert result.loc[["A1", "A2", "A3"], "66"].tolist() == [1, 1, 1]
    assert result.loc["B1"].tolist() == [7, 0]
    assert result.to_numpy().sum() == counts.to_numpy().sum()


def test_split_lsoa_with_unequal_weights():
    counts = pd.DataFrame({"all": [100]}, index=pd.Index(["A11"], name="lsoa11_code"))
    lookup = pd.DataFrame({"lsoa11_code": ["A11", "A11"], "lsoa21_code": ["A1", "A2"]})
    result = apportion_to_lsoa21(counts, lookup, pd.Series({"A1": 30, "A2": 10}))
    assert result["all"].to_dict() == {"A1": 75, "A2": 25}


def test_lsoa_without_successor_is_an_error():
    counts = pd.DataFrame({"all": [5]}, index=pd.Index(["Z11"], name="lsoa11_code"))
    with pytest.raises(DataFileError, match="no successor for 1 2011 LSOA"):
        apportion_to_lsoa21(counts, pd.DataFrame({"lsoa11_code": [], "lsoa21_code": []}), pd.Series(dtype=float))


def test_herefordshire_has_five_pcns_of_nineteen_practices(herefordshire):
    practices = herefordshire.practices
    assert len(practices) == 19 and practices["pcn_code"].nunique() == 5
    # Tenbury Surgery is in Worcestershire but belongs to North & West Herefordshire PCN.
    tenbury = practices.set_index("practice_code").loc["M81042"]
    assert not tenbury["in_council"] and tenbury["pcn_code"] == "U38064"


def test_city_and_five_market_towns(herefordshire):
    towns = herefordshire.places.query("kind in ['city', 'town']")
    assert towns.loc[towns["kind"] == "city", "name"].tolist() == ["Hereford"]
    assert sorted(towns.loc[towns["kind"] == "town", "name"]) == ["Bromyard", "Kington", "Ledbury", "Leominster",
                                                                   "Ross-on-Wye"]
    assert set(load_council("herefordshire").fee_zone_centres) == set(towns["name"])


@pytest.mark.parametrize("slug", ["herefordshire", "rutland", "worcestershire", "hertfordshire"])
def test_every_lsoa_is_in_exactly_one_locality(all_councils, slug):
    data = all_councils[slug]
    for merged in (True, False):
        localities = data.localities_layer(merged)
        assert localities["n_lsoa"].sum() == len(data.lsoa)
        assert localities["pop_total"].sum() == data.lsoa["pop_total"].sum()
        points = data.lsoa.representative_point()
        containing = np.array([localities.contains(point).sum() for point in points])
        assert (containing == 1).all()
        overlap = localities.geometry.area.sum() - localities.union_all().area
        assert overlap < 1.0  # square metres


def test_herefordshire_four_localities_when_city_pcns_merge(herefordshire):
    merged = herefordshire.localities_layer(True)
    assert sorted(merged["locality_name"]) == ["East Herefordshire PCN", "Hereford City",
                                               "North & West Herefordshire PCN", "South & West Herefordshire PCN"]
    assert len(herefordshire.localities_layer(False)) == 5
    city = merged.set_index("locality_name").loc["Hereford City"]
    assert city["pcn_codes"] == "U50083+U65562"


def test_layers_are_in_british_national_grid(herefordshire):
    for layer in [herefordshire.lsoa, herefordshire.msoa, herefordshire.wards, herefordshire.postcodes,
                  herefordshire.places, herefordshire.practices, herefordshire.hospitals, herefordshire.localities]:
        assert layer.crs.to_string() == BNG


def test_postcodes_are_filtered_by_district_and_all_have_an_lsoa(herefordshire):
    postcodes = herefordshire.postcodes
    assert len(postcodes) == 6_829
    assert postcodes["lsoa21_code"].notna().all()
    assert set(postcodes["district_code"]) == {"E06000019"}
    assert postcodes["postcode"].str.startswith("WR").sum() == 327


def test_hospital_aliases_are_one_site(herefordshire):
    hospitals = herefordshire.hospitals.set_index("name")
    assert len(hospitals) == 13
    assert "Wye Valley Hospital" in hospitals.loc["Hereford County Hospital", "aliases"]
    # Hereford County, Ross, Bromyard, Ledbury and Leominster are in the county.
    assert hospitals["within_area"].sum() == 5


@pytest.mark.parametrize("level, count", [("lsoa21_code", 117), ("msoa21_code", 23), ("ward22_code", 53), ("lad_code", 1)])
def test_sublocality_levels_keep_the_county_total(herefordshire, level, count):
    layer = sublocality_layer(herefordshire, level)
    assert len(layer) == count
    assert layer["pop_total"].sum() == 193_615
    assert layer["pct_65plus"].between(0, 100).all()


def test_rural_urban_class_counts(herefordshire):
    assert herefordshire.lsoa["is_rural"].sum() == 62


def test_missing_data_file_names_the_file_and_its_source(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(settings.data_folder / "boundaries" / "rutland", copy / "boundaries" / "rutland")
    monkeypatch.setenv("CAREMAP_DATA_DIR", str(copy))
    from layers import io

    with pytest.raises(DataFileError, match=r"msoa21\.geojson \(MSOA 2021 boundaries; source: ONS"):
        (copy / "boundaries/rutland/msoa21.geojson").unlink()
        io.read_layer("msoa21", load_council("rutland"), data_dir=copy)


def test_unreadable_data_file_is_reported(tmp_path):
    from layers import io

    broken = tmp_path / "boundaries" / "rutland"
    broken.mkdir(parents=True)
    (broken / "lsoa21.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError, match="Cannot read .*lsoa21.geojson .*Restore the data folder"):
        io.read_layer("lsoa21", load_council("rutland"), data_dir=tmp_path)
    (broken / "wards22.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(DataFileError, match="holds no geometries"):
        io.read_layer("wards22", load_council("rutland"), data_dir=tmp_path)
