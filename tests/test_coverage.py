"""Care-home coverage: E2SFCA against a hand computation and PySAL access, beds per 1,000, projections,
MCLP against brute force, and reading care-home files."""

import numpy as np
import pandas as pd
import pytest

from analyses import coverage as cv
from layers.care_homes import care_homes_from_osm, read_care_homes
from layers.catalog import DATA_DIR
from routing.engine import EstimateEngine


def test_two_step_fca_by_hand():
    # Two homes (10 and 20 beds), three villages of 100, 200 and 100 people, one 10-minute band.
    cost = np.array([[5.0, 50.0], [5.0, 5.0], [50.0, 5.0]])
    access = cv.e2sfca(cost, np.array([100.0, 200.0, 100.0]), np.array([10.0, 20.0]), {10.0: 1.0})
    # Home A reaches 300 people: 10/300 a head. Home B reaches 300: 20/300.
    np.testing.assert_allclose(access, [10 / 300, 10 / 300 + 20 / 300, 20 / 300])
    # Every bed is shared out: people × access sums to the beds.
    assert (np.array([100.0, 200.0, 100.0]) * access).sum() == pytest.approx(30.0)


def test_weights_follow_the_bands():
    weights = cv.step_weights(np.array([0.0, 10.0, 10.01, 20.0, 29.9, 30.0, 31.0, np.inf]),
                              {10.0: 1.0, 20.0: 0.68, 30.0: 0.22})
    assert weights.tolist() == [1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0, 0.0]


@pytest.fixture(scope="module")
def rutland_homes(rutland):
    return care_homes_from_osm(DATA_DIR / "osm" / "rutland-latest.osm.pbf", outline=rutland.outline,
                               council=rutland.council).homes


def test_rutland_osm_homes_are_real_with_assumed_beds(rutland_homes):
    assert len(rutland_homes) == 9
    assert "Aberdeen House Care Home" in set(rutland_homes["name"])
    assert rutland_homes["beds_assumed"].all() and (rutland_homes["beds"] == 24).all()


def test_e2sfca_equals_pysal_access(rutland, rutland_homes, rutland_engine):
    from access import Access, weights

    people = rutland.postcodes.assign(pop=cv.postcode_population(rutland.postcodes, rutland.lsoa)["pop_65plus"])
    xy = np.column_stack([people.geometry.x, people.geometry.y])
    homes_xy = np.column_stack([rutland_homes.geometry.x, rutland_homes.geometry.y])
    cost = rutland_engine.matrix(xy, homes_xy, cutoff=30, with_other=False).minutes
    ours = cv.e2sfca(cost, people["pop"].to_numpy(), rutland_homes["beds"].to_numpy(),
                     {10.0: 1.0, 20.0: 0.68, 30.0: 0.22})
    origin, dest = np.nonzero(np.isfinite(cost))
    model = Access(
        demand_df=pd.DataFrame({"pop": people["pop"].to_numpy()}, index=pd.Index(np.arange(len(people)), name="id")),
        demand_value="pop",
        supply_df=pd.DataFrame({"beds": rutland_homes["beds"].to_numpy()},
                               index=pd.Index(np.arange(len(rutland_homes)), name="id")),
        supply_value="beds",
        cost_df=pd.DataFrame({"origin": origin, "dest": dest, "minutes": cost[origin, dest]}),
        cost_origin="origin", cost_dest="dest", cost_name="minutes")
    theirs = model.enhanced_two_stage_fca(name="e2sfca", max_cost=30,
                                          weight_fn=weights.step_fn({10: 1, 20: 0.68, 30: 0.22}))
    expected = theirs.iloc[:, 0].reindex(np.arange(len(people))).fillna(0.0).to_numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def rutland_result(rutland, rutland_homes, rutland_engine):
    return cv.measure_coverage(rutland, rutland_homes, rutland_engine, year=2028)


def test_beds_per_thousand_arithmetic(rutland_result):
    council = rutland_result.areas["council"].iloc[0]
    assert council["beds"] == 9 * 24
    assert council["pop_65plus"] == pytest.approx(10_345)
    assert council["beds_per_1000_65"] == pytest.approx(216 / 10_345 * 1000)
    assert council["beds_per_1000_85"] == pytest.approx(216 / 1_450 * 1000)
    localities = rutland_result.areas["locality_name"]
    assert localities["beds"].sum() == 216 and localities["pop_85plus"].sum() == pytest.approx(1_450)


def test_shares_within_reach_rise_with_the_threshold(rutland_result):
    council = rutland_result.areas["council"].iloc[0]
    assert council["pct65_within_10"] <= council["pct65_within_20"] <= council["pct65_within_30"] <= 100.0
    lsoa = rutland_result.areas["lsoa21_code"]
    assert lsoa["pop_65plus"].sum() == pytest.approx(10_345)
    # Spreading people over postcodes keeps every LSOA's 65+ count.
    assert (lsoa["pop_65plus"].round(6) == lsoa["pop_65plus"].round()).all()


def test_projection_and_shortfall(herefordshire, rutland_result):
    settings = cv.CoverageSettings.for_council(herefordshire.council)
    assert settings.growth_factor(2028) == pytest.approx(2000 / 1550)
    assert settings.growth_factor(2038) == pytest.approx(2650 / 1550)
    assert settings.growth_factor(2023) == pytest.approx((1 + 2000 / 1550) / 2)
    demand, source = cv.bed_demand(2038, settings)
    assert demand == pytest.approx(2_650) and "2,650" in source
    council = rutland_result.areas["council"].iloc[0]
    rutland_base = 1550 / 48458 * 10_345
    assert council["bed_demand"] == pytest.approx(rutland_base * 2000 / 1550, rel=1e-3)  # the settings round it
    assert council["shortfall"] == pytest.approx(council["bed_demand"] - 216 * (1 - 0.045))


def test_gaps_are_ranked_by_people_weighted_deficit(rutland_result):
    lsoa = rutland_result.areas["lsoa21_code"]
    gaps = cv.rank_gaps(lsoa, growth=1.29, top=5)
    assert list(gaps["gap_score"]) == sorted(gaps["gap_score"], reverse=True)
    average = (lsoa["access"] * lsoa["pop_65plus"]).sum() / lsoa["pop_65plus"].sum()
    assert (gaps["access"] < average).all()
    first = gaps.iloc[0]
    assert first["gap_score"] == pytest.approx(first["pop_65plus"] * 1.29 * (1 - first["access"] / average))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mclp_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    covers = rng.random((9, 40)) < 0.25
    weights = rng.uniform(1, 50, 40)
    _, best = cv.mclp_brute_force(covers, weights, 3)
    exact = cv.mclp_exact(covers, weights, 3)
    assert len(exact) == 3
    assert weights[covers[exact].any(axis=0)].sum() == pytest.approx(best)
    greedy = cv.mclp_greedy(covers, weights, 3)
    assert weights[covers[greedy].any(axis=0)].sum() <= best + 1e-9


def test_suggested_sites_add_people_within_reach(rutland, rutland_homes, rutland_result, rutland_engine):
    candidates = cv.candidate_places(rutland, rutland_homes)
    choice = cv.suggest_sites(rutland_result, candidates, rutland_engine, k=2, minutes=10.0)
    assert len(choice.sites) == 2
    assert choice.covered_after == pytest.approx(choice.covered_before + choice.sites["new_people_within"].sum())
    assert list(choice.sites["new_people_within"]) == sorted(choice.sites["new_people_within"], reverse=True)
    assert choice.covered_after <= choice.population + 1e-6


def test_cqc_directory_columns_are_understood(rutland):
    csv = (
        "Location ID,Location Name,Care home?,Care homes beds,Location Latitude,Location Longitude,"
        "Location Postal Code,Service type - Care home service with nursing,Dormant (Y/N)\n"
        "1-1,Aberdeen House,Y,32,52.5838,-0.7276,LE15 9UD,N,N\n"
        "1-2,Oakham Nursing,Y,45,,,LE15 6RP,Y,N\n"
        "1-3,Home Care Agency,N,0,52.67,-0.73,LE15 6AA,N,N\n"
        "1-4,Closed Home,Y,20,52.67,-0.73,LE15 6AA,N,Y\n"
        "1-5,Edinburgh Home,Y,30,55.95,-3.19,EH1 1AA,N,N\n"
        "1-6,Nowhere Home,Y,30,,,ZZ9 9ZZ,N,N\n"
        "1-7,Swapped Home,Y,30,-0.73,52.67,LE15 6AA,N,N\n"
    ).encode()
    table = read_care_homes(csv, "HSCA_Active_Locations.csv", postcodes=rutland.postcodes, outline=rutland.outline,
                            council=rutland.council)
    homes = table.homes.set_index("home_id")
    assert list(homes.index) == ["1-1", "1-2"]
    assert homes.loc["1-1", "beds"] == 32 and not homes.loc["1-1", "nursing"]
    assert homes.loc["1-2", "nursing"] and homes.loc["1-2", "in_council"]
    notes = " ".join(table.notes)
    assert "1 row(s) left out: not a care home" in notes and "dormant" in notes and "far outside" in notes
    problems = [str(p) for p in table.problems]
    assert any(p.startswith("row 7") and "not a postcode in this council" in p for p in problems)
    assert any(p.startswith("row 8") and "look swapped" in p for p in problems)


def test_simple_care_home_list_with_assumed_beds(rutland):
    csv = b"name,postcode,beds,nursing\nHome A,LE15 6RP,,yes\nHome B,LE15 9UD,18,no\n"
    table = read_care_homes(csv, "homes.csv", postcodes=rutland.postcodes, outline=rutland.outline,
                            council=rutland.council)
    assert table.homes["beds"].tolist() == [24.0, 18.0]
    assert table.homes["beds_assumed"].tolist() == [True, False]
    assert table.homes["nursing"].tolist() == [True, False]
    assert "1 home(s) have no bed count: 24 beds assumed" in " ".join(table.notes)


def test_estimate_engine_coverage_for_herefordshire(herefordshire):
    import geopandas as gpd

    # Two invented test homes (this test's own fixture, never shown in the app), Hereford and Kington.
    homes = gpd.GeoDataFrame({"home_id": ["a", "b"], "name": ["A", "B"], "beds": [40.0, 20.0], "nursing": [True, False],
                              "in_council": [True, True], "beds_assumed": False, "postcode": "", "source": "test"},
                             geometry=gpd.points_from_xy([350897, 329700], [239976, 256800]), crs=27700)
    result = cv.measure_coverage(herefordshire, homes, EstimateEngine(), year=2018)
    council = result.areas["council"].iloc[0]
    assert council["beds"] == 60 and council["nursing_homes"] == 1
    assert council["bed_demand"] == pytest.approx(1_550)
    assert (result.postcodes["minutes_nursing"] >= result.postcodes["minutes_nearest"]).all()
