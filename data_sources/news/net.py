"""Outbound HTTP GET to public internet addresses only (no streamlit).

:func:`fetch_public` is the one way the server fetches a URL a reader could choose:

* http/https only; the host is resolved and every address must be public — private,
  loopback, link-local, multicast, reserved, unspecified and shared (CGNAT) addresses are
  refused, on the first request and on every redirect (redirects are followed here, at most
  :data:`MAX_REDIRECTS`). The socket's actual peer is checked again after connecting, so a
  DNS answer that changes between the check and the connection (rebinding) is refused too.
* an operator allow-list: ``DASHBOARD_FETCH_ALLOW=host1,10.0.0.5`` lets those host names or
  addresses through (e.g. a feed server on the LAN; the tests' fake server on 127.0.0.1).
* one deadline for the whole exchange (connect, headers, every redirect and the body),
  measured end to end, and a byte cap on the body; a body cut short (fewer bytes than its
  Content-Length, or a broken connection) is an error — nothing partial is returned.
* errors are :class:`FetchError` with one code per class: a closed port, a reset, a TLS failure, a DNS
  failure and a service that does not speak HTTP are all ``unreachable`` (one generic "could not fetch a
  feed from HOST"), so the messages do not map what listens where.
* environment proxies and ``.netrc`` are ignored (``trust_env = False``): the address check
  only means something when this process makes the connection itself.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from data_sources.settings import settings

ALLOW_ENV = "DASHBOARD_FETCH_ALLOW"
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 5.0
CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A fetch failed. ``kind`` is one of: refused, unreachable, timeout, too_large, http, redirects,
    truncated; ``params`` are the facts a message may name (the host, a status, seconds, sizes), never what
    the connection itself said."""

    def __init__(self, kind: str, host: str, status: int = 0, **params: object) -> None:
        super().__init__(f"{kind} ({host})")
        self.kind = kind
        self.host = host
        self.status = status
        self.params = {"host": host, **({"status": status} if status else {}), **params}


class _NonPublicPeer(OSError):
    """The socket connected to an address the allow-list does not cover."""


@dataclass
class FetchResult:
    """A complete response: final URL, status (200…299 or 304), lower-cased headers, body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


# ---------------------------------------------------------------- addresses


def allowed_hosts() -> frozenset[str]:
    """Host names / addresses from ``DASHBOARD_FETCH_ALLOW`` (comma-separated, case-insensitive)."""
    return settings().allowed_hosts


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged by its IPv4 part)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    return bool(
        ip.is_global
        and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                 or ip.is_reserved or ip.is_unspecified)
    )


def _allowed(host: str, address: str | None = None) -> bool:
    allow = allowed_hosts()
    return host.lower() in allow or (address is not None and address.lower() in allow)


def check_host(host: str, port: int) -> None:
    """Resolve ``host`` and raise :class:`FetchError` ("refused") unless every address is public
    or the host is allow-listed; a failed lookup is "unreachable"."""
    if _allowed(host):
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError("unreachable", host) from exc
    addresses = {str(info[4][0]) for info in infos}
    if not addresses:
        raise FetchError("unreachable", host)
    for address in addresses:
        if not is_public_address(address) and not _allowed(host, address):
            raise FetchError("refused", host, why="not_public", variable=ALLOW_ENV)


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:  # type: ignore[override]
        sock = super()._new_conn()
        peer = str(sock.getpeername()[0])
        if not is_public_address(peer) and not _allowed(str(self.host), peer):
            sock.close()
            raise _NonPublicPeer(f"connected to a non-public address for {self.host}")
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    _new_conn = _CheckedHTTPConnection._new_conn  # type: ignore[assignment]


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    """An adapter whose connections refuse a non-public peer (anti DNS rebinding)."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    adapter = _CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# ---------------------------------------------------------------- fetch


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("refused", url[:80], why="not_an_address") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError("refused", host or url[:80], why="not_http")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _remaining(deadline: float, host: str, seconds: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", host, seconds=f"{seconds:g}")
    return left


def fetch_public(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    deadline_s: float = 20.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = MAX_REDIRECTS,
) -> FetchResult:
    """GET ``url`` from a public address, following redirects by hand; raises :class:`FetchError`.

    A 304 is returned as a result (status 304, empty body), not raised.
    """
    start = time.monotonic()
    deadline = start + deadline_s
    session = _session()
    try:
        for _hop in range(max_redirects + 1):
            _scheme, host, port = _split(url)
            check_host(host, port)
            left = _remaining(deadline, host, deadline_s)
            try:
                resp = session.get(url, headers=dict(headers or {}), stream=True, allow_redirects=False,
                                   timeout=(min(CONNECT_TIMEOUT, left), left))
            except requests.Timeout as exc:
                raise FetchError("timeout", host, seconds=f"{deadline_s:g}") from exc
            except (requests.RequestException, OSError, ValueError) as exc:
                raise FetchError("unreachable", host) from exc
            try:
                if resp.status_code in _REDIRECTS:
                    target = resp.headers.get("location", "")
                    if not target:
                        raise FetchError("http", host, resp.status_code)
                    url = urljoin(url, target)
                    continue
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code == 304:
                    return FetchResult(url, 304, lowered, b"")
                if not 200 <= resp.status_code < 300:
                    raise FetchError("http", host, resp.status_code)
                body = _read_body(resp, host, lowered, deadline, deadline_s, max_bytes)
                return FetchResult(url, resp.status_code, lowered, body)
            finally:
                resp.close()
        raise FetchError("redirects", host, times=max_redirects)
    finally:
        session.close()


def _read_body(resp: requests.Response, host: str, headers: dict[str, str], deadline: float,
               deadline_s: float, max_bytes: int) -> bytes:
    limit_mb = f"{max_bytes / 1024 / 1024:g}"
    length = headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError("too_large", host, size_mb=f"{int(length) / 1024 / 1024:.1f}", limit_mb=limit_mb)
    raw = resp.raw
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            left = _remaining(deadline, host, deadline_s)
            sock = getattr(getattr(raw, "connection", None), "sock", None)
            if sock is not None:
                sock.settimeout(left)  # each read waits at most until the deadline
            chunk = raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too_large", host, limit_mb=limit_mb)
            chunks.append(chunk)
        _remaining(deadline, host, deadline_s)
    except FetchError:
        raise
    except (TimeoutError, urllib3.exceptions.TimeoutError, requests.Timeout) as exc:
        raise FetchError("timeout", host, seconds=f"{deadline_s:g}") from exc
    except Exception as exc:  # urllib3 ProtocolError / IncompleteRead, reset, TLS, decode errors
        raise FetchError("truncated", host) from exc
    body = b"".join(chunks)
    if length.isdigit() and "content-encoding" not in headers and len(body) < int(length):
        raise FetchError("truncated", host)
    return body
