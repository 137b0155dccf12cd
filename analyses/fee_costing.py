"""What the rural uplift costs: hours and clients by zone, the weekly and annual cost, and what-ifs.

Fee rates are not in the council documents: the base hourly fee is an input, by default the one in the
council's settings file. Where that figure is an average that already includes the uplift (Herefordshire: its
documented spend divided by its documented hours), the base fee is solved from it with the modelled share of the
council's hours outside the zone (:mod:`analyses.base_fee`), so the uplift is not counted twice; both are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analyses import fee_zones
from analyses.base_fee import BaseFee, OutsideShare, council_base_fee
from analyses.demand import demand_weights
from geo.council import WHAT_IF, Council
from geo.errors import InputDataError
from layers.council_data import CouncilData

WEEKS_PER_YEAR = 52.0
SYNTHETIC_LABEL = ("SYNTHETIC: the council's weekly hours placed by district where documented, then by people "
                   "aged 65+/85+; not real clients")


@dataclass(frozen=True)
class FeeAssumptions:
    """Money inputs of the costing (all assumptions unless a council documents them).

    Attributes
    ----------
    base_fee_per_hour : float
        Hourly fee paid inside the zone, £.
    uplift_pct : float
        Percentage added outside the zone.
    weeks_per_year : float
    base_fee_source, uplift_source : str
        Where the fee and the uplift come from (a council document, an assumption, or the user's what-if).
    average_fee_per_hour : float or None
        The council's average fee over all hours (uplift included) the base fee was solved from, when it was.
    """

    base_fee_per_hour: float
    uplift_pct: float
    weeks_per_year: float = WEEKS_PER_YEAR
    base_fee_source: str = WHAT_IF
    uplift_source: str = WHAT_IF
    average_fee_per_hour: float | None = None

    @classmethod
    def for_council(cls, council: Council, share: OutsideShare | None = None) -> "FeeAssumptions":
        """The council's base fee (net of the uplift with ``share`` where its figure is an average including it) and
        rural uplift (its settings file)."""
        base = council_base_fee(council, share)
        return cls(base.per_hour, council.rural_uplift_pct, base_fee_source=base.source,
                   uplift_source=council.source("rural_uplift_pct"), average_fee_per_hour=base.average_per_hour)


def default_base_fee(council: Council, share: OutsideShare | None = None) -> BaseFee:
    """The council's base hourly fee and where it comes from: its figure, or its average net of the uplift at
    ``share`` of the hours outside the zone (:func:`analyses.base_fee.council_base_fee`)."""
    return council_base_fee(council, share)


def outside_share(classified: pd.DataFrame, data: CouncilData, *, reading: str = "straight") -> OutsideShare:
    """The share of the council's home-care hours outside its fee zone, on modelled (SYNTHETIC) demand.

    Parameters
    ----------
    classified : DataFrame
        The council's postcodes classified under its own rule (its centres and radius;
        :func:`analyses.fee_zones.classify_postcodes`).
    reading : {"straight", "road"}
        Which reading of the rule decides who is outside.
    """
    demand = modelled_demand(classified, data)
    outside = ~classified[f"inside_{reading}"].to_numpy()
    council = data.council
    method = classified["road_method"].iloc[0] if reading == "road" and len(classified) else ""
    reading_text = fee_zones.READINGS[reading] + (" (ESTIMATE)" if method == "estimate" else "")
    return OutsideShare(float(demand.hours[outside].sum() / demand.hours.sum()),
                        f"the council's {council.weekly_home_care_hours:,.0f} hours a week modelled over its postcodes "
                        f"(SYNTHETIC), outside {council.fee_zone_radius_miles:g} miles of its centres by "
                        f"{reading_text}")


def council_outside_share(data: CouncilData, engine, *, reading: str = "straight",
                          measure_from: str = "point") -> OutsideShare:
    """:func:`outside_share` under the council's own rule (its centres and radius), classifying its postcodes."""
    council = data.council
    centres = fee_zones.zone_centres(data.places, council.fee_zone_centres)
    classified = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, engine,
                                              radius_miles=council.fee_zone_radius_miles, measure_from=measure_from)
    return outside_share(classified, data, reading=reading)


@dataclass(frozen=True)
class Demand:
    """Weekly hours and clients at points (postcodes or client addresses), with where they come from."""

    hours: np.ndarray
    clients: np.ndarray
    source: str

    @property
    def is_synthetic(self) -> bool:
        return self.source.startswith("SYNTHETIC")


def modelled_demand(points: pd.DataFrame, data: CouncilData) -> Demand:
    """The council's weekly hours and clients spread over points (postcodes): each LSOA's share of the demand
    (:func:`analyses.demand.demand_weights`: by district where documented, then by older people) shared among
    its points in proportion to their people aged 65+.

    Parameters
    ----------
    points : DataFrame
        ``lsoa21_code`` and ``pop65_est`` (people aged 65+ at each point).
    data : CouncilData
    """
    weight = demand_weights(data).reindex(points["lsoa21_code"].to_numpy()).to_numpy()
    people = points["pop65_est"].to_numpy(dtype=float)
    lsoa_people = pd.Series(people).groupby(points["lsoa21_code"].to_numpy()).transform("sum").to_numpy()
    share = np.divide(weight * people, lsoa_people, out=np.zeros(len(people)), where=lsoa_people > 0)
    share = share / share.sum()
    council = data.council
    return Demand(council.weekly_home_care_hours * share, council.home_care_clients * share, SYNTHETIC_LABEL)


def client_demand(hours_per_week: Sequence[float], filename: str) -> Demand:
    """Demand from an uploaded client list: each row one client with its weekly hours."""
    hours = np.asarray(hours_per_week, dtype=float)
    return Demand(hours, np.ones(len(hours)), f"uploaded client list {filename}")


def zone_cost(outside: np.ndarray, demand: Demand, fees: FeeAssumptions) -> dict[str, float]:
    """Hours, clients and money inside/outside the zone for one reading.

    Returns
    -------
    dict
        ``hours_inside``, ``hours_outside``, ``clients_inside``, ``clients_outside``, ``weekly_base`` (all
        hours at the base fee), ``weekly_uplift`` (the extra paid outside), ``annual_uplift`` and
        ``annual_total`` (£).
    """
    outside = np.asarray(outside, dtype=bool)
    hours_outside = float(demand.hours[outside].sum())
    weekly_base = float(demand.hours.sum()) * fees.base_fee_per_hour
    weekly_uplift = hours_outside * fees.base_fee_per_hour * fees.uplift_pct / 100.0
    return {
        "hours_inside": float(demand.hours[~outside].sum()),
        "hours_outside": hours_outside,
        "clients_inside": float(demand.clients[~outside].sum()),
        "clients_outside": float(demand.clients[outside].sum()),
        "weekly_base": weekly_base,
        "weekly_uplift": weekly_uplift,
        "annual_uplift": weekly_uplift * fees.weeks_per_year,
        "annual_total": (weekly_base + weekly_uplift) * fees.weeks_per_year,
    }


def road_cost_band(located: pd.DataFrame, demand: Demand, fees: FeeAssumptions, *, radius_miles: float
                   ) -> dict[str, dict[str, float]] | None:
    """:func:`zone_cost` on the road reading at the two ends of the estimate's band (``"low"``: few detours, the
    uplift costs least; ``"high"``: many detours), or None when the road miles are measured on real roads.

    ``located`` holds ``road_method``, ``road_miles_low`` and ``road_miles_high``
    (:func:`analyses.fee_zones.classify_points`)."""
    if not (located["road_method"] == "estimate").any():
        return None
    return {end: zone_cost(~(located[f"road_miles_{end}"].to_numpy() <= radius_miles), demand, fees)
            for end in fee_zones.BAND_ENDS}


def band_readings(located: pd.DataFrame) -> dict[str, np.ndarray]:
    """Distances of each reading for the what-ifs: straight line and road, and, on the estimate, the two ends of
    the road reading's band (``"road, few detours"``, ``"road, many detours"``)."""
    readings = {"straight": located["straight_miles"].to_numpy(), "road": located["road_miles"].to_numpy()}
    if (located["road_method"] == "estimate").any():
        readings.update({f"road, {text}": located[f"road_miles_{end}"].to_numpy()
                         for end, text in fee_zones.BAND_ENDS.items()})
    return readings


def radius_what_if(miles_by_reading: dict[str, np.ndarray], demand: Demand, fees: FeeAssumptions, *,
                   radii: Sequence[float] = tuple(range(2, 11))) -> pd.DataFrame:
    """Zone costs for each radius and reading (e.g. straight line and road).

    Returns
    -------
    DataFrame
        One row per (radius, reading) with the columns of :func:`zone_cost`.
    """
    rows = []
    for radius in radii:
        for reading, miles in miles_by_reading.items():
            outside = ~(np.asarray(miles) <= radius)  # unreachable (inf/NaN) counts as outside
            rows.append({"radius_miles": float(radius), "reading": reading, **zone_cost(outside, demand, fees)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BandedScheme:
    """A fee scheme of distance bands, each with its own uplift.

    ``bands`` are (from_miles, uplift_pct) pairs sorted by distance: ``((0, 0), (3, 10), (6, 20))``
    pays nothing extra under 3 miles, 10% from 3 to 6 miles and 20% beyond 6 miles.
    """

    name: str
    bands: tuple[tuple[float, float], ...]

    def uplift_pct(self, miles: np.ndarray) -> np.ndarray:
        """Uplift (%) at each distance; unreachable points (inf) get the last band."""
        starts = np.array([start for start, _ in self.bands], dtype=float)
        rates = np.array([rate for _, rate in self.bands], dtype=float)
        miles = np.nan_to_num(np.asarray(miles, dtype=float), nan=np.inf)
        position = np.searchsorted(starts, miles, side="right") - 1
        return np.where(position >= 0, rates[np.clip(position, 0, None)], 0.0)

    def label(self) -> str:
        parts = []
        for index, (start, rate) in enumerate(self.bands):
            end = self.bands[index + 1][0] if index + 1 < len(self.bands) else None
            span = f"{start:g}–{end:g}" if end is not None else f"{start:g}+"
            parts.append(f"{span} mi: {rate:g}%")
        return "; ".join(parts)


def validate_bands(bands: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Check a band table typed by a user: starts at 0, distances increasing, uplifts 0–200%."""
    cleaned = []
    for number, (start, rate) in enumerate(bands, start=1):
        try:
            start, rate = float(start), float(rate)
        except (TypeError, ValueError):
            raise InputDataError(f"Band {number}: distance and uplift must be numbers.") from None
        if not np.isfinite(start) or not np.isfinite(rate) or start < 0 or not 0 <= rate <= 200:
            raise InputDataError(f"Band {number}: distance must be ≥ 0 miles and uplift between 0 and 200%.")
        cleaned.append((start, rate))
    if not cleaned or cleaned[0][0] != 0:
        raise InputDataError("The first band must start at 0 miles.")
    starts = [start for start, _ in cleaned]
    if any(b <= a for a, b in zip(starts, starts[1:])):
        raise InputDataError("Band distances must increase from one band to the next.")
    return tuple(cleaned)


def default_schemes(council: Council, *, radius_miles: float | None = None,
                    uplift_pct: float | None = None) -> list[BandedScheme]:
    """The council's current rule, the user's what-if rule when ``radius_miles`` or ``uplift_pct`` differ from it,
    and two illustrative banded schemes (labelled as such)."""
    radius, uplift = council.fee_zone_radius_miles, council.rural_uplift_pct
    chosen = (radius if radius_miles is None else radius_miles, uplift if uplift_pct is None else uplift_pct)
    what_if = [BandedScheme(f"What-if rule ({chosen[0]:g} mi, {chosen[1]:g}%)", ((0.0, 0.0), chosen))] \
        if chosen != (radius, uplift) else []
    return [
        BandedScheme(f"Current rule ({radius:g} mi, {uplift:g}%)", ((0.0, 0.0), (radius, uplift))), *what_if,
        BandedScheme("Illustrative: three bands 0–3 / 3–6 / 6+ mi", ((0.0, 0.0), (3.0, 10.0), (6.0, 20.0))),
        BandedScheme("Illustrative: graded 4–8 / 8+ mi", ((0.0, 0.0), (4.0, 15.0), (8.0, 25.0))),
    ]


def scheme_costs(schemes: Sequence[BandedScheme], miles: np.ndarray, demand: Demand, *, base_fee: float,
                 weeks_per_year: float = WEEKS_PER_YEAR) -> pd.DataFrame:
    """Clients, hours and cost of each scheme on one distance reading.

    Returns
    -------
    DataFrame
        One row per scheme: ``scheme``, ``bands``, ``clients_uplifted``, ``hours_uplifted``,
        ``weekly_uplift``, ``annual_uplift`` (£) and ``mean_uplift_pct`` (hour-weighted, all hours).
    """
    rows = []
    for scheme in schemes:
        rate = scheme.uplift_pct(miles)
        uplifted = rate > 0
        weekly = float((demand.hours * base_fee * rate / 100.0).sum())
        rows.append({
            "scheme": scheme.name, "bands": scheme.label(),
            "clients_uplifted": float(demand.clients[uplifted].sum()),
            "hours_uplifted": float(demand.hours[uplifted].sum()),
            "weekly_uplift": weekly, "annual_uplift": weekly * weeks_per_year,
            "mean_uplift_pct": float((demand.hours * rate).sum() / demand.hours.sum()) if demand.hours.sum() else 0.0,
        })
    return pd.DataFrame(rows)


def costing_sheets(data: CouncilData, classified: pd.DataFrame, located: pd.DataFrame, demand: Demand, *,
                   radii: pd.DataFrame, schemes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The fee-zone workbook: every area and postcode (:func:`analyses.fee_zones.area_sheets`, with the modelled
    hours at each postcode when the demand is SYNTHETIC), the radius what-if, the banded schemes, and the
    clients with their zones when a client list was costed.

    Parameters
    ----------
    classified : DataFrame
        The council's postcodes (:func:`analyses.fee_zones.classify_postcodes`).
    located : DataFrame
        What was costed: ``classified`` itself for modelled demand, or the classified client list.
    radii, schemes : DataFrame
        :func:`radius_what_if` and :func:`scheme_costs`.
    """
    sheets = fee_zones.area_sheets(data, classified)
    if demand.is_synthetic and located is classified:
        sheets["postcodes"]["modelled_hours_per_week"] = demand.hours
        sheets["postcodes"]["demand_source"] = SYNTHETIC_LABEL
    sheets.update({"radius what-if": radii, "banded schemes": schemes})
    if located is not classified:
        sheets["clients"] = located
    return sheets
