"""Streamlit caching and session state shared by the pages (the only Streamlit code besides pages)."""

from __future__ import annotations

import streamlit as st

from geo.council import Council, default_council, list_councils, load_council
from layers.council_data import CouncilData, load_council_data
from layers.sublocalities import sublocality_layer


@st.cache_data(show_spinner="Loading the council's data layers…", max_entries=8)
def council_data(slug: str) -> CouncilData:
    """Every layer of a council; cached per council and copied for each session (never shared)."""
    return load_council_data(load_council(slug))


@st.cache_data(show_spinner=False, max_entries=32)
def sublocalities(slug: str, level: str):
    """Sub-locality polygons with population for one level; cached."""
    return sublocality_layer(council_data(slug), level)


def current_council() -> Council:
    """The council picked in the sidebar (the default council on first load)."""
    slug = st.session_state.get("council_slug") or default_council().slug
    return load_council(slug)


def council_picker() -> Council:
    """Sidebar select box of councils; the choice persists across pages in this session."""
    councils = list_councils()
    slugs = [c.slug for c in councils]
    names = {c.slug: c.name for c in councils}
    if st.session_state.get("council_slug") not in slugs:
        st.session_state["council_slug"] = default_council().slug
    st.sidebar.selectbox("Council", slugs, format_func=names.get, key="council_slug")
    return current_council()
