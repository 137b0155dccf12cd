"""A council's layers kept on disk once built, so that a fresh app draws its first map without building them again:
reading, joining and naming the layers and assigning PCN localities takes most of a second of CPU; reading them back
takes a tenth.

The layers are stored as GeoParquet and Parquet files (nothing pickled is ever read) in
``settings.cache_folder / "council_layers" / <slug> / <key>``, with ``index.json`` beside saying what they were built
from: every data file read while building them, with a digest of its content
(:func:`layers.io.files_read`), the council's settings file, and the source of the code that builds them
(``geo`` and ``layers``). They are used only while all of those are unchanged; a change to any, a damaged file or an
unreadable folder means the layers are built again. A cache that cannot be written (a read-only home) is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Mapping

import pandas as pd

from geo.council import Council
from geo.files import replaced_whole
from geo.settings import PROJECT_ROOT, settings

FORMAT = 1
"""Version of the stored layout (a change makes every stored council stale)."""
CODE_PACKAGES = ("geo", "layers")
"""Packages whose code shapes the layers: a change to any of their modules rebuilds them."""
LIBRARIES = ("pandas", "geopandas", "shapely", "pyproj", "pyogrio", "pyarrow", "numpy")
"""Libraries whose upgrade rebuilds the layers."""
ABANDONED_S = 3600
"""Age after which a half-written folder or index (left by a process killed while writing) is removed."""


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:32]


@cache
def code_digest() -> str:
    """Digest of the source of every module of :data:`CODE_PACKAGES` (read once a process)."""
    digest = hashlib.sha256()
    for package in CODE_PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def _folder(council: Council) -> Path:
    return settings.cache_folder / "council_layers" / council.slug


@cache
def library_versions() -> dict[str, str]:
    """Versions of the libraries that read, join and write the layers (an upgrade may change what they build)."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = ""
    return versions


def _file_digest(path: Path) -> str | None:
    """Digest of a file's content; None for a file that is not there (an optional file checked for and absent)."""
    return _digest(path.read_bytes()) if path.is_file() else None


def _sources(council: Council, files: list[Path]) -> dict[str, object] | None:
    """What a council's layers are built from, with the digest of each: the council's settings as loaded (its
    figures, area codes, PCN merges), the folder its data are read from (a setting, for a bundled council), the code,
    the libraries' versions and every data file read or looked for. None when a file cannot be read."""
    try:
        return {"format": FORMAT, "code": code_digest(), "libraries": library_versions(),
                "council": _digest(repr(council).encode()), "data_folder": str(council.data_dir.resolve()),
                "files": [[str(path), _file_digest(path)] for path in dict.fromkeys(files)]}
    except OSError:
        return None


def stored_layers(council: Council) -> dict[str, pd.DataFrame | str | None] | None:
    """The council's layers as stored (each a GeoDataFrame, DataFrame, text or None, by name), while everything they
    were built from is unchanged; else None."""
    index = _folder(council) / "index.json"
    try:
        record = json.loads(index.read_text(encoding="utf-8"))
        if record["sources"] != _sources(council, [Path(path) for path, _ in record["sources"]["files"]]):
            return None
        folder = _folder(council) / record["folder"]
        import geopandas as gpd  # here: a council's layers are GeoDataFrames, read back as such

        layers: dict[str, pd.DataFrame | str | None] = dict(record["texts"])
        for name, kind in record["frames"].items():
            path = folder / f"{name}.parquet"
            layers[name] = None if kind is None else gpd.read_parquet(path) if kind == "geo" else pd.read_parquet(path)
        return layers
    except Exception:  # a missing, stale or damaged cache (json, pyarrow and OS errors alike): the layers are rebuilt
        return None


def store_layers(council: Council, layers: Mapping[str, pd.DataFrame | str | None], files: list[Path]) -> None:
    """Keep a council's layers (by name: each a GeoDataFrame, DataFrame, short text or None) built from ``files``,
    replacing what was kept for it before. Written to a folder of its own, then named: a reader never sees half a
    cache. Nothing is kept when the cache folder cannot be written."""
    import geopandas as gpd

    frames = {name: value for name, value in layers.items() if not isinstance(value, str)}
    texts = {name: value for name, value in layers.items() if isinstance(value, str)}
    sources = _sources(council, files)
    if sources is None:
        return
    key = _digest(json.dumps(sources, sort_keys=True).encode())
    root = _folder(council)
    try:
        root.mkdir(parents=True, exist_ok=True)
        if not (root / key).is_dir():
            writing = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
            try:
                for layer, frame in frames.items():
                    if frame is not None:
                        frame.to_parquet(writing / f"{layer}.parquet")
                os.replace(writing, root / key)
            except OSError:
                if not (root / key).is_dir():  # else another process stored the same layers first
                    raise
            finally:
                shutil.rmtree(writing, ignore_errors=True)
        kinds = {layer: None if frame is None else "geo" if isinstance(frame, gpd.GeoDataFrame) else "table"
                 for layer, frame in frames.items()}
        with replaced_whole(root / "index.json") as index:
            index.write_text(json.dumps({"sources": sources, "folder": key, "frames": kinds, "texts": texts}),
                             encoding="utf-8")
        _remove_old(root, keep=key)
    except Exception:  # the cache is optional: a read-only or full disk, or a layer Parquet cannot
        return  # hold (pyarrow's type errors), leaves the layers built and uncached


def _remove_old(root: Path, *, keep: str) -> None:
    """Remove the layers kept before (every folder but ``keep``) and anything half-written by a process that died
    while writing (a dot-name older than :data:`ABANDONED_S`; a younger one may be another process's, still writing)."""
    now = time.time()
    for old in root.iterdir():
        try:
            abandoned = old.name.startswith(".") and now - old.stat().st_mtime > ABANDONED_S
        except OSError:
            continue
        if abandoned and old.is_file():
            old.unlink(missing_ok=True)
        elif old.is_dir() and old.name != keep and (abandoned or not old.name.startswith(".")):
            shutil.rmtree(old, ignore_errors=True)
