"""``python -m caremap rounds``: plan a week of home-care rounds for a client list (or SYNTHETIC clients) and judge
them."""

from __future__ import annotations

import argparse

from caremap import api
from caremap.commands import _common
from geo import checks
from layers import catalog

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
                        help="judge against the council's base fee (default; net of the uplift where its figure is an "
                             "average that includes it) or the current fee where its documents record a rise; carer "
                             "pay is at least the legal minimum of the fee's year")
    parser.add_argument("--fee-rate", type=float, metavar="POUNDS",
                        help="a fee of your own, £ a contact hour, in place of the --fee's rate (paid from the same "
                             "year, so the same legal minimum pay applies, unless --fee-year says another)")
    parser.add_argument("--fee-year", type=int, metavar="YEAR",
                        help="the year the fee is paid from, whose legal minimum pay applies (default: the fee's own; "
                             "e.g. --fee-rate 24.50 --fee-year 2026 judges a current fee at April 2026's minimum)")
    parser.add_argument("--uplift", type=float, metavar="PERCENT",
                        help="rural uplift outside the fee zone, %% (default: the council's)")
    parser.add_argument("--pay", default="minimum", metavar="POUNDS|minimum|real",
                        help="carer pay: 'minimum' (default, the National Living Wage of the fee's year), 'real' (the "
                             "real Living Wage of that year, a what-if) or £ an hour (flagged when below the minimum)")
    parser.add_argument("--on-costs", type=float, metavar="PERCENT",
                        help="employer's on-costs, %% of pay (default: UKHCA's 29.8)")
    parser.add_argument("--business-costs", type=float, metavar="PERCENT",
                        help="share of income that runs the business, %% (default: UKHCA's 28)")
    parser.add_argument("--mileage", type=float, metavar="POUNDS", help="mileage paid, £ a mile (default 0.45)")
    parser.add_argument("--pay-waiting", action="store_true",
                        help="pay waiting between calls too (the plan is the same; only its cost changes)")
    parser.add_argument("--reading", choices=["straight", "road"], default="straight",
                        help="fee zone by straight line (default) or by road")
    parser.add_argument("--radius", type=float, metavar="MILES", help="fee-zone radius (default: the council's)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="longest solver time per day of the week, seconds (default 15)")
    _common.add_roads(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="plan.xlsx (every sheet) or plan.csv (the visits)")


def _money(arguments: argparse.Namespace) -> dict:
    """The money options given, checked against the page's ranges, as keywords of :func:`caremap.api.round_settings`."""
    money: dict = {"pay_waiting": bool(arguments.pay_waiting)}
    if arguments.pay in ("minimum", "real"):
        money["pay_basis"] = arguments.pay
    else:
        try:
            pay = float(arguments.pay)
        except ValueError:
            from geo.errors import InputDataError

            raise InputDataError(f"--pay {arguments.pay!r} is not allowed: give 'minimum', 'real' or £ an hour "
                                 f"(e.g. 11.44).") from None
        money["carer_pay_per_hour"] = checks.CARER_PAY.check(pay, "--pay")
    for option, key, bounds in (
            ("fee_rate", "fee_rate", checks.FEE_RATE),
            ("fee_year", "fee_year", checks.FEE_YEAR),
            ("uplift", "rural_uplift_pct", checks.UPLIFT_PCT),
            ("on_costs", "wage_on_costs_pct", checks.ON_COSTS_PCT),
            ("business_costs", "business_costs_pct", checks.BUSINESS_COSTS_PCT),
            ("mileage", "mileage_per_mile", checks.MILEAGE)):
        value = getattr(arguments, option)
        if value is not None:
            money[key] = bounds.check(value, f"--{option.replace('_', '-')}")
    return money


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
    if arguments.fee not in {option.key for option in rounds.fee_options(council)}:
        raise InputDataError(f"{council.name}'s settings record no fee rise: use --fee base.")
    money = _money(arguments)
    data = api.load_data(council)
    engine = _common.travel_engine(arguments, council, data)
    settings = api.round_settings(data, engine, fee=arguments.fee, reading=arguments.reading, **money,
                                  time_limit_s=arguments.seconds, seed=arguments.seed)
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
                                                     f"Travel times: {engine.label}.", report.summary(),
                                                     f"Data vintages: {catalog.vintage_summary(council)}"])
    out.write(content)
    print(f"{council.name}: {report.summary()}.")
    print(f"Fee: {settings.fee_source.split(' — ')[0]} a contact hour, "
          f"{settings.rural_uplift_pct:g}% more outside the fee zone; pay £{settings.carer_pay_per_hour:.2f} an hour "
          f"with {settings.wage_on_costs_pct:g}% on-costs; {settings.business_costs_pct:g}% of income to business "
          f"costs; waiting between calls {'paid' if settings.pay_waiting else 'not paid'}.")
    print(f"Pay: £{settings.carer_pay_per_hour:.2f} an hour ({settings.pay_source.split(',')[0]}); legal minimum "
          f"{settings.minimum_text()}.")
    if settings.pay_warning():
        print(f"Warning: {settings.pay_warning()}")
    if settings.money_year_note():
        print(f"Note: {settings.money_year_note()}")
    print(f"Clients: {label}.")
    print(f"Travel times: {engine.label}")
    print(f"Wrote {out}.")
    return 0
