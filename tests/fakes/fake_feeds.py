"""A fake feed server on 127.0.0.1 serving the real snapshots (``shared/data/feeds/news``).

requests and feedparser run unpatched against it. Routes (``server.url(path)``):

* ``/feed/NAME`` — the snapshot file NAME, ``application/rss+xml``, with an ``ETag`` and a
  ``Last-Modified``; answers 304 to a matching ``If-None-Match`` / ``If-Modified-Since``.
* ``/redirect?to=URL`` — 302 to URL; ``/loop`` — redirects to itself forever.
* ``/trickle`` — 200 with a real snapshot, one byte every 0.1 s.
* ``/cutoff`` — Content-Length of the whole snapshot, then half of it and the connection closes.
* ``/amplifier`` — a 115 kB internal-entity amplifier (one 20 kB entity referenced 19,000 times).
* ``/doctype`` — a real snapshot behind a 1 MB DOCTYPE internal subset (no entities).
* ``/big`` — a 6 MB body with Content-Length; ``/big-stream`` — the same without one.
* ``/html`` — a web page; ``/status/CODE`` — that HTTP status; ``/garbage`` — binary noise.
* ``/body/KEY`` — ``server.bodies[KEY]`` (bytes a test registers), as RSS.

``server.hits`` counts requests per path; ``server.seen`` keeps each request's headers.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import NEWS_DIR, _need
from tests.fakes.loopback import LoopbackServer, serving

SNAPSHOT = "reddit-localllama-20250127.xml"
LAST_MODIFIED = email.utils.format_datetime(email.utils.parsedate_to_datetime("Mon, 27 Jan 2025 14:00:00 GMT"),
                                            usegmt=True)


def amplifier() -> bytes:
    """A 115 kB feed whose one internal entity expands to 380 MB if a parser honours it."""
    entity = "A" * 20_000
    refs = "&big;" * 19_000
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "{entity}">\n]>\n'
            f'<rss version="2.0"><channel><title>x</title><item><title>boom</title>'
            f"<description>{refs}</description></item></channel></rss>").encode()


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "application/rss+xml; charset=utf-8",
              headers: dict[str, str] | None = None, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length is not None or status not in (304,):
            self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        self.server.hits[path] += 1
        self.server.seen.append((path, {k.lower(): v for k, v in self.headers.items()}))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(path, parse_qs(parts.query))

    def _route(self, path: str, query: dict[str, list[str]]) -> None:
        srv = self.server
        if path.startswith("/feed/"):
            name = Path(path[len("/feed/"):]).name
            file = srv.news_dir / name
            if not file.is_file():
                return self._send(404, b"no such feed", "text/plain")
            body = file.read_bytes()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                return self._send(304, headers=validators)
            return self._send(200, body, headers=validators)
        if path == "/redirect":
            return self._send(302, b"", "text/plain", {"Location": query.get("to", ["/"])[0]})
        if path == "/loop":
            return self._send(302, b"", "text/plain", {"Location": "/loop"})
        if path == "/trickle":
            body = (srv.news_dir / SNAPSHOT).read_bytes()
            self._send(200, b"", length=len(body))
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(0.1)
                if srv.stopping.is_set():
                    return None
            return None
        if path == "/cutoff":
            body = (srv.news_dir / SNAPSHOT).read_bytes()
            self._send(200, body[: len(body) // 2], length=len(body))
            self.close_connection = True
            return None
        if path == "/amplifier":
            return self._send(200, amplifier())
        if path == "/doctype":
            body = (srv.news_dir / SNAPSHOT).read_bytes()
            head, rest = body.split(b"?>", 1)
            subset = b"<!-- " + b"x" * (1024 * 1024) + b" -->"
            return self._send(200, head + b"?>\n<!DOCTYPE rss [\n" + subset + b"\n]>" + rest)
        if path in ("/big", "/big-stream"):
            item = b"<item><title>padding</title><description>" + b"y" * 1000 + b"</description></item>\n"
            body = b'<rss version="2.0"><channel><title>Big</title>' + item * 6200 + b"</channel></rss>"
            if path == "/big":
                return self._send(200, body)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return None
        if path.startswith("/body/") and path[len("/body/"):] in srv.bodies:
            return self._send(200, srv.bodies[path[len("/body/"):]])
        if path == "/html":
            return self._send(200, b"<!DOCTYPE html><html><body>Hello</body></html>", "text/html")
        if path.startswith("/status/"):
            return self._send(int(path.rsplit("/", 1)[1]), b"nope", "text/plain")
        if path == "/garbage":
            return self._send(200, b"\x00\x01 this is not xml at all {{{", "application/octet-stream")
        return self._send(404, b"no route", "text/plain")


class FeedServer(LoopbackServer):
    """The threaded fake server; ``url(path)`` builds an address on it."""

    def __init__(self, news_dir: Path) -> None:
        super().__init__(_Handler)
        self.news_dir = news_dir
        self.hits: Counter[str] = Counter()
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.bodies: dict[str, bytes] = {}


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """A running fake feed server; online, with 127.0.0.1 allow-listed for this test only."""
    server = FeedServer(_need(NEWS_DIR))
    monkeypatch.setenv("DASHBOARD_OFFLINE", "0")
    monkeypatch.setenv("DASHBOARD_FETCH_ALLOW", "127.0.0.1")
    with serving(server, "fake-feeds", server.stopping):
        yield server
