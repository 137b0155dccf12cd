"""About page: what the tool is for, data sources, licences and the required attribution."""

from __future__ import annotations

import streamlit as st

from geo.settings import settings
from layers.catalog import ATTRIBUTION
from routing.settings import ESTIMATE_BANDS, ESTIMATE_CALIBRATION

LEAFLET = "Map library: Leaflet 1.9.4 © Volodymyr Agafonkin and contributors (BSD-2-Clause), served by this app."


def page() -> None:
    """Render the About page."""
    st.title("About this tool")
    st.markdown(
        "A planning tool for rural adult social care. It answers three questions on maps: can providers "
        "build viable **rounds** of home-care visits here; who is **outside the rural fee zone** (four miles "
        "of the city and market towns in Herefordshire) and what the uplift costs; and where older people are "
        "**far from care-home beds**, now and as demand grows."
    )
    st.subheader("Straight-line estimate")
    st.markdown(f"Without a road network, travel is estimated from straight lines ({ESTIMATE_CALIBRATION}; "
                f"`python -m bench.routing` measures it again). Every such figure is labelled ESTIMATE.")
    st.table([{"straight line (median of band, km)": f"{km:.2f}", "road ÷ straight": f"{circuity:.3f}",
               "average speed (mph)": f"{mph:.1f}"} for km, circuity, mph in ESTIMATE_BANDS])
    st.subheader("Attribution")
    st.markdown("\n".join(f"- {line}" for line in (*ATTRIBUTION, LEAFLET)))
    st.subheader("Data sources, vintages and licences")
    sources = settings.data_folder / "SOURCES.md"
    if sources.is_file():
        with st.expander("data/SOURCES.md", expanded=False):
            st.markdown(sources.read_text(encoding="utf-8"))
    else:
        st.warning("data/SOURCES.md is missing: restore the data folder from the repository.")
