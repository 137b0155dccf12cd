"""The coverage report: every section, findings written from the figures, named tables, page numbers and full
pages (read back with pdftotext/pdftoppm), a self-contained HTML page with its own map, escaped user text, and
the command line."""

import html
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from analyses import report as reporting

ROOT = Path(__file__).resolve().parent.parent
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def rutland_report(rutland, rutland_engine, rutland_care_homes):
    homes = rutland_care_homes
    return reporting.build_report(rutland, homes.homes, rutland_engine, year=2028, sites=2, site_minutes=8.0,
                                  **reporting.homes_details(homes),
                                  authorship=reporting.Authorship("A. Planner", "Rutland County Council", "for-comment"))


@pytest.fixture(scope="module")
def rutland_pdf(rutland_report, tmp_path_factory):
    if not POPPLER:
        pytest.skip("pdftotext and pdftoppm (poppler-utils) are not installed")
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(reporting.to_pdf(rutland_report))
    return path


def pdf_pages(path: Path, *, layout: bool = False) -> list[str]:
    """Text of each page: in reading order, or as laid out (``layout``: a header's left and right on one line)."""
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.split("\f")[:-1]


def test_html_report_has_every_section_and_table(rutland_report):
    page = reporting.to_html(rutland_report)
    for section in reporting.SECTIONS:
        assert f">{html.escape(section)}</h2>" in page
    assert page.count("<a href='#") == len(reporting.SECTIONS)  # the contents link to every section
    assert page.count("<img alt=") == 3 and page.count("data:image/png;base64,") == 3
    assert "Rutland Health PCN" in page and "Beds per 1,000 aged 65+" in page
    assert "Travel times: Road network: OpenStreetMap extract of Rutland" in page
    assert "CQC care directory, 1 March 2021 (shipped with the tool): 111 care homes, 12 in Rutland" in page
    assert "Open Government Licence" in page and "Care Quality Commission" in page
    assert "DRAFT FOR COMMENT" in page and "A. Planner" in page and "Rutland County Council" in page
    assert "<b>What this means.</b> In 2028, Rutland needs about 427 care-home beds" in page
    assert "in plain English" in page and "a bed 10–20 minutes&#x27; drive away counts as 0.68 of a bed" in page
    # Summary, documents beside the homes (3), by year, two by locality, gaps, sites, scenario, data, the council's
    # figures, homes.
    assert page.count("<table") == 13
    assert "assumption: no Rutland document" in page  # the appendix says which figures are assumed
    assert "Barrow — Cottesmore ward (E01013788)" in page and "Oakham (7 km)" in page


def test_html_report_is_self_contained_with_an_interactive_map(rutland_report):
    page = reporting.to_html(rutland_report)
    assert "Leaflet 1.9.4" in page and "L.map('caremap-map'" in page and "id='caremap-map'" in page
    # Nothing is fetched: no script, stylesheet, image or frame from anywhere but the file itself (the browser test
    # opens the file and records every request).
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)
    assert re.findall(r"""(?:src|href)\s*=\s*['"]?(?!data:|#)[a-z]+:""", markup, flags=re.IGNORECASE) == []
    assert re.findall(r"url\((?!['\"]?data:)", markup) == [] and "@import" not in page
    assert "<script src" not in page and "<link" not in page
    layers = rutland_report.map_layers
    assert len(layers["areas"]["features"]) == 26 and len(layers["homes"]["features"]) == 111  # every LSOA and home
    assert [feature["properties"]["lines"][0] for feature in layers["towns"]["features"]] == ["Oakham", "Uppingham"]


def test_report_figures_and_tables(rutland_report):
    assert set(rutland_report.figures) == {"access", "drive_time", "gaps"}
    assert all(png.startswith(b"\x89PNG") for png in rutland_report.figures.values())
    localities = rutland_report.locality_table()
    assert localities["Beds"].tolist() == [419] and localities["Aged 65+"].tolist() == [10_345]
    assert "Beds assumed" not in localities  # CQC gives every home's beds
    assert len(rutland_report.site_table()) == 2
    assert rutland_report.sites.covered_after > rutland_report.sites.covered_before
    summary = dict(rutland_report.summary())
    assert summary["Beds"] == "419 beds" and summary["Shortfall (+) or spare (−)"] == "+27"
    years = rutland_report.year_table().set_index("Measure")
    assert list(years.columns) == ["2020", "2028", "2038"]
    # Rutland's assumed need (331 in 2018, 427 in 2028, 566 in 2038) against 419 × (1 − 4.5%) = 400 usable beds.
    assert years.loc["Bed need, aged 65+"].tolist() == ["350", "427", "566"]
    assert years.loc["Shortfall (+) / spare (−), aged 65+"].tolist() == ["-50", "+27", "+166"]
    assert years.loc["Nursing need"].tolist() == ["140", "171", "226"]  # 40% (assumption, Herefordshire's split)
    # CQC's nursing service type: 3 homes, 190 beds × 0.955; dementia band: 6 homes, 299 beds × 0.955.
    assert years.loc["Nursing beds, usable"].tolist() == ["181", "181", "181"]
    assert years.loc["Beds in dementia-registered homes, usable"].tolist() == ["286", "286", "286"]
    gaps = rutland_report.gap_table()
    assert gaps["Rank"].tolist() == list(range(1, len(gaps) + 1)) and gaps["Nearest town"].str.match(
        r"^(Oakham|Uppingham) \(\d+ km\)$").all()


def test_findings_are_written_from_the_figures(rutland_report):
    findings = rutland_report.findings()
    text = " ".join(findings)
    assert findings[0].startswith("Rutland has 12 care homes for older people with 419 beds: 40.5 per 1,000")
    assert "350 (2020) → 427 (2028) → 566 (2038)" in text and "a shortfall of 166 beds in 2038" in text
    assert "190 beds in homes with nursing — a shortfall of 45 beds by 2038" in text
    assert "People with dementia in care homes: 296 (2020) → 479 (2038); 6 homes registered for dementia" in text
    assert "Largest gaps (low access, high projected need): Barrow — Cottesmore ward" in text
    assert "2 new home(s) of 44 beds at" in text and "solver: exact" in text  # 44: the mean of the homes for older people
    assert "settings give no documented totals" in text and "PARTIAL" not in text


def test_pdf_summary_page_numbers_and_names(rutland_pdf, rutland_report):
    pages = pdf_pages(rutland_pdf)
    text = " ".join(" ".join(pages).split())
    for section in reporting.SECTIONS:
        assert section in text
    assert "Care-home coverage: Rutland" in text and "Health" in text and "Gap score" in text
    title = " ".join(pages[0].split())
    assert "Scenario 2028" in title and "DRAFT FOR COMMENT A. Planner Rutland County Council" in title
    assert "Page 1 of" not in title and "Mid-2020 population" in text and f"(caremap) {rutland_report.version}" in text
    summary = " ".join(pages[1].split())
    assert summary.startswith("Care-home coverage for older people · Rutland · scenario 2028 · Draft for comment")
    assert "What this means. In 2028, Rutland needs about 427 care-home beds" in summary
    assert "The decision this informs:" in summary and "in plain English" in summary
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert "Care-home coverage for older people · Rutland · scenario 2028" in page.splitlines()[0]
    # The contents give the page each section starts on.
    for section in reporting.SECTIONS:
        listed = re.search(rf"{re.escape(section)}[ .]*(\d+)", title)
        assert listed, section
        assert section in " ".join(pages[int(listed.group(1)) - 1].split()), section
    assert "Barrow — Cottesmore ward" in text and "Oakham (7 km)" in text
    assert "Aberdeen House" in text and "Rutland Health PCN" in text


def _fill(png: Path) -> float:
    """Share of the page between the header rule and the footer that holds content, top down (0–1)."""
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("L"))
    height = pixels.shape[0]
    body = pixels[int(0.075 * height):int(0.92 * height)]
    rows = np.flatnonzero((body < 200).any(axis=1))
    return 0.0 if rows.size == 0 else (rows[-1] + 1) / body.shape[0]


def test_no_page_is_less_than_a_third_full_but_the_last_of_a_section(rutland_pdf, tmp_path):
    pages = pdf_pages(rutland_pdf, layout=True)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-gray", str(rutland_pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"), key=lambda path: int(path.stem.split("-")[1]))
    assert len(images) == len(pages)

    def section(text: str) -> str:  # the running header names the section in force at the top of the page
        header = text.strip().splitlines()[0] if text.strip() else ""
        return header.rsplit("  ", 1)[-1].strip()

    sections = ["Title"] + [section(page) for page in pages[1:]]
    assert set(sections[1:]) <= set(reporting.SECTIONS)
    for number, (image, name) in enumerate(zip(images, sections)):
        last_of_section = number == len(images) - 1 or sections[number + 1] != name
        assert last_of_section or _fill(image) >= 1 / 3, f"page {number + 1} ({name}) is {_fill(image):.0%} full"


@pytest.mark.slow
def test_user_text_is_escaped_in_both_reports(rutland, rutland_engine, tmp_path):
    from routing.engine import EstimateEngine

    hostile = "<b>Evil & Co</b> <script>alert(1)</script>"
    homes = gpd.GeoDataFrame({"home_id": ["x"], "name": [hostile], "beds": [30.0], "beds_assumed": False,
                              "nursing": True, "older_people": True, "in_council": True, "postcode": "LE15 6RP",
                              "source": "test"}, geometry=gpd.points_from_xy([486000], [308800]), crs=27700)
    built = reporting.build_report(rutland, homes, EstimateEngine(), homes_source="<i>homes</i>.csv (1)", year=2028,
                                   sites=1, notes=["note <u>with</u> markup"])
    page = reporting.to_html(built)
    assert "<script>alert(1)</script>" not in page and "<b>Evil" not in page and "<i>homes</i>" not in page
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in page and "\\u003cscript\\u003e" in page  # table and map data
    if not POPPLER:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "hostile.pdf"
    path.write_bytes(reporting.to_pdf(built))  # reportlab markup in a name neither breaks nor styles the PDF
    text = " ".join(" ".join(pdf_pages(path)).split())
    assert "<b>Evil & Co</b>" in text and "<i>homes</i>.csv (1)" in text and "note <u>with</u> markup" in text


@pytest.mark.slow
def test_command_line_writes_the_report(tmp_path, capsys):
    from caremap import cli

    candidates = tmp_path / "sites.csv"
    candidates.write_text("name,postcode\nBarleythorpe field,LE15 7PL\nSouth Luffenham plot,PE9 3RN\n")
    out = tmp_path / "rutland.pdf"
    assert cli.main(["report", "--council", "rutland", "--out", str(out), "--html", str(tmp_path / "rutland.html"),
                     "--minutes", "8", "--candidates", str(candidates), "--site-measure", "access", "--sites", "1",
                     "--author", "A. Planner", "--organisation", "Rutland County Council", "--status", "final"]) == 0
    assert out.read_bytes().startswith(b"%PDF") and (tmp_path / "rutland.html").stat().st_size > 100_000
    page = (tmp_path / "rutland.html").read_text()
    assert "the candidate sites you gave (2 considered)" in page and "E2SFCA access gap closed" in page
    assert "<p class='status'>FINAL</p>" in page and "A. Planner" in page and "Rutland County Council" in page
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("Care homes: CQC care directory, 1 March 2021 (shipped with the tool): 111 care homes, 12 in "
                        "Rutland and 99 within 15 km beyond its border.")
    assert [line for line in lines if line.startswith("Suggested site 1. ")]
    assert cli.main(["report", "--council", "Shropshire", "--out", str(tmp_path / "s.pdf")]) == 2
    error = capsys.readouterr().err
    assert "Known councils" in error and "Traceback" not in error
    assert cli.main(["report", "--council", "rutland", "--author", "A\nB", "--out", str(tmp_path / "s.pdf")]) == 2
    assert "--author must be at most 120 characters on one line" in capsys.readouterr().err


def test_the_command_and_the_report_share_the_statuses():
    from caremap.commands import report as command

    assert command.STATUSES == tuple(reporting.STATUSES)
