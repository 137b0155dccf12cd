"""Care-home coverage: E2SFCA against a hand computation and PySAL access, beds per 1,000, projections,
MCLP against brute force, and reading care-home files."""

import numpy as np
import pandas as pd
import pytest

from analyses import coverage as cv
from analyses import need_and_supply, sites
from layers.care_homes import read_care_homes
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
def rutland_homes(rutland_care_homes):
    return rutland_care_homes.homes


def test_rutland_runs_on_cqc_homes_not_assumed_beds(rutland_homes):
    inside = rutland_homes[rutland_homes["in_council"]]
    assert len(inside) == 12 and inside["beds"].sum() == 419 and len(rutland_homes) == 111
    assert "Aberdeen House" in set(inside["name"]) and not rutland_homes["beds_assumed"].any()


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
    assert council["beds"] == 419 and council["beds_assumed"] == 0
    assert council["pop_65plus"] == pytest.approx(10_345)
    assert council["beds_per_1000_65"] == pytest.approx(419 / 10_345 * 1000)
    assert council["beds_per_1000_85"] == pytest.approx(419 / 1_450 * 1000)
    localities = rutland_result.areas["locality_name"]
    assert localities["beds"].sum() == 419 and localities["pop_85plus"].sum() == pytest.approx(1_450)


def test_shares_within_reach_rise_with_the_threshold(rutland_result):
    council = rutland_result.areas["council"].iloc[0]
    assert council["pct65_within_10"] <= council["pct65_within_20"] <= council["pct65_within_30"] <= 100.0
    lsoa = rutland_result.areas["lsoa21_code"]
    assert lsoa["pop_65plus"].sum() == pytest.approx(10_345)
    # Spreading people over postcodes keeps every LSOA's 65+ count.
    assert (lsoa["pop_65plus"].round(6) == lsoa["pop_65plus"].round()).all()


def test_projection_and_shortfall(herefordshire, rutland_result):
    settings = cv.CoverageSettings.for_council(herefordshire.council)
    # Herefordshire's need: 1,550 beds in 2018, 2,000 in 2028, 2,650 in 2038; linear between.
    assert [settings.demand(year) for year in (2018, 2023, 2028, 2038)] == pytest.approx([1550, 1775, 2000, 2650])
    demand, source = cv.bed_demand(2038, settings)
    assert demand == pytest.approx(2_650) and "2,650" in source
    council = rutland_result.areas["council"].iloc[0]
    rutland_base = 1550 / 48458 * 10_345
    assert council["bed_demand"] == pytest.approx(rutland_base * 2000 / 1550, rel=1e-3)  # the settings round it
    assert council["shortfall"] == pytest.approx(council["bed_demand"] - 419 * (1 - 0.045))


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
    _, best = sites.mclp_brute_force(covers, weights, 3)
    exact, solver = sites.mclp_solve(covers, weights, 3)
    assert len(exact) == 3 and solver == sites.EXACT_SOLVER
    assert weights[covers[exact].any(axis=0)].sum() == pytest.approx(best)
    greedy = sites.mclp_greedy(covers, weights, 3)
    assert weights[covers[greedy].any(axis=0)].sum() <= best + 1e-9


def test_suggested_sites_add_people_within_reach(rutland, rutland_homes, rutland_result, rutland_engine):
    candidates = sites.candidate_places(rutland, rutland_homes)
    choice = sites.suggest_sites(rutland_result, candidates, rutland_engine, k=2, minutes=10.0)
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
    assert table.skipped == {"not a care home": 1, "dormant": 1, "far outside the council": 1}
    assert table.outcome() == ("2 care home(s) read; 5 row(s) left out: 1 not a care home, 1 dormant, 1 more than 15 "
                               "km outside the council, 2 with a problem to fix (each listed).")
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


# --- Care-home files: older people, nursing, dementia, duplicates ------------------------------------------------

CQC_HEADER = ("Location ID,Location Name,Care home?,Care homes beds,Location Latitude,Location Longitude,"
              "Location Postal Code,Service type - Care home service with nursing,"
              "Service type - Care home service without nursing,Service user band - Older People,"
              "Service user band - Dementia,Service user band - Learning disabilities or autistic spectrum disorder,"
              "Dormant (Y/N)\n")


def _cqc(rows: str, rutland, name: str = "HSCA_Active_Locations.csv"):
    return read_care_homes((CQC_HEADER + rows).encode(), name, postcodes=rutland.postcodes, outline=rutland.outline,
                           council=rutland.council)


def test_cqc_older_people_band_and_duplicate_locations(rutland):
    table = _cqc(
        "1-1,Aberdeen House,Y,32,52.5838,-0.7276,LE15 9UD,,Y,Y,Y,,N\n"
        "1-2,Oakham Nursing,Y,lots,,,LE15 6RP,Y,,Y,,,N\n"        # invalid first: must not block the valid row below
        "1-2,Oakham Nursing,Y,45,,,LE15 6RP,Y,,Y,,,N\n"
        "1-1,Aberdeen House,Y,32,52.5838,-0.7276,LE15 9UD,,Y,Y,Y,,N\n"  # the same location again: counted once
        "1-3,The Lodge,Y,20,,,LE15 7PL,,Y,,,Y,N\n"               # learning disability, not older people
        "1-4,Dual Home,Y,40,,,LE15 6EH,Y,Y,Y,,,N\n"              # with and without nursing: a nursing home
        "1-5,Agency,N,,,,LE15 6RP,,,Y,,,N\n"
        "1-6,Old Home,Y,30,,,LE15 6RP,,Y,Y,,,Y\n", rutland)
    homes = table.homes.set_index("home_id")
    assert list(homes.index) == ["1-1", "1-2", "1-3", "1-4"]
    assert homes["beds"].tolist() == [32, 45, 20, 40]
    assert homes["older_people"].tolist() == [True, True, False, True]
    assert homes["nursing"].tolist() == [False, True, False, True]
    assert homes["dementia"].tolist() == [True, False, False, False]
    assert table.problems == []  # the invalid 1-2 row is a duplicate of a valid one, not a rejected home
    assert table.skipped == {"repeats a Location ID": 2, "not a care home": 1, "dormant": 1}
    assert "1 home(s) with 20 beds are not registered for older people" in " ".join(table.notes)

    result = cv.measure_coverage(rutland, table.homes, EstimateEngine(), year=2028)
    council = result.areas["council"].iloc[0]
    assert council["homes"] == 3 and council["beds"] == 32 + 45 + 40  # older people's beds only
    assert council["other_homes"] == 1 and council["other_beds"] == 20
    assert council["nursing_beds"] == 85 and council["residential_beds"] == 32
    assert council["dementia_homes"] == 1 and council["dementia_beds"] == 32
    assert council["beds_per_1000_65"] == pytest.approx(117 / 10_345 * 1000)


def test_an_invalid_duplicate_alone_is_still_a_problem(rutland):
    table = _cqc("1-1,Aberdeen House,Y,32,52.5838,-0.7276,LE15 9UD,,Y,Y,,,N\n"
                 "1-9,Nowhere,Y,30,,,ZZ9 9ZZ,,Y,Y,,,N\n1-9,Nowhere,Y,30,,,ZZ9 9ZZ,,Y,Y,,,N\n", rutland)
    assert list(table.homes["home_id"]) == ["1-1"]
    assert [problem.row for problem in table.problems] == [3, 4]


@pytest.mark.parametrize(("text", "nursing"), [
    ("Care home service without nursing", False), ("Care home service with nursing", True),
    ("Nursing homes|Residential homes", True), ("Residential homes", False), ("non-nursing residential", False),
    ("Residential; no nursing", False), ("Nursing home", True),
])
def test_service_type_text_is_parsed_not_searched(text, nursing):
    from layers.care_home_services import service_kinds

    kinds = service_kinds(text)
    assert ("nursing" in kinds) is nursing and "care_home" in kinds


def test_without_nursing_in_a_list_is_residential(rutland):
    csv = (b"name,postcode,beds,service types\n"
           b"Oak,LE15 6RP,20,Care home service without nursing\n"
           b"Ash,LE15 9UD,30,Care home service with nursing|Dementia\n"
           b"Elm,LE15 9UD,30,Homecare agencies\n")
    table = read_care_homes(csv, "homes.csv", postcodes=rutland.postcodes, outline=rutland.outline,
                            council=rutland.council)
    assert table.homes["name"].tolist() == ["Oak", "Ash"]
    assert table.homes["nursing"].tolist() == [False, True] and table.homes["dementia"].tolist() == [False, True]
    assert "every home is counted as serving older people (assumption)" in " ".join(table.notes)


def test_a_care_home_header_is_the_name_or_the_flag_never_both(rutland):
    named = read_care_homes(b"Care home,postcode,beds\nOak House,LE15 6RP,20\nAsh House,LE15 9UD,30\n", "a.csv",
                            postcodes=rutland.postcodes, outline=rutland.outline, council=rutland.council)
    assert named.homes["name"].tolist() == ["Oak House", "Ash House"] and len(named.homes) == 2
    flagged = read_care_homes(b"Home name,Care home,postcode,beds\nOak House,Y,LE15 6RP,20\nAgency,N,LE15 9UD,0\n",
                              "b.csv", postcodes=rutland.postcodes, outline=rutland.outline, council=rutland.council)
    assert flagged.homes["name"].tolist() == ["Oak House"]
    assert flagged.outcome() == "1 care home(s) read; 1 row(s) left out: 1 not a care home."


# --- Need by year, nursing, dementia, documented totals ----------------------------------------------------------


def test_residential_nursing_dementia_and_under_65_by_hand(rutland):
    import geopandas as gpd

    # Three invented test homes in Oakham: A (30 beds, nursing, dementia), B (20, residential), C (10, not for
    # older people). Need 100 (2020) → 200 (2030): 150 in 2025; 40% nursing; dementia 50 → 80; under 65: 12.
    homes = gpd.GeoDataFrame({"home_id": ["A", "B", "C"], "name": ["A", "B", "C"], "beds": [30.0, 20.0, 10.0],
                              "nursing": [True, False, False], "older_people": [True, True, False],
                              "dementia": [True, False, False], "in_council": True, "beds_assumed": False,
                              "postcode": "", "source": "test"},
                             geometry=gpd.points_from_xy([486000, 486100, 486200], [308800, 308800, 308800]), crs=27700)
    settings = cv.CoverageSettings(bed_demand={2020: 100.0, 2030: 200.0}, free_bed_share=0.1, nursing_share=0.4,
                                   dementia_demand={2020: 50.0, 2030: 80.0}, under65_demand=12.0, years=(2020, 2025))
    result = cv.measure_coverage(rutland, homes, EstimateEngine(), year=2025, settings=settings)
    by_year = need_and_supply.demand_by_year(result)
    row = by_year.loc[2025]
    assert row["need_65"] == pytest.approx(150) and row["usable_65"] == pytest.approx(45)
    assert row["shortfall_65"] == pytest.approx(105)
    assert row["nursing_need"] == pytest.approx(60) and row["nursing_usable"] == pytest.approx(27)
    assert row["nursing_shortfall"] == pytest.approx(33)
    assert row["residential_need"] == pytest.approx(90) and row["residential_shortfall"] == pytest.approx(90 - 18)
    assert row["dementia_need"] == pytest.approx(65) and row["dementia_shortfall"] == pytest.approx(65 - 27)
    assert row["under65_need"] == 12 and row["under65_shortfall"] == pytest.approx(12 - 9)
    assert row["all_need"] == pytest.approx(162) and row["all_shortfall"] == pytest.approx(162 - 54)
    assert by_year.loc[2020, "shortfall_65"] == pytest.approx(100 - 45)
    council = result.areas["council"].iloc[0]
    assert council["nursing_shortfall"] == pytest.approx(33) and council["dementia_shortfall"] == pytest.approx(38)
    # Every locality's shares add up to the council's.
    assert result.areas["locality_name"]["nursing_demand"].sum() == pytest.approx(60)


def test_need_by_year_from_the_council_not_a_fixed_factor(herefordshire, rutland):
    settings = cv.CoverageSettings.for_council(herefordshire.council)
    assert [round(settings.demand(year)) for year in settings.years] == [1640, 2000, 2650]  # 2020 between 1,550 and 2,000
    assert settings.nursing_share == pytest.approx(0.40) and "Market Position Statement" in settings.nursing_share_source
    assert settings.dementia(2016) == pytest.approx(1200) and settings.dementia(2036) == pytest.approx(2300)
    assert settings.under65_demand == 500
    assert settings.projection_factor(2020) == 1.0 and settings.shown_years(2033) == [2020, 2028, 2033, 2038]
    rutland_settings = cv.CoverageSettings.for_council(rutland.council)
    assert rutland_settings.nursing_share_source.startswith("Placements in nursing homes: assumption")


def _homes_at_postcodes(data, beds: list[float], *, older: list[bool] | None = None):
    import geopandas as gpd

    picked = data.postcodes.iloc[:len(beds)]
    return gpd.GeoDataFrame({"home_id": [f"t{i}" for i in range(len(beds))], "name": "test", "beds": beds,
                             "nursing": False, "older_people": older or [True] * len(beds), "in_council": True,
                             "beds_assumed": False, "postcode": ""}, geometry=picked.geometry.values, crs=picked.crs)


def test_documented_totals_warn_beyond_ten_percent(herefordshire, all_councils):
    council = herefordshire.council  # 87 homes, 2,113 beds (2020)
    close = need_and_supply.documented_totals(council, _homes_at_postcodes(herefordshire, [2113 / 80] * 80))
    assert close.warning == "" and close.table["loaded"].tolist() == [80, pytest.approx(2113)]
    assert close.table["difference_pct"].round(1).tolist() == [-8.0, 0.0]
    partial = need_and_supply.documented_totals(council, _homes_at_postcodes(herefordshire, [24.0] * 40))
    assert "differ from Herefordshire's documented totals by more than 10%" in partial.warning
    assert "40 care homes loaded against 87 documented (2020, -54%)" in partial.warning
    # Hertfordshire documents homes for older people only: other homes are not counted against it.
    hertfordshire = all_councils["hertfordshire"]
    homes = _homes_at_postcodes(hertfordshire, [7482 / 147] * 150, older=[True] * 147 + [False] * 3)
    check = need_and_supply.documented_totals(hertfordshire.council, homes)
    assert check.table.set_index("what").loc["care homes (older people)", "loaded"] == 147
    assert "nursing homes (older people)" in set(check.table["what"])  # residential/nursing split documented too


# --- Gaps named for people, and sites always offered ------------------------------------------------------------


def test_gaps_are_named_with_the_nearest_town(rutland, rutland_result):
    gaps = cv.named_gaps(rutland_result, rutland, top=5)
    assert gaps["area_name"].str.contains(r" ward \(E0101\d{4}\)$").all()
    assert set(gaps["nearest_town"]) <= {"Oakham", "Uppingham"} and (gaps["town_km"] > 0).all()
    first = gaps.iloc[0]
    assert first["area_name"] == rutland.lsoa.set_index("lsoa21_code").loc[gaps.index[0], "area_name"]


def test_reach_minutes_tighten_only_when_nearly_everyone_is_within():
    minutes = np.array([3.0, 8.0, 12.0, 18.0])
    people = np.array([50.0, 30.0, 17.0, 3.0])
    assert sites.reach_minutes(minutes, people, 10.0) == 10.0   # 20% live beyond 10 minutes: as asked
    assert sites.reach_minutes(minutes, people, 15.0) == 10.0   # 3% beyond 15: tightened to 10
    assert sites.reach_minutes(minutes, people, 60.0) == 10.0   # nobody beyond 60, 3% beyond 15
    assert sites.reach_minutes(np.array([1.0, 2.0]), np.array([5.0, 5.0]), 20.0) == 5.0  # never below one step


def test_sites_are_offered_when_everyone_is_within_reach(rutland, rutland_homes, rutland_result, rutland_engine):
    assert rutland_result.areas["council"].iloc[0]["pct65_within_20"] == 100.0
    candidates = sites.candidate_places(rutland, rutland_result.homes)
    choice = sites.suggest_sites(rutland_result, candidates, rutland_engine, k=3, minutes=20.0)
    assert len(choice.sites) == 3 and choice.minutes < 20.0 and "judged at" in choice.note
    assert (choice.sites["new_people_within"] > 0).all() and (choice.sites["access_gap_closed"] >= 0).all()
    assert choice.solver == sites.EXACT_SOLVER
    access = sites.suggest_sites(rutland_result, candidates, rutland_engine, k=3, measure="access")
    assert len(access.sites) == 3 and access.solver == sites.GREEDY_ACCESS
    assert access.gap_after < access.gap_before
    assert access.sites["access_gap_closed"].sum() == pytest.approx(access.gap_before - access.gap_after)
    assert list(access.sites["access_gap_closed"]) == sorted(access.sites["access_gap_closed"], reverse=True)


def test_access_gain_of_a_new_home_is_its_e2sfca_share(rutland, rutland_result, rutland_engine):
    # The access a chosen site adds is exactly E2SFCA computed again with that home (30 beds) among the others.
    candidates = sites.candidate_places(rutland, rutland_result.homes)
    choice = sites.suggest_sites(rutland_result, candidates, rutland_engine, k=1, measure="access", new_beds=30.0)
    assert len(choice.sites) == 1
    site = choice.sites.geometry.iloc[0]
    older = rutland_result.older_homes
    points = rutland_result.postcodes
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    homes_xy = np.vstack([np.column_stack([older.geometry.x, older.geometry.y]), [[site.x, site.y]]])
    cost = rutland_engine.matrix(xy, homes_xy, cutoff=30, with_other=False).minutes
    after = 1000 * cv.e2sfca(cost, points["pop_65plus"].to_numpy(), np.append(older["beds"].to_numpy(), 30.0),
                             rutland_result.settings.e2sfca_weights)
    people = points["pop_65plus"].to_numpy() * rutland_result.settings.projection_factor(2028)
    average = np.average(points["access"], weights=points["pop_65plus"])
    assert choice.gap_after == pytest.approx((people * np.clip(average - after, 0, None)).sum() / 1000)
    assert choice.gap_before == pytest.approx((people * np.clip(average - points["access"], 0, None)).sum() / 1000)


def test_the_greedy_fallback_is_named(monkeypatch, rutland, rutland_result, rutland_engine):
    import pulp

    def no_solver(*args, **kwargs):
        raise pulp.PulpSolverError("no CBC here")

    monkeypatch.setattr(pulp, "PULP_CBC_CMD", no_solver)
    candidates = sites.candidate_places(rutland, rutland_result.homes)
    choice = sites.suggest_sites(rutland_result, candidates, rutland_engine, k=2, minutes=10.0)
    assert choice.greedy_fallback and choice.solver == sites.GREEDY_FALLBACK and len(choice.sites) == 2
    from analyses import report

    built = report.report_from(rutland, rutland_result, choice, rutland_engine, homes_source="test", draw=False)
    assert "greedy fallback" in built.site_sentence() and "exact covering solver could not run" in " ".join(
        built.assumptions)


def test_candidate_sites_from_a_list(rutland):
    from layers.candidate_sites import read_candidate_sites

    table = read_candidate_sites(b"site,postcode\nBarleythorpe field,LE15 7PL\nNowhere,ZZ9 9ZZ\n", "sites.csv",
                                 postcodes=rutland.postcodes, outline=rutland.outline)
    assert table.sites["name"].tolist() == ["Barleythorpe field"] and table.problems[0].row == 3
    named = sites.user_candidates(table.sites, rutland)
    assert named["locality_name"].tolist() == ["Rutland Health PCN"] and named["area_name"].iloc[0].endswith(")")


def test_a_list_that_does_not_say_nursing_leaves_nursing_unknown_not_zero(rutland):
    csv = b"name,postcode,beds\nHome A,LE15 6RP,30\nHome B,LE15 9UD,18\n"
    table = read_care_homes(csv, "homes.csv", postcodes=rutland.postcodes, outline=rutland.outline,
                            council=rutland.council)
    assert "nursing" not in table.homes.columns
    assert any("nursing and residential beds are not known" in note for note in table.notes)
    totals = need_and_supply.documented_totals(rutland.council, table.homes).table
    assert not totals["key"].isin(["nursing_homes", "nursing_beds", "residential_homes", "residential_beds"]).any()
