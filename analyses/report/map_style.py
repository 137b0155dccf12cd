"""What the coverage report's maps share, drawn (:mod:`analyses.report.maps`) or interactive
(:func:`analyses.report.html_page.map_layers`): the colours of access classes and of homes, the suggested sites'
colour, the credit line, and how access values are cut into classes. (Apart from the drawing, so that the HTML
report does not load matplotlib.)"""

from __future__ import annotations

import numpy as np
import pandas as pd

ACCESS_COLOURS = ["#f7fcf0", "#ccebc5", "#7bccc4", "#2b8cbe", "#084081"]
"""Five classes of access, low to high (ColorBrewer GnBu, colour-blind safe)."""
HOME_COLOURS = {"residential": "#2166ac", "nursing": "#b2182b", "other": "#8c8c8c"}
BEYOND_COLOURS = {"residential": "#92c5de", "nursing": "#f4a582", "other": "#d9d9d9"}
"""Pale versions for homes beyond the council's border (within 15 km), as on the app's map."""
SITE_COLOUR = "#6a3d9a"
MAP_CREDIT = "Contains OS data © Crown copyright and database right; ONS and NHS data (OGL v3.0)."


def access_classes(values: pd.Series, classes: int = 5) -> np.ndarray:
    """Class edges of access values (quantiles, unique), lowest first."""
    finite = values[np.isfinite(values)]
    if finite.empty:
        return np.array([0.0, 1.0])
    edges = np.unique(np.round(np.nanquantile(finite, np.linspace(0, 1, classes + 1)), 1))
    return edges if len(edges) > 1 else np.array([edges[0], edges[0] + 1.0])
