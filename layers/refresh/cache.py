"""The raw cache: every publisher's file kept as downloaded, one folder per release, with a manifest.

Layout::

    <cache_folder>/raw/<source>/<release>/<files…>
    <cache_folder>/raw/<source>/<release>/manifest.json
    <cache_folder>/raw/<source>/.downloads/<file>.part     (an interrupted download, resumed next time)

The manifest records, for each file, the address it came from, when, its size, its SHA-256 and what it counted
(rows, features), plus the release's vintage as the publisher states it. A file whose bytes no longer match its
SHA-256 is detected before it is used (:meth:`Release.verify`), so a damaged cache is never read as data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from geo.settings import settings
from layers.refresh.errors import ChecksumMismatch
from layers.refresh.fetch import file_sha256

MANIFEST = "manifest.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def now_utc() -> datetime:
    """The current time, UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def safe_name(text: str) -> str:
    """A release or file name usable as one folder or file name on every platform."""
    return _UNSAFE.sub("_", text).strip("._") or "unnamed"


def age_text(retrieved: datetime, now: datetime | None = None) -> str:
    """How old a download is, in words (``"3 days old (downloaded 2026-12-01)"``)."""
    days = ((now or now_utc()) - retrieved).total_seconds() / 86400
    if days < 1:
        return f"less than a day old (downloaded {retrieved:%Y-%m-%d %H:%M} UTC)"
    whole = int(days)
    return f"{whole} day{'s' if whole != 1 else ''} old (downloaded {retrieved:%Y-%m-%d})"


@dataclass
class Release:
    """One release of one source in the cache.

    Attributes
    ----------
    folder : Path
        Its folder.
    manifest : dict
        ``source``, ``release``, ``vintage``, ``retrieved`` (ISO time), ``counts`` and ``files`` (each ``role``,
        ``name``, ``url``, ``retrieved``, ``size``, ``sha256``, ``counts``).
    """

    folder: Path
    manifest: dict[str, Any]

    @property
    def source(self) -> str:
        return self.manifest["source"]

    @property
    def name(self) -> str:
        return self.manifest["release"]

    @property
    def vintage(self) -> str:
        return self.manifest.get("vintage", "")

    @property
    def retrieved(self) -> datetime:
        return datetime.fromisoformat(self.manifest["retrieved"])

    def age_days(self, now: datetime | None = None) -> float:
        return ((now or now_utc()) - self.retrieved).total_seconds() / 86400

    def age_text(self, now: datetime | None = None) -> str:
        return age_text(self.retrieved, now)

    def role_vintage(self, role: str) -> str:
        """The vintage of one role's files (the release's unless recorded apart)."""
        return (self.manifest.get("roles") or {}).get(role, {}).get("vintage") or self.vintage

    def paths(self, role: str) -> list[Path]:
        """The files of one role (``"pages"``, ``"epraccur"``…), in the order they were recorded."""
        return [self.folder / entry["name"] for entry in self.manifest["files"] if entry["role"] == role]

    def path(self, role: str) -> Path:
        """The one file of a role (KeyError if there is none)."""
        paths = self.paths(role)
        if not paths:
            raise KeyError(role)
        return paths[0]

    @property
    def rejected(self) -> str:
        """Why the tool refused this release's data (``""`` if it did not): it stays for inspection, unused."""
        return self.manifest.get("rejected", "")

    def reject(self, reason: str) -> None:
        """Record that this release's data failed the checks, so it is not used again (its files stay)."""
        self.manifest["rejected"] = reason
        (self.folder / MANIFEST).write_text(json.dumps(self.manifest, indent=1, ensure_ascii=False), encoding="utf-8")

    def verify(self) -> None:
        """Check every file against its recorded size and SHA-256.

        Raises
        ------
        ChecksumMismatch
            Naming the first file that is missing or differs, and what to do.
        """
        for entry in self.manifest["files"]:
            path = self.folder / entry["name"]
            fix = f"Delete {self.folder} and refresh online again."
            if not path.is_file():
                raise ChecksumMismatch(f"The cached {self.source} release {self.name} lacks {entry['name']}. {fix}")
            if path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
                raise ChecksumMismatch(f"The cached {self.source} file {path} does not match the SHA-256 recorded "
                                       f"when it was downloaded: it has been changed or damaged. {fix}")


class Staging:
    """A release being assembled: files are added as they arrive, then :meth:`commit` files it under its release
    name (replacing an older copy of the same release) with its manifest. Nothing half-downloaded is ever seen as a
    release."""

    def __init__(self, cache: "RawCache", source: str) -> None:
        self.cache, self.source = cache, source
        self.folder = cache.root / source / f".staging-{uuid.uuid4().hex[:12]}"
        self.folder.mkdir(parents=True)
        self.files: list[dict[str, Any]] = []

    def _entry(self, role: str, path: Path, url: str, counts: dict[str, int] | None, sha256: str = "") -> Path:
        self.files.append({"role": role, "name": path.name, "url": url, "retrieved": now_utc().isoformat(),
                           "size": path.stat().st_size, "sha256": sha256 or file_sha256(path), "counts": counts or {}})
        return path

    def write(self, role: str, name: str, content: bytes, *, url: str, counts: dict[str, int] | None = None) -> Path:
        """Add a file from bytes in memory (an API page)."""
        path = self.folder / safe_name(name)
        path.write_bytes(content)
        return self._entry(role, path, url, counts)

    def adopt(self, role: str, path: Path, *, url: str, name: str | None = None,
              counts: dict[str, int] | None = None, sha256: str = "") -> Path:
        """Add a file already on disk (a finished download, whose SHA-256 may be known already), moving it into the
        release."""
        target = self.folder / safe_name(name or path.name)
        shutil.move(str(path), target)
        return self._entry(role, target, url, counts, sha256)

    def count(self, name: str, counts: dict[str, int]) -> None:
        """Record what a file was found to hold, once it has been read."""
        for entry in self.files:
            if entry["name"] == name:
                entry["counts"].update(counts)

    def commit(self, release: str, *, vintage: str, counts: dict[str, int] | None = None,
               notes: list[str] | None = None, roles: dict[str, dict[str, Any]] | None = None) -> Release:
        """File the staged files as ``release`` and write its manifest (``roles``: what to remember of each role,
        such as its own ``vintage`` or the service it came from)."""
        manifest = {"source": self.source, "release": release, "vintage": vintage,
                    "retrieved": min((entry["retrieved"] for entry in self.files), default=now_utc().isoformat()),
                    "counts": counts or {}, "notes": notes or [], "roles": roles or {}, "files": self.files}
        (self.folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        target = self.cache.root / self.source / safe_name(release)
        if target.exists():
            shutil.rmtree(target)
        os.replace(self.folder, target)
        return Release(target, manifest)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class RawCache:
    """The raw cache under ``root`` (default ``settings.cache_folder / "raw"``, read when used)."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root or settings.cache_folder / "raw"

    def stage(self, source: str) -> Staging:
        """Start assembling a release of ``source``."""
        return Staging(self, source)

    def download_path(self, source: str, name: str) -> Path:
        """Where a large download of ``source`` is written while it arrives (a stable place, so an interrupted
        download resumes on the next run)."""
        return self.root / source / ".downloads" / safe_name(name)

    def releases(self, source: str) -> list[Release]:
        """Every cached release of ``source`` with a readable manifest, the most recently downloaded first."""
        folder = self.root / source
        found = []
        for manifest in folder.glob(f"*/{MANIFEST}") if folder.is_dir() else ():
            if manifest.parent.name.startswith("."):
                continue
            try:
                found.append(Release(manifest.parent, json.loads(manifest.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                continue
        return sorted(found, key=lambda release: release.manifest.get("retrieved", ""), reverse=True)

    def find(self, source: str, release: str) -> Release | None:
        """The cached copy of one release, if it is there and intact."""
        for cached in self.releases(source):
            if cached.name == release and not cached.rejected:
                try:
                    cached.verify()
                except ChecksumMismatch:
                    return None
                return cached
        return None

    def usable(self, source: str) -> Iterator[Release | str]:
        """The intact, unrejected releases of ``source``, the most recent first; a damaged one yields, in its
        place, the message saying so."""
        for release in self.releases(source):
            if release.rejected:
                continue
            try:
                release.verify()
            except ChecksumMismatch as error:
                yield str(error)
                continue
            yield release

    def latest(self, source: str) -> tuple[Release | None, list[str]]:
        """The most recent intact release of ``source``, and a note for each newer one skipped as damaged."""
        skipped = []
        for item in self.usable(source):
            if isinstance(item, str):
                skipped.append(item)
                continue
            return item, skipped
        return None, skipped
