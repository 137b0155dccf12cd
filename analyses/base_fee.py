"""The base fee inside the fee zone, net of the rural uplift where a council's figure is an average that includes it.

A council that documents only its spend and its hours gives an average fee over all hours, the uplift paid on the
hours outside the zone included (Herefordshire: £10m a year ÷ 9,900 hours a week = £19.45). Adding the uplift on
top of that average counts it twice. With a share ``s`` of the hours outside the zone and an uplift ``u``, the
average is ``base × (1 + u × s)``, so::

    base = average / (1 + u × s)

The share is modelled (the council's hours placed over its postcodes, :func:`analyses.fee_costing.outside_share`),
and every figure built on it says which share it used and from what demand.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.council import Council

UPLIFT_KEY = "rural_uplift_pct"
"""The figure an average fee may include (:attr:`geo.figures.Figure.includes`)."""


@dataclass(frozen=True)
class OutsideShare:
    """The share of a council's home-care hours outside the fee zone (paid the uplift), and how it was found.

    Attributes
    ----------
    share : float
        0–1.
    source : str
        The rule and the demand it was measured on ("SYNTHETIC" when modelled).
    """

    share: float
    source: str


@dataclass(frozen=True)
class BaseFee:
    """The base fee inside the fee zone, £ an hour, and where it comes from.

    Attributes
    ----------
    per_hour : float
        The base fee: the council's figure, or its average net of the uplift.
    source : str
        Where it comes from, with the sum when netted.
    average_per_hour : float or None
        The council's average over all hours, uplift included, when that is its figure (else None).
    share : OutsideShare or None
        The share of hours outside the zone the average was netted with.
    """

    per_hour: float
    source: str
    average_per_hour: float | None = None
    share: OutsideShare | None = None

    @property
    def netted(self) -> bool:
        """True when the base was solved from an average that includes the uplift."""
        return self.average_per_hour is not None and self.share is not None

    def describe(self) -> str:
        """The base fee in words, with the average beside it when it was netted."""
        if self.average_per_hour is None:
            return f"£{self.per_hour:.2f} an hour ({self.source})"
        return f"£{self.per_hour:.2f} an hour inside the zone, from an average of £{self.average_per_hour:.2f} ({self.source})"


def net_base_fee(average: float, uplift_pct: float, share_outside: float) -> float:
    """The base fee whose average over all hours, with ``uplift_pct`` % more on a share ``share_outside`` (0–1) of
    them, is ``average``: ``average / (1 + uplift × share)``.

    >>> round(net_base_fee(23.0, 20.0, 0.75), 2)
    20.0
    """
    return float(average) / (1.0 + float(uplift_pct) / 100.0 * float(share_outside))


def includes_uplift(council: Council) -> bool:
    """Whether the council's base fee figure is an average with the rural uplift in it."""
    return council.figure("base_fee_per_hour").includes == UPLIFT_KEY


def council_base_fee(council: Council, share: OutsideShare | None = None) -> BaseFee:
    """The council's base fee: its figure, or, where that figure is an average including the uplift, the average
    net of the council's own uplift at ``share`` of the hours outside the zone.

    The average was paid under the council's own rule, so it is netted with the council's uplift whatever uplift a
    user tries as a what-if. Without ``share`` such an average is returned as it is, said so.
    """
    figure = council.figure("base_fee_per_hour")
    source = council.source("base_fee_per_hour")
    if figure.includes != UPLIFT_KEY:
        return BaseFee(council.base_fee_per_hour, source)
    average = council.base_fee_per_hour
    if share is None:
        return BaseFee(average, f"{source}; not netted of the uplift (no share of hours outside the zone known), so "
                                f"the uplift is counted twice", average)
    uplift = council.rural_uplift_pct
    base = net_base_fee(average, uplift, share.share)
    return BaseFee(base, f"the average £{average:.2f} ({source}) ÷ (1 + {uplift:g}% × {share.share:.1%}), "
                         f"{share.share:.1%} being the share of hours outside the zone ({share.source})", average, share)
