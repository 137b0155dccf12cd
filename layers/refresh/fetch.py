"""Ask publishers for their files politely and persistently: a user agent, timeouts, retries with backoff on 429
and 5xx answers (honouring Retry-After), downloads that resume where a dropped connection left them (HTTP Range),
and a quick check that the machine can reach anyone at all.

Uses ``requests`` (already installed with OSMnx). Every wait is made through the client's ``sleep`` so tests can
record the waits instead of sleeping through them.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import requests

from geo.settings import settings
from layers.refresh.errors import ChecksumMismatch, PublisherError, PublishersUnreachable, TruncatedDownload

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Answers that mean "not now": asked again after a wait."""
CHUNK_BYTES = 1 << 16
"""Bytes read at a time. A connection that drops loses the chunk it was reading, so resuming starts at the last
whole chunk."""
_BROKEN = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
           requests.exceptions.ContentDecodingError)
"""What a dropped connection, a silent server or a body cut short raise in requests."""

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The progress callback used when the caller gives none."""


@dataclass
class Download:
    """A file fetched to disk.

    Attributes
    ----------
    path : Path
        Where it is.
    url : str
        The address it came from (after redirects).
    size : int
        Bytes.
    sha256 : str
        Its SHA-256, hex.
    headers : dict
        The last answer's headers (``Last-Modified`` says how old the publisher's file is).
    resumed : bool
        True when part of it came from an earlier, interrupted attempt.
    """

    path: Path
    url: str
    size: int
    sha256: str
    headers: dict[str, str] = field(default_factory=dict)
    resumed: bool = False


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number of seconds or an HTTP date), None if absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _shown(url: str) -> str:
    """An address without its query, for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class Client:
    """One session with the publishers.

    Parameters
    ----------
    retries, backoff, wait_max, timeout, user_agent
        Default to the settings (``download_retries``, ``retry_backoff``, ``retry_wait_max``,
        ``requests_timeout``, ``user_agent``).
    sleep : callable
        How to wait (``time.sleep``); every wait is also appended to :attr:`waits`.
    session : requests.Session, optional
        For tests or proxies.
    """

    def __init__(self, *, retries: int | None = None, backoff: float | None = None, wait_max: float | None = None,
                 timeout: float | None = None, user_agent: str | None = None,
                 sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None) -> None:
        self.retries = settings.download_retries if retries is None else retries
        self.backoff = settings.retry_backoff if backoff is None else backoff
        self.wait_max = settings.retry_wait_max if wait_max is None else wait_max
        self.timeout = settings.requests_timeout if timeout is None else timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent or settings.user_agent
        self._sleep = sleep
        self.waits: list[float] = []

    # --- waiting ------------------------------------------------------------------------------------------------

    def _wait(self, attempt: int, answer: requests.Response | None) -> None:
        asked = retry_after_seconds(answer.headers.get("Retry-After")) if answer is not None else None
        seconds = min(asked, self.wait_max) if asked is not None else self.backoff * 2 ** attempt
        self.waits.append(seconds)
        self._sleep(seconds)

    def _attempts(self) -> Iterable[int]:
        return range(self.retries + 1)

    # --- whole answers --------------------------------------------------------------------------------------------

    def get(self, url: str, params: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None,
            allow_redirects: bool = True) -> requests.Response:
        """The answer to a GET, its body read whole, after retries.

        Raises
        ------
        PublisherError
            On a 4xx answer (at once: asking again will not help), or when every attempt met a 429/5xx answer or a
            broken connection. ``status`` holds the last HTTP status.
        TruncatedDownload
            When every attempt's body ended before its announced length.
        """
        last: requests.Response | None = None
        problem = ""
        cut_short = False
        for attempt in self._attempts():
            if attempt:
                self._wait(attempt - 1, last)
            try:
                answer = self.session.get(url, params=params, headers=headers, timeout=self.timeout,
                                          allow_redirects=allow_redirects)
            except _BROKEN as error:
                last = None
                problem, cut_short = _broken(error)
                continue
            if answer.status_code in RETRY_STATUSES:
                last, problem, cut_short = answer, f"it answered {answer.status_code} {answer.reason}", False
                continue
            if answer.status_code >= 400:
                raise PublisherError(_refusal(answer), status=answer.status_code, url=answer.url)
            expected = answer.headers.get("Content-Length")
            if expected and expected.isdigit() and not answer.headers.get("Content-Encoding") \
                    and len(answer.content) < int(expected):
                last, problem, cut_short = None, "its answer was cut short", True
                continue
            return answer
        tries = self.retries + 1
        message = f"{_shown(url)}: {problem} ({tries} attempt{'s' if tries > 1 else ''})."
        if cut_short:
            raise TruncatedDownload(message + " The connection keeps dropping: try again later.", url=url)
        raise PublisherError(message + " The publisher may be down: try again later.",
                             status=last.status_code if last is not None else None, url=url)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """A JSON answer, parsed.

        Raises
        ------
        PublisherError
            As :meth:`get`, or when the body is not JSON (a maintenance page, say).
        """
        answer = self.get(url, params)
        try:
            return answer.json()
        except (json.JSONDecodeError, ValueError):
            start = answer.text[:80].strip().replace("\n", " ")
            raise PublisherError(f"{_shown(url)} answered with something other than JSON ({start!r}…).",
                                 status=answer.status_code, url=url) from None

    # --- files --------------------------------------------------------------------------------------------------

    def download(self, url: str, target: Path, *, params: dict[str, Any] | None = None, md5: str | None = None,
                 progress: Progress = _quiet) -> Download:
        """Fetch a (large) file to ``target``, resuming an interrupted attempt.

        The bytes go to ``target`` + ``.part`` first; an attempt that breaks off keeps what arrived, and the next one
        (in this call or a later run) asks only for the rest with an HTTP Range header. A server that ignores the
        Range starts the file again.

        Parameters
        ----------
        md5 : str, optional
            The publisher's MD5 of the file: a mismatch raises :class:`ChecksumMismatch` and discards the bytes.

        Raises
        ------
        PublisherError, TruncatedDownload
            As :meth:`get`.
        ChecksumMismatch
            When ``md5`` is given and differs.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        resumed = part.exists() and part.stat().st_size > 0
        last: requests.Response | None = None
        problem, cut_short = "", False
        for attempt in self._attempts():
            if attempt:
                self._wait(attempt - 1, last)
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with self.session.get(url, params=params, headers=headers, timeout=self.timeout, stream=True) as answer:
                    last = answer
                    if answer.status_code == 416 and have:
                        part.unlink()  # what we hold is not a prefix of the file any more
                        problem, cut_short = "the partial file no longer matched", False
                        continue
                    if answer.status_code in RETRY_STATUSES:
                        problem, cut_short = f"it answered {answer.status_code} {answer.reason}", False
                        continue
                    if answer.status_code >= 400:
                        raise PublisherError(_refusal(answer), status=answer.status_code, url=answer.url)
                    appending = answer.status_code == 206 and have > 0
                    total = _total_size(answer, have if appending else 0)
                    with open(part, "ab" if appending else "wb") as stream:
                        written = have if appending else 0
                        reported = -1
                        for chunk in answer.iter_content(CHUNK_BYTES):
                            stream.write(chunk)
                            written += len(chunk)
                            if total and (tenth := written * 10 // total) > reported:
                                reported = tenth
                                progress(f"{target.name}: {written / 2**20:,.1f} of {total / 2**20:,.1f} MB")
                    if total and written < total:
                        last, problem, cut_short = None, "its answer was cut short", True
                        continue
                    return self._finish(part, target, answer, md5, resumed or appending)
            except _BROKEN as error:
                last = None
                problem, cut_short = _broken(error)
        tries = self.retries + 1
        message = (f"{_shown(url)}: {problem} ({tries} attempts); the {part.stat().st_size if part.exists() else 0:,} "
                   f"bytes received are kept and the next attempt resumes from there.")
        if cut_short:
            raise TruncatedDownload(message, url=url)
        raise PublisherError(message, status=last.status_code if last is not None else None, url=url)

    @staticmethod
    def _finish(part: Path, target: Path, answer: requests.Response, md5: str | None, resumed: bool) -> Download:
        if md5 and _file_md5(part) != md5.strip().lower():
            part.unlink()
            raise ChecksumMismatch(f"{target.name} from {_shown(answer.url)} does not match the publisher's MD5 "
                                   f"checksum ({md5}): the download is damaged and was discarded. Try again.")
        part.replace(target)
        return Download(target, answer.url, target.stat().st_size, file_sha256(target), dict(answer.headers), resumed)


def _broken(error: Exception) -> tuple[str, bool]:
    """What a requests exception means, and whether it was a body cut short."""
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "its answer was cut short (the connection dropped mid-body)", True
    if isinstance(error, requests.Timeout):
        return "it did not answer in time", False
    return f"the connection failed ({type(error).__name__})", False


def _total_size(answer: requests.Response, offset: int) -> int | None:
    """The whole file's size from Content-Range (a 206) or Content-Length plus what we already hold."""
    content_range = answer.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = answer.headers.get("Content-Length")
    if length and length.isdigit() and not answer.headers.get("Content-Encoding"):
        return offset + int(length)
    return None


def _refusal(answer: requests.Response) -> str:
    where = _shown(answer.url)
    if answer.status_code in (401, 403):
        return (f"{where} refused the download ({answer.status_code} {answer.reason}): the publisher no longer serves "
                f"it there or wants a key. Download the file in a browser and use --from FOLDER.")
    if answer.status_code in (404, 410):
        return (f"{where} is not there ({answer.status_code} {answer.reason}): the publisher has moved or renamed "
                f"it.")
    return f"{where} answered {answer.status_code} {answer.reason}."


# --- is anyone there? -------------------------------------------------------------------------------------------


def endpoint(url: str) -> tuple[str, int]:
    """Host and port of an address."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (80 if parts.scheme == "http" else 443)


def _connects(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def reachable(urls: Iterable[str], *, timeout: float | None = None) -> dict[str, bool]:
    """Whether each address's host accepts a TCP connection within ``timeout`` seconds (setting
    ``reach_timeout``), all tried at once.

    Name lookups run in worker threads and are abandoned at the timeout, because ``getaddrinfo`` ignores socket
    timeouts and can hang for long on a machine without a network.
    """
    timeout = settings.reach_timeout if timeout is None else timeout
    hosts = {url: endpoint(url) for url in urls}
    distinct = sorted(set(hosts.values()))
    if not distinct:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(8, len(distinct)))
    try:
        futures = {key: pool.submit(_connects, *key, timeout) for key in distinct}
        wait(futures.values(), timeout=timeout + 0.5)
        answered = {key: future.done() and future.result() for key, future in futures.items()}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return {url: answered[key] for url, key in hosts.items()}


def require_online(urls: Iterable[str], *, timeout: float | None = None) -> dict[str, bool]:
    """:func:`reachable`, raising at once when no address answers.

    Raises
    ------
    PublishersUnreachable
        One message for the whole run: the machine seems to be offline, and what to do instead.
    """
    urls = list(urls)
    answers = reachable(urls, timeout=timeout)
    if urls and not any(answers.values()):
        hosts = ", ".join(sorted({endpoint(url)[0] for url in urls}))
        raise PublishersUnreachable(
            f"Cannot reach the publishers ({hosts}) within {settings.reach_timeout if timeout is None else timeout:g} "
            f"s: this machine seems to be offline. Use --offline to rebuild from the downloads already in the cache, "
            f"or download the files in a browser elsewhere and use --from FOLDER."
        )
    return answers
