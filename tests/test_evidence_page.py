"""The Evidence page without a browser (Streamlit's AppTest): every citation can be read in full."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest


def _evidence_page():
    from app_pages import evidence

    evidence.page()


@pytest.mark.slow
def test_every_source_can_be_read_in_full():
    st.cache_data.clear()
    app = AppTest.from_function(_evidence_page, default_timeout=240).run()
    assert not app.exception and not app.error
    listed = [markdown.value for markdown in app.markdown if markdown.value.startswith("- **")]
    herefordshire = next(text for text in listed if "Rural fee zone radius" in text)
    # The whole citation, quote included, as the table's cell cannot show it (Markdown signs escaped).
    assert "locations outside a four mile radius of the city and market towns" in herefordshire.replace("\\", "")
