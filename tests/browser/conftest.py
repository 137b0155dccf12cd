"""A running app and a real browser (Debian's chromium driven by Playwright) for end-to-end tests.

Screenshots go to ``artifacts/screenshots/`` (not committed) so a person can look at them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` on a free port and wait until it answers its health check."""
    port = port or _free_port()
    log = open(ROOT / "artifacts" / f"streamlit-{port}.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"The app did not start on port {port}; see artifacts/streamlit-{port}.log")


@pytest.fixture(scope="session")
def app_url():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run 'apt-get install -y chromium' (.ci/run does).")
    (ROOT / "artifacts").mkdir(exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    process, url = start_app()
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class RequestLog:
    """Every URL a page asked for, to prove nothing left the machine."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def external(self) -> list[str]:
        hosts = {"127.0.0.1", "localhost", "::1", ""}
        return [url for url in self.urls
                if urlparse(url).scheme not in ("data", "blob", "about") and urlparse(url).hostname not in hosts]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.requests = RequestLog()
    tab.on("request", lambda request: tab.requests.urls.append(request.url))
    yield tab
    context.close()


def map_text(frame) -> str:
    """Every text of a map: legend, labels, and the layer names in the collapsed layer switcher (hidden until hovered,
    so not in ``inner_text``)."""
    return frame.locator(".leaflet-container").first.text_content() or ""


def map_frame(tab, timeout_s: float = 60.0, min_paths: int = 1, contains: str | None = None):
    """The streamlit-folium iframe once Leaflet has drawn at least ``min_paths`` SVG paths (and, if given,
    shows the text ``contains``: after a change, the old map can linger for a moment)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in tab.frames:
            if "streamlit_folium" in frame.url:
                try:
                    drawn = frame.locator("path.leaflet-interactive").count() >= min_paths
                    if drawn and (contains is None or contains in map_text(frame)):
                        return frame
                except Exception:  # the frame may be replaced while we look
                    pass
        tab.wait_for_timeout(500)  # lets Playwright process events, unlike time.sleep
    raise AssertionError(f"No Leaflet map with {min_paths}+ paths appeared within {timeout_s:.0f} s")


def choose_council(page, name: str) -> None:
    """Pick a council in the sidebar's select box (by the name it shows)."""
    page.get_by_role("combobox", name="Council").first.click()
    page.get_by_role("option", name=name).click()


def downloaded_workbook(page, label: str = "Download XLSX") -> tuple[dict, dict]:
    """Click a download button and read the workbook it gives: its sheets by name, and its About sheet as a dict."""
    import io

    import pandas as pd

    with page.expect_download() as download:
        page.get_by_text(label).click()
    sheets = pd.read_excel(io.BytesIO(Path(download.value.path()).read_bytes()), sheet_name=None)
    return sheets, dict(zip(sheets["About"]["Item"], sheets["About"]["Detail"]))


def screenshot(tab, name: str) -> Path:
    """Save the whole page: Streamlit scrolls inside its main section, so grow the viewport to fit it first."""
    path = SCREENSHOTS / f"{name}.png"
    size = tab.viewport_size
    height = tab.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body).scrollHeight")
    tab.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 80, 12000))})
    tab.wait_for_timeout(1500)
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(size)
    return path
