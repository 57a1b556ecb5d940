"""Symbols a reader adds to the universe (``python -m data_sources add SYMBOL …`` or the app).

They are kept in the store folder as ``custom_symbols.parquet`` (written atomically, see
``data_sources.atomic``), one row per symbol with its provenance: who added it, when, and how it
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

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import pycountry

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


class SymbolError(ValueError):
    """A symbol cannot be added; the message names the field and the problem."""


class LookupUnavailable(RuntimeError):
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
        raise SymbolError(f"symbol: Yahoo Finance does not know {symbol} ({exc.failure.message.split(': ', 1)[-1]}); "
                          "check the ticker and its exchange suffix (e.g. 0700.HK, 005930.KS, ASML)") from None
    except yahoo.YahooUnavailable as exc:
        raise LookupUnavailable(str(exc)) from None
    return YahooInfo(found.name, found.currency, found.name_field, found.exchange, found.timezone)


def table_path(store_root: Path | None = None) -> Path:
    """Where the custom symbols of a store live."""
    return Path(store_root if store_root is not None else settings().store_folder) / TABLE_NAME


def check_symbol(symbol: str) -> str:
    """The symbol in canonical (upper-case) form, or :class:`SymbolError` saying what is wrong with it."""
    if not isinstance(symbol, str) or not symbol.strip():
        raise SymbolError("symbol: empty")
    text = symbol.strip().upper()
    if len(text) > MAX_SYMBOL_CHARS:
        raise SymbolError(f"symbol: {len(text)} characters; at most {MAX_SYMBOL_CHARS}")
    if not _SYMBOL.match(text):
        raise SymbolError(f"symbol: {symbol.strip()[:MAX_SYMBOL_CHARS]!r} is not a Yahoo Finance ticker "
                          "(letters, digits and . - = ^, e.g. BRK-B, 0700.HK, KRW=X, ^GSPC)")
    return text


def check_currency(code: str) -> str:
    """An ISO 4217 currency code (upper case), or :class:`SymbolError`."""
    text = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", text) or pycountry.currencies.get(alpha_3=text) is None:
        raise SymbolError(f"currency: {code!r} is not an ISO 4217 currency code (e.g. USD, KRW, HKD)")
    return text


def check_name(value: str | None, field: str) -> str:
    """A display name: plain text, trimmed, at most :data:`MAX_NAME_CHARS` characters; may be empty."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise SymbolError(f"{field}: contains a control or direction-override character (U+{ord(ch):04X})")
    if any(ch in text for ch in "<>`[]"):
        raise SymbolError(f"{field}: may not contain < > ` [ ]")
    if len(text) > MAX_NAME_CHARS:
        raise SymbolError(f"{field}: {len(text)} characters; at most {MAX_NAME_CHARS}")
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
        raise SymbolError(f"symbol: {symbol} is already in the universe ({known.name_ko} / {known.name_en})")
    ko, en = check_name(name_ko, "name-ko"), check_name(name_en, "name-en")
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    exchange, tz, basis = _exchange(symbol)
    checked = {"validated": OFFLINE, "checked_at": "", "name_source": "reader", "yahoo_name": "",
               "yahoo_exchange": "", "check_note": "no lookup asked" if lookup is None else ""}
    root = Path(store_root if store_root is not None else settings().store_folder)
    _refuse_duplicate(read(root), symbol, replace)  # before asking Yahoo; checked again under the lock
    info = None
    if lookup is not None:
        try:
            info = lookup(symbol)
        except LookupUnavailable as exc:
            checked["check_note"] = f"Yahoo Finance could not be asked: {exc}"
    if info is not None:
        yahoo_name = check_name(info.name[:MAX_NAME_CHARS], "Yahoo's name")
        yahoo_currency = check_currency(info.currency)
        if currency and check_currency(currency) != yahoo_currency:
            raise SymbolError(f"currency: {check_currency(currency)} given, but Yahoo quotes {symbol} in "
                              f"{yahoo_currency}")
        currency = yahoo_currency
        if not en:
            en = yahoo_name
            checked["name_source"] = f"yahoo {info.name_field}" if not ko else f"name-en: yahoo {info.name_field}"
        checked |= {"validated": "yahoo", "checked_at": stamp, "yahoo_name": yahoo_name,
                    "yahoo_exchange": info.exchange, "check_note": ""}
        tz = info.timezone if _valid_zone(info.timezone) else tz
    if not (ko or en):
        raise SymbolError("name-ko / name-en: give at least one name")
    if not currency:
        raise SymbolError("currency: missing (offline, it cannot be looked up)")
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
        raise SymbolError(f"symbol: {symbol} was already added ({when}); use --replace to change it")


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return bool(name)


def fetch_status(symbol: str, stored_symbols: set[str]) -> str:
    """``fetched`` when the store holds prices for ``symbol``, else :data:`NOT_FETCHED`."""
    return "fetched" if symbol in stored_symbols else NOT_FETCHED


STATUS_COLUMNS = ("symbol", "name", "currency", "added", "checked", "state")


def status_frame(store_root: Path | None = None, snapshot=None, last_refresh: dict | None = None) -> pd.DataFrame:
    """One row per reader-added symbol: names, who added it and when, how it was checked, and its state:
    ``fetched (N rows, to DATE)``, ``failed: REASON`` (the last refresh's error for it) or
    ``not fetched yet`` (with the last refresh's offline reason, if any). Raises ``StoreError``."""
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
            state = f"fetched ({len(own)} rows, to {own['date'].max().date().isoformat()})"
        elif info.get("refresh_error"):
            state = f"failed: {info['refresh_error']} ({str(info.get('refresh_error_at', ''))[:16]})"
        else:
            state = NOT_FETCHED
            if last_refresh.get("outcome") == "offline":
                state += f" (last refresh offline: {last_refresh.get('message', '')})"
        if r.validated == "yahoo":
            checked = f"Yahoo Finance {str(r.checked_at)[:10]}: {r.yahoo_name} ({r.yahoo_exchange or r.exchange})"
        else:
            checked = f"{r.validated}" + (f" ({r.check_note})" if r.check_note else "")
        names = r.name_ko if r.name_ko == r.name_en else f"{r.name_ko} / {r.name_en}"
        rows.append({"symbol": r.symbol, "name": f"{names} [name: {r.name_source or 'reader'}]",
                     "currency": r.currency, "added": f"{str(r.added_at)[:16]} by {r.added_by}", "checked": checked,
                     "state": state})
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


# --------------------------------------------------------------------------- CLI (python -m data_sources add)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m data_sources add``."""
    parser.add_argument("symbol", help="Yahoo Finance ticker, e.g. 9961.HK, ASML, ^N225")
    parser.add_argument("--name-ko", help="Korean display name")
    parser.add_argument("--name-en", help="English display name")
    parser.add_argument("--currency", help="ISO 4217 code of the quote currency, e.g. USD, HKD, KRW")
    parser.add_argument("--replace", action="store_true", help="replace a symbol added before")


def run_add(store, args: argparse.Namespace) -> int:
    """Add a symbol to ``store``'s universe; print what was stored and that it is not fetched yet."""
    offline = settings().offline
    try:
        row = add_symbol(args.symbol, args.name_ko, args.name_en, args.currency, store.root,
                         replace=args.replace, lookup=None if offline else yahoo_lookup)
    except SymbolError as exc:
        print(f"error: {args.symbol!r}: {exc}", file=sys.stderr)
        return 2
    stored = set(store.load_prices([row["symbol"]])["symbol"])
    if row["validated"] == "yahoo":
        checked = f"checked against Yahoo Finance: {row['yahoo_name']}"
    else:
        checked = row["validated"] + (" (DASHBOARD_OFFLINE is set)" if offline else f" ({row['check_note']})")
    print(f"added {row['symbol']} ({row['name_ko']} / {row['name_en']}, {row['currency']}, {row['exchange']}); "
          f"{checked}; {fetch_status(row['symbol'], stored)} — the next refresh fetches it")
    return 0
