"""Travel-time engines: real roads (``RoadEngine``) and the labelled straight-line estimate (``EstimateEngine``).

Both answer the same questions (:class:`~routing.travel.TravelEngine`) for points in British National Grid
metres, or GeoDataFrames of points in any CRS: :meth:`~TravelEngine.matrix` (origins × destinations),
:meth:`~TravelEngine.nearest` (nearest facility for many points), :meth:`~TravelEngine.within` (points within a
limit of any facility) and :meth:`~TravelEngine.path` (the route between two points as a line). Every result says
which method produced it, and estimates say so in their label.

Engines are made by their constructors: ``RoadEngine.from_file(path)``, ``RoadEngine.bundled(council)``,
``RoadEngine.prepared(council)``, ``RoadEngine(network)`` and ``EstimateEngine()``. This module gathers them:
the interface is :mod:`routing.travel`, the engines :mod:`routing.road_engine` and :mod:`routing.estimate`.
"""

from routing.estimate import EstimateCurve, EstimateEngine
from routing.road_engine import ROAD_ZONE_WIDTH_M, RoadEngine
from routing.travel import ESTIMATE, ROAD, RoutePath, Snap, TravelEngine, TravelMatrix

__all__ = ["ESTIMATE", "ROAD", "ROAD_ZONE_WIDTH_M", "EstimateCurve", "EstimateEngine", "RoadEngine", "RoutePath",
           "Snap", "TravelEngine", "TravelMatrix"]
