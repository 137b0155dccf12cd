"""Rounds of home-care calls with PyVRP, over a week, and how viable they are.

The modules, in the order the work flows:

- ``settings``: the round model's settings (windows, shifts, pay, fee, thresholds) and clock times;
- ``calls``: a client list turned into the calls of a day or a week;
- ``model``: the PyVRP model of a day (bases, travel between stops, carers as vehicles) and solving it;
  ``first_plan``: a quick plan to start from; ``unserved``: why a call is not fitted; ``tables``: a solved day as
  tables; ``day``: one day's rounds;
- ``bases``: bases among a locality's towns and the carers they need;
- ``carers``: the rota, rounds followed from day to day, continuity; ``stubs``: stub rounds merged;
  ``week``: Monday to Sunday with the same carers;
- ``income``: each call priced (the rural uplift outside the fee zone); ``viability``: the rounds, carers and
  localities judged; ``providers``: providers per locality against the viability threshold;
- ``workflow``: the steps the public API and the Round viability page share, filling in the week's report;
- ``workbook`` and ``market``: the plan for people, and the market the council's documents describe.

The names below are the package's public interface (what the public API, the app and the commands use); everything
else is imported from its module.
"""

from analyses.rounds.calls import (
    CALL_PATTERNS,
    MAX_PLAN_PLACES,
    ROUND_CLIENT_COLUMNS,
    calls_for_day,
    calls_for_week,
    check_client_windows,
    check_plan_size,
    parse_windows,
    separate_calls,
    weekly_contact_hours,
    window_text,
)
from analyses.rounds.day import RoundPlan, plan_rounds
from analyses.rounds.income import INSIDE, OUTSIDE, ZoneRule, client_zones
from analyses.rounds.model import Base
from analyses.rounds.providers import PROJECTION_YEARS
from analyses.rounds.settings import (
    DAY_NAMES,
    PAY_BASES,
    FeeOption,
    RoundSettings,
    Shift,
    clock,
    clock_minutes,
    fee_options,
    round_order,
    what_if_fee,
)
from analyses.rounds.viability import ROUND, TOP_UP, WeekReport, client_localities, judge_week
from analyses.rounds.week import WeekPlan, plan_week
from analyses.rounds.workflow import build_week

__all__ = [
    "Base", "CALL_PATTERNS", "DAY_NAMES", "FeeOption", "INSIDE", "MAX_PLAN_PLACES", "OUTSIDE", "PAY_BASES",
    "PROJECTION_YEARS", "ROUND", "ROUND_CLIENT_COLUMNS", "RoundPlan", "RoundSettings", "Shift", "TOP_UP", "WeekPlan",
    "WeekReport", "ZoneRule", "build_week", "calls_for_day", "calls_for_week", "check_client_windows",
    "check_plan_size", "client_localities", "client_zones", "clock", "clock_minutes", "fee_options", "judge_week",
    "parse_windows", "plan_rounds", "plan_week", "round_order", "separate_calls", "weekly_contact_hours",
    "what_if_fee", "window_text",
]
