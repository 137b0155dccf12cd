"""What a provider is paid for each call: the base fee, or the fee with the rural uplift outside the fee zone.

The zone is the Rural fee zones page's: a client is outside when farther than the radius from every
centre (the city and market towns), by straight line or by road, measured from each settlement's
point or edge (:func:`analyses.fee_zones.classify_points`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses import fee_zones
from analyses.rounds.settings import RoundSettings
from geo.council import Council
from routing.engine import TravelEngine

INSIDE, OUTSIDE = "inside", "outside"


@dataclass(frozen=True)
class ZoneRule:
    """The fee-zone rule in force: within ``radius_miles`` of the ``centres`` by straight line or by road
    (``reading``), measured from each settlement's point or edge (``measure_from``)."""

    centres: tuple[str, ...]
    radius_miles: float
    reading: str = "straight"
    measure_from: str = "point"

    def __post_init__(self) -> None:
        if self.reading not in fee_zones.READINGS:
            raise ValueError(f"reading must be one of {', '.join(fee_zones.READINGS)}, not {self.reading!r}")
        if self.measure_from not in fee_zones.MEASURE_FROM:
            raise ValueError(f"measure_from must be one of {', '.join(fee_zones.MEASURE_FROM)}, not "
                             f"{self.measure_from!r}")

    @classmethod
    def for_council(cls, council: Council, **changes) -> "ZoneRule":
        """The council's own rule (its centres and radius, straight line from each settlement's point)."""
        return cls(**{"centres": tuple(council.fee_zone_centres), "radius_miles": council.fee_zone_radius_miles,
                      **changes})

    def describe(self) -> str:
        """The rule in words."""
        return (f"within {self.radius_miles:g} miles of {', '.join(self.centres)} by "
                f"{fee_zones.READINGS[self.reading]}, measured from each {fee_zones.MEASURE_FROM[self.measure_from]}")


def client_zones(clients: gpd.GeoDataFrame, places: gpd.GeoDataFrame, engine: TravelEngine, rule: ZoneRule
                 ) -> pd.DataFrame:
    """Whether each client is inside or outside the rural fee zone.

    Parameters
    ----------
    clients : GeoDataFrame
        ``client_id`` and point geometry (BNG).
    places : GeoDataFrame
        The council's settlements (:attr:`layers.council_data.CouncilData.places`).
    engine : TravelEngine
        For the road reading.
    rule : ZoneRule

    Returns
    -------
    DataFrame
        Indexed by ``client_id``: ``zone`` ("inside" or "outside"), ``zone_miles`` (distance to the nearest
        centre in the reading used) and ``zone_centre``.
    """
    centre_layer = fee_zones.zone_centres(places, rule.centres)
    xy = np.column_stack([clients.geometry.x, clients.geometry.y])
    zones = fee_zones.classify_points(xy, centre_layer, engine, radius_miles=rule.radius_miles,
                                      measure_from=rule.measure_from)
    inside = zones[f"inside_{rule.reading}"].to_numpy()
    return pd.DataFrame({"zone": np.where(inside, INSIDE, OUTSIDE),
                         "zone_miles": zones[f"{rule.reading}_miles"].to_numpy(),
                         "zone_centre": zones[f"{rule.reading}_centre"].to_numpy()},
                        index=pd.Index(clients["client_id"].to_numpy(), name="client_id"))


def price_visits(visits: pd.DataFrame, zones: pd.DataFrame | None, settings: RoundSettings) -> pd.DataFrame:
    """Visits with their ``zone``, ``fee_per_hour`` (£: the base fee, × (1 + uplift) outside the zone) and
    ``income`` (£: fee × visit minutes ÷ 60).

    Clients missing from ``zones`` (or all, when it is None) are paid the base fee, zone "".
    """
    priced = visits.copy()
    zone = priced["client_id"].map(zones["zone"]) if zones is not None else pd.Series("", index=priced.index)
    priced["zone"] = zone.fillna("").astype(str)
    if settings.income_per_contact_hour is None:
        priced["fee_per_hour"] = np.nan
    else:
        priced["fee_per_hour"] = [settings.fee_for(value == OUTSIDE) for value in priced["zone"]]
    priced["income"] = priced["fee_per_hour"] * priced["minutes"] / 60.0
    return priced
