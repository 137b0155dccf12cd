"""CQC's monthly "Care directory with filters" as CQC publishes it, generated for tests (nothing of it is real data
but what a test puts in its rows).

The ODS CQC publishes opens on a README sheet, then ``HSCA_Active_Locations``: a header of 124 columns and one row
per registered location (care homes, home-care agencies, surgeries…), runs of empty cells written once with
``table:number-columns-repeated``, every row ending in about 16,000 repeated empty cells, and the sheet ending in a
filler row repeated down to the spreadsheet's last row (1,048,576); a ``Dual_Registration_Locations`` sheet
follows. Flags are ``Y`` or blank; ``Care home?`` and ``Dormant (Y/N)`` are ``Y``/``N``; beds and coordinates are
numbers.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

SPREADSHEET_ROWS = 1_048_576
SPREADSHEET_COLUMNS = 16_384

LOCATION_COLUMNS = (
    "Location ID", "Location HSCA start date", "Dormant (Y/N)", "Care home?", "Location Name", "Location ODS Code",
    "Location Telephone Number", "Registered manager", "Location Web Address", "Care homes beds",
    "Location Type/Sector", "Location Inspection Directorate", "Location Primary Inspection Category",
    "Location Latest Overall Rating", "Publication Date", "Inherited Rating (Y/N)", "Location Region",
    "Location NHS Region", "Location Local Authority", "Location ONSPD CCG Code", "Location ONSPD CCG",
    "Location Commissioning CCG Code", "Location Commissioning CCG", "Location Street Address",
    "Location Address Line 2", "Location City", "Location County", "Location Postal Code", "Location PAF ID",
    "Location UPRN ID", "Location Latitude", "Location Longitude", "Location Parliamentary Constituency", "Brand ID",
    "Brand Name", "Provider Companies House Number", "Provider Charity Number", "Provider ID", "Provider Name",
    "Provider HSCA start date", "Provider Type/Sector", "Provider Inspection Directorate",
    "Provider Primary Inspection Category", "Provider Ownership Type", "Provider Telephone Number",
    "Provider Web Address", "Provider Street Address", "Provider Address Line 2", "Provider City", "Provider County",
    "Provider Postal Code", "Provider PAF ID", "Provider UPRN ID", "Provider Local Authority", "Provider Region",
    "Provider NHS Region", "Provider Latitude", "Provider Longitude", "Provider Parliamentary Constituency",
    "Provider Nominated Individual Name", "Provider Main Partner Name",
    "Regulated activity - Accommodation for persons who require nursing or personal care",
    "Regulated activity - Accommodation for persons who require treatment for substance misuse",
    "Regulated activity - Assessment or medical treatment for persons detained under the Mental Health Act 1983",
    "Regulated activity - Diagnostic and screening procedures", "Regulated activity - Family planning",
    "Regulated activity - Management of supply of blood and blood derived products",
    "Regulated activity - Maternity and midwifery services", "Regulated activity - Nursing care",
    "Regulated activity - Personal care", "Regulated activity - Services in slimming clinics",
    "Regulated activity - Surgical procedures", "Regulated activity - Termination of pregnancies",
    "Regulated activity - Transport services, triage and medical advice provided remotely",
    "Regulated activity - Treatment of disease, disorder or injury", "Service type - Acute services with overnight beds",
    "Service type - Acute services without overnight beds / listed acute services with or without overnight beds",
    "Service type - Ambulance service", "Service type - Blood and Transplant service",
    "Service type - Care home service with nursing", "Service type - Care home service without nursing",
    "Service type - Community based services for people who misuse substances",
    "Service type - Community based services for people with a learning disability",
    "Service type - Community based services for people with mental health needs",
    "Service type - Community health care services - Independent Midwives",
    "Service type - Community health care services - Nurses Agency only", "Service type - Community healthcare service",
    "Service type - Dental service", "Service type - Diagnostic and/or screening service",
    "Service type - Diagnostic and/or screening service - single handed sessional providers",
    "Service type - Doctors consultation service", "Service type - Doctors treatment service",
    "Service type - Domiciliary care service", "Service type - Extra Care housing services",
    "Service type - Hospice services", "Service type - Hospice services at home",
    "Service type - Hospital services for people with mental health needs, learning disabilities and problems with "
    "substance misuse", "Service type - Hyperbaric Chamber", "Service type - Long term conditions services",
    "Service type - Mobile doctors service", "Service type - Prison Healthcare Services",
    "Service type - Rehabilitation services", "Service type - Remote clinical advice service",
    "Service type - Residential substance misuse treatment and/or rehabilitation service",
    "Service type - Shared Lives", "Service type - Specialist college service", "Service type - Supported living service",
    "Service type - Urgent care services", "Service user band - Children 0-18 years", "Service user band - Dementia",
    "Service user band - Learning disabilities or autistic spectrum disorder", "Service user band - Mental Health",
    "Service user band - Older People", "Service user band - People detained under the Mental Health Act",
    "Service user band - People who misuse drugs and alcohol", "Service user band - People with an eating disorder",
    "Service user band - Physical Disability", "Service user band - Sensory Impairment",
    "Service user band - Whole Population", "Service user band - Younger Adults", "Location Dual Registered",
    "Primary ID (Dual registration locations)",
)
"""The 124 columns of CQC's ``HSCA_Active_Locations`` sheet, in CQC's order."""
NUMBER_COLUMNS = {"Care homes beds", "Location Latitude", "Location Longitude", "Provider Latitude",
                  "Provider Longitude"}


def _cell(value: str, number: bool) -> str:
    if number:
        return (f'<table:table-cell office:value-type="float" office:value="{escape(value)}">'
                f"<text:p>{escape(value)}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def _row(values: list[str], numbers: list[bool] | None = None, repeat: int = 1) -> str:
    """One row as CQC writes it: empty cells run together, then a run of empty cells to the sheet's last column."""
    parts, blanks = [], 0
    for position, value in enumerate(values):
        if value == "":
            blanks += 1
            continue
        if blanks:
            parts.append(f'<table:table-cell table:number-columns-repeated="{blanks}"/>')
            blanks = 0
        parts.append(_cell(value, bool(numbers and numbers[position])))
    parts.append(f'<table:table-cell table:number-columns-repeated="{SPREADSHEET_COLUMNS - len(values) + blanks}"/>')
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-row table:style-name="ro1"{repeated}>{"".join(parts)}</table:table-row>'


def _table(name: str, rows: list[str]) -> str:
    return f'<table:table table:name="{escape(name)}" table:style-name="ta1">{"".join(rows)}</table:table>'


def care_directory_ods(locations: list[dict[str, str]], *, as_at: str = "1 March 2021",
                       sheet: str = "HSCA_Active_Locations") -> bytes:
    """CQC's care directory with filters as an ODS, in CQC's published layout, holding ``locations`` (each a mapping
    of column -> text; columns not given are empty). Small on disk: the repeats are written once."""
    numbers = [column in NUMBER_COLUMNS for column in LOCATION_COLUMNS]
    readme = [_row(["Active locations for providers registered under the Health and Social Care Act (HSCA)"]),
              _row([f"Source: CQC database as at {as_at}"]), _row(["Filter a column for 'Y' to find its locations."])]
    rows = [_row(list(LOCATION_COLUMNS))]
    rows += [_row([str(location.get(column, "")) for column in LOCATION_COLUMNS], numbers) for location in locations]
    filler = SPREADSHEET_ROWS - len(rows)
    rows.append(f'<table:table-row table:style-name="ro1" table:number-rows-repeated="{filler}">'
                f'<table:table-cell table:number-columns-repeated="{SPREADSHEET_COLUMNS}"/></table:table-row>')
    dual = [_row(["Location ID", "Primary ID"])]
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet>'
               + _table("README", readme) + _table(sheet, rows) + _table("Dual_Registration_Locations", dual)
               + "</office:spreadsheet></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def locations_from_cut(cut) -> list[dict[str, str]]:
    """Rows of a council's cut of the care directory (``tables/<slug>/cqc_care_homes.csv``, read as text) as the
    monthly file lists them: CQC's own columns, ``Dormant (Y/N)`` N, and the sector of a care home."""
    locations = []
    for record in cut.to_dict("records"):
        location = {column: str(record.get(column, "") or "") for column in LOCATION_COLUMNS if column in record}
        location |= {"Dormant (Y/N)": "N", "Location Type/Sector": "Social Care Org",
                     "Location Inspection Directorate": "Adult social care"}
        locations.append(location)
    return locations
