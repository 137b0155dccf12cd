"""Bring the national tables up to date: each source fetched (or read from the cache, or from files downloaded by
hand), checked, converted and written, and what happened said source by source.

Per source the outcome is one of:

``refreshed``
    From the publisher now, or from the files in ``--from FOLDER``.
``from cache``
    The publisher could not give it (down, refused, moved, a check failed, or ``--offline``): the newest intact
    cached download was used instead, and the outcome says how old it is.
``shipped copy kept``
    Nothing usable: the tool goes on with the copy it ships (or refreshed earlier), whose vintage the outcome names.

On a machine with no internet at all, :func:`refresh` stops within seconds with one message (unless ``offline``).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from geo.errors import DataFileError
from layers import national, workbooks
from layers.refresh.cache import RawCache, Release
from layers.refresh.errors import ChecksumMismatch, PublisherError, SourceCheckFailed
from layers.refresh.fetch import Client, endpoint, require_online
from layers.refresh.recognise import Recognition, recognise
from layers.refresh.sources import all_sources
from layers.refresh.sources.base import Context, PackReader, Progress, RawFiles, Source

REFRESHED, FROM_CACHE, SHIPPED = "refreshed", "from cache", "shipped copy kept"
MINIMUM_SHARE_OF_PREVIOUS = 0.9
"""A refreshed table with fewer rows than this share of the copy it replaces is refused (a publisher's answer
truncated somewhere no other check sees)."""

Writer = Callable[..., Path]


def write_table(name: str, frame: pd.DataFrame, *, vintage: str, source: str, release: str = "") -> Path:
    """Write a refreshed table with the pack's one writer (:func:`layers.national.write_pack_table`) into the
    user's folder, where the pack's reader prefers it over the shipped copy.

    Raises
    ------
    SourceCheckFailed
        If the frame lacks one of the table's columns (named).
    """
    try:
        return national.write_pack_table(name, frame, vintage=vintage, source=source, release=release)
    except DataFileError as error:
        raise SourceCheckFailed(f"Refusing to write it: {error}") from error


def held_vintages(adapter: Source) -> dict[str, tuple[str, bool]]:
    """The vintage of each table of a source as the tool holds it now, and whether it was refreshed (else shipped;
    for a table in the publisher's current shape not yet made: the shipped table it stands for)."""
    earlier = national.refreshed_tables()
    vintages = {}
    for table in adapter.tables:
        if table in earlier:
            vintages[table] = (earlier[table]["vintage"], True)
        elif national.PACK_TABLES[table].shipped:
            vintages[table] = (national.PACK_TABLES[table].vintage, False)
        elif table in national.NEWER_SHAPES:
            vintages[table] = (national.table_vintage(national.NEWER_SHAPES[table]), False)
    return vintages


def source_dates() -> list[tuple[str, str, list[str], bool]]:
    """Each source the tool refreshes: (name, what it is, the vintages of its data held now, whether refreshed), for
    the app's list."""
    dates = []
    for name, adapter in all_sources().items():
        held = held_vintages(adapter).values()
        dates.append((name, adapter.title, list(dict.fromkeys(vintage for vintage, _ in held)),
                      any(refreshed for _, refreshed in held)))
    return dates


def held_table(name: str) -> pd.DataFrame | None:
    """The pack's table ``name`` as the tool holds it now (refreshed earlier, else shipped), or None."""
    return national.read_pack_table(name) if national.has_table(name) else None


def layer_vintages() -> dict[str, str]:
    """The vintage each council layer (keys of :data:`layers.catalog.DATASETS`) takes from the tables refreshed so
    far."""
    return national.layer_vintages({name: record["vintage"] for name, record in national.refreshed_tables().items()})
UNREADABLE = (ValueError, KeyError, IndexError, OSError, UnicodeError, zipfile.BadZipFile, *workbooks.READ_ERRORS)
"""What reading a damaged or unexpected file can raise (pandas' parser errors are ValueErrors)."""


@dataclass
class Outcome:
    """What happened to one source.

    Attributes
    ----------
    source : str
    status : str
        :data:`REFRESHED`, :data:`FROM_CACHE` or :data:`SHIPPED`.
    tables : dict
        Table written -> its rows.
    vintages : dict
        Table written -> its vintage as the publisher states it (for the shipped copy: its vintage).
    release : str
        The release used (a cached folder's name, or "files downloaded by hand").
    age : str
        For a cached release: how old it is.
    why : str
        Why the publisher's current data were not used (empty when they were).
    notes : list of str
        What the checks said.
    """

    source: str
    status: str
    tables: dict[str, int] = field(default_factory=dict)
    vintages: dict[str, str] = field(default_factory=dict)
    release: str = ""
    age: str = ""
    why: str = ""
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line (two with a reason) for the user."""
        if self.status == SHIPPED:
            text = f"{self.source}: shipped copy kept ({'; '.join(sorted(set(self.vintages.values()))) or 'as shipped'})"
        else:
            rows = sum(self.tables.values())
            vintage = "; ".join(sorted(set(self.vintages.values())))
            text = f"{self.source}: {self.status} — {vintage} ({len(self.tables)} table{'s' * (len(self.tables) > 1)}, " \
                   f"{rows:,} rows)"
            if self.status == FROM_CACHE:
                text += f", the cached download is {self.age}"
        return text + (f"\n    because: {self.why}" if self.why else "")


@dataclass
class RefreshReport:
    """Every source's outcome, and what a folder held when files were read from one."""

    outcomes: list[Outcome]
    recognition: Recognition | None = None

    @property
    def complete(self) -> bool:
        """True when every source asked for was refreshed now (not from the cache or kept as shipped)."""
        return all(outcome.status == REFRESHED for outcome in self.outcomes)

    def text(self) -> str:
        lines = [self.recognition.report(), ""] if self.recognition else []
        return "\n".join(lines + [outcome.line() for outcome in self.outcomes])

    def layer_vintages(self) -> dict[str, str]:
        """The vintage each council layer gets from the tables written in this run (keys of
        :data:`layers.catalog.DATASETS`), for the ``[vintages]`` table of a council cut from them."""
        return national.layer_vintages({table: vintage for outcome in self.outcomes if outcome.status != SHIPPED
                                        for table, vintage in outcome.vintages.items()})


def resolve_sources(sources: str | Iterable[str]) -> list[str]:
    """Source names in the order they run, from ``"all"``, one name or several.

    Raises
    ------
    ValueError
        Naming an unknown source and the known ones.
    """
    known = list(all_sources())
    wanted = [sources] if isinstance(sources, str) else list(sources)
    if "all" in wanted:
        return known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"Unknown source {', '.join(unknown)}: choose from all, {', '.join(known)}.")
    return [name for name in known if name in wanted]


def refresh(sources: str | Iterable[str] = "all", *, offline: bool = False, from_folder: str | Path | None = None,
            progress: Progress | None = None, client: Client | None = None, cache: RawCache | None = None,
            pack_reader: PackReader | None = None, writer: Writer = write_table,
            adapters: Iterable[Source] = (), on_outcome: Callable[[Outcome], None] | None = None) -> RefreshReport:
    """Fetch, check, convert and write the national tables of the given sources.

    Parameters
    ----------
    sources : "all", a source name, or several
        See :data:`layers.refresh.sources.SOURCE_NAMES`.
    offline : bool
        Use only the raw cache (no request at all).
    from_folder : path, optional
        Read the publishers' files downloaded by hand into this folder instead of asking the publishers.
    progress : callable, optional
        Receives one line at a time (a progress bar's label, or ``print``).
    client, cache : optional
        The session with the publishers and the raw cache (defaults from the settings).
    pack_reader : callable, optional
        Reads a table of the pack by name (default :func:`held_table`: refreshed earlier, else shipped), for the
        checks that compare a new table with another source's and with the copy it replaces.
    writer : callable
        Writes one table (:func:`write_table`'s signature).
    adapters : iterable of Source
        Adapters used instead of the default ones of the same name (the ONS Postcode Directory instead of
        Code-Point: ``PostcodesSource("onspd")``; the population of another Nomis dataset).
    on_outcome : callable, optional
        Called with each source's :class:`Outcome` as soon as it is done (a progress bar's step).

    Returns
    -------
    RefreshReport

    Raises
    ------
    PublishersUnreachable
        Within seconds, when no publisher can be reached (and neither ``offline`` nor ``from_folder`` is given).
    ValueError
        For an unknown source name.
    """
    names = resolve_sources(sources)
    chosen = {**all_sources(), **{adapter.name: adapter for adapter in adapters}}
    context = Context(client=client or Client(), cache=cache or RawCache(), progress=progress or (lambda line: None),
                      pack_reader=pack_reader or held_table)
    run = _Run(context, writer)
    recognition = recognise(from_folder) if from_folder is not None else None
    answers: dict[str, bool] = {}
    if recognition is None and not offline:
        context.progress("Checking the connection to the publishers…")
        answers = require_online([url for name in names for url in chosen[name].urls()])
    outcomes = []
    for name in names:
        adapter = chosen[name]
        if recognition is not None:
            outcome = run.from_folder(adapter, recognition)
        elif offline:
            outcome = run.from_cache(adapter, "offline: the raw cache only, as asked")
        elif not all(answers.get(url, False) for url in adapter.urls()):
            hosts = ", ".join(endpoint(url)[0] for url in adapter.urls())
            outcome = run.from_cache(adapter, f"cannot reach {hosts}")
        else:
            outcome = run.online(adapter)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
        context.progress(outcome.line())
    return RefreshReport(outcomes, recognition)


class _Run:
    """The steps of one refresh, sharing its context and writer."""

    def __init__(self, context: Context, writer: Writer) -> None:
        self.context, self.writer = context, writer

    def online(self, adapter: Source) -> Outcome:
        self.context.progress(f"{adapter.title}: asking the publisher…")
        try:
            release = adapter.download(self.context)
        except (PublisherError, ChecksumMismatch, SourceCheckFailed) as error:
            return self.from_cache(adapter, str(error))
        try:
            return self.write(adapter, release, REFRESHED)
        except SourceCheckFailed as error:
            release.reject(str(error))
            return self.from_cache(adapter, f"the current release failed the checks: {error}")

    def from_cache(self, adapter: Source, why: str) -> Outcome:
        problems = []
        for item in self.context.cache.usable(adapter.name):
            if isinstance(item, str):
                problems.append(item)
                continue
            try:
                outcome = self.write(adapter, item, FROM_CACHE)
            except SourceCheckFailed as error:
                problems.append(f"cached release {item.name}: {error}")
                continue
            outcome.age, outcome.why = item.age_text(), why
            outcome.notes = problems + outcome.notes
            return outcome
        return self.shipped(adapter, why + "; no usable download in the cache" + (f" ({'; '.join(problems)})"
                                                                                     if problems else ""))

    def from_folder(self, adapter: Source, recognition: Recognition) -> Outcome:
        files = recognition.files(adapter.name)
        if files is None:
            lacking = recognition.lacking().get(adapter.name, adapter.title)
            return self.shipped(adapter, f"no file for it in {recognition.folder} (needs {lacking})")
        try:
            return self.write(adapter, files, REFRESHED)
        except SourceCheckFailed as error:
            return self.shipped(adapter, str(error))

    def shipped(self, adapter: Source, why: str) -> Outcome:
        """Nothing new: the copy the tool already has stays (refreshed earlier, else shipped), with its vintage."""
        vintages = {table: f"{vintage} (refreshed earlier)" if refreshed else vintage
                    for table, (vintage, refreshed) in held_vintages(adapter).items()}
        return Outcome(adapter.name, SHIPPED, vintages=vintages, why=why)

    def write(self, adapter: Source, files: RawFiles | Release, status: str) -> Outcome:
        try:
            converted = adapter.convert(files, self.context)
        except UNREADABLE as error:  # a damaged or foreign file the adapter's own checks did not name
            raise SourceCheckFailed(f"{adapter.title}: cannot read {files.name} ({type(error).__name__}: "
                                    f"{str(error)[:200]}).") from error
        for table, frame in converted.tables.items():
            _not_much_smaller(table, frame, self.context.table(table))
        for table, frame in converted.tables.items():
            self.writer(table, frame, vintage=converted.vintages[table], source=adapter.name, release=files.name)
            self.context.made[table] = frame
        return Outcome(adapter.name, status, tables={table: len(frame) for table, frame in converted.tables.items()},
                       vintages=dict(converted.vintages), release=files.name, notes=list(converted.notes))


def _not_much_smaller(table: str, frame: pd.DataFrame, previous: pd.DataFrame | None) -> None:
    if previous is not None and len(frame) < MINIMUM_SHARE_OF_PREVIOUS * len(previous):
        raise SourceCheckFailed(f"{table} would have {len(frame):,} rows, fewer than {MINIMUM_SHARE_OF_PREVIOUS:.0%} of "
                                f"the {len(previous):,} of the copy it replaces: the publisher's answer looks "
                                f"truncated.")
