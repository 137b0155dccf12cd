"""Safety and privacy: no network in the default run, no client data on disk, nothing evaluated, no telemetry."""

import os
import re
import socket
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from analyses import fee_zones, report, rounds, uploads
from analyses.demand import synthetic_clients
from geo.council import load_council
from layers.care_homes import care_homes_from_osm
from layers.catalog import DATA_DIR
from layers.council_data import load_council_data
from routing.sources import build_engine

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CODE = [path for folder in ("geo", "layers", "routing", "analyses", "ui", "app_pages")
                for path in (ROOT / folder).rglob("*.py")] + [ROOT / "app.py"]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_every_analysis_runs_with_sockets_blocked(no_network, tmp_path):
    council = load_council("rutland")
    data = load_council_data(council)
    engine = build_engine(council, "bundled", cache_dir=tmp_path)
    centres = fee_zones.zone_centres(data.places, council.fee_zone_centres)
    zones = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, engine, 4.0)
    clients = synthetic_clients(data, clients=15, seed=2)
    plan = rounds.plan_rounds(rounds.calls_for_day(clients, rounds.RoundSettings()), [rounds.Base("Oakham", 485972, 308770, 4)],
                              engine, rounds.RoundSettings(iterations=100))
    homes = care_homes_from_osm(DATA_DIR / council.osm_extract, data.outline).homes
    built = report.build_report(data, homes, "OpenStreetMap", engine, 2028, sites=1, site_minutes=8.0)
    assert len(zones) == 1_274 and len(plan.visits) > 0 and report.to_pdf(built).startswith(b"%PDF")
    assert no_network == []


def test_the_default_council_runs_offline(no_network):
    data = load_council_data(load_council("herefordshire"))
    engine = build_engine(data.council, "estimate")
    centres = fee_zones.zone_centres(data.places, data.council.fee_zone_centres)
    zones = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, engine, 4.0)
    assert zones["inside_straight"].sum() == 4_203 and no_network == []


def _files_changed_since(start: float, folders: list[Path]) -> list[Path]:
    changed = []
    for folder in folders:
        for path in folder.rglob("*"):
            try:
                if path.is_file() and path.stat().st_mtime >= start:
                    changed.append(path)
            except OSError:
                pass
    return changed


def test_client_data_is_never_written_to_disk(herefordshire, rutland, rutland_engine, tmp_path):
    marker = "Zyxwvut Marker-Client"
    content = (f"client_id,name,postcode,hours_per_week,calls_per_day,minutes_per_call,windows,days_per_week\n"
               f"Q1,{marker},HR4 9AB,10,2,30,morning;tea,7\nQ2,{marker} Two,HR2 0RG,5,1,30,,7\n").encode()
    start = time.time() - 1
    table = uploads.fee_zone_clients(content, "clients.csv", herefordshire)
    centres = fee_zones.zone_centres(herefordshire.places, herefordshire.council.fee_zone_centres)
    from routing.engine import EstimateEngine

    xy = np.column_stack([table.clients.geometry.x, table.clients.geometry.y])
    fee_zones.classify_points(xy, centres, EstimateEngine(), 4.0)
    round_table = uploads.round_clients(content, "clients.csv", herefordshire, rounds.RoundSettings())
    rounds.plan_rounds(rounds.calls_for_day(round_table.clients, rounds.RoundSettings()),
                       [rounds.Base("Hereford", 350897, 239976, 2)], EstimateEngine(), rounds.RoundSettings(iterations=50))
    folders = [ROOT, Path(os.environ.get("TMPDIR", "/tmp")), Path.home() / ".cache"]
    suspicious = []
    for path in _files_changed_since(start, [f for f in folders if f.exists()]):
        if ".pytest_cache" in path.parts or path.suffix in (".pyc",) or path.stat().st_size > 50_000_000:
            continue
        try:
            if marker.encode() in path.read_bytes():
                suspicious.append(path)
        except OSError:
            pass
    assert suspicious == []


def test_nothing_from_user_files_is_unpickled_or_evaluated():
    forbidden = re.compile(r"\b(pickle\.loads?|eval|exec|marshal\.loads?|yaml\.load|__import__)\s*\(|allow_pickle=True")
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in PROJECT_CODE
                 for number, line in enumerate(path.read_text().splitlines(), 1) if forbidden.search(line)]
    assert offenders == []


def test_usage_statistics_are_off_and_uploads_are_capped():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] <= 50
    assert config["client"]["showErrorDetails"] == "none"


def test_no_code_loads_scripts_or_styles_from_the_internet():
    remote_asset = re.compile(r"(https?:)?//[^\s\"']+\.(js|css)\b")
    assert [path.name for path in PROJECT_CODE if remote_asset.search(path.read_text())] == []
