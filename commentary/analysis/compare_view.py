"""Pure pieces of the "US vs China" page: the view's URL state, basket weights, the lines behind the chart
and the tables under it.

No Streamlit, no store: the page passes the tidy price frame in and renders what comes back.  A *view* is
everything a link must reproduce (:class:`CompareView`); :func:`parse_query` reads one from URL parameters
(bad values fall back to the default, each with a message) and :func:`to_query` writes it back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from commentary.analysis.analytics import summary_stats, window_bounds
from commentary.analysis.baskets import basket_index, rebase
from commentary.analysis.currency import to_currency
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

_BASKET_NAMES = {"ko": {US_KEY: "미국 빅테크 바스켓", CN_KEY: "중국 기술주 바스켓"},
                 "en": {US_KEY: "US big-tech basket", CN_KEY: "China tech basket"}}
_MSG = {
    "ko": {
        "date": "URL의 {key}={value!r}은(는) 날짜(YYYY-MM-DD)가 아닙니다. 기본값 {default}을(를) 씁니다.",
        "range": "URL의 {key}={value}은(는) 데이터 범위({first}~{last}) 밖입니다. 기본값 {default}을(를) 씁니다.",
        "order": "URL의 기간 시작 {start}이(가) 끝 {end}보다 늦습니다. 기본 기간을 씁니다.",
        "symbols": "URL의 {key}에 선택할 수 없는 종목이 있어 뺐습니다: {bad}",
        "empty": "URL의 {key}에 쓸 수 있는 종목이 없어({bad}) 기본 구성을 씁니다.",
        "choice": "URL의 {key}={value!r}은(는) {allowed} 중 하나가 아닙니다. 기본값 {default}을(를) 씁니다.",
    },
    "en": {
        "date": "URL parameter {key}={value!r} is not a date (YYYY-MM-DD); using the default {default}.",
        "range": "URL parameter {key}={value} is outside the data ({first} to {last}); using the default {default}.",
        "order": "URL window start {start} is after its end {end}; using the default window.",
        "symbols": "URL parameter {key} lists symbols that cannot be chosen there; left out: {bad}",
        "empty": "URL parameter {key} names no usable symbol ({bad}); using the default members.",
        "choice": "URL parameter {key}={value!r} is not one of {allowed}; using the default {default}.",
    },
}


@dataclass(frozen=True)
class CompareView:
    """Everything a link to the page reproduces."""

    base: dt.date
    start: dt.date
    end: dt.date
    us: tuple[str, ...]
    cn: tuple[str, ...]
    bench: tuple[str, ...]
    ccy: str = DEFAULT_CCY
    fx: str = "yahoo"
    weights: str = ""  # "" = equal weights, else "SYMBOL=weight,…" over both baskets
    day: dt.date = DEFAULT_EVENT_DAY
    pins: bool = False


@dataclass(frozen=True)
class Lines:
    """The chart's lines: ``levels`` (dates × line keys, rebased to 100 at the base)."""

    levels: pd.DataFrame
    notes: list[str]  # from to_currency: which FX series, which dates were dropped
    left_out: list[str]  # chosen symbols that could not be drawn or put in a basket


# --------------------------------------------------------------------------- dates and defaults


def _dates_of(prices: pd.DataFrame, symbols: Iterable[str]) -> pd.DataFrame:
    rows = prices[prices["symbol"].isin(list(symbols))]
    return rows.groupby("symbol")["date"].agg(["min", "max"])


def data_span(prices: pd.DataFrame, symbols: Iterable[str] = LINE_SYMBOLS) -> tuple[dt.date, dt.date] | None:
    """First and last stored date over ``symbols`` (None when none of them has data)."""
    spans = _dates_of(prices, symbols)
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


def default_view(prices: pd.DataFrame) -> CompareView | None:
    """The page's opening view, from what is stored (None when no basket member or benchmark has data).

    Base: the last stored date on or before :data:`DEFAULT_BASE`. Window: three months before the base to
    the last date every default line still has (so no line of the default view simply stops early).
    Members: every stored member of each basket; benchmarks: the stored ones of :data:`DEFAULT_BENCHMARKS`.
    """
    span = data_span(prices)
    if span is None:
        return None
    first, last = span
    us, cn = stored(prices, US_MEMBERS), stored(prices, CN_MEMBERS)
    bench = stored(prices, DEFAULT_BENCHMARKS)
    base = last_on_or_before(prices, LINE_SYMBOLS, DEFAULT_BASE) or first
    ends = _dates_of(prices, us + cn + bench)["max"]
    end = pd.Timestamp(ends.min()).date() if len(ends) else last
    end = max(end, base)
    start = max(first, (pd.Timestamp(base) - LOOKBACK).date())
    return CompareView(base=base, start=start, end=end, us=us, cn=cn, bench=bench)


def preset_window(preset: str, base: dt.date, first: dt.date, last: dt.date,
                  trading_days: Iterable[dt.date] | None = None) -> tuple[dt.date, dt.date]:
    """A range button's window, measured from the base date and clipped to the data ``first``..``last``.

    "1M"/"3M"/"6M"/"1Y": two weeks before the base to base + span; "All": every stored date (see
    :func:`commentary.analysis.analytics.window_bounds`, anchor "column"). "YTD": from the previous
    year's last close (the last of ``trading_days`` before the base's year; 31 December when no day is
    given) to the end of the base's year, so returns measure the year to date as markets quote them.
    """
    if preset == "YTD":
        year_start = dt.date(base.year, 1, 1)
        before = [d for d in (trading_days or ()) if d < year_start]
        lo = max(before) if before else year_start - dt.timedelta(days=1)
        lo = min(max(lo, first), last)
        return lo, min(max(dt.date(base.year, 12, 31), lo), last)
    start, end = window_bounds(preset, last, column_date=base, anchor="column")
    lo = first if start is None else min(max(start.date(), first), last)
    hi = min(max(end.date(), lo), last)
    return lo, hi


def trading_days(prices: pd.DataFrame, symbols: Iterable[str] = LINE_SYMBOLS) -> tuple[dt.date, ...]:
    """Sorted stored dates of ``symbols`` (the days a preset window may start on)."""
    dates = prices.loc[prices["symbol"].isin(list(symbols)), "date"].drop_duplicates().sort_values()
    return tuple(pd.Timestamp(d).date() for d in dates)


def parse_base_text(text: str, first: dt.date, last: dt.date) -> tuple[dt.date | None, str]:
    """A typed base date (``YYYY-MM-DD``; ``YYYY.MM.DD`` and ``YYYY/MM/DD`` too) → ``(date, "")``, or
    ``(None, problem)`` with the problem code "format" or "range" (outside ``first``..``last``)."""
    cleaned = re.sub(r"[./]", "-", (text or "").strip())
    try:
        day = dt.date.fromisoformat(cleaned)
    except ValueError:
        return None, "format"
    if not first <= day <= last:
        return None, "range"
    return day, ""


def stats_basis(stats: pd.DataFrame, view: CompareView, weighted: bool, lang: str) -> str:
    """One sentence saying from which date to which the table's returns run, and with which weights."""
    firsts = pd.to_datetime(stats.get("first", pd.Series(dtype="datetime64[ns]"))).dropna()
    lasts = pd.to_datetime(stats.get("last", pd.Series(dtype="datetime64[ns]"))).dropna()
    lo = firsts.min().date() if len(firsts) else view.start
    hi = lasts.max().date() if len(lasts) else view.end
    if lang == "ko":
        weights = "입력한 고정 가중" if weighted else "동일 가중"
        return (f"수익률은 {lo} 종가부터 {hi} 종가까지입니다(표시 기간의 첫 관측일부터). 바스켓은 기준일 {view.base}에 "
                f"{weights}으로 사서 보유한 것으로 계산합니다(이후 재조정 없음). 칼럼 이후 수익률을 보려면 기준일과 "
                "시작일을 칼럼 날짜로 맞추세요.")
    weights = "the fixed weights you entered" if weighted else "equal weights"
    return (f"Returns run from the close of {lo} to the close of {hi} (the window's first observation). Baskets are "
            f"bought at the base date {view.base} with {weights} and held (no rebalancing). For returns since "
            "the column, set the base date and the window start to the column's date.")


# --------------------------------------------------------------------------- URL state


def _msg(lang: str, template: str, /, **fields: object) -> str:
    return _MSG["ko" if lang == "ko" else "en"][template].format(**fields)


def _parse_date(query: Mapping[str, str], key: str, default: dt.date, first: dt.date, last: dt.date,
                lang: str, problems: list[str]) -> dt.date:
    value = query.get(key)
    if value is None or value == "":
        return default
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        problems.append(_msg(lang, "date", key=key, value=value, default=default))
        return default
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(_msg(lang, "date", key=key, value=value, default=default))
        return default
    if not first <= day <= last:
        problems.append(_msg(lang, "range", key=key, value=day, first=first, last=last, default=default))
        return default
    return day


def _parse_symbols(query: Mapping[str, str], key: str, allowed: tuple[str, ...], default: tuple[str, ...],
                   lang: str, problems: list[str], allow_empty: bool = False) -> tuple[str, ...]:
    value = query.get(key)
    if value is None:
        return default
    items = [s.strip() for s in value.split(",") if s.strip()]
    known = {s.upper(): s for s in allowed}
    chosen = [known[s.upper()] for s in items if s.upper() in known]
    bad = ", ".join(s for s in items if s.upper() not in known)
    if not chosen:
        if allow_empty and not items:
            return ()
        problems.append(_msg(lang, "empty", key=key, bad=bad or "–"))
        return default
    if bad:
        problems.append(_msg(lang, "symbols", key=key, bad=bad))
    return tuple(dict.fromkeys(chosen))


def _parse_choice(query: Mapping[str, str], key: str, allowed: tuple[str, ...], default: str, lang: str,
                  problems: list[str]) -> str:
    value = query.get(key)
    if value is None or value == "":
        return default
    match = {a.lower(): a for a in allowed}.get(value.strip().lower())
    if match is None:
        problems.append(_msg(lang, "choice", key=key, value=value, allowed=", ".join(allowed), default=default))
        return default
    return match


def parse_query(query: Mapping[str, str], default: CompareView, first: dt.date, last: dt.date,
                lang: str = "en") -> tuple[CompareView, list[str]]:
    """The view a URL asks for, plus one message (in ``lang``) per bad parameter, which keeps its default.

    Keys: base, start, end, day (YYYY-MM-DD within ``first``..``last``), us, cn, bench (comma-separated
    symbols of their group; ``bench=`` may be empty), ccy (local|USD|KRW), fx (yahoo|ecb), w (weights text,
    checked later by :func:`parse_weights`), pins (1|0).
    """
    problems: list[str] = []
    base = _parse_date(query, "base", default.base, first, last, lang, problems)
    start = _parse_date(query, "start", default.start, first, last, lang, problems)
    end = _parse_date(query, "end", default.end, first, last, lang, problems)
    if start > end:
        problems.append(_msg(lang, "order", start=start, end=end))
        start, end = default.start, default.end
    view = replace(
        default,
        base=base, start=start, end=end,
        us=_parse_symbols(query, "us", US_MEMBERS, default.us, lang, problems),
        cn=_parse_symbols(query, "cn", CN_MEMBERS, default.cn, lang, problems),
        bench=_parse_symbols(query, "bench", BENCHMARKS, default.bench, lang, problems, allow_empty=True),
        ccy=_parse_choice(query, "ccy", CURRENCIES, default.ccy, lang, problems),
        fx=_parse_choice(query, "fx", FX_SOURCES, default.fx, lang, problems),
        weights=(query.get("w") or "").strip()[:500],
        day=_parse_date(query, "day", default.day, first, last, lang, problems),
        pins=(query.get("pins") or "0").strip() in ("1", "true", "yes", "on"),
    )
    return view, problems


def to_query(view: CompareView) -> dict[str, str]:
    """URL parameters that reproduce ``view`` (inverse of :func:`parse_query`)."""
    query = {
        "base": view.base.isoformat(), "start": view.start.isoformat(), "end": view.end.isoformat(),
        "us": ",".join(view.us), "cn": ",".join(view.cn), "bench": ",".join(view.bench),
        "ccy": view.ccy, "fx": view.fx, "day": view.day.isoformat(),
    }
    if view.weights:
        query["w"] = view.weights
    if view.pins:
        query["pins"] = "1"
    return query


# --------------------------------------------------------------------------- weights


def parse_weights(text: str) -> dict[str, float]:
    """``"NVDA=30, MSFT=20"`` → ``{"NVDA": 30.0, "MSFT": 20.0}`` (``:`` also separates; ``;`` too between items).

    Raises ValueError naming the bad item. Whether the weights fit the baskets is checked by
    :func:`split_weights` and :func:`commentary.analysis.analytics.basket_index`.
    """
    out: dict[str, float] = {}
    items = [item.strip() for item in re.split(r"[,;\n]", text or "") if item.strip()]
    for number, item in enumerate(items, start=1):
        parts = re.split(r"\s*[=:]\s*", item)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise ValueError(f"weights: item {number} {item!r} is not SYMBOL=NUMBER (e.g. NVDA=30)")
        symbol = parts[0].strip().upper()
        try:
            value = float(parts[1].rstrip("%"))
        except ValueError as exc:
            raise ValueError(f"weights: weight of {symbol} is not a number: {parts[1]!r}") from exc
        if symbol in out:
            raise ValueError(f"weights: {symbol} is given twice")
        out[symbol] = value
    return out


def split_weights(weights: Mapping[str, float], us: Iterable[str],
                  cn: Iterable[str]) -> tuple[dict[str, float] | None, dict[str, float] | None]:
    """Weights per basket (None = equal weights for a basket none of whose members is listed).

    Raises ValueError for a symbol in neither basket.
    """
    us, cn = list(us), list(cn)
    stray = [s for s in weights if s not in us and s not in cn]
    if stray:
        raise ValueError(f"weights: {', '.join(stray)} is not a member of either basket "
                         f"(US: {', '.join(us) or '–'}; China: {', '.join(cn) or '–'})")
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
    return basket_index(frame, members, base, weights, max_carry_days="holidays")  # analytics.HOLIDAY_CARRY


def history_span(view: CompareView) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Dates the lines need: the window, plus :data:`BASE_LOOKBACK_DAYS` before the base (or window start)."""
    lo = min(pd.Timestamp(view.start), pd.Timestamp(view.base)) - pd.Timedelta(days=BASE_LOOKBACK_DAYS)
    return lo, max(pd.Timestamp(view.end), pd.Timestamp(view.base))


def compare_lines(prices: pd.DataFrame, view: CompareView, w_us: Mapping[str, float] | None = None,
                  w_cn: Mapping[str, float] | None = None) -> Lines:
    """Both baskets and the benchmarks in ``view.ccy``, rebased to 100 at ``view.base``.

    ``prices`` is the store's tidy frame (FX series included; they convert the currencies); only the dates
    of :func:`history_span` are used. A member or benchmark without a value in the
    :data:`BASE_LOOKBACK_DAYS` up to the base (or without data at all) is left out and listed in
    ``left_out``; the other lines still draw. Weights are per basket (see :func:`split_weights`); a
    weight for a left-out member is ignored. Raises ValueError for weights that do not fit a basket.
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


def symbol_name(symbol: str, lang: str) -> str:
    """``"NVIDIA (NVDA)"`` / ``"엔비디아 (NVDA)"``; the bare symbol outside the universe."""
    inst = instrument(symbol)
    return f"{inst.name(lang)} ({symbol})" if inst else symbol


def line_names(keys: Iterable[str], lang: str) -> dict[str, str]:
    """Display name of each line key (basket keys and symbols) in ``lang``."""
    baskets = _BASKET_NAMES["ko" if lang == "ko" else "en"]
    return {k: baskets.get(k) or symbol_name(k, lang) for k in keys}


STATS_ORDER: tuple[str, ...] = ("name", "total_return_pct", "max_drawdown_pct", "volatility_pct", "first", "last",
                                "observations")  # what a phone shows first; the key column stays in the CSV


def stats_frame(levels: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`summary_stats` of every line with its key and display name as the first columns."""
    stats = summary_stats(levels)
    names = line_names(levels.columns, lang)
    out = stats.reset_index().rename(columns={"index": "series"})
    out.insert(1, "name", [names[k] for k in out["series"]])
    return out


def price_text(value: float | None, currency: str, lang: str) -> str:
    """A price as the reader's market writes it: won with thousands separators and no decimals
    (``218,272원`` / ``₩218,272``), other currencies with two decimals (``1,234.50``)."""
    if value is None or pd.isna(value):
        return "–"
    if currency == "KRW":
        return f"{value:,.0f}원" if lang == "ko" else f"₩{value:,.0f}"
    return f"{value:,.2f}"


def moves_frame(moves: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Event-day moves (from ``event_day_moves``) with the display name after the symbol, and the closes also
    as display text (``prev_close_text``, ``close_text``: :func:`price_text` in each row's currency)."""
    out = moves.copy()
    out.insert(1, "name", [symbol_name(s, lang) for s in out["symbol"]])
    currency = out["currency"] if "currency" in out else pd.Series("", index=out.index)
    for col in ("prev_close", "close"):
        if col in out:
            out.insert(out.columns.get_loc(col) + 1, f"{col}_text",
                       [price_text(v, c, lang) for v, c in zip(out[col], currency, strict=True)])
    return out


_NOTES_KO: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), ko) for pattern, ko in (
    (r"^(?P<s>\S+): not in the universe, currency unknown; left out$", "{s}: 목록에 없는 종목(통화 불명), 제외"),
    (r"^(?P<s>\S+): an FX rate or dollar index, not a price; left out$", "{s}: 환율·달러인덱스라 가격이 아님, 제외"),
    (r"^(?P<s>\S+): no (?P<c>\w+) per USD rate available; left out$", "{s}: 달러당 {c} 환율이 없어 제외"),
    (r"^(?P<s>\S+): (?P<n>\d+) of (?P<m>\d+) dates dropped, no FX rate within (?P<d>\d+) days \((?P<l>.*)\)$",
     "{s}: {m}일 중 {n}일 제외 — {d}일 안에 환율 없음 ({l})"),
    (r"^(?P<c>\w+) per USD from (?P<s>\S+) \((?P<lab>[^)]*)\)$", "달러당 {c}: {s} ({lab})"),
    (r"^(?P<c>\w+) per USD from (?P<s>\S+) \((?P<lab>[^)]*)\): the preferred (?P<w>.+) series (?P<ws>\S+) is not "
     r"available$", "달러당 {c}: {s} ({lab}) — 선택한 {w} 자료 {ws}가 없음"),
    (r"^(?P<c>\w+) per USD: neither (?P<a>\S+) nor (?P<b>\S+) is available$", "달러당 {c}: {a}, {b} 모두 없음"),
    (r"^(?P<s>\S+): no data in the store$", "{s}: 저장된 데이터 없음"),
    (r"^(?P<s>\S+): no data in the window (?P<w>.+) \(data (?P<a>\S+) to (?P<b>\S+)\)$",
     "{s}: 기간 {w}에 데이터 없음 (데이터 {a}~{b})"),
    (r"^(?P<s>\S+): no data before (?P<d>\S+)$", "{s}: {d} 이전 데이터 없음"),
    (r"^(?P<s>\S+): no data after (?P<d>\S+)$", "{s}: {d} 이후 데이터 없음"),
    (r"^(?P<s>\S+): no data between (?P<a>\S+) and (?P<b>\S+)$", "{s}: {a}~{b} 사이 데이터 없음"),
    (r"^(?P<s>\S+): no value on or before the base date (?P<d>\S+), cannot rebase$",
     "{s}: 기준일 {d} 이전 값이 없어 100으로 맞출 수 없음"),
))


def localise_notes(notes: Iterable[str], lang: str) -> list[str]:
    """The analytics' English notes in the reader's language (known patterns; anything else unchanged)."""
    if lang != "ko":
        return list(notes)
    out = []
    for note in notes:
        for pattern, korean in _NOTES_KO:
            match = pattern.match(note)
            if match:
                note = korean.format(**match.groupdict())
                break
        out.append(note)
    return out


def group_notes(notes: Iterable[str]) -> list[str]:
    """Merge notes that differ only in their leading symbol: ``"A: x", "B: x"`` → ``"A, B: x"`` (order kept)."""
    groups: dict[str, list[str]] = {}
    for note in notes:
        head, sep, tail = note.partition(": ")
        if sep and head and " " not in head:
            groups.setdefault(tail, []).append(head)
        else:
            groups.setdefault(note, [])
    return [f"{', '.join(heads)}: {text}" if heads else text for text, heads in groups.items()]


def event_time(day: dt.date) -> str:
    """The event moment for ``day``: the US open (so Asian sessions closed before it show their next one)."""
    return f"{day.isoformat()} {EVENT_OPEN}"
