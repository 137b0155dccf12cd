"""ONS subnational population projections by district: persons aged 60 and over, by single year of age.

ONS publishes each round as a zip of CSVs (``2022 SNPP Population persons.csv``: ``AREA_CODE, AREA_NAME, COMPONENT,
SEX, AGE_GROUP, 2022…2047``). The table keeps the pack's shape: ``AREA_CODE, AGE_GROUP``, one column per projected
year, and ``age`` (60…90, where 90 stands for 90 and over), English districts only; the pack's table
``snpp_age60plus`` keeps ``AREA_CODE``, ``age`` and the years of the round.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from geo.settings import settings
from layers.refresh.cache import Release
from layers.refresh.columns import col, pick_columns, require_rows
from layers.refresh.errors import SourceCheckFailed
from layers.refresh.sources.base import Context, Converted, RawFiles, Source

TABLE = "snpp_age60plus"
AGES = tuple(range(60, 91))
COLUMNS = (col("AREA_CODE"), col("AGE_GROUP"))
_OLDEST = re.compile(r"^\s*90\s*(\+|and over|& over)?\s*$", re.IGNORECASE)


def csv_members(path: Path) -> list[tuple[str, bytes]]:
    """(name, content) of the projection CSVs of a zip (or of one CSV), persons' files first."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if name.lower().endswith(".csv")]
            names.sort(key=lambda name: ("person" not in name.lower(), name))
            return [(name, archive.read(name)) for name in names]
    return [(path.name, path.read_bytes())]


def _persons(frame: pd.DataFrame) -> pd.DataFrame:
    sex = next((column for column in frame.columns if str(column).strip().upper() == "SEX"), None)
    component = next((column for column in frame.columns if str(column).strip().upper() == "COMPONENT"), None)
    if sex is not None:
        frame = frame[frame[sex].str.strip().str.lower().isin(("persons", "all persons", "all", "0"))]
    if component is not None:
        frame = frame[frame[component].str.strip().str.lower().eq("population")]
    return frame


def projection_table(path: Path, where: str) -> tuple[pd.DataFrame, int]:
    """The pack's table from an ONS projections zip or CSV, and the projection's base year.

    Raises
    ------
    SourceCheckFailed
        When no CSV has the columns, no persons' rows or no year columns.
    """
    for name, content in csv_members(path):
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if not all(any(column.matches(str(c)) for c in frame.columns) for column in COLUMNS):
            continue
        names = pick_columns([str(c) for c in frame.columns], COLUMNS, where=f"{where}: {name}")
        years = [c for c in frame.columns if re.fullmatch(r"\d{4}", str(c).strip())]
        frame = _persons(frame)
        if not years or frame.empty:
            continue
        ages = frame[names["AGE_GROUP"]].str.strip()
        age = pd.to_numeric(ages.where(~ages.str.match(_OLDEST), "90"), errors="coerce")
        keep = age.between(60, 90) & frame[names["AREA_CODE"]].str.match(r"^E0[6789]")
        table = pd.DataFrame({"AREA_CODE": frame.loc[keep, names["AREA_CODE"]].str.strip(),
                              "AGE_GROUP": age[keep].astype("int64")})
        for year in years:
            table[str(year).strip()] = pd.to_numeric(frame.loc[keep, year], errors="coerce")
        table["age"] = table["AGE_GROUP"]
        if table[[str(y).strip() for y in years]].isna().any().any():
            raise SourceCheckFailed(f"{where}: {name} has projections that are not numbers.")
        counts = table.groupby("AREA_CODE").size()
        short = counts[counts != len(AGES)]
        if len(short):
            raise SourceCheckFailed(f"{where}: {name} lacks some ages 60 to 90+ for {len(short)} districts "
                                    f"(e.g. {short.index[0]}).")
        require_rows(len(table), len(AGES), where=f"{where}: {name}", what="rows for English districts aged 60+")
        return table.reset_index(drop=True), int(str(years[0]).strip())
    raise SourceCheckFailed(f"{where}: no CSV with AREA_CODE, AGE_GROUP, year columns and persons' rows in "
                            f"{path.name}.")


class ProjectionsSource(Source):
    """ONS subnational population projections (persons by single year of age, by district)."""

    name = "projections"
    title = "ONS population projections"
    tables = (TABLE,)
    roles = {"projections": "ONS subnational projections zip or CSV (AREA_CODE, AGE_GROUP, one column a year)"}
    required_roles = ("projections",)
    where_to_get = ("https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationprojections/"
                    "datasets/localauthoritiesinenglandz1 (persons, single year of age)")

    def urls(self) -> list[str]:
        return [settings.snpp_url]

    def download(self, context: Context) -> Release:
        staging, download = context.download_file(self.name, "projections", settings.snpp_url, "projections.zip")
        try:
            _, base = projection_table(download.path, self.title)
        except SourceCheckFailed:
            staging.discard()
            raise
        return staging.commit(f"{base}-based", vintage=self.vintage_of(base))

    @staticmethod
    def vintage_of(base: int) -> str:
        return f"ONS {base}-based subnational population projections"

    def convert(self, files: RawFiles, context: Context) -> Converted:
        paths = files.paths("projections")
        if not paths:
            raise SourceCheckFailed(f"{self.title}: no projections file.")
        table, base = projection_table(paths[0], self.title)
        return Converted({TABLE: table}, {TABLE: self.vintage_of(base)})
