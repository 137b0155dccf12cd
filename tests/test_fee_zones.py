"""Rural fee zones: classification by both readings, aggregation, costing, what-ifs, client lists."""

import io

import numpy as np
import pandas as pd
import pytest

from analyses import exports, fee_costing, fee_zones
from analyses.fee_costing import BandedScheme, Demand, FeeAssumptions
from geo.council import load_council
from geo.errors import InputDataError
from geo.units import METRES_PER_MILE
from layers.clients import read_client_table
from routing.engine import ROAD_ZONE_WIDTH_M, EstimateEngine


@pytest.fixture(scope="module")
def hereford_centres(herefordshire):
    return fee_zones.zone_centres(herefordshire.places, load_council("herefordshire").fee_zone_centres)


@pytest.fixture(scope="module")
def hereford_zones(herefordshire, hereford_centres):
    return fee_zones.classify_postcodes(herefordshire.postcodes, herefordshire.lsoa, hereford_centres,
                                        EstimateEngine(), radius_miles=4.0)


@pytest.fixture(scope="module")
def rutland_centres(rutland):
    return fee_zones.zone_centres(rutland.places, ["Oakham", "Uppingham"])


def test_city_centre_inside_and_golden_valley_outside(hereford_zones):
    by_postcode = hereford_zones.set_index("postcode")
    centre = by_postcode.loc["HR4 9AB"]  # 26 m from the OS Open Names point of Hereford
    assert centre["inside_straight"] and centre["inside_road"] and centre["straight_centre"] == "Hereford"
    peterchurch = by_postcode.loc["HR2 0RG"]  # Peterchurch, Golden Valley
    assert not peterchurch["inside_straight"] and not peterchurch["inside_road"]
    assert 9.0 < peterchurch["straight_miles"] < 11.0


def test_unknown_centre_suggests_the_right_name(herefordshire):
    with pytest.raises(InputDataError, match="'Herefrod' \\(did you mean 'Hereford'"):
        fee_zones.zone_centres(herefordshire.places, ["Herefrod"])


@pytest.mark.parametrize("measure_from", ["point", "extent"])
def test_radius_extremes(herefordshire, hereford_centres, measure_from):
    none_inside = fee_zones.classify_points(
        np.column_stack([herefordshire.postcodes.geometry.x, herefordshire.postcodes.geometry.y]), hereford_centres,
        EstimateEngine(), radius_miles=0.0, measure_from="point")
    assert not none_inside["inside_straight"].any() and not none_inside["inside_road"].any()
    all_inside = fee_zones.classify_postcodes(herefordshire.postcodes, herefordshire.lsoa, hereford_centres,
                                              EstimateEngine(), radius_miles=100.0,
                                              measure_from=measure_from)
    assert all_inside["inside_straight"].all() and all_inside["inside_road"].all()


@pytest.mark.parametrize("measure_from", ["point", "extent"])
def test_road_never_inside_when_straight_outside(herefordshire, hereford_centres, rutland, rutland_centres,
                                                 rutland_engine, measure_from):
    for data, centres, engine in [(herefordshire, hereford_centres, EstimateEngine()),
                                  (rutland, rutland_centres, rutland_engine)]:
        for radius in (2.0, 4.0, 6.0):
            zones = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, engine, radius_miles=radius,
                                                 measure_from=measure_from)
            assert not (zones["inside_road"] & ~zones["inside_straight"]).any()
            assert (zones["road_miles"] >= zones["straight_miles"] - 1e-9).all()


def test_larger_radius_never_puts_fewer_people_inside(herefordshire, hereford_centres):
    inside = [fee_zones.classify_postcodes(herefordshire.postcodes, herefordshire.lsoa, hereford_centres,
                                           EstimateEngine(), radius_miles=radius)["inside_straight"].sum()
              for radius in range(0, 12)]
    assert inside == sorted(inside)


def test_edge_reading_puts_more_inside_than_point_reading(herefordshire, hereford_centres):
    point = fee_zones.classify_postcodes(herefordshire.postcodes, herefordshire.lsoa, hereford_centres,
                                         EstimateEngine(), radius_miles=4.0, measure_from="point")
    edge = fee_zones.classify_postcodes(herefordshire.postcodes, herefordshire.lsoa, hereford_centres,
                                        EstimateEngine(), radius_miles=4.0, measure_from="extent")
    assert not (point["inside_straight"] & ~edge["inside_straight"]).any()
    assert edge["inside_straight"].sum() > point["inside_straight"].sum()


def test_herefordshire_figures_at_four_miles(hereford_zones):
    # Straight line: 4,203 of 6,829 postcodes within four miles of the city or a market town.
    assert hereford_zones["inside_straight"].sum() == 4_203
    assert hereford_zones["pop65_est"].sum() == pytest.approx(48_458)
    summary = fee_zones.area_summary(hereford_zones, "locality_name")
    assert summary["postcodes"].sum() == 6_829
    assert summary.loc["Hereford City", "pct65_outside_straight"] < summary.loc["South & West Herefordshire PCN",
                                                                              "pct65_outside_straight"]


def test_rutland_road_classification_matches_the_matrix(rutland, rutland_centres, rutland_engine):
    zones = fee_zones.classify_postcodes(rutland.postcodes, rutland.lsoa, rutland_centres, rutland_engine,
                                         radius_miles=4.0)
    assert zones["road_method"].eq("road").all()
    sample = zones.sample(60, random_state=1)
    xy = np.column_stack([sample.geometry.x, sample.geometry.y])
    centre_xy = np.column_stack([rutland_centres.geometry.x, rutland_centres.geometry.y])
    matrix = rutland_engine.matrix(centre_xy, xy, by="distance")
    np.testing.assert_allclose(sample["road_miles"], matrix.miles.min(axis=0), atol=1e-6)
    assert (sample["inside_road"] == (matrix.miles.min(axis=0) <= 4.0)).all()
    # Rutland by road: fewer inside than straight, and the disagreement is exactly the difference.
    assert zones["inside_road"].sum() < zones["inside_straight"].sum()
    assert zones["disagree"].sum() == zones["inside_straight"].sum() - zones["inside_road"].sum()
    oakham = zones.set_index("postcode").loc["LE15 6NT"]  # Oakham Medical Practice
    assert oakham["inside_road"] and oakham["road_centre"] == "Oakham"


def test_zone_shapes(rutland_centres, rutland_engine):
    straight = fee_zones.straight_zone(rutland_centres, radius_miles=4.0)
    # Two 4-mile circles overlapping (towns 5.7 miles apart): less than twice one circle.
    one = np.pi * (4 * METRES_PER_MILE) ** 2
    assert one < straight.area.iloc[0] < 2 * one
    road, method = fee_zones.road_zone(rutland_engine, rutland_centres, radius_miles=4.0)
    assert "Roads within 4 miles by road" in method
    assert road.area.iloc[0] < straight.buffer(ROAD_ZONE_WIDTH_M + 1).area.iloc[0]
    estimate, method = fee_zones.road_zone(EstimateEngine(), rutland_centres, radius_miles=4.0)
    assert "Estimate" in method and estimate.area.iloc[0] < straight.area.iloc[0]


def test_costing_equals_hand_computation():
    demand = Demand(np.array([10.0, 5.0, 20.0]), np.array([1.0, 1.0, 2.0]), "test")
    fees = FeeAssumptions(base_fee_per_hour=20.0, uplift_pct=20.0)
    cost = fee_costing.zone_cost(np.array([False, True, True]), demand, fees)
    # Outside: 25 h × £20 × 20% = £100 a week, £5,200 a year; all 35 h at £20 = £700 base.
    assert cost["hours_outside"] == 25 and cost["clients_outside"] == 3
    assert cost["weekly_uplift"] == pytest.approx(100.0)
    assert cost["annual_uplift"] == pytest.approx(5_200.0)
    assert cost["annual_total"] == pytest.approx((700.0 + 100.0) * 52)


def test_radius_what_if_is_monotonic_and_consistent():
    rng = np.random.default_rng(0)
    straight = rng.uniform(0, 12, 500)
    road = straight * rng.uniform(1.0, 1.6, 500)
    demand = Demand(rng.uniform(1, 20, 500), np.ones(500), "test")
    table = fee_costing.radius_what_if({"straight": straight, "road": road}, demand, FeeAssumptions(20, 20))
    for reading in ("straight", "road"):
        costs = table[table["reading"] == reading]["annual_uplift"].to_numpy()
        assert (np.diff(costs) <= 0).all()
    four = table[(table["radius_miles"] == 4)].set_index("reading")
    assert four.loc["road", "hours_outside"] >= four.loc["straight", "hours_outside"]
    assert four.loc["straight", "hours_outside"] == pytest.approx(demand.hours[straight > 4].sum())


def test_banded_schemes():
    scheme = BandedScheme("bands", ((0, 0), (3, 10), (6, 20)))
    assert scheme.uplift_pct(np.array([0, 2.99, 3, 5, 6, 50, np.inf])).tolist() == [0, 0, 10, 10, 20, 20, 20]
    assert scheme.label() == "0–3 mi: 0%; 3–6 mi: 10%; 6+ mi: 20%"
    demand = Demand(np.array([10.0, 10.0, 10.0]), np.ones(3), "test")
    table = fee_costing.scheme_costs([scheme], np.array([1.0, 4.0, 8.0]), demand, base_fee=20.0)
    # 10 h × £20 × 10% + 10 h × £20 × 20% = £60 a week.
    assert table.loc[0, "weekly_uplift"] == pytest.approx(60.0)
    assert table.loc[0, "clients_uplifted"] == 2
    with pytest.raises(InputDataError, match="first band must start at 0"):
        fee_costing.validate_bands([(1, 0), (3, 10)])
    with pytest.raises(InputDataError, match="must increase"):
        fee_costing.validate_bands([(0, 0), (3, 10), (3, 20)])
    with pytest.raises(InputDataError, match="Band 2"):
        fee_costing.validate_bands([(0, 0), ("x", 10)])


def test_current_rule_scheme_equals_zone_cost(herefordshire, hereford_zones):
    council = load_council("herefordshire")
    demand = fee_costing.modelled_demand(hereford_zones, herefordshire)
    assert demand.is_synthetic and demand.hours.sum() == pytest.approx(9_900)
    base = fee_costing.default_base_fee(council)
    fee, source = base.per_hour, base.source
    assert fee == pytest.approx(19.45) and source.startswith("assumption") and "not netted" in source
    rule = fee_costing.scheme_costs(fee_costing.default_schemes(council)[:1], hereford_zones["straight_miles"].to_numpy(),
                                    demand, base_fee=fee)
    cost = fee_costing.zone_cost(~hereford_zones["inside_straight"].to_numpy(), demand, FeeAssumptions(fee, 20.0))
    assert rule.loc[0, "weekly_uplift"] == pytest.approx(cost["weekly_uplift"])


def test_uploaded_clients_are_classified_and_unknown_postcodes_listed(herefordshire, hereford_centres):
    content = ("client_id,postcode,hours_per_week\n"
               "A1,HR4 9AB,10\nA2,HR2 0RG,14\nA3,HR9 9ZZ,7\nA4,not a postcode,3\nA5,hr2 0rg,200\n").encode()
    table = read_client_table(content, "clients.csv", postcodes=herefordshire.postcodes, outline=herefordshire.outline,
                              council_name="Herefordshire", numeric={"hours_per_week": (0.0, 168.0)}, required=["hours_per_week"])
    assert table.clients["client_id"].tolist() == ["A1", "A2"]
    messages = [str(problem) for problem in table.problems]
    assert messages[0].startswith("row 4, column 'postcode': 'HR9 9ZZ' is not a postcode in Herefordshire")
    assert "row 5" in messages[1] and "not a UK postcode" in messages[1]
    assert "row 6" in messages[2] and "outside the allowed range 0–168" in messages[2]
    xy = np.column_stack([table.clients.geometry.x, table.clients.geometry.y])
    zones = fee_zones.classify_points(xy, hereford_centres, EstimateEngine(), radius_miles=4.0)
    assert zones["inside_straight"].tolist() == [True, False]
    cost = fee_costing.zone_cost(~zones["inside_straight"].to_numpy(),
                                 fee_costing.client_demand(table.clients["hours_per_week"], "clients.csv"),
                                 FeeAssumptions(20.0, 20.0))
    assert cost["weekly_uplift"] == pytest.approx(14 * 20 * 0.2)


def test_exports_say_synthetic_and_hold_every_table(hereford_zones):
    about = [("Demand", fee_costing.SYNTHETIC_LABEL)]
    sheets = {"postcodes": hereford_zones.head(50), "PCN locality": fee_zones.area_summary(hereford_zones,
                                                                                           "locality_name").reset_index()}
    workbook = pd.read_excel(io.BytesIO(exports.xlsx_bytes(sheets, about)), sheet_name=None)
    assert list(workbook) == ["About", "postcodes", "PCN locality"]
    assert workbook["About"].columns.tolist() == ["Item", "Detail"]
    assert workbook["About"].iloc[0].tolist() == ["Demand", fee_costing.SYNTHETIC_LABEL]
    assert {"Produced", "Tool"} <= set(workbook["About"]["Item"])
    postcodes = workbook["postcodes"]
    assert {"Longitude (degrees)", "Latitude (degrees)", "Inside the zone (straight line)",
            "Road distance to nearest centre (miles)"} <= set(postcodes.columns)
    assert set(postcodes["Inside the zone (by road)"]) <= {"yes", "no"}
    miles = postcodes["Straight-line distance to nearest centre (miles)"]
    assert (miles == miles.round(2)).all() and not (hereford_zones.head(50)["straight_miles"] ==
                                                    hereford_zones.head(50)["straight_miles"].round(2)).all()
    # Analysts' CSV keeps the machine names at full precision.
    text = exports.csv_bytes(hereford_zones.head(3), ["Demand: " + fee_costing.SYNTHETIC_LABEL]).decode("utf-8-sig")
    assert text.startswith("# Demand: SYNTHETIC") and "straight_miles" in text
    assert repr(float(hereford_zones["straight_miles"].iloc[0])) in text
    assert exports.gpkg_bytes({"postcodes": hereford_zones.head(20)})[:16] == b"SQLite format 3\x00"


def test_hertfordshire_demand_is_placed_by_its_documented_district_hours(all_councils):
    from analyses.demand import district_rows, placed_hours

    data = all_councils["hertfordshire"]
    rows = district_rows(data)
    assert rows["hours"].sum() == pytest.approx(39_517) and rows["documented_hours"].sum() == 39_518 and len(rows) == 12
    placed = placed_hours(data)
    assert placed.sum() == pytest.approx(39_517)
    lsoa = data.lsoa.set_index("lsoa21_code")
    by_district = placed.groupby(lsoa["lad_code"]).sum()
    # Watford has one row of its own (2,845 h); Dacorum's 3,118 urban + 822 rural hours stay in Dacorum,
    # the rural ones in its rural LSOAs only.
    assert by_district["E07000103"] == pytest.approx(2_845, abs=0.1)
    assert by_district["E07000096"] == pytest.approx(3_118 + 822, abs=0.1)
    rural = lsoa["is_rural"] & (lsoa["lad_code"] == "E07000096")
    assert placed[rural.index[rural]].sum() == pytest.approx(822, abs=0.1)
    # The fee-zone costing's modelled demand follows the same placement, postcode by postcode.
    points = data.postcodes.assign(pop65_est=1.0)
    demand = fee_costing.modelled_demand(points, data)
    assert demand.hours.sum() == pytest.approx(39_517)
    watford = (data.postcodes["lsoa21_code"].map(lsoa["lad_code"]) == "E07000103").to_numpy()
    assert demand.hours[watford].sum() == pytest.approx(2_845, abs=0.1)
