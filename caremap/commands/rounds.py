"""``python -m caremap rounds``: plan a week of home-care rounds for a client list (or SYNTHETIC clients) and judge
them."""

from __future__ import annotations

import argparse

from caremap import api
from caremap.commands import _common
from geo import checks

NAME = "rounds"
HELP = "plan a week of home-care rounds and judge their viability (XLSX or CSV)"
DESCRIPTION = ("Plans Monday to Sunday with PyVRP, on real roads or the labelled estimate: each client visited on "
               "their days a week, calls at least the least gap apart, the same carers and bases every day. Each "
               "round is judged on its cost against its income (the council's fee, with the rural uplift outside "
               "the fee zone), travel share and contact hours; providers per locality are tested against the "
               "viability threshold. Without --clients, SYNTHETIC clients are placed by the 65+/85+ population "
               "(labelled so).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    parser.add_argument("--clients", metavar="FILE", help="client list: client_id, postcode (or lat/lon), "
                                                          "calls_per_day, minutes_per_call, windows, days_per_week")
    parser.add_argument("--synthetic", type=int, default=40, metavar="N",
                        help="number of SYNTHETIC clients when no --clients is given (default 40)")
    parser.add_argument("--locality", metavar="NAME", help="PCN locality of the SYNTHETIC clients (default: the "
                                                           "whole council)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic clients and the solver")
    parser.add_argument("--carers", type=int, help="carers in all, shared among the bases (default: enough to fit "
                                                   "every call any round can take)")
    parser.add_argument("--fee", choices=["base", "current"], default="base",
                        help="judge against the council's base fee (default) or the current fee where its documents "
                             "record a rise; carer pay follows the fee's price level")
    parser.add_argument("--reading", choices=["straight", "road"], default="straight",
                        help="fee zone by straight line (default) or by road")
    parser.add_argument("--radius", type=float, metavar="MILES", help="fee-zone radius (default: the council's)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="longest solver time per day of the week, seconds (default 15)")
    _common.add_roads(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="plan.xlsx (every sheet) or plan.csv (the visits)")


def run(arguments: argparse.Namespace) -> int:
    from analyses import exports, rounds
    from analyses.rounds import workbook
    from geo.errors import InputDataError

    council = _common.council_of(arguments)
    clients_file = _common.input_file(arguments.clients, "client list")
    out = _common.output_file(arguments.out, (".xlsx", ".csv"), "plan file", arguments)
    checks.SOLVER_SECONDS.check(arguments.seconds, "--seconds")
    checks.SEED.check(arguments.seed, "--seed")
    if not clients_file:
        checks.Bounds(1, rounds.MAX_PLAN_PLACES, "the number of SYNTHETIC clients", whole=True).check(
            arguments.synthetic, "--synthetic")
    if arguments.carers is not None:
        checks.CARERS.check(arguments.carers, "--carers")
    if arguments.radius is not None:
        checks.FEE_ZONE_RADIUS_MILES.check(arguments.radius, "--radius")
    options = {option.key: option for option in rounds.fee_options(council)}
    if arguments.fee not in options:
        raise InputDataError(f"{council.name}'s settings record no fee rise: use --fee base.")
    data = api.load_data(council)
    engine = _common.travel_engine(arguments, council, data)
    settings = rounds.RoundSettings.for_council(council, fee=options[arguments.fee], time_limit_s=arguments.seconds,
                                                seed=arguments.seed)
    if clients_file:
        clients = _common.read_client_list(clients_file, data, purpose="rounds", settings=settings)
        label = f"client list {clients_file.name}"
    else:
        clients = api.synthetic_clients(data, clients=arguments.synthetic, locality=arguments.locality,
                                        seed=arguments.seed)
        where = f" in {arguments.locality}" if arguments.locality else ""
        label = f"SYNTHETIC: {arguments.synthetic} clients{where}, seed {arguments.seed}"
    report = api.build_rounds(data, engine, clients=clients, settings=settings, carers=arguments.carers,
                              radius_miles=arguments.radius, reading=arguments.reading)
    synthetic = not clients_file
    if out.suffix.lower() == ".xlsx":
        content = lambda: workbook.week_workbook(report, council, clients_label=label, synthetic=synthetic,
                                                 engine_label=engine.label)
    else:
        visits = workbook.plan_sheets(report, report.providers, synthetic=synthetic)["visits"]
        content = lambda: exports.csv_bytes(visits, [f"Rounds for a week in {council.name}; clients: {label}.",
                                                     f"Travel times: {engine.label}.", report.summary()])
    out.write(content)
    print(f"{council.name}: {report.summary()}.")
    print(f"Fee: £{settings.income_per_contact_hour:.2f} an hour ({arguments.fee}), {settings.rural_uplift_pct:g}% more "
          f"outside the fee zone; pay £{settings.carer_pay_per_hour:.2f} an hour with {settings.wage_on_costs_pct:g}% "
          f"on-costs; {settings.business_costs_pct:g}% of income to business costs.")
    print(f"Clients: {label}.")
    print(f"Travel times: {engine.label}")
    print(f"Wrote {out}.")
    return 0
