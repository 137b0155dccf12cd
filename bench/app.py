"""App benchmark in a real browser: time to the first map, and a rerun after changing a setting.

Run ``python -m bench.app`` (needs Debian's chromium). Starts the app, opens the Explore page
(Herefordshire, 117 LSOAs) in headless chromium and measures:

* ``first_map_s``: from opening the page on a freshly started server to the map drawn (data loaded cold);
* a second session's first map (data cached);
* ``rerun_ms``: from changing "Colour areas by" to the new map drawn (median of 6 changes), on cached data.

Each first map is also measured in CPU seconds of the server (its own process, from ``/proc``): the machine is
shared, so wall time is noisy, while the server's CPU time is what the first map costs it.

Ends with ``RESULT rerun_ms=<ms> first_map_s=<s> first_map_cpu_s=<s>``. Targets: rerun < 1 s, first map < 3 s.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.common import print_table
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_app

MEASURES = ["% aged 85+", "% aged 65+"]


def wait_for_legend(tab, text: str, timeout_s: float = 60.0) -> None:
    """Wait until the map's legend starts with ``text`` (the new map is drawn)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        for frame in tab.frames:
            if "streamlit_folium" in frame.url:
                try:
                    legend = frame.locator(".caremap-legend").first
                    if legend.count() and legend.inner_text().startswith(text) and \
                            frame.locator("path.leaflet-interactive").count() >= 117:
                        return
                except Exception:  # the frame is being replaced
                    pass
        tab.wait_for_timeout(20)
    raise TimeoutError(f"legend {text!r} did not appear")


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, seconds (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    (ROOT / "artifacts").mkdir(exist_ok=True)
    process, url = start_app()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            start, cpu = time.perf_counter(), cpu_seconds(process.pid)
            tab.goto(url)
            wait_for_legend(tab, "% aged 65+")
            first_map_s, first_map_cpu_s = time.perf_counter() - start, cpu_seconds(process.pid) - cpu

            second = browser.new_page(viewport={"width": 1400, "height": 1000})
            start, cpu = time.perf_counter(), cpu_seconds(process.pid)
            second.goto(url)
            wait_for_legend(second, "% aged 65+")
            warm_first_s, warm_first_cpu_s = time.perf_counter() - start, cpu_seconds(process.pid) - cpu
            second.close()

            reruns = []
            for step in range(6):
                measure = MEASURES[step % 2]
                tab.get_by_role("combobox", name="Colour areas by").click()
                start = time.perf_counter()
                tab.get_by_role("option", name=measure, exact=True).click()
                wait_for_legend(tab, measure)
                reruns.append(time.perf_counter() - start)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    rerun_ms = statistics.median(reruns) * 1000
    print_table([("first map, cold server", f"{first_map_s:.2f} s"),
                 ("  its server CPU time", f"{first_map_cpu_s:.2f} s"),
                 ("first map, second session", f"{warm_first_s:.2f} s"),
                 ("  its server CPU time", f"{warm_first_cpu_s:.2f} s"),
                 ("rerun after changing the measure (median of 6)", f"{rerun_ms:.0f} ms"),
                 ("reruns", ", ".join(f"{r * 1000:.0f}" for r in reruns))], ("measure", "value"))
    print(f"RESULT rerun_ms={rerun_ms:.0f} first_map_s={first_map_s:.2f} first_map_cpu_s={first_map_cpu_s:.2f}")


if __name__ == "__main__":
    main()
