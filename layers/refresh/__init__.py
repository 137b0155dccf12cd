"""Current data from the publishers: the national tables refreshed online, from the raw cache, or from files
downloaded by hand.

Public entries
--------------
:func:`refresh`
    ``refresh(sources="all", *, offline=False, from_folder=None, progress=None)`` fetches (or reads), checks,
    converts and writes each source's tables and returns a :class:`RefreshReport` (per source: refreshed / from
    cache, how old / shipped copy kept, why).
:func:`recognise`
    ``recognise(folder)`` says which publishers' files a folder holds (by their content) and which it lacks.
:func:`refreshed`, :func:`read_refreshed_table`, :func:`layer_vintages`
    What has been refreshed (``settings.home / "national" / "refreshed.json"``), a refreshed table, and the vintage
    each council layer takes from them.

The contract with the national pack
-----------------------------------
A refreshed table is written to ``settings.home / "national" / "<table>.parquet"`` (GeoParquet, WGS84, for the two
boundary tables) with exactly the columns listed in :data:`TABLES` — those of the pack's source file where the
table replaces one — and its vintage recorded in ``refreshed.json``. The pack's reader prefers it over the shipped
table of the same name.
"""

from layers.refresh.errors import (
    ChecksumMismatch,
    PublisherError,
    PublishersUnreachable,
    RefreshError,
    SourceCheckFailed,
    TruncatedDownload,
)
from layers.refresh.recognise import Recognition, recognise
from layers.refresh.run import FROM_CACHE, REFRESHED, SHIPPED, Outcome, RefreshReport, refresh, resolve_sources
from layers.refresh.sources import SOURCE_NAMES
from layers.refresh.tables import TABLES, layer_vintages, read_refreshed_table, refreshed, write_table

__all__ = ["FROM_CACHE", "REFRESHED", "SHIPPED", "SOURCE_NAMES", "TABLES", "ChecksumMismatch", "Outcome",
           "PublisherError", "PublishersUnreachable", "Recognition", "RefreshError", "RefreshReport",
           "SourceCheckFailed", "TruncatedDownload", "layer_vintages", "read_refreshed_table", "recognise", "refresh",
           "refreshed", "resolve_sources", "write_table"]
