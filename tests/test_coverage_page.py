"""The Care-home coverage page without a browser (Streamlit's AppTest): CQC's shipped homes used with no file
loaded and the council's documents beside them, a partial file marking the headline partial, one message per
upload, findings and need by year shown, site suggestions always offered and their gains the command line's, and a
prepared report that always matches the settings shown."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest


def _rutland_coverage_page():
    import streamlit as st

    from app_pages import coverage

    st.session_state.setdefault("council_slug", "rutland")
    coverage.page()


def _herefordshire_coverage_page():
    import streamlit as st

    from app_pages import coverage

    st.session_state.setdefault("council_slug", "herefordshire")
    coverage.page()


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _report_downloads(app: AppTest) -> list[str]:
    return [button.label for button in app.get("download_button") if button.label in ("Download PDF", "Download HTML")]


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


@pytest.mark.slow
def test_a_changed_year_changes_the_download(tmp_path):
    app = AppTest.from_function(_rutland_coverage_page, default_timeout=240).run()
    assert not app.exception and not app.error
    findings = " ".join(markdown.value for markdown in app.markdown).replace("\\", "")
    assert "Rutland has 12 care homes for older people with 419 beds" in findings
    assert {"Key findings", "Need and supply by year", "Suggested new sites", "What this means",
            "The council's documents beside the homes loaded"} <= {h.value for h in app.subheader}
    assert app.number_input(key="cv_sites").min == 1  # site suggestions are always offered
    # A locality is keyed by its name: one column says it, not a "code" column repeated as "name".
    areas = next(frame.value for frame in app.dataframe if "PCN locality" in frame.value.columns)
    assert areas["PCN locality"].tolist() == ["Rutland Health PCN"] and "name" not in areas.columns
    assert _report_downloads(app) == []
    app.button(key="cv_report").click().run()
    first_key, first_pdf, first_html = app.session_state["cv_report_files"]
    assert _report_downloads(app) == ["Download PDF", "Download HTML"]
    assert "Scenario 2028" in first_html.decode()

    app.select_slider(key="cv_year").set_value(2038).run()
    assert not app.exception
    assert _report_downloads(app) == []  # the 2028 report is no longer offered for the 2038 settings
    assert any("settings changed since the last report" in caption.value for caption in app.caption)
    assert "2038" in app.button(key="cv_report").label

    app.button(key="cv_report").click().run()
    second_key, second_pdf, second_html = app.session_state["cv_report_files"]
    assert second_key != first_key and _report_downloads(app) == ["Download PDF", "Download HTML"]
    assert "Scenario 2038" in second_html.decode() and "Scenario 2028" not in second_html.decode()
    if shutil.which("pdftotext"):
        assert "scenario 2038" in _pdf_text(second_pdf, tmp_path) and "scenario 2028" in _pdf_text(first_pdf, tmp_path)


@pytest.mark.slow
def test_values_changed_on_the_page_are_the_users_in_the_report_and_equal_bands_are_refused():
    app = AppTest.from_function(_rutland_coverage_page, default_timeout=240).run()
    documented = app.number_input(key="cv_free").value
    app.number_input(key="cv_free").set_value(documented + 2.0).run()
    app.button(key="cv_report").click().run()
    html = app.session_state["cv_report_files"][2].decode()
    assert "free for turnover (what-if value chosen by the user)" in html
    assert "Bed need of people aged 65+" in html and "what-if" not in html.split("Bed need of people aged 65+")[1][:300]

    app.number_input(key="cv_b2").set_value(10.0).run()
    assert not app.exception
    assert [error.value.replace("\\", "") for error in app.error] == [
        "Two drive-time bands are the same (10, 10, 30 minutes): give three different bands, e.g. 10, 20 and 30."]


def _text(app: AppTest) -> str:
    """Every markdown, caption and message of the page, unescaped."""
    parts = [element.value for kind in ("markdown", "caption", "info", "success", "warning")
             for element in app.get(kind)]
    return " ".join(parts).replace("\\", "")


def test_herefordshire_answers_with_the_shipped_homes_before_any_upload():
    app = AppTest.from_function(_herefordshire_coverage_page, default_timeout=300).run()
    assert not app.exception and not app.error
    text = _text(app)
    assert ("Care homes: CQC care directory, 1 March 2021 (shipped with the tool): 248 care homes, 88 in Herefordshire "
            "and 160 within 15 km beyond its border.") in text.replace("**", "")
    documents = next(frame.value for frame in app.dataframe if "The council's documents" in frame.value.columns)
    rows = documents.set_index("What")
    assert rows.loc["Care homes in the council", "The council's documents"] == "87 homes (2020)"
    assert rows.loc["Beds in those homes", "The homes loaded"].startswith("2,150 beds; 1,970 in homes for older")
    by_year = next(frame.value for frame in app.dataframe if "Bed need, aged 65+" in frame.value.columns)
    assert by_year["Year"].tolist() == ["2020", "2028", "2038"] and by_year["Bed need, aged 65+"].tolist() == [
        "1,640", "2,000", "2,650"]
    assert by_year["Shortfall (+) / spare (−)"].tolist() == ["-241", "+119", "+769"]
    shortfall = next(metric for metric in app.metric if metric.label.startswith("Shortfall"))
    assert shortfall.label == "Shortfall (+) / spare (−)" and shortfall.value == "+119"


@pytest.mark.slow
def test_a_partial_file_marks_the_headline_and_says_what_was_left_out(tmp_path):
    cut = pd.read_csv(Path(__file__).resolve().parent.parent / "data/tables/herefordshire/cqc_care_homes.csv",
                      dtype=str, keep_default_na=False)
    partial = cut[cut["inside_council"] == "True"].head(29).copy()
    partial.loc[partial.index[0], "Care homes beds"] = ""  # one home without a bed count: assumed
    extra = partial.iloc[:2].assign(**{"Care home?": "N", "Location ID": ["1-x1", "1-x2"]})  # two agencies
    content = pd.concat([partial, extra]).to_csv(index=False).encode()
    app = AppTest.from_function(_herefordshire_coverage_page, default_timeout=300).run()
    app.file_uploader(key="cv_upload_herefordshire").set_value(("partial.csv", content, "text/csv")).run()
    assert not app.exception and not app.error
    assert [info.value.replace("\\", "") for info in app.info][0] == (
        "29 care home(s) read; 2 row(s) left out: 2 not a care home.")
    assert not [message for message in app.success if "no problems found" in message.value]
    text = _text(app)
    assert "Your file replaces the care homes shipped with the tool" in text
    shortfall = next(metric for metric in app.metric if metric.label.startswith("Shortfall"))
    assert shortfall.label == "Shortfall (+) / spare (−), PARTIAL FILE" and shortfall.value.endswith(" (partial)")
    assert "-18 against the 2,113 beds the council documents (all care homes, 2020)" in text
    beds = next(metric for metric in app.metric if metric.label == "Beds per 1,000 aged 65+")
    assert re.search(r"beds \(24 of them assumed\)", beds.help)
    assert "These figures rest on a PARTIAL care-home file" in text
    years = next(frame.value for frame in app.dataframe if "Measure" in frame.value.columns).set_index("Measure")
    assert "Shortfall (+) / spare (−), aged 65+ (PARTIAL FILE)" in years.index


@pytest.mark.slow
def test_the_app_and_the_command_line_give_a_site_the_same_gain(tmp_path):
    app = AppTest.from_function(_rutland_coverage_page, default_timeout=300).run()
    assert not app.exception
    sites = next(frame.value for frame in app.dataframe if "Access gap closed (beds)" in frame.value.columns)
    people = next(column for column in sites.columns if column.startswith("People 65+ newly within"))
    shown = [f"{rank}. {place}: {count:,.0f} more people aged 65+ within {people.split()[-2]} min; closes "
             f"{gap:,.1f} beds of the access gap"
             for rank, (place, count, gap) in enumerate(zip(sites["Place"], sites[people],
                                                           sites["Access gap closed (beds)"]), start=1)]
    done = subprocess.run([sys.executable, "-m", "caremap", "report", "--council", "rutland", "--roads", "estimate",
                           "--out", str(tmp_path / "report.html")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = [line.removeprefix("Suggested site ") for line in done.stdout.splitlines()
               if line.startswith("Suggested site ")]
    assert printed == shown and len(printed) == 3
