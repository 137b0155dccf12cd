"""The Care-home coverage page without a browser (Streamlit's AppTest): findings and need by year shown, site
suggestions always offered, and a prepared report that always matches the settings shown."""

import shutil
import subprocess

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest


def _rutland_coverage_page():
    import streamlit as st

    from app_pages import coverage

    st.session_state.setdefault("council_slug", "rutland")
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
    assert "Rutland has 9 care homes for older people with 216 beds" in findings
    assert {"Key findings", "Need and supply by year", "Suggested new sites"} <= {h.value for h in app.subheader}
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
