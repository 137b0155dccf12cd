"""The coverage report: static maps, tables by locality, gaps, suggested sites, method, assumptions and
sources, as PDF (reportlab) and HTML, for a named council and scenario."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analyses import coverage as cv
from layers import catalog
from layers.council_data import CouncilData
from routing.engine import TravelEngine

ATTRIBUTION = [*catalog.ATTRIBUTION,
               "Care homes: the file named in this report (the CQC care directory is published under the OGL v3.0)."]
SECTIONS = ["Summary", "Maps", "By locality", "Gaps", "Suggested sites", "Method and assumptions",
            "Data sources and licences"]


@dataclass
class CoverageReport:
    """Everything a coverage report shows, computed once and rendered as PDF, HTML or data files."""

    council: str
    year: int
    method: str
    method_label: str
    homes_source: str
    result: cv.CoverageResult
    gaps: pd.DataFrame
    sites: cv.SiteChoice
    figures: dict[str, bytes]
    assumptions: list[str]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[tuple[str, str]]:
        council = self.result.areas["council"].iloc[0]
        first, *_, last = self.result.settings.thresholds_min
        return [
            ("Care homes (in the council)", f"{int(council['homes']):,}"),
            ("Beds", f"{council['beds']:,.0f}"),
            ("Beds per 1,000 aged 65+ / 85+", f"{council['beds_per_1000_65']:.1f} / {council['beds_per_1000_85']:.0f}"),
            (f"Aged 65+ within {first:g} / {last:g} min of a home",
             f"{council[f'pct65_within_{first:g}']:.0f}% / {council[f'pct65_within_{last:g}']:.0f}%"),
            (f"Projected bed demand {self.year}", f"{council['bed_demand']:,.0f}"),
            ("Capacity (beds less free share)", f"{council['capacity']:,.0f}"),
            ("Shortfall (+) or spare (−)", f"{council['shortfall']:+,.0f}"),
        ]

    def locality_table(self) -> pd.DataFrame:
        table = self.result.areas["locality_name"]
        first, *_, last = self.result.settings.thresholds_min
        return pd.DataFrame({
            "Locality": table.index,
            "Aged 65+": table["pop_65plus"].round().astype(int),
            "Homes": table["homes"], "Beds": table["beds"].round().astype(int),
            "Beds/1,000 65+": table["beds_per_1000_65"].round(1),
            f"% 65+ ≤{first:g} min": table[f"pct65_within_{first:g}"].round(0),
            f"% 65+ ≤{last:g} min": table[f"pct65_within_{last:g}"].round(0),
            "Access (E2SFCA)": table["access"].round(1),
            f"Demand {self.year}": table["bed_demand"].round().astype(int),
            "Shortfall": table["shortfall"].round().astype(int),
        })

    def gap_table(self) -> pd.DataFrame:
        gaps = self.gaps
        return pd.DataFrame({
            "LSOA": gaps.index,
            "Name": gaps["lsoa21_name"],
            "Locality": gaps["locality"],
            "Aged 65+": gaps["pop_65plus"].round().astype(int),
            f"Projected 65+ {self.year}": gaps["projected_65plus"].round().astype(int),
            "Access (E2SFCA)": gaps["access"].round(1),
            "Minutes to nearest": gaps["minutes_mean"].round(0),
            "Gap score": gaps["gap_score"].round(0),
        })

    def site_sentence(self) -> str:
        sites = self.sites
        projected = f"projected people aged 65+ ({self.year})"
        if sites.covered_before >= sites.population - 0.5:
            return f"All {sites.population:,.0f} {projected} are already within {sites.minutes:g} minutes of a home: no " \
                   f"new site adds anyone at this threshold. Try a shorter drive time."
        if len(sites.sites) == 0:
            return f"No candidate place brings anyone new within {sites.minutes:g} minutes."
        return (f"{projected.capitalize()} within {sites.minutes:g} minutes of a home: {sites.covered_before:,.0f} now, "
                f"{sites.covered_after:,.0f} with the sites below (of {sites.population:,.0f}).")

    def site_table(self) -> pd.DataFrame:
        sites = self.sites.sites
        return pd.DataFrame({"Place": sites["name"], "Kind": sites["kind"],
                             f"People 65+ newly within {self.sites.minutes:g} min": sites["new_people_within"].round()})


def _figure_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _base_axes(data: CouncilData, title: str):
    # A Figure of its own (no pyplot state): drawing a report never changes matplotlib's backend or global figures.
    fig = Figure(figsize=(7.2, 6.2))
    ax = fig.subplots()
    data.localities.boundary.plot(ax=ax, color="#222", linewidth=1.2, linestyle="--")
    ax.set_title(title, fontsize=11)
    ax.set_axis_off()
    return fig, ax


def _homes(ax, homes: gpd.GeoDataFrame, label: bool = True) -> None:
    if len(homes):
        sizes = 12 + 1.2 * homes["beds"].to_numpy()
        colours = np.where(homes["nursing"], "#b2182b", "#2166ac")
        ax.scatter(homes.geometry.x, homes.geometry.y, s=sizes, c=colours, edgecolor="white", linewidth=0.6, zorder=5,
                   label="care home (size: beds; red: with nursing)" if label else None)


def draw_figures(data: CouncilData, result: cv.CoverageResult, gaps: pd.DataFrame, sites: cv.SiteChoice, *,
                 method_label: str) -> dict[str, bytes]:
    """Static maps for the report: access, drive-time bands, gaps with suggested sites."""
    lsoa = data.lsoa.join(result.areas["lsoa21_code"][["access", "minutes_mean"]], on="lsoa21_code")
    figures = {}
    fig, ax = _base_axes(data, f"E2SFCA access: beds per 1,000 aged 65+ within reach ({result.year})")
    lsoa.plot(column="access", ax=ax, cmap="YlGnBu", legend=True, edgecolor="#999", linewidth=0.3,
              legend_kwds={"label": "beds per 1,000 aged 65+", "shrink": 0.6})
    _homes(ax, result.homes)
    ax.legend(loc="lower left", fontsize=7, frameon=True)
    ax.annotate(method_label, (0.01, 0.99), xycoords="axes fraction", va="top", fontsize=7, color="#8a4b00")
    figures["access"] = _figure_bytes(fig)

    fig, ax = _base_axes(data, "Drive time from each postcode to the nearest care home")
    bands = [0, *result.settings.thresholds_min, np.inf]
    labels = [f"≤ {b:g} min" for b in result.settings.thresholds_min] + [f"> {result.settings.thresholds_min[-1]:g} min"]
    colours = ["#1a9850", "#fee08b", "#fc8d59", "#d73027"]
    minutes = result.postcodes["minutes_nearest"].to_numpy()
    data.outline.plot(ax=ax, color="#f4f4f4", edgecolor="#777", linewidth=0.6)
    for index, label in enumerate(labels):
        chosen = (minutes > bands[index]) & (minutes <= bands[index + 1]) if index else minutes <= bands[1]
        points = result.postcodes[chosen]
        ax.scatter(points.geometry.x, points.geometry.y, s=2, color=colours[index % len(colours)], label=label)
    _homes(ax, result.homes, label=False)
    ax.legend(loc="lower left", fontsize=7, markerscale=4, frameon=True)
    ax.annotate(method_label, (0.01, 0.99), xycoords="axes fraction", va="top", fontsize=7, color="#8a4b00")
    figures["drive_time"] = _figure_bytes(fig)

    fig, ax = _base_axes(data, "Gaps (low access, high projected demand) and suggested sites")
    lsoa.plot(ax=ax, color="#f4f4f4", edgecolor="#bbb", linewidth=0.3)
    gap_areas = lsoa[lsoa["lsoa21_code"].isin(gaps.index)]
    if len(gap_areas):
        gap_areas.plot(ax=ax, color="#fdae61", edgecolor="#d7301f", linewidth=1.0)
    _homes(ax, result.homes)
    if len(sites.sites):
        ax.scatter(sites.sites.geometry.x, sites.sites.geometry.y, marker="*", s=260, c="#6a3d9a", edgecolor="white",
                   zorder=6, label="suggested site")
        for row in sites.sites.itertuples():
            ax.annotate(row.name, (row.geometry.x, row.geometry.y), xytext=(5, 5), textcoords="offset points",
                        fontsize=8, color="#3f007d")
    ax.legend(loc="lower left", fontsize=7, frameon=True)
    figures["gaps"] = _figure_bytes(fig)
    return figures


def build_report(data: CouncilData, homes: gpd.GeoDataFrame, engine: TravelEngine, *, homes_source: str, year: int,
                 settings: cv.CoverageSettings | None = None, sites: int = 3, site_minutes: float = 20.0,
                 notes: list[str] | None = None) -> CoverageReport:
    """Compute the coverage measures and everything the report shows."""
    result = cv.measure_coverage(data, homes, engine, year=year, settings=settings)
    choice = cv.suggest_sites(result, cv.candidate_places(data, result.homes), engine, k=sites, minutes=site_minutes)
    return report_from(data, result, choice, engine, homes_source=homes_source, notes=notes)


def report_from(data: CouncilData, result: cv.CoverageResult, choice: cv.SiteChoice, engine: TravelEngine, *,
                homes_source: str, notes: list[str] | None = None) -> CoverageReport:
    """The report of measures already computed (:func:`coverage.analyse`, :func:`coverage.suggest_sites`)."""
    settings, year, site_minutes = result.settings, result.year, choice.minutes
    growth = settings.growth_factor(year)
    gaps = cv.named_gaps(result, data)
    demand, demand_source = cv.bed_demand(year, settings)
    weights = ", ".join(f"≤{bound:g} min: {weight:g}" for bound, weight in sorted(settings.e2sfca_weights.items()))
    assumptions = [
        f"Travel times: {engine.label}.",
        f"Care homes: {homes_source}.",
        "People live at postcodes: each LSOA's mid-2020 population (ONS, carried to 2021 LSOAs) is shared equally "
        "among its postcodes.",
        f"E2SFCA weights by drive time: {weights}; beyond {max(settings.e2sfca_weights):g} minutes, 0.",
        f"Bed demand {year}: {demand:,.0f} ({demand_source}; ×{growth:.2f} of the {settings.base_year} figure, "
        f"shared between areas by people aged {settings.demand_column[4:6]}+).",
        f"Capacity = beds × (1 − {settings.free_bed_share:.1%}) free for turnover ({data.council.source('free_bed_share')}).",
        "Gap score = projected people aged 65+ × how far access falls below the council average (0 when above).",
        f"Suggested sites: settlements at least 1 km from a home, chosen to bring the most people aged 65+ "
        f"(projected) newly within {site_minutes:g} minutes (maximal covering location, exact via PySAL spopt).",
    ]
    method_label = f"Travel times: {engine.label}"
    figures = draw_figures(data, result, gaps, choice, method_label=method_label)
    return CoverageReport(data.council.name, year, engine.method, method_label, homes_source, result, gaps, choice,
                          figures, assumptions, list(notes or []))


# --- HTML -------------------------------------------------------------------------------------------


def _html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, classes="table", na_rep="–", float_format=lambda v: f"{v:,.1f}")


def to_html(report: CoverageReport) -> str:
    """The report as one self-contained HTML page (images embedded; every value escaped)."""
    esc = html.escape
    images = {name: base64.b64encode(png).decode() for name, png in report.figures.items()}
    summary = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in report.summary())
    estimate = ' class="estimate"' if report.method == "estimate" else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Care-home coverage — {esc(report.council)} {report.year}</title>",
        "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:0.6em 0}th,td{border-bottom:1px solid #ddd;padding:3px 8px;"
        "text-align:right}th:first-child,td:first-child{text-align:left}.estimate{color:#8a4b00;font-weight:bold}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>Care-home coverage: {esc(report.council)}</h1>",
        f"<p>Scenario {report.year}. Produced {date.today():%d %B %Y}.</p>",
        f"<p{estimate}>{esc(report.method_label)}</p>",
        "<h2>Summary</h2>", f"<table>{summary}</table>",
        *[f"<p><i>{esc(note)}</i></p>" for note in report.notes],
        "<h2>Maps</h2>",
        *[f"<img alt='{esc(name)}' src='data:image/png;base64,{data}'>" for name, data in images.items()],
        "<h2>By locality</h2>", _html_table(report.locality_table()),
        "<h2>Gaps</h2>", "<p>LSOAs with access below the council average, by projected people aged 65+ times the "
        "shortfall in access.</p>", _html_table(report.gap_table()),
        "<h2>Suggested sites</h2>",
        f"<p>{esc(report.site_sentence())}</p>",
        _html_table(report.site_table()) if len(report.sites.sites) else "",
        "<h2>Method and assumptions</h2>", "<ul>" + "".join(f"<li>{esc(a)}</li>" for a in report.assumptions) + "</ul>",
        "<h2>Data sources and licences</h2>", "<ul>" + "".join(f"<li>{esc(a)}</li>" for a in ATTRIBUTION) + "</ul>",
        "</body></html>",
    ]
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------------------


def to_pdf(report: CoverageReport) -> bytes:
    """The report as a PDF (A4, reportlab)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    warn = styles["BodyText"].clone("warn", textColor=colors.HexColor("#8a4b00"))
    esc = html.escape

    def table(frame: pd.DataFrame, widths=None) -> Table:
        cells = [[Paragraph(f"<b>{esc(str(c))}</b>", small) for c in frame.columns]]
        for row in frame.itertuples(index=False):
            cells.append([Paragraph(esc(f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, (int, np.integer))
                                        else str(v)), small) for v in row])
        built = Table(cells, colWidths=widths, repeatRows=1)
        built.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                                   ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return built

    story = [Paragraph(f"Care-home coverage: {esc(report.council)}", styles["Title"]),
             Paragraph(f"Scenario {report.year}. Produced {date.today():%d %B %Y}.", styles["BodyText"]),
             Paragraph(esc(report.method_label), warn if report.method == "estimate" else styles["BodyText"]),
             Spacer(1, 0.3 * cm), Paragraph("Summary", styles["Heading2"]),
             table(pd.DataFrame(report.summary(), columns=["Measure", "Value"]), [9 * cm, 6 * cm])]
    story += [Paragraph(esc(note), small) for note in report.notes]
    story += [PageBreak(), Paragraph("Maps", styles["Heading2"])]
    for png in report.figures.values():
        story += [Image(io.BytesIO(png), width=15 * cm, height=12.5 * cm, kind="proportional"), Spacer(1, 0.2 * cm)]
    story += [PageBreak(), Paragraph("By locality", styles["Heading2"]), table(report.locality_table()),
              Paragraph("Gaps", styles["Heading2"]),
              Paragraph("LSOAs with access below the council average, by projected people aged 65+ times the shortfall "
                        "in access.", styles["BodyText"]), table(report.gap_table()),
              Paragraph("Suggested sites", styles["Heading2"]),
              Paragraph(esc(report.site_sentence()), styles["BodyText"])]
    if len(report.sites.sites):
        story.append(table(report.site_table()))
    story += [Paragraph("Method and assumptions", styles["Heading2"])]
    story += [Paragraph("• " + esc(line), styles["BodyText"]) for line in report.assumptions]
    story += [Paragraph("Data sources and licences", styles["Heading2"])]
    story += [Paragraph("• " + esc(line), small) for line in ATTRIBUTION]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Care-home coverage — {report.council} {report.year}",
                      leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=1.6 * cm, bottomMargin=1.6 * cm).build(story)
    return buffer.getvalue()


def area_layers(report: CoverageReport, data: CouncilData) -> dict[str, gpd.GeoDataFrame]:
    """The area tables as polygon layers (for GeoPackage export), plus the homes."""
    lsoa = data.lsoa[["lsoa21_code", "lsoa21_name", "locality_name", "geometry"]].join(
        report.result.areas["lsoa21_code"], on="lsoa21_code")
    localities = data.localities[["locality_name", "geometry"]].join(report.result.areas["locality_name"],
                                                                     on="locality_name")
    return {"lsoa": lsoa, "localities": localities, "care_homes": report.result.homes}
