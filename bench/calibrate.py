"""Calibrate the straight-line estimate against real roads (done on Rutland, the bundled network): the
measurement behind :data:`routing.settings.ESTIMATE_BANDS`, run by ``python -m bench.routing`` and checked by the
tests (the stored bands are what Rutland measures).

Two kinds of trip are sampled: short ones, from every postcode to its nearest of a few sampled
"facilities" (as trips to the nearest surgery or care home are), and long ones, between random postcode
pairs. Both are grouped into bands of straight-line distance; each band gives a circuity (road miles of the
fastest route / straight miles) and an average speed (road miles / hours), because short rural trips wind
more and run slower than long ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.units import METRES_PER_MILE
from routing.engine import RoadEngine

BAND_EDGES_KM = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, np.inf)
"""Straight-line distance bands of the calibration, km."""


@dataclass(frozen=True)
class Calibration:
    """How straight lines relate to roads over sampled point pairs (one figure for all distances).

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


@dataclass(frozen=True)
class DistanceBand:
    """Roads against straight lines for trips in one band of straight-line distance.

    Attributes
    ----------
    lower_km, upper_km : float
        The band.
    short_trips, long_trips : int
        Nearest-facility trips and postcode pairs in the band.
    straight_km : float
        Median straight-line distance of its trips (where the band's figures apply), km.
    circuity : float
        Total road miles of the fastest routes / total straight miles.
    circuity_p10, circuity_p90 : float
        Spread of the per-trip ratio.
    speed_mph : float
        Total road miles / total hours of the fastest routes.
    """

    lower_km: float
    upper_km: float
    short_trips: int
    long_trips: int
    straight_km: float
    circuity: float
    circuity_p10: float
    circuity_p90: float
    speed_mph: float

    @property
    def label(self) -> str:
        return f"{self.lower_km:g}–{self.upper_km:g} km" if np.isfinite(self.upper_km) else f"over {self.lower_km:g} km"


def calibrate_estimate(engine: RoadEngine, points_xy: np.ndarray, sample: int = 300, min_straight_m: float = 800.0,
                       seed: int = 0) -> Calibration:
    """Measure one circuity and the equivalent average speed over ``sample`` × ``sample`` point pairs."""
    rng = np.random.default_rng(seed)
    origins = points_xy[rng.choice(len(points_xy), min(sample, len(points_xy)), replace=False)]
    destinations = points_xy[rng.choice(len(points_xy), min(sample, len(points_xy)), replace=False)]
    shortest = engine.matrix(origins, destinations, by="distance", with_other=False).miles
    fastest = engine.matrix(origins, destinations, by="time", with_other=False).minutes
    straight = np.hypot(origins[:, None, 0] - destinations[None, :, 0], origins[:, None, 1] - destinations[None, :, 1])
    straight_miles = straight / METRES_PER_MILE
    usable = (straight >= min_straight_m) & np.isfinite(shortest) & np.isfinite(fastest)
    ratio = shortest[usable] / straight_miles[usable]
    circuity = shortest[usable].sum() / straight_miles[usable].sum()
    speed = (straight_miles[usable].sum() * circuity) / (fastest[usable].sum() / 60.0)
    p10, median, p90 = np.percentile(ratio, [10, 50, 90])
    return Calibration(int(usable.sum()), float(circuity), float(median), float(p10), float(p90), float(speed))


def sample_trips(engine: RoadEngine, points_xy: np.ndarray, *, facility_counts: tuple[int, ...] = (3, 6, 12, 24),
                 pair_sample: int = 300, seed: int = 0) -> dict[str, np.ndarray]:
    """Trips on the roads: every point to its nearest (fastest) of ``k`` randomly chosen points for each ``k`` of
    ``facility_counts`` (short), and ``pair_sample`` × ``pair_sample`` random pairs (long).

    Returns
    -------
    dict
        ``straight_m``, ``miles`` and ``minutes`` (along the fastest route) and ``short`` (bool) of each trip.
    """
    rng = np.random.default_rng(seed)
    straight, miles, minutes, short = [], [], [], []
    for count in facility_counts:
        facilities = points_xy[rng.choice(len(points_xy), count, replace=False)]
        found = engine.nearest(points_xy, facilities, direction="to")
        reached = found["reachable"].to_numpy()
        chosen = facilities[found["facility"].to_numpy()[reached]]
        straight.append(np.hypot(*(points_xy[reached] - chosen).T))
        miles.append(found["miles"].to_numpy()[reached])
        minutes.append(found["minutes"].to_numpy()[reached])
        short.append(np.ones(int(reached.sum()), dtype=bool))
    size = min(pair_sample, len(points_xy))
    origins = points_xy[rng.choice(len(points_xy), size, replace=False)]
    destinations = points_xy[rng.choice(len(points_xy), size, replace=False)]
    matrix = engine.matrix(origins, destinations)
    reached = matrix.reachable.ravel()
    straight.append(np.hypot(origins[:, None, 0] - destinations[None, :, 0],
                             origins[:, None, 1] - destinations[None, :, 1]).ravel()[reached])
    miles.append(matrix.miles.ravel()[reached])
    minutes.append(matrix.minutes.ravel()[reached])
    short.append(np.zeros(int(reached.sum()), dtype=bool))
    return {"straight_m": np.concatenate(straight), "miles": np.concatenate(miles),
            "minutes": np.concatenate(minutes), "short": np.concatenate(short)}


def calibrate_bands(trips: dict[str, np.ndarray], *, edges_km: tuple[float, ...] = BAND_EDGES_KM,
                    min_straight_m: float = 100.0) -> list[DistanceBand]:
    """Circuity and speed by band of straight-line distance (see :func:`sample_trips`); empty bands are left out.

    Trips shorter than ``min_straight_m`` (a point next to its facility) are left out: their ratio is noise.
    """
    straight_km = trips["straight_m"] / 1000.0
    usable = trips["straight_m"] >= min_straight_m
    bands = []
    for lower, upper in zip(edges_km[:-1], edges_km[1:]):
        inside = usable & (straight_km >= lower) & (straight_km < upper)
        if inside.sum() < 20:
            continue
        straight_miles = trips["straight_m"][inside] / METRES_PER_MILE
        road_miles = trips["miles"][inside]
        p10, p90 = np.percentile(road_miles / straight_miles, [10, 90])
        bands.append(DistanceBand(
            lower_km=float(lower), upper_km=float(upper), short_trips=int((inside & trips["short"]).sum()),
            long_trips=int((inside & ~trips["short"]).sum()), straight_km=float(np.median(straight_km[inside])),
            circuity=float(road_miles.sum() / straight_miles.sum()), circuity_p10=float(p10), circuity_p90=float(p90),
            speed_mph=float(road_miles.sum() / (trips["minutes"][inside].sum() / 60.0)),
        ))
    return bands


def band_table(bands: list[DistanceBand]) -> list[tuple[str, ...]]:
    """Rows (band, trips short/long, median km, circuity with 10th–90th percentile, speed) for printing."""
    return [(band.label, f"{band.short_trips:,}", f"{band.long_trips:,}", f"{band.straight_km:.2f}",
             f"{band.circuity:.3f} ({band.circuity_p10:.2f}–{band.circuity_p90:.2f})", f"{band.speed_mph:.1f}")
            for band in bands]
