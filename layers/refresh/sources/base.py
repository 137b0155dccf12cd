"""What every publisher's adapter provides, and what it is given.

An adapter (:class:`Source`) does two separate things, so the same checks and conversion serve a fresh download, a
cached one and a file downloaded by hand:

- :meth:`Source.download` asks the publisher and files the raw answers in the cache as one release;
- :meth:`Source.convert` reads raw files (a cached release, or files found in a folder), checks them (columns by
  name, row counts, plausibility against other sources) and returns the pack's tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import pandas as pd

from layers.refresh.cache import RawCache, Release, Staging
from layers.refresh.fetch import Client, Download

Progress = Callable[[str], None]
PackReader = Callable[[str], "pd.DataFrame | None"]


class RawFiles(Protocol):
    """Raw files of one release: a cached :class:`~layers.refresh.cache.Release` or files found in a folder."""

    name: str

    @property
    def vintage(self) -> str: ...

    def role_vintage(self, role: str) -> str: ...

    def paths(self, role: str) -> list[Path]: ...


@dataclass
class FolderFiles:
    """Files of one source found in a folder by :func:`layers.refresh.recognise.recognise`.

    Attributes
    ----------
    files : dict
        Role -> paths.
    vintage : str
        What the files say of their date (a date in the CQC file's name…), else their modification date.
    vintages : dict
        Role -> vintage, where a role's files say more than the whole.
    """

    files: dict[str, list[Path]]
    vintage: str
    vintages: dict[str, str] = field(default_factory=dict)
    name: str = "files downloaded by hand"

    def role_vintage(self, role: str) -> str:
        return self.vintages.get(role) or self.vintage

    def paths(self, role: str) -> list[Path]:
        return list(self.files.get(role, []))


@dataclass
class Converted:
    """The tables made from one release.

    Attributes
    ----------
    tables : dict
        Table name -> frame with exactly the pack's columns.
    vintages : dict
        Table name -> vintage as the publisher states it.
    notes : list of str
        What the checks found worth saying (a service that moved, a check skipped and why).
    """

    tables: dict[str, pd.DataFrame]
    vintages: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What an adapter may use besides its own files.

    Attributes
    ----------
    client : Client
        The session with the publishers.
    cache : RawCache
        The raw cache.
    progress : callable
        Takes one line of progress for the user.
    made : dict
        Tables converted earlier in this run (a later source checks against them).
    pack_reader : callable, optional
        Reads a table of the national pack by name, the copy refreshed earlier if any (None when there is no such
        table): :func:`layers.refresh.run.held_table` unless a test gives another.
    """

    client: Client
    cache: RawCache
    progress: Progress
    made: dict[str, pd.DataFrame] = field(default_factory=dict)
    pack_reader: PackReader | None = None

    def download_file(self, source: str, role: str, url: str, name: str, *,
                      md5: str | None = None) -> tuple[Staging, Download]:
        """Download one large file of ``source`` (resuming an earlier attempt) and stage it as ``role`` of a new
        release; the caller commits the staging with the release's name and vintage.

        Raises
        ------
        PublisherError, TruncatedDownload, ChecksumMismatch
            As :meth:`layers.refresh.fetch.Client.download`.
        """
        self.progress(f"{source}: downloading {name}…")
        download = self.client.download(url, self.cache.download_path(source, name), md5=md5, progress=self.progress)
        staging = self.cache.stage(source)
        download.path = staging.adopt(role, download.path, url=download.url, sha256=download.sha256)
        if md5:
            staging.files[-1]["md5"] = md5
        return staging, download

    def table(self, name: str) -> pd.DataFrame | None:
        """The newest copy of a table there is: made in this run, else the pack's (refreshed earlier, else
        shipped)."""
        if name in self.made:
            return self.made[name]
        return self.pack_reader(name) if self.pack_reader else None


class Source:
    """One publisher's data (subclasses set the attributes and implement the two steps).

    Attributes
    ----------
    name : str
        What ``--refresh`` calls it (``"care_homes"``).
    title : str
        What it is and who publishes it, for messages.
    tables : tuple of str
        The tables it writes.
    roles : dict
        Role of each raw file -> what that file is (for "found / lacking" reports).
    required_roles : tuple of str
        Roles without which nothing can be made.
    where_to_get : str
        Where a user downloads its files by hand.
    """

    name: str = ""
    title: str = ""
    tables: tuple[str, ...] = ()
    roles: dict[str, str] = {}
    required_roles: tuple[str, ...] = ()
    where_to_get: str = ""

    def urls(self) -> list[str]:
        """The addresses it asks (read from the settings when called), for the reachability check."""
        raise NotImplementedError

    def download(self, context: Context) -> Release:
        """Fetch the current release into the cache (or find it there already) and return it.

        Raises
        ------
        PublisherError, TruncatedDownload, ChecksumMismatch
            When the publisher cannot give it.
        """
        raise NotImplementedError

    def convert(self, files: RawFiles, context: Context) -> Converted:
        """Check raw files and make the pack's tables from them.

        Raises
        ------
        SourceCheckFailed
            Naming what is wrong (a missing column, too few rows, figures that disagree).
        """
        raise NotImplementedError


def modified_vintage(paths: list[Path], what: str) -> str:
    """A vintage for files that do not state their date: their names and the last modification date."""
    stamps = [path.stat().st_mtime for path in paths if path.exists()]
    when = dt.date.fromtimestamp(max(stamps)).isoformat() if stamps else "date unknown"
    return f"{what}, {', '.join(path.name for path in paths)} (files dated {when})"


def today() -> str:
    """Today's date, ISO, UTC (a release name for data published without one)."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()
