"""Round-builder benchmark: the rounds module's own solve path on VRPLIB instances, and a 300-call day.

Run ``python -m bench.rounds [FILE.vrp ...] --seconds 2``. Each ``.vrp`` is read with
``pyvrp.read(round_func="dimacs")`` (the convention of the Solomon best-known solutions: distances
truncated to one decimal and scaled by 10) and solved by :func:`analyses.rounds.solve_problem`; its
best-known cost comes from the ``.sol`` file of the same name beside it. Prints instance, cost, best
known and gap, the time of a 300-call synthetic day, then
``RESULT mean_gap_pct=<x> instances=<n>``. Targets: mean gap ≤ 0.6% at 2 s; 300 calls in < 15 s.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import pyvrp

from analyses import rounds
from analyses.demand import synthetic_clients
from bench.common import print_table
from geo.council import load_council
from layers.council_data import load_council_data
from routing.engine import EstimateEngine

DEFAULT_INSTANCES = sorted((Path(__file__).resolve().parent / "data" / "solomon").glob("*.vrp"))
SCALE = {"dimacs": 10.0, "exact": 1000.0, "none": 1.0, "round": 1.0, "trunc": 1.0}


def best_known(vrp: Path) -> float:
    """The ``Cost`` line of the ``.sol`` file beside an instance."""
    text = vrp.with_suffix(".sol").read_text()
    match = re.search(r"^\s*Cost\s+([0-9.]+)", text, flags=re.MULTILINE | re.IGNORECASE)
    if not match:
        raise SystemExit(f"{vrp.with_suffix('.sol')} has no 'Cost' line")
    return float(match.group(1))


def synthetic_day(calls_wanted: int = 300, seed: int = 1) -> tuple[float, rounds.RoundPlan, int]:
    """Plan a synthetic day of about ``calls_wanted`` calls in East Herefordshire (estimate travel times)."""
    data = load_council_data(load_council("herefordshire"))
    settings = rounds.RoundSettings()
    clients = synthetic_clients(data, "East Herefordshire PCN", seed=seed)
    calls = rounds.calls_for_day(clients, settings)
    keep = calls["client_id"].isin(calls.drop_duplicates("client_id")["client_id"].iloc[
        : int((calls.groupby("client_id").size().cumsum() <= calls_wanted).sum())])
    calls = calls[keep]
    town = data.places.set_index("name").loc["Ledbury"].geometry
    bases = [rounds.Base("Ledbury", town.x, town.y, rounds.suggest_carers(calls))]
    start = time.perf_counter()
    plan = rounds.plan_rounds(calls, bases, EstimateEngine(), settings)
    return time.perf_counter() - start, plan, len(calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instances", nargs="*", type=Path, default=DEFAULT_INSTANCES)
    parser.add_argument("--seconds", type=float, default=2.0, help="solver time per instance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--round-func", default="dimacs", choices=sorted(SCALE))
    arguments = parser.parse_args()

    rows, gaps = [], []
    for path in arguments.instances:
        data = pyvrp.read(path, round_func=arguments.round_func)
        result = rounds.solve_problem(data, time_limit_s=arguments.seconds, seed=arguments.seed)
        cost = result.best.distance() / SCALE[arguments.round_func]
        known = best_known(path)
        gap = 100.0 * (cost - known) / known
        gaps.append(gap)
        rows.append((path.stem, f"{cost:.1f}", f"{known:.1f}", f"{gap:.2f}",
                     "yes" if result.best.is_feasible() else "NO", result.num_iterations))
    print_table(rows, ("instance", "cost", "best known", "gap %", "feasible", "iterations"))
    seconds, plan, calls = synthetic_day()
    print(f"\nSynthetic day (SYNTHETIC demand, East Herefordshire, estimate travel): {calls} calls, "
          f"{len(plan.rounds)} rounds, {len(plan.visits)} served, {len(plan.unserved)} unserved, {seconds:.1f} s")
    print(f"RESULT mean_gap_pct={sum(gaps) / len(gaps):.2f} instances={len(gaps)}")


if __name__ == "__main__":
    main()
