"""Exceptions and warnings raised by the planning tool.

Every message says what was wrong with which input and what to do about it, so the app can show it
as is and a script user can act on it without reading a traceback.

One family: every error raised on purpose is a :class:`CareMapError`, and also the built-in type a Python
user would expect where there is one (a bad value is a ``ValueError``, an unknown council a ``KeyError``, a
missing file a ``FileNotFoundError``), so ``except ValueError`` around a call keeps working.
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


class DataFileNotFoundError(DataFileError, FileNotFoundError):
    """A bundled data file (or a council's settings file) is missing."""

    def __str__(self) -> str:  # OSError would otherwise format errno and file name
        return str(self.args[0]) if self.args else ""


class InputDataError(CareMapError, ValueError):
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


class InputFileNotFoundError(InputDataError, FileNotFoundError):
    """A file the user named does not exist (or is a folder)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message, problems)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class RoadNetworkError(CareMapError):
    """A road network could not be built, loaded or downloaded."""


class CareMapWarning(UserWarning):
    """Something was done for the user that they should know of (a layer reprojected, a value adjusted)."""


class ReprojectedWarning(CareMapWarning):
    """A layer given in another coordinate reference system was reprojected to British National Grid."""
