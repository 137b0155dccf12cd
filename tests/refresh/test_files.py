"""Adapters reading the publishers' files: epraccur's legacy and current layouts, the ePCN workbook and the DSE
report, Code-Point Open and the ONS Postcode Directory (its renamed district column), CQC's page with several links
and its ODS (a README sheet first, repeated cells, a million-row filler), and a missing column named."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from layers.refresh.errors import ChecksumMismatch, PublisherError, SourceCheckFailed
from layers.refresh.recognise import recognise
from layers.refresh.sources.base import FolderFiles
from layers.refresh.sources.cqc import CareHomesSource, care_homes, directory_link
from layers.refresh.sources.gp import GPPracticesSource, read_partners
from layers.refresh.sources.postcodes import PostcodesSource, read_codepoint, read_onspd
from tests.refresh.publishers import PACK, PUBLISHED, pack_csv

ODS = PUBLISHED / "ods"
CQC = PUBLISHED / "cqc"


def _files(**roles) -> FolderFiles:
    return FolderFiles({role: [path] for role, path in roles.items()}, vintage="test files")


def test_legacy_and_current_epraccur_give_the_same_practices(context):
    source = GPPracticesSource()
    legacy = source.convert(_files(epraccur=ODS / "epraccur_legacy.csv", partners=ODS / "ePCN.xlsx"), context)
    current = source.convert(_files(epraccur=ODS / "epraccur_current.csv", partners=ODS / "epcncorepartnerdetails.csv"),
                             context)
    pd.testing.assert_frame_equal(legacy.tables["gp_practices_pcn"], current.tables["gp_practices_pcn"])
    table = legacy.tables["gp_practices_pcn"].set_index("practice_code")
    assert len(table) == 32 and table.loc["C82010", "pcn_name"] == "RUTLAND HEALTH PCN"
    assert "gp_branch_surgeries" not in legacy.tables and "No branch surgeries" in legacy.notes[-1]


def test_the_dse_report_may_come_wrapped_in_json(context, tmp_path):
    wrapped = tmp_path / "epraccur.json"
    wrapped.write_text(pd.Series({"epraccur": (ODS / "epraccur_current.csv").read_text()}).to_json())
    converted = GPPracticesSource().convert(_files(epraccur=wrapped, partners=ODS / "ePCN.xlsx"), context)
    assert len(converted.tables["gp_practices_pcn"]) == 32


def test_a_file_that_is_not_epraccur_is_refused(context, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("\n".join(",".join(["X"] * 27) for _ in range(3)))
    with pytest.raises(SourceCheckFailed, match=r"column 13 holds statuses \['X'\].*is it epraccur"):
        GPPracticesSource().convert(_files(epraccur=other, partners=ODS / "ePCN.xlsx"), context)


def test_a_pcn_file_without_its_pcn_code_column_is_named(tmp_path):
    frame = pd.read_excel(ODS / "ePCN.xlsx", sheet_name="PCN Core Partner Details", dtype=str)
    renamed = tmp_path / "ePCN.xlsx"
    with pd.ExcelWriter(renamed) as writer:
        frame.rename(columns={"PCN Code": "Network"}).to_excel(writer, sheet_name="PCN Core Partner Details",
                                                               index=False)
    with pytest.raises(SourceCheckFailed, match=r"lacks the column pcn_code \('PCN Code'\)"):
        read_partners(renamed, "PCN membership")


def test_code_point_checks_the_publishers_md5_and_keeps_england(publishers, context):
    entry = publishers.codepoint_md5
    publishers.codepoint_md5 = "f" * 32
    with pytest.raises(ChecksumMismatch, match="MD5"):
        PostcodesSource().download(context)
    publishers.codepoint_md5 = entry
    release = PostcodesSource().download(context)
    table = read_codepoint(release.paths("codepoint"), "Code-Point")
    assert table.astype(object).where(table.notna(), "").astype(str).equals(pack_csv("codepoint_open_england"))
    assert not table["Postcode"].str.startswith("LD1").any()  # the Welsh row


def _onspd(tmp_path, district: str):
    codepoint = pack_csv("codepoint_open_england").head(50)
    onspd = pd.DataFrame({"pcd": codepoint["Postcode"], "pcds": codepoint["Postcode"], "dointr": "198001",
                          "doterm": "", "oscty": codepoint["Admin_county_code"], district: codepoint["Admin_district_code"],
                          "osward": codepoint["Admin_ward_code"], "oseast1m": codepoint["Eastings"],
                          "osnrth1m": codepoint["Northings"], "osgrdind": "1", "ctry": codepoint["Country_code"]})
    onspd.loc[3, "doterm"] = "202001"  # terminated: Code-Point would not hold it
    archive = tmp_path / f"ONSPD_{district}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Data/ONSPD_NOV_2025_UK.csv", onspd.to_csv(index=False))
        zipped.writestr("Documents/readme.csv", "a,b\n1,2\n")
    return archive, codepoint.drop(index=3).reset_index(drop=True)


@pytest.mark.parametrize("district", ["oslaua", "lad25cd"])
def test_the_postcode_directory_is_read_under_its_old_or_new_district_name(tmp_path, district):
    archive, expected = _onspd(tmp_path, district)
    assert [(f.source, f.role) for f in recognise(tmp_path).found] == [("postcodes", "onspd")]
    table = read_onspd(archive, "ONSPD")
    assert table["Postcode"].tolist() == expected["Postcode"].tolist()
    assert (table["Admin_district_code"] == "E06000017").all() and table["NHS_HA_code"].isna().all()
    assert (table["Positional_quality_indicator"] == 10).all()


def test_a_postcode_directory_without_a_district_column_is_named(tmp_path):
    archive, _ = _onspd(tmp_path, "district_code")
    with pytest.raises(SourceCheckFailed, match=r"lacks the column Admin_district_code \('oslaua' or a name like "
                                                r"lad##cd \(# a digit\)\)"):
        read_onspd(archive, "ONSPD")


def test_the_care_directory_link_is_picked_among_several():
    page = (CQC / "using-cqc-data.html").read_text()
    assert directory_link(page, "https://www.cqc.org.uk/about-us/transparency/using-cqc-data") == \
        "https://www.cqc.org.uk/sites/default/files/2021-03/01_March_2021_HSCA_Active_Locations.ods"
    newer = page.replace("</ul>", '<li><a href="/files/2021-04/01_April_2021_HSCA_Active_Locations.csv">CSV</a></li>'
                                  '<li><a href="/files/2021-04/01_April_2021_HSCA_Active_Locations.ods">ODS</a></li></ul>')
    assert directory_link(newer, "https://www.cqc.org.uk/x").endswith("/2021-04/01_April_2021_HSCA_Active_Locations.ods")
    with pytest.raises(PublisherError, match="links no care directory.*01_March_2021_Latest_ratings.ods"):
        directory_link(page.replace("HSCA_Active_Locations", "Something_else"), "https://www.cqc.org.uk/x")


def test_the_care_directory_ods_and_csv_give_the_pack_rows():
    expected = pd.read_csv(PACK / "cqc_care_homes.csv", dtype=str, keep_default_na=False)
    for name in ("01_March_2021_HSCA_Active_Locations.ods", "01_March_2021_HSCA_Active_Locations.csv"):
        table = care_homes(CQC / name)
        assert table.astype(object).where(table.notna(), "").astype(str).equals(expected), name
    assert int(table["Care homes beds"].sum()) == 419  # Rutland's 12 homes, as SOURCES.md counts them


def test_a_care_directory_missing_a_column_says_which(tmp_path):
    with zipfile.ZipFile(CQC / "01_March_2021_HSCA_Active_Locations.ods") as original:
        content = original.read("content.xml").replace(b"<text:p>Care homes beds</text:p>", b"<text:p>Beds</text:p>")
        renamed = tmp_path / "01_April_2021_HSCA_Active_Locations.ods"
        with zipfile.ZipFile(renamed, "w") as copy:
            for info in original.infolist():
                copy.writestr(info, content if info.filename == "content.xml" else original.read(info))
    with pytest.raises(SourceCheckFailed, match=r"lacks the column Care homes beds \('Care homes beds'\)"):
        CareHomesSource().convert(_files(directory=renamed), None)


def test_a_workbook_that_is_not_the_care_directory_is_refused(tmp_path):
    odd = tmp_path / "odd.ods"
    with zipfile.ZipFile(odd, "w") as archive:
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:'
                                        'tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument'
                                        ':xmlns:table:1.0"><office:body><office:spreadsheet><table:table table:name='
                                        '"Sheet1"/></office:spreadsheet></office:body></office:document-content>')
    with pytest.raises(SourceCheckFailed, match="no visible sheet named HSCA Active Locations or HSCA_Active_Locations"):
        care_homes(odd)


def test_an_xlsx_care_directory_is_read_from_its_named_sheet_behind_a_readme(tmp_path):
    rows = pd.read_csv(CQC / "01_March_2021_HSCA_Active_Locations.csv", dtype=str, keep_default_na=False)
    workbook = tmp_path / "01_March_2021_HSCA_Active_Locations.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"Active locations": ["Source: CQC database as at 01 March 2021"]}).to_excel(
            writer, sheet_name="README", index=False)
        rows.to_excel(writer, sheet_name="HSCA_Active_Locations", index=False)
    table = care_homes(workbook)
    assert table["Location ID"].tolist() == pack_csv_ids() and int(table["Care homes beds"].sum()) == 419


def pack_csv_ids() -> list[str]:
    return pd.read_csv(PACK / "cqc_care_homes.csv", dtype=str)["Location ID"].tolist()
