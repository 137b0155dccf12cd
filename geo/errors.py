"""Exceptions raised by the planning tool.

Every message says what was wrong with which input and what to do about it, so the app can show it
as is and a script user can act on it without reading a traceback.
"""

from __future__ import annotations


class CareMapError(Exception):
    """Base class of every error this project raises on purpose."""


class UnknownCouncilError(CareMapError, KeyError):
    """A council name or slug that has no settings file."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class DataFileError(CareMapError):
    """A bundled data file is missing, unreadable or lacks expected columns."""


class InputDataError(CareMapError):
    """A user's file or value cannot be used.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    problems : list of str, optional
        Row-by-row problems (e.g. ``"row 7, column postcode: 'HR9 9ZZ' is not a known postcode"``).
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class RoadNetworkError(CareMapError):
    """A road network could not be built, loaded or downloaded."""
