"""Checks of the options a caller gives, made before any work starts: one place for the library and the command line.

Each check returns the value as the code uses it (a float, an int, a tuple of names, a path) or raises
:class:`~geo.errors.InputDataError` (a ``ValueError``) whose message names the option, what was given and what is
allowed, so ``build_rounds(reading="raod")`` fails at once, not after a minute of solving. ``name`` is how the
caller spells the option: ``"radius_miles"`` in the library, ``"--radius"`` on the command line.

The allowed ranges the library and the command line share are the constants below.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any, Collection, Iterable, TypeVar

from geo.errors import InputDataError, InputFileNotFoundError

YEARS = (2018, 2040)
"""Scenario years the councils' projections cover (bed need, home-care growth)."""
RADIUS_MILES = (0.0, 30.0)
"""Fee-zone radius, miles."""
PERCENT = (0.0, 200.0)
"""A rural uplift or another share given in percent."""
FEE_PER_HOUR = (0.0, 200.0)
"""A fee, pounds an hour."""
SITES = (1, 10)
"""New care-home sites suggested at once."""
SITE_MINUTES = (1.0, 120.0)
"""Drive time a suggested site should bring people within, minutes."""
CARERS = (1, 10_000)
"""Carers in all."""
SEED = (0, 2**32 - 1)
"""Seeds of the synthetic clients and the solver (numpy takes non-negative 32-bit seeds)."""
SOLVER_SECONDS = (0.1, 86_400.0)
"""Longest solver time for one day of rounds, seconds."""
READINGS = ("straight", "road")
"""Readings of the fee-zone rule: straight line or by road."""
MEASURED_FROM = ("point", "extent")
"""Where the fee-zone radius is measured from: a settlement's point or its edge."""

Value = TypeVar("Value")


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
    """A number between ``low`` and ``high`` (inclusive).

    Parameters
    ----------
    value
        What the caller gave.
    low, high : float
        The allowed range.
    name : str
        The option as the caller spells it (``"radius_miles"``, ``"--radius"``).
    what : str
        What the option is, in words ("the fee-zone radius (miles)").

    Raises
    ------
    InputDataError
        If it is not a finite number in the range.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isfinite(float(value)):
        checked = float(value)  # inf or nan: said as out of range, as people read it
    else:
        checked = number(value, name=name, what=what)
    if not low <= checked <= high:
        raise InputDataError(f"{name} {checked:g} is not allowed: {what} must be between {low:g} and {high:g}.")
    return checked


def whole_number(value: Any, low: int, high: int, *, name: str, what: str) -> int:
    """A whole number between ``low`` and ``high`` (``3.0`` is 3; ``2.5`` is refused).

    Raises
    ------
    InputDataError
        If it is not a whole number in the range.
    """
    checked = in_range(value, low, high, name=name, what=what)
    if checked != int(checked):
        raise InputDataError(f"{name} {checked:g} is not allowed: {what} must be a whole number.")
    return int(checked)


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
    """A file that exists (not a folder).

    Raises
    ------
    InputFileNotFoundError
        (an ``InputDataError`` and a ``FileNotFoundError``) naming the file and what it should be.
    """
    if not isinstance(path, (str, Path)):
        raise InputDataError(f"The {what} should be given as a file path, not {type(path).__name__}.")
    checked = Path(path).expanduser()
    if checked.is_dir():
        raise InputFileNotFoundError(f"The {what} {str(path)!r} is a folder, not a file. Give the file inside it.")
    if not checked.is_file():
        raise InputFileNotFoundError(f"The {what} {str(path)!r} does not exist. Check the path.")
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
