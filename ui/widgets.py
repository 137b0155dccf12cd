"""Small Streamlit pieces shared by the pages: upload problems, downloads, labels of estimates."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from geo.errors import InputDataError
from layers.user_files import MAX_ROWS, MAX_UPLOAD_BYTES, UploadSummary
from routing.engine import TravelEngine

UPLOAD_LIMITS = f"CSV or Excel, up to {MAX_UPLOAD_BYTES // 2**20} MB and {MAX_ROWS:,} rows. Kept in memory only."


def engine_note(engine: TravelEngine) -> None:
    """State the travel-time method in force under a map or table; estimates get a warning colour."""
    if engine.is_estimate:
        st.warning(f"Road figures are **estimates**: {engine.label.removeprefix('ESTIMATE — ')}. Load a road network "
                   f"in the sidebar for real road distances.", icon="⚠️")
    else:
        st.caption(f"Travel times and road distances: {engine.label}.")


def show_upload_result(table: UploadSummary) -> None:
    """Summarise an uploaded file: how many records were kept, and every problem row by row."""
    for note in table.notes:
        st.info(note)
    kept = len(table.records)
    if table.problems:
        st.warning(f"{kept:,} {table.noun}(s) read; {table.rejected_rows:,} row(s) left out. Each is listed below with "
                   f"what to fix.")
        with st.expander(f"Problems in the file ({len(table.problems):,})", expanded=kept == 0):
            st.dataframe(pd.DataFrame({"row": [p.row for p in table.problems],
                                       "column": [p.column or "" for p in table.problems],
                                       "problem": [p.message for p in table.problems]}),
                         hide_index=True, width="stretch")
    else:
        st.success(f"{kept:,} {table.noun}(s) read, no problems found.")


def read_upload(uploaded, reader: Callable[[bytes, str], UploadSummary]) -> UploadSummary | None:
    """Run a client-file reader on an upload, showing a file-level problem as a message (never a traceback)."""
    if uploaded is None:
        return None
    try:
        table = reader(uploaded.getvalue(), uploaded.name)
    except InputDataError as error:
        st.error(str(error))
        if error.problems:
            with st.expander(f"Problems in the file ({len(error.problems):,})"):
                st.dataframe(pd.DataFrame({"problem": error.problems}), hide_index=True, width="stretch")
        return None
    show_upload_result(table)
    return table


FORMATS = {
    "CSV": ("csv", "text/csv"),
    "XLSX": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "GeoPackage": ("gpkg", "application/geopackage+sqlite3"),
    "PDF": ("pdf", "application/pdf"),
    "HTML": ("html", "text/html"),
}
"""File extension and MIME type of each download format."""


def download_row(stem: str, files: dict[str, bytes | Callable[[], bytes]]) -> None:
    """One download button per format (a key of :data:`FORMATS`).

    Give a function rather than bytes for files that are slow to make (an Excel workbook of every
    postcode takes about two seconds): it runs only when the button is clicked, not on every rerun.
    """
    columns = st.columns(len(files))
    for column, (label, content) in zip(columns, files.items()):
        extension, mime = FORMATS[label]
        column.download_button(f"Download {label}", content, file_name=f"{stem}.{extension}", mime=mime,
                               key=f"download_{stem}_{label}", width="stretch")
