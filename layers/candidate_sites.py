"""Places a user proposes for a new care home: a list of names with postcodes or latitude/longitude, read as the
care homes are, sites more than 15 km outside the council left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import geopandas as gpd

from geo.errors import InputDataError
from layers.care_homes import COLUMNS, locate_home, near_council
from layers.cell_values import cell_text, is_blank, points_frame
from layers.postcodes import postcode_index
from layers.user_files import MAX_CARE_HOME_BYTES, RowProblem, TableLimits, UploadSummary, match_columns, quote, shown_name
from layers.user_tables import read_table

MAX_CANDIDATE_SITES = 500
"""Most candidate sites read from a user's list (each one is a column of the site-choice matrix)."""
CANDIDATE_KIND = "your candidate"
"""The ``kind`` of a site from a user's list of candidates."""
CANDIDATE_LIST = TableLimits("list of candidate sites", MAX_CARE_HOME_BYTES, MAX_CANDIDATE_SITES)


@dataclass
class CandidateSites(UploadSummary):
    """Places a user proposes for a new care home: ``name``, ``kind`` (:data:`CANDIDATE_KIND`), ``postcode`` and
    point geometry (BNG)."""

    sites: gpd.GeoDataFrame
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    noun = "candidate site"
    records_attribute = "sites"
    skip_words = {"far": "more than 15 km outside the council"}


def read_candidate_sites(content: bytes, filename: str, *, postcodes: gpd.GeoDataFrame,
                         outline: gpd.GeoDataFrame) -> CandidateSites:
    """Read a list of candidate sites for a new home (name and postcode or latitude/longitude; CSV, XLSX, ODS).

    Sites more than 15 km outside the council are left out (noted); rows that cannot be placed are listed
    in ``problems``.

    Raises
    ------
    InputDataError
        If the file cannot be read, lacks a name and a location column, holds more than
        :data:`MAX_CANDIDATE_SITES` rows or no usable site.
    """
    synonyms = {key: COLUMNS[key] for key in ("postcode", "lat", "lon")} | {
        "name": (*COLUMNS["name"], "site", "site_name", "place")}
    table = read_table(content, filename, limits=CANDIDATE_LIST, columns=synonyms)
    frame, notes = table.frame, table.notes
    columns = match_columns(frame.columns, synonyms)
    if "name" not in columns or not ("postcode" in columns or {"lat", "lon"} <= set(columns)):
        raise InputDataError(f"{shown_name(filename)} does not look like a list of candidate sites: it needs a name "
                             f"column and a postcode or latitude/longitude. Its columns: "
                             f"{', '.join(map(quote, table.headers[:12]))}.")
    lookup = postcode_index(postcodes)
    council_area = outline.union_all()
    rows, problems, far = [], list(table.problems), 0
    for row_number, record in zip(frame.index, frame.to_dict("records")):
        get = partial(cell_text, record, columns)
        if is_blank(record):
            continue
        located = locate_home(get, columns, lookup, postcodes)
        if isinstance(located, RowProblem):
            problems.append(RowProblem(row_number, located.column, located.message))
            continue
        x, y, postcode = located
        if not near_council(council_area, [x], [y])[0]:
            far += 1
            continue
        rows.append({"name": get("name") or f"row {row_number}", "kind": CANDIDATE_KIND, "postcode": postcode,
                     "x": x, "y": y})
    if not rows:
        raise InputDataError(f"No candidate site in {shown_name(filename)} lies in or near the council.",
                             [str(problem) for problem in problems])
    return CandidateSites(points_frame(rows), problems, notes, {"far": far} if far else {})
