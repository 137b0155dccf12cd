"""GP practices with their Primary Care Network, and branch surgeries, from NHS ODS.

NHS ODS moved its files to the Data Search and Export (DSE) API (``getReport?report=epraccur``); the old
``epraccur.zip`` answers 403. Reports are CSV without a header, in the legacy column order. Two layouts of
epraccur are read, told apart by their values:

- legacy: status (column 13) ``A``/``C``/``D``/``P``, prescribing setting (column 26) ``4`` for a GP practice;
- current (DSE): status ``ACTIVE``/``INACTIVE``, column 26 the primary role, ``RO76`` for a GP practice.

Columns used (1-based, as ODS documents them): 1 code, 2 name, 10 postcode, 13 status, 15 commissioner (parent),
26 prescribing setting or role. Practice-to-PCN membership comes from the DSE ``epcncorepartnerdetails`` report or
the legacy ePCN workbook's "PCN Core Partner Details" sheet (columns found by name; the DSE report, having no
header, is read in the workbook's order); the current membership is the one without an end date. Branch surgeries
(``ebranchs``: 1 code, 2 name, 10 postcode, 15 parent practice) are kept for the practices kept.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd

from geo.settings import settings
from layers.refresh.cache import Release
from layers.refresh.columns import col, normalise, pick_columns, require_rows
from layers.refresh.errors import PublisherError, SourceCheckFailed
from layers.refresh.sources.base import Context, Converted, RawFiles, Source, today

PRACTICES, BRANCHES = "gp_practices_pcn", "gp_branch_surgeries"
REPORTS = {"epraccur": "epraccur", "partners": "epcncorepartnerdetails", "branches": "ebranchs"}
"""Raw role -> DSE report name."""
EPRACCUR_WIDTH = 27
CODE, NAME, POSTCODE, STATUS, PARENT, SETTING = 0, 1, 9, 12, 14, 25
LEGACY_STATUSES, CURRENT_STATUSES = {"A", "C", "D", "P"}, {"ACTIVE", "INACTIVE"}
PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$")
PCN_CODE = re.compile(r"^U\d{5}$")
PARTNER_SHEET = "PCN Core Partner Details"
PARTNER_COLUMNS = (col("practice_code", "Partner Organisation Code"), col("pcn_code", "PCN Code"),
                   col("pcn_name", "PCN Name"), col("start", "Practice to PCN Relationship Start Date"),
                   col("end", "Practice to PCN Relationship End Date"))
PARTNER_ORDER = ("Partner Organisation Code", "Partner Name", "Practice Parent Sub ICB Loc Code",
                 "Practice Parent Sub ICB Loc Name", "PCN Code", "PCN Name", "PCN Parent Sub ICB Loc Code",
                 "PCN Parent Sub ICB Loc Name", "Practice to PCN Relationship Start Date",
                 "Practice to PCN Relationship End Date", "Practice Sub ICB Loc and PCN Sub ICB Loc Match")
"""The partner sheet's columns, in the order the headerless DSE report is read (unconfirmed for the report)."""
MINIMUM_PCN_SHARE = 0.5
"""Share of active practices that must find a PCN: fewer means the PCN file does not go with epraccur."""


def read_headerless(path: Path) -> pd.DataFrame:
    """A headerless ODS report as text, columns numbered from 0 (a JSON wrapper or a zip, as the DSE API may send
    them, is opened)."""
    content = path.read_bytes()
    if zipfile.is_zipfile(path):  # several reports asked at once come zipped
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if name.lower().endswith(".csv")]
            if not members:
                raise SourceCheckFailed(f"{path.name} is a zip without a CSV report in it.")
            content = archive.read(members[0])
    stripped = content.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"{"):
        body = json.loads(stripped)
        values = [value for value in body.values() if isinstance(value, str)] if isinstance(body, dict) else []
        if not values:
            raise SourceCheckFailed(f"{path.name} is JSON without a report in it ({str(body)[:80]}).")
        content = values[0].encode("utf-8")
    return pd.read_csv(io.BytesIO(content), header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def epraccur_layout(frame: pd.DataFrame, where: str) -> str:
    """``"legacy"`` or ``"current"``, from the status and column 26 values.

    Raises
    ------
    SourceCheckFailed
        For a file that is not epraccur (too few columns, statuses of neither kind).
    """
    if frame.shape[1] < EPRACCUR_WIDTH:
        raise SourceCheckFailed(f"{where} has {frame.shape[1]} columns; epraccur has {EPRACCUR_WIDTH}.")
    statuses = set(frame[STATUS].str.strip().str.upper()) - {""}
    if statuses <= LEGACY_STATUSES:
        return "legacy"
    if statuses <= CURRENT_STATUSES or frame[SETTING].str.match(r"^RO\d+$").any():
        return "current"
    raise SourceCheckFailed(f"{where}: column 13 holds statuses {sorted(statuses)[:6]}, neither the legacy "
                            f"(A, C, D, P) nor the current (ACTIVE, INACTIVE) ones: is it epraccur?")


def active_practices(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Open GP practices (not branches, out-of-hours or prison services) with code, name, postcode, commissioner."""
    layout = epraccur_layout(frame, where)
    status = frame[STATUS].str.strip().str.upper()
    setting = frame[SETTING].str.strip().str.upper()
    keep = (status == "A") & (setting == "4") if layout == "legacy" else (status == "ACTIVE") & (setting == "RO76")
    practices = pd.DataFrame({"practice_code": frame.loc[keep, CODE].str.strip(),
                              "practice_name": frame.loc[keep, NAME].str.strip(),
                              "postcode": frame.loc[keep, POSTCODE].str.strip(),
                              "commissioner": frame.loc[keep, PARENT].str.strip()})
    require_rows(len(practices), 1, where=where, what="open GP practices")
    return practices.reset_index(drop=True)


def read_partners(path: Path, where: str) -> pd.DataFrame:
    """Practice-to-PCN memberships from the ePCN workbook or the DSE report (with or without a header)."""
    if path.read_bytes()[:2] == b"PK":
        import openpyxl  # here: the app's first page lists sources without reading workbooks

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = next((name for name in workbook.sheetnames if normalise(name) == normalise(PARTNER_SHEET)), None)
            if sheet is None:
                raise SourceCheckFailed(f"{where} has no sheet {PARTNER_SHEET!r} (sheets: {workbook.sheetnames}).")
            rows = [["" if value is None else str(value) for value in row]
                    for row in workbook[sheet].iter_rows(values_only=True)]
        finally:
            workbook.close()
        frame = pd.DataFrame(rows[1:], columns=rows[0]) if rows else pd.DataFrame()
    else:
        frame = read_headerless(path)
        first = [normalise(value) for value in frame.iloc[0]] if len(frame) else []
        if normalise(PARTNER_ORDER[0]) in first:
            frame = pd.DataFrame(frame.iloc[1:].to_numpy(), columns=list(frame.iloc[0]))
        else:
            frame = frame.iloc[:, :len(PARTNER_ORDER)]
            frame.columns = list(PARTNER_ORDER)[:frame.shape[1]]
    names = pick_columns([str(c) for c in frame.columns], PARTNER_COLUMNS, where=where)
    partners = pd.DataFrame({target: frame[name].astype(str).str.strip() for target, name in names.items()})
    partners["start"] = partners["start"].str.replace(r"\.0$", "", regex=True)
    partners["end"] = partners["end"].replace({"None": "", "nan": ""}).str.replace(r"\.0$", "", regex=True)
    bad = partners.loc[~partners["pcn_code"].str.match(PCN_CODE), "pcn_code"]
    if len(bad) and len(bad) == len(partners):
        raise SourceCheckFailed(f"{where}: no PCN codes (U followed by five digits) in its PCN Code column.")
    return partners


def current_pcns(partners: pd.DataFrame) -> pd.DataFrame:
    """Each practice's PCN now: the membership without an end date, the latest started if several."""
    current = partners[partners["end"] == ""].sort_values("start", kind="stable")
    current = current.drop_duplicates("practice_code", keep="last")
    return current[["practice_code", "pcn_code", "pcn_name", "start"]].rename(columns={"start": "pcn_start_date"})


class GPPracticesSource(Source):
    """GP practices with their PCN, and branch surgeries (NHS ODS)."""

    name = "gp_practices"
    title = "GP practices and PCNs (NHS ODS)"
    tables = (PRACTICES, BRANCHES)
    roles = {"epraccur": "NHS ODS epraccur (GP practices; CSV without a header, legacy or current layout)",
             "partners": "the ePCN workbook (sheet 'PCN Core Partner Details') or the DSE epcncorepartnerdetails "
                         "report",
             "branches": "NHS ODS ebranchs (branch surgeries), optional"}
    required_roles = ("epraccur", "partners")
    where_to_get = ("https://www.odsdatasearchandexport.nhs.uk/ (reports epraccur, epcncorepartnerdetails, ebranchs), "
                    "or the ePCN workbook from NHS England Digital")

    def urls(self) -> list[str]:
        return [settings.ods_url]

    def download(self, context: Context) -> Release:
        staging = context.cache.stage(self.name)
        url = f"{settings.ods_url.rstrip('/')}/getReport"
        try:
            for role, report in REPORTS.items():
                context.progress(f"{self.title}: report {report}…")
                try:
                    answer = context.client.get(url, {"report": report})
                except PublisherError:
                    if role == "branches":
                        continue  # optional: the practices stand without it
                    raise
                staging.write(role, f"{report}.csv", answer.content, url=answer.url)
        except BaseException:
            staging.discard()
            raise
        return staging.commit(today(), vintage=self.vintage_of(f"retrieved {today()}"))

    @staticmethod
    def vintage_of(when: str) -> str:
        return f"NHS ODS epraccur and PCN membership, {when}"

    def convert(self, files: RawFiles, context: Context) -> Converted:
        missing = [self.roles[role].split(" (")[0] for role in self.required_roles if not files.paths(role)]
        if missing:
            raise SourceCheckFailed(f"{self.title}: {' and '.join(missing)} missing among the files.")
        epraccur = files.paths("epraccur")[0]
        practices = active_practices(read_headerless(epraccur), f"epraccur ({epraccur.name})")
        if practices["practice_code"].duplicated().any():
            raise SourceCheckFailed(f"epraccur ({epraccur.name}) lists some practices twice.")
        partners_file = files.paths("partners")[0]
        pcns = current_pcns(read_partners(partners_file, f"PCN membership ({partners_file.name})"))
        table = practices.merge(pcns, on="practice_code", how="left")
        share = table["pcn_code"].notna().mean()
        if share < MINIMUM_PCN_SHARE:
            raise SourceCheckFailed(f"Only {share:.0%} of the {len(table):,} open practices in {epraccur.name} have a "
                                    f"PCN in {partners_file.name}: the two files do not go together.")
        tables = {PRACTICES: table.astype("string")}
        vintage = files.role_vintage("epraccur")
        vintages = {PRACTICES: vintage}
        notes = [f"{share:.1%} of {len(table):,} open practices have a current PCN."]
        if files.paths("branches"):
            branches = read_headerless(files.paths("branches")[0])
            if branches.shape[1] <= PARENT:
                raise SourceCheckFailed(f"ebranchs ({files.paths('branches')[0].name}) has {branches.shape[1]} "
                                        f"columns; its parent practice is column {PARENT + 1}.")
            kept = branches[branches[PARENT].str.strip().isin(table["practice_code"])]
            tables[BRANCHES] = pd.DataFrame({"branch_code": kept[CODE].str.strip(), "branch_name": kept[NAME].str.strip(),
                                             "postcode": kept[POSTCODE].str.strip(),
                                             "practice_code": kept[PARENT].str.strip()}).reset_index(drop=True) \
                .astype("string")
            vintages[BRANCHES] = vintage
        else:
            notes.append("No branch surgeries among the files: gp_branch_surgeries not written.")
        return Converted(tables, vintages, notes)
