"""Safety and privacy: no network in the default run, no client data on disk, nothing evaluated, no telemetry."""

import os
import re
import socket
import sys
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pytest

from analyses import fee_zones, report, rounds, uploads
from analyses.demand import synthetic_clients
from geo.council import load_council
from layers.care_homes import shipped_care_homes
from layers.council_data import load_council_data
from routing.sources import build_engine

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CODE = [path for folder in ("geo", "layers", "routing", "analyses", "ui", "app_pages", "caremap")
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


@pytest.mark.slow
def test_every_analysis_runs_with_sockets_blocked(no_network, tmp_path):
    council = load_council("rutland")
    data = load_council_data(council)
    engine = build_engine(council, "bundled", cache_dir=tmp_path)
    centres = fee_zones.zone_centres(data.places, council.fee_zone_centres)
    zones = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, engine, radius_miles=4.0)
    clients = synthetic_clients(data, clients=15, seed=2)
    plan = rounds.plan_rounds(rounds.calls_for_day(clients, rounds.RoundSettings()), [rounds.Base("Oakham", 485972, 308770, 4)],
                              engine, rounds.RoundSettings(iterations=100))
    homes = shipped_care_homes(data)
    built = report.build_report(data, homes.homes, engine, year=2028, sites=1, site_minutes=8.0,
                                **report.homes_details(homes))
    assert len(zones) == 1_274 and len(plan.visits) > 0 and report.to_pdf(built).startswith(b"%PDF")
    assert no_network == []


def test_the_default_council_runs_offline(no_network):
    data = load_council_data(load_council("herefordshire"))
    engine = build_engine(data.council, "estimate")
    centres = fee_zones.zone_centres(data.places, data.council.fee_zone_centres)
    zones = fee_zones.classify_postcodes(data.postcodes, data.lsoa, centres, engine, radius_miles=4.0)
    assert zones["inside_straight"].sum() == 4_203 and no_network == []


@pytest.fixture
def files_written(tmp_path, monkeypatch):
    """Every file this process opens for writing during the test, seen by an audit hook (no folder is walked).

    Temporary files go to the test's own folder meanwhile.
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    opened: list[str] = []
    listening = [True]
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND

    def hook(event: str, args: tuple) -> None:
        if not listening[0] or event != "open":
            return
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(letter in mode for letter in "wax+")) or \
            (isinstance(flags, int) and flags & write_flags)
        if writing and isinstance(path, (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(path))

    sys.addaudithook(hook)  # hooks cannot be removed: this one goes quiet when the test ends
    yield opened
    listening[0] = False


def test_the_write_detector_sees_writes(tmp_path, files_written):
    # The check below is only as good as its detector: a file written by pandas, numpy or tempfile is seen.
    import pandas as pd

    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "table.csv")
    np.save(tmp_path / "array.npy", np.zeros(2))
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        handle.write(b"x")
    assert {str(tmp_path / "table.csv"), str(tmp_path / "array.npy"), handle.name} <= set(files_written)


def test_client_data_is_never_written_to_disk(herefordshire, files_written):
    marker = "Zyxwvut Marker-Client"
    content = (f"client_id,name,postcode,hours_per_week,calls_per_day,minutes_per_call,windows,days_per_week\n"
               f"Q1,{marker},HR4 9AB,10,2,30,morning;tea,7\nQ2,{marker} Two,HR2 0RG,5,1,30,,7\n").encode()
    table = uploads.fee_zone_clients(content, "clients.csv", herefordshire)
    centres = fee_zones.zone_centres(herefordshire.places, herefordshire.council.fee_zone_centres)
    from routing.engine import EstimateEngine

    xy = np.column_stack([table.clients.geometry.x, table.clients.geometry.y])
    fee_zones.classify_points(xy, centres, EstimateEngine(), radius_miles=4.0)
    round_table = uploads.round_clients(content, "clients.csv", herefordshire, rounds.RoundSettings())
    plan = rounds.plan_rounds(rounds.calls_for_day(round_table.clients, rounds.RoundSettings()),
                              [rounds.Base("Hereford", 350897, 239976, 2)], EstimateEngine(),
                              rounds.RoundSettings(iterations=50))
    assert len(round_table.clients) == 2 and len(plan.visits) > 0
    holding_marker = [path for path in files_written
                      if Path(path).is_file() and marker.encode() in Path(path).read_bytes()]
    assert holding_marker == []


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
