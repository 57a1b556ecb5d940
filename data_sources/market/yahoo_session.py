"""The HTTP session yfinance downloads through: one deadline for every request, and a record of what each
request met (which symbol's chart, and how it ended), so a stalled or rate-limited Yahoo is told apart from a
delisted symbol."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from curl_cffi import requests as curl_requests
from curl_cffi.const import CurlECode
from curl_cffi.requests import exceptions as curl_exc

REQUEST_TIMEOUT_S = 10.0


class DeadlinePassed(curl_exc.Timeout):
    """Raised by :class:`DeadlineSession` instead of sending a request after the deadline."""


@dataclass(frozen=True)
class Seen:
    """One request as the transport saw it: which symbol's chart (None: cookie/crumb/other), and the outcome."""

    symbol: str | None
    kind: str  # "ok" or a failure kind of _KIND_TEXT
    detail: str


class DeadlineSession(curl_requests.Session):
    """A ``curl_cffi`` session (Chrome impersonation, as yfinance makes) with one deadline for all requests.

    Each request's timeout is cut to the time left, so yfinance's fixed 30 s cookie/crumb timeouts
    cannot outlast the refresh; after the deadline no request is sent. Every outcome is recorded in
    :attr:`seen` (thread-safe: yfinance downloads on several threads).
    """

    def __init__(self, deadline: float) -> None:
        super().__init__(impersonate="chrome")
        self.deadline = deadline  # time.monotonic() value
        self.seen: list[Seen] = []
        self._seen_lock = threading.Lock()

    def route(self, url: str) -> str:
        """The URL actually sent (the identity here; a test fake reroutes Yahoo's hosts to loopback)."""
        return url

    def remaining(self) -> float:
        """Seconds left before the deadline."""
        return self.deadline - time.monotonic()

    def request(self, method, url, *args, **kwargs):
        symbol = chart_symbol(url)
        left = self.remaining()
        if left <= 0.05:
            self._note(Seen(symbol, "deadline", f"no time left for {urlsplit(url).hostname}"))
            raise DeadlinePassed("refresh deadline passed")
        timeout = kwargs.get("timeout")
        kwargs["timeout"] = min(_seconds(timeout), left)
        try:
            response = super().request(method, self.route(url), *args, **kwargs)
        except curl_exc.RequestException as exc:
            self._note(Seen(symbol, transport_kind(exc), _short(exc)))
            raise
        self._note(Seen(symbol, *_response_kind(response)))
        return response

    def _note(self, seen: Seen) -> None:
        with self._seen_lock:
            self.seen.append(seen)




def _seconds(timeout: object) -> float:
    if isinstance(timeout, int | float):
        return float(timeout)
    if isinstance(timeout, tuple) and timeout and all(isinstance(t, int | float) for t in timeout):
        return float(sum(timeout))
    return REQUEST_TIMEOUT_S


def chart_symbol(url: str) -> str | None:
    """The symbol of a ``/v8/finance/chart/{symbol}`` URL (None for any other endpoint)."""
    path = unquote(urlsplit(url).path)
    marker = "/v8/finance/chart/"
    if marker not in path:
        return None
    return path.split(marker, 1)[1].strip("/") or None


def transport_kind(exc: BaseException) -> str:
    """A failure kind for a curl_cffi exception."""
    if isinstance(exc, DeadlinePassed):
        return "deadline"
    if isinstance(exc, curl_exc.Timeout):
        return "timeout"
    if isinstance(exc, curl_exc.SSLError):
        return "tls"
    code = getattr(exc, "code", None)
    if isinstance(exc, curl_exc.DNSError) or code in (CurlECode.COULDNT_RESOLVE_HOST, CurlECode.COULDNT_CONNECT):
        return "unreachable"
    return "broken"


def _response_kind(response) -> tuple[str, str]:
    status = response.status_code
    if status == 429:
        return "rate_limit", "HTTP 429"
    if status >= 500:
        return "server_error", f"HTTP {status}"
    if status == 404 and chart_symbol(str(response.url)):
        try:
            error = (response.json().get("chart") or {}).get("error") or {}
        except ValueError:
            error = {}
        return "not_found", str(error.get("description") or "HTTP 404")[:200]
    return "ok", f"HTTP {status}"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:200]
