"""ONS small-area population estimates by single year of age, from Nomis, checked against the district totals.

The current release (dataset ``NM_2014_1``, 2021 LSOAs, geography ``TYPE151``; districts of April 2023,
``TYPE424``) makes the table ``population_lsoa21``. The pack's own table, mid-2020 on 2011 LSOAs, came from the
older dataset on 2011 LSOAs (:data:`MID2020_LSOA11`; its Nomis codes are unconfirmed) and keeps the pack's name.

Nomis's ``C_AGE`` is 101 + age for single years (191 = 90 and over) and 200 for all ages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.settings import settings
from layers.national import AGE_COLUMNS
from layers.refresh import nomis
from layers.refresh.cache import Release
from layers.refresh.columns import col, pick_columns, require_equal, require_rows
from layers.refresh.errors import SourceCheckFailed
from layers.refresh.sources.base import Context, Converted, RawFiles, Source

AGE_POSITION = {"200": 0, **{str(101 + age): 1 + age for age in range(91)}}
"""Nomis ``C_AGE`` -> column of the table after the LSOA's name and code: all ages, then 0…89 and 90+ (191)."""
DISTRICT_TOLERANCE = 0.05
"""Largest share by which a district's LSOAs may differ from its published total."""
NOMIS_COLUMNS = (col("DATE"), col("GEOGRAPHY_CODE"), col("GEOGRAPHY_NAME"), col("C_AGE"), col("OBS_VALUE"))


@dataclass(frozen=True)
class NomisQuery:
    """Which Nomis dataset and geographies to ask.

    Attributes
    ----------
    dataset : str
        Nomis dataset id.
    lsoa_geography, district_geography : str
        Nomis geography types of the LSOAs and of the districts whose totals check them.
    date : str
        ``"latest"`` or a year.
    lsoa_year : int
        2011 or 2021: which LSOAs the dataset is on (names the table's columns).
    """

    dataset: str = "NM_2014_1"
    lsoa_geography: str = "TYPE151"
    district_geography: str = "TYPE424"
    date: str = "latest"
    lsoa_year: int = 2021

    @property
    def table(self) -> str:
        return "population_lsoa21" if self.lsoa_year == 2021 else "population_mid2020_lsoa11"

    @property
    def prefix(self) -> str:
        return f"lsoa{self.lsoa_year % 100}"


CURRENT = NomisQuery()
MID2020_LSOA11 = NomisQuery("NM_2010_1", "TYPE298", "TYPE433", "2020", 2011)


class PopulationSource(Source):
    """ONS small-area population estimates by single year of age (Nomis)."""

    name = "population"
    title = "ONS population estimates (Nomis)"
    roles = {"lsoa": "Nomis CSV of LSOA populations by single year of age (GEOGRAPHY_CODE, C_AGE, OBS_VALUE)",
             "district": "Nomis CSV of district populations, all ages (the check)"}
    required_roles = ("lsoa",)
    where_to_get = ("https://www.nomisweb.co.uk/api/v01/dataset/NM_2014_1.data.csv?geography=TYPE151&date=latest&"
                    "gender=0&c_age=200,101...191&measures=20100&select=date,geography_code,geography_name,c_age,"
                    "obs_value (in pages of 25,000 rows: add &RecordOffset=25000 and so on)")

    def __init__(self, query: NomisQuery = CURRENT) -> None:
        self.query = query
        self.tables = (query.table,)

    def urls(self) -> list[str]:
        return [settings.nomis_url]

    def download(self, context: Context) -> Release:
        query = self.query
        url = f"{settings.nomis_url.rstrip('/')}/dataset/{query.dataset}.data.csv"
        common = {"date": query.date, "gender": "0", "measures": "20100",
                  "select": "date,geography_code,geography_name,c_age,obs_value,record_count"}
        staging = context.cache.stage(self.name)
        try:
            context.progress(f"{self.title}: LSOA populations by single year of age…")
            rows = nomis.fetch_pages(context.client, url, {**common, "geography": query.lsoa_geography,
                                                           "c_age": "200,101...191"},
                                     staging, role="lsoa", what=f"{query.dataset} LSOA populations")
            context.progress(f"{self.title}: {rows:,} rows; district totals…")
            nomis.fetch_pages(context.client, url, {**common, "geography": query.district_geography, "c_age": "200"},
                              staging, role="district", what=f"{query.dataset} district totals")
            year = str(next(nomis.chunks([staging.folder / "lsoa-0000.csv"], rows=1))["DATE"].iloc[0])
        except BaseException:
            staging.discard()
            raise
        return staging.commit(f"{query.dataset}-{year}", vintage=self.vintage_of(year))

    def vintage_of(self, year: str, query: NomisQuery | None = None) -> str:
        return f"ONS small-area population estimates, mid-{year} ({(query or self.query).dataset}, Nomis)"

    def convert(self, files: RawFiles, context: Context) -> Converted:
        paths = files.paths("lsoa") + files.paths("district")
        where = f"{self.title} ({files.name})"
        table, year, districts = self._read(paths, where)
        query = self._query_of(table, context)
        if query != self.query:  # a file of the other dataset, downloaded by hand: named for its own LSOAs
            table = table.rename(columns={f"{self.query.prefix}_{part}": f"{query.prefix}_{part}"
                                          for part in ("name", "code")})
        notes = self._check_districts(table, districts, context, query)
        vintage = self.vintage_of(year, query)  # the estimates' year, as the rows state it
        return Converted({query.table: table}, {query.table: vintage}, notes)

    def _query_of(self, table: pd.DataFrame, context: Context) -> NomisQuery:
        """The dataset the rows are from, told by their LSOAs: those of 2011 or of 2021 in the LSOA lookup (the two
        differ where LSOAs were split, merged or redrawn), else the one asked for."""
        lookup = context.table("lookup_lsoa11_lsoa21_ltla22")
        if lookup is None:
            return self.query
        codes = table[f"{self.query.prefix}_code"]
        share = {year: codes.isin(set(lookup[f"lsoa{year % 100}_code"].astype(str))).mean() for year in (2011, 2021)}
        if share[2011] == share[2021]:
            return self.query
        wanted = max(share, key=share.get)
        return self.query if wanted == self.query.lsoa_year else {2011: MID2020_LSOA11, 2021: CURRENT}[wanted]

    def _read(self, paths: list, where: str) -> tuple[pd.DataFrame, str, pd.DataFrame]:
        """The LSOA table (one row per English LSOA in the order they came, one column per age), the estimates' year
        and the English districts' totals, from Nomis rows read a chunk at a time into one array."""
        ids: dict[str, int] = {}
        names: list[str] = []
        blocks, districts, year = [], [], ""
        for chunk in nomis.chunks(paths):
            found = pick_columns(list(chunk.columns), NOMIS_COLUMNS, where=where)
            chunk = chunk.rename(columns={name: target for target, name in found.items()})
            codes = chunk["GEOGRAPHY_CODE"].str.strip()
            districts.append(chunk[codes.str.match(r"^E0[6789]") & chunk["C_AGE"].str.strip().eq("200")])
            chunk = chunk[codes.str.startswith("E01")]
            position = chunk["C_AGE"].str.strip().map(AGE_POSITION)
            chunk, position = chunk[position.notna()], position.dropna().astype("int64").to_numpy()
            values = pd.to_numeric(chunk["OBS_VALUE"], errors="coerce")
            if values.isna().any():
                raise SourceCheckFailed(f"{where}: a population count is not a number "
                                        f"({chunk.loc[values.isna(), 'OBS_VALUE'].iloc[0]!r}).")
            local, uniques = pd.factorize(chunk["GEOGRAPHY_CODE"].str.strip())
            first_names = chunk["GEOGRAPHY_NAME"].to_numpy()[np.unique(local, return_index=True)[1]]
            for code, name in zip(uniques, first_names):
                if code not in ids:
                    ids[code] = len(ids)
                    names.append(name)
            translate = np.array([ids[code] for code in uniques], dtype="int64")
            blocks.append((translate[local], position, values.round().to_numpy()))
            year = year or (str(chunk["DATE"].iloc[0]) if len(chunk) else "")
        require_rows(len(ids), 1, where=where, what="English LSOAs")
        counts = np.full((len(ids), len(AGE_POSITION)), np.nan)
        for lsoa, position, values in blocks:
            counts[lsoa, position] = values
        codes = np.array(list(ids))
        incomplete = np.isnan(counts).any(axis=1)
        if incomplete.any():
            raise SourceCheckFailed(f"{where}: ages missing for {int(incomplete.sum()):,} LSOAs (e.g. "
                                    f"{codes[incomplete][0]}); ask for c_age 200,101...191.")
        counts = counts.astype("int64")
        off = np.abs(counts[:, 1:].sum(axis=1) - counts[:, 0]) > counts[:, 0] * 0.01 + 1
        if off.any():
            raise SourceCheckFailed(f"{where}: the single years of age of {int(off.sum()):,} LSOAs do not add up to "
                                    f"their total (e.g. {codes[off][0]}).")
        prefix = self.query.prefix
        table = pd.DataFrame(counts, columns=["total_population", *AGE_COLUMNS])
        table.insert(0, f"{prefix}_code", codes)
        table.insert(0, f"{prefix}_name", names)
        return table, year, pd.concat(districts, ignore_index=True)

    def _check_districts(self, table: pd.DataFrame, districts: pd.DataFrame, context: Context,
                         query: NomisQuery) -> list[str]:
        """Each district's LSOAs must add up to within 5% of its published total (via the LSOA lookup)."""
        prefix = query.prefix
        lookup_name = "lookup_lsoa21_ward24_ltla24" if query.lsoa_year == 2021 else "lookup_lsoa11_lsoa21_ltla22"
        district_column = "ltla24_code" if query.lsoa_year == 2021 else "ltla22_code"
        lookup = context.table(lookup_name)
        if lookup is None:
            return ["District totals not checked: no LSOA lookup to place the LSOAs in districts."]
        lookup = lookup[[f"{prefix}_code", district_column]].drop_duplicates(f"{prefix}_code")
        lookup = lookup[lookup[f"{prefix}_code"].astype(str).str.startswith("E")]
        require_equal(len(table), len(lookup), where=self.title, what="LSOAs with a population against the "
                                                                      "lookup's LSOAs")
        if districts.empty:
            return ["District totals not checked: none among the files."]
        placed = table.merge(lookup, on=f"{prefix}_code", how="left")
        sums = placed.groupby(district_column)["total_population"].sum()
        totals = pd.to_numeric(districts.drop_duplicates("GEOGRAPHY_CODE").set_index("GEOGRAPHY_CODE")["OBS_VALUE"])
        compared = totals[totals.index.isin(sums.index)]
        share = (sums.reindex(compared.index) - compared).abs() / compared
        off = share[share > DISTRICT_TOLERANCE]
        if len(off):
            shown = ", ".join(f"{code} ({sums[code]:,} against {int(compared[code]):,})" for code in off.index[:5])
            raise SourceCheckFailed(f"{self.title}: the LSOAs of {len(off)} district{'s' if len(off) > 1 else ''} add "
                                    f"up to more than {DISTRICT_TOLERANCE:.0%} away from the published total: {shown}.")
        return [f"District totals checked: {len(compared)} districts within {DISTRICT_TOLERANCE:.0%} "
                f"(largest gap {share.max():.2%})."]
