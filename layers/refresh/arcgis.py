"""Read a layer of the ONS Open Geography Portal's ArcGIS REST services, page by page, without trusting its flags.

Three traps are handled here:

- Service names carry version suffixes that change (``…_BSC_V4`` becomes ``…_V5``): when the configured service
  answers 404 (or an error saying the address is invalid), the services catalogue is searched for the newest name
  matching the service's pattern.
- Pages stop at ``maxRecordCount``, and ``exceededTransferLimit`` is missing on the last page (and on some servers
  altogether): paging follows the service's own count (``returnCountOnly``) and stops only when that many features
  have arrived or a page comes back empty; fewer than counted is a truncated answer.
- A bad request is answered with HTTP 200 and an ``{"error": …}`` body: every answer is checked for one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from layers.refresh.cache import Staging
from layers.refresh.columns import require_equal
from layers.refresh.errors import PublisherError
from layers.refresh.fetch import Client

COORDINATE_DECIMALS = 6
"""Decimals kept in WGS84 coordinates (about 0.1 m), as the national pack stores them."""


@dataclass
class Layer:
    """A feature layer found on the server.

    Attributes
    ----------
    url : str
        Its address (``…/FeatureServer/0``).
    service : str
        The service name actually used (differs from the configured one when the service moved).
    info : dict
        The layer's description (``?f=json``).
    """

    url: str
    service: str
    info: dict[str, Any]

    @property
    def max_records(self) -> int:
        return int(self.info.get("maxRecordCount") or 1000)

    @property
    def object_id_field(self) -> str | None:
        return self.info.get("objectIdField")

    @property
    def last_edit(self) -> str:
        """The date the publisher last edited the layer (ISO), or ``""`` if it does not say."""
        stamp = (self.info.get("editingInfo") or {}).get("lastEditDate")
        if not isinstance(stamp, (int, float)):
            return ""
        return datetime.fromtimestamp(stamp / 1000, tz=timezone.utc).date().isoformat()


def error_in(body: Any) -> str | None:
    """The message of an ArcGIS error body (served with HTTP 200), None for a normal answer."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        details = "; ".join(str(detail) for detail in error.get("details") or [] if detail)
        return f"{error.get('code', '')} {error.get('message', '')}".strip() + (f" ({details})" if details else "")
    return None


def _json(client: Client, url: str, params: dict[str, Any]) -> tuple[Any, bytes, str]:
    answer = client.get(url, params)
    try:
        return json.loads(answer.content), answer.content, answer.url
    except ValueError:
        raise PublisherError(f"{url} answered with something other than JSON.", status=answer.status_code,
                             url=answer.url) from None


def _version(name: str) -> tuple[int, str]:
    match = re.search(r"_v(\d+)$", name, re.IGNORECASE)
    return (int(match.group(1)) if match else 0, name)


def open_layer(client: Client, base: str, service: str, pattern: str, *, layer: int = 0) -> Layer:
    """The layer of ``service``, or of the newest service whose name matches ``pattern`` (case forgiven) when the
    configured one has moved.

    Raises
    ------
    PublisherError
        When neither the service nor any matching one can be found, naming what was looked for.
    """
    moved = ""
    try:
        info, _, _ = _json(client, f"{base}/{service}/FeatureServer/{layer}", {"f": "json"})
        problem = error_in(info)
    except PublisherError as error:
        if error.status not in (400, 404, 410):
            raise
        problem = str(error)
    if problem is None:
        return Layer(f"{base}/{service}/FeatureServer/{layer}", service, info)
    moved = problem
    catalogue, _, _ = _json(client, base, {"f": "json"})
    if error_in(catalogue):
        raise PublisherError(f"The ONS services catalogue {base} answered an error: {error_in(catalogue)}", url=base)
    names = [entry.get("name", "") for entry in catalogue.get("services", [])
             if entry.get("type", "FeatureServer") == "FeatureServer"]
    matching = sorted((name for name in names if re.fullmatch(pattern, name, re.IGNORECASE)), key=_version)
    if not matching:
        raise PublisherError(f"The ONS service {service} has gone ({moved}) and the catalogue at {base} lists no "
                             f"service like {pattern!r}. Its lookups may have been renamed: download the file from "
                             f"the Open Geography Portal and use --from FOLDER.", status=404, url=base)
    found = matching[-1]
    info, _, _ = _json(client, f"{base}/{found}/FeatureServer/{layer}", {"f": "json"})
    if error_in(info):
        raise PublisherError(f"The ONS service {found} answered an error: {error_in(info)}", url=base)
    return Layer(f"{base}/{found}/FeatureServer/{layer}", found, info)


def fetch_pages(client: Client, layer: Layer, staging: Staging, *, role: str, where: str, fields: list[str],
                geometry: bool) -> int:
    """Page through the features matching ``where``, filing each page's answer as it came in the staging release.

    Returns
    -------
    int
        Features fetched (equal to the service's own count).

    Raises
    ------
    PublisherError
        On an error body (HTTP 200), or an answer that is not JSON.
    SourceCheckFailed
        When fewer features arrive than the service counted (a truncated answer).
    """
    query = f"{layer.url}/query"
    counted, _, _ = _json(client, query, {"where": where, "returnCountOnly": "true", "f": "json"})
    if error_in(counted) or "count" not in counted:
        raise PublisherError(f"{layer.service} refused the count query for {where!r}: "
                             f"{error_in(counted) or 'no count in its answer'}.", url=query)
    expected = int(counted["count"])
    size = layer.max_records
    fetched, page = 0, 0
    while fetched < expected:
        params = {"where": where, "outFields": ",".join(fields), "resultOffset": fetched, "resultRecordCount": size,
                  "f": "geojson" if geometry else "json", "returnGeometry": "true" if geometry else "false"}
        if layer.object_id_field:
            params["orderByFields"] = layer.object_id_field  # a stable order, so pages neither skip nor repeat
        if geometry:
            params.update(outSR=4326, geometryPrecision=COORDINATE_DECIMALS)
        body, content, url = _json(client, query, params)
        if error_in(body):
            raise PublisherError(f"{layer.service} answered an error (with HTTP 200) for page {page + 1}: "
                                 f"{error_in(body)}.", url=url)
        features = body.get("features")
        if not isinstance(features, list):
            raise PublisherError(f"{layer.service} page {page + 1} has no features list.", url=url)
        staging.write(role, f"{role}-{page:04d}.json", content, url=url, counts={"features": len(features)})
        if not features:
            break
        fetched += len(features)
        page += 1
    require_equal(fetched, expected, where=f"{layer.service} ({where})", what="features arrived")
    return fetched


def pages_frame(paths: list, *, geometry: bool) -> gpd.GeoDataFrame | pd.DataFrame:
    """The features of saved pages (or of one GeoJSON file) as one frame, in page order: a GeoDataFrame in WGS84,
    coordinates rounded as the pack stores them, when ``geometry``."""
    rows: list[dict[str, Any]] = []
    shapes = []
    crs = "EPSG:4326"
    for path in paths:
        body = json.loads(path.read_bytes())
        named = str(((body.get("crs") or {}).get("properties") or {}).get("name", ""))
        if "27700" in named:
            crs = "EPSG:27700"  # a portal download in British National Grid
        for feature in body.get("features", []):
            rows.append(dict(feature.get("properties") or feature.get("attributes") or {}))
            if geometry:
                shapes.append(shape(feature["geometry"]) if feature.get("geometry") else None)
    frame = pd.DataFrame(rows)
    if not geometry:
        return frame
    frame = gpd.GeoDataFrame(frame, geometry=shapes, crs=crs).to_crs("EPSG:4326")
    frame["geometry"] = frame.geometry.map(rounded)
    return frame


def rounded(geometry):
    """A geometry with its coordinates rounded to :data:`COORDINATE_DECIMALS` (as the pack stores them)."""
    return shapely.transform(geometry, lambda coordinates: np.round(coordinates, COORDINATE_DECIMALS))
