"""``python -m caremap roads``: prepare a council's real road network once, for the app and every command."""

from __future__ import annotations

import argparse
import time

import numpy as np

from caremap.commands import _common
from geo import checks
from geo.errors import InputDataError

NAME = "roads"
HELP = "prepare a council's road network from OpenStreetMap (Geofabrik extracts, a download, or an .osm.pbf) for the app"
DESCRIPTION = ("Keeps the council's drivable roads (and those within 5 km beyond its boundary) as a small extract "
               "in the cache, builds the network the app reads ('Prepared OpenStreetMap roads' in the sidebar, "
               "'prepared' for --roads), and says how well it covers the council's postcodes. Without --pbf it "
               "downloads with OSMnx from the Overpass API (internet); with --pbf it reads a local extract such as "
               "download.geofabrik.de's herefordshire-latest.osm.pbf or a whole region; with --geofabrik it downloads "
               "the Geofabrik extracts of every region the council touches (a ceremonial county, Wales for a border "
               "council), once: they are kept in the cache, checked against Geofabrik's MD5, and merged.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common.add_council(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--pbf", metavar="FILE", help="a Geofabrik-style OpenStreetMap extract (.osm.pbf) covering "
                                                     "the council; without it the roads are downloaded")
    where.add_argument("--geofabrik", action="store_true",
                       help="the Geofabrik extracts of the regions the council touches (downloaded once and kept in "
                            "the cache; with --offline, the cached ones)")
    parser.add_argument("--offline", action="store_true", help="with --geofabrik: the extracts already in the cache, "
                                                               "asking nothing")
    parser.add_argument("--overpass-url", metavar="URL",
                        help="Overpass API to download from (default: the settings', https://overpass-api.de/api, or "
                             "CAREMAP_OVERPASS_URL)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="longest wait for one download request, seconds (default: the settings', 180, or "
                             "CAREMAP_TIMEOUT)")


def run(arguments: argparse.Namespace) -> int:
    from geo.settings import settings

    given = {}
    if arguments.timeout is not None:
        given["requests_timeout"] = checks.DOWNLOAD_TIMEOUT.check(arguments.timeout, "--timeout")
    if arguments.overpass_url:
        given["overpass_url"] = arguments.overpass_url
    # The options are the settings of this run (what the download reads), and only of this run.
    with settings.overridden(**given):
        return _prepare(arguments)


def _prepare(arguments: argparse.Namespace) -> int:
    from caremap import api
    from routing import sources
    from routing.engine import RoadEngine

    council = _common.council_of(arguments)
    pbf = _common.input_file(arguments.pbf, "OpenStreetMap extract")
    if arguments.offline and not arguments.geofabrik:
        raise InputDataError("--offline goes with --geofabrik (the extracts kept in the cache).")
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    data = api.load_data(council)
    source_text = None
    if arguments.geofabrik:
        pbf, source_text = sources.geofabrik_extracts(data.outline, offline=arguments.offline, progress=progress)
    network = sources.prepare_roads(council, data.outline, pbf=pbf, progress=progress, source_text=source_text)
    engine = RoadEngine(network)
    postcodes = np.column_stack([data.postcodes.geometry.x, data.postcodes.geometry.y])
    share = sources.coverage_share(engine, postcodes)
    progress(f"{council.name}: {network.n_nodes:,} junctions and {network.n_edges:,} road links; {share:.1%} of its "
             f"{len(postcodes):,} postcodes are within {engine.settings.snap_limit_m / 1000:g} km of a road.")
    if warning := sources.coverage_warning(engine, postcodes, council.name):
        print(f"warning: {warning} Does the extract cover the whole council?")
    print(f"Prepared {sources.prepared_extract(council.slug)}. The app offers it as "
          f"'{sources.SOURCE_NAMES[sources.PREPARED]}'; commands take --roads prepared.")
    return 0
