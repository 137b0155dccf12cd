"""A stand-in web server for the refresh tests: loopback only, on a port the system picks, answering from Python.

Each route is a function of the request that returns a :class:`Reply`. A test can put scripted replies in front of
a route (a 429 with Retry-After, then a 503, then the real answer), cut a body short, or make it vanish (404). Files
are served with HTTP Range support, as the publishers' file servers do. Every request is logged.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Reply:
    """An answer. ``cut_at`` sends only that many bytes of the body (after announcing its full length) and drops
    the connection."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_at: int | None = None


Route = Callable[[Request], Reply]


class StandIn:
    """The server. Use as a context manager; :attr:`url` is its base address."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.scripts: dict[str, list[Reply | None]] = {}
        self.log: list[Request] = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                parts = urlsplit(self.path)
                request = Request(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                                  {key.lower(): value for key, value in self.headers.items()})
                reply = stand_in.answer(request)
                body = reply.body
                self.send_response(reply.status)
                headers = {"Content-Length": str(len(body)), **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                if reply.cut_at is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                if reply.cut_at is not None:
                    self.wfile.write(body[:reply.cut_at])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> "StandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    def script(self, path: str, replies: list[Reply | None]) -> None:
        """Answer the next requests to ``path`` with these replies in turn (None: the route's own answer)."""
        self.scripts[path] = list(replies)

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.log if request.path == path]

    def answer(self, request: Request) -> Reply:
        with self.lock:
            self.log.append(request)
            queued = self.scripts.get(request.path)
            scripted = queued.pop(0) if queued else None
        if scripted is not None:
            return scripted
        handler = self.routes.get(request.path)
        if handler is None:
            return Reply(404, b"Not Found", {"Content-Type": "text/plain"})
        return handler(request)


def file_reply(content: bytes, request: Request, content_type: str = "application/octet-stream",
               headers: dict[str, str] | None = None) -> Reply:
    """A file, honouring a ``Range: bytes=N-`` request with a 206 as a file server does."""
    extra = {"Content-Type": content_type, "Accept-Ranges": "bytes", **(headers or {})}
    wanted = request.headers.get("range", "")
    if wanted.startswith("bytes=") and wanted.endswith("-") and wanted[6:-1].isdigit():
        start = int(wanted[6:-1])
        if start >= len(content):
            return Reply(416, b"", {**extra, "Content-Range": f"bytes */{len(content)}"})
        return Reply(206, content[start:], {**extra, "Content-Range": f"bytes {start}-{len(content) - 1}/{len(content)}"})
    return Reply(200, content, extra)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released), for an offline machine."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
