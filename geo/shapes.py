"""Plane geometry in British National Grid metres: distances to boxes and zones grown around places."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel


def distance_to_boxes(points_xy: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line metres from each point to the nearest box, and which box.

    Parameters
    ----------
    points_xy : ndarray (n, 2)
        Points, metres.
    boxes : ndarray (k, 4)
        ``xmin, ymin, xmax, ymax`` of each box, metres. A point inside a box is 0 m from it.

    Returns
    -------
    distance : ndarray (n,)
    nearest : ndarray (n,) of int
    """
    x, y = points_xy[:, :1], points_xy[:, 1:]
    dx = np.maximum(np.maximum(boxes[:, 0] - x, x - boxes[:, 2]), 0.0)
    dy = np.maximum(np.maximum(boxes[:, 1] - y, y - boxes[:, 3]), 0.0)
    distance = np.hypot(dx, dy)
    nearest = distance.argmin(axis=1)
    return distance[np.arange(len(points_xy)), nearest], nearest


def grown_area(centres_xy: np.ndarray, radius_m: float, *, boxes: np.ndarray | None = None) -> BaseGeometry:
    """Everything within ``radius_m`` of any centre point (or of any box, when ``boxes`` is given), as one shape."""
    if boxes is not None:
        shapes = [box(*row).buffer(radius_m, quad_segs=16) for row in boxes]
    else:
        shapes = list(shapely.buffer(shapely.points(centres_xy), radius_m, quad_segs=16))
    return shapely.union_all(shapes)


def label_point(area: BaseGeometry, *, avoid: BaseGeometry | None = None, clearance_m: float = 0.0) -> Point:
    """Where a label of ``area`` reads best: the point of its largest part farthest from its edges (pole of
    inaccessibility), keeping ``clearance_m`` away from ``avoid`` (other labels' points) where the area allows."""
    def pole(shape: BaseGeometry) -> Point:
        parts = list(getattr(shape, "geoms", [shape]))
        largest = max(parts, key=lambda part: part.area)
        return polylabel(largest, tolerance=max(largest.length / 1000.0, 1.0))

    if avoid is not None and not avoid.is_empty and clearance_m > 0:
        free = area.difference(avoid.buffer(clearance_m))
        if not free.is_empty and free.area > 0.05 * area.area:
            return pole(free)
    return pole(area)
