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
:func:`layer_vintages`
    The vintage each council layer takes from the tables refreshed so far.

The contract with the national pack
-----------------------------------
There is one registry of the pack's tables, :data:`layers.national.PACK_TABLES`, and one writer,
:func:`layers.national.write_pack_table`: a refreshed table is written to ``settings.home / "national" /
"<table>.parquet"`` with exactly the columns and types of the shipped table of the same name (or of a table in the
publisher's current shape, such as ``population_lsoa21``), its vintage and origin in its Parquet metadata
(:func:`layers.national.refreshed_tables`). The pack's reader prefers it over the shipped copy.
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
from layers.refresh.run import (
    FROM_CACHE,
    REFRESHED,
    SHIPPED,
    Outcome,
    RefreshReport,
    held_table,
    layer_vintages,
    refresh,
    resolve_sources,
    source_dates,
    write_table,
)
from layers.refresh.sources import SOURCE_NAMES

__all__ = ["FROM_CACHE", "REFRESHED", "SHIPPED", "SOURCE_NAMES", "ChecksumMismatch", "Outcome", "PublisherError",
           "PublishersUnreachable", "Recognition", "RefreshError", "RefreshReport", "SourceCheckFailed",
           "TruncatedDownload", "held_table", "layer_vintages", "recognise", "refresh", "resolve_sources",
           "source_dates", "write_table"]
