"""Yahoo Finance prices through ``yf.download``, in three steps (OpenBB fetcher shape).

1. :func:`build_query` — which symbols to ask for and from when (no I/O);
2. :func:`extract` — the one batched ``yf.download`` call (the only network I/O);
3. :func:`transform` — yfinance's wide ``(Price, Ticker)`` frame → the tidy frame of
   ``frames.py``, plus a clear error for every symbol that came back empty.

``auto_adjust=False`` is passed explicitly, so ``close`` is the quoted close and
``adj_close`` the split- and dividend-adjusted one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from data_sources.frames import PRICE_COLUMNS, empty_prices
from data_sources.validate import check_rows

FIELD_MAP = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Adj Close": "adj_close",
             "Volume": "volume"}
_NETWORK_HINTS = ("DNSError", "Could not resolve", "curl: (6)", "curl: (7)", "curl: (28)", "Timeout",
                  "timed out", "ConnectionError", "Failed to connect", "Network is unreachable")
_RATE_HINTS = ("YFRateLimitError", "Too Many Requests", "Rate limited")


class YahooUnavailable(RuntimeError):
    """Yahoo could not be reached at all (no DNS, timeout, rate limit); nothing came back."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.kind = kind  # "network" | "rate_limit"


@dataclass(frozen=True)
class Query:
    """One batched request: symbols, and the first date to ask for."""

    symbols: tuple[str, ...]
    start: date
    end: date  # exclusive, as yfinance takes it


@dataclass
class Extracted:
    """The raw answer: yfinance's frame and what yfinance logged while producing it."""

    frame: pd.DataFrame
    log: list[str] = field(default_factory=list)


def build_query(starts: dict[str, date], today: date) -> Query | None:
    """One query for all stale symbols, from the earliest start they need (None if nothing is stale)."""
    if not starts:
        return None
    return Query(tuple(sorted(starts)), min(starts.values()), today + timedelta(days=1))


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def extract(query: Query, download: Callable[..., pd.DataFrame | None] | None = None,
            timeout: float = 10.0) -> Extracted:
    """Call ``yf.download`` once for the whole query. Raises :class:`YahooUnavailable` when unreachable."""
    download = download or yf.download  # looked up at call time: tests fake it at the boundary
    capture = _Capture()
    logger = logging.getLogger("yfinance")
    logger.addHandler(capture)
    try:
        frame = download(list(query.symbols), start=query.start.isoformat(), end=query.end.isoformat(),
                         auto_adjust=False, actions=False, group_by="column", progress=False,
                         threads=True, timeout=timeout, multi_level_index=True)
    except YFRateLimitError as exc:
        raise YahooUnavailable(f"Yahoo Finance is rate-limiting us ({exc})", "rate_limit") from exc
    except (OSError, TimeoutError) as exc:
        raise YahooUnavailable(f"network unavailable ({type(exc).__name__}: {exc})", "network") from exc
    finally:
        logger.removeHandler(capture)
    frame = frame if frame is not None else pd.DataFrame()
    text = " ".join(capture.messages)
    if _has_no_rows(frame) and text:
        if any(h in text for h in _RATE_HINTS):
            raise YahooUnavailable("Yahoo Finance is rate-limiting us (YFRateLimitError)", "rate_limit")
        if any(h in text for h in _NETWORK_HINTS):
            raise YahooUnavailable(f"network unavailable: {_first_line(text)}", "network")
    return Extracted(frame, capture.messages)


def transform(raw: Extracted, query: Query, starts: dict[str, date] | None = None
              ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Tidy rows for every symbol that returned data, and a message for each one that did not.

    Rows before a symbol's own start (the batch asks from the earliest) are dropped; rows that
    fail the store's checks are dropped and reported.
    """
    frame = raw.frame
    errors: dict[str, str] = {}
    pieces: list[pd.DataFrame] = []
    by_symbol = _split(frame, query.symbols)
    for symbol in query.symbols:
        part = by_symbol.get(symbol)
        if part is None or part["close"].isna().all():
            errors[symbol] = f"{symbol}: Yahoo returned no prices" + _log_hint(symbol, raw.log)
            continue
        part = part.dropna(subset=["close"])
        if starts and symbol in starts:
            part = part[part.index >= pd.Timestamp(starts[symbol])]
        rawrows = part.reset_index(names="date")
        good, problems = check_rows(rawrows.astype({"date": str}), symbol, f"Yahoo {symbol}")
        if problems:
            errors[symbol] = "; ".join(str(p) for p in problems[:3])
        pieces.append(good)
    tidy = pd.concat(pieces, ignore_index=True) if pieces else empty_prices()
    return tidy.loc[:, list(PRICE_COLUMNS)], errors


def fetch(starts: dict[str, date], today: date, download: Callable[..., pd.DataFrame | None] | None = None
          ) -> tuple[pd.DataFrame, dict[str, str]]:
    """build_query → extract → transform. Raises :class:`YahooUnavailable` when Yahoo is unreachable."""
    query = build_query(starts, today)
    if query is None:
        return empty_prices(), {}
    return transform(extract(query, download), query, starts)


def _split(frame: pd.DataFrame, symbols: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Per-symbol frames with our column names, from the ``(Price, Ticker)`` MultiIndex (or flat)."""
    if frame is None or frame.empty:
        return {}
    index = pd.to_datetime(frame.index)
    if getattr(index, "tz", None) is not None:
        index = index.tz_localize(None)
    index = index.normalize()
    out: dict[str, pd.DataFrame] = {}
    if isinstance(frame.columns, pd.MultiIndex):
        level_names = list(frame.columns.names)
        ticker_level = level_names.index("Ticker") if "Ticker" in level_names else 1
        for symbol in symbols:
            if symbol not in frame.columns.get_level_values(ticker_level):
                continue
            sub = frame.xs(symbol, axis=1, level=ticker_level)
            out[symbol] = _rename(sub, index)
    elif len(symbols) == 1:
        out[symbols[0]] = _rename(frame, index)
    return out


def _rename(sub: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    cols = {src: dst for src, dst in FIELD_MAP.items() if src in sub.columns}
    part = sub.loc[:, list(cols)].rename(columns=cols)
    part.index = index
    for col in FIELD_MAP.values():
        if col not in part.columns:
            part[col] = float("nan")
    return part.loc[:, list(FIELD_MAP.values())].astype("float64")


def _has_no_rows(frame: pd.DataFrame) -> bool:
    return frame.empty or frame.dropna(how="all").empty


def _log_hint(symbol: str, log: list[str]) -> str:
    for message in log:
        if symbol in message:
            return f" ({_first_line(message.split(':', 1)[-1])})"
    return " (possibly delisted or no trading in the range)"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[-1].strip()[:200] if text.strip() else ""
