"""Care-home coverage page: where older people are far from care-home beds, now and as demand grows."""

from __future__ import annotations

import dataclasses
import hashlib

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses import coverage as cv
from analyses import exports, uploads
from analyses import report as reporting
from analyses import sites as site_choice
from analyses.need_and_supply import DocumentsBeside, beds_text, documents_beside_homes
from geo.council import WHAT_IF, Council
from geo.errors import InputDataError
from layers.areas import area_levels
from layers.candidate_sites import MAX_CANDIDATE_SITES
from layers.care_homes import CareHomeTable
from layers.council_data import CouncilData
from routing.engine import TravelEngine
from ui import maps, state, widgets

YEARS = [2018, 2020, 2023, 2028, 2033, 2038]
MEASURES = {
    "access": ("E2SFCA access (beds per 1,000 aged 65+ within reach)", lambda v: f"{v:.1f}"),
    "minutes_mean": ("Minutes to the nearest home (65+ average)", lambda v: f"{v:.0f} min"),
    "beds_per_1000_65": ("Beds per 1,000 aged 65+ (in the area)", lambda v: f"{v:.1f}"),
}
TABLE_LEVELS = ("lsoa21_code", "ward22_code", "lad_code", "locality_name")
HOME_COLOURS = {"residential": "#2166ac", "nursing": "#b2182b", "other": "#8c8c8c"}
OUTSIDE_HOME_COLOURS = {"residential": "#92c5de", "nursing": "#f4a582", "other": "#d9d9d9"}
"""Pale versions for homes beyond the council's border (within 15 km), as on the Explore map."""

@dataclasses.dataclass(frozen=True)
class SiteSettings:
    """How new sites are chosen on the page."""

    count: int
    minutes: float
    measure: str
    new_beds: float


def _homes(council: Council, data: CouncilData) -> CareHomeTable | None:
    """The care homes to use: the CQC homes shipped with the tool, or a file the user loads, which replaces them
    (None when neither is there: a council set up without CQC's homes)."""
    try:
        shipped = state.shipped_care_homes(council.slug)
    except InputDataError as error:
        shipped, missing = None, error
    in_use = st.empty()  # which homes are used, said above the box once the file (if any) is read
    uploaded = st.file_uploader(
        "Replace them with CQC's current 'Care directory with filters' (HSCA Active Locations: ODS, XLSX or CSV, as "
        "published) or your own list with name, postcode (or latitude/longitude), beds, nursing, older people, "
        "dementia", type=["csv", "xlsx", "ods", "txt"], key=f"cv_upload_{council.slug}",
        max_upload_size=widgets.CARE_HOME_UPLOAD_MB)
    st.caption(f"{widgets.CARE_HOME_LIMITS} The national CQC file works: homes more than 15 km outside {council.name} "
               f"are left out, as are dormant ones; a location listed twice counts once, and only homes registered for "
               f"older people count against their need. Download it from cqc.org.uk (Using CQC data).")
    table = widgets.read_upload(uploaded, lambda content, name: uploads.care_homes(content, name, data),
                                key=council.slug)
    if table is not None:
        in_use.markdown(f"**Care homes:** {widgets.plain(table.source)}.")
        return table
    if shipped is None:
        widgets.show_error(missing)
        return None
    in_use.markdown(f"**Care homes:** {widgets.plain(shipped.source)}.")
    if uploaded is not None:
        st.caption("Until the file can be used, the care homes shipped with the tool are used.")
    with st.expander("About these care homes"):
        st.markdown("\n".join(f"- {widgets.plain(note)}" for note in shipped.notes))
    return shipped


def _candidates(council: Council, data: CouncilData) -> tuple[gpd.GeoDataFrame | None, str]:
    """The user's candidate sites (None: the council's towns and villages) and a key for caching."""
    uploaded = st.file_uploader(
        f"Your candidate sites (optional): name and postcode or latitude/longitude, up to {MAX_CANDIDATE_SITES}",
        type=["csv", "xlsx", "ods", "txt"], key=f"cv_candidates_{council.slug}", max_upload_size=widgets.CLIENT_UPLOAD_MB)
    table = widgets.read_upload(uploaded, lambda content, name: uploads.candidate_sites(content, name, data))
    if table is None:
        return None, ""
    return site_choice.user_candidates(table.sites, data), hashlib.sha256(uploaded.getvalue()).hexdigest()[:16]


def _source(entered: float | dict, default: float | dict, source: str) -> str:
    """``source`` while the value shown is the council's, else the user's what-if."""
    if isinstance(default, dict):
        same = entered.keys() == default.keys() and all(abs(entered[key] - default[key]) < 1e-9 for key in default)
    else:
        same = abs(entered - default) < 1e-9
    return source if same else WHAT_IF


def _settings(council: Council, homes: gpd.GeoDataFrame) -> tuple[int, cv.CoverageSettings, SiteSettings]:
    defaults = cv.CoverageSettings.for_council(council)
    a, b, c, d = st.columns([2, 1, 1, 1])
    year = a.select_slider("Scenario year", YEARS, value=2028, key="cv_year",
                           help=f"Bed need of people aged 65+ by year: {defaults.bed_demand_source}")
    sites = b.number_input("New sites to suggest", 1, 10, 3, key="cv_sites",
                           help="The best places for new homes for older people, with what each adds.")
    minutes = c.number_input("Site reach (minutes)", 5.0, 60.0, 20.0, 5.0, key="cv_minutes",
                             help="Sites bring people within this drive time; when nearly everyone already is, a "
                                  "shorter one is used and the page says so.")
    measure = d.selectbox("Choose sites by", list(site_choice.MEASURES), format_func=site_choice.MEASURES.get,
                          key="cv_site_measure")
    typical = site_choice.default_new_beds(homes, fallback=council.assumed_beds_per_home)
    with st.expander("Assumptions: drive-time bands, E2SFCA weights, free beds, need by year, nursing, dementia"):
        e, f, g, h = st.columns(4)
        entered = (e.number_input("Band 1 (min)", 1.0, 120.0, 10.0, key="cv_b1"),
                   f.number_input("Band 2 (min)", 1.0, 120.0, 20.0, key="cv_b2"),
                   g.number_input("Band 3 (min)", 1.0, 120.0, 30.0, key="cv_b3"))
        if len(set(entered)) < len(entered):
            raise InputDataError(f"Two drive-time bands are the same ({', '.join(f'{band:g}' for band in entered)} "
                                 f"minutes): give three different bands, e.g. 10, 20 and 30.")
        bands = tuple(sorted(entered))
        free = h.number_input("Beds kept free (%)", 0.0, 30.0, defaults.free_bed_share * 100, 0.5, key="cv_free",
                              help=council.source("free_bed_share"))
        i, j, k, m = st.columns(4)
        w = (i.number_input(f"Weight ≤ {bands[0]:g} min", 0.0, 1.0, 1.0, 0.01, key="cv_w1"),
             j.number_input(f"Weight ≤ {bands[min(1, len(bands) - 1)]:g} min", 0.0, 1.0, 0.68, 0.01, key="cv_w2"),
             k.number_input(f"Weight ≤ {bands[-1]:g} min", 0.0, 1.0, 0.22, 0.01, key="cv_w3"))
        new_beds = m.number_input("Beds in each new home", 1.0, 1000.0, min(max(typical, 1.0), 1000.0), 1.0,
                                  key=f"cv_new_beds_{council.slug}",
                                  help="For the access gain of a new site; default the mean of today's homes for "
                                       "older people (assumption).")
        columns = st.columns(len(defaults.bed_demand))
        # The council's own figures as they are (a year between documented ones is read off the line, e.g. 350.2):
        # shown whole, never rounded, so the page computes exactly what the report and the command line do.
        need = {year_: column.number_input(f"Bed need {year_} (65+)", 0.0, 100_000.0, float(value), 10.0, format="%.0f",
                                           key=f"cv_need_{council.slug}_{year_}", help=defaults.bed_demand_source)
                for column, (year_, value) in zip(columns, sorted(defaults.bed_demand.items()))}
        changes: dict = {}
        n, o = st.columns([1, 3])
        if defaults.nursing_share is not None:
            share = n.number_input("Nursing share of need (%)", 0.0, 100.0, defaults.nursing_share * 100, 1.0,
                                   format="%.1f", key=f"cv_nursing_{council.slug}", help=defaults.nursing_share_source)
            changes["nursing_share"] = share / 100
        if defaults.under65_demand is not None:
            changes["under65_demand"] = o.number_input("Bed need under 65", 0.0, 100_000.0,
                                                       float(defaults.under65_demand), 10.0, format="%.0f",
                                                       key=f"cv_under65_{council.slug}", help=defaults.under65_source)
        if defaults.dementia_demand:
            columns = st.columns(len(defaults.dementia_demand))
            changes["dementia_demand"] = {
                year_: column.number_input(f"Dementia {year_} (people)", 0.0, 100_000.0, float(value), 10.0,
                                           format="%.0f",
                                           key=f"cv_dementia_{council.slug}_{year_}", help=defaults.dementia_source)
                for column, (year_, value) in zip(columns, sorted(defaults.dementia_demand.items()))}
    sources = {"bed_demand_source": _source(need, defaults.bed_demand, defaults.bed_demand_source),
               "free_bed_share_source": _source(free, defaults.free_bed_share * 100, defaults.free_bed_share_source)}
    if "nursing_share" in changes:
        sources["nursing_share_source"] = _source(changes["nursing_share"] * 100, defaults.nursing_share * 100,
                                                  defaults.nursing_share_source)
    if "under65_demand" in changes:
        sources["under65_source"] = _source(changes["under65_demand"], defaults.under65_demand,
                                            defaults.under65_source)
    if "dementia_demand" in changes:
        sources["dementia_source"] = _source(changes["dementia_demand"], defaults.dementia_demand,
                                             defaults.dementia_source)
    settings = dataclasses.replace(defaults, thresholds_min=bands, e2sfca_weights=dict(zip(bands, w)),
                                   free_bed_share=free / 100, bed_demand=need, **changes, **sources)
    return int(year), settings, SiteSettings(int(sites), float(minutes), measure, float(new_beds))


def build_coverage_map(data: CouncilData, result: cv.CoverageResult, gaps: pd.DataFrame, *, sites: gpd.GeoDataFrame,
                       measure: str, engine: TravelEngine, tiles: bool) -> folium.Map:
    """Homes sized by beds, the chosen measure by LSOA, drive-time bands, gaps and suggested sites."""
    fmap = maps.new_map(data.outline, tiles=tiles)
    table = result.areas["lsoa21_code"]
    lsoa = data.lsoa.join(table[["access", "minutes_mean", "beds_per_1000_65", "bed_demand", "homes"]], on="lsoa21_code")
    label, formatter = MEASURES[measure]
    edges = maps.quantile_bins(lsoa[measure])
    last = result.settings.thresholds_min[-1]
    gap_rank = {code: rank for rank, code in enumerate(gaps.index, start=1)}
    maps.add_polygons(fmap, lsoa, label, [
        maps.tooltip_html(r.area_name + (f" (gap {gap_rank[r.lsoa21_code]})" if r.lsoa21_code in gap_rank else ""), [
            (label, formatter(getattr(r, measure)) if np.isfinite(getattr(r, measure)) else "—"),
            ("PCN locality", r.locality_name), ("Aged 65+", f"{r.pop_65plus:,.0f}"),
            ("Access (E2SFCA)", f"{r.access:.1f} beds per 1,000"),
            ("Minutes to nearest home", f"{r.minutes_mean:.0f}"), ("Homes for older people in area", int(r.homes)),
            (f"Bed need {result.year}", f"{r.bed_demand:.0f}")]) for r in lsoa.itertuples()],
        fill_colours=maps.classify(lsoa[measure], edges, palette=maps.SEQUENTIAL), fill_opacity=0.65, line_weight=0.4)
    bands = [0.0, *result.settings.thresholds_min, np.inf]
    colours = ["#1a9850", "#fee08b", "#fc8d59", "#d73027", "#67001f"]
    minutes = result.postcodes["minutes_nearest"].to_numpy()
    band = np.clip(np.searchsorted(bands, minutes, side="left") - 1, 0, len(bands) - 2)
    names = [f"≤ {b:g} min" for b in result.settings.thresholds_min] + [f"> {last:g} min"]
    maps.add_points(fmap, result.postcodes, "Drive time to nearest home (postcodes)", [
        maps.tooltip_html(r.postcode, [("Nearest home", f"{r.minutes_nearest:.0f} min"),
                                       ("Nearest with nursing", f"{r.minutes_nursing:.0f} min"
                                        if np.isfinite(r.minutes_nursing) else "none within reach or not known")])
        for r in result.postcodes.itertuples()], colour=[colours[b] for b in band], radius=2, show=False)
    gap_areas = lsoa.set_index("lsoa21_code").loc[[code for code in gaps.index if code in set(lsoa["lsoa21_code"])]]
    # Gap outlines never take the mouse: the area's own tooltip names it as a gap.
    maps.add_polygons(fmap, gap_areas, f"Gaps (top {len(gap_areas)})", [""] * len(gap_areas), line_colour="#d7301f",
                      line_weight=3, interactive=False)
    maps.add_base_layer(fmap, outline=data.outline, places=data.places, localities=data.localities,
                        roads=state.main_roads(engine.token, engine))
    homes = result.homes
    kind = np.where(~homes["older_people"], "other", np.where(homes["nursing"], "nursing", "residential"))
    dementia = homes["dementia"] if result.dementia_known else pd.Series(None, index=homes.index)
    outside = int((~homes["in_council"]).sum())
    maps.add_points(fmap, homes, f"Care homes ({len(homes)}{f'; {outside} pale: outside the council' if outside else ''})", [
        maps.tooltip_html(r.name, [("Beds", f"{r.beds:.0f}" + (" (ASSUMED)" if r.beds_assumed else "")),
                                   ("For older people", "yes" if r.older_people else "no"),
                                   ("Nursing", ("yes" if r.nursing else "no") if result.nursing_known else "not known"),
                                   ("Dementia", "not known" if flag is None else "yes" if flag else "no"),
                                   ("Postcode", r.postcode or "—"),
                                   ("Where", "in the council" if r.in_council else "OUTSIDE the council (within 15 km)")])
        for r, flag in zip(homes.itertuples(), dementia)],
        colour=[(HOME_COLOURS if inside else OUTSIDE_HOME_COLOURS)[k] for k, inside in zip(kind, homes["in_council"])],
        radius=(3 + 1.2 * np.sqrt(homes["beds"])).tolist())
    if len(sites):
        maps.add_points(fmap, sites, "Suggested sites", [
            maps.tooltip_html(f"Suggested: {r.name}", [("People 65+ newly within reach", f"{r.new_people_within:,.0f}"),
                                                       ("Access gap closed", f"{r.access_gap_closed:,.1f} beds")])
            for r in sites.itertuples()], colour="#6a3d9a", radius=10)
    # Nursing is told apart only where the file says which homes have it (not in OpenStreetMap's tags).
    nursing = [(HOME_COLOURS["nursing"], "care home with nursing")] if result.nursing_known else []
    other = [(HOME_COLOURS["other"], "home not for older people (apart)")] if (~homes["older_people"]).any() else []
    legend = maps.class_legend(edges, formatter) + [(HOME_COLOURS["residential"], "care home (size: beds)"), *nursing,
                                                     *other, ("#6a3d9a", "suggested site")]
    beyond = f" Pale homes: outside the council ({outside})." if outside else ""
    maps.add_legend(fmap, label, legend, note=f"Red outlines: gaps. Drive-time bands: {', '.join(names)} (layer).{beyond}")
    maps.add_banner(fmap, state.method_banner(engine), warning=engine.is_estimate)
    return maps.finish_map(fmap, data.outline)


def _column_label(column: str) -> str:
    """Readable header of an area-table column (``pct65_within_10`` -> ``% 65+ within 10 min``)."""
    fixed = {"name": "name", "pop_65plus": "aged 65+", "pop_75plus": "aged 75+", "pop_85plus": "aged 85+",
             "homes": "homes for older people", "beds": "beds for older people", "nursing_homes": "with nursing",
             "nursing_beds": "nursing beds", "residential_beds": "residential beds", "dementia_homes": "dementia homes",
             "dementia_beds": "dementia beds", "other_homes": "other homes", "other_beds": "other beds",
             "minutes_mean": "minutes to nearest (65+ mean)", "access": "access (E2SFCA, beds/1,000 65+)",
             "bed_demand": "bed need", "capacity": "usable beds", "shortfall": "shortfall (+) / spare (−)",
             "nursing_demand": "nursing need", "nursing_shortfall": "nursing shortfall",
             "residential_demand": "residential need", "residential_shortfall": "residential shortfall",
             "dementia_demand": "dementia need", "dementia_shortfall": "dementia shortfall"}
    if column in fixed:
        return fixed[column]
    if column.startswith("beds_per_1000_"):
        return f"beds per 1,000 aged {column[-2:]}+"
    if column.startswith("pct"):
        age, threshold = column[3:5], column.rsplit("_", 1)[-1]
        return f"% {age}+ within {threshold} min"
    return column


def _levels(council: Council) -> dict[str, str]:
    return area_levels(council, *TABLE_LEVELS) | {"council": "Council"}


def _area_table(council: Council, result: cv.CoverageResult) -> None:
    levels = _levels(council)
    level = st.radio("Areas", list(levels), format_func=levels.get, horizontal=True, key="cv_level",
                     index=list(levels).index("locality_name"))
    table = result.areas[level]
    shown = _without_repeated_names(table.reset_index(names=level), level)
    # A locality's key is its name: it is then shown once, as the name.
    shown = shown.rename(columns={level: levels[level] + ("" if "name" not in shown else " code")}).rename(
        columns=_column_label)
    # People, homes and beds are whole numbers with thousands separators; rates, shares and minutes keep a decimal.
    decimal = ("per_1000", "pct", "minutes", "access")
    whole = [column for column in table.columns if column != "name" and not any(part in column for part in decimal)]
    st.dataframe(widgets.whole_numbers(shown, [_column_label(column) for column in whole]), hide_index=True,
                 width="stretch", column_config={
        _column_label(column): st.column_config.NumberColumn(format=widgets.WHOLE if column in whole else "%.1f")
        for column in table.columns if column != "name"})


def page() -> None:
    """Render the Care-home coverage page."""
    council, engine, data = state.page_inputs()
    st.title("Care-home coverage")
    st.caption("Where are older people far from care-home beds, now and as demand grows? Residential, nursing and "
               "dementia care against the council's own projections.")
    widgets.engine_note(engine)
    table = _homes(council, data)
    loaded_key = state.LOADED_HOMES_KEY.format(slug=council.slug)
    if table is None:
        st.session_state.pop(loaded_key, None)
        return
    # The Evidence page counts the homes in use (a file loaded here, else the shipped ones) against the documents.
    if table.shipped:
        st.session_state.pop(loaded_key, None)
    else:
        st.session_state[loaded_key] = table
    homes, details = table.homes, reporting.homes_details(table)
    try:
        year, settings, site_settings = _settings(council, homes)
    except InputDataError as error:
        widgets.show_error(error)
        return
    beside = documents_beside_homes(data, homes, settings=settings, years=settings.shown_years(year))
    _documents_beside(council, beside)
    with st.expander("Candidate sites for new homes (default: the council's towns and villages)"):
        candidates, candidates_key = _candidates(council, data)
    homes_key = state.homes_key(homes)
    inputs = {"slug": council.slug, "engine_token": engine.token, "_engine": engine, "homes_key": homes_key,
              "_homes": homes, "year": year, "settings_key": repr(settings), "_settings": settings}
    result = state.coverage_result(**inputs)
    choice = state.coverage_sites(**inputs, sites=site_settings.count, minutes=site_settings.minutes,
                                  measure=site_settings.measure, new_beds=site_settings.new_beds,
                                  candidates_key=candidates_key, _candidates=candidates)
    report = reporting.report_from(data, result, choice, engine, **details, draw=False)

    st.subheader(f"Coverage in {year}")
    council_row, head = report.council_row, report.headline
    first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
    a, b, c, d = st.columns([1, 1, 1, 1.7] if head.partial else 4)  # a partial headline needs room for its mark
    a.metric("Beds per 1,000 aged 65+", f"{council_row['beds_per_1000_65']:.1f}",
             help=f"{beds_text(council_row['beds'], council_row['beds_assumed'])} in {int(council_row['homes'])} "
                  f"homes for older people in the council; {int(council_row['other_homes'])} other homes "
                  f"({council_row['other_beds']:,.0f} beds) apart")
    if council_row["beds_assumed"] >= 0.5:
        a.caption(beds_text(council_row["beds"], council_row["beds_assumed"]))
    b.metric(f"65+ within {first:g} / {last:g} min", f"{council_row[f'pct65_within_{first:g}']:.0f}% / "
                                                     f"{council_row[f'pct65_within_{last:g}']:.0f}%")
    c.metric(f"Bed need {year} (65+)", f"{council_row['bed_demand']:,.0f}", help=cv.bed_demand(year, settings)[1])
    d.metric("Shortfall (+) / spare (−), PARTIAL FILE" if head.partial else "Shortfall (+) / spare (−)", head.value(),
             help=f"Need − beds for older people × (1 − {settings.free_bed_share:.1%}). " + head.sentence())
    if head.partial:  # the warning itself is under the documents above, and among the findings below
        d.caption(widgets.plain(head.against_documents() or "No documented bed total to set it beside."))
    st.subheader("What this means")
    st.markdown(widgets.plain(report.what_this_means()))
    with st.expander("What “access” and “the access gap” mean"):
        st.markdown("\n\n".join(widgets.plain(paragraph) for paragraph in report.access_explained()))
    st.subheader("Key findings")
    st.markdown("\n".join(f"- {widgets.plain(line)}" for line in report.findings()))

    st.subheader("Need and supply by year")
    st.dataframe(report.year_table(), hide_index=True, width="stretch")

    measure = st.radio("Colour areas by", list(MEASURES), format_func=lambda k: MEASURES[k][0], horizontal=True,
                       key="cv_measure")
    fmap = build_coverage_map(data, result, report.gaps, sites=choice.sites, measure=measure, engine=engine,
                              tiles=st.session_state.get("basemap_tiles", False))
    st_folium(fmap, height=620, use_container_width=True, returned_objects=[], key=f"cv_map_{council.slug}")
    _area_table(council, result)

    st.subheader("Gaps: low access, high projected demand")
    st.dataframe(report.gap_table(), hide_index=True, width="stretch")
    st.subheader("Suggested new sites")
    st.markdown(widgets.plain(report.site_sentence()))
    if len(choice.sites):
        st.dataframe(report.site_table(), hide_index=True, width="stretch")
    inside = result.homes[result.homes["in_council"]]
    with st.expander(f"Care homes used ({len(result.homes)}: {len(inside)} in the council, "
                     f"{beds_text(inside['beds'].sum(), inside.loc[inside['beds_assumed'], 'beds'].sum())})"):
        st.dataframe(report.homes_table(), hide_index=True, width="stretch")

    st.subheader("Report and data")
    _downloads(council, data, report, year)
    authorship = _authorship()
    key = widgets.signature(council.slug, engine.token, homes_key, year, repr(settings), site_settings,
                            candidates_key, details["homes_source"], authorship)
    prepared = st.session_state.get("cv_report_files")
    if prepared is not None and prepared[0] != key:
        st.caption("The settings changed since the last report was prepared: prepare it again for these settings.")
    if st.button(f"Prepare the coverage report for {year} (PDF and HTML)", key="cv_report"):
        with st.spinner("Drawing the maps and writing the report…"):
            full = reporting.report_from(data, result, choice, engine, **details, authorship=authorship)
            st.session_state["cv_report_files"] = (key, reporting.to_pdf(full), reporting.to_html(full).encode("utf-8"))
        prepared = st.session_state["cv_report_files"]
    if prepared is not None and prepared[0] == key:
        _, pdf, page_html = prepared
        widgets.download_row(f"coverage_report_{council.slug}_{year}_{key[:6]}", {"PDF": pdf, "HTML": page_html})


def _authorship() -> reporting.Authorship:
    """Who writes the report, for whom, and its status (on its title page and every page's header)."""
    a, b, c = st.columns([2, 2, 1])
    author = a.text_input("Author (on the report)", key="cv_author", max_chars=120)
    organisation = b.text_input("Organisation", key="cv_organisation", max_chars=120)
    status = c.selectbox("Status", list(reporting.STATUSES), format_func=reporting.STATUSES.get, key="cv_status")
    return reporting.Authorship(author.strip(), organisation.strip(), status)


def _documents_beside(council: Council, beside: DocumentsBeside) -> None:
    """What the council's documents say beside what the loaded homes give, by year and by locality: shown before
    anything is measured (counting only)."""
    st.subheader("The council's documents beside the homes loaded")
    if beside.totals.warning:
        st.warning(widgets.plain(beside.totals.warning), icon="⚠️")
    totals = reporting.documents_totals_table(beside, council)
    st.dataframe(totals.drop(columns="Source"), hide_index=True, width="stretch", column_config={
        "What": st.column_config.TextColumn(width=230),
        "The council's documents": st.column_config.TextColumn(width=290),
        "The homes loaded": st.column_config.TextColumn(width="large")})
    with st.expander("Where the council's figures come from"):  # a table cell cuts a long citation short
        st.markdown("\n".join(f"- **{widgets.plain(row.What)}**: {widgets.plain(row.Source)}"
                               for row in totals.itertuples() if row.Source))
    st.dataframe(reporting.documents_year_table(beside), hide_index=True, width="stretch")
    if beside.totals.documented_beds is not None:
        st.caption(f"Documented beds: the {beside.totals.documented_beds:,.0f} the council documents "
                   f"({widgets.plain(beside.totals.documented_beds_what)}), less the "
                   f"{beside.settings.free_bed_share:.1%} kept free, as the beds loaded are.")
    with st.expander("By PCN locality: the homes loaded and the council's need shared by its people aged "
                     f"{beside.settings.demand_column[4:6]}+"):
        st.dataframe(reporting.documents_area_table(beside, "PCN locality"), hide_index=True, width="stretch")


def _without_repeated_names(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """An area table without its ``name`` column where the key already is the name (PCN localities)."""
    return table.drop(columns="name") if "name" in table and table["name"].equals(table[key]) else table


def _downloads(council: Council, data: CouncilData, report: reporting.CoverageReport, year: int) -> None:
    """CSV, XLSX and GeoPackage of the measures (made when clicked)."""
    result = report.result
    levels = _levels(council)
    about = reporting.export_about(report)

    def sheets() -> dict[str, pd.DataFrame]:  # built only when the workbook is asked for
        beside = report.beside
        return {"need by year": report.year_table(as_text=False),
                "documents beside homes": reporting.documents_totals_table(beside, council),
                "documents by year": reporting.documents_year_table(beside, as_text=False),
                "documents by locality": reporting.documents_area_table(beside, as_text=False)} | {
            levels[k]: _without_repeated_names(v.reset_index(), k) for k, v in result.areas.items() if k in levels} | {
            "gaps": report.gap_table(), "suggested sites": report.site_table(),
            "care homes": report.homes_table(as_text=False)} | (  # a council documenting no totals has no such sheet
            {"documented totals": totals} if len(totals := report.totals_table(as_text=False)) else {})

    widgets.download_row(f"coverage_{council.slug}_{year}", {
        "CSV": lambda: exports.csv_bytes(result.areas["lsoa21_code"].reset_index(), [f"{k}: {v}" for k, v in about]),
        "XLSX": lambda: exports.xlsx_bytes(sheets(), about, titles=reporting.export_titles(report)),
        "GeoPackage": lambda: exports.gpkg_bytes(reporting.area_layers(report, data)),
    })
