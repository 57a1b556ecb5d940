"""What the fake Yahoo knows about a symbol and a request: where it trades, listings outside the universe, the
session in progress, and the faults it can be told to answer with (:mod:`tests.fakes.fake_yahoo`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from data_sources.market.universe import instrument

CRUMB = "fAkEcRuMb7x"
FAULTS = ("404", "429", "stall", "reset", "garbage", "tls")
NOT_FOUND = {"chart": {"result": None,
                       "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"}}}


@dataclass
class Fault:
    """A fault for one symbol's chart requests (or every request): ``kind``, for the next ``times`` requests."""

    kind: str
    times: int | None = None  # None: for ever
    history_before: date | None = None  # only requests asking from before this date (a long history)


@dataclass
class Live:
    """A bar of the session in progress: Yahoo's daily chart then ends with today's partial bar."""

    day: date
    price: float


@dataclass
class Listing:
    """A symbol Yahoo knows outside the universe: whose CSV rows it serves, and its names."""

    rows_of: str
    long_name: str
    short_name: str


@dataclass
class Market:
    """Where a symbol trades, as Yahoo's meta says it."""

    tz: str
    open_hm: tuple[int, int]
    close_hm: tuple[int, int]
    kind: str
    exchange: str


FULL_EXCHANGE = {"NMS": "NasdaqGS", "HKG": "HKSE", "KSC": "KSE", "CCY": "CCY"}


def market(symbol: str) -> Market:
    """Exchange time zone, session hours and instrument type, as Yahoo reports them."""
    inst = instrument(symbol)
    tz = inst.timezone if inst else ("Asia/Hong_Kong" if symbol.endswith(".HK") else
                                     "Asia/Seoul" if symbol.endswith((".KS", ".KQ")) else "America/New_York")
    if symbol.endswith("=X"):
        return Market("Europe/London", (0, 0), (23, 59), "CURRENCY", "CCY")
    if tz == "Asia/Hong_Kong":
        return Market(tz, (9, 30), (16, 0), "INDEX" if symbol.startswith("^") else "EQUITY", "HKG")
    if tz == "Asia/Seoul":
        return Market(tz, (9, 0), (15, 30), "INDEX" if symbol.startswith("^") else "EQUITY", "KSC")
    etf = inst is not None and inst.group in {"us_index", "cn_index", "kr"} and not symbol.startswith("^")
    return Market("America/New_York", (9, 30), (16, 0),
                  "INDEX" if symbol.startswith("^") else "ETF" if etf else "EQUITY", "NMS")
