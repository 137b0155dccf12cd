"""Settings of the round model: shifts, call windows, the gap between calls, carers' week, pay, fees and verdicts."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TypeVar

from analyses.base_fee import BaseFee, council_base_fee
from geo.council import WHAT_IF, Council, national_figure
from geo.errors import InputDataError

Quantity = TypeVar("Quantity")
"""A number, an array or a Series: arithmetic applies to each alike."""

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Days of the planned week, Monday first (day 0)."""

_CLOCK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def clock(minutes: int) -> str:
    """Clock time of minutes after midnight (``450`` -> ``"07:30"``)."""
    minutes = int(round(minutes))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def natural_key(name: str) -> tuple:
    """Sort key reading the numbers in a name as numbers ("Evening 2" before "Evening 10")."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


def pounds(value: float) -> str:
    """Whole pounds as people write them, the sign before the pound sign (``-277.4`` -> ``"−£277"``; ``"—"`` when
    not known)."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{'−' if round(value) < 0 else ''}£{abs(value):,.0f}"


def clock_minutes(text: object, what: str = "time") -> int:
    """Minutes after midnight of a clock time written ``HH:MM`` (``"07:30"`` -> ``450``; ``"24:00"`` allowed).

    Raises
    ------
    InputDataError
        If the text is not a time of day, naming ``what`` it was meant to be.
    """
    match = _CLOCK.match(str(text)) if text is not None else None
    if not match:
        raise InputDataError(f"The {what} {text!r} is not a clock time: write it as HH:MM (e.g. 07:30).")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise InputDataError(f"The {what} {text!r} is not a time of day (00:00 to 24:00).")
    return hours * 60 + minutes


@dataclass(frozen=True)
class Shift:
    """A carer's shift: one round. Times in minutes after midnight."""

    name: str
    start_min: int
    end_min: int

    def label(self) -> str:
        return f"{self.name} {clock(self.start_min)}–{clock(self.end_min)}"


def round_order(shifts: Sequence["Shift"]) -> Callable[[str], tuple]:
    """Sort key of round names (``"Oakham · Evening 10"``): by base, then the shifts in the day's order, then the
    number read as a number (Morning 2 before Morning 10 before Evening 1)."""
    order = {shift.name: number for number, shift in enumerate(shifts)}

    def key(name: str) -> tuple:
        base, _, rest = str(name).rpartition(" · ")
        return base, order.get(re.sub(r"\s*\d+$", "", rest), len(order)), natural_key(rest)

    return key


WAGE_ON_COSTS_PCT = 29.8
BUSINESS_COSTS_PCT = 28.0
UKHCA_SOURCE = ("UKHCA, A Minimum Price for Homecare, April 2020 to March 2021 (20 January 2020): of £20.69 a contact "
                "hour, careworkers' contact and travel time £10.42, employer's NI and pension £1.14 and other wage "
                "on-costs (holiday, sickness, training) £1.97, so on-costs are 29.8% of pay; running the business "
                "£5.20 and surplus £0.60, so 28.0% of the price")
"""Where the default on-costs and business costs come from (a national costing, not a council document)."""

MILEAGE_SOURCE = ("assumption: HMRC's approved mileage allowance for a car, 45p a mile for the first 10,000 business "
                  "miles a year, which providers commonly pay carers")
"""Where the default mileage rate comes from."""


def fee_year(text: str | None) -> int | None:
    """The first year named in a figure's year (``"2019/20"`` -> 2019, ``"April 2023"`` -> 2023)."""
    match = re.search(r"(19|20)\d\d", text or "")
    return int(match.group(0)) if match else None


PAY_BASES = {"minimum": "the legal minimum (National Living Wage)", "real": "the real Living Wage (what-if)"}
"""What carer pay may follow: the law, or the Living Wage Foundation's voluntary rate (a what-if)."""
_PAY_FIGURES = {"minimum": "national_living_wage", "real": "real_living_wage"}

LATEST_YEAR = 9999
"""Asks :func:`wage_for_year` for the latest rate it knows."""
DEFAULT_PAY_YEAR = 2019
"""Year of the default carer pay when no fee year is known (the year of Herefordshire's rural uplift)."""


@dataclass(frozen=True)
class Wage:
    """An hourly wage for the year of a fee: £, the year whose rate it is, its name ("National Living Wage from April
    2023") and where it comes from."""

    per_hour: float
    year: int
    name: str
    source: str


def wage_for_year(year: int | None, basis: str = "minimum") -> Wage:
    """The National Living Wage (``basis="minimum"``, the legal minimum) or the real Living Wage (``"real"``) in
    force in ``year``, from the national figures (``councils/national.toml``).

    Before the first year of the table its first rate is used, after the last its last (the latest known), said so.
    """
    if basis not in PAY_BASES:
        raise ValueError(f"pay basis must be one of {', '.join(PAY_BASES)}, not {basis!r}")
    figure = national_figure(_PAY_FIGURES[basis])
    rates = {int(key): float(value) for key, value in figure.value.items()}
    wanted = DEFAULT_PAY_YEAR if year is None else int(year)
    known = min(max(wanted, min(rates)), max(rates))
    month = "April" if basis == "minimum" else "May"
    note = "" if known == wanted else f", the {'latest' if wanted > known else 'earliest'} rate known for {wanted}"
    name = f"{figure.label.split(' (')[0]} from {month} {known}"
    return Wage(rates[known], known, name, f"{name}, £{rates[known]:.2f}{note} ({figure.source})")


@dataclass(frozen=True)
class FeeOption:
    """A fee the provider may be paid: its label for people, £ per contact hour, where it comes from, and the year it
    is paid from, whose legal minimum pay applies to the carers it pays for (:func:`fee_pay`)."""

    key: str
    label: str
    fee_per_hour: float
    source: str
    year: int | None = None


def legal_minimum(fee: FeeOption | None) -> Wage:
    """The legal minimum pay for a fee's year (the National Living Wage in force when the fee is paid; the default
    year when the fee's year is not recorded)."""
    return wage_for_year(fee.year if fee is not None else None)


def fee_pay(fee: FeeOption | None, basis: str = "minimum") -> tuple[float, str]:
    """Default carer pay for a fee, £ an hour, and where it comes from: the National Living Wage of the year the fee
    is paid (the legal minimum, as UKHCA's Minimum Price for Homecare costs careworkers), or the real Living Wage of
    that year as a what-if. Never below the legal minimum of the fee's year: Herefordshire's 2019/20 fee raised by
    8.7% in April 2023 pays at least April 2023's £10.42."""
    wage = wage_for_year(fee.year if fee is not None and fee.year else None, basis)
    whose = ("the fee's year is not recorded" if fee is None or not fee.year else
             f"the year the fee is paid from ({fee.year})")
    kind = "the legal minimum" if basis == "minimum" else "a what-if above the legal minimum"
    return wage.per_hour, f"{wage.source}; {whose}; {kind}"


@dataclass(frozen=True)
class RoundSettings:
    """Assumptions of the round model (none is in the council documents; all are visible in the app).

    Attributes
    ----------
    windows : dict
        Named call windows, minutes after midnight: the visit must start within it.
    shifts : tuple of Shift
        The shifts each working carer may work in a day; each shift is one round.
    max_paid_hours : float
        Longest paid round (hours), within the shift.
    min_gap_minutes : float
        Least time between the end of one call and the start of the client's next call that day (minutes).
    carer_days_per_week : int
        Days a week each carer works (1–7); the days off are consecutive and spread so that about the
        same number of carers works each day.
    continuity_cost : float
        £ the plan may spend to keep a call with the client's usual carer (who has served them most so far, when
        working that day): the solver counts this much for each call served by another carer. 0 plans each day
        on pay and mileage only and hands the rounds to carers afterwards.
    carer_pay_per_hour : float
        Carer pay, £ per paid hour (:meth:`for_council`: the National Living Wage of the fee's year).
    pay_source : str
        Where the carer pay comes from.
    minimum_pay_per_hour : float
        The legal minimum pay in the fee's year (National Living Wage), £ an hour: a lower pay is flagged
        (:meth:`pay_warning`), never used silently.
    minimum_pay_year : int
        The year of that minimum (the year the fee is paid from).
    minimum_pay_source : str
        Which year's minimum that is, and its source.
    wage_on_costs_pct : float
        Employer's costs on top of pay: NI, pension, holiday, sickness and training time (% of pay; UKHCA).
    business_costs_pct : float
        Share of the income that runs the business (office, managers, rostering, recruitment, insurance, surplus)
        and is not there to pay for the rounds (%; UKHCA).
    pay_waiting : bool
        Whether waiting between calls is paid: False (the default) pays contact and travel, as a provider's
        costing does (waiting is reported, not paid); True pays all time on the round. Applied when rounds are
        judged, as all money is: the solver plans the same rounds either way.
    mileage_per_mile : float
        Mileage paid, £ per mile (HMRC approved rate 45p).
    income_per_contact_hour : float or None
        The council's base fee, £ per contact hour inside the fee zone; None judges rounds on travel and
        contact time only. :meth:`for_council` sets it from the council's settings.
    fee_source : str
        What the fee is and where it comes from (the council's figure, its average net of the uplift, a what-if).
    rural_uplift_pct : float
        Added to the fee for calls to clients outside the fee zone (%).
    max_travel_share : float
        A round with more travel than this share of its paid time is not viable.
    min_contact_hours : float
        A round with fewer contact hours (a day) is not viable.
    stub_days : int
        A round that runs on at most this many days of the week ...
    stub_calls : int
        ... with at most this many calls on each is a stub: its calls are merged into the day's other rounds where
        their windows allow, else reported apart as top-up calls (:func:`analyses.rounds.stub_rounds`). 0 days
        keeps every round as planned.
    iterations : int
        Solver iterations per day: with the seed, this fixes the result (same seed and iterations, same rounds).
    time_limit_s : float
        Time cap per day solved, seconds; if it stops the search before the iterations are done, results may vary.
    seed : int
        Seed of the solver and of the days each client is visited.
    """

    windows: dict[str, tuple[int, int]] = field(default_factory=lambda: {
        "morning": (7 * 60, 10 * 60), "lunch": (11 * 60 + 30, 13 * 60 + 30),
        "tea": (16 * 60, 18 * 60), "bed": (19 * 60 + 30, 22 * 60)})
    shifts: tuple[Shift, ...] = (Shift("Morning", 7 * 60, 14 * 60), Shift("Evening", 16 * 60, 22 * 60 + 30))
    max_paid_hours: float = 7.0
    min_gap_minutes: float = 120.0
    carer_days_per_week: int = 5
    continuity_cost: float = 5.0
    carer_pay_per_hour: float = field(default_factory=lambda: fee_pay(None)[0])
    pay_source: str = field(default_factory=lambda: fee_pay(None)[1])
    minimum_pay_per_hour: float = field(default_factory=lambda: legal_minimum(None).per_hour)
    minimum_pay_year: int = field(default_factory=lambda: legal_minimum(None).year)
    minimum_pay_source: str = field(default_factory=lambda: legal_minimum(None).source)
    wage_on_costs_pct: float = WAGE_ON_COSTS_PCT
    business_costs_pct: float = BUSINESS_COSTS_PCT
    pay_waiting: bool = False
    mileage_per_mile: float = 0.45
    income_per_contact_hour: float | None = None
    fee_source: str = ""
    rural_uplift_pct: float = 0.0
    max_travel_share: float = 0.35
    min_contact_hours: float = 2.0
    stub_days: int = 2
    stub_calls: int = 6
    iterations: int = 3000
    time_limit_s: float = 60.0
    seed: int = 1

    def __post_init__(self) -> None:
        if not 1 <= int(self.carer_days_per_week) <= 7:
            raise InputDataError(f"Carers' days a week must be 1 to 7, not {self.carer_days_per_week}.")
        if self.min_gap_minutes < 0:
            raise InputDataError("The least gap between a client's calls cannot be negative.")

    @classmethod
    def for_council(cls, council: Council, *, fee: FeeOption | None = None, pay_basis: str = "minimum",
                    base_fee: BaseFee | None = None, **changes: Any) -> "RoundSettings":
        """The model's defaults with the council's own figures (its base fee, net of the uplift where its figure is
        an average including it and ``base_fee`` gives the netted fee; or ``fee``; and the rural uplift), carer pay
        of the fee's year (:func:`fee_pay`: the legal minimum, or the real Living Wage with ``pay_basis="real"``),
        then ``changes``. A ``carer_pay_per_hour`` among the changes without its ``pay_source`` is labelled the
        user's what-if."""
        fee = fee or fee_options(council, base_fee=base_fee)[0]
        pay, pay_source = fee_pay(fee, pay_basis)
        minimum = legal_minimum(fee)
        if "carer_pay_per_hour" in changes and "pay_source" not in changes and \
                abs(float(changes["carer_pay_per_hour"]) - pay) >= 0.005:
            changes["pay_source"] = WHAT_IF
        return dataclasses.replace(cls(
            income_per_contact_hour=fee.fee_per_hour, fee_source=f"{fee.label} — {fee.source}",
            rural_uplift_pct=council.rural_uplift_pct, carer_pay_per_hour=pay, pay_source=pay_source,
            minimum_pay_per_hour=minimum.per_hour, minimum_pay_year=minimum.year, minimum_pay_source=minimum.source),
            **changes)

    def pay_warning(self) -> str:
        """A sentence when the carer pay is below the legal minimum of the fee's year ("" otherwise): such a pay is
        used only when typed, and always flagged."""
        if self.carer_pay_per_hour >= self.minimum_pay_per_hour - 0.005:
            return ""
        return (f"Pay £{self.carer_pay_per_hour:.2f} an hour is below the legal minimum for the fee's year: "
                f"£{self.minimum_pay_per_hour:.2f}, the National Living Wage from April {self.minimum_pay_year}. "
                f"Rounds judged at it are judged at an unlawful pay.")

    def minimum_text(self) -> str:
        """The legal minimum that applies, in words: ``"£10.42 (National Living Wage from April 2023, the fee's
        year)"``."""
        return f"£{self.minimum_pay_per_hour:.2f} (National Living Wage from April {self.minimum_pay_year}, the fee's year)"

    def money_year_note(self) -> str:
        """Said when the fee's year is not the latest of the National Living Wage table: the week is costed in that
        year's money (fee and pay alike), and what the legal minimum is now; else empty."""
        latest = wage_for_year(LATEST_YEAR)
        if self.minimum_pay_year >= latest.year:
            return ""
        return (f"Fee and pay are in {self.minimum_pay_year} money (the fee's year); the legal minimum now is "
                f"£{latest.per_hour:.2f} ({latest.name}): to judge today's rounds, set a current fee and the year it "
                f"is paid from.")

    @property
    def employer_cost_per_hour(self) -> float:
        """£ a paid hour costs the employer: pay with its on-costs."""
        return self.carer_pay_per_hour * (1.0 + self.wage_on_costs_pct / 100.0)

    def round_cost(self, paid_hours: Quantity, miles: Quantity) -> Quantity:
        """£ a round costs: its paid hours at pay with on-costs, and its miles (numbers or arrays alike)."""
        return paid_hours * self.employer_cost_per_hour + miles * self.mileage_per_mile

    def fee_for(self, outside: bool) -> float | None:
        """£ per contact hour for a call inside or outside the fee zone (None without a fee)."""
        if self.income_per_contact_hour is None:
            return None
        return self.income_per_contact_hour * (1.0 + self.rural_uplift_pct / 100.0 if outside else 1.0)

    def solver_key(self) -> str:
        """The settings that change the planned rounds: not money (fee, uplift, pay, on-costs, business costs,
        mileage, paid waiting: the solver weighs time and distance at fixed rates and rounds are costed when judged)
        nor the thresholds, which only judge them."""
        judged_only = {"income_per_contact_hour", "fee_source", "rural_uplift_pct", "max_travel_share",
                       "min_contact_hours", "carer_pay_per_hour", "pay_source", "minimum_pay_per_hour",
                       "minimum_pay_year", "minimum_pay_source", "wage_on_costs_pct", "business_costs_pct",
                       "mileage_per_mile", "pay_waiting"}
        return repr({name: value for name, value in self.__dict__.items() if name not in judged_only})


def fee_options(council: Council, *, base_fee: BaseFee | None = None) -> list[FeeOption]:
    """The fees a user may judge rounds against: the council's base fee and, where its documents record a later
    rise (``fee_rise_pct``), the base fee with that rise, paid from the rise's year.

    ``base_fee`` is the council's base fee net of the uplift where its figure is an average including it
    (:func:`analyses.base_fee.council_base_fee` with the share of hours outside the zone); without it such an
    average is used as it is, said so in the source.
    """
    base_fee = base_fee or council_base_fee(council)
    figure = council.figure("base_fee_per_hour")
    named = f"{figure.year} fee" if figure.year else "base fee"
    average = f", net of the uplift from the £{base_fee.average_per_hour:.2f} average" if base_fee.netted else ""
    options = [FeeOption("base", f"{named} (£{base_fee.per_hour:.2f}{average})", base_fee.per_hour, base_fee.source,
                         fee_year(figure.year))]
    rise = council.value("fee_rise_pct")
    if rise is not None:
        raised = council.figure("fee_rise_pct")
        fee = base_fee.per_hour * (1.0 + float(rise) / 100.0)
        options.append(FeeOption("current", f"current fee (+{float(rise):g}%, {raised.year}): £{fee:.2f}", fee,
                                 f"{base_fee.source}; raised by {council.source('fee_rise_pct')}",
                                 fee_year(raised.year) or fee_year(figure.year)))
    return options


def what_if_fee(option: FeeOption, fee_per_hour: float, *, year: int | None = None) -> FeeOption:
    """A fee rate typed by the user in place of ``option``'s, paid from ``year`` (default: the option's, so the same
    legal minimum pay applies; a current fee typed with the current year is paid today's minimum); the option itself
    when both the rate and the year are its own."""
    year = option.year if year is None else int(year)
    if abs(option.fee_per_hour - fee_per_hour) < 0.005 and year in (option.year, option.year or DEFAULT_PAY_YEAR):
        return option
    paid = f", paid from {year}" if year != option.year else ""
    return FeeOption("what-if", f"£{fee_per_hour:.2f} (what-if in place of the {option.label}{paid})",
                     float(fee_per_hour), WHAT_IF, year)


def fee_option_for(council: Council, fee_per_hour: float | None, *, base_fee: BaseFee | None = None) -> FeeOption:
    """The council's fee option with this fee, or a what-if option labelled so."""
    for option in fee_options(council, base_fee=base_fee):
        if fee_per_hour is not None and abs(option.fee_per_hour - fee_per_hour) < 0.005:
            return option
    if fee_per_hour is None:
        return FeeOption("none", "no fee", float("nan"), "rounds judged on travel and contact time only")
    return FeeOption("what-if", f"£{fee_per_hour:.2f}", fee_per_hour, WHAT_IF)
