"""CQC care homes from the monthly care directory ("Care directory with filters", HSCA active locations).

CQC's API now needs a key; the monthly file does not. Its link is found on CQC's "Using CQC data" page among
several (latest ratings, deactivated locations, the plain directory): the file named ``…HSCA_Active_Locations``
(``.ods``, also ``.xlsx`` or ``.csv``), the most recent if several. The ODS is about 23 MB and its sheet
``HSCA_Active_Locations`` (2020: ``HSCA Active Locations``) sits behind a README sheet, with 124 columns, about
16,000 repeated empty cells a row and a million-row filler: it is streamed by :mod:`layers.workbooks` (the repeats
are never expanded) and its columns are picked by name.

A care home is a location with ``Care home?`` = Y, not dormant, with coordinates; the table keeps the pack's 22
columns (flags Y or empty, beds a whole number).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urljoin, urlsplit

import pandas as pd

from geo.settings import settings
from layers import workbooks
from layers.care_homes import is_locations_sheet
from layers.national import CQC_COLUMNS
from layers.refresh.cache import Release
from layers.refresh.columns import col, normalise, pick_columns, require_rows
from layers.refresh.errors import PublisherError, SourceCheckFailed
from layers.refresh.sources.base import Context, Converted, RawFiles, Source

TABLE = "cqc_care_homes"
SHEETS = ("HSCA_Active_Locations", "HSCA Active Locations")
LIMITS = workbooks.SheetLimits(max_columns=1_000, max_cells=100_000_000, max_cell_chars=100_000,
                               max_part_bytes=4 * 2**30, max_strings=10_000_000)
"""Generous limits: the file comes from CQC, not from an upload (its content.xml unzips to some 440 MB)."""
COLUMNS = tuple(col(name) for name in CQC_COLUMNS)
DORMANT = col("Dormant", "Dormant (Y/N)")
MARK = "hsca_active_locations"
EXCLUDED = ("latest_ratings", "deactivated", "cqc_directory")
SUFFIXES = (".ods", ".xlsx", ".csv")
_LINK = re.compile(r"""<a\b[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_NAME_DATE = re.compile(r"(\d{1,2})[_ -]([A-Za-z]+)[_ -](\d{4})")


def file_name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def name_date(name: str) -> dt.date | None:
    """The date in a name like ``01_March_2021_HSCA_Active_Locations.ods``."""
    match = _NAME_DATE.search(name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(" ".join(match.groups()), "%d %B %Y").date()
    except ValueError:
        return None


def directory_link(page: str, page_url: str) -> str:
    """The care directory's address among the page's links: named ``…HSCA_Active_Locations`` (.ods, .xlsx or .csv),
    the latest dated, an ODS preferred on the same date.

    Raises
    ------
    PublisherError
        When the page links no such file, listing the spreadsheet links it has.
    """
    seen, candidates = [], []
    for href, _ in _LINK.findall(page):
        url = urljoin(page_url, html.unescape(href).strip())
        name = file_name(url)
        key = name.lower().replace(" ", "_").replace("-", "_")
        if key.endswith(SUFFIXES + (".zip",)):
            seen.append(name)
        if MARK in key and key.endswith(SUFFIXES) and not any(word in key for word in EXCLUDED):
            date = name_date(name) or dt.date.min
            candidates.append((date, -SUFFIXES.index(Path(key).suffix), url))
    if not candidates:
        raise PublisherError(f"CQC's page {page_url} links no care directory (a file named …HSCA_Active_Locations); "
                             f"its spreadsheet links: {', '.join(seen) or 'none'}. Download the file by hand and use "
                             f"--from FOLDER.", url=page_url)
    return max(candidates)[2]


def _sheet_rows(path: Path) -> Iterator[list[str]]:
    content = path.read_bytes()
    kind = workbooks.workbook_kind(content)
    if kind is None:
        text = content.decode("utf-8-sig", errors="replace")
        yield from csv.reader(io.StringIO(text))
        return
    try:
        sheet = workbooks.read_first_visible_sheet(content, kind, LIMITS, prefer=is_locations_sheet)
        if not is_locations_sheet(sheet.name):
            raise SourceCheckFailed(f"{path.name} has no visible sheet named {' or '.join(sorted(SHEETS))}: is it CQC's care "
                                    f"directory with filters?")
        for number, cells, repeat in sheet.rows:
            if not any(cell.strip() for cell in cells):
                continue  # the filler, and blank rows
            if repeat > 1:
                raise SourceCheckFailed(f"{path.name}: row {number} is repeated {repeat:,} times: locations appear "
                                        f"once each.")
            yield cells
    except workbooks.READ_ERRORS as error:
        if isinstance(error, SourceCheckFailed):
            raise
        raise SourceCheckFailed(f"{path.name} cannot be read as CQC's care directory: {error}.") from error


def care_homes(path: Path) -> pd.DataFrame:
    """The care homes of a care directory file (ODS, XLSX or CSV), in the pack's columns.

    Raises
    ------
    SourceCheckFailed
        On a missing column (named), a file without care homes, or a location listed twice.
    """
    rows = _sheet_rows(path)
    header: list[str] | None = None
    for _ in range(20):  # the header is the first row, after at most a few title rows
        row = next(rows, None)
        if row is None:
            break
        if any(normalise(cell) == normalise("Location ID") for cell in row):
            header = row
            break
    if header is None:
        raise SourceCheckFailed(f"{path.name} has no 'Location ID' header row in its first rows: is it CQC's care "
                                f"directory (sheet {SHEETS[0]})?")
    names = pick_columns(header, COLUMNS, where=f"CQC care directory {path.name}")
    index = {target: header.index(name) for target, name in names.items()}
    dormant = next((i for i, name in enumerate(header) if DORMANT.matches(name)), None)
    care_home, latitude = index["Care home?"], index["Location Latitude"]
    longitude = index["Location Longitude"]
    width = len(header)
    kept, locations = [], 0
    for row in rows:
        locations += 1
        row = row + [""] * (width - len(row))
        if row[care_home].strip().upper() != "Y" or (dormant is not None and row[dormant].strip().upper() == "Y"):
            continue
        if not row[latitude].strip() or not row[longitude].strip():
            continue
        kept.append([row[index[column.target]].strip() for column in COLUMNS])
    require_rows(len(kept), 1, where=f"CQC care directory {path.name} ({locations:,} locations)",
                 what="care homes with coordinates")
    table = pd.DataFrame(kept, columns=[column.target for column in COLUMNS])
    duplicated = table["Location ID"].duplicated()
    if duplicated.any():
        raise SourceCheckFailed(f"CQC care directory {path.name} lists {table.loc[duplicated, 'Location ID'].iloc[0]} "
                                f"twice.")
    return _typed(table, path.name)


def _typed(table: pd.DataFrame, name: str) -> pd.DataFrame:
    for column in ("Location Latitude", "Location Longitude"):
        values = pd.to_numeric(table[column], errors="coerce")
        if values.isna().any():
            raise SourceCheckFailed(f"CQC care directory {name}: {column} is not a number for "
                                    f"{table.loc[values.isna(), 'Location ID'].iloc[0]}.")
        table[column] = values
    beds = pd.to_numeric(table["Care homes beds"].replace("", None), errors="coerce")
    table["Care homes beds"] = beds.round().astype("Int64")
    table["Location HSCA start date"] = table["Location HSCA start date"].str[:10]
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].replace("", pd.NA).astype("string")
    return table


class CareHomesSource(Source):
    """CQC care homes (the monthly care directory)."""

    name = "care_homes"
    title = "CQC care directory"
    tables = (TABLE,)
    roles = {"directory": "CQC's care directory with filters (HSCA_Active_Locations .ods, .xlsx or .csv)"}
    required_roles = ("directory",)
    where_to_get = "https://www.cqc.org.uk/about-us/transparency/using-cqc-data ('Care directory with filters')"

    def urls(self) -> list[str]:
        return [settings.cqc_page_url]

    def download(self, context: Context) -> Release:
        page_url = settings.cqc_page_url
        context.progress(f"{self.title}: finding this month's file on {page_url}…")
        page = context.client.get(page_url)
        url = directory_link(page.text, page.url)
        name = file_name(url)
        date = name_date(name)
        release = date.isoformat() if date else Path(name).stem
        cached = context.cache.find(self.name, release)
        if cached is not None:
            context.progress(f"{self.title}: {name} is already in the cache.")
            return cached
        staging, download = context.download_file(self.name, "directory", url, name)
        return staging.commit(release, vintage=self.vintage_of(name, download.headers.get("Last-Modified", "")))

    @staticmethod
    def vintage_of(name: str, fallback: str) -> str:
        date = name_date(name)
        return f"CQC care directory, {date.day} {date:%B %Y}" if date else f"CQC care directory, {fallback or name}"

    def convert(self, files: RawFiles, context: Context) -> Converted:
        paths = files.paths("directory")
        if not paths:
            raise SourceCheckFailed(f"{self.title}: no care directory among the files.")
        path = max(paths, key=lambda p: name_date(p.name) or dt.date.min)
        table = care_homes(path)
        vintage = self.vintage_of(path.name, "") if name_date(path.name) else files.role_vintage("directory")
        return Converted({TABLE: table}, {TABLE: vintage}, [f"{len(table):,} care homes, "
                                                            f"{int(table['Care homes beds'].sum()):,} beds."])
