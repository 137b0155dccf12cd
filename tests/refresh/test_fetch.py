"""The client and the raw cache: retries honouring Retry-After, refusals, bodies cut short, resumed downloads,
publishers' checksums, the manifest's checksums, and a quick verdict on an offline machine."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from layers.refresh.cache import RawCache
from layers.refresh.errors import ChecksumMismatch, PublisherError, PublishersUnreachable, TruncatedDownload
from layers.refresh.fetch import Client, require_online, retry_after_seconds
from tests.refresh.standin import Reply, StandIn, closed_port, file_reply

CONTENT = bytes(range(256)) * 400  # 100 kB


@pytest.fixture
def server():
    with StandIn() as stand_in:
        stand_in.route("/data", lambda request: Reply(200, b'{"ok": true}', {"Content-Type": "application/json"}))
        stand_in.route("/file.zip", lambda request: file_reply(CONTENT, request))
        yield stand_in


def test_429_with_retry_after_then_503_then_the_answer(server, client, waits):
    server.script("/data", [Reply(429, b"slow down", {"Retry-After": "7"}), Reply(503, b"busy"), None])
    assert client.get_json(f"{server.url}/data") == {"ok": True}
    assert waits == [7.0, 1.0]  # the server's 7 s, then the backoff's second step (0.5 s doubled)
    assert len(server.requests_to("/data")) == 3
    assert server.requests_to("/data")[0].headers["user-agent"].startswith("caremap/")


def test_a_long_retry_after_is_capped_and_an_http_date_is_understood(server, waits):
    client = Client(retries=1, backoff=0.5, wait_max=60, sleep=waits.append)
    server.script("/data", [Reply(429, b"", {"Retry-After": "86400"}), None])
    client.get(f"{server.url}/data")
    assert waits == [60]
    now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Tue, 01 Dec 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("soon") is None


def test_a_refusal_or_a_missing_address_is_not_retried(server, client, waits):
    server.script("/data", [Reply(403, b"Forbidden")])
    with pytest.raises(PublisherError, match=r"refused the download \(403 Forbidden\).*--from FOLDER") as refused:
        client.get(f"{server.url}/data")
    assert refused.value.status == 403 and waits == []
    with pytest.raises(PublisherError, match="404 Not Found.*moved or renamed"):
        client.get(f"{server.url}/gone")
    assert len(server.requests_to("/gone")) == 1


def test_a_publisher_that_stays_down_is_given_up_after_the_retries(server, client):
    server.script("/data", [Reply(503, b"down")] * 4)
    with pytest.raises(PublisherError, match=r"answered 503 Service Unavailable \(4 attempts\)") as down:
        client.get(f"{server.url}/data")
    assert down.value.status == 503


def test_a_body_cut_short_is_asked_again_and_a_body_always_cut_is_an_error(server, client):
    server.script("/data", [Reply(200, b'{"ok": true}', cut_at=5), None])
    assert client.get_json(f"{server.url}/data") == {"ok": True}
    server.script("/data", [Reply(200, b'{"ok": true}', cut_at=5)] * 4)
    with pytest.raises(TruncatedDownload, match="cut short"):
        client.get(f"{server.url}/data")


def test_a_download_cut_short_resumes_with_a_range(server, client, tmp_path):
    server.script("/file.zip", [Reply(200, CONTENT, {"Accept-Ranges": "bytes"}, cut_at=80_000), None])
    download = client.download(f"{server.url}/file.zip", tmp_path / "file.zip",
                               md5=hashlib.md5(CONTENT).hexdigest())
    assert download.path.read_bytes() == CONTENT and download.resumed
    assert download.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert server.requests_to("/file.zip")[1].headers["range"] == "bytes=65536-"  # the last whole chunk
    assert not (tmp_path / "file.zip.part").exists()


def test_a_download_that_breaks_off_keeps_its_bytes_for_the_next_run(server, tmp_path, waits):
    client = Client(retries=0, sleep=waits.append)
    server.script("/file.zip", [Reply(200, CONTENT, cut_at=100_000)])
    with pytest.raises(TruncatedDownload, match="65,536 bytes received are kept"):
        client.download(f"{server.url}/file.zip", tmp_path / "file.zip")
    assert (tmp_path / "file.zip.part").stat().st_size == 65_536
    assert client.download(f"{server.url}/file.zip", tmp_path / "file.zip").path.read_bytes() == CONTENT
    assert server.requests_to("/file.zip")[-1].headers["range"] == "bytes=65536-"


def test_a_download_not_matching_the_publishers_checksum_is_discarded(server, client, tmp_path):
    with pytest.raises(ChecksumMismatch, match="does not match the publisher's MD5"):
        client.download(f"{server.url}/file.zip", tmp_path / "file.zip", md5="0" * 32)
    assert not (tmp_path / "file.zip").exists() and not (tmp_path / "file.zip.part").exists()


def test_the_cache_records_each_file_and_detects_a_changed_one(tmp_path):
    cache = RawCache(tmp_path / "raw")
    staging = cache.stage("care_homes")
    staging.write("directory", "directory.csv", b"a,b\n1,2\n", url="https://example.org/d.csv", counts={"rows": 1})
    older = staging.commit("2021-03-01", vintage="CQC care directory, 1 March 2021")
    manifest = json.loads((older.folder / "manifest.json").read_text())
    entry = manifest["files"][0]
    assert (entry["url"], entry["size"], entry["counts"]) == ("https://example.org/d.csv", 8, {"rows": 1})
    assert entry["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest() and manifest["retrieved"]
    staging = cache.stage("care_homes")
    staging.write("directory", "directory.csv", b"a,b\n1,3\n", url="https://example.org/d.csv")
    newer = staging.commit("2021-04-01", vintage="CQC care directory, 1 April 2021")
    newer.manifest["retrieved"] = (datetime.now(timezone.utc) + timedelta(seconds=5)).isoformat()
    (newer.folder / "manifest.json").write_text(json.dumps(newer.manifest))
    assert cache.latest("care_homes")[0].name == "2021-04-01"
    (newer.folder / "directory.csv").write_bytes(b"a,b\n9,9\n")
    with pytest.raises(ChecksumMismatch, match="does not match the SHA-256 recorded"):
        newer.verify()
    release, skipped = cache.latest("care_homes")
    assert release.name == "2021-03-01" and "2021-04-01" in skipped[0]
    three_days_on = release.retrieved + timedelta(days=3, hours=2)
    assert release.age_text(three_days_on) == f"3 days old (downloaded {release.retrieved:%Y-%m-%d})"
    assert cache.find("care_homes", "2021-04-01") is None


def test_an_offline_machine_is_told_so_in_seconds():
    port = closed_port()
    started = time.perf_counter()
    with pytest.raises(PublishersUnreachable, match="seems to be offline.*--offline.*--from FOLDER"):
        require_online([f"http://127.0.0.1:{port}/arcgis", f"http://127.0.0.1:{port}/nomis"], timeout=2)
    assert time.perf_counter() - started < 3


def test_publishers_addresses_and_patience_come_from_the_settings_or_the_environment(monkeypatch):
    from geo.settings import Settings

    fresh = Settings()
    assert fresh.ods_url == "https://www.odsdatasearchandexport.nhs.uk/api" and fresh.download_retries == 4
    monkeypatch.setenv("CAREMAP_ODS_URL", "http://mirror.example/ods")
    monkeypatch.setenv("CAREMAP_RETRIES", "7")
    assert fresh.ods_url == "http://mirror.example/ods" and fresh.download_retries == 7
    assert Client().retries == 7  # read when the client is made
