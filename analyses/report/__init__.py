"""The coverage report a planner can take to committee: findings written from the figures, need and supply by
year (residential, nursing, dementia), maps, named tables of localities and gaps, suggested sites, the homes
used, method, assumptions and sources — as an A4 PDF and as one self-contained HTML page with an interactive map.

The package imports one way, each module from those before it:

- :mod:`~analyses.report.text`: the report's title, sections, statuses and how it writes numbers;
- :mod:`~analyses.report.tables` and :mod:`~analyses.report.writing`: its tables and its words, from the figures;
- :mod:`~analyses.report.model`: :class:`CoverageReport`, everything computed once (with those tables and words);
- :mod:`~analyses.report.documents`: the council's documents beside the homes loaded;
- :mod:`~analyses.report.method`: method, assumptions, the data and its date (:func:`vintages`), licences;
- :mod:`~analyses.report.exports`: the About rows and column titles of every export;
- :mod:`~analyses.report.map_style`, :mod:`~analyses.report.maps`: the maps' colours, and the maps drawn as PNGs;
- :mod:`~analyses.report.html_page`, :mod:`~analyses.report.pdf`: the renderers, which only lay a report out;
- :mod:`~analyses.report.build`: measure, choose sites, and gather a report (:func:`build_report`).

The names below are the public interface; the renderers load (with matplotlib and reportlab) only when used.
"""

from analyses.report.build import area_layers, build_report, homes_details, report_from
from analyses.report.documents import documents_area_table, documents_totals_table, documents_year_table
from analyses.report.exports import export_about, export_titles, homes_about
from analyses.report.method import vintages
from analyses.report.model import Authorship, CoverageReport
from analyses.report.tables import homes_table
from analyses.report.text import SECTIONS, STATUSES

__all__ = [
    "Authorship", "CoverageReport", "SECTIONS", "STATUSES", "area_layers", "build_report", "documents_area_table",
    "documents_totals_table", "documents_year_table", "export_about", "export_titles", "homes_about", "homes_details",
    "homes_table", "report_from", "to_html", "to_pdf", "vintages",
]


def to_html(report: CoverageReport) -> str:
    """The report as one self-contained HTML page (:func:`analyses.report.html_page.render_html`)."""
    from analyses.report.html_page import render_html

    return render_html(report)


def to_pdf(report: CoverageReport) -> bytes:
    """The report as an A4 PDF (:func:`analyses.report.pdf.render_pdf`)."""
    from analyses.report.pdf import render_pdf

    return render_pdf(report)
