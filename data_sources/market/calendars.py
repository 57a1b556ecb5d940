"""When a daily bar is final: each symbol's exchange calendar (``exchange-calendars``) or its local day.

- Stocks, ETFs and indices use their exchange's regular close as ``exchange-calendars`` publishes it
  (``XNYS`` for US listings, ``XHKG``, ``XKRX``): a bar is final once that session has closed, plus
  :data:`SETTLE` for the closing prints. (Only the published hours are read: building a full
  ``XKRX`` calendar takes 5-20 s, longer than a whole refresh may.)
- Round-the-clock series (FX, the dollar index) have no close: their bar for a local day is final
  once that day has ended in the series' time zone.

:func:`last_close` is the latest moment at which a new final bar could have appeared; a symbol
checked after it has nothing new to fetch.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd

from data_sources.market.universe import instrument

SETTLE = timedelta(minutes=20)
_CALENDARS = {"NASDAQ": "XNYS", "NYSE": "XNYS", "NYSE Arca": "XNYS", "SNP": "XNYS", "HKEX": "XHKG", "KRX": "XKRX"}


@dataclass(frozen=True)
class Market:
    """A symbol's calendar name (None: trades round the clock) and time zone."""

    calendar: str | None
    timezone: str


def market(symbol: str) -> Market:
    """The market of a universe symbol, or a guess from the Yahoo suffix for any other symbol."""
    inst = instrument(symbol)
    if inst is not None:
        return Market(_CALENDARS.get(inst.exchange), inst.timezone)
    if symbol.endswith("=X"):
        return Market(None, "Europe/London")
    if symbol.endswith(".HK"):
        return Market("XHKG", "Asia/Hong_Kong")
    if symbol.endswith((".KS", ".KQ")):
        return Market("XKRX", "Asia/Seoul")
    return Market("XNYS", "America/New_York")


def _close_time(calendar: str, day: date) -> time:
    """The regular close of ``calendar`` in force on ``day`` (exchange-calendars' published hours)."""
    times = _calendar_class(calendar).close_times
    current = times[0][1]
    for since, close in times:
        if since is None or pd.Timestamp(day) >= since:
            current = close
    return current


@lru_cache(maxsize=8)
def _calendar_class(code: str) -> type:
    """The calendar's class from its public module (``exchange_calendars.exchange_calendar_xnys`` …): its
    published hours are class attributes, so no sessions are computed."""
    module = importlib.import_module(f"exchange_calendars.exchange_calendar_{code.lower()}")
    return getattr(module, f"{code}ExchangeCalendar")


def _session_close(where: Market, day: date) -> datetime | None:
    """When ``day``'s regular session closes (UTC), or None on a weekend; for a 24-hour series, local midnight."""
    zone = ZoneInfo(where.timezone)
    if where.calendar is None:
        return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    if day.weekday() >= 5:
        return None
    return datetime.combine(day, _close_time(where.calendar, day), zone).astimezone(UTC)


def bar_is_final(symbol: str, day: date, now: datetime) -> bool:
    """Whether ``symbol``'s daily bar dated ``day`` is final at ``now`` (its session closed and settled).

    A bar exists only for a session, so holidays need no lookup; an early close only delays the
    bar until the regular close (never stores a moving price).
    """
    where = market(symbol)
    close = _session_close(where, day)
    if close is None:  # a weekend bar (some indices print one): final once the local day is over
        close = datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(where.timezone)).astimezone(UTC)
        return now >= close
    return now >= close + (SETTLE if where.calendar else timedelta(0))


def last_close(symbol: str, now: datetime) -> datetime:
    """The latest close (plus settle time) at or before ``now``: no final bar can be newer than that."""
    where = market(symbol)
    settle = SETTLE if where.calendar else timedelta(0)
    local_day = now.astimezone(ZoneInfo(where.timezone)).date()
    for back in range(0, 8):
        close = _session_close(where, local_day - timedelta(days=back))
        if close is not None and close + settle <= now:
            return close + settle
    return now - timedelta(days=7)
