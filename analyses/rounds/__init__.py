"""Rounds of home-care calls with PyVRP, over a week, and how viable they are.

``calls`` turns a client list into the calls of a day or a week; ``bases`` suggests bases and carers;
``model`` builds and solves the PyVRP model of one day's rounds; ``week`` plans Monday to Sunday with the
same carers; ``income`` prices each call (the rural uplift outside the fee zone); ``viability`` judges the
rounds, carers, localities and providers; ``workbook`` writes the plan for people. The names below are the
package's public interface.
"""

from analyses.rounds.bases import base_candidates, suggest_bases, suggest_bases_by_locality, suggest_carers
from analyses.rounds.calls import (
                                   CALL_PATTERNS,
                                   MAX_PLAN_PLACES,
                                   ROUND_CLIENT_COLUMNS,
                                   calls_for_day,
                                   calls_for_week,
                                   check_client_windows,
                                   check_plan_size,
                                   default_windows,
                                   parse_windows,
                                   separate_calls,
                                   visit_days,
                                   weekly_contact_hours,
                                   window_text,
)
from analyses.rounds.carers import Carer, best_continuity, carer_rota, continuity, working_per_day
from analyses.rounds.day import RoundPlan, longest_leg_min, plan_rounds, solve_day
from analyses.rounds.first_plan import greedy_solution
from analyses.rounds.income import INSIDE, OUTSIDE, ZoneRule, client_zones, price_visits
from analyses.rounds.model import UNREACHABLE, Base, Stops, build_problem, call_prize, solve_problem
from analyses.rounds.settings import (
                                   DAY_NAMES,
                                   PAY_BASES,
                                   FeeOption,
                                   RoundSettings,
                                   Shift,
                                   Wage,
                                   clock,
                                   clock_minutes,
                                   fee_option_for,
                                   fee_options,
                                   fee_pay,
                                   legal_minimum,
                                   round_order,
                                   wage_for_year,
                                   what_if_fee,
)
from analyses.rounds.stubs import stub_rounds
from analyses.rounds.tables import round_table
from analyses.rounds.unserved import explain_unserved
from analyses.rounds.viability import (
                                   PROJECTION_YEARS,
                                   ROUND,
                                   TOP_UP,
                                   WeekReport,
                                   allocate_rounds,
                                   apportion,
                                   carer_week,
                                   client_localities,
                                   default_providers,
                                   judge_rounds,
                                   judge_week,
                                   locality_week,
                                   most_viable_providers,
                                   provider_scenario,
                                   provider_table,
                                   round_localities,
                                   weekly_rounds,
)
from analyses.rounds.week import WeekPlan, plan_week

__all__ = [
    "Base", "CALL_PATTERNS", "Carer", "MAX_PLAN_PLACES", "DAY_NAMES", "FeeOption", "INSIDE", "OUTSIDE", "PAY_BASES",
    "PROJECTION_YEARS", "ROUND", "TOP_UP", "Wage", "legal_minimum", "stub_rounds", "wage_for_year", "what_if_fee",
    "ROUND_CLIENT_COLUMNS", "RoundPlan", "RoundSettings", "Shift", "Stops", "UNREACHABLE", "WeekPlan", "WeekReport",
    "ZoneRule", "allocate_rounds", "apportion", "base_candidates", "best_continuity", "build_problem", "call_prize",
    "calls_for_day", "calls_for_week", "carer_rota", "carer_week", "check_client_windows", "check_plan_size", "client_localities",
    "client_zones", "clock", "clock_minutes", "continuity", "default_providers", "default_windows",
    "explain_unserved", "fee_option_for", "fee_options", "fee_pay", "greedy_solution", "judge_rounds", "judge_week",
    "locality_week", "most_viable_providers", "parse_windows", "plan_rounds", "plan_week", "price_visits",
    "provider_scenario", "provider_table", "round_localities", "round_order", "round_table", "separate_calls", "solve_day",
    "solve_problem", "suggest_bases", "suggest_bases_by_locality", "suggest_carers", "visit_days",
    "weekly_contact_hours", "weekly_rounds",
    "window_text", "working_per_day", "longest_leg_min",
]
