"""Coverage benchmark: nearest care home for every postcode, E2SFCA, site choice and the report, after data and
roads are loaded.

Run ``python -m bench.coverage``. On the CQC care homes shipped with the tool (in the council and within 15 km
beyond its border): Rutland (real roads), Herefordshire and Hertfordshire (the largest bundled council: 32,776
postcodes; estimate engine). Site choice: the best 3 sites by reach (exact MCLP with spopt, and greedy, with the
people each reaches) and by E2SFCA access gap. The whole coverage measure of Hertfordshire with its time and the
process's peak memory. The report: measures, sites, maps, PDF and HTML for Rutland, with its page count. Ends with
``RESULT nearest_home_all_postcodes_ms=<ms> e2sfca_ms=<ms> sites_exact_ms=<ms> sites_greedy_ms=<ms>
sites_access_ms=<ms> greedy_share_of_exact=<0-1> report_s=<s> pdf_pages=<n>`` (Rutland, road network)
``hertfordshire_coverage_s=<s> peak_memory_mb=<MB>``.
"""

from __future__ import annotations

import resource
import time

import geopandas as gpd
import numpy as np

from analyses import coverage as cv
from analyses import report as reporting
from analyses import sites
from bench.common import best_of, print_table
from geo.council import load_council
from layers.care_homes import shipped_care_homes
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


def site_timings(name: str, data, homes: gpd.GeoDataFrame, engine) -> tuple[dict[str, float], float, list[tuple]]:
    """Seconds for the best 3 sites by each method, the greedy reach as a share of the exact one, and table rows."""
    result = cv.measure_coverage(data, homes, engine, year=2028)
    candidates = sites.candidate_places(data, result.homes)
    timings, rows, reach = {}, [], {}
    for label, options in (("exact", {"exact": True}), ("greedy", {"exact": False}), ("access", {"measure": "access"})):
        seconds, choice = best_of(lambda options=options: sites.suggest_sites(result, candidates, engine, k=3,
                                                                               **options), repeat=3)
        timings[label] = seconds
        reach[label] = choice.covered_after - choice.covered_before
        rows.append((name, label, f"{len(candidates)}", f"{choice.minutes:g}", ", ".join(choice.sites["name"]),
                     f"{reach[label]:,.0f}", f"{choice.gap_before - choice.gap_after:,.1f}", f"{seconds * 1000:.0f}"))
    return timings, reach["greedy"] / reach["exact"] if reach["exact"] else 1.0, rows


def main() -> None:
    rutland = load_council_data(load_council("rutland"))
    engine = build_engine(rutland.council, "bundled")
    table = shipped_care_homes(rutland)
    homes = table.homes
    older = homes[homes["older_people"]]
    nearest_s, e2sfca_s, rutland_row = measure("Rutland", rutland, older, engine)

    herefordshire = load_council_data(load_council("herefordshire"))
    hereford_homes = shipped_care_homes(herefordshire).homes
    *_, hereford_row = measure("Herefordshire", herefordshire, hereford_homes[hereford_homes["older_people"]],
                               EstimateEngine())
    print_table([rutland_row, hereford_row], ("council", "postcodes", "homes", "travel", "nearest home ms", "E2SFCA ms"))
    print()

    hertfordshire = load_council_data(load_council("hertfordshire"))
    start = time.perf_counter()
    cv.measure_coverage(hertfordshire, shipped_care_homes(hertfordshire).homes, EstimateEngine(), year=2028)
    hertfordshire_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Hertfordshire coverage (32,776 postcodes, CQC homes in and near it, estimate): {hertfordshire_s:.1f} s; "
          f"peak memory of this process so far {peak_mb:,.0f} MB")
    print()

    timings, greedy_share, rows = site_timings("Rutland", rutland, homes, engine)
    *_, hereford_rows = site_timings("Herefordshire", herefordshire, hereford_homes, EstimateEngine())
    print_table(rows + hereford_rows, ("council", "method", "candidates", "reach min", "sites", "people 65+ newly within",
                                       "access gap closed (beds)", "ms"))
    print()

    start = time.perf_counter()
    built = reporting.build_report(rutland, homes, engine, year=2028, sites=3, **reporting.homes_details(table))
    pdf = reporting.to_pdf(built)
    html = reporting.to_html(built)
    report_s = time.perf_counter() - start
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
    print(f"Rutland report: {report_s:.2f} s for measures, sites, three maps, PDF ({len(pdf) / 1024:.0f} KB, {pages} "
          f"pages) and HTML ({len(html) / 1024:.0f} KB)")
    print(f"RESULT nearest_home_all_postcodes_ms={nearest_s * 1000:.1f} e2sfca_ms={e2sfca_s * 1000:.1f} "
          f"sites_exact_ms={timings['exact'] * 1000:.0f} sites_greedy_ms={timings['greedy'] * 1000:.0f} "
          f"sites_access_ms={timings['access'] * 1000:.0f} greedy_share_of_exact={greedy_share:.3f} "
          f"report_s={report_s:.2f} pdf_pages={pages} hertfordshire_coverage_s={hertfordshire_s:.1f} "
          f"peak_memory_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
