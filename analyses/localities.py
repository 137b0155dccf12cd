"""PCN localities by drive time: each LSOA joins the PCN of the practice its people reach fastest."""

from __future__ import annotations

import dataclasses

import numpy as np

from layers import localities
from layers.council_data import CouncilData, localities_from_nearest
from routing.engine import TravelEngine


def drive_time_localities(data: CouncilData, engine: TravelEngine) -> CouncilData:
    """The council's layers with PCN localities assigned by travel time instead of straight line.

    With the estimate engine the result equals the straight-line assignment (the estimate scales
    straight lines), so the data are returned unchanged; so they are when the road network misses
    more than a tenth of the LSOAs (a network for another area). An LSOA far from the network's
    roads, or that no road reaches, keeps its straight-line practice.
    """
    if engine.is_estimate:
        return data
    lsoa = data.lsoa
    members = data.practices[data.practices["pcn_code"].notna()].reset_index(drop=True)
    anchors = localities.lsoa_anchor_points(lsoa, data.postcodes)
    found = engine.nearest(np.column_stack([anchors.x, anchors.y]), np.column_stack([members.geometry.x,
                                                                                    members.geometry.y]),
                           direction="to", facility_ids=members["practice_code"].to_numpy(), with_other=False)
    usable = (found["reachable"] & ~found["far_from_road"]).to_numpy()
    if usable.mean() < 0.9:
        return data
    nearest = found.set_index(lsoa.index)[["facility_id"]].rename(columns={"facility_id": "practice_code"})
    nearest["practice_code"] = nearest["practice_code"].where(usable, lsoa["practice_code"])
    lsoa, locality_layer, pcn_layer = localities_from_nearest(lsoa, nearest, data.practices, data.council)
    return dataclasses.replace(data, lsoa=lsoa, localities=locality_layer, pcn_localities=pcn_layer,
                               locality_method="drive time")
