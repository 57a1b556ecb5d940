"""When each series' daily value is observed, from real exchange calendars (``exchange-calendars``).

A daily value dated D is not "the price on D": it is a print taken at one moment.

* Exchange-listed series (NYSE/Nasdaq, HKEX, KRX) print at their session's close, read from the
  exchange calendar, so half days (HKEX 2025-01-28, 12:00) and holidays (KRX's temporary holiday of
  2025-01-27) come from the calendar, not from a hand-typed list.
* ECB reference rates are fixed at 14:15 CET (Europe/Berlin) on each ECB business day.
* Yahoo's daily FX quotes (``KRW=X``, ``CNY=X``, ``HKD=X``): the value dated D is the *opening* quote of
  Yahoo's London-day bar D, i.e. the rate at 00:00 London time on D (08:00-09:00 in Seoul on D, the
  New York evening of D-1).  Measured on the snapshot (docs/method-observation.md): KRW=X dated D is
  closer to the ECB fixing of D-1 than of D (median gap 0.19% against 0.34%; daily-return correlation
  0.62 against 0.20), in every half-year 2024-2026; CNY=X likewise (0.047% against 0.105%), and 96% of
  its rows have close == open.  So a Seoul-session event on D first shows in D+1's print, and a US-day
  event on D-1 already shows in D's.

Functions here take a symbol and dates and return tz-aware UTC moments; they never touch the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

from data_sources.market.universe import instrument

# exchange (as named in the universe) -> exchange-calendars code
EXCHANGE_CALENDARS: dict[str, str] = {
    "NASDAQ": "XNYS", "NYSE": "XNYS", "NYSE Arca": "XNYS", "SNP": "XNYS", "ICE": "XNYS",
    "HKEX": "XHKG", "KRX": "XKRX",
}
CALENDAR_START = "2015-01-01"


@dataclass(frozen=True)
class FixedPrint:
    """A series printed at a fixed local time (``time`` in ``zone``) on each of its dates (no exchange session)."""

    time: str
    zone: str


ECB_FIXING = FixedPrint("14:15", "Europe/Berlin")
#: Yahoo's daily FX value dated D: the opening quote of its London-day bar D (see the module docstring).
YAHOO_FX_PRINT = FixedPrint("00:00", "Europe/London")
# When a listed series' exchange has no calendar here: its local close at 16:00.
DEFAULT_CLOSE = "16:00"

# Alternative sources of the same rate (a claim on one is scored on both).
ALTERNATE_SOURCES: dict[str, str] = {
    "KRW=X": "USDKRW_ECB", "USDKRW_ECB": "KRW=X",
    "CNY=X": "USDCNY_ECB", "USDCNY_ECB": "CNY=X",
    "HKD=X": "USDHKD_ECB", "USDHKD_ECB": "HKD=X",
}

# The zone a column's publication date is read in when the file gives none (by its language).
LANGUAGE_ZONES: dict[str, str] = {"ko": "Asia/Seoul", "ja": "Asia/Tokyo", "zh": "Asia/Shanghai",
                                  "en": "America/New_York", "de": "Europe/Berlin", "fr": "Europe/Paris"}


@lru_cache(maxsize=8)
def calendar(code: str) -> xcals.ExchangeCalendar:
    """The exchange calendar ``code`` (e.g. "XKRX"), built once."""
    return xcals.get_calendar(code, start=CALENDAR_START)


def calendar_code(symbol: str) -> str | None:
    """The exchange-calendars code of ``symbol``'s market, or None (FX, ECB, unknown symbols)."""
    inst = instrument(symbol)
    return EXCHANGE_CALENDARS.get(inst.exchange) if inst is not None else None


def fixed_print(symbol: str) -> FixedPrint | None:
    """The fixed daily print time of an FX/ECB series, or None for exchange-listed ones."""
    inst = instrument(symbol)
    if inst is None:
        return None
    if inst.exchange == "ECB":
        return ECB_FIXING
    if inst.exchange == "FX (OTC)":
        return YAHOO_FX_PRINT
    return None


def print_moment(symbol: str, day: dt.date | pd.Timestamp | str) -> pd.Timestamp:
    """The UTC moment at which ``symbol``'s daily value dated ``day`` is observed."""
    stamp = pd.Timestamp(day).normalize()
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return print_moments(symbol, pd.DatetimeIndex([stamp]))[0]


def print_moments(symbol: str, dates: Iterable[pd.Timestamp]) -> pd.DatetimeIndex:
    """:func:`print_moment` of each date (UTC), vectorised."""
    days = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(dates, pd.DatetimeIndex) else dates))
    if days.tz is not None:
        days = days.tz_localize(None)
    days = days.normalize()
    fixed = fixed_print(symbol)
    if fixed is not None:
        return _at(days, fixed.time, fixed.zone)
    inst = instrument(symbol)
    nominal = _at(days, DEFAULT_CLOSE, inst.timezone if inst is not None else "UTC")
    code = calendar_code(symbol)
    if code is None:
        return nominal
    closes = _closes(code)
    found = pd.DatetimeIndex(closes.reindex(days).to_numpy(), tz="UTC") if len(days) else nominal
    return found.where(~found.isna(), nominal)


def _at(days: pd.DatetimeIndex, time: str, zone: str) -> pd.DatetimeIndex:
    hours, minutes = (int(x) for x in time.split(":"))
    local = (days + pd.Timedelta(hours=hours, minutes=minutes)).tz_localize(zone, ambiguous="NaT",
                                                                           nonexistent="shift_forward")
    return local.tz_convert("UTC")


@lru_cache(maxsize=8)
def _closes(code: str) -> pd.Series:
    """Session date -> session close (UTC) of calendar ``code``, half days included."""
    closes = calendar(code).closes
    values = pd.DatetimeIndex(closes.to_numpy())
    values = values.tz_localize("UTC") if values.tz is None else values.tz_convert("UTC")
    return pd.Series(values, index=pd.DatetimeIndex(closes.index).tz_localize(None))


def is_session(symbol: str, day: dt.date | pd.Timestamp) -> bool | None:
    """Whether ``day`` is a trading session of ``symbol``'s exchange (None when it has no calendar)."""
    code = calendar_code(symbol)
    if code is None:
        return None
    cal = calendar(code)
    stamp = pd.Timestamp(day).normalize()
    if not cal.first_session <= stamp <= cal.last_session:
        return None
    return bool(cal.is_session(stamp))


def as_moment(value: str | dt.datetime | pd.Timestamp, zone: str | None = None) -> pd.Timestamp:
    """A tz-aware UTC timestamp from "YYYY-MM-DD HH:MM Zone/Name", a datetime, or a naive one in ``zone``."""
    if isinstance(value, str) and "/" in value.rsplit(" ", 1)[-1]:
        text, zone = value.rsplit(" ", 1)
        stamp = pd.Timestamp(text)
    else:
        stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        if zone is None:
            raise ValueError(f"moment {value!r} needs a time zone")
        stamp = stamp.tz_localize(zone)
    return stamp.tz_convert("UTC")


def last_before(symbol: str, dates: pd.DatetimeIndex, moment: pd.Timestamp) -> int | None:
    """Position in sorted ``dates`` of the last print observed at or before ``moment`` (None if none)."""
    moments = print_moments(symbol, dates)
    pos = int(moments.searchsorted(moment, side="right")) - 1
    return pos if pos >= 0 else None


def first_after(symbol: str, dates: pd.DatetimeIndex, moment: pd.Timestamp) -> int | None:
    """Position in sorted ``dates`` of the first print observed after ``moment`` (None if none)."""
    moments = print_moments(symbol, dates)
    pos = int(moments.searchsorted(moment, side="right"))
    return pos if pos < len(dates) else None


def non_session_dates(symbol: str, dates: pd.DatetimeIndex) -> pd.Series:
    """For each date: True when it is not a session of ``symbol``'s exchange (a weekday holiday or weekend).

    Series without a calendar (FX, ECB, unknown) give all False: their gaps are never carried over.
    """
    out = pd.Series(False, index=dates)
    code = calendar_code(symbol)
    if code is None or len(dates) == 0:
        return out
    cal = calendar(code)
    lo, hi = cal.first_session, cal.last_session
    inside = (dates >= lo) & (dates <= hi)
    sessions = cal.sessions_in_range(max(dates.min(), lo), min(dates.max(), hi)) if inside.any() else []
    out[inside] = ~pd.DatetimeIndex(dates[inside]).isin(pd.DatetimeIndex(sessions))
    return out


def exchange_sessions(symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex | None:
    """The sessions of ``symbol``'s exchange calendar dated in ``[start, end]`` that the calendar covers.

    None for series without a calendar (FX, ECB, unknown symbols): their own print dates are their sessions.
    """
    code = calendar_code(symbol)
    if code is None:
        return None
    cal = calendar(code)
    lo, hi = max(pd.Timestamp(start).normalize(), cal.first_session), min(pd.Timestamp(end).normalize(),
                                                                          cal.last_session)
    if lo > hi:
        return pd.DatetimeIndex([])
    return pd.DatetimeIndex(cal.sessions_in_range(lo, hi), name=None)


def sessions_between(symbol: str, after: pd.Timestamp, upto: pd.Timestamp) -> bool:
    """Whether ``symbol`` has (or may have) a print dated in ``(after, upto]``.

    Exchange series: a session of their calendar in that span; other series: any weekday.
    """
    lo, hi = pd.Timestamp(after).normalize() + pd.Timedelta(days=1), pd.Timestamp(upto).normalize()
    if lo > hi:
        return False
    code = calendar_code(symbol)
    if code is not None:
        cal = calendar(code)
        if cal.first_session <= lo and hi <= cal.last_session:
            return len(cal.sessions_in_range(lo, hi)) > 0
    return bool(len(pd.bdate_range(lo, hi)))
