"""Checks of the values a caller gives, made before any work starts: one place for the library and the command line.

Each check returns the value as the code uses it (a float, an int, a tuple of names, a path) or raises
:class:`~geo.errors.InputDataError` (a ``ValueError``) whose message names the option, what was given and what is
allowed, so ``build_rounds(reading="raod")`` fails at once, not after a minute of solving, and the command line and
the library refuse the same values in the same words. ``option`` is how the caller spells it: ``"radius_miles"`` in
the library, ``"--radius"`` on the command line.

Every number's bounds are a :class:`Bounds` below: ``SEED.check(-1, "--seed")`` raises "--seed -1 is not allowed:
the seed must be between 0 and 2147483647."
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Iterable, TypeVar

from geo.errors import InputDataError, InputFileNotFoundError

READINGS = ("straight", "road")
"""Readings of the fee-zone rule: straight line or by road."""
MEASURED_FROM = ("point", "extent")
"""Where the fee-zone radius is measured from: a settlement's point or its edge."""

Value = TypeVar("Value")


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
            raise InputDataError(f"{option} {value!r} is not allowed: {self.what} must be a number.")
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
FEE_YEAR = Bounds(2015, 2040, "the year the fee is paid from", whole=True)
ON_COSTS_PCT = Bounds(0, 100, "the on-costs (% of pay)")
BUSINESS_COSTS_PCT = Bounds(0, 80, "the business costs (% of income)")
MILEAGE = Bounds(0, 2, "the mileage (£ a mile)")


def number(value: Any, *, name: str, what: str | None = None) -> float:
    """A finite real number (``True``/``False`` and text are refused, not read as 1/0 or parsed).

    Raises
    ------
    InputDataError
        Naming the option and what was given.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InputDataError(f"{name} {value!r} is not allowed: {what or name} must be a number.")
    return float(value)


def in_range(value: Any, low: float, high: float, *, name: str, what: str) -> float:
    """A finite number between ``low`` and ``high`` (inclusive): :class:`Bounds` for a range used once.

    Raises
    ------
    InputDataError
        If it is not a finite number in the range.
    """
    return Bounds(low, high, what).check(value, name)


def whole_number(value: Any, low: int, high: int, *, name: str, what: str) -> int:
    """A whole number between ``low`` and ``high`` (``3.0`` is 3; ``2.5`` is refused).

    Raises
    ------
    InputDataError
        If it is not a whole number in the range.
    """
    return Bounds(low, high, what, whole=True).check(value, name)


def one_of(value: Value, allowed: Collection[Value], *, name: str) -> Value:
    """One of the allowed values (text compared exactly: ``"raod"`` is not ``"road"``).

    Raises
    ------
    InputDataError
        Listing the allowed values.
    """
    if isinstance(value, str) and value in allowed:
        return value
    if not isinstance(value, str) and any(value == option for option in allowed):
        return value
    choices = ", ".join(repr(option) for option in allowed)
    raise InputDataError(f"{name} {value!r} is not allowed: use one of {choices}.")


def names(value: str | Iterable[str], *, name: str) -> tuple[str, ...]:
    """One or more names: a single string is one name (``"Oakham"``, never its letters), a list is several.

    Raises
    ------
    InputDataError
        If no name is given, or an item is not text.
    """
    items = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, Iterable) else None
    if items is None or not all(isinstance(item, str) for item in items):
        raise InputDataError(f"{name} {value!r} is not allowed: give a name or a list of names.")
    items = tuple(item.strip() for item in items if item.strip())
    if not items:
        raise InputDataError(f"{name} is empty: give at least one name.")
    return items


def existing_file(path: str | Path, *, what: str) -> Path:
    """A regular file that exists and can be read (:func:`geo.files.regular_file`: not a folder, a named pipe, a
    device or a socket).

    Raises
    ------
    InputFileNotFoundError
        (an ``InputDataError`` and a ``FileNotFoundError``) naming the file and what it should be, when it does not
        exist or is a folder.
    InputDataError
        When it is something other than a file saved on disk, or cannot be read.
    """
    from geo.files import regular_file

    if not isinstance(path, (str, Path)):
        raise InputDataError(f"The {what} should be given as a file path, not {type(path).__name__}.")
    checked = Path(path).expanduser()
    if checked.is_dir():
        raise InputFileNotFoundError(f"The {what} {str(path)!r} is a folder, not a file. Give the file inside it.")
    if not checked.exists():
        raise InputFileNotFoundError(f"The {what} {str(path)!r} does not exist. Check the path.")
    regular_file(checked, what)
    return checked


def frame_of(value: Any, attribute: str, *, name: str, what: str) -> Any:
    """The GeoDataFrame a reader's table holds (``table.<attribute>``), or the GeoDataFrame itself: the analyses
    take either (``read_clients(...)`` or its ``.clients``; ``care_homes(...)`` or its ``.homes``).

    Raises
    ------
    InputDataError
        If ``value`` is neither.
    """
    import geopandas as gpd  # here, not at import: this module is imported by everything

    if isinstance(value, gpd.GeoDataFrame):
        return value
    held = getattr(value, attribute, None)
    if isinstance(held, gpd.GeoDataFrame):
        return held
    raise InputDataError(f"{name} should be {what} (a GeoDataFrame, or the table a reader returns with it as "
                         f".{attribute}), not {type(value).__name__}.")
