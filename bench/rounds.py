"""Round-builder benchmark: the rounds module's own solve path on VRPLIB instances, a 300-call day and a 2,000-call
week.

Run ``python -m bench.rounds [FILE.vrp ...] --seconds 2``. Each ``.vrp`` is read with
``pyvrp.read(round_func="dimacs")`` (the convention of the Solomon best-known solutions: distances
truncated to one decimal and scaled by 10) and solved by :func:`analyses.solve_problem`; its
best-known cost comes from the ``.sol`` file of the same name beside it. Then a 300-call SYNTHETIC day
and a SYNTHETIC week of about 2,000 calls in East Herefordshire (estimate travel times; clients visited
1 to 7 days a week so that every day differs), planned with the suggested bases and carers, timed
end to end; the week is planned again without following the rounds from day to day to show what that
gains in continuity of care. Prints instance, cost, best known and gap, then the figures, then
``RESULT mean_gap_pct=<x> instances=<n> day_s=<s> week_s=<s> week_calls=<n> continuity=<x>``.
Targets: mean gap ≤ 0.6% at 2 s; 300 calls in < 15 s; a 2,000-call week in < 120 s on 2 cores.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np
import pyvrp

from analyses import rounds
from analyses.demand import synthetic_clients
from analyses.rounds.bases import base_candidates, suggest_bases, suggest_carers
from analyses.rounds.carers import best_continuity, continuity
from analyses.rounds.model import solve_problem
from bench.common import print_table
from geo.council import load_council
from layers.council_data import load_council_data
from routing.engine import EstimateEngine

DEFAULT_INSTANCES = sorted((Path(__file__).resolve().parent / "data" / "solomon").glob("*.vrp"))
SCALE = {"dimacs": 10.0, "exact": 1000.0, "none": 1.0, "round": 1.0, "trunc": 1.0}
LOCALITY = "East Herefordshire PCN"
DAYS_MIX = {7: 0.55, 5: 0.15, 4: 0.1, 3: 0.1, 2: 0.1}
"""Days a week of the benchmark week's clients (a mix, so that every day's calls differ)."""


def best_known(vrp: Path) -> float:
    """The ``Cost`` line of the ``.sol`` file beside an instance."""
    text = vrp.with_suffix(".sol").read_text()
    match = re.search(r"^\s*Cost\s+([0-9.]+)", text, flags=re.MULTILINE | re.IGNORECASE)
    if not match:
        raise SystemExit(f"{vrp.with_suffix('.sol')} has no 'Cost' line")
    return float(match.group(1))


def _suggested_bases(data, clients, calls, engine, settings) -> list[rounds.Base]:
    """The page's suggestion: bases among the locality's towns, carers that fit every call."""
    candidates = base_candidates(data.places, data.localities, clients)
    weights = calls.groupby("client_id").size().reindex(clients["client_id"]).fillna(0).to_numpy()
    chosen = suggest_bases(candidates, clients, engine, weights=weights)
    bases = [rounds.Base(row.name, row.x, row.y, 0) for row in chosen.itertuples()]
    carers = suggest_carers(calls, bases, settings, engine=engine)
    return [rounds.Base(base.name, base.x, base.y, carers[base.name]) for base in bases]


def synthetic_day(calls_wanted: int = 300, seed: int = 1) -> tuple[float, rounds.RoundPlan, int]:
    """Plan a synthetic day of about ``calls_wanted`` calls in East Herefordshire (estimate travel times)."""
    data = load_council_data(load_council("herefordshire"))
    settings = rounds.RoundSettings()
    clients = synthetic_clients(data, LOCALITY, seed=seed)
    calls = rounds.calls_for_day(clients, settings)
    keep = calls["client_id"].isin(calls.drop_duplicates("client_id")["client_id"].iloc[
        : int((calls.groupby("client_id").size().cumsum() <= calls_wanted).sum())])
    calls = calls[keep]
    engine = EstimateEngine()
    start = time.perf_counter()
    bases = _suggested_bases(data, clients[clients["client_id"].isin(calls["client_id"])], calls, engine, settings)
    plan = rounds.plan_rounds(calls, bases, engine, settings)
    return time.perf_counter() - start, plan, len(calls)


def synthetic_week(calls_wanted: int = 2000, seed: int = 1, *, follow: bool = True
                   ) -> tuple[float, rounds.WeekPlan, list[rounds.Base]]:
    """Plan a synthetic week of about ``calls_wanted`` calls in East Herefordshire, clients 1–7 days a week.

    ``follow`` False plans each day from scratch on pay and mileage only (no cost for a change of carer), handing
    the rounds to carers afterwards: the baseline for continuity of care.
    """
    data = load_council_data(load_council("herefordshire"))
    settings = rounds.RoundSettings.for_council(data.council, **({} if follow else {"continuity_cost": 0.0}))
    clients = synthetic_clients(data, LOCALITY, seed=seed)
    rng = np.random.default_rng(seed)
    clients["days_per_week"] = rng.choice(list(DAYS_MIX), size=len(clients), p=list(DAYS_MIX.values()))
    weekly = (clients["calls_per_day"] * clients["days_per_week"]).cumsum()
    clients = clients[(weekly <= calls_wanted).to_numpy()].reset_index(drop=True)
    engine = EstimateEngine()
    start = time.perf_counter()
    calls = rounds.calls_for_week(clients, settings)
    bases = _suggested_bases(data, clients, calls, engine, settings)
    plan = rounds.plan_week(calls, bases, engine, settings, warm_start=follow)
    return time.perf_counter() - start, plan, bases


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
        result = solve_problem(data, time_limit_s=arguments.seconds, seed=arguments.seed)
        cost = result.best.distance() / SCALE[arguments.round_func]
        known = best_known(path)
        gap = 100.0 * (cost - known) / known
        gaps.append(gap)
        rows.append((path.stem, f"{cost:.1f}", f"{known:.1f}", f"{gap:.2f}",
                     "yes" if result.best.is_feasible() else "NO", result.num_iterations))
    print_table(rows, ("instance", "cost", "best known", "gap %", "feasible", "iterations"))

    day_s, plan, calls = synthetic_day()
    print(f"\nSynthetic day (SYNTHETIC demand, {LOCALITY}, estimate travel, suggested bases and carers): {calls} "
          f"calls, {len(plan.rounds)} rounds, {len(plan.visits)} fitted, {len(plan.unserved)} not fitted, "
          f"{day_s:.1f} s (target < 15 s)")

    week_s, week, bases = synthetic_week()
    kept = continuity(week.visits)["continuity"].mean()
    best = best_continuity(week.calls, rounds.RoundSettings().carer_days_per_week)
    print(f"Synthetic week (clients 1–7 days a week): {len(week.calls)} calls, {week.calls['day'].value_counts().min()}"
          f"–{week.calls['day'].value_counts().max()} a day, bases {', '.join(f'{b.name} ({b.carers})' for b in bases)}; "
          f"{len(week.rounds)} day rounds, {len(week.visits)} fitted, {len(week.unserved)} not fitted, "
          f"{week_s:.1f} s (target < 120 s)")
    cold_s, cold, _ = synthetic_week(follow=False)
    cold_kept = continuity(cold.visits)["continuity"].mean()
    print(f"Continuity of care: {kept:.1%} keeping clients with their usual carer (£"
          f"{rounds.RoundSettings().continuity_cost:g} a call) and starting each day from the day before, "
          f"{cold_kept:.1%} planning each day from scratch on pay and mileage only ({cold_s:.1f} s); at most "
          f"{best:.1%} with carers working 5 days of 7. Pay and mileage a week: £{week.cost / 100_000:,.0f} against "
          f"£{cold.cost / 100_000:,.0f}.")
    print(f"RESULT mean_gap_pct={sum(gaps) / len(gaps):.2f} instances={len(gaps)} day_s={day_s:.1f} "
          f"week_s={week_s:.1f} week_calls={len(week.calls)} continuity={kept:.3f}")


if __name__ == "__main__":
    main()
