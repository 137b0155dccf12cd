"""Council settings: one declarative TOML file per council in ``councils/``.

A :class:`Council` holds everything that differs between councils (area codes, fee-zone rule,
viability threshold, locality scheme, documented figures). What-if values are applied with
:meth:`Council.with_overrides`, which returns a new object; nothing global is ever edited.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from geo.errors import UnknownCouncilError

COUNCILS_DIR = Path(__file__).resolve().parent.parent / "councils"


@dataclass(frozen=True)
class Council:
    """Settings of one council.

    Attributes
    ----------
    slug : str
        Short identifier, also the name of the data folders (``herefordshire``).
    name : str
        Display name.
    lad_codes : tuple of str
        ONS local authority district codes making up the council area.
    fee_zone_centres : tuple of str
        Settlement names (OS Open Names) from which the rural fee-zone radius is measured.
    fee_zone_radius_miles : float
        Radius of the fee zone around each centre, miles.
    rural_uplift_pct : float
        Percentage added to the hourly fee outside the zone.
    viability_hours_per_week : float
        Weekly hours below which a home-care provider is considered not viable.
    weekly_home_care_hours : float
        Council-wide commissioned home-care hours per week.
    home_care_clients : int
        Council-wide number of home-care clients.
    home_care_spend_per_year : float or None
        Documented yearly spend on home care, £.
    home_care_providers : int or None
        Documented number of approved home-care providers.
    locality_merges : Mapping[str, tuple of str]
        Locality name -> PCN codes merged into it (e.g. the two Hereford City PCNs).
    care_home_beds : int or None
        Documented number of care-home beds, if the council publishes one.
    care_homes : int or None
        Documented number of care homes.
    bed_demand_65plus : Mapping[int, float]
        Documented bed demand among people aged 65+ by year.
    free_bed_share : float
        Share of beds free at any time (occupancy = 1 - this).
    osm_extract : str or None
        Bundled OSM extract (path under ``data/``) that gives real roads offline.
    sources : Mapping[str, str]
        Where each figure comes from; values starting with ``"assumption"`` are not documented.
    is_default : bool
        The council the app opens with.
    """

    slug: str
    name: str
    lad_codes: tuple[str, ...]
    fee_zone_centres: tuple[str, ...]
    fee_zone_radius_miles: float
    rural_uplift_pct: float
    viability_hours_per_week: float
    weekly_home_care_hours: float
    home_care_clients: int
    home_care_spend_per_year: float | None = None
    home_care_providers: int | None = None
    locality_merges: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    care_home_beds: int | None = None
    care_homes: int | None = None
    bed_demand_65plus: Mapping[int, float] = field(default_factory=dict)
    free_bed_share: float = 0.045
    osm_extract: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    is_default: bool = False

    def with_overrides(self, **changes: Any) -> "Council":
        """Return a copy with some settings changed (for what-if scenarios).

        Raises
        ------
        TypeError
            If a keyword is not a setting of :class:`Council`.
        """
        return dataclasses.replace(self, **changes)

    def is_assumption(self, setting: str) -> bool:
        """True when a setting is an assumption rather than a figure from the council's documents."""
        return self.sources.get(setting, "assumption").lower().startswith("assumption")


def _council_from_toml(data: dict[str, Any]) -> Council:
    fee = data.get("fee_zones", {})
    care = data.get("home_care", {})
    homes = data.get("care_homes", {})
    merges = {name: tuple(codes) for name, codes in data.get("localities", {}).get("merges", {}).items()}
    return Council(
        slug=data["slug"],
        name=data["name"],
        lad_codes=tuple(data["lad_codes"]),
        fee_zone_centres=tuple(fee["centres"]),
        fee_zone_radius_miles=float(fee["radius_miles"]),
        rural_uplift_pct=float(fee["rural_uplift_pct"]),
        viability_hours_per_week=float(care["viability_hours_per_week"]),
        weekly_home_care_hours=float(care["weekly_hours"]),
        home_care_clients=int(care["clients"]),
        home_care_spend_per_year=care.get("spend_per_year"),
        home_care_providers=care.get("providers"),
        locality_merges=merges,
        care_home_beds=homes.get("beds"),
        care_homes=homes.get("homes"),
        bed_demand_65plus={int(y): float(v) for y, v in homes.get("bed_demand_65plus", {}).items()},
        free_bed_share=float(homes.get("free_bed_share", 0.045)),
        osm_extract=data.get("roads", {}).get("osm_extract"),
        sources=dict(data.get("sources", {})),
        is_default=bool(data.get("default", False)),
    )


def _load_all(directory: Path = COUNCILS_DIR) -> dict[str, Council]:
    councils = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            council = _council_from_toml(tomllib.load(handle))
        councils[council.slug] = council
    return councils


_COUNCILS = _load_all()


def list_councils() -> list[Council]:
    """All councils with settings, the default first, then by name."""
    return sorted(_COUNCILS.values(), key=lambda c: (not c.is_default, c.name))


def default_council() -> Council:
    """The council the app opens with (Herefordshire)."""
    return list_councils()[0]


def load_council(name: str) -> Council:
    """Settings of one council, by slug or display name (case-insensitive).

    Raises
    ------
    UnknownCouncilError
        If no council of that name has a settings file; the message lists the known ones.
    """
    wanted = str(name).strip().lower()
    for council in _COUNCILS.values():
        if wanted in (council.slug, council.name.lower()):
            return council
    known = ", ".join(c.slug for c in list_councils())
    raise UnknownCouncilError(
        f"Unknown council {name!r}. Known councils: {known}. "
        f"To add one, put a settings file in {COUNCILS_DIR.name}/ and its data under data/."
    )
