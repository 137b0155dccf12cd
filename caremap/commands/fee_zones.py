"""``python -m caremap fee-zones``: every postcode inside or outside the rural fee zone, and what the uplift costs."""

from __future__ import annotations

import argparse

from caremap import api
from caremap.commands import _common

NAME = "fee-zones"
HELP = "classify every postcode by the rural fee-zone rule and cost the uplift (CSV, XLSX or GeoPackage)"
DESCRIPTION = ("Both readings of the rule (straight line and by road) from the council's centres, with the "
               "council's own fee and uplift, and its radius unless you give another; the cost on modelled "
               "(SYNTHETIC) demand.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    parser.add_argument("--radius", type=float, metavar="MILES", help="radius, miles (default: the council's)")
    parser.add_argument("--from", dest="measure_from", choices=["point", "extent"], default="point",
                        help="measure from the settlement's point (default) or its edge")
    _common.add_roads(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="zones.csv, zones.xlsx or zones.gpkg")


def run(arguments: argparse.Namespace) -> int:
    from analyses import exports, fee_costing, fee_zones

    council = _common.council_of(arguments)
    out = _common.output_file(arguments.out, (".csv", ".xlsx", ".gpkg"), "output file")
    radius = council.fee_zone_radius_miles if arguments.radius is None else \
        _common.in_range(arguments.radius, 0, 30, option="--radius", what="the fee-zone radius (miles)")
    data = api.load_data(council)
    engine = api.travel_engine(council, _common.roads_of(arguments, council))
    zones = api.classify_fee_zones(data, engine, radius_miles=radius, measure_from=arguments.measure_from)
    demand = fee_costing.modelled_demand(zones, data)
    fees = fee_costing.FeeAssumptions.for_council(council)
    costs = {reading: fee_costing.zone_cost(~zones[f"inside_{reading}"].to_numpy(), demand, fees)
             for reading in fee_zones.READINGS}
    about = [("Analysis", f"Rural fee zones for {council.name}"),
             ("Radius", f"{radius:g} miles from the {fee_zones.MEASURE_FROM[arguments.measure_from]} "
                        f"({council.source_of_value('fee_zone_radius_miles', radius)})"),
             ("Base fee", f"£{fees.base_fee_per_hour:.2f} per hour ({fees.base_fee_source})"),
             ("Rural uplift", f"{fees.uplift_pct:g}% ({fees.uplift_source})"),
             ("Travel times", engine.label), ("Demand", demand.source),
             *[(f"Uplift cost, {fee_zones.READINGS[reading]}", f"£{cost['annual_uplift']:,.0f} a year")
               for reading, cost in costs.items()]]
    sheets = fee_zones.area_sheets(data, zones)
    if out.suffix.lower() == ".gpkg":
        content = exports.gpkg_bytes({"postcodes": sheets["postcodes"]})
    elif out.suffix.lower() == ".xlsx":
        content = exports.xlsx_bytes(sheets, about)
    else:
        content = exports.csv_bytes(sheets["postcodes"], [f"{item}: {text}" for item, text in about])
    _common.write(out, content, "output file")
    for reading, cost in costs.items():
        print(f"{fee_zones.READINGS[reading]}: {int((~zones[f'inside_{reading}']).sum()):,} of {len(zones):,} postcodes "
              f"outside; uplift £{cost['annual_uplift']:,.0f}/year on SYNTHETIC demand")
    print(f"Wrote {out} ({engine.label}).")
    return 0
