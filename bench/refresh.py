"""Refresh benchmark: a council brought up to date end to end through the stand-in publishers, and the two heaviest
conversions of a national refresh, at full size, on SYNTHETIC data.

Run ``python -m bench.refresh`` (``python -m bench.refresh standin`` for the first part only). The first part runs the
refresh tests' stand-in world (loopback publishers and a pack holding Rutland's rows; Rutland not bundled): it times
``setup.bring_up_to_date("Rutland")`` online through the stand-in (all eight sources, then the re-cut), from a folder
of downloaded files, and ``setup --refresh`` on a machine without internet (a closed loopback port), best of three.
Then It writes a care directory ODS the size of CQC's monthly file (55,000 locations,
124 columns, ~16,000 repeated empty cells a row, a million-row filler; every value made up) and a Nomis answer for
every English LSOA by single year of age (33,755 x 92 rows, made up), then, in a fresh process, times reading the
care homes out of the ODS (streamed by ``layers.workbooks``) and turning the Nomis rows into the population table.
Ends with ``RESULT cqc_s=<s> cqc_cpu_s=<s> cqc_peak_mb=<MB> nomis_s=<s> nomis_cpu_s=<s> peak_mb=<MB>`` (wall
and CPU seconds: on a shared machine the CPU time is the steadier figure).
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.common import print_table

ROOT = Path(__file__).resolve().parent.parent
LOCATIONS = 55_000
LSOAS = 33_755


def make_directory(path: Path) -> int:
    """A synthetic care directory ODS, streamed to disk (its content.xml is hundreds of MB)."""
    from scripts.make_publisher_fixtures import CQC_COLUMNS, FILLER_ROWS, ODS_COLUMNS, _cell, _row

    rng = random.Random(25)
    namespaces = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("content.xml", "w") as stream:
        stream.write(f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces}><office:body>'
                     f'<office:spreadsheet><table:table table:name="README">{_row([_cell("", "SYNTHETIC")])}'
                     f'</table:table><table:table table:name="HSCA_Active_Locations">'.encode())
        stream.write(_row([_cell("", name) for name in CQC_COLUMNS]).encode())
        for number in range(LOCATIONS):
            home = rng.random() < 0.3
            row = {name: (f"SYNTHETIC value {number}" if rng.random() < 0.5 else "") for name in CQC_COLUMNS}
            row.update({"Location ID": f"1-{number:09d}", "Care home?": "Y" if home else "N", "Dormant (Y/N)": "N",
                        "Location HSCA start date": "2015-06-01", "Care homes beds": str(rng.randint(3, 90)) if home
                        else "", "Location Latitude": f"{rng.uniform(50.1, 55.7):.6f}",
                        "Location Longitude": f"{rng.uniform(-5.6, 1.7):.6f}"})
            stream.write(_row([_cell(name, row[name]) for name in CQC_COLUMNS]).encode())
        stream.write(f'<table:table-row table:number-rows-repeated="{FILLER_ROWS}"><table:table-cell '
                     f'table:number-columns-repeated="{ODS_COLUMNS}"/></table:table-row></table:table>'
                     f'</office:spreadsheet></office:body></office:document-content>'.encode())
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo("content.xml").file_size


def make_nomis(path: Path) -> None:
    """A synthetic Nomis answer: every LSOA, all ages and each single year."""
    rng = random.Random(25)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("DATE,GEOGRAPHY_CODE,GEOGRAPHY_NAME,C_AGE,OBS_VALUE\n")
        for lsoa in range(LSOAS):
            ages = [rng.randint(0, 40) for _ in range(91)]
            code = f"E01{lsoa:06d}"
            stream.write(f"2024,{code},SYNTHETIC {lsoa},200,{sum(ages)}\n")
            stream.writelines(f"2024,{code},SYNTHETIC {lsoa},{101 + age},{count}\n" for age, count in enumerate(ages))


def measure(directory: Path, nomis_csv: Path) -> dict:
    from layers.refresh.sources.cqc import care_homes
    from layers.refresh.sources.population import PopulationSource

    started, cpu = time.perf_counter(), time.process_time()
    homes = care_homes(directory)
    cqc_s, cqc_cpu = time.perf_counter() - started, time.process_time() - cpu
    cqc_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    table, _, _ = PopulationSource()._read([nomis_csv], "synthetic Nomis answer")
    nomis_s, nomis_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"homes": len(homes), "cqc_s": cqc_s, "cqc_cpu": cqc_cpu, "cqc_peak_mb": cqc_peak, "lsoas": len(table),
            "nomis_s": nomis_s, "nomis_cpu": nomis_cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_standin() -> dict[str, float]:
    """Seconds to bring Rutland up to date through the stand-in publishers (online, from a folder) and to fail
    without internet, each the best of three, in a stand-in world of its own."""
    import contextlib
    import io
    import shutil

    from bench.common import best_of
    from caremap.cli import main as cli
    from geo.settings import settings
    from layers import setup
    from layers.refresh.sources.population import MID2020_LSOA11, PopulationSource
    from tests.refresh.publishers import Publishers, build_rutland_pack, downloads_folder
    from tests.refresh.standin import StandIn, closed_port

    with tempfile.TemporaryDirectory(prefix="caremap-refresh-standin-") as folder:
        root = Path(folder)
        councils = root / "councils"
        councils.mkdir()
        for name in ("herefordshire.toml", "national.toml"):
            shutil.copy(settings.councils_folder / name, councils / name)
        with contextlib.redirect_stdout(io.StringIO()):
            data = build_rutland_pack(root / "pack")
        with StandIn() as server:
            publishers = Publishers(server)
            with settings.overridden(home=root / "home", data_folder=data, councils_folder=councils,
                                     **publishers.settings()):
                online, done = best_of(lambda: setup.bring_up_to_date(
                    "Rutland", adapters=[PopulationSource(MID2020_LSOA11)]))
                assert not done.kept_shipped and not done.warnings(), done.report.text()
                downloads_folder(root / "Downloads", publishers)
                from_folder, _ = best_of(lambda: setup.bring_up_to_date("Rutland", from_folder=root / "Downloads"))
                dead = f"http://127.0.0.1:{closed_port()}"
                urls = {name: f"{dead}/{name}" for name in publishers.settings()}
                with settings.overridden(**urls), contextlib.redirect_stderr(io.StringIO()), \
                        contextlib.redirect_stdout(io.StringIO()):
                    offline, code = best_of(lambda: cli(["setup", "--council", "Rutland", "--refresh"]))
                assert code == 2
    return {"online_s": online, "folder_s": from_folder, "no_internet_s": offline}


def main() -> None:
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    standin = measure_standin()
    print_table([("refresh (8 sources, through the stand-in) + re-cut of Rutland", f"{standin['online_s']:.2f}"),
                 ("the same from a folder of downloaded files", f"{standin['folder_s']:.2f}"),
                 ("setup --refresh without internet: the one message", f"{standin['no_internet_s']:.2f}")],
                ("Rutland brought up to date", "seconds (best of 3)"))
    print(f"RESULT standin_online_s={standin['online_s']:.2f} standin_folder_s={standin['folder_s']:.2f} "
          f"no_internet_s={standin['no_internet_s']:.2f}")
    if sys.argv[1:2] == ["standin"]:
        return
    with tempfile.TemporaryDirectory(prefix="caremap-refresh-bench-") as folder:
        directory, nomis_csv = Path(folder) / "01_January_2026_HSCA_Active_Locations.ods", Path(folder) / "nomis.csv"
        unzipped = make_directory(directory)
        make_nomis(nomis_csv)
        result = json.loads(subprocess.run([sys.executable, "-m", "bench.refresh", "measure", str(directory),
                                            str(nomis_csv)], cwd=ROOT, check=True, capture_output=True,
                                           text=True).stdout)
        print_table([("CQC care directory (ODS)", f"{directory.stat().st_size / 2**20:,.1f} MB zipped, "
                                                  f"{unzipped / 2**20:,.0f} MB XML", f"{result['homes']:,} care homes",
                      f"{result['cqc_s']:.1f}", f"{result['cqc_cpu']:.1f}"),
                     ("Nomis LSOA population", f"{nomis_csv.stat().st_size / 2**20:,.1f} MB CSV",
                      f"{result['lsoas']:,} LSOAs", f"{result['nomis_s']:.1f}", f"{result['nomis_cpu']:.1f}")],
                    ("conversion", "input", "output", "seconds", "CPU seconds"))
    print(f"RESULT cqc_s={result['cqc_s']:.1f} cqc_cpu_s={result['cqc_cpu']:.1f} cqc_peak_mb={result['cqc_peak_mb']:.0f} "
          f"nomis_s={result['nomis_s']:.1f} nomis_cpu_s={result['nomis_cpu']:.1f} peak_mb={result['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
