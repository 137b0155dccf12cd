"""Page through a Nomis CSV query until every row it counted has arrived.

Nomis gives a guest at most 25,000 rows a call and answers parameters it does not understand with an empty page
(HTTP 200, no rows). Pages are asked from ``RecordOffset`` = rows received so far; the ``RECORD_COUNT`` column (the
query's own count, on every row) says when to stop, so a page cut short by the server or a short last page are
told apart from a truncated answer. An empty first page is an error that names the query.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import pandas as pd

from layers.refresh.cache import Staging
from layers.refresh.columns import require_equal
from layers.refresh.errors import PublisherError
from layers.refresh.fetch import Client

MAX_PAGES = 2_000
"""Pages of one query before it is deemed to loop (England's LSOAs by single year of age take about 130)."""


def parse_page(content: bytes) -> tuple[list[dict[str, str]], int | None]:
    """The rows of one CSV page and the query's ``RECORD_COUNT`` (None if the page does not carry it)."""
    text = content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    count = next((int(row["RECORD_COUNT"]) for row in rows if str(row.get("RECORD_COUNT", "")).strip().isdigit()),
                 None)
    return rows, count


def fetch_pages(client: Client, url: str, params: dict[str, str], staging: Staging, *, role: str, what: str) -> int:
    """Fetch every page of a Nomis query into the staging release.

    Returns
    -------
    int
        Rows received (equal to ``RECORD_COUNT`` when the query selects it).

    Raises
    ------
    PublisherError
        When the first page is empty (parameters Nomis does not know), or the pages never end.
    SourceCheckFailed
        When fewer rows arrive than Nomis counted.
    """
    seen, expected, page = 0, None, 0
    while page < MAX_PAGES:
        answer = client.get(url, {**params, "RecordOffset": seen})
        rows, count = parse_page(answer.content)
        if not rows:
            if seen == 0:
                shown = ", ".join(f"{key}={value}" for key, value in params.items() if key != "select")
                raise PublisherError(f"Nomis returned no rows for {what} ({shown}): it answers a dataset, geography "
                                     f"or date it does not know with an empty page. Check them on nomisweb.co.uk.",
                                     status=answer.status_code, url=answer.url)
            break
        staging.write(role, f"{role}-{page:04d}.csv", answer.content, url=answer.url, counts={"rows": len(rows)})
        expected = expected if expected is not None else count
        seen += len(rows)
        page += 1
        if expected is not None and seen >= expected:
            break
    else:
        raise PublisherError(f"Nomis kept sending pages for {what} ({MAX_PAGES:,} of them): giving up.", url=url)
    if expected is not None:
        require_equal(seen, expected, where=f"Nomis {what}", what="rows arrived")
    return seen


def chunks(paths: list[Path], *, rows: int = 500_000) -> Iterator[pd.DataFrame]:
    """Saved pages (or a Nomis CSV downloaded by hand, however large) as frames of text of at most ``rows`` rows,
    column names upper-cased (Nomis's own)."""
    for path in paths:
        if not path.stat().st_size:
            continue
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=rows):
            chunk.columns = [str(column).strip().upper() for column in chunk.columns]
            yield chunk
