"""Uploads in the app (Streamlit's AppTest, no browser): user text reaches messages escaped, a refused file is
read once however often the page reruns, and the fee-zone radius works down to its minimum."""

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analyses import uploads
from ui.widgets import plain

CORPUS = Path(__file__).resolve().parent / "bad_inputs"


def _fee_zones_page():
    from app_pages import fee_zones

    fee_zones.page()


@pytest.fixture
def page():
    st.cache_data.clear()
    app = AppTest.from_function(_fee_zones_page, default_timeout=300).run()
    assert not app.exception
    app.radio(key="fz_demand_source").set_value("upload").run()
    yield app
    st.cache_data.clear()


def test_a_refused_upload_is_shown_as_text_and_read_once(page, monkeypatch):
    calls = []

    def counted(content, filename, data):
        calls.append(filename)
        return reader(content, filename, data)

    reader = uploads.fee_zone_clients
    monkeypatch.setattr(uploads, "fee_zone_clients", counted)
    name = "[Fix your file](http://evil.example).csv"
    page.file_uploader(key="fz_clients").set_value((name, (CORPUS / "markdown_in_values.csv").read_bytes(),
                                                    "text/csv")).run()
    assert not page.exception
    shown = page.error[0].value
    assert shown.startswith(plain(f"No usable client in '{name}'. First problems: row 2, column 'postcode': "
                                  f"'![x](http://127.0.0.1:9/beacon.png)' is not a UK postcode"))
    assert not re.search(r"[\[\]()<>!*`$:&_]", re.sub(r"\\.", "", shown))  # every sign escaped
    page.number_input(key="fz_radius_herefordshire").set_value(5.0).run()  # any change reruns the page
    page.number_input(key="fz_radius_herefordshire").set_value(0.0).run()
    assert not page.exception and page.error[0].value == shown
    assert calls == [name]


def test_notes_and_problems_of_an_accepted_upload(page):
    page.file_uploader(key="fz_clients").set_value(("decimal_commas.csv", (CORPUS / "decimal_commas.csv").read_bytes(),
                                                    "text/csv")).run()
    assert not page.exception and not page.error
    assert [info.value for info in page.info] == [plain("Columns were separated by ';', not commas: read accordingly.")]
    assert page.warning[-1].value == plain("3 client(s) read; 1 row(s) left out: 1 with a problem to fix (each "
                                           "listed).")
    problems = next(table.value for table in page.dataframe if list(table.value.columns) == ["row", "column", "problem"])
    assert problems.to_dict("records") == [{"row": "4", "column": "hours_per_week", "problem": (
        "'1,234' could mean 1.234 or 1234: this file writes decimals with commas, and a separator before three digits "
        "can also group thousands. Write it without a thousands separator (1234) or, if it is a decimal, with four "
        "decimals (1,2340).")}]


def test_a_radius_of_zero_draws_no_zone_and_says_so(page):
    page.number_input(key="fz_radius_herefordshire").set_value(0.0).run()
    assert not page.exception and not page.error
    assert "A radius of 0 miles draws no zone" in page.info[0].value
    outside = [metric.value for metric in page.metric if metric.label == "Postcodes outside (straight)"]
    assert outside and outside[0].split(" of ")[0] == outside[0].split(" of ")[1]
