"""Recognise publishers' files downloaded by hand, by what they hold rather than what they are called.

A council behind a firewall downloads the files in a browser and puts them in one folder (names as the browser
left them: ``download (3).csv``). :func:`recognise` opens each just enough to tell what it is: the columns of a
CSV's first line, the values of a headerless one (epraccur's statuses, a branch's parent practice, Code-Point's
country codes), a zip's table of contents, a workbook's sheets, a GeoJSON's properties, a PBF's header block. It
says which source each file feeds, and which sources it lacks and where to get them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from layers import workbooks
from layers.care_homes import is_locations_sheet
from layers.refresh.columns import normalise
from layers.refresh.sources import all_sources
from layers.refresh.sources.base import FolderFiles, modified_vintage
from layers.refresh.sources.cqc import LIMITS as CQC_LIMITS
from layers.refresh.sources.cqc import name_date
from layers.refresh.sources.gp import CURRENT_STATUSES, LEGACY_STATUSES, PARTNER_SHEET, PCN_CODE, PRACTICE_CODE
from layers.refresh.sources.ons import SERVICE_TABLES, ServiceTable
from layers.refresh.sources.postcodes import HEADERS_FILE, ONSPD_COLUMNS

HEAD_BYTES = 1 << 16
MAX_FILES = 2_000
ONS_SOURCE = {"lsoa21_boundaries": "boundaries", "lad24_boundaries": "boundaries", "ruc21_lsoa21": "rural_urban"}
"""The source an ONS table's file feeds (the lookups' otherwise)."""
MANY = {("postcodes", "codepoint"), ("population", "lsoa"), ("population", "district")}
"""Roles whose files are used together (Code-Point's area files, Nomis pages); of the others the newest is used."""
_GSS = re.compile(r"^[EWSNL]\d{8}$")


@dataclass
class Found:
    """A file recognised.

    Attributes
    ----------
    path : Path
    source, role : str
        The source it feeds and the role it plays there.
    what : str
        What it is, in words.
    vintage : str
        Its date, from its content or name where it states one.
    """

    path: Path
    source: str
    role: str
    what: str
    vintage: str = ""


@dataclass
class Recognition:
    """What a folder holds.

    Attributes
    ----------
    folder : Path
    found : list of Found
    unrecognised : list of Path
        Files that are none of the publishers' (or not readable).
    """

    folder: Path
    found: list[Found] = field(default_factory=list)
    unrecognised: list[Path] = field(default_factory=list)

    def sources(self) -> list[str]:
        """Sources with every file they need, in refresh order."""
        return [name for name in all_sources() if self.files(name) is not None]

    def files(self, source: str) -> FolderFiles | None:
        """The files of one source (None unless every required role is there)."""
        adapter = all_sources().get(source)
        roles: dict[str, list[Found]] = defaultdict(list)
        for found in self.found:
            if found.source == source:
                roles[found.role].append(found)
        if adapter is None or not roles or any(role not in roles for role in adapter.required_roles):
            return None
        chosen = {role: items if (source, role) in MANY else [max(items, key=_newest)] for role, items in roles.items()}
        vintages = {role: items[0].vintage or modified_vintage([f.path for f in items], adapter.title)
                    for role, items in chosen.items()}
        paths = {role: sorted(f.path for f in items) for role, items in chosen.items()}
        return FolderFiles(paths, vintage=next(iter(vintages.values())), vintages=vintages)

    def lacking(self) -> dict[str, str]:
        """Each source without its files -> what it needs and where to get it."""
        lacking = {}
        for name, adapter in all_sources().items():
            if self.files(name) is not None:
                continue
            have = {found.role for found in self.found if found.source == name}
            needed = [adapter.roles[role] for role in (adapter.required_roles or tuple(adapter.roles)) if role not in have]
            lacking[name] = f"{'; '.join(needed) or adapter.title} — from {adapter.where_to_get}"
        return lacking

    def ignored(self) -> list[Found]:
        """Files recognised but not used, because a newer one plays the same role."""
        used = {path for name in self.sources() for paths in self.files(name).files.values() for path in paths}
        return [found for found in self.found if found.path not in used and found.source in all_sources()]

    def report(self) -> str:
        """What was found, what is lacking and what was not recognised, in lines for the user."""
        lines = [f"In {self.folder}:"]
        for found in sorted(self.found, key=lambda f: (f.source, f.role, f.path.name)):
            lines.append(f"  found   {found.source:<13} {found.what} — {found.path.name}"
                         + (f" ({found.vintage})" if found.vintage else ""))
        for found in self.ignored():
            lines.append(f"  ignored {found.path.name}: an older {found.what} than another file here")
        for name, needs in self.lacking().items():
            lines.append(f"  lacking {name:<13} {needs}")
        for path in self.unrecognised:
            lines.append(f"  not recognised: {path.name}")
        return "\n".join(lines)


def _newest(found: Found) -> tuple:
    date = name_date(found.path.name)
    return (date.isoformat() if date else "", found.path.stat().st_mtime)


def recognise(folder: str | Path) -> Recognition:
    """What each file of a folder (and its subfolders) is.

    Raises
    ------
    FileNotFoundError
        When the folder does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder: give the folder the downloaded files are in.")
    recognition = Recognition(folder)
    paths = sorted(path for path in folder.rglob("*") if path.is_file() and not any(
        part.startswith(".") for part in path.relative_to(folder).parts))
    for path in paths[:MAX_FILES]:
        try:
            found = sniff(path)
        except (OSError, ValueError, zipfile.BadZipFile, *workbooks.READ_ERRORS):
            found = []
        if found:
            recognition.found.extend(found)
        else:
            recognition.unrecognised.append(path)
    return recognition


# --- telling files apart ----------------------------------------------------------------------------------------


def sniff(path: Path) -> list[Found]:
    """What one file is (empty when it is none of the publishers' files)."""
    with open(path, "rb") as stream:
        head = stream.read(HEAD_BYTES)
    if not head:
        return []
    if b"OSMHeader" in head[:64]:
        return [Found(path, "osm", "extract", "OpenStreetMap extract (.osm.pbf), for the roads command")]
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"{"):
        return _sniff_geojson(path)
    text = head.decode("utf-8-sig", errors="replace")
    lines = [line for line in text.splitlines()[:3] if line.strip()]
    if not lines:
        return []
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    return _sniff_header(path, rows) or _sniff_headerless(path, rows)


def _sniff_zip(path: Path) -> list[Found]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "content.xml" in names or "xl/workbook.xml" in names:
            return _sniff_workbook(path, "ods" if "content.xml" in names else "xlsx")
        if any(name.lower().endswith(HEADERS_FILE.lower()) for name in names):
            return [Found(path, "postcodes", "codepoint", "OS Code-Point Open (zip)")]
        members = sorted((archive.getinfo(n) for n in names if n.lower().endswith(".csv")),
                         key=lambda info: info.file_size, reverse=True)
        for info in members[:5]:
            with archive.open(info) as stream:
                header = next(csv.reader([stream.readline().decode("utf-8-sig", errors="replace")]), [])
            found = _sniff_header(path, [header], inside=info.filename)
            if found:
                return found
    return []


def _sniff_workbook(path: Path, kind: str) -> list[Found]:
    if kind == "xlsx":
        import openpyxl  # here: the app's first page lists sources without reading workbooks

        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            sheets = [normalise(name) for name in workbook.sheetnames]
        finally:
            workbook.close()
        if normalise(PARTNER_SHEET) in sheets:
            return [Found(path, "gp_practices", "partners", "the ePCN workbook (PCN membership)")]
    try:
        sheet = workbooks.read_first_visible_sheet(path.read_bytes(), kind, CQC_LIMITS, prefer=is_locations_sheet)
    except workbooks.WorkbookProblem:
        return []
    if not is_locations_sheet(sheet.name):
        return []
    for _, cells, _ in sheet.rows:
        if any(normalise(cell) == "location id" for cell in cells):
            if any(normalise(cell) == "care homes beds" for cell in cells):
                return [_cqc(path, kind.upper())]
            break
    return []


def _cqc(path: Path, kind: str) -> Found:
    date = name_date(path.name)
    return Found(path, "care_homes", "directory", f"CQC care directory ({kind})",
                 f"CQC care directory, {date.day} {date:%B %Y}" if date else "")


def _sniff_geojson(path: Path) -> list[Found]:
    import pyogrio

    info = pyogrio.read_info(path)
    fields = [str(name) for name in info.get("fields", [])]
    has_geometry = bool(info.get("geometry_type"))
    return [Found(path, ONS_SOURCE.get(spec.role, "lookups"), spec.role, f"ONS {_title(spec)} (GeoJSON)")
            for spec in _ons_matching(fields, has_geometry)][:1]


def _ons_matching(header: list[str], has_geometry: bool) -> list[ServiceTable]:
    return [spec for spec in SERVICE_TABLES if spec.matches(header, has_geometry)]


def _title(spec: ServiceTable) -> str:
    return spec.service.replace("_", " ")


def _sniff_header(path: Path, rows: list[list[str]], inside: str = "") -> list[Found]:
    header = [normalise(cell) for cell in rows[0]]
    where = f" in {inside}" if inside else ""
    if "location id" in header and "care homes beds" in header:
        return [_cqc(path, "CSV")]
    if {"geography_code", "c_age", "obs_value"} <= set(header):
        code = rows[1][header.index("geography_code")] if len(rows) > 1 else ""
        role = "lsoa" if code[:3] in ("E01", "W01") else "district"
        return [Found(path, "population", role, f"Nomis CSV of {'LSOA' if role == 'lsoa' else 'district'} "
                                                f"populations{where}")]
    if {"area_code", "age_group"} <= set(header):
        return [Found(path, "projections", "projections", f"ONS population projections{where}")]
    if all(any(column.matches(cell) for cell in rows[0]) for column in ONSPD_COLUMNS):
        return [Found(path, "postcodes", "onspd", f"ONS Postcode Directory{where}")]
    if "partner organisation code" in header and "pcn code" in header:
        return [Found(path, "gp_practices", "partners", "PCN membership (CSV with a header)")]
    if header[:3] == ["pc", "pq", "ea"]:
        return [Found(path, "postcodes", "codepoint", "Code-Point Open column headers")]
    for spec in _ons_matching(rows[0], False):
        return [Found(path, ONS_SOURCE.get(spec.role, "lookups"), spec.role, f"ONS {_title(spec)} (CSV{where})")]
    return []


def _sniff_headerless(path: Path, rows: list[list[str]]) -> list[Found]:
    first = [cell.strip() for cell in rows[0]]
    if len(first) == 10 and _GSS.match(first[4]) and re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?\s*[0-9][A-Z]{2}",
                                                                 first[0]):
        return [Found(path, "postcodes", "codepoint", "Code-Point Open area file")]
    if len(first) >= 27:
        if PRACTICE_CODE.match(first[14]):
            return [Found(path, "gp_practices", "branches", "NHS ODS ebranchs (branch surgeries)")]
        statuses = {row[12].strip().upper() for row in rows if len(row) > 12}
        if statuses <= LEGACY_STATUSES:
            return [Found(path, "gp_practices", "epraccur", "NHS ODS epraccur (legacy layout)")]
        if statuses <= CURRENT_STATUSES:
            return [Found(path, "gp_practices", "epraccur", "NHS ODS epraccur (current layout)")]
    if len(first) >= 10 and PRACTICE_CODE.match(first[0]) and PCN_CODE.match(first[4]):
        return [Found(path, "gp_practices", "partners", "NHS ODS epcncorepartnerdetails (PCN membership)")]
    return []
