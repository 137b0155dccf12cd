"""The tool's version, read from the installed project's metadata (``pyproject.toml`` writes it once)."""

from __future__ import annotations

from functools import cache
from importlib import metadata


@cache
def tool_version() -> str:
    """The installed version of ``caremap`` (shown in reports and exports), or a note when it is not installed."""
    try:
        return metadata.version("caremap")
    except metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"
