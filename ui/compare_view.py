"""The "US vs China" page's view-model: the view a link reproduces (:class:`CompareView`), read from and written
to the address, the range buttons' windows, and the tables' and notes' reader text (from the catalogs).

The lines themselves are computed in :mod:`commentary.analysis.compare_lines` (no wording there).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from catalog import describe, text
from commentary.analysis import compare_lines as cl
from commentary.analysis.analytics import summary_stats, window_bounds
from data_sources.errors import Problem
from data_sources.market.universe import instrument
from ui.words import words

Query = Mapping[str, str | list[str]]
# catalog keys of the choices' words (literal, so the catalog test sees each in use)
PRESET_WORDS = {"1M": "compare.preset_1M", "3M": "compare.preset_3M", "6M": "compare.preset_6M",
                "YTD": "compare.preset_YTD", "1Y": "compare.preset_1Y", "All": "compare.preset_All"}
CCY_WORDS = {"local": "compare.ccy_local", "USD": "compare.ccy_USD", "KRW": "compare.ccy_KRW"}  # in sentences
CCY_CHOICES = {"local": "compare.choice_local", "USD": "compare.choice_USD", "KRW": "compare.choice_KRW"}
SOURCE_WORDS = {"yahoo": "compare.source_yahoo", "ecb": "compare.source_ecb"}
WEIGHTING_WORDS = {"equal": "compare.equal", "fixed": "compare.fixed"}
BASE_PROBLEMS = {"format": "compare.base_format", "range": "compare.base_range"}


@dataclass(frozen=True)
class CompareView(cl.LineView):
    """Everything a link to the page reproduces: the lines' view, plus the weights, the event day and the pins."""

    weights: str = ""  # "" = equal weights, else "SYMBOL=weight,…" over both baskets
    day: dt.date = cl.DEFAULT_EVENT_DAY
    pins: bool = False


# --------------------------------------------------------------------------- defaults and windows


def default_view(prices: pd.DataFrame) -> CompareView | None:
    """The page's opening view, from what is stored (None when no basket member or benchmark has data).

    Base: the last stored date on or before :data:`~commentary.analysis.compare_lines.DEFAULT_BASE`. Window: three
    months before the base to the last date every default line still has (so no line of the default view simply
    stops early). Members: every stored member of each basket; benchmarks: the stored default ones.
    """
    span = cl.data_span(prices)
    if span is None:
        return None
    first, last = span
    us, cn = cl.stored(prices, cl.US_MEMBERS), cl.stored(prices, cl.CN_MEMBERS)
    bench = cl.stored(prices, cl.DEFAULT_BENCHMARKS)
    base = cl.last_on_or_before(prices, cl.LINE_SYMBOLS, cl.DEFAULT_BASE) or first
    ends = cl.symbol_spans(prices, us + cn + bench)["max"]
    end = pd.Timestamp(ends.min()).date() if len(ends) else last
    end = max(end, base)
    start = max(first, (pd.Timestamp(base) - cl.LOOKBACK).date())
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


def parse_base_text(value: str, first: dt.date, last: dt.date) -> tuple[dt.date | None, str]:
    """A typed base date (``YYYY-MM-DD``; ``YYYY.MM.DD`` and ``YYYY/MM/DD`` too) → ``(date, "")``, or
    ``(None, problem)`` with the problem code "format" or "range" (outside ``first``..``last``)."""
    cleaned = re.sub(r"[./]", "-", (value or "").strip())
    try:
        day = dt.date.fromisoformat(cleaned)
    except ValueError:
        return None, "format"
    if not first <= day <= last:
        return None, "range"
    return day, ""


# --------------------------------------------------------------------------- the address


def _one(query: Query, key: str) -> str | None:
    value = query.get(key)
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _parse_date(query: Query, key: str, default: dt.date, first: dt.date, last: dt.date,
                problems: list[Problem]) -> dt.date:
    value = _one(query, key)
    if value is None or value == "":
        return default
    try:
        day = dt.date.fromisoformat(value.strip()) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()) else None
    except ValueError:
        day = None
    if day is None:
        problems.append(Problem("compare.url_date", {"param": key, "value": value[:40],
                                                     "default": default.isoformat()}))
        return default
    if not first <= day <= last:
        problems.append(Problem("compare.url_range", {"param": key, "value": day.isoformat(),
                                                      "first": first.isoformat(), "last": last.isoformat(),
                                                      "default": default.isoformat()}))
        return default
    return day


def _parse_symbols(query: Query, key: str, allowed: tuple[str, ...], default: tuple[str, ...],
                   problems: list[Problem], allow_empty: bool = False) -> tuple[str, ...]:
    value = _one(query, key)
    if value is None:
        return default
    items = [s.strip() for s in value.split(",") if s.strip()][:50]
    known = {s.upper(): s for s in allowed}
    chosen = [known[s.upper()] for s in items if s.upper() in known]
    bad = ", ".join(s[:20] for s in items if s.upper() not in known)
    if not chosen:
        if allow_empty and not items:
            return ()
        problems.append(Problem("compare.url_empty", {"param": key, "bad": bad or "–"}))
        return default
    if bad:
        problems.append(Problem("compare.url_symbols", {"param": key, "bad": bad}))
    return tuple(dict.fromkeys(chosen))


def _parse_choice(query: Query, key: str, allowed: tuple[str, ...], default: str, problems: list[Problem]) -> str:
    value = _one(query, key)
    if value is None or value == "":
        return default
    match = {a.lower(): a for a in allowed}.get(value.strip().lower())
    if match is None:
        problems.append(Problem("compare.url_choice", {"param": key, "value": value[:40], "allowed": ", ".join(allowed),
                                                       "default": default}))
        return default
    return match


def parse_query(query: Query, default: CompareView, first: dt.date, last: dt.date) -> tuple[CompareView,
                                                                                            list[Problem]]:
    """The view an address asks for, plus one problem per bad parameter (which keeps its default).

    Keys: base, start, end, day (YYYY-MM-DD within ``first``..``last``), us, cn, bench (comma-separated
    symbols of their group; ``bench=`` may be empty), ccy (local|USD|KRW), fx (yahoo|ecb), w (weights text,
    checked later by :func:`commentary.analysis.compare_lines.parse_weights`), pins (1|0).
    """
    problems: list[Problem] = []
    base = _parse_date(query, "base", default.base, first, last, problems)
    start = _parse_date(query, "start", default.start, first, last, problems)
    end = _parse_date(query, "end", default.end, first, last, problems)
    if start > end:
        problems.append(Problem("compare.url_order", {"start": start.isoformat(), "end": end.isoformat()}))
        start, end = default.start, default.end
    view = replace(
        default,
        base=base, start=start, end=end,
        us=_parse_symbols(query, "us", cl.US_MEMBERS, default.us, problems),
        cn=_parse_symbols(query, "cn", cl.CN_MEMBERS, default.cn, problems),
        bench=_parse_symbols(query, "bench", cl.BENCHMARKS, default.bench, problems, allow_empty=True),
        ccy=_parse_choice(query, "ccy", cl.CURRENCIES, default.ccy, problems),
        fx=_parse_choice(query, "fx", cl.FX_SOURCES, default.fx, problems),
        weights=(_one(query, "w") or "").strip()[:500],
        day=_parse_date(query, "day", default.day, first, last, problems),
        pins=(_one(query, "pins") or "0").strip() in ("1", "true", "yes", "on"),
    )
    return view, problems


def to_query(view: CompareView) -> dict[str, str]:
    """Address parameters that reproduce ``view`` (inverse of :func:`parse_query`)."""
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


def to_widgets(view: CompareView) -> dict[str, object]:
    """The widgets' values for ``view`` (lists for the multiselects; the base date also as the typed text; the
    weighting radio beside its text)."""
    return {"base": view.base, "base_text": view.base.isoformat(), "start": view.start, "end": view.end,
            "us": list(view.us), "cn": list(view.cn),
            "bench": list(view.bench), "ccy": view.ccy, "fx": view.fx,
            "weighting": "fixed" if view.weights else "equal", "weights": view.weights, "day": view.day,
            "pins": view.pins}


def from_widgets(values: Mapping[str, object]) -> CompareView:
    """The view the widgets hold (weights only when the weighting is "fixed")."""
    weights = str(values.get("weights") or "").strip() if values.get("weighting") == "fixed" else ""
    return CompareView(base=values["base"], start=values["start"], end=values["end"],  # type: ignore[arg-type]
                       us=tuple(values["us"]), cn=tuple(values["cn"]),  # type: ignore[arg-type]
                       bench=tuple(values["bench"]), ccy=str(values["ccy"]), fx=str(values["fx"]),  # type: ignore
                       weights=weights, day=values["day"], pins=bool(values["pins"]))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- reader text


def line_names(keys: Iterable[str], lang: str) -> dict[str, str]:
    """Display name of each line key (basket keys and symbols) in ``lang``."""
    baskets = {cl.US_KEY: text(lang, "compare.us_basket"), cl.CN_KEY: text(lang, "compare.cn_basket")}
    return {k: baskets.get(k) or cl.symbol_name(k, words(lang)) for k in keys}


def reader_name(symbol: str, lang: str) -> str:
    """A series as readers know it: a stock or index with its ticker (``엔비디아 (NVDA)``), an FX series by its
    name alone (``USDHKD_ECB`` → "홍콩달러/달러 (ECB 기준율)": an internal id is no reader's word)."""
    inst = instrument(symbol)
    if inst is not None and inst.group == "fx":
        return inst.name(lang)
    return cl.symbol_name(symbol, words(lang))


def _reader_params(problem: Problem, lang: str) -> dict[str, object]:
    """The problem's symbols as readers' names (:func:`reader_name`)."""
    params = dict(problem.params)
    for key in ("symbol", "wanted", "yahoo", "ecb"):
        if key in params:
            params[key] = reader_name(str(params[key]), lang)
    if "symbols" in params:
        params["symbols"] = ", ".join(reader_name(s, lang) for s in str(params["symbols"]).split(", ") if s)
    for key in ("source", "wanted_source"):
        if key in params:
            params[key] = text(lang, SOURCE_WORDS.get(str(params[key]), "compare.source_yahoo"))
    return params


def word_notes(notes: Iterable[Problem], lang: str) -> list[str]:
    """The analyses' coded notes in the reader's words, notes that differ only in their symbol merged into one
    (order kept)."""
    groups: dict[tuple, list[str]] = {}
    for note in notes:
        params = _reader_params(note, lang)
        symbol = params.pop("symbol", None)
        key = (note.code, tuple(sorted((k, str(v)) for k, v in params.items())))
        groups.setdefault(key, [])
        if symbol is not None:
            groups[key].append(str(symbol))
    out = []
    for (code, items), symbols in groups.items():
        params = dict(items)
        if symbols:
            params["symbol"] = ", ".join(dict.fromkeys(symbols))
        out.append(describe(Problem(code, params), lang))
    return out


def say_problem(problem: Problem, lang: str) -> str:
    """One coded problem (a URL parameter, a weight) in the reader's words."""
    return describe(Problem(problem.code, _reader_params(problem, lang)), lang)


STATS_ORDER: tuple[str, ...] = ("name", "total_return_pct", "max_drawdown_pct", "volatility_pct", "first", "last",
                                "observations")  # what a phone shows first; the key column stays in the CSV


def stats_frame(levels: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`commentary.analysis.analytics.summary_stats` of every line with its key and display name first."""
    stats = summary_stats(levels)
    names = line_names(levels.columns, lang)
    out = stats.reset_index().rename(columns={"index": "series"})
    out.insert(1, "name", [names[k] for k in out["series"]])
    return out


def stats_window(stats: pd.DataFrame, view: CompareView) -> tuple[dt.date, dt.date]:
    """The first and last dates the table's returns run between (the view's window where nothing is drawn)."""
    firsts = pd.to_datetime(stats.get("first", pd.Series(dtype="datetime64[ns]"))).dropna()
    lasts = pd.to_datetime(stats.get("last", pd.Series(dtype="datetime64[ns]"))).dropna()
    lo = firsts.min().date() if len(firsts) else view.start
    hi = lasts.max().date() if len(lasts) else view.end
    return lo, hi


def currency_words(ccy: str, lang: str) -> str:
    """"원화" / "in KRW" … for a view's currency."""
    return text(lang, CCY_WORDS.get(ccy, "compare.ccy_local"))
