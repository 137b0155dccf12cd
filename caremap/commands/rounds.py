"""``python -m caremap rounds``: build rounds of care calls for a client list (or SYNTHETIC clients) and judge them."""

from __future__ import annotations

import argparse

from caremap import api
from caremap.commands import _common

NAME = "rounds"
HELP = "build rounds of home-care calls and judge their viability (XLSX or CSV)"
DESCRIPTION = ("Shares the calls of a client list among carers' shifts with PyVRP, on real roads or the labelled "
               "estimate, and judges each round (travel share, contact hours, cost against the council's fee). "
               "Without --clients, SYNTHETIC clients are placed by the 65+/85+ population (labelled so).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    parser.add_argument("--clients", metavar="FILE", help="client list: client_id, postcode (or lat/lon), "
                                                          "calls_per_day, minutes_per_call, windows, days_per_week")
    parser.add_argument("--synthetic", type=int, default=40, metavar="N",
                        help="number of SYNTHETIC clients when no --clients is given (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic clients and the solver")
    parser.add_argument("--carers", type=int, help="carers at the base (default: enough for the busiest window)")
    parser.add_argument("--seconds", type=float, default=30.0, help="longest solver time, seconds (default 30)")
    _common.add_roads(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="plan.xlsx or plan.csv (the visits)")


def run(arguments: argparse.Namespace) -> int:
    from analyses import exports, rounds

    council = _common.council_of(arguments)
    clients_file = _common.input_file(arguments.clients, "client list")
    out = _common.output_file(arguments.out, (".xlsx", ".csv"), "plan file")
    data = api.load_data(council)
    engine = api.travel_engine(council, _common.roads_of(arguments, council))
    settings = rounds.RoundSettings.for_council(council, time_limit_s=arguments.seconds, seed=arguments.seed)
    if clients_file:
        table = api.read_clients(clients_file, data, settings=settings)
        for problem in table.problems:
            print(f"warning: {clients_file.name}: {problem}")
        clients, label = table.clients, f"client list {clients_file.name}"
    else:
        clients = api.synthetic_clients(data, clients=arguments.synthetic, seed=arguments.seed)
        label = f"SYNTHETIC: {arguments.synthetic} clients, seed {arguments.seed}"
    plan = api.build_rounds(data, engine, clients=clients, settings=settings, carers=arguments.carers)
    about = [f"Rounds for {council.name}; clients: {label}.", f"Travel times: {engine.label}."]
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(exports.xlsx_bytes({"rounds": plan.rounds, "visits": plan.visits,
                                            "not fitted": plan.unserved}, about))
    else:
        out.write_bytes(exports.csv_bytes(plan.visits, about))
    viable = int((plan.rounds["verdict"] == "viable").sum())
    print(f"{council.name}: {len(plan.visits)} of {len(plan.visits) + len(plan.unserved)} calls fitted in "
          f"{len(plan.rounds)} rounds ({viable} viable); {label}; {engine.label}. Wrote {out}.")
    return 0
