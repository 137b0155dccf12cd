"""Where each bundled dataset lives under ``data/`` and where it comes from.

Error messages about a missing or unreadable file quote the entry, so a user knows what the file
is and how to get it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from geo.settings import settings

ATTRIBUTION: tuple[str, ...] = (
    "Contains public sector information licensed under the Open Government Licence v3.0.",
    "Contains OS data © Crown copyright and database right 2017–2025; Contains Royal Mail data © Royal Mail copyright "
    "and database right 2025; Contains National Statistics data © Crown copyright and database right 2025.",
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. Contains NHS England / "
    "NHS Digital (ODS) data, OGL v3.0.",
    "UK boundary GeoJSON repackaging by Martin Chorley (martinjc/UK-GeoJSON), CC BY 4.0.",
    "OpenStreetMap data © OpenStreetMap contributors, ODbL 1.0 (the Rutland road network; any network you download "
    "or load).",
    "Contains Care Quality Commission data, © CQC, OGL v3.0 (the care homes).",
)
"""The attribution the bundled data's licences require: shown on the About page and in every report."""


@dataclass(frozen=True)
class Dataset:
    """One bundled file, per council unless ``per_council`` is False; ``vintage`` is the date of its data as
    bundled (a council set up from newer files records its own: :func:`vintage`)."""

    path: str
    title: str
    origin: str
    per_council: bool = True
    vintage: str = ""

    def location(self, slug: str | None = None, data_dir: Path | None = None) -> Path:
        """Absolute path of the file for a council (``slug``) under ``data_dir`` (default: the bundled data)."""
        return (data_dir or settings.data_folder) / self.path.format(slug=slug)


DATASETS: dict[str, Dataset] = {
    "lsoa21": Dataset(
        "boundaries/{slug}/lsoa21.geojson",
        "LSOA 2021 boundaries with best-fit ward (2024) and district",
        "ONS LSOA Dec 2021 BSC via humaniverse/geographr (OGL v3)",
        vintage="LSOA December 2021 boundaries; wards and districts May 2024",
    ),
    "msoa21": Dataset(
        "boundaries/{slug}/msoa21.geojson",
        "MSOA 2021 boundaries",
        "ONS MSOA 2021 BSC via humaniverse/geographr (OGL v3)",
        vintage="MSOA 2021 boundaries",
    ),
    "wards22": Dataset(
        "boundaries/{slug}/wards22.geojson",
        "electoral wards (December 2022)",
        "ONS Wards Dec 2022 BSC via humaniverse/geographr (OGL v3)",
        vintage="wards December 2022",
    ),
    "lad24": Dataset(
        "boundaries/{slug}/lad24.geojson",
        "council outline (display only, 500 m generalised)",
        "ONS LAD May 2024 BUC via humaniverse/geographr (OGL v3)",
        vintage="districts May 2024",
    ),
    "population": Dataset(
        "tables/{slug}/population_mid2020_lsoa11_syoa.csv",
        "mid-2020 population by single year of age on 2011 LSOAs",
        "ONS small-area population estimates via humaniverse/demographr (OGL v3)",
        vintage="ONS small-area population estimates, mid-2020",
    ),
    "population_lsoa21": Dataset(
        "tables/{slug}/population_lsoa21_syoa.csv",
        "population by single year of age on 2021 LSOAs (a council cut from the current estimates has it in place "
        "of the file above; its vintage is recorded as the population's)",
        "ONS small-area population estimates on 2021 LSOAs, Nomis (OGL v3)",
    ),
    "lsoa_lookup": Dataset(
        "tables/{slug}/lookup_lsoa11_lsoa21.csv",
        "LSOA 2011 to 2021 lookup with change codes",
        "ONS LSOA11_LSOA21_LAD22 lookup via humaniverse/geographr (OGL v3)",
        vintage="ONS lookup of 15 August 2022",
    ),
    "ruc21": Dataset(
        "tables/{slug}/ruc21_lsoa21.csv",
        "rural-urban classification 2021 of LSOAs",
        "ONS RUC 2021 via humaniverse/geographr (OGL v3)",
        vintage="2021 classification",
    ),
    "postcodes": Dataset(
        "tables/{slug}/postcodes.csv",
        "postcode centroids",
        "OS Code-Point Open (OGL v3; Royal Mail and ONS data)",
        vintage="Code-Point Open, 2025 release (district codes of April 2025)",
    ),
    "places": Dataset(
        "tables/{slug}/places.csv",
        "settlements (city, towns, villages, hamlets)",
        "OS Open Names 2017 populated places via alasdairrae/gb-places (OGL v3)",
        vintage="OS Open Names, 2017",
    ),
    "practices": Dataset(
        "tables/{slug}/gp_practices_pcn.csv",
        "GP practices with their Primary Care Network",
        "NHS ODS epraccur and ePCN, February 2023 (OGL v3)",
        vintage="NHS ODS, February 2023",
    ),
    "border_practices": Dataset(
        "tables/{slug}/gp_practices_border15km.csv",
        "GP practices within 15 km beyond the council's boundary",
        "NHS ODS epraccur and ePCN, February 2023, with Code-Point Open (OGL v3)",
        vintage="NHS ODS, February 2023",
    ),
    "care_homes": Dataset(
        "tables/{slug}/cqc_care_homes.csv",
        "CQC care homes in the council and within 15 km beyond its boundary",
        "Care Quality Commission care directory (HSCA active locations) via CallumMCB/VirtUK (OGL v3; © CQC)",
        vintage="CQC care directory, 1 March 2021",
    ),
    "hospitals": Dataset(
        "points/{slug}/hospitals.geojson",
        "NHS hospitals within 15 km",
        "NHS.uk hospital list 2022 via humaniverse/geographr (OGL v3)",
        vintage="NHS.uk list, July 2022",
    ),
    "rutland_osm": Dataset(
        "osm/rutland-latest.osm.pbf",
        "OpenStreetMap extract of Rutland",
        "Geofabrik extract via mikeqfu/pydriosm test data, ODbL 1.0 (c) OpenStreetMap contributors",
        per_council=False,
        vintage="OpenStreetMap, 20 July 2022",
    ),
}


def estimates_year(vintage_text: str) -> int:
    """The year of population estimates from their vintage (``"ONS small-area population estimates, mid-2024"``,
    ``"mid-2020 estimates"``); 2020, the bundled estimates' year, when it names none."""
    match = re.search(r"mid-(\d{4})", vintage_text)
    return int(match.group(1)) if match else 2020


def date_in(vintage_text: str) -> str:
    """The date a vintage names, short (``"1 March 2021"``, ``"February 2023"``, ``"2026-12-07"``, ``"mid-2024"``,
    ``"2016-based"``), else the whole text."""
    match = re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{4}|\d{4}-\d{2}(-\d{2})?\b|mid-\d{4}|"
                      r"\b(19|20)\d{2}-based|\b(19|20)\d{2}\b", vintage_text)
    return match.group(0) if match else vintage_text


def vintage(key: str, council=None) -> str:
    """The date of a council's layer (``key`` of :data:`DATASETS`): the council's own record when it was set up or
    brought up to date from newer files, else the bundled data's."""
    recorded = getattr(council, "vintages", {}) or {}
    return recorded.get(key) or (DATASETS[key].vintage if key in DATASETS else "")


VINTAGE_OF = {"population_lsoa21": "population"}
"""A file whose date is recorded under another layer's key (a council's people are one layer, on 2011 or 2021 LSOAs)."""
PROJECTIONS = "projections"
"""The key under which a council set up from the national data records the date of its population projections."""


def _files_of(key: str) -> list[str]:
    """The catalog entries whose file holds layer ``key`` (its own, and one of another shape: :data:`VINTAGE_OF`)."""
    return [key, *(other for other, shown in VINTAGE_OF.items() if shown == key)]


def layer_title(key: str, council) -> str:
    """What a council's layer is, as the file it has for it says (its people on 2011 or on 2021 LSOAs)."""
    held = [name for name in _files_of(key) if DATASETS[name].location(council.slug, council.data_dir).is_file()]
    title = DATASETS[held[-1] if held else key].title.split(" (")[0]
    return title[:1].upper() + title[1:]


def vintage_rows(council) -> list[tuple[str, str]]:
    """Each layer a council has and the date of its data, (what, date), for the Evidence page, reports and exports.
    A layer whose file the council lacks is left out; the population projections are listed where the council
    records them (set up from the national data)."""
    rows = []
    for key, dataset in DATASETS.items():
        if not dataset.per_council or key in VINTAGE_OF or not any(
                DATASETS[name].location(council.slug, council.data_dir).is_file() for name in _files_of(key)):
            continue
        rows.append((layer_title(key, council), vintage(key, council)))
    if council.vintages.get(PROJECTIONS):
        rows.append(("Population projections by district (growth of need)", council.vintages[PROJECTIONS]))
    return rows


def vintage_summary(council) -> str:
    """One line naming the date of every layer of a council (:func:`vintage_rows`), for an export's About sheet."""
    return "; ".join(f"{what}: {date}" for what, date in vintage_rows(council))
