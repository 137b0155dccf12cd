"""ONS rural-urban classification (2021) of LSOA 2021."""

from __future__ import annotations

import pandas as pd

from geo.council import Council
from layers.io import read_table


def rural_urban_lsoa21(council: Council) -> pd.DataFrame:
    """Rural-urban class of each LSOA 2021.

    Returns
    -------
    DataFrame
        Indexed by ``lsoa21_code``: ``ruc21_code`` (e.g. ``RLN1``), ``ruc21_name`` (e.g. "Rural
        village and dispersed: nearer to a major town or city") and ``is_rural`` (bool).
    """
    table = read_table("ruc21", council, ["lsoa21_code", "ruc21_code", "classification", "ruc"])
    return pd.DataFrame(
        {
            "ruc21_code": table["ruc21_code"].to_numpy(),
            "ruc21_name": table["classification"].to_numpy(),
            "is_rural": table["ruc"].str.lower().eq("rural").to_numpy(),
        },
        index=pd.Index(table["lsoa21_code"], name="lsoa21_code"),
    )
