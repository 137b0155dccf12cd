"""caremap: geospatial planning for rural adult social care.

Three questions on maps: can providers build viable rounds of home-care calls here; who is outside the
rural fee zone and what does the uplift cost; where are older people far from care-home beds. This
package is the public interface (for notebooks and scripts) and the command line (``python -m caremap``);
the work is done by the pipeline packages ``geo`` → ``layers`` → ``routing`` → ``analyses``.
"""

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
from geo.council import Council, list_councils, load_council
from geo.errors import CareMapError, DataFileError, InputDataError, RoadNetworkError, UnknownCouncilError

__version__ = "0.8.0"

__all__ = [
    "CareMapError", "Council", "DataFileError", "InputDataError", "RoadNetworkError", "UnknownCouncilError",
    "__version__", "build_rounds", "candidate_sites", "care_homes", "classify_fee_zones", "engine_names", "list_councils",
    "load_council", "load_data", "measure_coverage", "read_clients", "round_settings", "synthetic_clients", "travel_engine",
    "write_report",
]
