"""Calibrate the straight-line estimate against real roads (done on Rutland, the bundled network)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routing.engine import RoadEngine


@dataclass(frozen=True)
class Calibration:
    """How straight lines relate to roads over sampled point pairs.

    Attributes
    ----------
    pairs : int
        Pairs used (both ends on the network, straight distance above the minimum).
    circuity : float
        Total shortest road distance / total straight-line distance.
    circuity_median, circuity_p10, circuity_p90 : float
        Spread of the per-pair ratio.
    speed_mph : float
        Total estimated distance (straight × circuity) / total fastest travel time: the speed that
        makes the estimate's total time match the roads.
    """

    pairs: int
    circuity: float
    circuity_median: float
    circuity_p10: float
    circuity_p90: float
    speed_mph: float


def calibrate_estimate(engine: RoadEngine, points_xy: np.ndarray, sample: int = 300, min_straight_m: float = 800.0,
                       seed: int = 0) -> Calibration:
    """Measure circuity and the equivalent average speed over ``sample`` × ``sample`` point pairs."""
    rng = np.random.default_rng(seed)
    origins = points_xy[rng.choice(len(points_xy), min(sample, len(points_xy)), replace=False)]
    destinations = points_xy[rng.choice(len(points_xy), min(sample, len(points_xy)), replace=False)]
    shortest = engine.matrix(origins, destinations, by="distance", with_other=False).miles
    fastest = engine.matrix(origins, destinations, by="time", with_other=False).minutes
    straight = np.hypot(origins[:, None, 0] - destinations[None, :, 0], origins[:, None, 1] - destinations[None, :, 1])
    straight_miles = straight / 1609.344
    usable = (straight >= min_straight_m) & np.isfinite(shortest) & np.isfinite(fastest)
    ratio = shortest[usable] / straight_miles[usable]
    circuity = shortest[usable].sum() / straight_miles[usable].sum()
    speed = (straight_miles[usable].sum() * circuity) / (fastest[usable].sum() / 60.0)
    p10, median, p90 = np.percentile(ratio, [10, 50, 90])
    return Calibration(int(usable.sum()), float(circuity), float(median), float(p10), float(p90), float(speed))
