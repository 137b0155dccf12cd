"""The coverage report as an A4 PDF (reportlab), for a committee: a title page with the status, author and
organisation and the contents with page numbers; a summary opening with what the figures mean and the decision
they inform, and a plain-English box on "access" and the gap; the council's documents beside the homes; need and
supply by year; one map a page, a full page wide; then the tables, method and sources flowing on, with a running
header naming the section and status, and "Page n of N" on every page after the title.

Pages are laid out so that none is left mostly empty: a section starts on a new page only where it fills
pages of its own (summary, need by year, maps, tables), and headings are never left alone at a page foot.
User text (file and home names) is escaped for reportlab's paragraph markup.
"""

from __future__ import annotations

import html
import io
import struct
from typing import Sequence

import numpy as np
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from analyses.report.documents import documents_area_table, documents_totals_table, documents_year_table
from analyses.report.method import ATTRIBUTION
from analyses.report.model import CoverageReport
from analyses.report.text import SUBTITLE

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 1.8 * cm
TOP = 2.2 * cm
BOTTOM = 1.9 * cm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MAP_CAPTIONS = {
    "access": "Each area coloured by its E2SFCA access: beds in homes for older people within weighted reach, per "
              "1,000 people aged 65+ (weights fall with drive time). Homes sized by beds.",
    "drive_time": "Each postcode coloured by the drive time to the nearest home for older people.",
    "gaps": "The areas of the gap table (numbered by rank) and the suggested sites.",
}
_ESTIMATE_COLOUR = colors.HexColor("#8a4b00")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = base["BodyText"].clone("body", fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "title": base["Title"].clone("title", fontSize=24, leading=29, alignment=0, spaceAfter=10),
        "subtitle": body.clone("subtitle", fontSize=13, leading=17, spaceAfter=8),
        "h1": base["Heading1"].clone("H1", fontSize=15, leading=19, spaceBefore=4, spaceAfter=8),
        "h2": base["Heading2"].clone("H2", fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4),
        "body": body,
        "bullet": body.clone("bullet", leftIndent=12, bulletIndent=2, spaceAfter=5),
        "warning": body.clone("warning", textColor=_ESTIMATE_COLOUR, backColor=colors.HexColor("#fff4e5"),
                              borderPadding=4, spaceBefore=4, spaceAfter=8),
        "meaning": body.clone("meaning", fontSize=11, leading=15, backColor=colors.HexColor("#eef4fa"),
                              borderColor=colors.HexColor("#2166ac"), borderWidth=0.8, borderPadding=8, spaceBefore=6,
                              spaceAfter=14),
        "box": body.clone("box", fontSize=9.5, leading=12.5, backColor=colors.HexColor("#f4f4f4"), borderPadding=6,
                          spaceBefore=0, spaceAfter=6),
        "status": body.clone("status", fontSize=16, leading=20, fontName="Helvetica-Bold", spaceBefore=6,
                             spaceAfter=10, textColor=colors.HexColor("#b2182b")),
        "toc": body.clone("toc", fontSize=11, leading=16),
        "estimate": body.clone("estimate", textColor=_ESTIMATE_COLOUR),
        "small": body.clone("small", fontSize=7.5, leading=9.5, spaceAfter=2),
        "cell": body.clone("cell", fontSize=7.5, leading=9, spaceAfter=0),
        "cell_right": body.clone("cell_right", fontSize=7.5, leading=9, spaceAfter=0, alignment=TA_RIGHT),
        "cell_head": body.clone("cell_head", fontSize=7.5, leading=9, spaceAfter=0, fontName="Helvetica-Bold",
                                splitLongWords=0),
        "cell_head_right": body.clone("cell_head_right", fontSize=7.5, leading=9, spaceAfter=0, splitLongWords=0,
                                      fontName="Helvetica-Bold", alignment=TA_RIGHT),
    }


def _text(value: object) -> str:
    """A value as escaped paragraph text (numbers with separators)."""
    if isinstance(value, (float, np.floating)):
        text = "–" if not np.isfinite(value) else f"{value:,.1f}" if value != round(value) else f"{value:,.0f}"
    elif isinstance(value, (int, np.integer)):
        text = f"{value:,}"
    else:
        text = "" if value is None else str(value)
    return html.escape(text)


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    text = str(value).replace(",", "").replace("%", "").replace("+", "").replace("−", "-").strip()
    try:
        float(text)
        return True
    except ValueError:
        return text == "–"


def table(frame: pd.DataFrame, styles: dict[str, ParagraphStyle], weights: Sequence[float] | None = None) -> Table:
    """A table of paragraphs (text wraps, numbers right-aligned), its header repeated on each page."""
    weights = list(weights or [1.0] * len(frame.columns))
    widths = [TEXT_WIDTH * weight / sum(weights) for weight in weights]
    numeric = [len(frame) > 0 and all(_is_number(value) for value in frame[column]) for column in frame.columns]
    cells = [[Paragraph(_text(column), styles["cell_head_right" if right else "cell_head"])
              for column, right in zip(frame.columns, numeric)]]
    for row in frame.itertuples(index=False):
        cells.append([Paragraph(_text(value), styles["cell_right" if _is_number(value) else "cell"]) for value in row])
    built = Table(cells, colWidths=widths, repeatRows=1)
    built.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                               ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                               ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return built


def pairs(rows: Sequence[tuple[str, str]], styles: dict[str, ParagraphStyle], *, key_width: float = 0.3) -> Table:
    """A two-column table of labels and values."""
    cells = [[Paragraph(f"<b>{html.escape(key)}</b>", styles["cell"]), Paragraph(html.escape(value), styles["cell"])]
             for key, value in rows]
    built = Table(cells, colWidths=[TEXT_WIDTH * key_width, TEXT_WIDTH * (1 - key_width)])
    built.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))
    return built


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG in pixels (from its header)."""
    return struct.unpack(">II", png[16:24])


def map_image(png: bytes, *, max_height: float = 22.5 * cm) -> Image:
    """A map scaled to the text width, or to ``max_height`` when taller."""
    width, height = _png_size(png)
    scale = min(TEXT_WIDTH / width, max_height / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale)


class _NumberedCanvas(pdf_canvas.Canvas):
    """A canvas that writes "Page n of N" once the number of pages is known (not on the title page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.black)
                self.drawCentredString(PAGE_WIDTH / 2, 1.0 * cm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


class _ReportDocument(BaseDocTemplate):
    """Tracks the section in force at the top of each page for the running header."""

    def __init__(self, buffer, report: CoverageReport, **kwargs):
        super().__init__(buffer, **kwargs)
        self.report = report
        self.section = ""
        self.page_section = ""
        self.page_started = False
        frame = Frame(MARGIN, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("title", [frame], onPage=self._start_page),
                               PageTemplate("body", [frame], onPage=self._start_page, onPageEnd=self._decorate)])

    def _start_page(self, canvas, doc) -> None:
        self.page_section, self.page_started = self.section, False

    def afterFlowable(self, flowable) -> None:
        heading = isinstance(flowable, Paragraph) and flowable.style.name == "H1"
        if heading:
            self.section = flowable.getPlainText()
            self.notify("TOCEntry", (0, html.escape(self.section), self.page))
        if not self.page_started and isinstance(flowable, (Paragraph, Table, Image, KeepTogether)):
            self.page_started = True
            if heading:
                self.page_section = self.section

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#444"))
        top = PAGE_HEIGHT - 1.3 * cm
        canvas.drawString(MARGIN, top, self.report.running_header())
        canvas.drawRightString(PAGE_WIDTH - MARGIN, top, self.page_section)
        canvas.setStrokeColor(colors.HexColor("#999"))
        canvas.line(MARGIN, top - 0.2 * cm, PAGE_WIDTH - MARGIN, top - 0.2 * cm)
        canvas.drawString(MARGIN, 1.0 * cm, f"caremap {self.report.version} · {self.report.produced:%d %B %Y}")
        if self.report.method == "estimate":
            canvas.setFillColor(_ESTIMATE_COLOUR)
            canvas.drawRightString(PAGE_WIDTH - MARGIN, 1.0 * cm, "Travel times are straight-line ESTIMATES")
        canvas.restoreState()


def _title_page(report: CoverageReport, styles) -> list:
    method_style = styles["estimate"] if report.method == "estimate" else styles["body"]
    authorship = report.authorship
    who = [Paragraph(html.escape(text), styles["subtitle"])
           for text in (authorship.author, authorship.organisation) if text]
    contents = TableOfContents(dotsMinLevel=0)
    contents.levelStyles = [styles["toc"]]
    return [
        Spacer(1, 1.0 * cm), Paragraph(html.escape(report.title()), styles["title"]),
        Paragraph(SUBTITLE, styles["subtitle"]),
        Paragraph(html.escape(authorship.status_text.upper()), styles["status"]), *who,
        Paragraph(f"Scenario {report.year} · produced {report.produced:%d %B %Y}", styles["subtitle"]),
        Paragraph("Where older people live far from care-home beds, how the need for beds grows from "
                  f"{report.years[0]} to {report.years[-1]}, and where new homes would help most. Residential, nursing "
                  "and dementia care are compared with the council's own projections.", styles["body"]),
        Paragraph(html.escape(report.method_label), method_style), Spacer(1, 0.3 * cm),
        Paragraph("Contents", styles["h2"]), contents,
        NextPageTemplate("body"), PageBreak(),
    ]


def _summary(report: CoverageReport, styles) -> list:
    box = [Paragraph("<b>“Access” and “the access gap”, in plain English</b>", styles["box"])]
    box += [Paragraph(html.escape(paragraph), styles["box"]) for paragraph in report.access_explained()]
    story = [Paragraph("Summary", styles["h1"]),
             Paragraph("<b>What this means.</b> " + html.escape(report.what_this_means()), styles["meaning"]),
             KeepTogether([_boxed(box)]),
             Paragraph(f"Key figures, {report.year}", styles["h2"]), pairs(report.summary(), styles, key_width=0.45),
             Paragraph("Findings", styles["h2"])]
    for line in report.findings():
        style = styles["warning"] if line.startswith("Warning:") else styles["bullet"]
        story.append(Paragraph(html.escape(line), style, bulletText=None if line.startswith("Warning:") else "•"))
    if report.notes:
        story.append(Paragraph("About the care-home data", styles["h2"]))
        story += [Paragraph(html.escape(note), styles["small"]) for note in report.notes]
    return story + [PageBreak()]


def _boxed(flowables: list) -> Table:
    """Flowables in one shaded, ruled box the text width."""
    built = Table([[flowables]], colWidths=[TEXT_WIDTH])
    built.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f4f4")),
                               ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#888")),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return built


def _documents_beside(report: CoverageReport, styles) -> list:
    beside = report.beside
    if beside is None:
        return []
    area = documents_area_table(beside)
    by_year = documents_year_table(beside)
    story = [Paragraph("The council's documents beside the homes", styles["h1"]),
             Paragraph("What the council's own documents say, beside what the care homes loaded give: counted "
                       f"before any travel time is measured. Care homes: {html.escape(report.homes_source)}.",
                       styles["body"])]
    if beside.totals.warning:
        story.append(Paragraph("Warning: " + html.escape(beside.totals.warning), styles["warning"]))
    story += [table(documents_totals_table(beside, report.council_settings), styles, [1.5, 1.8, 2.3, 2.6]),
              Paragraph("Need by year beside the beds", styles["h2"]),
              table(by_year, styles, [0.6] + [1.0] * (len(by_year.columns) - 1)),
              *_documented_beds_note(beside, styles),
              Paragraph(f"By PCN locality: the homes loaded, and the council's need shared by its people aged "
                        f"{beside.settings.demand_column[4:6]}+", styles["h2"]),
              table(area, styles, [2.4] + [1.0] * (len(area.columns) - 1))]
    return story + [PageBreak()]


def _need_by_year(report: CoverageReport, styles) -> list:
    story = [Paragraph("Need and supply by year", styles["h1"]),
             Paragraph("Need from the council's own figures (sources under Method and assumptions); usable beds are "
                       "today's beds less the share kept free for turnover. Shortfall (+) or spare (−) beds.",
                       styles["body"]),
             table(report.year_table(), styles, [3.2] + [1.0] * len(report.years))]
    if report.totals.warning:
        story.append(Paragraph("Warning: " + html.escape(report.totals.warning), styles["warning"]))
    if len(report.totals.table):
        story += [Paragraph("Loaded homes beside the council's documented totals", styles["h2"]),
                  table(report.totals_table(), styles, [1.6, 0.8, 1.05, 0.6, 1.0, 3.7])]
    return story + [PageBreak()]


def _maps(report: CoverageReport, styles) -> list:
    story = []
    for position, (name, png) in enumerate(report.figures.items()):
        heading = [Paragraph("Maps", styles["h1"])] if position == 0 else []
        room = 22.5 * cm - (1.3 * cm if heading else 0.0)  # the first map shares its page with the heading
        story += [*heading, map_image(png, max_height=room),
                  Paragraph(html.escape(MAP_CAPTIONS.get(name, "")), styles["body"]), PageBreak()]
    return story


def _section(title: str, styles, *content) -> list:
    """A section heading kept with what follows it (no heading alone at a page foot)."""
    return [CondPageBreak(5 * cm), Paragraph(title, styles["h1"]), *content]


def _documented_beds_note(beside, styles) -> list:
    """What the documented beds of the by-year table are (none when the council documents no total)."""
    totals = beside.totals
    if totals.documented_beds is None:
        return []
    return [Paragraph(f"Documented beds: the {totals.documented_beds:,.0f} the council documents "
                      f"({html.escape(totals.documented_beds_what)}), less the {beside.settings.free_bed_share:.1%} kept "
                      f"free, as the beds loaded are.", styles["small"])]


def render_pdf(report: CoverageReport) -> bytes:
    """The report as an A4 PDF (built twice: the contents take their page numbers from the first pass)."""
    styles = _styles()
    story = _title_page(report, styles) + _summary(report, styles) + _documents_beside(report, styles) + \
        _need_by_year(report, styles) + _maps(report, styles)
    by_year = report.locality_year_table()
    localities = [table(report.locality_table(), styles, [2.2] + [0.9] * (len(report.locality_table().columns) - 1)),
                  Spacer(1, 0.3 * cm), table(by_year, styles, [2.4] + [1.0] * (len(by_year.columns) - 1))]
    if report.result.areas["lad_code"]["name"].nunique() > 1:
        districts = report.district_table()
        localities += [Paragraph("By district", styles["h2"]),
                       table(districts, styles, [2.2] + [0.9] * (len(districts.columns) - 1))]
    story += _section("By locality", styles, *localities)
    story += _section("Gaps", styles,
                      Paragraph("Areas with access below the council average, ranked by projected people aged 65+ times "
                                "the shortfall in access; named by settlement and ward, with the nearest town in the "
                                "council (straight line).", styles["body"]),
                      table(report.gap_table(), styles, [0.6, 2.8, 1.8, 1.4, 0.8, 1.1, 1.0, 1.05, 0.8]))
    sites = [Paragraph(html.escape(report.site_sentence()), styles["body"])]
    if len(report.sites.sites):
        sites.append(table(report.site_table(), styles, [1.6, 0.9, 3.2, 1.3, 1.2]))
    story += _section("Suggested sites", styles, *sites)
    story += _section("Method and assumptions", styles,
                      *[Paragraph(html.escape(line), styles["bullet"], bulletText="•") for line in report.assumptions],
                      Paragraph("Scenario", styles["h2"]), pairs(report.scenario(), styles),
                      Paragraph("Data and its date", styles["h2"]), pairs(report.vintages, styles))
    evidence = report.evidence_table()
    if len(evidence):
        story += _section("Appendix: the council's figures", styles,
                          Paragraph("Each figure the tool takes from the council's documents (or assumes, marked so), "
                                    "beside what the tool recomputes from its own data where it can.", styles["body"]),
                          table(evidence, styles, [2.2, 1.4, 1.0, 1.0, 1.1, 3.6]))
    homes_weights = [3.0, 1.0, 1.3, 0.9, 0.8] + ([0.9] if report.result.dementia_known else []) + [2.0]
    story += _section("Appendix: care homes used", styles, table(report.homes_table(), styles, homes_weights))
    story += _section("Data sources and licences", styles,
                      *[Paragraph(html.escape(line), styles["bullet"], bulletText="•") for line in ATTRIBUTION])
    buffer = io.BytesIO()
    authorship = report.authorship
    document = _ReportDocument(buffer, report, pagesize=A4, title=f"{report.title()} ({report.year})",
                               author=authorship.author or f"caremap {report.version}",
                               subject=f"{authorship.status_text}; {authorship.organisation}".strip("; "),
                               leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP, bottomMargin=BOTTOM)
    document.multiBuild(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
