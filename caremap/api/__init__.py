"""The public interface for notebooks and scripts: a council, its data, a travel engine, and the three analyses.

Each function is a thin, documented entry to the pipeline (council → layers → travel → analyses); the
modules it calls are the place to look for the details. Nothing here imports Streamlit or folium.

Every option is checked before any work starts (:mod:`geo.checks`, the checks the command line uses too), and
every error raised is a :class:`~geo.errors.CareMapError` (a bad value is also a ``ValueError``, a missing file a
``FileNotFoundError``). Layers given in another CRS than British National Grid are reprojected with a
:class:`~geo.errors.ReprojectedWarning`; a layer without a CRS is refused.

Readers and analyses fit together: what :func:`read_clients` returns goes to :func:`build_rounds` or
:func:`classify_fee_zones` as it is (or its ``.clients``); what :func:`care_homes` returns goes to
:func:`measure_coverage` or :func:`write_report` as it is (or its ``.homes``).

Example
-------
>>> import caremap
>>> data = caremap.load_data("rutland")
>>> engine = caremap.travel_engine(data.council, "bundled")      # or RoadEngine.bundled(data.council)
>>> zones = caremap.classify_fee_zones(data, engine)               # the council's own radius
>>> plan = caremap.build_rounds(data, engine, clients=30)            # a week for 30 SYNTHETIC clients
>>> coverage = caremap.measure_coverage(data, caremap.care_homes(data), engine, year=2028)

The functions are in modules by question (:mod:`~caremap.api.data`, :mod:`~caremap.api.fee_zones`,
:mod:`~caremap.api.rounds`, :mod:`~caremap.api.coverage`); the names below are the interface.
"""

from caremap.api.coverage import REPORT_SUFFIXES, candidate_sites, care_homes, measure_coverage, write_report
from caremap.api.data import (
    CLIENT_PURPOSES,
    MAX_SYNTHETIC_CLIENTS,
    engine_names,
    load_data,
    read_clients,
    synthetic_clients,
    travel_engine,
)
from caremap.api.fee_zones import classify_fee_zones
from caremap.api.rounds import build_rounds, round_settings

__all__ = ["CLIENT_PURPOSES", "MAX_SYNTHETIC_CLIENTS", "REPORT_SUFFIXES", "build_rounds", "candidate_sites",
           "care_homes", "classify_fee_zones", "engine_names", "load_data", "measure_coverage", "read_clients",
           "round_settings", "synthetic_clients", "travel_engine", "write_report"]
