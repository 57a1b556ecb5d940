"""Symbols a reader adds to the universe (``python -m data_sources add SYMBOL …`` or the app).

They are kept in the store folder as ``custom_symbols.parquet`` (written atomically, see
``data_sources.atomic``), one row per symbol with its provenance: who added it, when, and how it
was checked.  A new symbol has no prices until the next refresh fetches it; until then its status
reads "not fetched yet".

Checks made here, offline: the symbol's syntax (a Yahoo Finance ticker), that it is not already in
the universe or already added, the currency (an ISO 4217 code, via ``pycountry``) and the names
(plain text, at most :data:`MAX_NAME_CHARS` characters, control and bidi characters refused).

TODO(online validation): when the network is allowed, ``validate_online`` should look the symbol
up on Yahoo (quote type, long name, currency) and fill in / cross-check the names and currency.
:func:`add_symbol` takes that lookup as its ``lookup`` argument (a callable returning a
:class:`YahooInfo` or raising :class:`SymbolError`); nothing calls Yahoo yet, because it can only
be tested against a local fake Yahoo server, which is being built separately (tests/fake_yahoo.py).
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

import pandas as pd
import pycountry

from data_sources import atomic, config
from data_sources.universe import BY_SYMBOL, Instrument

TABLE_NAME = "custom_symbols.parquet"
MAX_NAME_CHARS = 80
MAX_SYMBOL_CHARS = 20
# A Yahoo ticker: letters/digits with . - = ^ (e.g. BRK-B, 0700.HK, KRW=X, ^GSPC, DX-Y.NYB)
_SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,18}[A-Z0-9]$|^[A-Z0-9]$")
COLUMNS = ("symbol", "name_ko", "name_en", "currency", "exchange", "timezone", "basis", "group",
           "added_at", "added_by", "source", "validated")
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


@dataclass(frozen=True)
class YahooInfo:
    """What an online lookup of a symbol returns (see the module's TODO)."""

    name: str
    currency: str


def table_path(store_root: Path | None = None) -> Path:
    """Where the custom symbols of a store live."""
    return Path(store_root if store_root is not None else config.data_dir()) / TABLE_NAME


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
    return frame


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

    ``lookup`` is the online check (see the module's TODO); without it the row records
    ``validated: "offline: not checked against Yahoo"``.  An existing custom symbol is only
    replaced with ``replace=True``; universe symbols cannot be re-added.
    """
    symbol = check_symbol(symbol)
    if symbol in BY_SYMBOL:
        known = BY_SYMBOL[symbol]
        raise SymbolError(f"symbol: {symbol} is already in the universe ({known.name_ko} / {known.name_en})")
    ko, en = check_name(name_ko, "name-ko"), check_name(name_en, "name-en")
    validated = "offline: not checked against Yahoo"
    if lookup is not None:
        info = lookup(symbol)
        en = en or check_name(info.name, "name-en")
        currency = currency or info.currency
        if currency and check_currency(currency) != check_currency(info.currency):
            raise SymbolError(f"currency: {currency} given, but Yahoo quotes {symbol} in {info.currency}")
        validated = "yahoo"
    if not (ko or en):
        raise SymbolError("name-ko / name-en: give at least one name")
    if not currency:
        raise SymbolError("currency: missing (offline, it cannot be looked up)")
    currency = check_currency(currency)
    exchange, tz, basis = _exchange(symbol)
    row = {"symbol": symbol, "name_ko": ko or en, "name_en": en or ko, "currency": currency, "exchange": exchange,
           "timezone": tz, "basis": basis, "group": "custom",
           "added_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"), "added_by": added_by,
           "source": "reader", "validated": validated}
    root = Path(store_root if store_root is not None else config.data_dir())
    with atomic.write_lock(root):
        current = read(root)
        if symbol in set(current["symbol"]):
            if not replace:
                when = current.loc[current["symbol"] == symbol, "added_at"].iloc[0]
                raise SymbolError(f"symbol: {symbol} was already added ({when}); use --replace to change it")
            current = current[current["symbol"] != symbol]
        frame = pd.concat([current, pd.DataFrame([row])], ignore_index=True).astype("string")
        atomic.write_table(table_path(root), frame, {"kind": "custom_symbols"})
    return row


def fetch_status(symbol: str, stored_symbols: set[str]) -> str:
    """``fetched`` when the store holds prices for ``symbol``, else :data:`NOT_FETCHED`."""
    return "fetched" if symbol in stored_symbols else NOT_FETCHED


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
    try:
        row = add_symbol(args.symbol, args.name_ko, args.name_en, args.currency, store.root,
                         replace=args.replace)
    except SymbolError as exc:
        print(f"error: {args.symbol!r}: {exc}", file=sys.stderr)
        return 2
    stored = set(store.load_prices([row["symbol"]])["symbol"])
    print(f"added {row['symbol']} ({row['name_ko']} / {row['name_en']}, {row['currency']}, {row['exchange']}); "
          f"{row['validated']}; {fetch_status(row['symbol'], stored)} — the next refresh fetches it")
    return 0
