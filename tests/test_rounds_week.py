"""A week of rounds: income with the rural uplift, the gap between calls, days a week, continuity, bases and carers,
providers from the rounds built, the workbook and the command line."""

import dataclasses
from io import BytesIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import caremap
from analyses import rounds as r
from analyses.demand import synthetic_clients
from analyses.rounds import workbook, workflow
from analyses.rounds.bases import base_candidates, suggest_bases, suggest_bases_by_locality, suggest_carers
from analyses.rounds.calls import visit_days
from analyses.rounds.carers import best_continuity, carer_rota, continuity, working_per_day
from analyses.rounds.income import price_visits
from analyses.rounds.providers import default_providers, provider_table
from analyses.rounds.settings import fee_pay
from analyses.rounds.tables import round_table
from analyses.rounds.viability import judge_rounds
from geo.council import load_council
from routing.engine import EstimateEngine
from routing.settings import RoutingSettings

STRAIGHT = EstimateEngine(RoutingSettings(circuity=1.0, estimate_speed_mph=30.0))
X0, Y0 = 486_000.0, 308_000.0
"""Where the hand-made cases sit (Oakham, BNG metres): points near the grid's origin would read as degrees."""
MILE = 1609.344


def _clients(points, windows, *, minutes=30.0, days=7, ids=None):
    count = len(points)
    return gpd.GeoDataFrame({"client_id": ids or [f"C{i}" for i in range(count)], "windows": windows,
                             "minutes_per_call": minutes, "days_per_week": days,
                             "postcode": [f"AB1 {i}CD" for i in range(count)]},
                            geometry=[Point(x + X0, y + Y0) for x, y in points], crs=27700)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _places(*named_points):
    """Settlements as OS Open Names gives them (a point and an extent), for the fee zone."""
    rows = [{"name": name, "kind": "town", "xmin": X0 + x - 500, "ymin": Y0 + y - 500, "xmax": X0 + x + 500,
             "ymax": Y0 + y + 500, "geometry": Point(X0 + x, Y0 + y)} for name, (x, y) in named_points]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=27700)


# --- Income ---------------------------------------------------------------------------------------------


def test_income_is_the_fee_with_the_uplift_outside_the_zone():
    # A town at the origin with a 4-mile zone: C0 at 1 mile is inside, C1 at 6 miles outside.
    clients = _clients([(MILE, 0.0), (6 * MILE, 0.0)], ["morning", "morning"], minutes=[30.0, 45.0], days=[1, 1])
    rule = r.ZoneRule(("Town",), 4.0, "straight", "point")
    zones = r.client_zones(clients, _places(("Town", (0.0, 0.0))), STRAIGHT, rule)
    assert zones["zone"].to_dict() == {"C0": "inside", "C1": "outside"}
    settings = r.RoundSettings(income_per_contact_hour=19.45, rural_uplift_pct=20.0, iterations=100)
    calls = r.calls_for_week(clients, settings)
    plan = r.plan_week(calls, [r.Base("Town", X0, Y0, 2)], STRAIGHT, settings)
    priced = price_visits(plan.visits, zones, settings).set_index("client_id")
    assert priced.loc["C0", "fee_per_hour"] == pytest.approx(19.45)
    assert priced.loc["C1", "fee_per_hour"] == pytest.approx(19.45 * 1.2)
    assert priced.loc["C0", "income"] == pytest.approx(19.45 * 30 / 60)
    assert priced.loc["C1", "income"] == pytest.approx(19.45 * 1.2 * 45 / 60)
    judged = judge_rounds(plan.rounds, settings, visits=price_visits(plan.visits, zones, settings))
    assert judged["income"].sum() == pytest.approx(19.45 * 0.5 + 23.34 * 0.75)
    assert np.allclose(judged["business_costs"], judged["income"] * 0.28)  # UKHCA: 28% of the price runs the business
    assert np.allclose(judged["margin"], judged["income"] - judged["business_costs"] - judged["cost"])
    flat = price_visits(plan.visits, zones, r.RoundSettings(income_per_contact_hour=19.45))
    assert flat["income"].sum() == pytest.approx(19.45 * 1.25)


def test_the_verdict_compares_cost_with_income():
    rounds = round_table([
        {"round": "rural", "contact_hours": 2.0, "travel_hours": 0.5, "idle_hours": 0.0, "paid_hours": 2.5,
         "miles": 20, "travel_share": 0.2, "cost": 40.0, "cost_per_contact_hour": 20.0},
    ])
    # 2.5 paid hours at £12.40 and 20 miles at £0.45: £40 for 2 contact hours, costed when judged (the planned
    # cost is replaced). Viable when the income left after business costs covers it.
    pay = {"carer_pay_per_hour": 12.40, "wage_on_costs_pct": 0.0}
    no_business = r.RoundSettings(business_costs_pct=0.0, **pay)
    visits = pd.DataFrame({"round": ["rural"], "income": [2.0 * 19.45 * 1.2]})
    assert judge_rounds(rounds.assign(cost=0.0), no_business, visits=visits)["cost"].tolist() == [pytest.approx(40.0)]
    assert judge_rounds(rounds, no_business, visits=visits)["verdict"].tolist() == ["viable"]
    visits["income"] = 2.0 * 19.45
    judged = judge_rounds(rounds, no_business, visits=visits)
    assert judged["verdict"].tolist() == ["not viable"]
    assert "costs £20.00 per contact hour, paid £19.45 of which £19.45 is left" in judged.loc[0, "why"]
    # With UKHCA's 28% for running the business, the uplifted £23.34 leaves £16.80 a contact hour: not enough.
    visits["income"] = 2.0 * 19.45 * 1.2
    judged = judge_rounds(rounds, r.RoundSettings(**pay), visits=visits)
    assert judged["verdict"].tolist() == ["not viable"] and "£16.80 is left after business costs" in judged.loc[0, "why"]
    assert judged["business_costs"].tolist() == [pytest.approx(0.28 * 2.0 * 19.45 * 1.2)]
    # Judged again with other money, the same round is costed afresh: no stale business costs or pay.
    again = judge_rounds(judged, r.RoundSettings(carer_pay_per_hour=14.0, wage_on_costs_pct=0.0,
                                                   business_costs_pct=0.0), visits=visits)
    assert again["cost"].tolist() == [pytest.approx(2.5 * 14.0 + 20 * 0.45)] and again["business_costs"].tolist() == [0]


def test_pay_follows_the_fee_year_and_on_costs_follow_ukhca():
    council = load_council("herefordshire")
    options = {option.key: option for option in r.fee_options(council)}
    base = r.RoundSettings.for_council(council)
    assert base.carer_pay_per_hour == 8.21 and "April 2019" in base.pay_source  # the 2019/20 fee
    # The current fee is the 2019/20 fee raised 8.7% in April 2023: it pays at least April 2023's legal minimum.
    current = r.RoundSettings.for_council(council, fee=options["current"])
    assert current.carer_pay_per_hour == 10.42 and current.minimum_pay_per_hour == 10.42
    assert current.income_per_contact_hour == pytest.approx(19.45 * 1.087)
    assert "April 2023" in current.pay_source and "the legal minimum" in current.pay_source
    assert "not recorded" in fee_pay(r.FeeOption("x", "x", 20.0, "x"))[1]
    wage, source = fee_pay(r.FeeOption("x", "x", 20.0, "x", 2031))
    assert wage == 12.71 and "April 2026" in source and "the latest rate known for 2031" in source
    # UKHCA 2020/21: £3.11 of on-costs on £10.42 of pay; £5.80 of £20.69 runs the business.
    assert base.wage_on_costs_pct == pytest.approx(100 * 3.11 / 10.42, abs=0.05)
    assert base.business_costs_pct == pytest.approx(100 * 5.80 / 20.69, abs=0.05)
    assert base.employer_cost_per_hour == pytest.approx(8.21 * 1.298)


def test_fee_options_offer_the_documented_rise():
    council = load_council("herefordshire")
    options = {option.key: option for option in r.fee_options(council)}
    assert options["base"].fee_per_hour == council.base_fee_per_hour
    assert options["current"].fee_per_hour == pytest.approx(council.base_fee_per_hour * 1.087)
    assert "+8.7%, April 2023" in options["current"].label and "Better Care Fund" in options["current"].source
    assert [option.key for option in r.fee_options(load_council("rutland"))] == ["base"]


# --- The week: days, gap, continuity ----------------------------------------------------------------------


def test_clients_are_visited_on_their_days_spread_evenly():
    settings = r.RoundSettings(seed=3)
    clients = _clients([(1000.0 * i, 0.0) for i in range(7)], ["morning"] * 7, days=[1, 2, 3, 4, 5, 6, 7])
    calls = r.calls_for_week(clients, settings)
    days = calls.groupby("client_id")["day"].apply(sorted)
    for client, wanted in zip(clients["client_id"], range(1, 8)):
        assert len(days[client]) == wanted == len(set(days[client]))
        spacing = np.diff(days[client] + [days[client][0] + 7])
        assert spacing.max() - spacing.min() <= 1  # as even as whole days allow
    assert r.calls_for_week(clients, settings)["day"].tolist() == calls["day"].tolist()  # seeded
    assert visit_days("C2", 3, seed=3) == days["C2"]


def test_the_week_keeps_days_and_the_gap_in_its_plans():
    # Windows that overlap: without the gap the solver could visit 30 minutes apart.
    clients = _clients([(1500.0, 0.0), (-800.0, 1200.0), (2500.0, 2500.0)],
                       ["08:00-10:00;09:00-11:00;12:00-13:00", "morning;lunch;tea;bed", "07:30-09:00;10:00-12:00"],
                       days=[3, 7, 5])
    settings = r.RoundSettings(iterations=200, min_gap_minutes=120)
    calls = r.calls_for_week(clients, settings)
    plan = r.plan_week(calls, [r.Base("Base", X0, Y0, 3)], STRAIGHT, settings)
    assert set(plan.visits["call_id"]) | set(plan.unserved["call_id"]) == set(calls["call_id"])
    wanted = calls.groupby("client_id")["day"].apply(set)
    assert plan.visits.groupby("client_id")["day"].apply(set).to_dict() == wanted.to_dict()
    for _, visits in plan.visits.groupby(["day", "client_id"]):
        ordered = visits.sort_values("start", key=lambda times: times.map(_minutes))
        starts, finishes = ordered["start"].map(_minutes).to_numpy(), ordered["finish"].map(_minutes).to_numpy()
        assert (starts[1:] - finishes[:-1] >= 120).all()
    windows = calls.set_index("call_id")
    for visit in plan.visits.itertuples():
        assert windows.loc[visit.call_id, "window_start_min"] <= _minutes(visit.start) <= \
            windows.loc[visit.call_id, "window_end_min"]


def test_a_call_that_cannot_keep_the_gap_is_named_with_the_gap_that_would_fit_it():
    clients = _clients([(1000.0, 0.0)], ["08:00-08:30;08:30-09:00"], days=1)
    settings = r.RoundSettings(iterations=50, min_gap_minutes=120)
    calls = r.calls_for_week(clients, settings)
    assert calls["gap_ok"].tolist() == [True, False]
    plan = r.plan_week(calls, [r.Base("Base", X0, Y0, 1)], STRAIGHT, settings)
    row = plan.unserved.iloc[0]
    assert row["constraint"] == "gap" and row["reason"].startswith("gap")
    assert "lower the least gap to 30 minutes" in row["fix"]  # 09:00 latest start − (08:00 + 30 minutes)


def test_separated_windows_keep_the_gap_for_any_start_within_them():
    windows = [(420, 600), (690, 810), (960, 1080), (1170, 1320)]
    cut = r.separate_calls(windows, [30.0] * 4, 120)
    assert cut == [(420, 564), (714, 810), (960, 1053), (1203, 1320)]
    for (_, end), (start, _) in zip(cut[:-1], cut[1:]):
        assert start - (end + 30) >= 120
    assert r.separate_calls([(480, 600), (900, 1000)], [30.0, 30.0], 120) == [(480, 600), (900, 1000)]


def test_continuity_on_a_small_case():
    visits = pd.DataFrame({"client_id": ["A"] * 4 + ["B"] * 3 + ["C"],
                           "carer": ["x", "x", "y", "x", "y", "z", "y", "z"]})
    table = continuity(visits)
    assert table["continuity"].to_dict() == {"A": 0.75, "B": pytest.approx(2 / 3), "C": 1.0}
    assert table["main_carer"].to_dict() == {"A": "x", "B": "y", "C": "z"}
    assert table["carers"].to_dict() == {"A": 2, "B": 2, "C": 1}
    calls = pd.DataFrame({"client_id": ["A"] * 7 + ["B"] * 3, "day": [*range(7), 0, 2, 4]})
    assert best_continuity(calls, 5) == pytest.approx((5 / 7 + 1.0) / 2)


def test_the_rota_spreads_days_off():
    rota = carer_rota([r.Base("Base", X0, Y0, 7)], 5)
    assert all(len(carer.days) == 5 for carer in rota)
    assert working_per_day(7, 5) == [5] * 7
    assert working_per_day(3, 7) == [3] * 7


def test_carers_follow_their_clients_across_the_week():
    # Two clusters of clients, each a round a day: with carers working every day the same carer keeps each cluster.
    points = [(3000.0 + 200 * i, 0.0) for i in range(3)] + [(-3000.0 - 200 * i, 0.0) for i in range(3)]
    clients = _clients(points, ["morning"] * 6, days=7)
    settings = r.RoundSettings(iterations=200, carer_days_per_week=7)
    plan = r.plan_week(r.calls_for_week(clients, settings), [r.Base("Base", X0, Y0, 2)], STRAIGHT, settings)
    assert len(plan.visits) == 42
    assert (continuity(plan.visits)["continuity"] == 1.0).all()
    assert plan.visits.groupby("round")["carer"].nunique().max() == 1


# --- Bases and carers ---------------------------------------------------------------------------------


def test_east_herefordshire_gets_bases_in_both_its_towns(herefordshire):
    clients = synthetic_clients(herefordshire, "East Herefordshire PCN", clients=60, seed=2)
    candidates = base_candidates(herefordshire.places, herefordshire.localities, clients)
    assert set(candidates["name"]) == {"Ledbury", "Bromyard"}
    chosen = suggest_bases(candidates, clients, EstimateEngine())
    assert set(chosen["name"]) == {"Ledbury", "Bromyard"} and chosen["calls_share"].sum() == pytest.approx(1.0)
    alone = suggest_bases(candidates, clients, EstimateEngine(), most=1)
    assert len(alone) == 1 and alone["mean_minutes"].iloc[0] > chosen["mean_minutes"].max()


def test_the_whole_council_gets_bases_in_every_locality(herefordshire):
    clients = synthetic_clients(herefordshire, clients=300, seed=1)
    locality = r.client_localities(clients, herefordshire.lsoa)
    candidates = base_candidates(herefordshire.places, herefordshire.localities,
                                   clients.assign(locality_name=locality.to_numpy()))
    chosen = suggest_bases_by_locality(candidates, clients, EstimateEngine(), locality=locality)
    home = candidates.set_index("name")["locality_name"]
    assert set(home[chosen["name"]]) == set(locality)  # each locality's clients start from its own towns
    assert chosen["calls_share"].sum() == pytest.approx(1.0)
    for name in set(locality):  # each locality's share is its own clients'
        assert chosen.loc[home[chosen["name"]].to_numpy() == name, "calls_share"].sum() == \
            pytest.approx((locality == name).mean())
    # Clients of no known locality are served too, from any town.
    unknown = locality.astype(object).copy()
    unknown.iloc[:10] = None
    assert suggest_bases_by_locality(candidates, clients, EstimateEngine(), locality=unknown)["calls_share"].sum() == \
        pytest.approx(1.0)
    # One locality is planned as before.
    east = locality == "East Herefordshire PCN"
    alone = suggest_bases_by_locality(candidates, clients[east.to_numpy()], EstimateEngine(), locality=locality[east])
    assert set(alone["name"]) == set(suggest_bases(candidates[candidates["locality_name"] == "East Herefordshire PCN"],
                                                     clients[east.to_numpy()], EstimateEngine())["name"])


@pytest.mark.slow
def test_suggested_carers_fit_every_call_in_rutland(rutland, rutland_engine):
    clients = synthetic_clients(rutland, clients=45, seed=4)
    settings = r.RoundSettings.for_council(rutland.council, iterations=150)
    calls = r.calls_for_week(clients, settings)
    bases = [r.Base(name, point.x, point.y, 0) for name, point in
             rutland.places.set_index("name").loc[["Oakham", "Uppingham"]].geometry.items()]
    carers = suggest_carers(calls, bases, settings, engine=rutland_engine)
    plan = r.plan_week(calls, [r.Base(b.name, b.x, b.y, carers[b.name]) for b in bases], rutland_engine, settings)
    assert plan.unserved.empty and len(plan.visits) == len(calls)
    fewer = r.plan_week(calls, [r.Base(b.name, b.x, b.y, max(1, carers[b.name] // 3)) for b in bases],
                        rutland_engine, settings)
    assert len(fewer.unserved) > 0 and (fewer.unserved["constraint"] == "capacity").all()
    assert fewer.unserved["reason"].str.contains("carers work that day").all()


def test_unfitted_calls_say_which_constraint_binds_and_what_would_fit_them():
    clients = _clients([(1000.0, 0.0), (2000.0, 0.0), (80_000.0, 0.0)], ["03:00-04:00", "morning", "07:00-07:10"],
                       minutes=[20.0, 9 * 60.0, 20.0], days=1)
    plan = r.plan_week(r.calls_for_week(clients, r.RoundSettings(iterations=50)), [r.Base("Base", X0, Y0, 2)],
                       STRAIGHT, r.RoundSettings(iterations=50))
    rows = plan.unserved.set_index("client_id")
    assert rows.loc["C0", "constraint"] == "window" and "start a shift at Base by 03:58" in rows.loc["C0", "fix"]
    assert rows.loc["C1", "constraint"] == "shift" and "allow rounds of" in rows.loc["C1", "fix"]
    assert rows.loc["C2", "constraint"] == "window" and "as late as 08:39" in rows.loc["C2", "fix"]


# --- Providers ------------------------------------------------------------------------------------------


def test_the_provider_table_shares_whole_rounds_among_the_entered_providers():
    weekly = pd.DataFrame({"round": list("abcdef"), "locality": ["North"] * 5 + ["South"],
                           "contact_hours": [200.0, 150.0, 120.0, 100.0, 90.0, 80.0]})
    table = provider_table(weekly, {"North": 3, "South": 1}, threshold_hours=210.0, growth={2028: 1.5})
    north = table.loc["North"]
    assert north["providers"] == 3 and north["weekly_hours"] == 660.0 and north["rounds"] == 5
    # Longest first, each to the provider with fewest hours so far: 200 | 150+90 | 120+100.
    assert (north["largest_provider_hours"], north["smallest_provider_hours"]) == (240.0, 200.0)
    assert north["providers_above"] == 2 and not north["viable"]
    assert north["most_viable_providers"] == 2  # 200+100 | 150+120+90
    assert north["hours_2028"] == 990.0 and north["providers_2028"] == 4
    assert table.loc["South", "providers"] == 1 and table.loc["South", "smallest_provider_hours"] == 80.0
    many = provider_table(weekly, {"North": 60, "South": 1}, threshold_hours=210.0)
    assert many.loc["North", "providers"] == 60 and many.loc["North", "smallest_provider_hours"] == 0.0


def test_default_providers_share_the_framework_count(herefordshire):
    council = herefordshire.council
    shares = pd.Series({"A": 0.5, "B": 0.3, "C": 0.2})
    counts, source = default_providers(council, shares)
    assert counts.sum() == council.value("framework_providers") and counts.to_dict() == {"A": 6, "B": 3, "C": 2}
    assert "11 home care framework providers across 4 localities" in source and "Better Care Fund" in source
    one, _ = default_providers(council, pd.Series({"A": 0.25}))
    assert one.to_dict() == {"A": 3}


# --- The API, the workbook and the command line ----------------------------------------------------------


@pytest.fixture(scope="module")
def rutland_report(rutland):
    engine = caremap.travel_engine("rutland", "estimate")
    settings = r.RoundSettings.for_council(rutland.council, iterations=150)
    return caremap.build_rounds(rutland, engine, clients=10, seed=2, settings=settings, providers={
        "Rutland Health PCN": 2})


def test_build_rounds_plans_and_judges_a_week(rutland_report):
    report = rutland_report
    assert set(report.rounds["day"]) == set(range(7)) and report.unserved.empty
    assert {"verdict", "why", "income", "margin", "carer"} <= set(report.rounds.columns)
    assert report.providers.loc["Rutland Health PCN", "providers"] == 2
    assert report.weekly["contact_hours"].sum() == pytest.approx(report.visits["minutes"].sum() / 60)
    assert report.localities["calls_fitted"].sum() == len(report.plan.calls)
    assert "calls fitted over the week" in report.summary()


def test_the_workflow_fills_in_the_providers_of_a_judged_week(rutland_report, rutland):
    """The API and the page share one workflow: the providers step gives a report with its providers, their source
    and the threshold, from the week as judged (which it leaves as it was)."""
    judged = dataclasses.replace(rutland_report, providers=None, providers_source="", threshold_hours=None)
    planned = workflow.planned_localities(judged)
    default, source = workflow.default_provider_counts(rutland, planned)
    kept = workflow.with_providers(judged, rutland)
    assert judged.providers is None and judged.threshold_hours is None
    assert kept.threshold_hours == rutland.council.viability_hours_per_week and kept.providers_source == source
    assert kept.providers["providers"].to_dict() == default.to_dict()
    assert workflow.with_providers(judged, rutland, default).providers_source == source  # the defaults, as given
    entered = workflow.with_providers(judged, rutland, {"Rutland Health PCN": 2})
    assert entered.providers_source == workflow.ENTERED and entered.providers.equals(rutland_report.providers)
    stricter = workflow.with_providers(judged, rutland, {"Rutland Health PCN": 2}, threshold_hours=150.0)
    assert stricter.threshold_hours == 150.0 and stricter.providers["weekly_hours"].equals(
        entered.providers["weekly_hours"])


def test_the_workbook_is_for_people(rutland_report, rutland):
    content = workbook.week_workbook(rutland_report, rutland.council, clients_label="SYNTHETIC: 10 clients",
                                     synthetic=True, engine_label="ESTIMATE")
    sheets = pd.read_excel(BytesIO(content), sheet_name=None)
    assert list(sheets)[0] == "About" and {"rounds", "visits", "not_fitted", "providers", "assumptions"} <= set(sheets)
    visits = sheets["visits"]
    for title in ("Day", "Carer", "Client id", "Postcode", "Fee zone", "Fee (£ per hour)", "Arrive (after the drive)",
                  "Wait for the window (minutes)", "Start of the visit", "Finish"):
        assert title in visits.columns
    # Arrival, the wait for the window and the start are read apart, in that order.
    columns = list(visits.columns)
    assert columns.index("Arrive (after the drive)") + 1 == columns.index("Wait for the window (minutes)") == \
        columns.index("Start of the visit") - 1
    assert (visits["Demand"] == "SYNTHETIC").all() and visits["Start of the visit"].str.match(r"^\d\d:\d\d$").all()
    assert set(visits["Fee zone"]) <= {"inside", "outside"}
    assumptions = sheets["assumptions"]
    assert list(assumptions.columns) == ["Assumption", "Value"]
    text = dict(zip(assumptions["Assumption"], assumptions["Value"]))
    assert text["Call windows (the visit starts within its window)"].startswith("morning 07:00–10:00")
    assert "within 4 miles of Oakham, Uppingham by straight line" in text["Fee zone"]
    assert "SYNTHETIC" in sheets["About"].iloc[0, 1]


def test_the_workbook_states_the_threshold_used(rutland_report, rutland):
    def threshold_row(report):
        content = workbook.week_workbook(report, rutland.council, clients_label="SYNTHETIC", synthetic=True,
                                         engine_label="ESTIMATE")
        assumptions = pd.read_excel(BytesIO(content), sheet_name="assumptions")
        return dict(zip(assumptions["Assumption"], assumptions["Value"]))["Provider viability threshold"]

    documented = rutland.council.viability_hours_per_week
    assert threshold_row(rutland_report) == f"{documented:g} hours a week — {rutland.council.source('viability_hours_per_week')}"
    assert threshold_row(dataclasses.replace(rutland_report, threshold_hours=150.0)) == \
        "150 hours a week — what-if value chosen by the user"


@pytest.mark.slow
def test_the_command_line_plans_a_week(tmp_path, capsys):
    from caremap import cli

    out = tmp_path / "plan.xlsx"
    assert cli.main(["rounds", "--council", "rutland", "--synthetic", "6", "--roads", "estimate", "--seconds", "5",
                     "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Rutland:") and "calls fitted over the week" in lines[0]
    assert lines[1].startswith("Fee: 2019/20 fee (£18.35) a contact hour, 20% more outside the fee zone; pay £8.21 an hour")
    assert lines[2] == ("Pay: £8.21 an hour (National Living Wage from April 2019); legal minimum £8.21 "
                        "(National Living Wage from April 2019, the fee's year).")
    # The fee is 2019/20 money, and so is its pay: the next line says what the legal minimum is now.
    assert lines[3].startswith("Note: Fee and pay are in 2019 money (the fee's year); the legal minimum now is £12.71")
    assert "SYNTHETIC" in lines[4] and "ESTIMATE" in lines[5] and lines[-1] == f"Wrote {out}."
    assert {"rounds", "visits", "not_fitted", "providers", "assumptions"} <= set(pd.read_excel(out, sheet_name=None))
    assert cli.main(["rounds", "--council", "rutland", "--locality", "Nowhere", "--roads", "estimate",
                     "--out", str(out)]) == 2
    assert "is not a PCN locality of Rutland" in capsys.readouterr().err


def test_an_uploaded_list_is_planned_on_its_days_with_the_councils_providers(herefordshire, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("client_id,postcode,calls_per_day,minutes_per_call,windows,days_per_week\n"
                    "A1,HR4 9AB,2,30,morning;tea,3\nA2,HR2 0RG,1,45,,7\nA3,HR4 9AB,3,30,,2\n")
    table = caremap.read_clients(path, herefordshire)
    assert table.problems == [] and len(table.clients) == 3
    settings = r.RoundSettings.for_council(herefordshire.council, iterations=100)
    report = caremap.build_rounds(herefordshire, caremap.travel_engine("herefordshire", "estimate"),
                                  clients=table.clients, settings=settings)
    days = report.visits.groupby("client_id")["day"].nunique().to_dict()
    assert days == {"A1": 3, "A2": 7, "A3": 2} and report.unserved.empty
    assert report.visits.groupby("client_id")["minutes"].first().to_dict() == {"A1": 30.0, "A2": 45.0, "A3": 30.0}
    assert set(report.visits["postcode"]) == {"HR4 9AB", "HR2 0RG"}
    assert report.providers["providers"].sum() >= 1 and "framework" in report.providers_source


def test_rounds_are_listed_by_base_shift_and_number(rutland_report):
    from analyses.rounds.settings import round_order

    key = round_order(rutland_report.settings.shifts)
    assert sorted(["B · Evening 10", "B · Evening 2", "B · Morning 11", "A · Evening 1"], key=key) == [
        "A · Evening 1", "B · Morning 11", "B · Evening 2", "B · Evening 10"]  # mornings first, 2 before 10
    for day, rounds in rutland_report.rounds.groupby("day"):
        assert rounds["round"].tolist() == sorted(rounds["round"], key=key), day
    assert rutland_report.weekly["round"].tolist() == sorted(rutland_report.weekly["round"], key=key)
