"""Rounds of home-care calls with PyVRP, and how viable they are.

``calls`` turns a client list into the calls of a day; ``model`` builds and solves the PyVRP model of
carers' rounds; ``viability`` judges the rounds and the providers of each locality. The names below are
the package's public interface.
"""

from analyses.rounds.calls import (
                                   CALL_PATTERNS,
                                   ROUND_CLIENT_COLUMNS,
                                   calls_for_day,
                                   check_client_windows,
                                   default_windows,
                                   parse_windows,
                                   weekly_contact_hours,
)
from analyses.rounds.model import (
                                   UNREACHABLE,
                                   Base,
                                   RoundPlan,
                                   Stops,
                                   build_problem,
                                   call_prize,
                                   greedy_solution,
                                   plan_rounds,
                                   round_table,
                                   solve_problem,
)
from analyses.rounds.settings import RoundSettings, Shift, clock
from analyses.rounds.viability import judge_rounds, provider_scenario, suggest_carers

__all__ = [
    "CALL_PATTERNS", "ROUND_CLIENT_COLUMNS", "UNREACHABLE", "Base", "RoundPlan", "RoundSettings", "Shift", "Stops",
    "build_problem", "call_prize", "calls_for_day", "check_client_windows", "clock", "default_windows",
    "greedy_solution", "judge_rounds", "parse_windows", "plan_rounds", "provider_scenario", "round_table",
    "solve_problem", "suggest_carers", "weekly_contact_hours",
]
