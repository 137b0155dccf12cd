"""The public API's arguments, checked and taken as the analyses want them: a council or its name, a council's
data, a travel engine, a reader's table or its frame (in BNG), a locality, providers per locality.

Each function returns the argument as the API uses it or raises :class:`~geo.errors.InputDataError` naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import geopandas as gpd

from geo import checks
from geo.council import Council
from geo.crs import to_bng
from geo.errors import InputDataError
from layers.council_data import CouncilData
from layers.social_care import council_by_name

if TYPE_CHECKING:
    from analyses.rounds import Base, RoundSettings
    from routing.engine import TravelEngine


def council_of(council: Council | str) -> Council:
    if isinstance(council, Council):
        return council
    if not isinstance(council, str):
        raise InputDataError(f"council should be a Council or a council's name, not {type(council).__name__}.")
    return council_by_name(council)


def council_data(data: Any) -> CouncilData:
    if not isinstance(data, CouncilData):
        raise InputDataError(f"data should be a council's data from caremap.load_data(council), not "
                             f"{type(data).__name__}.")
    return data


def travel_engine_of(engine: Any) -> "TravelEngine":
    from routing.engine import TravelEngine

    if not isinstance(engine, TravelEngine):
        raise InputDataError(f"engine should be a travel engine from caremap.travel_engine(council, name) (or "
                             f"RoadEngine.bundled, RoadEngine.from_file, EstimateEngine()), not {type(engine).__name__}.")
    return engine


def homes_of(homes: Any) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The homes of a :func:`care_homes` table or a frame of homes (in BNG), and the table's notes."""
    frame = to_bng(checks.frame_of(homes, "homes", name="homes", what="care homes"), name="homes")
    return frame, list(getattr(homes, "notes", []) or [])


def optional_file(path: str | Path | None, *, what: str) -> Path | None:
    return None if path is None else checks.existing_file(path, what=what)


def locality_of(data: CouncilData, locality: str | None) -> str | None:
    """A PCN locality of the council (or None for the whole council)."""
    if locality is None:
        return None
    names = sorted(data.lsoa["locality_name"].dropna().unique())
    if locality not in names:
        raise InputDataError(f"{locality!r} is not a PCN locality of {data.council.name}. Use one of: "
                             f"{'; '.join(names)}.")
    return locality


def providers_of(providers: Mapping[str, int] | None) -> Mapping[str, int] | None:
    if providers is None:
        return None
    if not isinstance(providers, Mapping):
        raise InputDataError("providers should map each locality's name to its number of providers.")
    return {name: checks.whole_number(count, 1, 10_000, name=f"providers[{name!r}]", what="a number of providers")
            for name, count in providers.items()}


def bases_of(bases: Sequence["Base"] | None) -> list["Base"] | None:
    """One or more bases of rounds (None: the suggested ones)."""
    from analyses.rounds import Base

    if bases is None:
        return None
    if isinstance(bases, (str, bytes)) or not bases or not all(isinstance(base, Base) for base in bases):
        raise InputDataError("bases should be a list of one or more analyses.rounds.Base, or None for the suggested "
                             "bases.")
    return list(bases)


def round_settings_of(settings: "RoundSettings | None") -> "RoundSettings | None":
    """Settings of a week of rounds, checked before any solving (None stays None: the council's are made then)."""
    from analyses.rounds import RoundSettings

    if settings is None:
        return None
    if not isinstance(settings, RoundSettings):
        raise InputDataError(f"settings should be RoundSettings, not {type(settings).__name__}.")
    checks.SOLVER_SECONDS.check(settings.time_limit_s, "settings.time_limit_s")
    checks.SEED.check(settings.seed, "settings.seed")
    return settings
