"""Fee-zone benchmark: classify every postcode (both readings) after the data and road graph are loaded.

Run ``python -m bench.fee_zones``. Ends with
``RESULT herefordshire_straight_ms=<ms> rutland_road_ms=<ms>``: all 6,829 Herefordshire postcodes by
straight line (target < 50 ms) and all 1,274 Rutland postcodes by road on the bundled network
(target < 200 ms after the graph is loaded).
"""

from __future__ import annotations

import numpy as np

from analyses import fee_zones
from bench.common import best_of, print_table
from geo.council import load_council
from layers.council_data import load_council_data
from routing.engine import EstimateEngine
from routing.sources import build_engine


def main() -> None:
    rows = []
    herefordshire = load_council_data(load_council("herefordshire"))
    centres = fee_zones.zone_centres(herefordshire.places, herefordshire.council.fee_zone_centres)
    points = np.column_stack([herefordshire.postcodes.geometry.x, herefordshire.postcodes.geometry.y])
    straight_s, (distance, _) = best_of(lambda: fee_zones.straight_distance(points, centres), repeat=7)
    rows.append(("Herefordshire", f"{len(points):,}", "straight line", f"{straight_s * 1000:.1f}",
                 f"{(distance > 4 * 1609.344).sum():,} outside"))
    both_s, zones = best_of(lambda: fee_zones.classify_points(points, centres, EstimateEngine(), radius_miles=4.0), repeat=5)
    rows.append(("Herefordshire", f"{len(points):,}", "both readings (estimate)", f"{both_s * 1000:.1f}",
                 f"{zones['disagree'].sum():,} disagree"))

    rutland = load_council_data(load_council("rutland"))
    engine = build_engine(rutland.council, "bundled")  # loads from the cache after the first run
    centres = fee_zones.zone_centres(rutland.places, rutland.council.fee_zone_centres)
    points = np.column_stack([rutland.postcodes.geometry.x, rutland.postcodes.geometry.y])
    road_s, found = best_of(lambda: fee_zones.road_distance(engine, points, centres), repeat=7)
    rows.append(("Rutland", f"{len(points):,}", "road distance", f"{road_s * 1000:.1f}",
                 f"{(found['miles'] > 4).sum():,} outside"))
    both_s, zones = best_of(lambda: fee_zones.classify_points(points, centres, engine, radius_miles=4.0), repeat=5)
    rows.append(("Rutland", f"{len(points):,}", "both readings (road)", f"{both_s * 1000:.1f}",
                 f"{zones['disagree'].sum():,} disagree"))
    print_table(rows, ("council", "postcodes", "classification", "ms", "result"))
    print(f"RESULT herefordshire_straight_ms={straight_s * 1000:.1f} rutland_road_ms={road_s * 1000:.1f}")


if __name__ == "__main__":
    main()
