"""Rural fee zones through the public API: every postcode or client inside or outside the zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import geopandas as gpd

from caremap import arguments
from geo import checks
from geo.crs import to_bng
from layers.council_data import CouncilData

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from layers.clients import ClientTable
    from routing.engine import TravelEngine


def classify_fee_zones(data: CouncilData, engine: "TravelEngine", *, radius_miles: float | None = None,
                       centres: str | Sequence[str] | None = None, measure_from: str = "point",
                       clients: "ClientTable | gpd.GeoDataFrame | None" = None) -> gpd.GeoDataFrame:
    """Every postcode of the council (or every client of a list) inside or outside the rural fee zone, by straight
    line and by road.

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    radius_miles : float, optional
        0–30 miles; default the council's own radius (its settings file).
    centres : str or sequence of str, optional
        The settlement (``"Oakham"``) or settlements measured from; default the council's centres.
    measure_from : {"point", "extent"}
        The settlement's point or its edge (OS Open Names extent).
    clients : ClientTable or GeoDataFrame, optional
        A client list (:func:`read_clients`, or its ``.clients``): classify each client instead of every postcode.

    Returns
    -------
    GeoDataFrame
        See :func:`analyses.fee_zones.classify_postcodes` (or :func:`analyses.fee_zones.classify_clients`).
    """
    from analyses import fee_zones

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    council = data.council
    radius = council.fee_zone_radius_miles if radius_miles is None else \
        checks.FEE_ZONE_RADIUS_MILES.check(radius_miles, "radius_miles")
    names = council.fee_zone_centres if centres is None else checks.names(centres, name="centres")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    if clients is not None:
        clients = to_bng(checks.frame_of(clients, "clients", name="clients", what="a client list"), name="clients")
    centre_layer = fee_zones.zone_centres(data.places, names)
    if clients is not None:
        return fee_zones.classify_clients(clients, centre_layer, engine, radius_miles=radius, measure_from=measure_from)
    return fee_zones.classify_postcodes(data.postcodes, data.lsoa, centre_layer, engine, radius_miles=radius,
                                        measure_from=measure_from)
