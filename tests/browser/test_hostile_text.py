"""Markdown and HTML in a refused upload show as text in a real browser: no image is fetched, no link is made."""

from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
HOSTILE_NAME = "[Fix](http://evil.example)![n](http://127.0.0.1:9/n).csv"


def _upload(page, name: str, content: bytes) -> None:
    page.locator("input[type=file]").first.set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})


def test_markdown_and_html_in_a_refused_file_are_shown_as_text(app_url, page):
    page.goto(f"{app_url}/fee-zones")
    page.get_by_text("My client list").click()
    _upload(page, HOSTILE_NAME, (CORPUS / "markdown_in_values.csv").read_bytes())
    alert = page.locator("[data-testid=stAlertContentError]").filter(has_text="No usable client")
    alert.wait_for(timeout=60_000)
    text = alert.inner_text().replace("\u200b", "")  # the zero-width spaces that stop bare addresses becoming links
    assert f"No usable client in '{HOSTILE_NAME}'." in text
    assert "'![x](http://127.0.0.1:9/beacon.png)' is not a UK postcode" in text
    assert "'[Fix your file](http://evil.example/fix)' is not a UK postcode" in text
    assert '<img src="http://evil.example…" onerror="window.__pwned=3">' in text
    assert "'**bold** :red[red] $x^2$ `code`' is not a UK postcode" in text
    assert alert.locator("img, a, strong, code, span[class*=katex]").count() == 0

    _upload(page, "headers.csv", (CORPUS / "markdown_in_headers.csv").read_bytes())
    header_alert = page.locator("[data-testid=stAlertContentError]").filter(has_text="Its columns are")
    header_alert.wait_for(timeout=60_000)
    assert "'client_id', '![h](http://127.0.0.1:9/header.png)', '<b>hours</b>'" in \
        header_alert.inner_text().replace("\u200b", "")
    assert header_alert.locator("img, a, b").count() == 0
    screenshot(page, "fee_zones_hostile_markdown")

    page.wait_for_timeout(1_000)  # an image would have been asked for by now
    assert page.locator("img[src*='127.0.0.1:9'], img[src*='evil.example'], a[href*='evil.example']").count() == 0
    assert [url for url in page.requests.urls if "127.0.0.1:9" in url or "evil.example" in url] == []
    assert page.requests.external() == []
    assert page.evaluate("() => window.__pwned") is None
