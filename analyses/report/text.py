"""The words and numbers of the coverage report: its title, sections and statuses, and counts written for people
(thousands separated, signed shortfalls, the access gap to one decimal)."""

from __future__ import annotations

import numpy as np

TITLE = "Care-home coverage"
SUBTITLE = "Beds for older people: residential, nursing and dementia care"
SECTIONS = ["Summary", "The council's documents beside the homes", "Need and supply by year", "Maps", "By locality",
            "Gaps", "Suggested sites", "Method and assumptions", "Appendix: the council's figures",
            "Appendix: care homes used", "Data sources and licences"]
"""Sections of the report, in order, after the title page."""
STATUSES = {"draft": "Draft", "for-comment": "Draft for comment", "final": "Final"}
"""Status a report can carry on its title page and running header (key as given on the command line -> words)."""


def number(value: float, *, signed: bool = False) -> str:
    """A count for people: thousands separated, no decimals, "–" when not known."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:+,.0f}" if signed else f"{value:,.0f}"


def shortfall_words(value: float) -> str:
    """"a shortfall of 144 beds" or "144 beds to spare"."""
    return f"a shortfall of {number(value)} beds" if value > 0.5 else f"{number(-value)} beds to spare"


def gap_beds(value: float) -> str:
    """Beds of the access gap, as every page, report and command shows them (one decimal: a site's share can be
    small)."""
    return f"{value:,.1f}" if np.isfinite(value) else "–"
