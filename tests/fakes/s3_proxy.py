"""A loopback TCP proxy in front of moto's S3 server, for faults below the S3 client: an outage (every
connection cut), and an answer held back (a slow object) until the test releases it. It also records each
request line it relays, so a test can say what was (not) asked for. Tests wait on its events (a state), never
for a fixed time."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlparse

_REQUEST = re.compile(rb"(GET|PUT|HEAD|POST|DELETE) (\S+) HTTP/1\.[01]\r\n")


class S3Proxy:
    """Relays 127.0.0.1:``port`` to ``target`` (an ``http://host:port`` endpoint)."""

    def __init__(self, target: str) -> None:
        parsed = urlparse(target)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[tuple[str, str]] = []  # (method, path) in the order relayed
        self.refused = 0  # connections cut while down
        self.refused_event = threading.Event()  # set at each cut connection
        self.hold: re.Pattern | None = None  # hold back the answer to a request whose path matches
        self.holding = threading.Event()  # set while an answer is held back
        self.release = threading.Event()
        self._down = False
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, name="s3-proxy", daemon=True).start()

    def set_down(self, down: bool) -> None:
        """An outage: every open connection is cut, and new ones are closed as soon as they are accepted."""
        with self._lock:
            self._down = down
            if down:
                for sock in self._open:
                    _close(sock)
                self._open.clear()

    def asked(self, method: str, fragment: str) -> int:
        """How many ``method`` requests for a path containing ``fragment`` were relayed."""
        with self._lock:
            return sum(1 for m, path in self.requests if m == method and fragment in path)

    def close(self) -> None:
        self._stop.set()
        self.release.set()
        self.set_down(True)
        _close(self.listener)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                down = self._down
            if down:
                _close(client)
                self.refused += 1
                self.refused_event.set()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            held = threading.Event()  # this connection's current request matched `hold`
            threading.Thread(target=self._pump, args=(client, upstream, held, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, held, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, held: threading.Event, asking: bool) -> None:
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if asking:
                    for match in _REQUEST.finditer(chunk):
                        method, path = match.group(1).decode(), match.group(2).decode()
                        with self._lock:
                            self.requests.append((method, path))
                        if self.hold is not None and self.hold.search(path):
                            held.set()
                elif held.is_set() and not self.release.is_set():
                    self.holding.set()
                    self.release.wait()
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextmanager
def s3_proxy(target: str) -> Iterator[S3Proxy]:
    """An :class:`S3Proxy` in front of ``target`` for the ``with`` block."""
    proxy = S3Proxy(target)
    try:
        yield proxy
    finally:
        proxy.close()
