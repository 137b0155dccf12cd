"""Rounds: brute force on a small case, windows and shifts kept, unserved reasons, determinism, VRPLIB."""

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import pyvrp
from shapely.geometry import Point

from analyses import rounds as r
from analyses.demand import synthetic_clients
from analyses.rounds.bases import suggest_carers
from analyses.rounds.calls import default_windows
from analyses.rounds.model import solve_problem
from analyses.rounds.providers import provider_scenario
from analyses.rounds.tables import round_table
from analyses.rounds.viability import judge_rounds
from geo.errors import InputDataError
from geo.units import METRES_PER_MILE
from routing.engine import EstimateEngine, RoadEngine
from routing.network import RoadNetwork
from routing.settings import RoutingSettings

SOLOMON = Path(__file__).resolve().parent.parent / "bench" / "data" / "solomon"
STRAIGHT = EstimateEngine(RoutingSettings(circuity=1.0, estimate_speed_mph=30.0))
X0, Y0 = 486_000.0, 308_000.0
"""Where the hand-made cases sit (Oakham, BNG metres): points near the grid's origin would read as degrees."""


def _calls(points, windows, minutes=10.0):
    clients = gpd.GeoDataFrame({"client_id": [f"C{i}" for i in range(len(points))], "windows": windows,
                                "minutes_per_call": minutes}, geometry=[Point(x + X0, y + Y0) for x, y in points], crs=27700)
    return r.calls_for_day(clients, r.RoundSettings())


def test_six_calls_match_brute_force():
    rng = np.random.default_rng(4)
    points = rng.uniform(-5000, 5000, size=(6, 2))
    calls = _calls(points, ["00:00-23:59"] * 6)
    settings = r.RoundSettings(shifts=(r.Shift("Day", 8 * 60, 20 * 60),), max_paid_hours=12, iterations=500)
    plan = r.plan_rounds(calls, [r.Base("Base", X0, Y0, 1)], STRAIGHT, settings)
    assert plan.feasible and plan.unserved.empty and len(plan.rounds) == 1

    # Independent cost of every order: whole seconds and metres, pay per second and mileage per metre.
    xy = np.vstack([[0.0, 0.0], points])
    matrix = STRAIGHT.matrix(xy, xy)
    seconds = np.round(matrix.minutes * 60)
    metres = np.round(matrix.miles * METRES_PER_MILE)
    rates = r.RoundSettings()  # the solver's fixed rates: the model's default pay, on-costs and mileage
    per_second = round(rates.carer_pay_per_hour * (1 + rates.wage_on_costs_pct / 100) * 100_000 / 3600)
    per_metre = round(rates.mileage_per_mile * 100_000 / METRES_PER_MILE)
    best = min(
        per_second * (sum(seconds[a, b] for a, b in zip((0, *order), (*order, 0))) + 6 * 600)
        + per_metre * sum(metres[a, b] for a, b in zip((0, *order), (*order, 0)))
        for order in itertools.permutations(range(1, 7))
    )
    assert plan.cost == pytest.approx(best)


@pytest.fixture(scope="module")
def rutland_plan(rutland, rutland_engine):
    clients = synthetic_clients(rutland, clients=40, seed=3)
    calls = r.calls_for_day(clients, r.RoundSettings())
    oakham = rutland.places.set_index("name").loc["Oakham"].geometry
    settings = r.RoundSettings(iterations=400, max_paid_hours=6.0, pay_waiting=True)
    base = r.Base("Oakham", oakham.x, oakham.y, 0)
    carers = suggest_carers(calls, [base], settings, engine=rutland_engine)
    plan = r.plan_rounds(calls, [r.Base("Oakham", oakham.x, oakham.y, carers["Oakham"])], rutland_engine, settings)
    return calls, plan, settings


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def test_every_visit_starts_in_its_window(rutland_plan):
    calls, plan, _ = rutland_plan
    assert plan.feasible and len(plan.visits) > 0.9 * len(calls)
    windows = calls.set_index("call_id")
    for visit in plan.visits.itertuples():
        start = _minutes(visit.start)
        assert windows.loc[visit.call_id, "tw_start_min"] <= start <= windows.loc[visit.call_id, "tw_end_min"]
    assert set(plan.visits["call_id"]) | set(plan.unserved["call_id"]) == set(calls["call_id"])
    assert not set(plan.visits["call_id"]) & set(plan.unserved["call_id"])


def test_shift_limits_are_respected(rutland_plan):
    _, plan, settings = rutland_plan
    shifts = {shift.label(): shift for shift in settings.shifts}
    for row in plan.rounds.itertuples():
        shift = shifts[row.shift]
        assert shift.start_min <= _minutes(row.start) and _minutes(row.end) <= shift.end_min
        assert row.paid_hours <= settings.max_paid_hours + 1e-9
        assert row.paid_hours == pytest.approx(row.contact_hours + row.travel_hours + row.idle_hours)


def test_same_seed_same_rounds(rutland, rutland_engine):
    clients = synthetic_clients(rutland, clients=25, seed=5)
    calls = r.calls_for_day(clients, r.RoundSettings())
    base = [r.Base("Uppingham", 486622.0, 299685.0, 6)]
    settings = r.RoundSettings(iterations=300, seed=7)
    first = r.plan_rounds(calls, base, rutland_engine, settings)
    second = r.plan_rounds(calls, base, rutland_engine, settings)
    pd.testing.assert_frame_equal(first.visits, second.visits)
    pd.testing.assert_frame_equal(first.rounds, second.rounds)


def test_impossible_calls_come_back_with_reasons():
    points = [(1000.0, 0.0), (2000.0, 0.0), (1500.0, 500.0)]
    calls = _calls(points, ["03:00-04:00", "morning", "morning"], minutes=[20.0, 9 * 60.0, 20.0])
    settings = r.RoundSettings(iterations=200)
    plan = r.plan_rounds(calls, [r.Base("Base", X0, Y0, 2)], STRAIGHT, settings)
    reasons = plan.unserved.set_index("client_id")["reason"]
    assert reasons["C0"].startswith("window")
    assert reasons["C1"].startswith("shift length")
    assert list(plan.visits["client_id"]) == ["C2"]


def test_unreachable_call_is_unserved():
    # Island A: a two-way road 0–1; island B: 2–3, with no road between them.
    tail, head = np.array([0, 1, 2, 3]), np.array([1, 0, 3, 2])
    x, y = X0 + np.array([0.0, 1000.0, 5000.0, 6000.0]), np.full(4, Y0)
    xy = np.column_stack([x[np.column_stack([tail, head]).ravel()], np.full(8, Y0)])
    engine = RoadEngine(RoadNetwork(np.arange(4), x, y, tail, head, np.full(4, 60.0), np.full(4, 1000.0),
                                    np.arange(0, 9, 2), xy, "islands"))
    calls = _calls([(1000.0, 0.0), (6000.0, 0.0)], ["morning", "morning"])
    plan = r.plan_rounds(calls, [r.Base("Base", X0, Y0, 1)], engine, r.RoundSettings(iterations=100))
    reasons = plan.unserved.set_index("client_id")["reason"]
    assert reasons["C1"].startswith("unreachable")
    assert "C0" not in reasons.index


def test_capacity_shortfall_is_named():
    points = [(100.0 * i, 0.0) for i in range(8)]
    calls = _calls(points, ["08:00-08:30"] * 8, minutes=30.0)
    plan = r.plan_rounds(calls, [r.Base("Base", X0, Y0, 1)], STRAIGHT, r.RoundSettings(iterations=200))
    assert len(plan.visits) == 1
    assert plan.unserved["reason"].str.startswith("capacity").all()


def test_windows_text():
    settings = r.RoundSettings()
    assert r.parse_windows("morning; tea", settings) == [("morning", 420, 600), ("tea", 960, 1080)]
    assert r.parse_windows("08:00-09:30", settings) == [("08:00-09:30", 480, 570)]
    with pytest.raises(InputDataError, match="ends before it starts"):
        r.parse_windows("10:00-09:00", settings)
    with pytest.raises(InputDataError, match="'brunch' is not a call window"):
        r.parse_windows("brunch", settings)
    assert [w[0] for w in default_windows(3, settings)] == ["morning", "lunch", "tea"]


def test_verdicts_follow_the_thresholds():
    rounds = round_table([
        {"round": "a", "contact_hours": 4.0, "travel_hours": 1.0, "idle_hours": 0.0, "paid_hours": 5.0, "miles": 20,
         "travel_share": 0.2, "cost": 70.0, "cost_per_contact_hour": 17.5},
        {"round": "b", "contact_hours": 1.0, "travel_hours": 2.0, "idle_hours": 0.0, "paid_hours": 3.0, "miles": 60,
         "travel_share": 2 / 3, "cost": 64.8, "cost_per_contact_hour": 64.8},
    ])
    judged = judge_rounds(rounds, r.RoundSettings())
    assert judged["verdict"].tolist() == ["viable", "not viable"]
    assert "travel 67% of paid time" in judged.loc[1, "why"] and "1.0 contact hours" in judged.loc[1, "why"]


def test_provider_scenario_against_the_threshold():
    hours = pd.Series({"Hereford City": 3_280.0, "East": 1_750.0})
    table = provider_scenario(hours, 6, threshold_hours=300.0, contact_hours_per_round=4.0)
    assert table.loc["East", "hours_per_provider"] == pytest.approx(1_750 / 6)
    assert table["viable"].to_dict() == {"Hereford City": True, "East": False}
    assert table["most_viable_providers"].to_dict() == {"Hereford City": 10, "East": 5}
    assert table.loc["East", "rounds_per_day"] == pytest.approx(1_750 / 7 / 4)


def test_weekly_hours_of_synthetic_clients(herefordshire):
    clients = synthetic_clients(herefordshire, seed=1)
    assert len(clients) == 750
    assert clients["hours_per_week"].sum() == pytest.approx(9_900, rel=0.02)
    assert clients["source"].str.startswith("SYNTHETIC").all()
    assert r.weekly_contact_hours(clients, r.RoundSettings()).sum() == pytest.approx(clients["hours_per_week"].sum())
    again = synthetic_clients(herefordshire, seed=1)
    assert clients["postcode"].tolist() == again["postcode"].tolist()


def test_solve_path_reaches_the_best_known_solomon_cost():
    data = pyvrp.read(SOLOMON / "C101.vrp", round_func="dimacs")
    result = solve_problem(data, time_limit_s=30, seed=1, iterations=500)
    assert result.best.is_feasible()
    assert result.best.distance() / 10 == pytest.approx(827.3, rel=0.01)


def test_verdict_thresholds_and_money_do_not_change_the_solver_key():
    # Money is applied when rounds are judged (the solver weighs time and distance at fixed rates).
    base = r.RoundSettings()
    assert base.solver_key() == r.RoundSettings(max_travel_share=0.1, min_contact_hours=4.0,
                                                income_per_contact_hour=30.0, carer_pay_per_hour=15.0,
                                                wage_on_costs_pct=10.0, business_costs_pct=5.0,
                                                mileage_per_mile=0.6, pay_source="x", pay_waiting=True,
                                                minimum_pay_per_hour=12.0, fee_source="y").solver_key()
    assert base.solver_key() != r.RoundSettings(seed=2).solver_key()
