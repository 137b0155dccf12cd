"""Postcode centroids: OS Code-Point Open (the pack's source), or the ONS Postcode Directory instead.

Code-Point Open comes from the OS Downloads API as one zip: headerless, quoted CSVs per postcode area under
``Data/CSV/`` and the column names in ``Doc/Code-Point_Open_Column_Headers.csv`` (short names, then long ones, which
are the pack's). The API lists the zip with its MD5, checked after the download. England's rows (country
``E92000001``) make the table, postcodes in the standard form with one space.

The ONS Postcode Directory (ONSPD) holds the same points under other names, which change: ``oslaua`` became
``lad25cd`` in 2025 (and ``osward``/``oscty`` carry years likewise). Its positional quality (``osgrdind``, 1–9) is
mapped to Code-Point's (10–90); Code-Point's NHS codes have no ONSPD equivalent and stay empty; terminated postcodes
are left out, as Code-Point leaves them out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd

from geo.postcode import postcode_keys
from geo.settings import settings
from layers.refresh.cache import Release
from layers.refresh.columns import col, pick_columns, require_rows
from layers.refresh.errors import PublisherError, SourceCheckFailed
from layers.refresh.sources.base import Context, Converted, RawFiles, Source, today

TABLE = "codepoint_open"
ENGLAND = "E92000001"
CODEPOINT_COLUMNS = ("Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
                     "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code",
                     "Admin_ward_code")
"""Code-Point Open's columns (the long names of its headers file); the pack keeps some of them
(:data:`layers.national.PACK_TABLES`)."""
HEADERS_FILE = "Code-Point_Open_Column_Headers.csv"
ONSPD_COLUMNS = (
    col("Postcode", "pcds"), col("doterm"), col("Eastings", "oseast1m"), col("Northings", "osnrth1m"),
    col("Positional_quality_indicator", "osgrdind"), col("Country_code", "ctry", pattern=r"ctry\d\dcd"),
    col("Admin_district_code", "oslaua", pattern=r"lad\d\dcd"),
)
ONSPD_OPTIONAL = (col("Admin_county_code", "oscty", pattern=r"cty\d\dcd"),
                  col("Admin_ward_code", "osward", pattern=r"wd\d\dcd"))
ONSPD_QUALITY = {"1": 10, "2": 20, "3": 30, "4": 40, "5": 60, "6": 60, "8": 90, "9": 90}
"""ONSPD ``osgrdind`` -> Code-Point positional quality (same scale, ten times; ONSPD's sector and district means
both become Code-Point's 60, "no coordinates" its 90)."""


def standard_postcodes(values: pd.Series) -> pd.Series:
    """Postcodes in the standard form, one space before the inward code (``"AB101AB"``, ``"B1  1AY"`` and
    ``"B1 1AY"`` all become ``"B1 1AY"``; Code-Point's releases have written each)."""
    keys = postcode_keys(values)
    return keys.str[:-3] + " " + keys.str[-3:]


# --- Code-Point Open --------------------------------------------------------------------------------------------


def codepoint_headers(archive: zipfile.ZipFile, where: str) -> list[str]:
    """The long column names from the zip's headers file (its second row).

    Raises
    ------
    SourceCheckFailed
        When the zip has no headers file, or it lacks one of the pack's columns.
    """
    name = next((n for n in archive.namelist() if n.lower().endswith(HEADERS_FILE.lower())), None)
    if name is None:
        raise SourceCheckFailed(f"{where} has no Doc/{HEADERS_FILE}: without it the columns cannot be told apart.")
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    header = rows[-1] if rows else []
    pick_columns(header, [col(column) for column in CODEPOINT_COLUMNS], where=f"{where} ({name})")
    return [" ".join(h.split()) for h in header]


def read_codepoint(paths: list[Path], where: str) -> pd.DataFrame:
    """England's postcodes from Code-Point Open zips (or its area CSVs with the headers file beside them)."""
    frames = []
    headers: list[str] | None = None
    area_files: list[tuple[str, bytes]] = []
    for path in paths:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                headers = codepoint_headers(archive, f"{where}: {path.name}")
                area_files += [(n, archive.read(n)) for n in sorted(archive.namelist())
                               if "/data/csv/" in f"/{n.lower()}" and n.lower().endswith(".csv")]
        elif path.name.lower().endswith(HEADERS_FILE.lower()):
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            headers = [" ".join(h.split()) for h in rows[-1]]
        else:
            area_files.append((path.name, path.read_bytes()))
    if headers is None:
        raise SourceCheckFailed(f"{where}: no {HEADERS_FILE} with the area files, so their columns are unknown.")
    for _, content in sorted(area_files, key=lambda item: Path(item[0]).name):
        if not content.strip():
            continue
        frame = pd.read_csv(io.BytesIO(content), header=None, dtype=str, keep_default_na=False, names=headers)
        frames.append(frame[frame["Country_code"] == ENGLAND])
    require_rows(sum(len(frame) for frame in frames), 1, where=where, what="English postcodes")
    return _codepoint_table(pd.concat(frames, ignore_index=True), where)


def _codepoint_table(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    table = pd.DataFrame({"Postcode": standard_postcodes(frame["Postcode"])})
    for column in ("Positional_quality_indicator", "Eastings", "Northings"):
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            raise SourceCheckFailed(f"{where}: {column} is not a number for {int(values.isna().sum()):,} postcodes "
                                    f"(e.g. {frame.loc[values.isna(), 'Postcode'].iloc[0]}).")
        table[column] = values.astype("int64")
    for column in CODEPOINT_COLUMNS[4:]:
        table[column] = frame[column].replace("", pd.NA).astype("string") if column in frame else pd.NA
    duplicated = table["Postcode"].duplicated()
    if duplicated.any():
        raise SourceCheckFailed(f"{where}: {int(duplicated.sum()):,} postcodes appear twice "
                                f"(e.g. {table.loc[duplicated, 'Postcode'].iloc[0]}).")
    return table[list(CODEPOINT_COLUMNS)].reset_index(drop=True)


# --- ONS Postcode Directory -------------------------------------------------------------------------------------


def _onspd_text(path: Path) -> tuple[str, io.TextIOBase]:
    """The name and a text stream of the directory's main CSV (inside its zip, or the CSV itself)."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [n for n in archive.namelist() if n.lower().endswith(".csv") and "/data/" in f"/{n.lower()}"]
        members = members or [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if not members:
            raise SourceCheckFailed(f"{path.name} holds no CSV.")
        member = max(members, key=lambda n: archive.getinfo(n).file_size)
        return member, io.TextIOWrapper(archive.open(member), encoding="utf-8-sig")
    return path.name, open(path, encoding="utf-8-sig")


def read_onspd(path: Path, where: str) -> pd.DataFrame:
    """England's live postcodes from the ONS Postcode Directory, in Code-Point's columns."""
    name, stream = _onspd_text(path)
    with stream:
        header = next(csv.reader([stream.readline()]))
        names = pick_columns(header, ONSPD_COLUMNS, where=f"{where}: {name}")
        for column in ONSPD_OPTIONAL:
            found = next((h for h in header if column.matches(h)), None)
            if found:
                names[column.target] = found
        frame = pd.read_csv(stream, header=None, names=header, usecols=list(names.values()), dtype=str,
                            keep_default_na=False)
    frame = frame.rename(columns={source: target for target, source in names.items()})
    frame = frame[(frame["Country_code"] == ENGLAND) & (frame["doterm"].str.strip() == "")]
    quality = frame["Positional_quality_indicator"].str.strip().map(ONSPD_QUALITY)
    frame = frame.assign(Positional_quality_indicator=quality.fillna(90).astype("int64").astype(str),
                         Eastings=frame["Eastings"].replace("", "0"), Northings=frame["Northings"].replace("", "0"))
    require_rows(len(frame), 1, where=f"{where}: {name}", what="live English postcodes")
    return _codepoint_table(frame.reset_index(drop=True), f"{where}: {name}")


class PostcodesSource(Source):
    """Postcode centroids from OS Code-Point Open (or, when given, the ONS Postcode Directory)."""

    name = "postcodes"
    title = "postcode centroids (OS Code-Point Open)"
    tables = (TABLE,)
    roles = {"codepoint": "OS Code-Point Open zip (codepo_gb.zip), or its Data/CSV area files with "
                          "Doc/Code-Point_Open_Column_Headers.csv",
             "onspd": "ONS Postcode Directory CSV or zip (an alternative)"}
    required_roles = ()
    where_to_get = "https://osdatahub.os.uk/downloads/open/CodePointOpen (CSV), or the ONSPD from the ONS geoportal"

    def __init__(self, provider: str = "codepoint") -> None:
        self.provider = provider

    def urls(self) -> list[str]:
        return [settings.os_downloads_url if self.provider == "codepoint" else settings.onspd_url]

    def download(self, context: Context) -> Release:
        if self.provider == "onspd":
            return self._download_onspd(context)
        base = settings.os_downloads_url.rstrip("/")
        product = context.client.get_json(f"{base}/products/CodePointOpen")
        listing = context.client.get_json(f"{base}/products/CodePointOpen/downloads", {"area": "GB", "format": "CSV"})
        entries = listing if isinstance(listing, list) else [listing]
        entry = next((e for e in entries if isinstance(e, dict) and e.get("url")), None)
        if entry is None:
            raise PublisherError(f"The OS Downloads API lists no Code-Point Open CSV download at {base}.", url=base)
        version = str(product.get("version") or "") if isinstance(product, dict) else ""
        release = version or str(entry.get("md5", ""))[:12] or today()
        cached = context.cache.find(self.name, release)
        if cached is not None and cached.manifest["files"][0].get("md5") in (None, entry.get("md5")):
            context.progress(f"{self.title}: release {release} is already in the cache.")
            return cached
        staging, _ = context.download_file(self.name, "codepoint", entry["url"], entry.get("fileName") or "codepo_gb.zip",
                                           md5=entry.get("md5"))
        return staging.commit(release, vintage=self.vintage_of(version or f"retrieved {today()}"))

    def _download_onspd(self, context: Context) -> Release:
        staging, _ = context.download_file(self.name, "onspd", settings.onspd_url, "onspd.zip")
        return staging.commit(f"onspd-{today()}", vintage=f"ONS Postcode Directory, retrieved {today()}")

    @staticmethod
    def vintage_of(version: str) -> str:
        return f"OS Code-Point Open, {version}"

    def convert(self, files: RawFiles, context: Context) -> Converted:
        codepoint, onspd = files.paths("codepoint"), files.paths("onspd")
        if codepoint:
            table = read_codepoint(codepoint, self.title)
        elif onspd:
            table = read_onspd(onspd[0], "ONS Postcode Directory")
        else:
            raise SourceCheckFailed(f"{self.title}: neither Code-Point Open nor the ONS Postcode Directory is among "
                                    f"the files.")
        vintage = files.role_vintage("codepoint" if codepoint else "onspd")
        notes = [] if codepoint else ["From the ONS Postcode Directory: NHS region codes left empty (ONSPD has none "
                                      "in Code-Point's scheme)."]
        return Converted({TABLE: table}, {TABLE: vintage}, notes)
