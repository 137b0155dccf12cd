"""Nearest GP practice with practices beyond the border, and the straight-line estimate calibrated by distance."""

from __future__ import annotations

import numpy as np
import pytest

from analyses import gp_access
from analyses.localities import drive_time_localities
from bench.calibrate import calibrate_bands, sample_trips
from routing.engine import EstimateEngine
from routing.settings import ESTIMATE_BANDS, SINGLE_CIRCUITY, SINGLE_SPEED_MPH, RoutingSettings


def _near(data, place: str, metres: float = 1500.0) -> np.ndarray:
    point = data.places.loc[data.places["name"] == place].geometry.iloc[0]
    return (data.postcodes.geometry.distance(point) < metres).to_numpy()


def test_border_practices_are_bundled_for_every_council(all_councils):
    counts = {slug: len(data.border_practices) for slug, data in all_councils.items()}
    assert counts == {"herefordshire": 60, "rutland": 29, "worcestershire": 350, "hertfordshire": 648}
    for data in all_councils.values():
        assert not data.border_practices["in_council"].any()
        assert data.border_practices["distance_to_boundary_m"].between(0, 15_000).all()
    hereford = gp_access.practices_for_access(all_councils["herefordshire"])
    assert hereford["practice_code"].is_unique  # Tenbury (a PCN member over the border) listed once
    assert any("Ludlow" in name for name in hereford.loc[~hereford["in_council"], "practice_name"])


@pytest.mark.parametrize("engine_name", ["road", "estimate"])
def test_border_practices_change_the_nearest_practice_for_ryhall(rutland, rutland_engine, engine_name):
    engine = rutland_engine if engine_name == "road" else EstimateEngine()
    own = gp_access.nearest_practice(rutland, engine, include_border=False)
    both = gp_access.nearest_practice(rutland, engine)
    ryhall = _near(rutland, "Ryhall")
    assert ryhall.sum() == 48
    assert set(own.loc[ryhall, "practice_name"]) == {"Empingham Medical Centre"}
    assert set(both.loc[ryhall, "practice_name"]) == {"Lakeside Healthcare Stamford"}
    assert not both.loc[ryhall, "practice_in_council"].any()
    # Ryhall is 12 minutes from Empingham by road, under 6 from Stamford.
    assert own.loc[ryhall, "minutes"].mean() > 11 and both.loc[ryhall, "minutes"].mean() < 6.5
    # Counting more practices never lengthens a trip; every change is to a practice over the border.
    assert (both["minutes"] <= own["minutes"] + 1e-9).all()
    changed = both["practice_code"] != own["practice_code"]
    assert changed.sum() >= 48 and not both.loc[changed, "practice_in_council"].any()


def test_ketton_stays_with_empingham_on_the_bundled_data(rutland, rutland_engine):
    # Ketton's Rutland surgery (Empingham, 5.2 km) is nearer than Stamford's Lakeside (6.6 km) in a straight line,
    # and the bundled extract stops at the county boundary, so the road into Stamford is missing too.
    both = gp_access.nearest_practice(rutland, rutland_engine)
    assert set(both.loc[_near(rutland, "Ketton"), "practice_name"]) == {"Empingham Medical Centre"}


def test_border_practices_never_join_localities(rutland, rutland_engine):
    localities = drive_time_localities(rutland, rutland_engine)
    border = set(rutland.border_practices["practice_code"])
    assert not border & set(localities.lsoa["practice_code"])
    assert localities.localities["pop_total"].sum() == 40_476


def test_nearest_practice_by_area_weights_people(rutland, rutland_engine):
    nearest = gp_access.nearest_practice(rutland, rutland_engine)
    by_lsoa = gp_access.nearest_practice_by_area(rutland, nearest)
    assert len(by_lsoa) == 26 and by_lsoa["postcodes"].sum() == 1274 and by_lsoa["unreachable"].sum() == 0
    one = by_lsoa.index[0]
    assert by_lsoa.loc[one, "gp_minutes"] == pytest.approx(nearest.loc[nearest["lsoa21_code"] == one, "minutes"].mean())
    council = gp_access.nearest_practice_by_area(rutland, nearest, "lad_code")
    people = rutland.lsoa.set_index("lsoa21_code")["pop_total"]
    expected = (by_lsoa["gp_minutes"] * people).sum() / people.sum()
    assert council["gp_minutes"].iloc[0] == pytest.approx(expected)
    ryhall_share = council["pct_nearest_outside"].iloc[0]
    assert 0 < ryhall_share < 20


def test_calibrated_estimate_beats_the_single_factor_on_nearest_gp_trips(rutland, rutland_engine):
    road = gp_access.nearest_practice(rutland, rutland_engine)
    calibrated = gp_access.nearest_practice(rutland, EstimateEngine())
    single = gp_access.nearest_practice(rutland, EstimateEngine(RoutingSettings(circuity=SINGLE_CIRCUITY,
                                                                                estimate_speed_mph=SINGLE_SPEED_MPH)))
    error = {name: np.abs(frame["minutes"] - road["minutes"]).mean() for name, frame in
             (("calibrated", calibrated), ("single", single))}
    bias = {name: (frame["minutes"] - road["minutes"]).mean() for name, frame in
            (("calibrated", calibrated), ("single", single))}
    assert error["calibrated"] < 0.75 * error["single"]  # 0.84 against 1.26 minutes
    assert abs(bias["calibrated"]) < abs(bias["single"])  # the single factor is too fast on short trips
    assert calibrated["method"].eq("estimate").all()


def test_the_stored_bands_are_what_rutland_measures(rutland, rutland_engine):
    points = np.column_stack([rutland.postcodes.geometry.x, rutland.postcodes.geometry.y])
    bands = calibrate_bands(sample_trips(rutland_engine, points))
    assert len(bands) == len(ESTIMATE_BANDS)
    for band, (km, circuity, mph) in zip(bands, ESTIMATE_BANDS):
        assert band.straight_km == pytest.approx(km, abs=0.01)
        assert band.circuity == pytest.approx(circuity, abs=0.002)
        assert band.speed_mph == pytest.approx(mph, abs=0.1)
    # Short trips wind more and run slower than long ones.
    assert bands[0].circuity > bands[-1].circuity + 0.4 and bands[0].speed_mph < bands[-1].speed_mph - 10


def test_the_estimate_rises_with_distance_and_says_how_it_was_calibrated():
    engine = EstimateEngine()
    straight = np.linspace(0, 60_000, 601)
    assert (np.diff(engine.curve.road(straight)) > 0).all() and (np.diff(engine.curve.time(straight)) > 0).all()
    assert engine.label.startswith("ESTIMATE") and "calibrated on Rutland" in engine.label
    assert engine.curve.straight_for_road(float(engine.curve.road(7000.0))) == pytest.approx(7000.0)
    a, b = np.array([[486_000.0, 308_000.0]]), np.array([[489_000.0, 312_000.0]])  # 5 km apart, at Oakham
    assert engine.matrix(a, b).miles[0, 0] == pytest.approx(engine.curve.road(5000.0) / 1609.344)
