"""Build the app's small default data bundle under ``data/`` from the shared open-data folder.

Run once by a maintainer, from the project folder: ``python -m scripts.build_bundle ../shared/data``. The app and
the tests read only ``data/``. Files are copied unchanged where possible; reductions are stated in
``data/SOURCES.md``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd

from geo.council import list_councils
from geo.settings import settings
from layers import areas, catalog
from layers.care_homes import homes_near

ROOT = Path(__file__).resolve().parent.parent

POSTCODE_COLUMNS = ["Postcode", "Positional_quality_indicator", "Eastings", "Northings",
                    "Admin_district_code", "Admin_ward_code"]
PLACE_COLUMNS = ["ID", "NAME1", "LOCAL_TYPE", "X", "Y", "MBRXMIN", "MBRYMIN", "MBRXMAX", "MBRYMAX",
                 "POSTCODE_DISTRICT", "DISTRICT_BOROUGH", "COUNTY_UNITARY"]
COPIES = {
    "boundaries/lsoa21_bsc.geojson": "boundaries/{slug}/lsoa21.geojson",
    "boundaries/msoa21_bsc.geojson": "boundaries/{slug}/msoa21.geojson",
    "boundaries/wards22_bsc.geojson": "boundaries/{slug}/wards22.geojson",
    "boundaries/lad24_buc.geojson": "boundaries/{slug}/lad24.geojson",
    "population/population_mid2020_lsoa11_syoa.csv": "tables/{slug}/population_mid2020_lsoa11_syoa.csv",
    "lookups/lookup_lsoa11_lsoa21_ltla22.csv": "tables/{slug}/lookup_lsoa11_lsoa21.csv",
    "rural_urban/ruc21_lsoa21.csv": "tables/{slug}/ruc21_lsoa21.csv",
    "health/nhs_hospitals22_15km.geojson": "points/{slug}/hospitals.geojson",
    "health/gp_practices_border15km_2023-02.csv": "tables/{slug}/gp_practices_border15km.csv",
}


def _practices_with_pcn_members(shared: Path, slug: str, lad_codes: tuple[str, ...]) -> pd.DataFrame:
    """Practices of every PCN that has a member practice in the council, wherever its members are."""
    everywhere = pd.concat(
        [pd.read_csv(path, dtype=str) for path in sorted(shared.glob("areas/*/health/gp_practices_pcn_2023-02.csv"))]
    ).drop_duplicates("practice_code")
    in_council = everywhere["Admin_district_code"].isin(lad_codes)
    council_pcns = set(everywhere.loc[in_council, "pcn_code"].dropna())
    keep = in_council | everywhere["pcn_code"].isin(council_pcns)
    chosen = everywhere[keep].copy()
    chosen["in_council"] = chosen["Admin_district_code"].isin(lad_codes)
    return chosen.sort_values("practice_code")


CQC_CARE_HOMES = "national/cqc/cqc_care_homes_2021-03-01.csv"
"""CQC's care directory of 1 March 2021 (every active care home in England with coordinates), under ``shared``."""


def write_care_homes(cqc: pd.DataFrame, council, out: Path) -> Path:
    """The CQC care homes in a council and within 15 km beyond its border (:func:`layers.care_homes.homes_near`),
    written as ``tables/<slug>/cqc_care_homes.csv`` under ``out`` (the council's LSOA 2021 boundaries must be there
    already)."""
    with settings.overridden(data_folder=out):
        outline = areas.outline(council)
    path = catalog.DATASETS["care_homes"].location(council.slug, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    homes_near(cqc, outline).to_csv(path, index=False)
    return path


def build(shared: Path, out: Path) -> None:
    """Copy and reduce the files each council needs from ``shared`` into ``out``."""
    cqc = pd.read_csv(shared / CQC_CARE_HOMES, dtype=str, keep_default_na=False)
    for council in (council for council in list_councils() if council.bundled):
        area = shared / "areas" / council.slug
        for source, target in COPIES.items():
            destination = out / target.format(slug=council.slug)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(area / source, destination)
        tables = out / "tables" / council.slug
        postcodes = pd.read_csv(area / "postcodes/codepoint_open_postcodes.csv", dtype=str)
        postcodes = postcodes[postcodes["Admin_district_code"].isin(council.lad_codes)]
        postcodes[POSTCODE_COLUMNS].to_csv(tables / "postcodes.csv", index=False)
        places = pd.read_csv(area / "places/os_open_names_populated_places_2017.csv", dtype=str)
        places[PLACE_COLUMNS].to_csv(tables / "places.csv", index=False)
        _practices_with_pcn_members(shared, council.slug, council.lad_codes).to_csv(
            tables / "gp_practices_pcn.csv", index=False
        )
        write_care_homes(cqc, council, out)
    (out / "osm").mkdir(exist_ok=True)
    shutil.copyfile(shared / "osm/rutland/rutland-latest.osm.pbf", out / "osm/rutland-latest.osm.pbf")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shared", type=Path, help="the shared open-data folder (../shared/data)")
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    arguments = parser.parse_args()
    build(arguments.shared, arguments.out)
