"""The Round viability page's map: one day's rounds as coloured paths (road paths, or straight segments on the
estimate), the clients by fee zone with their calls that day and those not fitted, and the bases."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

from analyses import rounds as rounds_model
from layers.council_data import CouncilData
from routing.engine import TravelEngine
from ui import maps, state

ZONE_COLOURS = {rounds_model.INSIDE: "#1a1a1a", rounds_model.OUTSIDE: "#e66101"}
NOT_FITTED_COLOUR = "#d7191c"


def round_lines(report: rounds_model.WeekReport, day: int, engine: TravelEngine) -> gpd.GeoDataFrame:
    """A day's rounds as lines: road paths between stops, or straight segments for estimates."""
    names, lines = [], []
    key = rounds_model.round_order(report.settings.shifts)
    for (plan_day, name), stops in sorted(report.plan.stops.items(), key=lambda item: (item[0][0], key(item[0][1]))):
        if plan_day != day:
            continue
        legs = engine.paths(stops[:-1], stops[1:])
        coordinates = [point for leg in legs for point in leg.line.coords]
        names.append(name)
        lines.append(LineString(coordinates) if len(coordinates) > 1 else LineString([stops[0], stops[0]]))
    return gpd.GeoDataFrame({"round": names}, geometry=lines, crs="EPSG:27700")


def build_rounds_map(data: CouncilData, report: rounds_model.WeekReport, *, day: int, clients: gpd.GeoDataFrame,
                     zones: pd.DataFrame, engine: TravelEngine, synthetic: bool, tiles: bool) -> folium.Map:
    """One day's rounds as coloured paths, clients by fee zone with their calls that day, bases, and the method."""
    lines = round_lines(report, day, engine)
    fmap = maps.new_map(clients.geometry.buffer(2000) if len(clients) else data.outline, tiles=tiles)
    maps.add_polygons(fmap, data.localities, "PCN localities", [""] * len(data.localities), line_colour="#555",
                      line_weight=2, dash="6 4", interactive=False)
    maps.add_base_layer(fmap, outline=data.outline, places=data.places, localities=data.localities,
                        roads=state.main_roads(engine.token, engine))
    rounds = report.rounds[report.rounds["day"] == day].set_index("round")
    colours = [maps.LOCALITY_COLOURS[i % len(maps.LOCALITY_COLOURS)] for i in range(len(lines))]
    suffix = " (straight segments: ESTIMATE)" if engine.is_estimate else ""
    maps.add_lines(fmap, lines, f"Rounds on {rounds_model.DAY_NAMES[day]}{suffix}", [
        maps.tooltip_html(row.round, [("Carer", rounds.loc[row.round, "carer"]),
                                      ("Calls", rounds.loc[row.round, "calls"]),
                                      ("Contact / travel", f"{rounds.loc[row.round, 'contact_hours']:.1f} h / "
                                                           f"{rounds.loc[row.round, 'travel_hours']:.1f} h"),
                                      ("Cost / income", f"£{rounds.loc[row.round, 'cost']:.2f} / "
                                                        f"£{rounds.loc[row.round, 'income']:.2f}"),
                                      ("Verdict", rounds.loc[row.round, "verdict"])])
        for row in lines.itertuples()], colours=colours, dashes=["6 6" if engine.is_estimate else None] * len(lines))
    visits = report.visits[report.visits["day"] == day]
    planned = visits.groupby("client_id").apply(
        lambda group: "; ".join(f"{v.window} {v.start} ({v.round})" for v in group.itertuples()), include_groups=False)
    unserved = report.unserved[report.unserved["day"] == day] if len(report.unserved) else report.unserved
    missed = unserved.groupby("client_id")["window"].apply(", ".join) if len(unserved) else pd.Series(dtype=object)
    zone = clients["client_id"].map(zones["zone"]).fillna("")
    label = "SYNTHETIC clients" if synthetic else "Clients"
    maps.add_points(fmap, clients, f"{label} ({len(clients):,})", [
        maps.tooltip_html(f"{row.client_id} {getattr(row, 'name', '') or ''}".strip(),
                          [("Fee zone", zone.iloc[i]), (f"Calls on {rounds_model.DAY_NAMES[day]}",
                                                        planned.get(row.client_id, "none")),
                           ("Not fitted", missed.get(row.client_id, "—"))])
        for i, row in enumerate(clients.itertuples())],
        colour=[NOT_FITTED_COLOUR if c in missed.index else ZONE_COLOURS.get(z, "#1a1a1a")
                for c, z in zip(clients["client_id"], zone)], radius=4)
    bases = report.plan.bases
    maps.add_points(fmap, gpd.GeoDataFrame({"name": [b.name for b in bases]},
                                           geometry=gpd.points_from_xy([b.x for b in bases], [b.y for b in bases]),
                                           crs="EPSG:27700"),
                    "Bases", [maps.tooltip_html(b.name, [("Carers", b.carers)]) for b in bases], colour="#6a3d9a",
                    radius=9)
    maps.add_legend(fmap, f"Rounds on {rounds_model.DAY_NAMES[day]}",
                    [(colours[i], name) for i, name in enumerate(lines["round"][:8])] +
                    ([("#ffffff", f"… and {len(lines) - 8} more")] if len(lines) > 8 else []) +
                    [(ZONE_COLOURS[rounds_model.INSIDE], "client inside the fee zone"),
                     (ZONE_COLOURS[rounds_model.OUTSIDE], "client outside (rural uplift)"),
                     (NOT_FITTED_COLOUR, "client with a call not fitted"), ("#6a3d9a", "base")],
                    note=("SYNTHETIC demand. " if synthetic else "") + ("Straight segments: travel is estimated."
                                                                         if engine.is_estimate else ""))
    maps.add_banner(fmap, state.method_banner(engine), warning=engine.is_estimate)
    return maps.finish_map(fmap, clients.geometry.buffer(2000) if len(clients) else data.outline)
