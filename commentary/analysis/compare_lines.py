"""The lines behind the "US vs China" comparison: both baskets and the benchmarks in one currency, rebased to 100
at a base date, plus the pieces the page and the column's sections share (members, weights, event-day moves).

No Streamlit, no store, no wording: the caller passes the tidy price frame in; problems are codes
(:class:`data_sources.errors.Problem`, ``compare.*``) that the pages word.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from commentary.analysis.baskets import HOLIDAY_CARRY, basket_index, rebase
from commentary.analysis.currency import to_currency
from commentary.words import Words
from data_sources.errors import InputError, Problem
from data_sources.market.universe import group_symbols, instrument
from data_sources.store.frames import wide

US_KEY, CN_KEY = "US_BASKET", "CN_BASKET"
BASKET_KEYS: tuple[str, str] = (US_KEY, CN_KEY)
DEFAULT_BASE = dt.date(2025, 1, 24)  # Friday before the column (2025-01-26) and DeepSeek Monday
DEFAULT_EVENT_DAY = dt.date(2025, 1, 27)
EVENT_OPEN = "09:30 America/New_York"  # the event-day moment: the US open after the DeepSeek weekend
DEFAULT_BENCHMARKS: tuple[str, ...] = ("^NDX", "^HSI", "KWEB")
CURRENCIES: tuple[str, ...] = ("local", "USD", "KRW")
FX_SOURCES: tuple[str, ...] = ("yahoo", "ecb")
DEFAULT_CCY = "KRW"
LOOKBACK = pd.DateOffset(months=3)
BASE_LOOKBACK_DAYS = 31  # a line needs a value at most this long before the base to be rebased
MAX_CARRY_DAYS = 5  # a member may be carried over its own market's holidays (Lunar New Year: 3 weekdays)

US_MEMBERS: tuple[str, ...] = tuple(group_symbols("us_bigtech"))
CN_MEMBERS: tuple[str, ...] = tuple(group_symbols("cn_tech"))
BENCHMARKS: tuple[str, ...] = tuple(group_symbols("us_index") + group_symbols("cn_index"))
LINE_SYMBOLS: tuple[str, ...] = US_MEMBERS + CN_MEMBERS + BENCHMARKS
FX_SYMBOLS: tuple[str, ...] = tuple(group_symbols("fx"))


@dataclass(frozen=True)
class LineView:
    """What the lines depend on: base date, window, members, benchmarks, currency and FX source (the page's view
    extends it with what only the page needs)."""

    base: dt.date
    start: dt.date
    end: dt.date
    us: tuple[str, ...]
    cn: tuple[str, ...]
    bench: tuple[str, ...]
    ccy: str = DEFAULT_CCY
    fx: str = "yahoo"


@dataclass(frozen=True)
class Lines:
    """The chart's lines: ``levels`` (dates × line keys, rebased to 100 at the base)."""

    levels: pd.DataFrame
    notes: list[Problem]  # from to_currency: which FX series, which dates were dropped
    left_out: list[str]  # chosen symbols that could not be drawn or put in a basket


# --------------------------------------------------------------------------- dates


def symbol_spans(prices: pd.DataFrame, symbols: Iterable[str]) -> pd.DataFrame:
    """First (``min``) and last (``max``) stored date of each of ``symbols`` that has data."""
    rows = prices[prices["symbol"].isin(list(symbols))]
    return rows.groupby("symbol")["date"].agg(["min", "max"])


def data_span(prices: pd.DataFrame, symbols: Iterable[str] = LINE_SYMBOLS) -> tuple[dt.date, dt.date] | None:
    """First and last stored date over ``symbols`` (None when none of them has data)."""
    spans = symbol_spans(prices, symbols)
    if spans.empty:
        return None
    return pd.Timestamp(spans["min"].min()).date(), pd.Timestamp(spans["max"].max()).date()


def stored(prices: pd.DataFrame, symbols: Iterable[str]) -> tuple[str, ...]:
    """The ``symbols`` with at least one stored row, in the given order."""
    have = set(prices["symbol"].unique())
    return tuple(s for s in symbols if s in have)


def last_on_or_before(prices: pd.DataFrame, symbols: Iterable[str], day: dt.date) -> dt.date | None:
    """The last stored date of ``symbols`` on or before ``day`` (None when there is none)."""
    dates = prices.loc[prices["symbol"].isin(list(symbols)) & (prices["date"] <= pd.Timestamp(day)), "date"]
    return None if dates.empty else pd.Timestamp(dates.max()).date()


def trading_days(prices: pd.DataFrame, symbols: Iterable[str] = LINE_SYMBOLS) -> tuple[dt.date, ...]:
    """Sorted stored dates of ``symbols`` (the days a preset window may start on)."""
    dates = prices.loc[prices["symbol"].isin(list(symbols)), "date"].drop_duplicates().sort_values()
    return tuple(pd.Timestamp(d).date() for d in dates)


# --------------------------------------------------------------------------- weights


def parse_weights(text: str) -> dict[str, float]:
    """``"NVDA=30, MSFT=20"`` → ``{"NVDA": 30.0, "MSFT": 20.0}`` (``:`` also separates; ``;`` too between items).

    Raises :class:`InputError` (a ValueError; codes ``compare.weights_*``) naming the bad item. Whether the weights
    fit the baskets is checked by :func:`split_weights` and :func:`commentary.analysis.baskets.basket_index`.
    """
    out: dict[str, float] = {}
    items = [item.strip() for item in re.split(r"[,;\n]", text or "") if item.strip()]
    for number, item in enumerate(items, start=1):
        parts = re.split(r"\s*[=:]\s*", item)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise InputError("compare.weights_item", number=number, item=item)
        symbol = parts[0].strip().upper()
        try:
            value = float(parts[1].rstrip("%"))
        except ValueError as exc:
            raise InputError("compare.weights_number", symbol=symbol, value=parts[1]) from exc
        if symbol in out:
            raise InputError("compare.weights_twice", symbol=symbol)
        out[symbol] = value
    return out


def split_weights(weights: Mapping[str, float], us: Iterable[str],
                  cn: Iterable[str]) -> tuple[dict[str, float] | None, dict[str, float] | None]:
    """Weights per basket (None = equal weights for a basket none of whose members is listed).

    Raises :class:`InputError` (``compare.weights_stray``) for a symbol in neither basket.
    """
    us, cn = list(us), list(cn)
    stray = [s for s in weights if s not in us and s not in cn]
    if stray:
        raise InputError("compare.weights_stray", symbols=", ".join(stray))
    w_us = {s: v for s, v in weights.items() if s in us}
    w_cn = {s: v for s, v in weights.items() if s in cn}
    return (w_us or None), (w_cn or None)


# --------------------------------------------------------------------------- lines


def rebasable(frame: pd.DataFrame, symbols: Iterable[str], base: dt.date) -> tuple[list[str], list[str]]:
    """``(usable, left_out)``: symbols of wide ``frame`` with a value on or before ``base``, and the rest."""
    usable, left_out = [], []
    stamp = pd.Timestamp(base)
    for symbol in symbols:
        if symbol in frame.columns and frame[symbol].loc[:stamp].notna().any():
            usable.append(symbol)
        else:
            left_out.append(symbol)
    return usable, left_out


def _basket(frame: pd.DataFrame, members: list[str], base: dt.date,
            weights: Mapping[str, float] | None) -> pd.Series | None:
    if not members:
        return None
    if weights is not None:
        kept = {s: v for s, v in weights.items() if s in members}
        weights = kept or None
    return basket_index(frame, members, base, weights, max_carry_days=HOLIDAY_CARRY)


def history_span(view: LineView) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Dates the lines need: the window, plus :data:`BASE_LOOKBACK_DAYS` before the base (or window start)."""
    lo = min(pd.Timestamp(view.start), pd.Timestamp(view.base)) - pd.Timedelta(days=BASE_LOOKBACK_DAYS)
    return lo, max(pd.Timestamp(view.end), pd.Timestamp(view.base))


def compare_lines(prices: pd.DataFrame, view: LineView, w_us: Mapping[str, float] | None = None,
                  w_cn: Mapping[str, float] | None = None) -> Lines:
    """Both baskets and the benchmarks in ``view.ccy``, rebased to 100 at ``view.base``.

    ``prices`` is the store's tidy frame (FX series included; they convert the currencies); only the dates
    of :func:`history_span` are used. A member or benchmark without a value in the
    :data:`BASE_LOOKBACK_DAYS` up to the base (or without data at all) is left out and listed in
    ``left_out``; the other lines still draw. Weights are per basket (see :func:`split_weights`); a
    weight for a left-out member is ignored. Raises :class:`InputError` for weights that do not fit a basket.
    """
    lo, hi = history_span(view)
    prices = prices[(prices["date"] >= lo) & (prices["date"] <= hi)]
    chosen = list(dict.fromkeys(view.us + view.cn + view.bench))
    fx_rows = prices[prices["symbol"].isin(FX_SYMBOLS)]
    converted, notes = to_currency(prices[prices["symbol"].isin(chosen)], view.ccy, fx_rows, view.fx)
    frame = wide(converted) if len(converted) else pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    us, us_out = rebasable(frame, view.us, view.base)
    cn, cn_out = rebasable(frame, view.cn, view.base)
    bench, bench_out = rebasable(frame, view.bench, view.base)
    columns: dict[str, pd.Series] = {}
    for key, members, weights in ((US_KEY, us, w_us), (CN_KEY, cn, w_cn)):
        series = _basket(frame, members, view.base, weights)
        if series is not None:
            columns[key] = series
    rebased = rebase(frame[bench], view.base) if bench else pd.DataFrame(index=frame.index)
    for symbol in bench:
        columns[symbol] = rebased[symbol]
    levels = pd.DataFrame(columns, index=frame.index)
    return Lines(levels=levels, notes=notes, left_out=us_out + cn_out + bench_out)


def in_window(levels: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Rows of ``levels`` from ``start`` to ``end`` (inclusive) where at least one line has a value."""
    return levels.loc[pd.Timestamp(start):pd.Timestamp(end)].dropna(how="all")


# --------------------------------------------------------------------------- names and tables


def symbol_name(symbol: str, words: Words) -> str:
    """``"NVIDIA (NVDA)"``: the universe's name in the reader's language and the ticker; the bare symbol outside
    the universe."""
    inst = instrument(symbol)
    return words("chart_compare.symbol_name", name=inst.name(words.language), symbol=symbol) if inst else symbol


def price_text(value: float | None, currency: str, words: Words) -> str:
    """A price as the reader's market writes it: won with thousands separators and no decimals (``₩218,272`` in
    English; the Korean catalog puts the won after the number), other currencies with two decimals (``1,234.50``)."""
    if value is None or pd.isna(value):
        return "–"
    if currency == "KRW":
        return words("unit.won", value=f"{value:,.0f}")
    return f"{value:,.2f}"


def moves_frame(moves: pd.DataFrame, words: Words) -> pd.DataFrame:
    """Event-day moves (from ``event_day_moves``) with the display name after the symbol, and the closes also
    as display text (``prev_close_text``, ``close_text``: :func:`price_text` in each row's currency). The
    columns keep their codes; ui names them (:func:`ui.tables.event_day_columns`)."""
    out = moves.copy()
    out.insert(1, "name", [symbol_name(s, words) for s in out["symbol"]])
    currency = out["currency"] if "currency" in out else pd.Series("", index=out.index)
    for col in ("prev_close", "close"):
        if col in out:
            out.insert(out.columns.get_loc(col) + 1, f"{col}_text",
                       [price_text(v, c, words) for v, c in zip(out[col], currency, strict=True)])
    return out


def event_time(day: dt.date) -> str:
    """The event moment for ``day``: the US open (so Asian sessions closed before it show their next one)."""
    return f"{day.isoformat()} {EVENT_OPEN}"
