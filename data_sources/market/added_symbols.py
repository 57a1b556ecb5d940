"""Symbols a reader adds to the universe (``python -m data_sources add SYMBOL …`` or the app).

They are kept in the store folder as ``custom_symbols.parquet`` (written atomically, see
``data_sources.store.atomic``), one row per symbol with its provenance: who added it, when, and how it
was checked.  A new symbol has no prices until the next refresh fetches it; until then its status
reads "not fetched yet".

Checks made here, offline: the symbol's syntax (a Yahoo Finance ticker), that it is not already in
the universe or already added, the currency (an ISO 4217 code, via ``pycountry``) and the names
(plain text, at most :data:`MAX_NAME_CHARS` characters, control and bidi characters refused).

Online (unless ``DASHBOARD_OFFLINE`` is set), ``python -m data_sources add`` looks the symbol up on
Yahoo Finance (:func:`yahoo_lookup`: the chart API's ``meta`` through the real yfinance): the
English name and the currency are filled in from it when not given, a given currency must match
Yahoo's, and a symbol Yahoo does not know is refused with a message naming it. When Yahoo cannot be
asked, the symbol is stored unchecked ("offline: not checked against Yahoo", with the reason).
Provenance columns: ``added_by``/``added_at`` (who, when), ``validated`` and ``checked_at`` (how and
when it was checked), ``name_source`` (``reader`` or the Yahoo meta field the name came from),
``yahoo_name``/``yahoo_exchange`` (what Yahoo said) and ``check_note``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import pycountry

from data_sources.errors import InputError, MarketError, Problem
from data_sources.market.universe import BY_SYMBOL, Instrument
from data_sources.settings import settings
from data_sources.store import atomic
from data_sources.store.prices import Store

TABLE_NAME = "custom_symbols.parquet"
MAX_NAME_CHARS = 80
MAX_SYMBOL_CHARS = 20
# A Yahoo ticker: letters/digits with . - = ^ (e.g. BRK-B, 0700.HK, KRW=X, ^GSPC, DX-Y.NYB)
_SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,18}[A-Z0-9]$|^[A-Z0-9]$")
COLUMNS = ("symbol", "name_ko", "name_en", "currency", "exchange", "timezone", "basis", "group",
           "added_at", "added_by", "source", "validated", "checked_at", "name_source", "yahoo_name",
           "yahoo_exchange", "check_note")
OFFLINE = "offline: not checked against Yahoo"
# suffix -> (exchange, time zone); no suffix: a US listing
_SUFFIXES = {
    ".HK": ("HKEX", "Asia/Hong_Kong"), ".KS": ("KRX", "Asia/Seoul"), ".KQ": ("KOSDAQ", "Asia/Seoul"),
    ".T": ("TSE", "Asia/Tokyo"), ".SS": ("SSE", "Asia/Shanghai"), ".SZ": ("SZSE", "Asia/Shanghai"),
    ".TW": ("TWSE", "Asia/Taipei"), ".L": ("LSE", "Europe/London"), ".DE": ("XETRA", "Europe/Berlin"),
    ".PA": ("Euronext Paris", "Europe/Paris"), ".AS": ("Euronext Amsterdam", "Europe/Amsterdam"),
}
NOT_FETCHED = "not fetched yet"


class SymbolError(InputError):
    """A symbol cannot be added (codes ``symbol.*``, naming the field and what is wrong with it)."""


class LookupUnavailable(MarketError):
    """Yahoo could not be asked (offline, stalled, rate-limited …): the symbol is stored unchecked."""


@dataclass(frozen=True)
class YahooInfo:
    """What an online lookup of a symbol returns: Yahoo's name (and its meta field), currency, exchange."""

    name: str
    currency: str
    name_field: str = "longName"
    exchange: str = ""
    timezone: str = ""


def yahoo_lookup(symbol: str) -> YahooInfo:
    """Look ``symbol`` up on Yahoo Finance (``data_sources.market.yahoo_lookup.look_up``, the real yfinance).

    Raises :class:`SymbolError` when Yahoo has no such symbol and :class:`LookupUnavailable` when
    Yahoo cannot be asked.
    """
    from data_sources.market import yahoo, yahoo_lookup  # here, not at the top: curl_cffi only where one looks up

    try:
        found = yahoo_lookup.look_up(symbol)
    except yahoo_lookup.NotListed as exc:
        raise SymbolError("symbol.unknown_to_yahoo", symbol=symbol,
                          cause=exc.failure.problem.params.get("cause", exc.problem)) from None
    except yahoo.YahooUnavailable as exc:
        raise LookupUnavailable(exc.problem.code, **exc.problem.params) from None
    return YahooInfo(found.name, found.currency, found.name_field, found.exchange, found.timezone)


def table_path(store_root: Path | None = None) -> Path:
    """Where the custom symbols of a store live."""
    return Path(store_root if store_root is not None else settings().store_folder) / TABLE_NAME


def check_symbol(symbol: str) -> str:
    """The symbol in canonical (upper-case) form, or :class:`SymbolError` saying what is wrong with it."""
    if not isinstance(symbol, str) or not symbol.strip():
        raise SymbolError("symbol.empty")
    text = symbol.strip().upper()
    if len(text) > MAX_SYMBOL_CHARS:
        raise SymbolError("symbol.too_long", length=len(text), limit=MAX_SYMBOL_CHARS)
    if not _SYMBOL.match(text):
        raise SymbolError("symbol.not_a_ticker", symbol=symbol.strip()[:MAX_SYMBOL_CHARS])
    return text


def check_currency(code: str) -> str:
    """An ISO 4217 currency code (upper case), or :class:`SymbolError`."""
    text = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", text) or pycountry.currencies.get(alpha_3=text) is None:
        raise SymbolError("symbol.bad_currency", currency=str(code or "")[:20])
    return text


def check_name(value: str | None, field: str) -> str:
    """A display name: plain text, trimmed, at most :data:`MAX_NAME_CHARS` characters; may be empty."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise SymbolError("symbol.name_control", field=field, char=f"U+{ord(ch):04X}")
    if any(ch in text for ch in "<>`[]"):
        raise SymbolError("symbol.name_markup", field=field)
    if len(text) > MAX_NAME_CHARS:
        raise SymbolError("symbol.name_too_long", field=field, length=len(text), limit=MAX_NAME_CHARS)
    return text


def _exchange(symbol: str) -> tuple[str, str, str]:
    """(exchange, time zone, basis) guessed from the ticker's form."""
    if symbol.endswith("=X"):
        return "FX (OTC)", "Europe/London", "level"
    if symbol.startswith("^"):
        return "index", "America/New_York", "level"
    for suffix, (exchange, tz) in _SUFFIXES.items():
        if symbol.endswith(suffix):
            return exchange, tz, "quoted+adj"
    return "US", "America/New_York", "quoted+adj"


def read(store_root: Path | None = None) -> pd.DataFrame:
    """All reader-added symbols (columns :data:`COLUMNS`); empty when none. Raises ``StoreError``."""
    frame, _meta, _warning = atomic.read_table(table_path(store_root))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})
    for column in COLUMNS:  # a table written before a column existed
        if column not in frame.columns:
            frame[column] = pd.Series("", index=frame.index, dtype="string")
    return frame


_cached: tuple[tuple, dict[str, Instrument]] = ((), {})  # (file identity, symbols): re-read when the file changes


def by_symbol(store_root: Path | None = None) -> dict[str, Instrument]:
    """The added symbols of the store at ``store_root`` (default: the configured one), by symbol; read again
    only when the table file changed. The universe's registry is handed this (``data_sources.market``)."""
    global _cached
    path = table_path(store_root)
    try:
        stat = path.stat()
    except OSError:
        return {}
    key = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached_key, found = _cached  # one read of the pair: another thread may replace it meanwhile
    if cached_key != key:
        found = {i.symbol: i for i in instruments(store_root)}
        _cached = (key, found)
    return found


def instruments(store_root: Path | None = None) -> tuple[Instrument, ...]:
    """Reader-added symbols as universe entries; an unreadable table gives none (the app says so elsewhere)."""
    try:
        frame = read(store_root)
    except atomic.StoreError:
        return ()
    return tuple(Instrument(r.symbol, r.name_ko or r.name_en, r.name_en or r.name_ko, r.group, r.currency,
                            r.exchange, r.timezone, r.basis) for r in frame.itertuples(index=False))


def add_symbol(symbol: str, name_ko: str | None, name_en: str | None, currency: str | None,
               store_root: Path | None = None, added_by: str = "cli", replace: bool = False,
               lookup: Callable[[str], YahooInfo] | None = None, now: datetime | None = None) -> dict:
    """Check and store one reader-added symbol; return its stored row.

    ``lookup`` is the online check (:func:`yahoo_lookup`); without it, or when it raises
    :class:`LookupUnavailable`, the row records ``validated: "offline: not checked against Yahoo"``
    and why in ``check_note``.  An existing custom symbol is only replaced with ``replace=True``;
    universe symbols cannot be re-added.
    """
    symbol = check_symbol(symbol)
    if symbol in BY_SYMBOL:
        known = BY_SYMBOL[symbol]
        raise SymbolError("symbol.in_universe", symbol=symbol, name_ko=known.name_ko, name_en=known.name_en)
    ko, en = check_name(name_ko, "name-ko"), check_name(name_en, "name-en")
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    exchange, tz, basis = _exchange(symbol)
    checked = {"validated": OFFLINE, "checked_at": "", "name_source": "reader", "yahoo_name": "",
               "yahoo_exchange": "", "check_note": ""}
    root = Path(store_root if store_root is not None else settings().store_folder)
    _refuse_duplicate(read(root), symbol, replace)  # before asking Yahoo; checked again under the lock
    info = None
    if lookup is not None:
        try:
            info = lookup(symbol)
        except LookupUnavailable as exc:
            checked["check_note"] = json.dumps(exc.problem.to_dict(), ensure_ascii=False)
    if info is not None:
        yahoo_name = check_name(info.name[:MAX_NAME_CHARS], "Yahoo's name")
        yahoo_currency = check_currency(info.currency)
        if currency and check_currency(currency) != yahoo_currency:
            raise SymbolError("symbol.currency_mismatch", given=check_currency(currency), symbol=symbol,
                              yahoo=yahoo_currency)
        currency = yahoo_currency
        if not en:
            en = yahoo_name
            checked["name_source"] = f"yahoo {info.name_field}" if not ko else f"name-en: yahoo {info.name_field}"
        checked |= {"validated": "yahoo", "checked_at": stamp, "yahoo_name": yahoo_name,
                    "yahoo_exchange": info.exchange, "check_note": ""}
        tz = info.timezone if _valid_zone(info.timezone) else tz
    if not (ko or en):
        raise SymbolError("symbol.no_name")
    if not currency:
        raise SymbolError("symbol.no_currency")
    currency = check_currency(currency)
    row = {"symbol": symbol, "name_ko": ko or en, "name_en": en or ko, "currency": currency, "exchange": exchange,
           "timezone": tz, "basis": basis, "group": "custom", "added_at": stamp, "added_by": added_by,
           "source": "reader", **checked}
    with atomic.write_lock(root):
        current = read(root)
        _refuse_duplicate(current, symbol, replace)
        current = current[current["symbol"] != symbol]
        frame = pd.concat([current, pd.DataFrame([row])], ignore_index=True).astype("string")
        atomic.write_table(table_path(root), frame, {"kind": "custom_symbols"})
    return row


def _refuse_duplicate(current: pd.DataFrame, symbol: str, replace: bool) -> None:
    if symbol in set(current["symbol"]) and not replace:
        when = current.loc[current["symbol"] == symbol, "added_at"].iloc[0]
        raise SymbolError("symbol.already_added", symbol=symbol, when=str(when)[:16])


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return bool(name)


def fetch_status(symbol: str, stored_symbols: set[str]) -> str:
    """``fetched`` when the store holds prices for ``symbol``, else :data:`NOT_FETCHED`."""
    return "fetched" if symbol in stored_symbols else NOT_FETCHED


STATUS_COLUMNS = ("symbol", "name", "name_source", "currency", "added_at", "added_by", "checked", "state")


def check_note(row: object) -> Problem | None:
    """Why a symbol was stored unchecked (its ``check_note``: a stored problem, or an earlier version's text)."""
    note = str((row.get("check_note") if isinstance(row, dict) else getattr(row, "check_note", "")) or "")
    if note.startswith("{"):
        try:
            return Problem.from_dict(json.loads(note))
        except ValueError:
            pass
    return Problem.from_dict(note)


def status_frame(store_root: Path | None = None, snapshot=None, last_refresh: dict | None = None) -> pd.DataFrame:
    """One row per reader-added symbol: names, who added it and when (``added_at``, ``added_by``), how it was
    checked (``checked``: ``added.checked`` or ``added.unchecked``) and its state (``state``: ``added.fetched``
    with rows and the last date, ``added.failed`` with the last refresh's error for it, ``added.not_fetched``, or
    ``added.not_fetched_offline`` with the last refresh's offline reason). Raises ``StoreError``."""
    root = Path(store_root if store_root is not None else settings().store_folder)
    frame = read(root)
    snapshot = snapshot if snapshot is not None else Store(root).read()
    last_refresh = last_refresh if last_refresh is not None else Store(root).last_refresh()
    prices = snapshot.prices
    rows = []
    for r in frame.itertuples(index=False):
        own = prices[prices["symbol"] == r.symbol]
        info = snapshot.series.get(r.symbol, {})
        if len(own):
            state = Problem("added.fetched", {"rows": len(own), "last": own["date"].max().date().isoformat()})
        elif info.get("refresh_error"):
            state = Problem("added.failed", {"cause": Problem.from_dict(info["refresh_error"]),
                                             "at": str(info.get("refresh_error_at", ""))[:16]})
        elif last_refresh.get("outcome") == "offline":
            state = Problem("added.not_fetched_offline", {"cause": list(last_refresh.get("problems") or [])})
        else:
            state = Problem("added.not_fetched")
        if r.validated == "yahoo":
            checked = Problem("added.checked", {"day": str(r.checked_at)[:10], "name": r.yahoo_name,
                                                "exchange": r.yahoo_exchange or r.exchange})
        else:
            checked = Problem("added.unchecked", {"cause": check_note(r) or Problem("added.no_lookup")})
        names = r.name_ko if r.name_ko == r.name_en else f"{r.name_ko} / {r.name_en}"
        rows.append({"symbol": r.symbol, "name": names, "name_source": r.name_source or "reader",
                     "currency": r.currency, "added_at": str(r.added_at)[:16], "added_by": r.added_by,
                     "checked": checked, "state": state})
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
