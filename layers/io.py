"""Read bundled data files, turning every failure into a message that names the file and its origin."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterable, Iterator

import geopandas as gpd
import pandas as pd

from geo.council import Council
from geo.errors import DataFileError
from geo.settings import settings
from geo.units import BNG, WGS84
from layers.catalog import DATASETS, Dataset

RESTORE_HINT = (
    "Restore the data folder from the repository (git checkout -- data) or rebuild it with "
    "'python -m scripts.build_bundle <shared data folder>'."
)


def _describe(dataset: Dataset, path: Path) -> str:
    try:
        shown = path.relative_to(settings.data_folder.parent)
    except ValueError:
        shown = path
    return f"{shown} ({dataset.title}; source: {dataset.origin})"


def _check_columns(frame: pd.DataFrame, required: Iterable[str], dataset: Dataset, path: Path) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataFileError(
            f"{_describe(dataset, path)} lacks the column(s) {', '.join(missing)}. "
            f"The file may be from another release. {RESTORE_HINT}"
        )


def _restore_hint(council: Council | None) -> str:
    if council is not None and not council.bundled:
        return (f"Set {council.name} up again from the national data: python -m caremap setup --council "
                f"{council.slug}.")
    return RESTORE_HINT


_FILES_READ: ContextVar[list[Path] | None] = ContextVar("caremap_files_read", default=None)


@contextmanager
def files_read() -> Iterator[list[Path]]:
    """The data files read in a with-block (in this thread), in the order read: what something built from them
    depends on (:mod:`layers.council_cache` keys a council's layers by their content)."""
    files: list[Path] = []
    token = _FILES_READ.set(files)
    try:
        yield files
    finally:
        _FILES_READ.reset(token)


def dataset_path(key: str, council: Council | None = None, data_dir: Path | None = None) -> Path:
    """Path of a dataset for a council (under the council's data folder unless ``data_dir`` is given), raising
    :class:`DataFileError` if it is missing."""
    dataset = DATASETS[key]
    path = dataset.location(council.slug if council else None, data_dir or (council.data_dir if council else None))
    if not path.is_file():
        raise DataFileError(f"Missing data file {_describe(dataset, path)}. {_restore_hint(council)}")
    if (files := _FILES_READ.get()) is not None:
        files.append(path)
    return path


def dataset_exists(key: str, council: Council) -> bool:
    """Whether a council holds an optional dataset. Recorded as read either way while :func:`files_read` records,
    so that layers built without the file are rebuilt once it appears (and with it, once it goes)."""
    path = DATASETS[key].location(council.slug, council.data_dir)
    if (files := _FILES_READ.get()) is not None:
        files.append(path)
    return path.is_file()


def read_table(
    key: str, council: Council, required: Iterable[str] = (), data_dir: Path | None = None, **read_csv_kwargs
) -> pd.DataFrame:
    """Read one of a council's CSV tables, checking that the required columns are present."""
    path = dataset_path(key, council, data_dir)
    try:
        frame = pd.read_csv(path, **read_csv_kwargs)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataFileError(f"Cannot read {_describe(DATASETS[key], path)}: {error}. {_restore_hint(council)}") \
            from error
    _check_columns(frame, required, DATASETS[key], path)
    return frame


def read_layer(key: str, council: Council, required: Iterable[str] = (),
               data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Read one of a council's GeoJSON layers (WGS84) and return it in British National Grid."""
    path = dataset_path(key, council, data_dir)
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # GDAL raises several unrelated types for a damaged file
        raise DataFileError(f"Cannot read {_describe(DATASETS[key], path)}: {error}. {_restore_hint(council)}") \
            from error
    if frame.empty or frame.geometry.isna().all():
        raise DataFileError(f"{_describe(DATASETS[key], path)} holds no geometries. {_restore_hint(council)}")
    _check_columns(frame, required, DATASETS[key], path)
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    return frame.to_crs(BNG)
