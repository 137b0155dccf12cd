"""Numbers a user chooses (command-line options now, the library's keyword options later): each one finite, within
stated bounds, and whole where it counts, checked in one place with one message.

Each option's bounds are a :class:`Bounds` here, so the command line and the library refuse the same values in the
same words: ``SEED.check(-1, "--seed")`` raises "--seed -1 is not allowed: the seed must be between 0 and
2147483647."
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from geo.errors import InputDataError


def _shown(value: object) -> str:
    """A number as a message quotes it: ``g`` format for floats, whole numbers in full unless very long."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        text = str(int(value))
        return text if len(text) <= 20 else f"{text[:12]}… ({len(text.lstrip('-')):,} digits)"
    if isinstance(value, numbers.Real):
        return f"{float(value):g}"
    return repr(value)


@dataclass(frozen=True)
class Bounds:
    """The values an option may take: between ``low`` and ``high`` (both allowed), finite, whole if ``whole``.

    Attributes
    ----------
    low, high : float
        The least and the greatest value allowed.
    what : str
        What the option is, for the message ("the projection year").
    whole : bool
        Only whole numbers (counts, years, seeds).
    """

    low: float
    high: float
    what: str
    whole: bool = False

    def check(self, value: object, option: str) -> float | int:
        """``value`` if allowed (a float as float, ``-0.0`` as 0; a whole number as int).

        Raises
        ------
        InputDataError
            Naming the option, the value and the bounds, when the value is not a finite number within them (or not
            whole where it must be).
        """
        fraction = self.whole and isinstance(value, float) and math.isfinite(value) and value != int(value)
        refusal = InputDataError(f"{option} {_shown(value)} is not allowed: {self.what} must be "
                                 f"{'a whole number ' if fraction else ''}between {_shown(self.low)} and "
                                 f"{_shown(self.high)}.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise refusal
        if isinstance(value, numbers.Integral):
            if not self.low <= value <= self.high:
                raise refusal
            return int(value)
        number = float(value)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            raise refusal
        if self.whole:
            if number != int(number):
                raise refusal
            return int(number)
        return number + 0.0  # -0.0 would show as "-0" (and "£-0") wherever it is printed


FEE_ZONE_RADIUS_MILES = Bounds(0, 30, "the fee-zone radius (miles)")
BASE_FEE = Bounds(0, 200, "the base fee (£ an hour)")
UPLIFT_PCT = Bounds(0, 200, "the rural uplift (%)")
PROJECTION_YEAR = Bounds(2018, 2040, "the projection year", whole=True)
"""Years the bed-need series covers."""
NEW_SITES = Bounds(1, 10, "the number of new sites to suggest", whole=True)
SITE_MINUTES = Bounds(1, 120, "the drive time a new site should reach, in minutes,")
SOLVER_SECONDS = Bounds(0.1, 600, "the solver's time for a day (seconds)")
"""As the app's time limit a day: a search that never stops (``nan``, ``inf``) is not a choice."""
SEED = Bounds(0, 2**31 - 1, "the seed", whole=True)
"""Seeds the solver (an unsigned 32-bit number) and numpy both take."""
CARERS = Bounds(1, 10_000, "the number of carers", whole=True)
DOWNLOAD_TIMEOUT = Bounds(1, 3600, "the longest wait for one download request (seconds)")
CARER_PAY = Bounds(5, 50, "carer pay (£ an hour)")
FEE_RATE = Bounds(1, 200, "the fee (£ a contact hour)")
ON_COSTS_PCT = Bounds(0, 100, "the on-costs (% of pay)")
BUSINESS_COSTS_PCT = Bounds(0, 80, "the business costs (% of income)")
MILEAGE = Bounds(0, 2, "the mileage (£ a mile)")
