"""A fake Yahoo Finance on 127.0.0.1, built from the shared market CSVs, for the real yfinance + curl_cffi.

It serves what yfinance 1.7 asks for:

- ``GET fc.yahoo.com/`` (cookie; the real one answers 404 with ``Set-Cookie: A3=…``),
- ``GET query1|query2.finance.yahoo.com/v1/test/getcrumb`` (a crumb as text),
- ``GET guce.yahoo.com/consent`` (the "csrf" cookie strategy yfinance falls back to after a 4xx),
- ``GET query2.finance.yahoo.com/v8/finance/chart/{symbol}`` in Yahoo's JSON shape: ``meta`` (with
  ``exchangeTimezoneName`` and ``currentTradingPeriod``), ``timestamp`` (the session's open, UTC),
  ``events`` (``dividends``, ``splits``) and ``indicators.quote``/``adjclose``; a ``chart.error``
  404 for an unknown symbol, as Yahoo answers.

Only the transport is redirected: :class:`RoutedSession` is a real ``curl_cffi`` session (the
app's :class:`data_sources.market.yahoo_session.DeadlineSession`) that rewrites ``https://*.yahoo.com/…`` to
``http://127.0.0.1:PORT/…`` before curl sends it. yfinance's code, cache and threads run as shipped.

Faults, per symbol or for every endpoint: ``404`` (Yahoo's chart.error), ``429`` (rate limit),
``stall`` (accept, then never answer), ``reset`` (TCP RST), ``garbage`` (non-HTTP bytes) and ``tls``
(the client is sent to ``https://`` on this plain-HTTP port, so the TLS handshake really fails).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data_sources.market import yahoo
from data_sources.market.universe import instrument
from data_sources.market.yahoo_session import DeadlineSession
from tests.fakes.loopback import LoopbackServer, serving
from tests.fakes.yahoo_market import CRUMB, FAULTS, FULL_EXCHANGE, NOT_FOUND, Fault, Listing, Live, Market, market

__all__ = ["CRUMB", "FAULTS", "NOT_FOUND", "FakeYahoo", "Fault", "Listing", "Live", "Market", "RoutedSession", "market",
           "reset_yfinance_state", "running", "serve", "utc"]

@dataclass
class FakeYahoo:
    """The fake's state: data per symbol (from ``market_dir``), faults, splits/dividends, live bars, a request log."""

    market_dir: Path
    asof: date | None = None  # serve daily bars up to and including this date
    faults: dict[str, Fault] = field(default_factory=dict)  # symbol or "*" (every endpoint)
    live: dict[str, Live] = field(default_factory=dict)
    splits: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    dividends: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    corrections: dict[str, dict[date, float]] = field(default_factory=dict)
    listings: dict[str, Listing] = field(default_factory=dict)  # symbols outside the universe (see ``add_listing``)
    requests: list[dict] = field(default_factory=list)
    stall_s: float = 120.0
    port: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _frames: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    # -- what the tests set ---------------------------------------------------------------
    def fail(self, symbol: str, kind: str, times: int | None = None, history_before: date | None = None) -> None:
        """Make ``symbol``'s chart requests (``"*"``: every request) fail with ``kind`` (see ``FAULTS``);
        with ``history_before``, only the chart requests whose ``period1`` lies before that date (a
        full-history request fails while a few recent days still come back)."""
        assert kind in FAULTS, kind
        self.faults[symbol] = Fault(kind, times, history_before)

    def split(self, symbol: str, day: date, ratio: float) -> None:
        """A ``ratio``:1 split effective ``day``: once it happened (``asof`` ≥ ``day``), trading is at the
        new level and Yahoo rescales all earlier prices to it (the stored ones are on the old basis)."""
        self.splits.setdefault(symbol, []).append((day, ratio))

    def dividend(self, symbol: str, day: date, amount: float) -> None:
        """A cash dividend, ex ``day``: once it happened, Yahoo lowers every earlier adjclose by
        ``1 - amount / prior close``."""
        self.dividends.setdefault(symbol, []).append((day, amount))

    def correct(self, symbol: str, day: date, close: float) -> None:
        """Yahoo corrects one stored close (a bad print fixed later)."""
        self.corrections.setdefault(symbol, {})[day] = close

    def add_listing(self, symbol: str, rows_of: str, long_name: str, short_name: str | None = None) -> None:
        """Make Yahoo know ``symbol`` (one outside the universe, as a reader would add): it serves the
        real rows of ``rows_of``'s CSV under that ticker, with these names in its chart ``meta``."""
        self.listings[symbol] = Listing(rows_of, long_name, short_name or long_name)

    def session(self, deadline_s: float = 30.0) -> RoutedSession:
        """A real curl_cffi session (the app's DeadlineSession) routed to this server."""
        return RoutedSession(self, time.monotonic() + deadline_s)

    def chart_requests(self, symbol: str | None = None) -> list[dict]:
        """Logged chart requests with ``period1``/``period2`` (history, not the time-zone probe)."""
        return [r for r in self.requests if r["path"].startswith("/v8/finance/chart/") and "period1" in r["query"]
                and (symbol is None or r["symbol"] == symbol)]

    # -- data ---------------------------------------------------------------------------------
    def frame(self, symbol: str) -> pd.DataFrame | None:
        """The symbol's daily rows as Yahoo would serve them now (with splits/dividends applied)."""
        with self._lock:
            if symbol not in self._frames:
                listing = self.listings.get(symbol)
                path = self.market_dir / f"{listing.rows_of if listing else symbol}.csv"
                self._frames[symbol] = (pd.read_csv(path, parse_dates=["date"]).set_index("date")
                                        if path.exists() else None)
        base = self._frames[symbol]
        if base is None:
            return None
        out = base.copy()
        if self.asof is not None:
            out = out[out.index <= pd.Timestamp(self.asof)]
        for day, close in self.corrections.get(symbol, {}).items():
            out.loc[pd.Timestamp(day), "close"] = close
        def happened(day):
            return (self.asof is None or day <= self.asof)
        for day, ratio in self.splits.get(symbol, []):
            if not happened(day):
                continue
            # trading from ``day`` is at the new level, and Yahoo rescales all history to it
            for col in ("open", "high", "low", "close", "adj_close"):
                out[col] = out[col] / ratio
            out["volume"] = out["volume"] * ratio
        for day, amount in self.dividends.get(symbol, []):
            if not happened(day):
                continue
            before = out.index < pd.Timestamp(day)
            if before.any():
                prior = out.loc[before, "close"].iloc[-1]
                adj = out["adj_close"].fillna(out["close"])
                out.loc[before, "adj_close"] = adj[before] * (1 - amount / prior)
        return out

    def chart(self, symbol: str, query: dict[str, str]) -> tuple[int, dict]:
        """(status, JSON) of ``/v8/finance/chart/{symbol}`` for yfinance's query."""
        rows = self.frame(symbol)
        if rows is None:
            return 404, NOT_FOUND
        where = market(symbol)
        zone = ZoneInfo(where.tz)
        if "period1" in query:
            lo = pd.Timestamp(int(query["period1"]), unit="s", tz="UTC")
            hi = pd.Timestamp(int(query["period2"]), unit="s", tz="UTC")
        else:  # range=1d: the time-zone probe
            lo, hi = None, None
        opens = [pd.Timestamp(datetime.combine(d.date(), datetime.min.time()).replace(
            hour=where.open_hm[0], minute=where.open_hm[1], tzinfo=zone)).tz_convert("UTC") for d in rows.index]
        frame = rows.assign(_ts=opens)
        frame = frame[(frame["_ts"] >= lo) & (frame["_ts"] < hi)] if lo is not None else frame.tail(1)
        live = self.live.get(symbol)
        ts = [int(t.timestamp()) for t in frame["_ts"]]
        quote = {c: _floats(frame[c]) for c in ("open", "high", "low", "close", "volume")}
        adj = _floats(frame["adj_close"].fillna(frame["close"]))
        day = live.day if live else (frame.index[-1].date() if len(frame) else rows.index[-1].date())
        regular_start = datetime.combine(day, datetime.min.time()).replace(
            hour=where.open_hm[0], minute=where.open_hm[1], tzinfo=zone)
        regular_end = datetime.combine(day, datetime.min.time()).replace(
            hour=where.close_hm[0], minute=where.close_hm[1], tzinfo=zone)
        if live and (lo is None or lo.timestamp() <= regular_start.timestamp() < hi.timestamp()):
            ts.append(int(regular_start.timestamp()) + 3600)  # an hour into the session
            for c in ("open", "high", "low", "close"):
                quote[c].append(live.price)
            quote["volume"].append(1000)
            adj.append(live.price)
        offset = int(regular_start.utcoffset().total_seconds())
        period = {"timezone": regular_start.tzname(), "gmtoffset": offset,
                  "start": int(regular_start.timestamp()), "end": int(regular_end.timestamp())}
        events: dict[str, dict] = {}
        for split_day, ratio in self.splits.get(symbol, []):
            t = int(pd.Timestamp(datetime.combine(split_day, datetime.min.time()).replace(
                hour=where.open_hm[0], minute=where.open_hm[1], tzinfo=zone)).timestamp())
            if lo is None or lo.timestamp() <= t < hi.timestamp():
                events.setdefault("splits", {})[str(t)] = {"date": t, "numerator": ratio, "denominator": 1.0,
                                                           "splitRatio": f"{ratio:g}:1"}
        for div_day, amount in self.dividends.get(symbol, []):
            t = int(pd.Timestamp(datetime.combine(div_day, datetime.min.time()).replace(
                hour=where.open_hm[0], minute=where.open_hm[1], tzinfo=zone)).timestamp())
            if lo is None or lo.timestamp() <= t < hi.timestamp():
                events.setdefault("dividends", {})[str(t)] = {"amount": amount, "date": t}
        last_close = quote["close"][-1] if quote["close"] else None
        meta = {
            "currency": "USD" if where.tz == "America/New_York" else ("HKD" if where.tz == "Asia/Hong_Kong" else
                                                                       "KRW" if where.tz == "Asia/Seoul" else
                                                                       symbol[:3]),
            "symbol": symbol, "exchangeName": where.exchange, "fullExchangeName": FULL_EXCHANGE[where.exchange],
            **self.names(symbol),
            "instrumentType": where.kind, "firstTradeDate": ts[0] if ts else None,
            "regularMarketTime": ts[-1] if ts else None, "hasPrePostMarketData": where.kind != "CURRENCY",
            "gmtoffset": offset, "timezone": regular_start.tzname(), "exchangeTimezoneName": where.tz,
            "regularMarketPrice": last_close, "chartPreviousClose": quote["close"][0] if quote["close"] else None,
            "priceHint": 2, "currentTradingPeriod": {"pre": period, "regular": period, "post": period},
            "dataGranularity": "1d", "range": query.get("range", ""),
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        }
        result: dict = {"meta": meta, "timestamp": ts,
                        "indicators": {"quote": [quote], "adjclose": [{"adjclose": adj}]}}
        if events:
            result["events"] = events
        if not ts:
            result = {"meta": meta, "indicators": {"quote": [{}], "adjclose": [{}]}}
        return 200, {"chart": {"result": [result], "error": None}}

    def names(self, symbol: str) -> dict[str, str]:
        """``longName``/``shortName`` of the chart meta (Yahoo sends both for a listed symbol)."""
        listing = self.listings.get(symbol)
        if listing:
            return {"longName": listing.long_name, "shortName": listing.short_name}
        inst = instrument(symbol)
        return {"longName": inst.name_en, "shortName": inst.name_en} if inst else {}

    # -- the fault that applies to one request ------------------------------------------------
    def fault_for(self, symbol: str | None, query: dict[str, str] | None = None) -> str | None:
        """The fault for this request (consuming one of its ``times``), or None."""
        with self._lock:
            for key in ((symbol,) if symbol else ()) + ("*",):
                fault = self.faults.get(key)
                if fault is None:
                    continue
                if fault.history_before is not None and not _asks_before(query or {}, fault.history_before):
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault.kind
        return None


def _asks_before(query: dict[str, str], day: date) -> bool:
    """Whether a chart query's ``period1`` lies before ``day`` (False for the time-zone probe)."""
    try:
        return datetime.fromtimestamp(int(query["period1"]), UTC).date() < day
    except (KeyError, ValueError):
        return False


def _floats(series: pd.Series) -> list:
    return [None if pd.isna(v) else (int(v) if series.name == "volume" else float(v)) for v in series]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:  # consent form posts
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._send(200, b"ok", "text/plain")

    def do_GET(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        symbol = path.rsplit("/", 1)[-1] if path.startswith("/v8/finance/chart/") else None
        fault = fake.fault_for(symbol, query)
        with fake._lock:
            fake.requests.append({"path": path, "query": query, "symbol": symbol, "fault": fault,
                                  "at": time.time()})
        if fault == "stall":
            fake._stop.wait(fake.stall_s)
            return self._close_hard()
        if fault == "reset":
            return self._close_hard()
        if fault == "garbage":
            self.wfile.write(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 not http at all \x00\xff" * 8)
            self.wfile.flush()
            return self._close_hard()
        if fault == "429":
            return self._send(429, b"Too Many Requests\r\n", "text/plain")
        if fault == "404" and symbol:
            return self._json(404, NOT_FOUND)
        if path.startswith("/_fc/"):
            expires = "Fri, 01 Jan 2100 00:00:00 GMT"
            return self._send(404, b"<html>not found</html>", "text/html",
                              {"Set-Cookie": f"A3=d=FAKE&S=cookie; Expires={expires}; Path=/; HttpOnly"})
        if path.endswith("/v1/test/getcrumb"):
            return self._send(200, CRUMB.encode(), "text/plain")
        if path.startswith("/_guce/"):
            form = (b'<html><form><input name="csrfToken" value="tok"/>'
                    b'<input name="sessionId" value="sid"/></form></html>')
            return self._send(200, form, "text/html")
        if symbol:
            status, body = fake.chart(symbol, query)
            return self._json(status, body)
        return self._json(404, {"finance": {"result": None, "error": {"code": "Not Found",
                                                                       "description": f"no fake for {path}"}}})

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode(), "application/json;charset=utf-8")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _close_hard(self) -> None:
        """Close with a TCP RST (SO_LINGER 0): the client sees 'connection reset'."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


class _Server(LoopbackServer):
    fake: FakeYahoo


class RoutedSession(DeadlineSession):
    """The app's session class, with Yahoo's hosts rewritten to the fake server (the transport seam)."""

    def __init__(self, fake: FakeYahoo, deadline: float) -> None:
        super().__init__(deadline)
        self.fake = fake

    def route(self, url: str) -> str:
        parts = urlsplit(url)
        host = parts.hostname or ""
        scheme = "https" if self.fake.faults.get("*", Fault("")).kind == "tls" else "http"
        prefix = "/_fc" if host == "fc.yahoo.com" else "/_guce" if host.endswith(("guce.yahoo.com",
                                                                                  "consent.yahoo.com")) else ""
        if not host.endswith("yahoo.com"):
            return url
        rest = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{scheme}://127.0.0.1:{self.fake.port}{prefix}{rest}{query}"


def reset_yfinance_state() -> None:
    """A cold yfinance, as in a fresh process: no cookie, no crumb, nothing in its in-process caches."""
    from yfinance.data import YfData

    data = YfData()
    data._cookie, data._crumb, data._cookie_strategy = None, None, "basic"
    YfData.cache_get.cache_clear()


@contextmanager
def serve(market_dir: Path, **state) -> Iterator[FakeYahoo]:
    """Run a :class:`FakeYahoo` on 127.0.0.1 (a free port) for the ``with`` block."""
    fake = FakeYahoo(market_dir, **state)
    server = _Server(_Handler)
    server.fake = fake
    fake.port = server.port
    reset_yfinance_state()
    try:
        with serving(server, "fake-yahoo", fake._stop):
            yield fake
    finally:
        reset_yfinance_state()


def utc(*args: int) -> datetime:
    """A UTC datetime (tests' clock)."""
    return datetime(*args, tzinfo=UTC)


def running(market_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[FakeYahoo]:
    """For a fixture: a running fake Yahoo, the app routed to it, online, 60 s price deadline (loaded CI)."""
    _isolate_yfinance_cache(tmp_path_factory)
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)
    monkeypatch.setenv("DASHBOARD_PRICE_DEADLINE_S", "60")
    with serve(market_dir) as fake:
        monkeypatch.setattr(yahoo, "session_factory", lambda deadline: RoutedSession(fake, deadline))
        yield fake


_CACHE_SET: list[str] = []


def _isolate_yfinance_cache(factory: pytest.TempPathFactory) -> None:
    """yfinance's time-zone and cookie caches in a temp folder (never the user's), emptied per test."""
    import yfinance as yf
    from yfinance import cache

    if not _CACHE_SET:
        _CACHE_SET.append(str(factory.mktemp("yf-cache")))
        yf.set_tz_cache_location(_CACHE_SET[0])
    tz = cache.get_tz_cache()
    tz.initialise()
    if tz.initialised == 1:
        cache._TZ_KV.delete().execute()
