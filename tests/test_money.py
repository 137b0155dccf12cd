"""Money a provider and a commissioner can bank on: pay by year and never below the legal minimum unless typed and
flagged, the base fee net of the uplift, the road reading's estimated band, stub rounds merged without losing a call,
waiting pay re-judging the same plan, the market beside the plan, and the command line's money options."""

import subprocess
import sys
from io import BytesIO

import numpy as np
import pandas as pd
import pytest

from analyses import fee_costing, fee_zones
from analyses import rounds as r
from analyses.base_fee import OutsideShare, council_base_fee, net_base_fee
from analyses.demand import synthetic_clients
from analyses.fee_costing import Demand, FeeAssumptions
from analyses.rounds import workbook
from analyses.rounds.bases import suggest_carers
from analyses.rounds.market import market_note, market_table
from analyses.rounds.settings import wage_for_year
from analyses.rounds.stubs import stub_rounds
from geo.council import WHAT_IF, list_councils, load_council, national_figures
from routing.engine import EstimateEngine


@pytest.fixture(scope="module")
def hereford_centres(herefordshire):
    return fee_zones.zone_centres(herefordshire.places, herefordshire.council.fee_zone_centres)


@pytest.fixture(scope="module")
def hereford_zones(herefordshire, hereford_centres):
    return fee_zones.classify_postcodes(herefordshire.postcodes, herefordshire.lsoa, hereford_centres, EstimateEngine(),
                                        radius_miles=4.0)


@pytest.fixture(scope="module")
def rutland_report(rutland):
    import caremap

    settings = r.RoundSettings.for_council(rutland.council, iterations=100)
    return caremap.build_rounds(rutland, caremap.travel_engine("rutland", "estimate"), clients=6, seed=2,
                                settings=settings)

# --- Pay by year ------------------------------------------------------------------------------------------------


def test_the_national_living_wage_by_year_is_govuks_with_its_source():
    figures = national_figures()
    wage = {int(year): rate for year, rate in figures["national_living_wage"].value.items()}
    # GOV.UK, National Minimum Wage and National Living Wage rates, from April of each year.
    assert wage == {2019: 8.21, 2020: 8.72, 2021: 8.91, 2022: 9.50, 2023: 10.42, 2024: 11.44, 2025: 12.21, 2026: 12.71}
    assert "GOV.UK" in figures["national_living_wage"].source
    real = {int(year): rate for year, rate in figures["real_living_wage"].value.items()}
    assert "Living Wage Foundation" in figures["real_living_wage"].source and real[2023] == 10.90
    assert all(real[year] > wage[year] for year in wage)  # the voluntary rate is above the law every year
    assert wage_for_year(2023).per_hour == 10.42 and wage_for_year(2023, "real").per_hour == 10.90
    assert "earliest rate known for 2016" in wage_for_year(2016).source


@pytest.mark.parametrize("council", list_councils(), ids=lambda council: council.slug)
def test_pay_is_never_below_the_legal_minimum_of_the_fees_year(council):
    for option in r.fee_options(council):
        minimum = wage_for_year(option.year).per_hour
        for basis in r.PAY_BASES:
            settings = r.RoundSettings.for_council(council, fee=option, pay_basis=basis)
            assert settings.minimum_pay_per_hour == minimum
            assert settings.carer_pay_per_hour >= minimum and settings.pay_warning() == ""
    # Herefordshire's current fee is its 2019/20 fee raised 8.7% in April 2023: April 2023's £10.42, not £8.92.
    if council.slug == "herefordshire":
        current = {option.key: option for option in r.fee_options(council)}["current"]
        assert current.year == 2023 and r.RoundSettings.for_council(council, fee=current).carer_pay_per_hour == 10.42


def test_a_fee_of_an_earlier_year_says_the_minimum_now_and_a_typed_fee_can_be_of_this_year(rutland):
    base = r.fee_options(rutland.council)[0]
    settings = r.RoundSettings.for_council(rutland.council, fee=base)
    assert base.year == 2019 and settings.carer_pay_per_hour == 8.21
    assert "the legal minimum now is £12.71 (National Living Wage from April 2026)" in settings.money_year_note()
    # A fee typed alone is paid from the replaced fee's year; with its year, that year's minimum applies.
    assert r.what_if_fee(base, 24.5).year == 2019 and r.what_if_fee(base, base.fee_per_hour) is base
    current = r.what_if_fee(base, 24.5, year=2026)
    assert current.year == 2026 and "paid from 2026" in current.label
    today = r.RoundSettings.for_council(rutland.council, fee=current)
    assert today.carer_pay_per_hour == 12.71 and today.money_year_note() == ""
    from caremap import api

    assert api.round_settings(rutland, EstimateEngine(), fee_rate=24.5, fee_year=2026).carer_pay_per_hour == 12.71


def test_the_command_line_takes_a_fees_year(tmp_path, capsys):
    from caremap import cli

    command = ["rounds", "--council", "rutland", "--synthetic", "4", "--roads", "estimate", "--seconds", "1",
               "--fee-rate", "24.5", "--out", str(tmp_path / "plan.csv")]
    assert cli.main([*command, "--fee-year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "£24.50 (what-if in place of the 2019/20 fee (£18.35), paid from 2026)" in out
    assert "Pay: £12.71 an hour (National Living Wage from April 2026)" in out and "Note:" not in out
    assert cli.main([*command, "--fee-year", "1990"]) == 2
    assert "--fee-year 1990 is not allowed" in capsys.readouterr().err


def test_a_pay_typed_below_the_minimum_is_used_and_flagged(rutland_report, rutland):
    import dataclasses

    typed = dataclasses.replace(rutland_report.settings, carer_pay_per_hour=7.0, pay_source=WHAT_IF)
    assert typed.carer_pay_per_hour == 7.0  # used as typed, never silently raised
    assert typed.pay_warning().startswith("Pay £7.00 an hour is below the legal minimum for the fee's year: £8.21, "
                                          "the National Living Wage from April 2019.")
    report = r.judge_week(rutland_report.plan, typed, zones=None, client_locality=pd.Series(dtype=object))
    content = workbook.week_workbook(report, rutland.council, clients_label="SYNTHETIC", synthetic=True,
                                     engine_label="ESTIMATE")
    sheets = pd.read_excel(BytesIO(content), sheet_name=None)
    rows = dict(zip(sheets["assumptions"]["Assumption"], sheets["assumptions"]["Value"]))
    assert rows["WARNING: pay below the legal minimum"] == typed.pay_warning()
    assert rows["Legal minimum pay for the fee's year"].startswith("£8.21 (National Living Wage from April 2019")
    assert typed.pay_warning() in sheets["About"].iloc[:, 1].tolist()


# --- The base fee net of the uplift -----------------------------------------------------------------------------


def test_the_uplift_is_costed_on_a_base_net_of_the_uplift():
    # A council documents an average of £23 an hour over 40 hours a week, 30 of them outside the zone at 20% more.
    # Share outside 0.75: base = 23 / (1 + 0.2 × 0.75) = £20.00; the uplift costs 30 × £20 × 20% = £120 a week, not
    # the £138 of 30 × £23 × 20%; base and uplift together give back the documented spend, 40 × £23 = £920.
    assert net_base_fee(23.0, 20.0, 0.75) == pytest.approx(20.0)
    demand = Demand(np.array([10.0, 30.0]), np.array([1.0, 3.0]), "test")
    outside = np.array([False, True])
    cost = fee_costing.zone_cost(outside, demand, FeeAssumptions(net_base_fee(23.0, 20.0, 0.75), 20.0))
    assert cost["weekly_uplift"] == pytest.approx(120.0)
    assert cost["weekly_base"] + cost["weekly_uplift"] == pytest.approx(920.0)
    doubled = fee_costing.zone_cost(outside, demand, FeeAssumptions(23.0, 20.0))
    assert doubled["weekly_uplift"] == pytest.approx(138.0)  # 15% too much: the uplift counted twice


def test_herefordshires_average_fee_is_netted_with_the_modelled_share(herefordshire, hereford_zones):
    council = herefordshire.council
    share = fee_costing.outside_share(hereford_zones, herefordshire, reading="straight")
    assert "SYNTHETIC" in share.source and "straight line" in share.source
    demand = fee_costing.modelled_demand(hereford_zones, herefordshire)
    outside = ~hereford_zones["inside_straight"].to_numpy()
    assert share.share == pytest.approx(demand.hours[outside].sum() / 9_900)
    base = council_base_fee(council, share)
    assert base.netted and base.average_per_hour == 19.45
    assert base.per_hour == pytest.approx(19.45 / (1 + 0.20 * share.share))
    assert f"{share.share:.1%}" in base.source and "average £19.45" in base.source
    # On the modelled demand the base and the uplift give back the council's documented spend, £19.45 × 9,900 a week.
    cost = fee_costing.zone_cost(outside, demand, FeeAssumptions.for_council(council, share))
    assert cost["weekly_base"] + cost["weekly_uplift"] == pytest.approx(19.45 * 9_900)
    overstated = fee_costing.zone_cost(outside, demand, FeeAssumptions(19.45, 20.0))["annual_uplift"] / \
        cost["annual_uplift"] - 1
    assert overstated == pytest.approx(0.20 * share.share) and 0.04 < overstated < 0.08  # "about 6%"
    # Councils whose fee is not such an average keep it; without a share the average is kept and said so.
    assert council_base_fee(load_council("rutland"), OutsideShare(0.5, "x")).per_hour == 18.35
    # Councils that publish no fee take Herefordshire's base net of its uplift, the figure solved here.
    assert council.value("base_fee_net_per_hour") == round(base.per_hour, 2) == 18.35
    assert "not netted" in council_base_fee(council).source
    options = r.fee_options(council, base_fee=base)
    assert options[0].fee_per_hour == pytest.approx(base.per_hour) and "net of the uplift" in options[0].label
    assert options[1].fee_per_hour == pytest.approx(base.per_hour * 1.087)


# --- The road reading without roads -----------------------------------------------------------------------------


def test_without_roads_the_road_reading_is_a_band(herefordshire, hereford_centres, hereford_zones, rutland_engine,
                                                 rutland):
    low, high = fee_zones.road_band(EstimateEngine())
    assert (low, high) == pytest.approx((1.14 / 1.245, 1.49 / 1.245))  # the calibration's p10 and p90 over its median
    assert np.allclose(hereford_zones["road_miles_low"], hereford_zones["road_miles"] * low)
    assert np.allclose(hereford_zones["road_miles_high"], hereford_zones["road_miles"] * high)
    demand = fee_costing.modelled_demand(hereford_zones, herefordshire)
    fees = FeeAssumptions(18.0, 20.0)
    band = fee_costing.road_cost_band(hereford_zones, demand, fees, radius_miles=4.0)
    central = fee_costing.zone_cost(~hereford_zones["inside_road"].to_numpy(), demand, fees)
    assert band["low"]["annual_uplift"] < central["annual_uplift"] < band["high"]["annual_uplift"]
    outside_few = ~(hereford_zones["road_miles"] * low <= 4.0)
    assert band["low"]["hours_outside"] == pytest.approx(demand.hours[outside_few.to_numpy()].sum())
    assert set(fee_costing.band_readings(hereford_zones)) == {"straight", "road", "road, few detours",
                                                              "road, many detours"}
    ring, text = fee_zones.road_band_zone(EstimateEngine(), hereford_centres, radius_miles=4.0)
    assert ring.area.iloc[0] > 0 and text.startswith("ESTIMATE band")
    assert "python -m caremap roads --council herefordshire" in fee_zones.prepare_roads("herefordshire")
    # With real roads the reading is measured: no band.
    oakham = fee_zones.zone_centres(rutland.places, ["Oakham"])
    real = fee_zones.classify_points(np.array([[486_000.0, 308_000.0]]), oakham, rutland_engine, radius_miles=4.0)
    assert (real["road_miles_low"] == real["road_miles"]).all() and fee_zones.road_band(rutland_engine) is None
    assert fee_zones.road_band_zone(rutland_engine, oakham, radius_miles=4.0) is None
    assert fee_costing.road_cost_band(real.assign(road_method="road"), Demand(np.ones(1), np.ones(1), "x"), fees,
                                      radius_miles=4.0) is None


# --- Stub rounds, waiting pay ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_week(herefordshire):
    """30 SYNTHETIC clients of North & West Herefordshire, some seen only one to three days a week."""
    clients = synthetic_clients(herefordshire, "North & West Herefordshire PCN", clients=30, seed=3)
    clients["days_per_week"] = np.random.default_rng(1).choice([7, 3, 2, 1], len(clients), p=[0.5, 0.2, 0.15, 0.15])
    engine = EstimateEngine()
    calls = r.calls_for_week(clients, r.RoundSettings(iterations=100, time_limit_s=600))
    towns = herefordshire.places.set_index("name").loc[["Leominster", "Kington"]].geometry
    bases = [r.Base(name, point.x, point.y, 0) for name, point in towns.items()]
    carers = suggest_carers(calls, bases, r.RoundSettings(iterations=100), engine=engine)
    bases = [r.Base(base.name, base.x, base.y, carers[base.name]) for base in bases]
    return clients, calls, bases, engine


@pytest.mark.slow
def test_merging_stub_rounds_never_leaves_a_call_unfitted(mixed_week):
    _, calls, bases, engine = mixed_week
    kept = r.plan_week(calls, bases, engine, r.RoundSettings(iterations=100, time_limit_s=600, stub_days=0))
    merged = r.plan_week(calls, bases, engine, r.RoundSettings(iterations=100, time_limit_s=600))
    merged_settings = r.RoundSettings()
    stubs = stub_rounds(kept.rounds, merged_settings)
    assert stubs and len(merged.merged) > 0  # the case has stubs, and some are merged
    assert set(merged.visits["call_id"]) == set(kept.visits["call_id"])  # every call fitted before is fitted after
    assert set(merged.unserved["call_id"]) == set(kept.unserved["call_id"])
    for row in merged.merged.itertuples():  # a merged stub is gone from its day
        assert not ((merged.rounds["day"] == row.day) & (merged.rounds["round"] == row.round)).any()
    assert set(merged.top_ups) == set(stub_rounds(merged.rounds, merged_settings)) and set(merged.top_ups) < set(stubs)
    windows = calls.set_index("call_id")
    minutes = merged.visits["start"].map(lambda text: int(text[:2]) * 60 + int(text[3:]))
    assert (windows.loc[merged.visits["call_id"], "tw_start_min"].to_numpy() <= minutes.to_numpy()).all()
    assert (minutes.to_numpy() <= windows.loc[merged.visits["call_id"], "tw_end_min"].to_numpy()).all()
    assert (merged.rounds["paid_hours"] <= 7.0 + 1e-9).all()
    # Top-up calls are judged apart: not rounds, neither viable nor unviable.
    report = r.judge_week(merged, r.RoundSettings(income_per_contact_hour=20.0), zones=None,
                          client_locality=pd.Series(dtype=object))
    top = report.weekly[report.weekly["kind"] == r.TOP_UP]
    assert set(top["round"]) == set(merged.top_ups) and (top["verdict"] == r.TOP_UP).all()
    assert report.round_count == len(report.weekly) - len(top) and "top-up calls apart" in report.summary()


def test_changing_waiting_pay_keeps_the_plan_and_changes_only_money(mixed_week):
    _, calls, bases, engine = mixed_week
    unpaid = r.RoundSettings(iterations=100, time_limit_s=600, income_per_contact_hour=20.0)
    paid = r.RoundSettings(**{**unpaid.__dict__, "pay_waiting": True})
    assert paid.solver_key() == unpaid.solver_key()  # the page keeps its plan
    plan = r.plan_week(calls, bases, engine, unpaid)
    locality = pd.Series(dtype=object)
    one, other = (r.judge_week(plan, settings, zones=None, client_locality=locality) for settings in (unpaid, paid))
    pd.testing.assert_frame_equal(one.visits, other.visits)  # the same calls in the same rounds
    assert one.rounds["round"].tolist() == other.rounds["round"].tolist()
    idle = one.rounds["idle_hours"].to_numpy()
    assert idle.sum() > 0
    assert np.allclose(other.rounds["paid_hours"] - one.rounds["paid_hours"], idle)
    assert np.allclose(other.rounds["cost"] - one.rounds["cost"], idle * unpaid.employer_cost_per_hour)
    assert other.weekly["margin"].sum() == pytest.approx(one.weekly["margin"].sum()
                                                         - idle.sum() * unpaid.employer_cost_per_hour)


# --- The market beside the plan -----------------------------------------------------------------------------------


def test_the_market_as_herefordshires_documents_describe_it(rutland_report):
    council = load_council("herefordshire")
    table = market_table(council).set_index("figure")
    assert table.loc["Approved home-care providers", "value"] == "33 providers"
    assert table.loc["Providers delivering under 300 hours/week", "value"] == "70%"
    assert table.loc["Home Care Framework providers", "value"] == "11 providers"
    assert table.loc["Home Care Framework locality areas", "value"] == "4 localities"
    delays = table.loc["Where home-care packages wait longest"]
    assert "Golden Valley, the south and the west" in delays["value"] and "Market Position Statement" in delays["source"]
    assert table["documented"].all()
    assert "Market Position Statement" in market_note(council) and "Better Care Fund" in market_note(council)
    # A council without documents says so; the plan is set beside the figures.
    rutland = load_council("rutland")
    assert market_note(rutland).startswith("No document of Rutland's home-care market is held")
    beside = market_table(rutland, rutland_report).set_index("figure")
    assert "contact hours a week" in beside.loc["Provider viability threshold", "your_plan"]


# --- The command line -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_command_line_takes_the_pages_money_options(tmp_path):
    out = tmp_path / "plan.csv"
    command = [sys.executable, "-m", "caremap", "rounds", "--council", "rutland", "--synthetic", "5", "--roads",
               "estimate", "--seconds", "3", "--out", str(out)]
    done = subprocess.run([*command, "--fee-rate", "21.5", "--uplift", "25", "--pay", "7.5", "--on-costs", "30",
                           "--business-costs", "25", "--mileage", "0.5", "--pay-waiting"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("Fee: £21.50 (what-if in place of the 2019/20 fee (£18.35)) a contact hour, 25% more "
                               "outside the fee zone; pay £7.50 an hour with 30% on-costs; 25% of income to business "
                               "costs; waiting between calls paid.")
    assert lines[2] == ("Pay: £7.50 an hour (what-if value chosen by the user); legal minimum £8.21 (National Living "
                        "Wage from April 2019, the fee's year).")
    assert lines[3].startswith("Warning: Pay £7.50 an hour is below the legal minimum for the fee's year: £8.21")
    real = subprocess.run([*command, "--pay", "real"], capture_output=True, text=True, timeout=180)
    assert "Pay: £9.00 an hour (Real Living Wage from May 2019); legal minimum £8.21" in real.stdout
    for option, value, message in (("--pay", "lots", "--pay 'lots' is not allowed"),
                                   ("--on-costs", "150", "--on-costs 150 is not allowed"),
                                   ("--fee-rate", "0", "--fee-rate 0 is not allowed")):
        bad = subprocess.run([*command, option, value], capture_output=True, text=True, timeout=120)
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr
