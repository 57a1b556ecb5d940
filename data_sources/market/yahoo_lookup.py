"""What Yahoo Finance says about one symbol (its name, currency, exchange, time zone): the check behind
``python -m data_sources add`` and the New column page's "add a symbol"."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pandas as pd

from data_sources.errors import MarketError
from data_sources.market import yahoo
from data_sources.market.yahoo import NETWORK_KINDS, Extracted, Failure, YahooUnavailable, classify, symbol_failure
from data_sources.market.yahoo_session import REQUEST_TIMEOUT_S


@dataclass(frozen=True)
class Listing:
    """What Yahoo's chart ``meta`` says about a symbol: its name, currency, exchange and time zone."""

    symbol: str
    name: str
    name_field: str  # which meta field the name came from: longName or shortName
    currency: str
    exchange: str
    timezone: str
    instrument_type: str


class NotListed(MarketError):
    """Yahoo answered for the symbol, but has no such symbol (or no name/currency for it)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.problem.code, **failure.problem.params)
        self.failure = failure


_META_KEYS = ("longName", "shortName", "currency", "fullExchangeName", "exchangeName", "exchangeTimezoneName",
              "instrumentType")


def look_up(symbol: str, deadline_s: float = 15.0) -> Listing:
    """The symbol's listing from the chart API's ``meta`` (a 5-day daily chart through the real yfinance).

    Raises :class:`NotListed` when Yahoo says it has no such symbol, and :class:`YahooUnavailable`
    when Yahoo could not be asked (offline, stalled, rate-limited, TLS …).
    """
    import yfinance as yf  # on first use (see the imports above)

    session = yahoo.session_factory(time.monotonic() + deadline_s)  # the seam tests route to a fake
    capture = yahoo.LogCapture()
    logger = logging.getLogger("yfinance")
    logger.addHandler(capture)
    meta: dict = {}
    try:
        ticker = yf.Ticker(symbol, session=session)
        ticker.history(period="5d", interval="1d", auto_adjust=False, actions=False,
                       timeout=min(REQUEST_TIMEOUT_S, max(session.remaining(), 0.1)))
        found = ticker.get_history_metadata()  # a lazy Mapping: ask only for plain keys (not tradingPeriods)
        meta = {key: found.get(key) for key in _META_KEYS} if found else {}
    except Exception as exc:  # yfinance failing as a whole: the transport record says why
        capture.messages.append(f"{symbol}: {type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(capture)
        session.close()
    field_name = next((f for f in ("longName", "shortName") if str(meta.get(f) or "").strip()), "")
    if field_name and str(meta.get("currency") or "").strip():
        return Listing(symbol, str(meta[field_name]).strip(), field_name, str(meta["currency"]).strip().upper(),
                       str(meta.get("fullExchangeName") or meta.get("exchangeName") or ""),
                       str(meta.get("exchangeTimezoneName") or ""), str(meta.get("instrumentType") or ""))
    failure = classify(symbol, Extracted(pd.DataFrame(), capture.messages, list(session.seen)))
    if failure.kind in NETWORK_KINDS:
        raise YahooUnavailable(failure.problem, failure.kind)
    if failure.kind in ("no_rows", "error") and meta:  # answered, but without a name or currency
        failure = symbol_failure(symbol, "no_listing")
    raise NotListed(failure)
