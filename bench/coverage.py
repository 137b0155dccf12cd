"""Coverage benchmark: nearest care home for every postcode, and E2SFCA, after data and roads are loaded.

Run ``python -m bench.coverage``. On Rutland (real roads, the 9 care homes tagged in OpenStreetMap)
and Herefordshire (estimate engine, 87 homes placed at random postcodes for timing only). Ends with
``RESULT nearest_home_all_postcodes_ms=<ms> e2sfca_ms=<ms>`` (Rutland, road network).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from analyses import coverage as cv
from bench.common import best_of, print_table
from geo.council import load_council
from layers.care_homes import care_homes_from_osm
from layers.catalog import DATA_DIR
from layers.council_data import load_council_data
from layers.postcodes import postcode_population
from routing.engine import EstimateEngine
from routing.sources import build_engine


def measure(name: str, data, homes: gpd.GeoDataFrame, engine) -> tuple[float, float, tuple]:
    points = np.column_stack([data.postcodes.geometry.x, data.postcodes.geometry.y])
    homes_xy = np.column_stack([homes.geometry.x, homes.geometry.y])
    people = postcode_population(data.postcodes, data.lsoa)["pop_65plus"].to_numpy()
    nearest_s, _ = best_of(lambda: cv.nearest_home(engine, points, homes), repeat=5)

    def e2sfca():
        cost = engine.matrix(points, homes_xy, cutoff=30, with_other=False).minutes
        return cv.e2sfca(cost, people, homes["beds"].to_numpy(), {10: 1.0, 20: 0.68, 30: 0.22})

    e2sfca_s, _ = best_of(e2sfca, repeat=5)
    row = (name, f"{len(points):,}", f"{len(homes):,}", engine.method, f"{nearest_s * 1000:.1f}", f"{e2sfca_s * 1000:.1f}")
    return nearest_s, e2sfca_s, row


def main() -> None:
    rutland = load_council_data(load_council("rutland"))
    engine = build_engine(rutland.council, "bundled")
    homes = care_homes_from_osm(DATA_DIR / "osm" / "rutland-latest.osm.pbf", outline=rutland.outline,
                                council=rutland.council).homes
    nearest_s, e2sfca_s, rutland_row = measure("Rutland", rutland, homes, engine)

    herefordshire = load_council_data(load_council("herefordshire"))
    rng = np.random.default_rng(0)
    picked = herefordshire.postcodes.iloc[rng.choice(len(herefordshire.postcodes), 87, replace=False)]
    timing_homes = gpd.GeoDataFrame({"home_id": [f"t{i}" for i in range(87)], "beds": 24.0}, geometry=picked.geometry.values,
                                    crs=picked.crs)
    *_, hereford_row = measure("Herefordshire (timing only)", herefordshire, timing_homes, EstimateEngine())
    print_table([rutland_row, hereford_row], ("council", "postcodes", "homes", "travel", "nearest home ms", "E2SFCA ms"))
    print(f"RESULT nearest_home_all_postcodes_ms={nearest_s * 1000:.1f} e2sfca_ms={e2sfca_s * 1000:.1f}")


if __name__ == "__main__":
    main()
