"""Rural care planner: Streamlit entry point (``streamlit run app.py``)."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import streamlit as st

from geo.errors import CareMapError
from ui import state, widgets

# The icon is a shipped file, given as a Path: an emoji loads Streamlit's catalogue of them (a third of a second of
# the first map's start) and a Material icon is fetched from Google's font servers (the app works offline).
st.set_page_config(page_title="Rural care planner", page_icon=Path(__file__).resolve().parent / "static" / "favicon.png",
                   layout="wide")
LOG = logging.getLogger("caremap")


def _guarded(render, where=st):
    """Run a page (or the sidebar), turning any failure into a readable message instead of a traceback."""

    def run() -> None:
        try:
            render()
        except CareMapError as error:
            widgets.show_error(error, where)  # our messages quote the user's files: shown as text
        except Exception:  # the app must never show a traceback; the log keeps it for us
            LOG.exception("Unexpected error")
            where.error("Something went wrong while drawing this part of the app. Your inputs are kept: change a "
                        "setting or reload the page. If it happens again, report it with the steps that led here.")

    return run


def _sidebar() -> None:
    council = state.council_picker()
    state.road_network_picker(council)


def _page(module: str):
    """A page imported when it is first shown: the solver, report and routing libraries of the other pages are not
    loaded before the first map (the Explore page's) is drawn."""
    return _guarded(lambda: importlib.import_module(f"app_pages.{module}").page())


PAGES = [
    st.Page(_page("explore"), title="Explore", url_path="explore", default=True),
    st.Page(_page("fee_zones"), title="Rural fee zones", url_path="fee-zones"),
    st.Page(_page("rounds"), title="Round viability", url_path="rounds"),
    st.Page(_page("coverage"), title="Care-home coverage", url_path="coverage"),
    st.Page(_page("evidence"), title="Evidence", url_path="evidence"),
    st.Page(_page("about"), title="About", url_path="about"),
]

navigation = st.navigation(PAGES)
_guarded(_sidebar, st.sidebar)()
st.sidebar.checkbox("OpenStreetMap background (needs internet)", value=False, key="basemap_tiles",
                    help="Off by default so the app works offline; maps then show no base tiles.")
navigation.run()
