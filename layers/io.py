"""Read bundled data files, turning every failure into a message that names the file and its origin."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import geopandas as gpd
import pandas as pd

from geo.errors import DataFileError
from geo.units import BNG, WGS84
from layers import catalog
from layers.catalog import DATASETS, Dataset

RESTORE_HINT = (
    "Restore the data folder from the repository (git checkout -- data) or rebuild it with "
    "'python -m scripts.build_bundle <shared data folder>'."
)


def _describe(dataset: Dataset, path: Path) -> str:
    try:
        shown = path.relative_to(catalog.DATA_DIR.parent)
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


def dataset_path(key: str, slug: str | None = None, data_dir: Path | None = None) -> Path:
    """Path of a bundled dataset for a council (under ``data/`` unless ``data_dir`` is given), raising
    :class:`DataFileError` if it is missing."""
    dataset = DATASETS[key]
    path = dataset.location(slug, data_dir or catalog.DATA_DIR)
    if not path.is_file():
        raise DataFileError(f"Missing data file {_describe(dataset, path)}. {RESTORE_HINT}")
    return path


def read_table(
    key: str, slug: str, required: Iterable[str] = (), data_dir: Path | None = None, **read_csv_kwargs
) -> pd.DataFrame:
    """Read a bundled CSV table, checking that the required columns are present."""
    path = dataset_path(key, slug, data_dir)
    try:
        frame = pd.read_csv(path, **read_csv_kwargs)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataFileError(f"Cannot read {_describe(DATASETS[key], path)}: {error}. {RESTORE_HINT}") from error
    _check_columns(frame, required, DATASETS[key], path)
    return frame


def read_layer(key: str, slug: str, required: Iterable[str] = (), data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Read a bundled GeoJSON layer (WGS84) and return it in British National Grid."""
    path = dataset_path(key, slug, data_dir)
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # GDAL raises several unrelated types for a damaged file
        raise DataFileError(f"Cannot read {_describe(DATASETS[key], path)}: {error}. {RESTORE_HINT}") from error
    if frame.empty or frame.geometry.isna().all():
        raise DataFileError(f"{_describe(DATASETS[key], path)} holds no geometries. {RESTORE_HINT}")
    _check_columns(frame, required, DATASETS[key], path)
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    return frame.to_crs(BNG)
