"""``python -m caremap fee-zones``: every postcode inside or outside the rural fee zone, and what the uplift costs."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from caremap import api
from caremap.commands import _common
from geo import checks
from layers import catalog

if TYPE_CHECKING:
    from analyses.fee_costing import FeeAssumptions

NAME = "fee-zones"
HELP = "classify every postcode by the rural fee-zone rule and cost the uplift (CSV, XLSX or GeoPackage)"
DESCRIPTION = ("Both readings of the rule (straight line and by road) from the council's centres, with the "
               "council's own fee, uplift and radius unless you give others; the cost on your client list, or on "
               "modelled (SYNTHETIC) demand; radius what-ifs (2-10 miles) and banded schemes in the workbook.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    parser.add_argument("--radius", type=float, metavar="MILES", help="radius, miles (default: the council's)")
    parser.add_argument("--from", dest="measure_from", choices=["point", "extent"], default="point",
                        help="measure from the settlement's point (default) or its edge")
    parser.add_argument("--clients", metavar="FILE", help="client list to cost instead of modelled demand: "
                        "client_id, postcode (or lat/lon), hours_per_week (or calls_per_day or windows, "
                        "minutes_per_call, days_per_week)")
    parser.add_argument("--fee", type=float, metavar="POUNDS", help="base fee, £ an hour (default: the council's, net "
                                                                    "of the uplift where its figure is an average "
                                                                    "that includes it)")
    parser.add_argument("--uplift", type=float, metavar="PERCENT", help="rural uplift, %% (default: the council's)")
    parser.add_argument("--reading", choices=["straight", "road"], default="straight",
                        help="distance the banded schemes are costed on, and the reading the council's average fee "
                             "is netted of the uplift on: straight line (default) or road")
    _common.add_roads(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="zones.csv, zones.xlsx or zones.gpkg")


def _fees(arguments: argparse.Namespace, council, share) -> "FeeAssumptions":
    """The council's fee (net of the uplift at ``share`` where its figure is an average including it) and uplift, or
    the ones given (checked in :func:`run`; reported as what-ifs unless they equal the council's)."""
    from analyses.fee_costing import FeeAssumptions
    from geo.council import WHAT_IF

    fees = FeeAssumptions.for_council(council, share)
    uplift = council.rural_uplift_pct if arguments.uplift is None else arguments.uplift
    if arguments.fee is not None and abs(arguments.fee - fees.base_fee_per_hour) >= 0.005:
        fees = FeeAssumptions(arguments.fee, uplift, base_fee_source=WHAT_IF)
    return FeeAssumptions(fees.base_fee_per_hour, uplift, base_fee_source=fees.base_fee_source,
                          uplift_source=council.source_of_value("rural_uplift_pct", uplift),
                          average_fee_per_hour=fees.average_fee_per_hour)


def run(arguments: argparse.Namespace) -> int:
    from analyses import exports, fee_costing, fee_zones
    from analyses.base_fee import includes_uplift

    council = _common.council_of(arguments)
    clients_file = _common.input_file(arguments.clients, "client list")
    out = _common.output_file(arguments.out, (".csv", ".xlsx", ".gpkg"), "output file", arguments)
    radius = council.fee_zone_radius_miles if arguments.radius is None else \
        checks.FEE_ZONE_RADIUS_MILES.check(arguments.radius, "--radius")
    if arguments.fee is not None:
        arguments.fee = checks.BASE_FEE.check(arguments.fee, "--fee")
    if arguments.uplift is not None:
        arguments.uplift = checks.UPLIFT_PCT.check(arguments.uplift, "--uplift")
    data = api.load_data(council)
    engine = _common.travel_engine(arguments, council, data)
    share = fee_costing.council_outside_share(data, engine, reading=arguments.reading,
                                              measure_from=arguments.measure_from) if includes_uplift(council) else None
    fees = _fees(arguments, council, share)
    zones = api.classify_fee_zones(data, engine, radius_miles=radius, measure_from=arguments.measure_from)
    if clients_file:
        clients = _common.read_client_list(clients_file, data, purpose="fee-zones")
        centres = fee_zones.zone_centres(data.places, council.fee_zone_centres)
        located = fee_zones.classify_clients(clients, centres, engine, radius_miles=radius,
                                             measure_from=arguments.measure_from)
        demand = fee_costing.client_demand(located["hours_per_week"], clients_file.name)
    else:
        located, demand = zones, fee_costing.modelled_demand(zones, data)
    costs = {reading: fee_costing.zone_cost(~located[f"inside_{reading}"].to_numpy(), demand, fees)
             for reading in fee_zones.READINGS}
    band = fee_costing.road_cost_band(located, demand, fees, radius_miles=radius)
    radii = fee_costing.radius_what_if(fee_costing.band_readings(located), demand, fees)
    schemes = fee_costing.scheme_costs(fee_costing.default_schemes(council, radius_miles=radius,
                                                                   uplift_pct=fees.uplift_pct),
                                       located[f"{arguments.reading}_miles"].to_numpy(), demand,
                                       base_fee=fees.base_fee_per_hour, weeks_per_year=fees.weeks_per_year)
    about = [("Analysis", f"Rural fee zones for {council.name}"),
             ("Radius", f"{radius:g} miles from the {fee_zones.MEASURE_FROM[arguments.measure_from]} "
                        f"({council.source_of_value('fee_zone_radius_miles', radius)})"),
             ("Base fee", f"£{fees.base_fee_per_hour:.2f} per hour ({fees.base_fee_source})"),
             *([("Council's average fee", f"£{fees.average_fee_per_hour:.2f} per hour, the uplift included")]
               if fees.average_fee_per_hour is not None else []),
             ("Rural uplift", f"{fees.uplift_pct:g}% ({fees.uplift_source})"),
             ("Travel times", engine.label), ("Demand", demand.source),
             ("Data vintages", catalog.vintage_summary(council)),
             ("Banded schemes costed on", fee_zones.READINGS[arguments.reading]),
             *[(f"Uplift cost, {fee_zones.READINGS[reading]}", _cost_text(reading, cost, band))
               for reading, cost in costs.items()]]
    sheets = fee_costing.costing_sheets(data, zones, located, demand, radii=radii, schemes=schemes)
    if out.suffix.lower() == ".gpkg":
        content = lambda: exports.gpkg_bytes({"postcodes": sheets["postcodes"]} | (
            {"clients": located} if clients_file else {}))
    elif out.suffix.lower() == ".xlsx":
        content = lambda: exports.xlsx_bytes(sheets, about)
    else:
        content = lambda: exports.csv_bytes(located if clients_file else sheets["postcodes"],
                                            [f"{item}: {text}" for item, text in about])
    out.write(content)
    counted = f"of {len(located):,} clients" if clients_file else f"of {len(zones):,} postcodes"
    on = "SYNTHETIC demand" if demand.is_synthetic else demand.source
    print(f"Base fee: £{fees.base_fee_per_hour:.2f} an hour ({fees.base_fee_source}).")
    for reading, cost in costs.items():
        if reading == "road" and band is not None:
            low, high = (int((~(located[f"road_miles_{end}"] <= radius)).sum()) for end in fee_zones.BAND_ENDS)
            print(f"{fee_zones.READINGS[reading]} (ESTIMATE band): {low:,}–{high:,} {counted} outside; uplift "
                  f"{_cost_text(reading, cost, band)} on {on}. To make it real, "
                  f"{fee_zones.prepare_roads(council.slug, app=False)}.")
            continue
        print(f"{fee_zones.READINGS[reading]}: {int((~located[f'inside_{reading}']).sum()):,} {counted} outside; "
              f"uplift {_cost_text(reading, cost, band)} on {on}")
    print(f"Wrote {out} ({engine.label}).")
    return 0


def _cost_text(reading: str, cost: dict, band: dict | None) -> str:
    """A reading's annual uplift cost: one figure, or the estimate's band on the road reading without roads."""
    if reading == "road" and band is not None:
        return (f"£{band['low']['annual_uplift']:,.0f}–£{band['high']['annual_uplift']:,.0f} a year (ESTIMATE band; "
                f"£{cost['annual_uplift']:,.0f} at typical detours)")
    return f"£{cost['annual_uplift']:,.0f} a year"
