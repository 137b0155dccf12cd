"""Judging rounds: verdicts on each round, the week by round, carer and locality, and the :class:`WeekReport` that
holds them (its providers per locality from :mod:`analyses.rounds.providers`, set by
:func:`analyses.rounds.workflow.with_providers`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.rounds.carers import best_continuity, continuity
from analyses.rounds.income import ZoneRule, price_visits
from analyses.rounds.settings import DAY_NAMES, RoundSettings, pounds, round_order
from analyses.rounds.week import WeekPlan
from layers.postcodes import assign_lsoa


def _round_keys(rounds: pd.DataFrame) -> list[str]:
    return ["day", "round"] if "day" in rounds.columns else ["round"]


def judge_rounds(rounds: pd.DataFrame, settings: RoundSettings, *, visits: pd.DataFrame | None = None,
                 totals: bool = False) -> pd.DataFrame:
    """Cost each round at ``settings``' pay and mileage, add its income, margin and a verdict: "viable", or
    "not viable" with the thresholds it breaks.

    Parameters
    ----------
    rounds : DataFrame
        From a plan (one row per round; ``day`` and ``round`` identify a round of a week), or a weekly summary
        with ``days`` (the contact-hours threshold then applies to the mean day).
    visits : DataFrame, optional
        Priced visits (:func:`analyses.rounds.price_visits`): each round's ``income`` is the sum of its visits'.
        Without them, a round already carrying ``income`` keeps it, else income is the base fee × contact hours.
    totals : bool
        The rows are sums of judged rounds (a week's totals): their cost, income and business costs are kept.

    Returns
    -------
    DataFrame
        ``rounds`` with ``paid_hours`` and ``travel_share`` (contact and travel, and waiting when
        ``settings.pay_waiting``), ``cost`` (£, paid hours at pay with on-costs, and mileage) and ``cost_per_contact_hour``
        (£), ``income`` (£), ``business_costs`` (£, ``business_costs_pct`` of the income: what runs the business
        rather than the round), ``margin`` (£, income − business costs − cost), ``income_per_contact_hour`` (£),
        ``verdict`` and ``why``. The verdict compares the round's cost with the income left after business
        costs, its travel with ``max_travel_share`` of paid time and its contact hours with ``min_contact_hours``.
    """
    judged = rounds.copy()
    if not totals and {"contact_hours", "travel_hours", "idle_hours"} <= set(judged.columns):
        # Paid time is money too: whether waiting is paid re-judges the same plan.
        judged["paid_hours"] = judged["contact_hours"] + judged["travel_hours"] + (
            judged["idle_hours"] if settings.pay_waiting else 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            judged["travel_share"] = np.where(judged["paid_hours"] > 0,
                                              judged["travel_hours"] / judged["paid_hours"], 0.0)
    if not totals and {"paid_hours", "miles"} <= set(judged.columns):
        # Costed here, not when planned: a change of pay or mileage re-judges the same plan.
        judged["cost"] = settings.round_cost(judged["paid_hours"], judged["miles"])
        with np.errstate(divide="ignore", invalid="ignore"):
            judged["cost_per_contact_hour"] = np.where(judged["contact_hours"] > 0,
                                                       judged["cost"] / judged["contact_hours"], np.inf)
    if not totals and visits is not None and "income" in visits.columns:
        keys = _round_keys(judged)
        income = visits.groupby(keys)["income"].sum(min_count=1)
        judged["income"] = pd.MultiIndex.from_frame(judged[keys]).map(income) if len(keys) > 1 else \
            judged["round"].map(income)
    elif "income" not in judged.columns:
        fee = settings.income_per_contact_hour
        judged["income"] = judged["contact_hours"] * fee if fee is not None else np.nan
    judged["income"] = judged["income"].astype(float)
    if not totals or "business_costs" not in judged.columns:
        judged["business_costs"] = judged["income"] * settings.business_costs_pct / 100.0
    judged["margin"] = judged["income"] - judged["business_costs"] - judged["cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        judged["income_per_contact_hour"] = judged["income"] / judged["contact_hours"]
        left_per_contact_hour = (judged["income"] - judged["business_costs"]) / judged["contact_hours"]
    days = judged["days"] if "days" in judged.columns else pd.Series(1, index=judged.index)
    reasons = []
    for row, runs, left in zip(judged.itertuples(), days, left_per_contact_hour):
        broken = []
        if row.travel_share > settings.max_travel_share:
            broken.append(f"travel {row.travel_share:.0%} of paid time (limit {settings.max_travel_share:.0%})")
        contact = row.contact_hours / max(runs, 1)
        if contact < settings.min_contact_hours:
            broken.append(f"{contact:.1f} contact hours{' a day' if 'days' in judged.columns else ''} (minimum "
                          f"{settings.min_contact_hours:g})")
        if not pd.isna(row.income) and row.margin < -1e-9:
            broken.append(f"costs £{row.cost_per_contact_hour:.2f} per contact hour, paid "
                          f"£{row.income_per_contact_hour:.2f} of which £{left:.2f} is left after business costs")
        reasons.append("; ".join(broken))
    judged["verdict"] = ["viable" if not reason else "not viable" for reason in reasons]
    judged["why"] = reasons
    return judged


_SUMS = ["calls", "contact_hours", "travel_hours", "idle_hours", "paid_hours", "miles", "cost", "income",
         "business_costs"]


def _totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # min_count=1: a group whose income is unknown (no fee given) stays unknown rather than £0, which would
    # judge every round unpaid.
    table = frame.groupby(keys, sort=True)[[column for column in _SUMS if column in frame.columns]].sum(min_count=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["travel_share"] = (table["travel_hours"] / table["paid_hours"]).fillna(0.0)
        table["cost_per_contact_hour"] = table["cost"] / table["contact_hours"]
    return table


def weekly_rounds(judged: pd.DataFrame, settings: RoundSettings) -> pd.DataFrame:
    """Each round through the week (same name on several days), judged on its weekly totals, in order of base,
    shift and number (:func:`analyses.rounds.settings.round_order`).

    Returns
    -------
    DataFrame
        One row per round: ``round``, ``base``, ``shift``, ``days`` (days it ran), ``carers`` (how many worked
        it), ``main_carer`` (who worked it most), weekly ``calls``, ``contact_hours``, ``travel_hours``,
        ``idle_hours``, ``paid_hours``, ``miles``, ``cost``, ``income``, ``business_costs``, ``margin``,
        ``travel_share``,
        ``cost_per_contact_hour``, ``income_per_contact_hour``, ``verdict`` and ``why``.
    """
    table = _totals(judged, ["round"])
    grouped = judged.groupby("round", sort=True)
    table.insert(0, "shift", grouped["shift"].first())
    table.insert(0, "base", grouped["base"].first())
    table.insert(2, "days", grouped["day"].nunique())
    table.insert(3, "carers", grouped["carer"].nunique())
    table.insert(4, "main_carer", grouped["carer"].agg(lambda names: names.value_counts().index[0]))
    key = round_order(settings.shifts)
    table = table.reset_index().sort_values("round", key=lambda names: names.map(key), kind="stable")
    return judge_rounds(table.reset_index(drop=True), settings, totals=True)


def carer_week(judged: pd.DataFrame, carers: Sequence) -> pd.DataFrame:
    """Each carer's week: days on the rota, days with a round, rounds, hours, miles and cost (£ pay with on-costs,
    and mileage).

    Parameters
    ----------
    judged : DataFrame
        The rounds of each day (``carer``, ``day`` and the hour columns).
    carers : sequence of Carer
        Every carer of the rota (carers without a round are listed with zeros).
    """
    rota = pd.DataFrame({"carer": [carer.name for carer in carers], "base": [carer.base for carer in carers],
                         "rota_days": [", ".join(DAY_NAMES[day][:3] for day in carer.days) for carer in carers]})
    worked = _totals(judged, ["carer"]).drop(columns=["income", "business_costs"], errors="ignore") \
        if len(judged) else pd.DataFrame()
    if len(judged):
        grouped = judged.groupby("carer")
        worked.insert(0, "days_worked", grouped["day"].nunique())
        worked.insert(1, "rounds", grouped.size())
    table = rota.merge(worked, left_on="carer", right_index=True, how="left")
    numbers = [column for column in table.columns if column not in ("carer", "base", "rota_days")]
    table[numbers] = table[numbers].fillna(0.0)
    for column in ("days_worked", "rounds", "calls"):
        if column in table.columns:
            table[column] = table[column].astype(int)
    return table


def round_localities(visits: pd.DataFrame, client_locality: pd.Series) -> pd.Series:
    """The locality of each round: where most of its contact time is (``client_locality`` maps client → locality)."""
    if visits.empty:
        return pd.Series(dtype=object)
    minutes = visits.assign(locality=visits["client_id"].map(client_locality).fillna("unknown"))
    by_round = minutes.groupby(["round", "locality"])["minutes"].sum().reset_index()
    by_round = by_round.sort_values(["round", "minutes", "locality"], ascending=[True, False, True], kind="stable")
    return by_round.drop_duplicates("round").set_index("round")["locality"]


def locality_week(calls: pd.DataFrame, visits: pd.DataFrame, rounds_week: pd.DataFrame, client_locality: pd.Series,
                  continuity_table: pd.DataFrame) -> pd.DataFrame:
    """The week by PCN locality: clients, calls planned and fitted, contact hours and income of the visits there,
    the rounds based there (most of their contact time in the locality) with their paid and travel hours, cost,
    business costs and margin, and the mean continuity of its clients.

    Parameters
    ----------
    calls : DataFrame
        The week's calls.
    visits : DataFrame
        Priced visits of the week (``income``, ``minutes``).
    rounds_week : DataFrame
        :func:`weekly_rounds` with a ``locality`` column.
    client_locality : Series
        Client id -> locality.
    continuity_table : DataFrame
        :func:`analyses.rounds.continuity`.
    """
    locality = client_locality.rename("locality")
    planned = calls.assign(locality=calls["client_id"].map(locality).fillna("unknown"))
    served = visits.assign(locality=visits["client_id"].map(locality).fillna("unknown"))
    table = pd.DataFrame({
        "clients": planned.groupby("locality")["client_id"].nunique(),
        "calls": planned.groupby("locality").size(),
        "calls_fitted": served.groupby("locality").size(),
        "contact_hours": served.groupby("locality")["minutes"].sum() / 60.0,
        "income": served.groupby("locality")["income"].sum(min_count=1),
    })
    rounds = rounds_week.groupby("locality")
    table["rounds"] = rounds.size()
    table["round_hours"] = rounds["contact_hours"].sum()
    table["paid_hours"] = rounds["paid_hours"].sum()
    table["travel_hours"] = rounds["travel_hours"].sum()
    table["cost"] = rounds["cost"].sum()
    table["business_costs"] = rounds["business_costs"].sum(min_count=1)
    table["margin"] = rounds["margin"].sum(min_count=1)
    continuity = continuity_table.assign(locality=continuity_table.index.map(locality))
    table["continuity"] = continuity.groupby("locality")["continuity"].mean()
    table = table.fillna({"calls_fitted": 0, "contact_hours": 0.0, "rounds": 0, "round_hours": 0.0,
                          "paid_hours": 0.0, "travel_hours": 0.0, "cost": 0.0})
    for column in ("clients", "calls", "calls_fitted", "rounds"):
        table[column] = table[column].astype(int)
    table.index.name = "locality"
    return table


# --- The week judged -----------------------------------------------------------------------------------


@dataclass
class WeekReport:
    """A week's plan judged: what the page shows, the command line prints and the workbook holds.

    Attributes
    ----------
    plan : WeekPlan
    settings : RoundSettings
    visits : DataFrame
        The plan's visits priced (:func:`analyses.rounds.price_visits`) with the client's ``locality``.
    rounds : DataFrame
        Each day's rounds judged (:func:`judge_rounds`) with their ``locality``.
    weekly : DataFrame
        Each round through the week judged (:func:`weekly_rounds`) with its ``locality``.
    carers : DataFrame
        :func:`carer_week`.
    localities : DataFrame
        :func:`locality_week`.
    continuity : DataFrame
        :func:`analyses.rounds.continuity` with ``locality``.
    best_continuity : float
        The highest mean continuity the rota allows (:func:`analyses.rounds.best_continuity`).
    zone_rule : ZoneRule or None
        The fee-zone rule the clients were classified with.
    providers : DataFrame or None
        :func:`analyses.rounds.providers.provider_table`, once the providers per locality are known.
    providers_source : str
        Where the number of providers per locality comes from.
    threshold_hours : float or None
        The viability threshold the providers were compared with (hours a week per provider); None until then.

    The last three are set by :func:`analyses.rounds.workflow.with_providers` (the workflow the API and the page
    share), which returns a report with them; :func:`judge_week` leaves them empty.
    """

    plan: WeekPlan
    settings: RoundSettings
    visits: pd.DataFrame
    rounds: pd.DataFrame
    weekly: pd.DataFrame
    carers: pd.DataFrame
    localities: pd.DataFrame
    continuity: pd.DataFrame
    best_continuity: float
    zone_rule: ZoneRule | None = None
    providers: pd.DataFrame | None = None
    providers_source: str = ""
    threshold_hours: float | None = None

    @property
    def unserved(self) -> pd.DataFrame:
        return self.plan.unserved

    @property
    def viable_rounds(self) -> int:
        """Rounds through the week judged viable."""
        return int((self.weekly["verdict"] == "viable").sum()) if len(self.weekly) else 0

    @property
    def round_count(self) -> int:
        """Rounds through the week, top-up calls apart."""
        return int((self.weekly["kind"] == ROUND).sum()) if len(self.weekly) else 0

    @property
    def top_ups(self) -> pd.DataFrame:
        """The top-up calls through the week (stub rounds that fit no other round), each with its cost and margin."""
        return self.weekly[self.weekly["kind"] == TOP_UP] if len(self.weekly) else self.weekly

    def top_up_text(self) -> str:
        """The top-up calls and the stub rounds merged, in words ("" when there are none)."""
        parts = []
        merged = self.plan.merged
        if len(merged):
            parts.append(f"{merged['round'].nunique()} stub round(s) of a handful of calls on one or two days merged "
                         f"into the day's other rounds ({int(merged['calls'].sum())} calls)")
        top = self.top_ups
        if len(top):
            parts.append(f"{len(top)} run(s) of top-up calls apart ({int(top['calls'].sum())} calls, cost "
                         f"{pounds(top['cost'].sum())}, margin {pounds(top['margin'].sum(min_count=1))} a week)")
        return "; ".join(parts)

    def summary(self) -> str:
        """One line: calls fitted, rounds viable, margin and continuity."""
        calls = len(self.plan.calls)
        fitted = len(self.plan.visits)
        margin = self.weekly["margin"].sum(min_count=1) if len(self.weekly) else float("nan")
        kept = f"{self.continuity['continuity'].mean():.0%}" if len(self.continuity) else "—"
        day_rounds = self.rounds[self.rounds["kind"] == ROUND] if len(self.rounds) else self.rounds
        extra = self.top_up_text()
        return (f"{fitted:,} of {calls:,} calls fitted over the week in {self.round_count} rounds "
                f"({self.viable_rounds} viable through the week; on single days "
                f"{int((day_rounds['verdict'] == 'viable').sum())} of {len(day_rounds)} viable)"
                f"{f'; {extra}' if extra else ''}; margin {pounds(margin)}/week; continuity {kept} (at most "
                f"{self.best_continuity:.0%} with carers working {self.settings.carer_days_per_week} days)")


def client_localities(clients: gpd.GeoDataFrame, lsoa: gpd.GeoDataFrame) -> pd.Series:
    """Each client's PCN locality (client id -> locality name): its ``locality_name`` if given, else the locality
    of the LSOA it lies in."""
    if "locality_name" in clients.columns and clients["locality_name"].notna().all():
        names = clients["locality_name"].to_numpy()
    else:
        codes = assign_lsoa(clients, lsoa)
        names = codes.map(lsoa.set_index("lsoa21_code")["locality_name"]).to_numpy()
    return pd.Series(names, index=clients["client_id"].to_numpy(), name="locality")


def judge_week(plan: WeekPlan, settings: RoundSettings, *, zones: pd.DataFrame | None,
               client_locality: pd.Series, zone_rule: ZoneRule | None = None) -> WeekReport:
    """Price, judge and summarise a week's plan (see :class:`WeekReport`).

    ``zones`` (:func:`analyses.rounds.client_zones` with ``zone_rule``) says which clients are outside the fee
    zone; the fee and uplift come from ``settings``, so a change of fee re-judges without re-planning.
    """
    visits = price_visits(plan.visits, zones, settings)
    visits["locality"] = visits["client_id"].map(client_locality).fillna("unknown")
    rounds = judge_rounds(plan.rounds, settings, visits=visits)
    weekly = weekly_rounds(rounds, settings) if len(rounds) else rounds.assign(days=[], carers=[], main_carer=[])
    for frame in (rounds, weekly):
        _mark_top_ups(frame, plan.top_ups)
    where = round_localities(visits, client_locality)
    weekly["locality"] = weekly["round"].map(where).fillna("unknown")
    rounds["locality"] = rounds["round"].map(where).fillna("unknown")
    kept = continuity(plan.visits)
    kept["locality"] = kept.index.map(client_locality)
    return WeekReport(plan, settings, visits, rounds, weekly, carer_week(rounds, plan.carers),
                      locality_week(plan.calls, visits, weekly, client_locality, kept), kept,
                      best_continuity(plan.calls, settings.carer_days_per_week), zone_rule)


ROUND, TOP_UP = "round", "top-up calls"
"""Kinds of a planned run: a round, or top-up calls (a stub round whose calls fit no other round of its day)."""


def _mark_top_ups(judged: pd.DataFrame, top_ups: Sequence[str]) -> None:
    """Mark the runs of top-up calls (``kind``), judged apart: not a round, so neither viable nor unviable."""
    top = judged["round"].isin(list(top_ups)) if len(judged) else pd.Series(dtype=bool)
    judged["kind"] = np.where(top, TOP_UP, ROUND) if len(judged) else pd.Series(dtype=object)
    judged.loc[top, "verdict"] = TOP_UP
    judged.loc[top, "why"] = ("a handful of calls on one or two days that fit no other round of the day: costed "
                              "apart, not judged as a round")
