"""Streamlit caching and session state shared by the pages (the only Streamlit code besides pages)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from analyses import fee_zones, gp_access
from analyses.localities import drive_time_localities
from geo.council import Council, default_council, list_councils, load_council
from geo.errors import CareMapError
from geo.settings import settings
from layers.council_data import CouncilData, load_council_data
from layers.sublocalities import sublocality_layer
from routing import cache, sources
from routing.engine import TravelEngine
from routing.settings import RoutingSettings
from ui import council_setup
from ui.widgets import plain


@st.cache_data(show_spinner="Loading the council's data layers…", max_entries=8)
def council_data(slug: str) -> CouncilData:
    """Every layer of a council; cached per council and copied for each session (never shared)."""
    return load_council_data(load_council(slug))


@st.cache_data(show_spinner="Assigning each area to its PCN locality…", max_entries=16)
def council_data_for(slug: str, engine_token: str, _engine: TravelEngine) -> CouncilData:
    """A council's layers with PCN localities by travel time on the engine in force (cached per engine)."""
    return drive_time_localities(council_data(slug), _engine)


@st.cache_data(show_spinner=False, max_entries=32)
def sublocalities(slug: str, level: str, engine_token: str, _engine: TravelEngine):
    """Sub-locality polygons with population for one level; cached."""
    return sublocality_layer(council_data_for(slug, engine_token, _engine), level)


LOADED_HOMES_KEY = "loaded_care_homes_{slug}"
"""Session key where the Care-home coverage page leaves the table of a file the user loaded (None: the shipped homes
are in use), for the Evidence page."""


@st.cache_data(show_spinner=False, max_entries=8)
def main_roads(engine_token: str, _engine: TravelEngine):
    """The loaded road network's main roads for the maps' base layer (None for the estimate: no roads)."""
    if _engine.is_estimate:
        return None
    return gpd.GeoDataFrame(geometry=_engine.network.fast_road_lines(), crs="EPSG:27700")


def current_council() -> Council:
    """The council picked in the sidebar (the default council on first load)."""
    slug = st.session_state.get("council_slug") or default_council().slug
    return load_council(slug)


def council_picker() -> Council:
    """Sidebar select box of the councils ready to use (bundled, and set up from the national data), and "Set up
    another council"; the choice persists across pages in this session."""
    councils = list_councils()
    slugs = [c.slug for c in councils]
    names = {c.slug: c.name if c.bundled else f"{c.name} (national data)" for c in councils}
    pending = st.session_state.pop(council_setup.PENDING_COUNCIL_KEY, None)
    if pending in slugs:
        st.session_state["council_slug"] = pending
    if st.session_state.get("council_slug") not in slugs:
        st.session_state["council_slug"] = default_council().slug
    st.sidebar.selectbox("Council", slugs, format_func=names.get, key="council_slug",
                         help="The four councils bundled with the tool carry their own figures (their documents', or "
                              "Rutland's labelled assumptions); a council set "
                              "up from the national data carries labelled national defaults and assumptions.")
    with st.sidebar.expander("Set up another council"):
        council_setup.setup_another({c.gss_code for c in councils if c.gss_code} | set(slugs))
        council_setup.national_data()
    return current_council()


@st.cache_data(show_spinner="Finding each postcode's nearest GP practice…", max_entries=32)
def nearest_gp_by_area(slug: str, level: str, engine_token: str, _engine: TravelEngine) -> pd.DataFrame:
    """Drive time to the nearest GP practice (border practices included) summed up by area; cached per engine."""
    data = council_data(slug)
    return gp_access.nearest_practice_by_area(data, gp_access.nearest_practice(data, _engine), level)


# --- Road network -----------------------------------------------------------------------------

def upload_dir() -> Path:
    """Road network files a user chose to keep (nothing else a user uploads is written to disk)."""
    return settings.cache_folder / "uploads"


_ENGINES: OrderedDict[tuple, TravelEngine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
_MAX_ENGINES = 6


def _engine(slug: str, source: str, upload_key: str | None, lane_factor: float, *,
            progress: Callable[[str], None] | None = None, upload: tuple[bytes, str] | None = None) -> TravelEngine:
    """The travel engine for a council and source, shared by every session (engines are never modified).

    ``upload_key`` names the road file: ``"new:<content hash>"`` for a file uploaded now (its bytes and name in
    ``upload``, built from a temporary file) or ``"kept:<path under upload_dir()>"`` for one kept earlier. Kept in a
    small process-wide cache rather than ``st.cache_resource``: building reports progress in the page, and
    Streamlit cannot replay page elements written inside a cached function.
    """
    key = (slug, source, upload_key, lane_factor)
    with _ENGINES_LOCK:
        if key in _ENGINES:
            _ENGINES.move_to_end(key)
            return _ENGINES[key]
    council = load_council(slug)
    settings = RoutingSettings(lane_factor=lane_factor)
    if source == sources.UPLOAD and upload is not None:
        content, name = upload
        engine = sources.engine_from_upload(content, name, settings, keep=False, upload_dir=upload_dir(),
                                            progress=progress)
    else:
        kept = upload_dir() / upload_key.removeprefix("kept:") if upload_key and upload_key.startswith("kept:") else None
        outline = council_data(slug).outline if source == sources.DOWNLOAD else None
        engine = sources.build_engine(council, source, settings=settings, upload=kept, outline=outline,
                                      progress=progress)
    with _ENGINES_LOCK:
        _ENGINES[key] = engine
        while len(_ENGINES) > _MAX_ENGINES:
            _ENGINES.popitem(last=False)
    return engine


def _saved_upload(council: Council) -> str | None:
    """A road network kept from an earlier upload, if the user picks one (``"kept:<path>"``), else None."""
    kept = sources.kept_uploads(upload_dir())
    if not kept:
        return None
    names = ["—", *kept]
    choice = st.sidebar.selectbox("Or a road network kept earlier", names, key=f"road_kept_{council.slug}")
    if choice == "—":
        return None
    path = kept[choice]
    if st.sidebar.button("Delete this kept network", key=f"road_forget_{council.slug}"):
        sources.forget_upload(path, upload_dir())
        st.rerun()
    return f"kept:{path.relative_to(upload_dir()).as_posix()}"


def road_network_picker(council: Council) -> None:
    """Sidebar choice of road network, building it with visible progress; the result goes in session state.

    An uploaded road file is read from memory through a temporary file; it is written under ``upload_dir()`` only
    when it was accepted as a road network and the user ticked "Keep this road network for next time".
    """
    options = sources.available_sources(council)
    key = f"road_source_{council.slug}"
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    source = st.sidebar.selectbox("Road network", options, format_func=sources.SOURCE_NAMES.get, key=key,
                                  help="Travel times come from real roads when a network is loaded; otherwise "
                                       "from straight lines, and every figure is then labelled as an estimate.")
    with st.sidebar.expander("Road speed settings"):
        lane_factor = st.slider("Narrow rural lane speed factor", 0.4, 1.0, RoutingSettings().lane_factor, 0.05,
                                key="lane_factor",
                                help="Multiplies the speed of unclassified roads and single-track lanes (assumption).")
    upload_key, upload, keep = None, None, False
    if source == sources.UPLOAD:
        uploaded = st.sidebar.file_uploader("Road network file", type=["pbf", "osm", "graphml", "xml"],
                                            key=f"road_upload_{council.slug}",
                                            help="An OpenStreetMap extract (.osm.pbf or .osm, e.g. from "
                                                 "download.geofabrik.de) or a GraphML file saved by OSMnx. Up to "
                                                 "50 MB (a county), expanding to at most 1 GB.")
        keep = st.sidebar.checkbox("Keep this road network for next time", value=False, key=f"road_keep_{council.slug}",
                                   help="Saves the file and its network on this computer once accepted. Otherwise "
                                        "nothing you upload stays on disk.")
        if uploaded is not None:
            upload = (uploaded.getvalue(), uploaded.name)
            upload_key = f"new:{cache.bytes_digest(upload[0])}"
        else:
            upload_key = _saved_upload(council)
        if upload_key is None:
            st.sidebar.info("Choose a file. Until then, travel times are straight-line estimates.")
            source = sources.ESTIMATE
    if source == sources.DOWNLOAD and not st.session_state.get(f"download_requested_{council.slug}"):
        if st.sidebar.button("Download the road network", key=f"download_{council.slug}"):
            st.session_state[f"download_requested_{council.slug}"] = True
        else:
            st.sidebar.info("Needs internet. Until downloaded, travel times are straight-line estimates.")
            source = sources.ESTIMATE
    engine = _build_with_status(council, source, upload_key, lane_factor, upload=upload)
    if keep and upload is not None and not engine.is_estimate:
        sources.keep_upload(*upload, engine.network, engine.settings, upload_dir=upload_dir())
    st.session_state["travel_engine"] = engine


def _build_with_status(council: Council, source: str, upload_key: str | None, lane_factor: float, *,
                       upload: tuple[bytes, str] | None = None) -> TravelEngine:
    """Build (or fetch from cache) the engine, showing progress; fall back to the estimate on failure."""
    if source == sources.ESTIMATE:
        return _engine(council.slug, source, None, lane_factor)
    try:
        with st.sidebar.status("Preparing the road network…", expanded=False) as status:
            engine = _engine(council.slug, source, upload_key, lane_factor, upload=upload,
                             progress=lambda text: status.write(plain(text)))  # the text may name the user's file
            status.update(label=f"Roads ready: {engine.network.n_nodes:,} junctions", state="complete")
        postcodes = council_data(council.slug).postcodes
        warning = sources.coverage_warning(engine, np.column_stack([postcodes.geometry.x, postcodes.geometry.y]),
                                           council.name)
        if warning:
            st.sidebar.warning(f"{warning} Points far from its roads are flagged in the results.")
        return engine
    except CareMapError as error:
        st.sidebar.error(f"{plain(error)} Travel times are straight-line estimates until this is fixed.")
        if source == sources.DOWNLOAD:
            st.session_state[f"download_requested_{council.slug}"] = False
        return _engine(council.slug, sources.ESTIMATE, None, lane_factor)


def travel_engine() -> TravelEngine:
    """The travel engine chosen in the sidebar (the estimate before any choice)."""
    engine = st.session_state.get("travel_engine")
    return engine if engine is not None else _engine(current_council().slug, sources.ESTIMATE, None,
                                                     RoutingSettings().lane_factor)


def page_inputs() -> tuple[Council, TravelEngine, CouncilData]:
    """What every page starts from: the council picked in the sidebar, the travel engine in force and the council's
    layers on that engine (:func:`council_data_for`)."""
    council, engine = current_council(), travel_engine()
    return council, engine, council_data_for(council.slug, engine.token, engine)


def method_banner(engine: TravelEngine) -> str:
    """One line naming the travel-time method in force, for every map and table."""
    return f"Travel times: {engine.label}"


# --- Fee zones ----------------------------------------------------------------------------------

FEE_ZONE_KEYS = {"centres": "fz_centres_{slug}", "radius": "fz_radius_{slug}", "from": "fz_from",
                 "cost_reading": "fz_cost_reading"}
"""Session keys of the Rural fee zones page's rule widgets (centres and radius per council)."""


@dataclass(frozen=True)
class FeeZoneChoice:
    """The fee-zone rule as the user left it on the Rural fee zones page, which other pages start from.

    Attributes
    ----------
    centres : tuple of str
    radius_miles : float
    measure_from : {"point", "extent"}
    reading : {"straight", "road"}
        The reading the uplift is costed on.
    """

    centres: tuple[str, ...]
    radius_miles: float
    measure_from: str
    reading: str


def fee_zone_key(widget: str, council: Council) -> str:
    """The session key of one of the fee-zone page's rule widgets (see :data:`FEE_ZONE_KEYS`)."""
    return FEE_ZONE_KEYS[widget].format(slug=council.slug)


def fee_zone_choice(council: Council, places: Collection[str] | None = None) -> FeeZoneChoice:
    """The fee-zone rule chosen on the Rural fee zones page (the council's own before the page is opened); centres not
    among ``places`` are left out (the council's centres if none is left)."""
    chosen = st.session_state
    centres = tuple(chosen.get(fee_zone_key("centres", council), council.fee_zone_centres))
    if places is not None:
        centres = tuple(name for name in centres if name in places) or tuple(council.fee_zone_centres)
    return FeeZoneChoice(centres, float(chosen.get(fee_zone_key("radius", council), council.fee_zone_radius_miles)),
                         chosen.get(fee_zone_key("from", council), "point"),
                         chosen.get(fee_zone_key("cost_reading", council), "straight"))



@st.cache_data(show_spinner="Classifying every postcode…", max_entries=32)
def fee_zone_postcodes(slug: str, engine_token: str, _engine: TravelEngine, centres: tuple[str, ...],
                       radius_miles: float, measure_from: str):
    """Every postcode of a council classified by both readings of the fee zone (cached per setting)."""
    data = council_data_for(slug, engine_token, _engine)
    centre_layer = fee_zones.zone_centres(data.places, centres)
    return fee_zones.classify_postcodes(data.postcodes, data.lsoa, centre_layer, _engine, radius_miles=radius_miles,
                                        measure_from=measure_from)


@st.cache_data(show_spinner="Drawing the zones…", max_entries=32)
def fee_zone_shapes(slug: str, engine_token: str, _engine: TravelEngine, centres: tuple[str, ...],
                    radius_miles: float, measure_from: str):
    """Straight-line and road zone polygons, and how the road zone was drawn."""
    data = council_data(slug)
    centre_layer = fee_zones.zone_centres(data.places, centres)
    road, method = fee_zones.road_zone(_engine, centre_layer, radius_miles=radius_miles, measure_from=measure_from)
    return fee_zones.straight_zone(centre_layer, radius_miles=radius_miles, measure_from=measure_from), road, method


def base_fee(council, data, engine: TravelEngine, *, reading: str, measure_from: str):
    """The council's base fee for costing and rounds: its figure, or, where that is an average including the rural
    uplift, the average net of it with the share of the council's modelled hours outside its own zone on
    ``reading`` (:func:`analyses.base_fee.council_base_fee`; the postcodes classified once per setting)."""
    from analyses import fee_costing
    from analyses.base_fee import council_base_fee, includes_uplift

    if not includes_uplift(council):
        return council_base_fee(council)
    under_rule = fee_zone_postcodes(council.slug, engine.token, engine, tuple(council.fee_zone_centres),
                                    council.fee_zone_radius_miles, measure_from)
    return council_base_fee(council, fee_costing.outside_share(under_rule, data, reading=reading))


# --- Care-home coverage -------------------------------------------------------------------------


def homes_key(homes) -> str:
    """Short hash of a care-home table (attributes and points), to key the cached coverage results."""
    attributes = pd.util.hash_pandas_object(homes.drop(columns="geometry"), index=False).values.tobytes()
    return hashlib.sha256(attributes + homes.geometry.to_wkb().sum()).hexdigest()[:16]


@st.cache_data(show_spinner="Measuring access to care-home beds…", max_entries=16)
def coverage_result(*, slug: str, engine_token: str, _engine: TravelEngine, homes_key: str, _homes, year: int,
                    settings_key: str, _settings):
    """Every coverage measure for a council, a set of homes and a year (cached per inputs)."""
    from analyses import coverage  # loaded with the coverage page, not before the first map

    return coverage.measure_coverage(council_data_for(slug, engine_token, _engine), _homes, _engine, year=year,
                                     settings=_settings)


@st.cache_data(show_spinner="Choosing new sites…", max_entries=16)
def coverage_sites(*, slug: str, engine_token: str, _engine: TravelEngine, homes_key: str, _homes, year: int,
                   settings_key: str, _settings, sites: int, minutes: float, measure: str = "reach",
                   new_beds: float | None = None, candidates_key: str = "", _candidates=None):
    """Suggested new sites for a coverage result (cached: the exact covering problem takes seconds).

    ``_candidates`` are the user's candidate sites (keyed by ``candidates_key``); None for the council's towns and
    villages.
    """
    data = council_data_for(slug, engine_token, _engine)
    result = coverage_result(slug=slug, engine_token=engine_token, _engine=_engine, homes_key=homes_key, _homes=_homes,
                             year=year, settings_key=settings_key, _settings=_settings)
    from analyses import sites as site_choice

    candidates = site_choice.candidate_places(data, result.homes) if _candidates is None else _candidates
    return site_choice.suggest_sites(result, candidates, _engine, k=sites, minutes=minutes, measure=measure,
                                     new_beds=new_beds)


@st.cache_data(show_spinner="Reading the CQC care homes shipped with the tool…", max_entries=8)
def shipped_care_homes(slug: str):
    """The CQC care homes shipped for a council (:func:`layers.care_homes.shipped_care_homes`), read once."""
    from layers import care_homes  # here: the first page has no use for it

    return care_homes.shipped_care_homes(council_data(slug))


def care_homes_in_use(slug: str):
    """The care homes a council's pages use: the ones the coverage page last loaded in this session (a user's file),
    else the shipped CQC homes. Returns the table (:class:`layers.care_homes.CareHomeTable`)."""
    loaded = st.session_state.get(LOADED_HOMES_KEY.format(slug=slug))
    return loaded if loaded is not None else shipped_care_homes(slug)
