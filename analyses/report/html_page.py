"""The coverage report as one self-contained HTML file, with an interactive map.

Everything is inside the file: the static maps as embedded PNGs, Leaflet (the copy the app ships in
``static/leaflet``, its stylesheet stripped of image URLs), the report's own map script and stylesheet
(``static/report``, read when a report is written) and the map's data as JSON. The page asks nothing of any
server. Every value from the data or the user (file and home names) is escaped: HTML
through :func:`html.escape`, map labels through the DOM's ``textContent``, JSON with ``<`` escaped.
"""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses import coverage as cv
from analyses.report.documents import documents_area_table, documents_totals_table, documents_year_table
from analyses.report.map_style import (
    ACCESS_COLOURS,
    BEYOND_COLOURS,
    HOME_COLOURS,
    MAP_CREDIT,
    SITE_COLOUR,
    access_classes,
)
from analyses.report.method import ATTRIBUTION
from analyses.report.model import CoverageReport
from analyses.report.text import SECTIONS, SUBTITLE
from analyses.sites import SiteChoice
from geo.settings import PROJECT_ROOT
from geo.units import WGS84
from layers.council_data import CouncilData

LEAFLET_DIR = PROJECT_ROOT / "static" / "leaflet"
"""Leaflet as the app ships it (npm package ``leaflet``)."""
ASSETS = PROJECT_ROOT / "static" / "report"
"""The report's own map script (``map.js``) and stylesheet (``report.css``)."""
MAP_NAMES = {"access": "Access (E2SFCA) by area", "drive_time": "Drive time to the nearest home",
             "gaps": "Gaps and suggested sites"}


def _features(frame: gpd.GeoDataFrame, lines: list[list[str]], extra: dict[str, list] | None = None) -> dict:
    """GeoJSON (WGS84, 5 decimals) whose features carry tooltip ``lines`` and any ``extra`` properties."""
    shapes = frame.geometry.to_crs(WGS84).set_precision(1e-5)
    features = []
    for position, geometry in enumerate(shapes):
        if geometry is None or geometry.is_empty:
            continue
        properties = {"lines": lines[position]} | {key: values[position] for key, values in (extra or {}).items()}
        features.append({"type": "Feature", "geometry": geometry.__geo_interface__, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def map_layers(data: CouncilData, result: cv.CoverageResult, gaps: pd.DataFrame, sites: SiteChoice) -> dict[str, Any]:
    """The interactive map's layers: areas coloured by access, gaps, homes, suggested sites and towns."""
    table = result.areas["lsoa21_code"]
    lsoa = data.lsoa[["lsoa21_code", "area_name", "geometry"]].join(table[["access", "minutes_mean", "pop_65plus"]],
                                                                    on="lsoa21_code")
    lsoa["geometry"] = lsoa.geometry.simplify(20.0)
    edges = access_classes(lsoa["access"])
    colours = [ACCESS_COLOURS[int(i)] for i in np.round(np.linspace(0, len(ACCESS_COLOURS) - 1, len(edges) - 1))]
    classes = np.clip(np.searchsorted(edges, lsoa["access"].to_numpy(), side="right") - 1, 0, len(edges) - 2)
    rank = {code: position for position, code in enumerate(gaps.index, start=1)}
    area_lines = [[name, f"Access: {access:.1f} beds per 1,000 aged 65+", f"Drive to nearest home: {minutes:.0f} min",
                   f"Aged 65+: {people:,.0f}"] + ([f"Gap number {rank[code]}"] if code in rank else [])
                  for code, name, access, minutes, people in zip(lsoa["lsoa21_code"], lsoa["area_name"], lsoa["access"],
                                                                 lsoa["minutes_mean"], lsoa["pop_65plus"])]
    homes = result.homes
    kind = np.where(~homes["older_people"], "other", np.where(homes["nursing"], "nursing", "residential"))
    home_lines = [[name + ("" if inside else " (beyond the border)"), f"Beds: {beds:,.0f}{' (assumed)' if assumed else ''}",
                   "Older people: " + ("yes" if older else "no"), "Nursing: " + ("yes" if nursing else "no"),
                   f"Postcode: {postcode or '—'}"]
                  for name, beds, assumed, older, nursing, postcode, inside in
                  zip(homes["name"], homes["beds"], homes["beds_assumed"], homes["older_people"], homes["nursing"],
                      homes["postcode"], homes["in_council"])]
    chosen = sites.sites
    site_lines = [[f"Suggested: {row.name}", f"People 65+ newly within {sites.minutes:g} min: {row.new_people_within:,.0f}",
                   f"Access gap closed: {row.access_gap_closed:,.1f} beds"] for row in chosen.itertuples()]
    towns = data.places[data.places["kind"].isin(["city", "town"])]
    return {
        "areas": _features(lsoa, area_lines, {"colour": [colours[c] for c in classes],
                                              "gap": [code in rank for code in lsoa["lsoa21_code"]]}),
        "homes": _features(homes, home_lines, {"colour": [(HOME_COLOURS if inside else BEYOND_COLOURS)[k]
                                                          for k, inside in zip(kind, homes["in_council"])],
                                               "radius": (3 + 0.9 * np.sqrt(homes["beds"])).round(1).tolist()}),
        "sites": _features(chosen, site_lines) if len(chosen) else {"type": "FeatureCollection", "features": []},
        "towns": _features(towns, [[name] for name in towns["name"]]),
        "legend": [[colour, f"{low:g}–{high:g} beds per 1,000 aged 65+"]
                   for colour, low, high in zip(colours, edges[:-1], edges[1:])]
        + [[HOME_COLOURS["residential"], "home for older people"], [HOME_COLOURS["nursing"], "… with nursing"],
           [HOME_COLOURS["other"], "home not for older people"],
           [BEYOND_COLOURS["residential"], "pale: homes beyond the border (within 15 km)"],
           [SITE_COLOUR, "suggested site"]],
        "credit": MAP_CREDIT,
    }


def asset(name: str) -> str:
    """The text of the report's map script or stylesheet (``static/report/<name>``), read when a report is written
    and inlined in it; no ``</script`` is left in it."""
    return (ASSETS / name).read_text(encoding="utf-8").replace("</script", "<\\/script")


def leaflet_inline() -> tuple[str, str]:
    """Leaflet's script and stylesheet, ready to inline: image URLs in the CSS removed (the map draws no default
    markers or collapsed controls), and no ``</script`` left in the script."""
    script = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    style = re.sub(r"url\([^)]*\)", "none", (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8"))
    return script, style


def _json_for_script(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` left unescaped)."""
    return (json.dumps(value, ensure_ascii=False, allow_nan=False, default=float)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, classes="table", na_rep="–",
                         float_format=lambda v: f"{v:,.1f}")


def _pairs(rows: list[tuple[str, str]]) -> str:
    esc = html.escape
    return "<table>" + "".join(f"<tr><th>{esc(k)}</th><td style='text-align:left'>{esc(v)}</td></tr>"
                               for k, v in rows) + "</table>"


def _bullets(lines: list[str], *, warning_first: bool = False) -> str:
    items = []
    for line in lines:
        css = " class='warning'" if warning_first and line.startswith("Warning:") else ""
        items.append(f"<li{css}>{html.escape(line)}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _anchor(section: str) -> str:
    """The id of a section's heading (for the contents' links)."""
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def _heading(section: str) -> str:
    return f"<h2 id='{_anchor(section)}'>{html.escape(section)}</h2>"


def _documents_beside(report: CoverageReport) -> list[str]:
    """The council's documents beside the homes: totals, need by year, and by locality."""
    beside = report.beside
    if beside is None or report.council_settings is None:
        return []
    parts = [_heading("The council's documents beside the homes"),
             f"<p>What the council's own documents say, beside what the care homes loaded give: counted before any "
             f"travel time is measured. Care homes: {html.escape(report.homes_source)}.</p>"]
    if beside.totals.warning:
        parts.append(f"<p class='warning'>{html.escape(beside.totals.warning)}</p>")
    return parts + [_table(documents_totals_table(beside, report.council_settings)),
                    "<h3>Need by year beside the beds</h3>", _table(documents_year_table(beside)),
                    "<h3>By PCN locality</h3>", _table(documents_area_table(beside))]


def render_html(report: CoverageReport) -> str:
    """The report as one self-contained HTML page (see the module's note on what is inlined and escaped)."""
    esc = html.escape
    script, style = leaflet_inline()
    estimate = " class='estimate'" if report.method == "estimate" else ""
    two_tier = report.result.areas["lad_code"]["name"].nunique() > 1
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(report.title())} ({report.year})</title>",
        f"<style>{style}</style><style>{asset('report.css')}</style></head><body>",
        "<div class='title-block'>", f"<h1>{esc(report.title())}</h1>", f"<p><b>{esc(SUBTITLE)}</b></p>",
        f"<p class='status'>{esc(report.authorship.status_text.upper())}</p>",
        *[f"<p>{esc(text)}</p>" for text in (report.authorship.author, report.authorship.organisation) if text],
        f"<p>Scenario {report.year}. Produced {report.produced:%d %B %Y} with caremap {esc(report.version)}.</p>",
        f"<p{estimate}>{esc(report.method_label)}</p>",
        "<p>Contents: " + " · ".join(f"<a href='#{_anchor(section)}'>{esc(section)}</a>" for section in SECTIONS)
        + "</p></div>",
        _heading("Summary"), f"<p class='meaning'><b>What this means.</b> {esc(report.what_this_means())}</p>",
        "<div class='explained'><p><b>“Access” and “the access gap”, in plain English</b></p>"
        + "".join(f"<p>{esc(paragraph)}</p>" for paragraph in report.access_explained()) + "</div>",
        _pairs(report.summary()), "<h3>Findings</h3>", _bullets(report.findings(), warning_first=True),
        *[f"<p><i>{esc(note)}</i></p>" for note in report.notes],
        *_documents_beside(report),
        _heading("Need and supply by year"),
        "<p>Need from the council's own figures; usable beds are today's beds less the share kept free. "
        "Shortfall (+) or spare (−).</p>", _table(report.year_table()),
    ]
    if report.totals.warning:
        parts.append(f"<p class='warning'>{esc(report.totals.warning)}</p>")
    if len(report.totals.table):
        parts += ["<h3>Loaded homes beside the council's documented totals</h3>", _table(report.totals_table())]
    parts += [_heading("Maps"), "<h3>Interactive map</h3>",
              "<p>Areas coloured by access; hover for figures. Layers can be switched on and off at the top right.</p>",
              "<div id='caremap-map'></div>"]
    for name, png in report.figures.items():
        parts.append(f"<h3>{esc(MAP_NAMES.get(name, name))}</h3><img alt='{esc(MAP_NAMES.get(name, name))}' "
                     f"src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
    parts += [_heading("By locality"), _table(report.locality_table()), _table(report.locality_year_table())]
    if two_tier:
        parts += ["<h3>By district</h3>", _table(report.district_table()),
                  _table(report.locality_year_table("lad_code", "District"))]
    parts += [_heading("Gaps"), "<p>Areas with access below the council average, ranked by projected people aged 65+ "
              "times the shortfall in access; named by settlement and ward, with the nearest town.</p>",
              _table(report.gap_table()),
              _heading("Suggested sites"), f"<p>{esc(report.site_sentence())}</p>",
              _table(report.site_table()) if len(report.sites.sites) else "",
              _heading("Method and assumptions"), _bullets(report.assumptions),
              "<h3>Scenario</h3>", _pairs(report.scenario()), "<h3>Data and its date</h3>", _pairs(report.vintages),
              _heading("Appendix: the council's figures"), "<p>Each figure the tool takes from the council's documents "
              "(or assumes, marked so), beside what the tool recomputes from its own data where it can.</p>",
              _table(report.evidence_table()) if len(report.evidence) else "",
              _heading("Appendix: care homes used"), _table(report.homes_table()),
              _heading("Data sources and licences"), _bullets(ATTRIBUTION),
              f"<script type='application/json' id='caremap-map-data'>{_json_for_script(report.map_layers)}</script>"
              if report.map_layers else "",
              f"<script>{script}</script><script>{asset('map.js')}</script>" if report.map_layers else "",
              "</body></html>"]
    return "\n".join(parts)
