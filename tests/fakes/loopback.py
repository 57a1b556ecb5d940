"""The HTTP plumbing the fake servers share (fake_yahoo, fake_ecb, fake_feeds): a threaded server on
127.0.0.1 with a free port, run in a daemon thread for a ``with`` block and stopped cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 (a free port); a stalled handler never blocks shutdown."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def url(self, path: str) -> str:
        """``http://127.0.0.1:PORT`` + ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"


Server = TypeVar("Server", bound=LoopbackServer)


@contextmanager
def serving(server: Server, name: str, stop: threading.Event | None = None) -> Iterator[Server]:
    """Serve ``server`` in a daemon thread for the ``with`` block; on exit set ``stop`` (what stalling or
    trickling handlers wait on), shut it down, close its socket and join the thread."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        if stop is not None:
            stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
