"""The app shows a message, never a traceback, when something is wrong (Streamlit's AppTest, no browser)."""

import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.settings import settings

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_the_app_starts_on_explore_without_errors():
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    assert app.title[0].value == "Explore Herefordshire"
    assert [metric.value for metric in app.metric][:3] == ["193,615", "48,458", "6,463"]
    assert not app.error


def test_a_missing_data_file_is_named_not_traced(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(settings.data_folder, copy, ignore=shutil.ignore_patterns("*.pbf"))
    (copy / "boundaries" / "herefordshire" / "msoa21.geojson").unlink()
    monkeypatch.setenv("CAREMAP_DATA_DIR", str(copy))
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    messages = [re.sub(r"\\(.)", r"\1", error.value) for error in app.error]  # as shown: messages are escaped
    assert any("Missing data file" in message and "msoa21.geojson" in message and "MSOA 2021 boundaries" in message
               for message in messages)
    assert all("Traceback" not in message for message in messages)
