"""Settings of the round model: shifts, call windows, pay and the verdict thresholds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from geo.council import Council


def clock(minutes: int) -> str:
    """Clock time of minutes after midnight (``450`` -> ``"07:30"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Shift:
    """A carer's shift: one round. Times in minutes after midnight."""

    name: str
    start_min: int
    end_min: int

    def label(self) -> str:
        return f"{self.name} {clock(self.start_min)}–{clock(self.end_min)}"


@dataclass(frozen=True)
class RoundSettings:
    """Assumptions of the round model (none is in the council documents; all are visible in the app).

    Attributes
    ----------
    windows : dict
        Named call windows, minutes after midnight: the visit must start within it.
    shifts : tuple of Shift
        The shifts each carer works; each shift is one round.
    max_paid_hours : float
        Longest paid round (hours), within the shift.
    carer_pay_per_hour : float
        Carer pay, £ per paid hour (contact, travel and waiting).
    mileage_per_mile : float
        Mileage paid, £ per mile (HMRC approved rate 45p).
    income_per_contact_hour : float or None
        What the provider is paid per contact hour (the council's fee), £; None judges rounds on travel and
        contact time only. :meth:`for_council` sets it from the council's settings.
    max_travel_share : float
        A round with more travel than this share of its paid time is not viable.
    min_contact_hours : float
        A round with fewer contact hours is not viable.
    iterations : int
        Solver iterations: with the seed, this fixes the result (same seed and iterations, same rounds).
    time_limit_s : float
        Time cap per run, seconds; if it stops the search before the iterations are done, results may vary.
    seed : int
        Solver seed.
    """

    windows: dict[str, tuple[int, int]] = field(default_factory=lambda: {
        "morning": (7 * 60, 10 * 60), "lunch": (11 * 60 + 30, 13 * 60 + 30),
        "tea": (16 * 60, 18 * 60), "bed": (19 * 60 + 30, 22 * 60)})
    shifts: tuple[Shift, ...] = (Shift("Morning", 7 * 60, 14 * 60), Shift("Evening", 16 * 60, 22 * 60 + 30))
    max_paid_hours: float = 7.0
    carer_pay_per_hour: float = 12.60
    mileage_per_mile: float = 0.45
    income_per_contact_hour: float | None = None
    max_travel_share: float = 0.35
    min_contact_hours: float = 2.0
    iterations: int = 3000
    time_limit_s: float = 60.0
    seed: int = 1

    @classmethod
    def for_council(cls, council: Council, **changes: Any) -> "RoundSettings":
        """The model's defaults with the council's own figures (its base fee), then ``changes``."""
        return dataclasses.replace(cls(income_per_contact_hour=council.base_fee_per_hour), **changes)

    def solver_key(self) -> str:
        """The settings that change the planned rounds (not the verdict thresholds, which only judge them)."""
        judged_only = {"income_per_contact_hour", "max_travel_share", "min_contact_hours"}
        return repr({name: value for name, value in self.__dict__.items() if name not in judged_only})


