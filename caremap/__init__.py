"""caremap: geospatial planning for rural adult social care.

Three questions on maps: can providers build viable rounds of home-care calls here; who is outside the
rural fee zone and what does the uplift cost; where are older people far from care-home beds. This
package is the public interface (for notebooks and scripts) and the command line (``python -m caremap``);
the work is done by the pipeline packages ``geo`` → ``layers`` → ``routing`` → ``analyses``.
"""

from typing import TYPE_CHECKING

from caremap.api import (
    build_rounds,
    candidate_sites,
    care_homes,
    classify_fee_zones,
    engine_names,
    load_data,
    measure_coverage,
    read_clients,
    round_settings,
    synthetic_clients,
    travel_engine,
    write_report,
)
from geo.council import Council, list_councils
from geo.errors import (
    CareMapError,
    CareMapWarning,
    DataFileError,
    InputDataError,
    ReprojectedWarning,
    RoadNetworkError,
    UnknownCouncilError,
)
from geo.settings import settings
from geo.version import tool_version
from layers.social_care import council_by_name as load_council

if TYPE_CHECKING:
    from routing.engine import EstimateEngine, RoadEngine

__version__ = tool_version()

_ENGINES = ("EstimateEngine", "RoadEngine")


def __getattr__(name: str):
    """The engines' classes, imported when first asked for (``caremap.RoadEngine.bundled(council)``)."""
    if name in _ENGINES:
        from routing import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'caremap' has no attribute {name!r}")


__all__ = [
    "CareMapError", "CareMapWarning", "Council", "DataFileError", "EstimateEngine", "InputDataError",
    "ReprojectedWarning", "RoadEngine", "RoadNetworkError", "UnknownCouncilError", "__version__", "build_rounds",
    "candidate_sites", "care_homes", "classify_fee_zones", "engine_names", "list_councils", "load_council",
    "load_data", "measure_coverage", "read_clients", "round_settings", "settings", "synthetic_clients",
    "travel_engine", "write_report",
]
