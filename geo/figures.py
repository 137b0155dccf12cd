"""A council's figures: each number (or series by year, or table) with the document, place and year it comes
from, or the reason it is assumed; written as people read them, and read off a series for any year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

SeriesValue = Mapping[int, float]


@dataclass(frozen=True)
class Document:
    """A council document figures are taken from."""

    key: str
    title: str
    year: int | None = None
    seed: str | None = None


@dataclass(frozen=True)
class Figure:
    """One figure of a council, with where it comes from.

    Attributes
    ----------
    key : str
        Name used by the code (``weekly_home_care_hours``).
    label : str
        What the figure is, for people ("Home-care hours commissioned").
    value : float, mapping or None
        A number; or a series by year (``{2018: 1550, 2028: 2000}``); or a table by name (district hours).
    unit : str
        Unit of the value ("hours/week", "%", "beds").
    year : str
        The period the figure describes, as the document says it ("2019/20").
    document : Document or None
        The document it comes from; None for an assumption.
    where : str
        Section and table of the document, with the lines of its plain-text copy as ``(seed 000:494)`` for
        checking the quote (not shown to users: :attr:`source` leaves them out).
    assumption : str
        Why this value, when no document gives it ("" for documented figures).
    grows_with : str
        For a figure given for one year: the key of the documented series it is projected with.
    scope : str
        What a count covers when narrower than everything of its kind (``"older people"``: homes registered
        for older people only), so that loaded data is compared with the same thing.
    includes : str
        The key of a figure whose effect this one already holds (``"rural_uplift_pct"``: an average fee over all
        hours, the uplift paid on some of them included), so that it is not added twice.
    """

    key: str
    label: str
    value: Any
    unit: str = ""
    year: str = ""
    document: Document | None = None
    where: str = ""
    assumption: str = ""
    grows_with: str = ""
    scope: str = ""
    includes: str = ""

    @property
    def is_assumption(self) -> bool:
        """True when no council document gives this figure."""
        return self.document is None

    @property
    def source(self) -> str:
        """Where the figure comes from, in one line ("assumption: …" when it is not documented), as people read
        it: the document's title, year, section and words, without the line pointers into its plain-text copy."""
        if self.document is None:
            return f"assumption: {without_line_pointers(self.assumption)}" if self.assumption else "assumption"
        return f"{self.document.title}{f' ({self.year})' if self.year else ''}: {without_line_pointers(self.where)}"


def number_text(value: float, unit: str) -> str:
    """A figure's number as people read it: thousands separated, a percentage whole or to one decimal, small
    fractions to two."""
    if unit == "%":
        return f"{value:,.0f}%" if float(value).is_integer() else f"{value:,.1f}%"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"


def figure_text(figure: Figure) -> str:
    """A figure's value with its unit as people read it (``"10,000,000 £/year"``, ``"20.0%"``, ``"× 1.35"``); a
    table of values as ``key: value`` pairs."""
    value = figure.value
    if isinstance(value, dict):
        return "; ".join(f"{key}: {figure_text(Figure(figure.key, '', item, figure.unit))}" for key, item in value.items())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if figure.unit == "index":
            return f"× {float(value):.2f}"
        return f"{number_text(float(value), figure.unit)}{'' if figure.unit == '%' else ' ' + figure.unit}".strip()
    return str(value)


_LINE_POINTER = re.compile(r"\s*\(seed \d{3}:[\d\s,–-]+\)")


def without_line_pointers(text: str) -> str:
    """Text of a source without its pointers into the documents' plain-text copies (``" (seed 000:492-494)"``),
    which help the team check a quote and mean nothing to a reader of the council's own document."""
    return _LINE_POINTER.sub("", text)


def series_value(points: SeriesValue, year: float) -> tuple[float, bool]:
    """Value of a yearly series at ``year``: linear between the given years, continued at the last (or first)
    segment's rate beyond them. Returns the value and whether it was extrapolated.

    A series of one point is constant.
    """
    years = sorted(points)
    values = [float(points[y]) for y in years]
    if len(years) == 1:
        return values[0], year != years[0]
    if years[0] <= year <= years[-1]:
        return float(np.interp(year, years, values)), False
    (y0, v0), (y1, v1) = ((years[-2], values[-2]), (years[-1], values[-1])) if year > years[-1] else \
        ((years[0], values[0]), (years[1], values[1]))
    return max(0.0, v1 + (v1 - v0) / (y1 - y0) * (year - y1)), True
