"""Money figures: a provider's week in North & West Herefordshire judged at each pay assumption, and what the rural
uplift costs before and after the average fee is netted of it.

Run ``python -m bench.money``. The provider's list is ``tests/fixtures/north_west_80_clients.csv`` (80 invented
clients at real postcodes of the locality, one to seven days a week, the list the browser walkthrough uploads),
planned once on the labelled estimate with a fixed iteration budget (same inputs, same rounds), then judged with the
current fee (the 2019/20 fee raised 8.7% in April 2023):

* as before this change: the average £19.45 raised 8.7% as the base, pay £8.21 raised by the same 8.7% (£8.92);
* at the legal minimum of the fee's year (£10.42) on the base net of the uplift;
* at April 2024's £11.44 and at the real Living Wage of the fee's year (what-ifs).

Ends with ``RESULT viable_before=… margin_before=… viable_minimum=… margin_minimum=… uplift_before=… uplift_after=…``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from analyses import fee_costing
from analyses import rounds as r
from analyses.base_fee import council_base_fee
from analyses.fee_costing import FeeAssumptions
from analyses.rounds.settings import pounds
from bench.common import print_table
from caremap import api

LIST = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "north_west_80_clients.csv"


def main() -> None:
    data = api.load_data("herefordshire")
    council = data.council
    engine = api.travel_engine(council, "estimate")
    started = time.perf_counter()
    clients = api.read_clients(LIST, data).clients
    planned = api.round_settings(data, engine, fee="current", iterations=1000, time_limit_s=600)
    report = api.build_rounds(data, engine, clients=clients, settings=planned)
    seconds = time.perf_counter() - started
    plan, zones, locality = report.plan, None, report.visits.groupby("client_id")["locality"].first()
    rule = report.zone_rule
    zones = r.client_zones(clients, data.places, engine, rule)
    average_current = council.base_fee_per_hour * (1 + council.value("fee_rise_pct") / 100)
    scenarios = {
        "before: average fee, pay £8.21 + 8.7%": dataclasses.replace(
            planned, income_per_contact_hour=average_current, carer_pay_per_hour=8.21 * 1.087),
        "legal minimum of the fee's year": planned,
        "April 2024 minimum £11.44": dataclasses.replace(planned, carer_pay_per_hour=11.44),
        "real Living Wage of the fee's year": api.round_settings(data, engine, fee="current", pay_basis="real"),
        "legal minimum, waiting paid": dataclasses.replace(planned, pay_waiting=True),
    }
    rows, results = [], {}
    for name, settings in scenarios.items():
        judged = r.judge_week(plan, settings, zones=zones, client_locality=locality, zone_rule=rule)
        margin = float(judged.weekly["margin"].sum())
        results[name] = (judged.viable_rounds, margin)
        rows.append((name, f"£{settings.income_per_contact_hour:.2f}", f"£{settings.carer_pay_per_hour:.2f}",
                     f"{judged.viable_rounds} of {judged.round_count}", pounds(margin)))
    print(f"North & West Herefordshire, 80 clients ({len(plan.calls):,} calls a week), planned in {seconds:.0f} s; "
          f"{report.top_up_text() or 'no stub rounds'}.")
    print_table(rows, ("judged with", "fee (inside)", "pay", "rounds viable", "margin a week"))

    share = fee_costing.council_outside_share(data, engine)
    base = council_base_fee(council, share)
    classified = api.classify_fee_zones(data, engine)
    demand = fee_costing.modelled_demand(classified, data)
    costs = []
    for name, fees in (("average £19.45 (before)", FeeAssumptions(council.base_fee_per_hour, 20.0)),
                       (f"base £{base.per_hour:.2f} net of the uplift", FeeAssumptions.for_council(council, share))):
        straight = fee_costing.zone_cost(~classified["inside_straight"].to_numpy(), demand, fees)["annual_uplift"]
        road = fee_costing.zone_cost(~classified["inside_road"].to_numpy(), demand, fees)["annual_uplift"]
        band = fee_costing.road_cost_band(classified, demand, fees, radius_miles=council.fee_zone_radius_miles)
        costs.append((name, f"£{straight:,.0f}", f"£{road:,.0f}", f"£{band['low']['annual_uplift']:,.0f}–"
                                                                 f"£{band['high']['annual_uplift']:,.0f}", straight))
    print(f"\nHerefordshire's uplift a year on SYNTHETIC demand; share of hours outside 4 miles by straight line "
          f"{share.share:.1%}:")
    print_table([row[:4] for row in costs], ("base fee", "straight line", "road (estimate)", "road band (estimate)"))
    before, after = results["before: average fee, pay £8.21 + 8.7%"], results["legal minimum of the fee's year"]
    print(f"RESULT viable_before={before[0]} margin_before={before[1]:.0f} viable_minimum={after[0]} "
          f"margin_minimum={after[1]:.0f} uplift_before={costs[0][4]:.0f} uplift_after={costs[1][4]:.0f}")


if __name__ == "__main__":
    main()
