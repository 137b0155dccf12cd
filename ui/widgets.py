"""Small Streamlit pieces shared by the pages: user text shown as text, upload problems, downloads, labels of estimates.

Streamlit renders messages, captions and labels as Markdown: a file name or cell such as
``![x](http://host/beacon.png)`` would make the browser fetch that address, and ``[Fix your file](http://…)``
would become a link in the tool's own message. Every text that quotes a user's file (names, cells, headers,
and the messages of our errors, which quote them) goes through :func:`plain` first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from typing import Callable, Hashable, Iterable

import pandas as pd
import streamlit as st

from geo.errors import InputDataError
from layers.care_homes import MAX_CARE_HOMES_NEAR
from layers.user_files import CARE_HOME_LIST, CLIENT_LIST, UploadSummary
from routing.engine import TravelEngine

CLIENT_UPLOAD_MB = CLIENT_LIST.max_bytes // 2**20
CARE_HOME_UPLOAD_MB = CARE_HOME_LIST.max_bytes // 2**20
"""Each uploader's own size limit (its ``max_upload_size``): Streamlit states it under the uploader, so the captions
below state only the other limits, once."""
UPLOAD_LIMITS = (f"Up to {CLIENT_LIST.max_rows:,} rows of data and {CLIENT_LIST.max_columns:,} columns (the file "
                 f"size limit is under the box). Kept in memory only.")
CARE_HOME_LIMITS = (f"Up to {CARE_HOME_LIST.max_rows:,} rows of data and {CARE_HOME_LIST.max_columns:,} columns (the "
                    f"file size limit is under the box), of which up to {MAX_CARE_HOMES_NEAR:,} homes in or near the "
                    f"council. Kept in memory only.")

_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto)(?=:)|www(?=\.)|(?=@)")
"""Where GitHub-flavoured Markdown would start a link by itself: before ``://`` and ``www.``, and before ``@``."""
REMEMBERED_UPLOADS = 8
"""Upload results kept per session, so a rerun (every widget change) does not read a file again."""


WHOLE = "localized"
"""Column format of whole numbers with thousands separators (printf formats have none). Streamlit shows what it is
given, so the values are rounded first (:func:`whole_numbers`)."""


def whole_numbers(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with those of ``columns`` it has rounded to whole numbers, for display as :data:`WHOLE`."""
    return frame.assign(**{name: pd.to_numeric(frame[name], errors="coerce").round() for name in columns
                           if name in frame})


def follows_default(key: str, default: float) -> str:
    """The key of a number box that shows ``default`` (moved when the default changes, e.g. with the fee) until the
    user types a value of their own, which is then kept: a typed figure is never dropped without a word."""
    default = round(float(default), 2)
    shown = st.session_state.get(f"{key}_default")
    if key not in st.session_state or (shown is not None and st.session_state[key] == shown):
        st.session_state[key] = default
    st.session_state[f"{key}_default"] = default
    return key



def signature(*parts: object) -> str:
    """A short key of everything a stored result depends on (JSON of the parts, other values as text), so a result
    kept in the session is used again only for the same inputs."""
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


def plain(text: object) -> str:
    """Text that Streamlit's Markdown shows exactly as written: no link, image, HTML, emphasis or emoji code.

    Every ASCII punctuation sign is escaped with a backslash (CommonMark shows it literally); control and
    direction-changing characters are shown as ``\\uXXXX`` so they can neither hide nor reorder text; and a
    zero-width space goes where GitHub-flavoured Markdown would turn an address into a link by itself
    (``http://``, ``www.``, ``name@host``), which escaping cannot prevent.
    """
    visible = _INVISIBLE.sub(lambda match: f"\\u{ord(match.group()):04x}", str(text))
    unlinked = _AUTOLINK.sub(lambda match: match.group() + "\u200b", visible)  # escapes cannot stop these links
    return _MARKDOWN_SIGNS.sub(r"\\\1", unlinked)


def show_error(error: Exception, where=st) -> None:
    """One of our errors as a message box: its text quotes the user's file, so it is shown as plain text."""
    where.error(plain(error))


def engine_note(engine: TravelEngine) -> None:
    """State the travel-time method in force under a map or table; estimates get a warning colour."""
    label = plain(engine.label.removeprefix("ESTIMATE — "))  # an uploaded network's label holds its file name
    if engine.is_estimate:
        st.warning(f"Road figures are **estimates**: {label}. Load a road network in the sidebar for real road "
                   f"distances.", icon="⚠️")
    else:
        st.caption(f"Travel times and road distances: {label}.")


def problem_table(rows: list, columns: list, messages: list) -> None:
    """Problems of a file as a table of text (row, column, problem): cells are never read as Markdown or links."""
    frame = pd.DataFrame({"row": [str(row) if row is not None else "" for row in rows],
                          "column": [str(column or "") for column in columns], "problem": [str(m) for m in messages]})
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={name: st.column_config.TextColumn(name) for name in frame.columns})


def show_upload_result(table: UploadSummary) -> None:
    """Summarise an uploaded file in one message that agrees with every row left out (:meth:`UploadSummary.outcome`:
    a success only when nothing was), then how it was read, and every problem row by row."""
    kept = len(table.records)
    message = plain(table.outcome())
    if table.problems:
        st.warning(message)
    elif table.left_out():
        st.info(message)
    else:
        st.success(message)
    for note in table.notes:
        st.info(plain(note))
    if table.problems:
        with st.expander(f"Problems in the file ({len(table.problems):,})", expanded=kept == 0):
            problem_table([p.row for p in table.problems], [p.column for p in table.problems],
                          [p.message for p in table.problems])


def read_upload(uploaded, reader: Callable[[bytes, str], UploadSummary], *,
                key: Hashable | None = None) -> UploadSummary | None:
    """Run a file reader on an upload, showing a file-level problem as a message (never a traceback).

    The result is remembered in the session (in memory, never on disk) by the file's content and name, so a
    rerun does not read the file again: a refused file is refused at once. Give ``key`` (e.g. the council and
    the settings the reader uses) to remember accepted files too; without it only refusals of the file as a
    whole are remembered, as they do not depend on settings.
    """
    if uploaded is None:
        return None
    content = uploaded.getvalue()
    code = getattr(reader, "__code__", None)
    memo_key = (code.co_filename, code.co_firstlineno) if code else repr(reader), key, \
        hashlib.sha256(content).hexdigest(), uploaded.name
    memory: OrderedDict = st.session_state.setdefault("_upload_results", OrderedDict())
    if memo_key in memory:
        memory.move_to_end(memo_key)
        result = memory[memo_key]
    else:
        try:
            result = reader(content, uploaded.name)
        except InputDataError as error:
            result = error
        if key is not None or (isinstance(result, InputDataError) and not result.problems):
            memory[memo_key] = result
            while len(memory) > REMEMBERED_UPLOADS:
                memory.popitem(last=False)
    if isinstance(result, InputDataError):
        show_error(result)
        if result.problems:
            with st.expander(f"Problems in the file ({len(result.problems):,})"):
                problem_table([""] * len(result.problems), [""] * len(result.problems), result.problems)
        return None
    show_upload_result(result)
    return result


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
