"""The coverage report builds, has every section and table, and the command line writes it."""

import subprocess
import sys
from pathlib import Path

import pytest

from analyses import report as reporting
from layers.care_homes import care_homes_from_osm
from layers.catalog import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rutland_report(rutland, rutland_engine):
    homes = care_homes_from_osm(DATA_DIR / "osm" / "rutland-latest.osm.pbf", outline=rutland.outline,
                                council=rutland.council)
    return reporting.build_report(rutland, homes.homes, rutland_engine, homes_source="OpenStreetMap (9)", year=2028,
                                  sites=2, site_minutes=8.0, notes=homes.notes)


def test_html_report_has_every_section_and_table(rutland_report):
    page = reporting.to_html(rutland_report)
    for section in reporting.SECTIONS:
        assert f"<h2>{section}</h2>" in page
    assert page.count("<img alt=") == 3 and page.count("data:image/png;base64,") == 3
    assert "Rutland Health PCN" in page and "Beds per 1,000 aged 65+" in page
    assert "Travel times: Road network: Rutland test network" in page
    assert "24 beds assumed" in page and "Not real bed counts" in page
    assert "Open Government Licence" in page and "OpenStreetMap contributors" in page
    assert page.count("<table") == 4  # summary, localities, gaps, sites


def test_report_figures_and_tables(rutland_report):
    assert set(rutland_report.figures) == {"access", "drive_time", "gaps"}
    assert all(png.startswith(b"\x89PNG") for png in rutland_report.figures.values())
    localities = rutland_report.locality_table()
    assert localities["Beds"].tolist() == [216] and localities["Aged 65+"].tolist() == [10_345]
    assert len(rutland_report.site_table()) == 2
    assert rutland_report.sites.covered_after > rutland_report.sites.covered_before
    summary = dict(rutland_report.summary())
    assert summary["Beds"] == "216"


def test_pdf_report_text(rutland_report, tmp_path):
    pdf = reporting.to_pdf(rutland_report)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    try:
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for section in reporting.SECTIONS:
        assert section in text
    assert "Care-home coverage: Rutland" in text and "Health" in text and "Gap score" in text


def test_command_line_writes_the_report(tmp_path):
    out = tmp_path / "rutland.pdf"
    done = subprocess.run([sys.executable, "-m", "caremap", "report", "--council", "rutland", "--out", str(out),
                           "--html", str(tmp_path / "rutland.html"), "--minutes", "8"],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF") and (tmp_path / "rutland.html").stat().st_size > 100_000
    refused = subprocess.run([sys.executable, "-m", "caremap", "report", "--council", "herefordshire", "--out",
                              str(tmp_path / "h.pdf")], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert refused.returncode == 2 and "give --care-homes with the CQC care directory" in refused.stderr
    unknown = subprocess.run([sys.executable, "-m", "caremap", "report", "--council", "Shropshire", "--out",
                              str(tmp_path / "s.pdf")], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert unknown.returncode == 2 and "Known councils" in unknown.stderr and "Traceback" not in unknown.stderr
