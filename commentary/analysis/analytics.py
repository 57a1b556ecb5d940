"""Window statistics of rebased lines (return, volatility, drawdown), the spread between the baskets, what the
chosen symbols' data covers, and the pages' window presets.

Everything here takes and returns pandas objects and never touches the store, the network or Streamlit. Returns
use :func:`data_sources.store.frames.return_price` (the adjusted close where known); "wide" frames are dates ×
symbols (:func:`data_sources.store.frames.wide`). Rules chosen here (and tested):

* **Volatility** is the sample standard deviation of simple returns between consecutive observations of a
  column, × sqrt(252).
* **Total return** runs from a column's first to its last observation in the frame.
* **Coverage** problems are codes with parameters (:class:`data_sources.errors.Problem`, ``compare.*``).

Rebasing and baskets live in :mod:`commentary.analysis.baskets`, currency conversion in
:mod:`commentary.analysis.currency`, event-day moves in :mod:`commentary.analysis.event_day`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import pandas as pd

from commentary.analysis.tidy import as_day, iso, observed
from data_sources.errors import Problem

COLUMN_DATE = pd.Timestamp("2025-01-26")
PRESETS: tuple[str, ...] = ("1M", "3M", "6M", "YTD", "1Y", "All")
_SPANS: dict[str, pd.DateOffset] = {
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "1Y": pd.DateOffset(years=1),
}


def drawdown(series: pd.Series) -> pd.Series:
    """Percent below the running peak within ``series`` (≤ 0; NaN where the series is NaN)."""
    values = series.astype("float64")
    return (values / values.cummax() - 1.0) * 100.0


def spread_pp(china: pd.Series, us: pd.Series) -> pd.Series:
    """China minus US return since the base, in percentage points, on dates both indices have.

    ``((c/100 - 1) - (u/100 - 1)) * 100``, i.e. ``c - u`` for rebased levels.
    """
    both = pd.concat([china.rename("c"), us.rename("u")], axis=1, join="inner").dropna()
    spread = ((both["c"] / 100.0 - 1.0) - (both["u"] / 100.0 - 1.0)) * 100.0
    return spread.rename("spread_pp")


def summary_stats(levels: pd.DataFrame) -> pd.DataFrame:
    """Per column of ``levels`` (NaNs skipped): total return %, volatility %, max drawdown %, dates, count.

    Total return runs from the first to the last observation. Annualised
    volatility is the sample std (ddof=1) of simple returns between consecutive
    observations × sqrt(252), in %. Max drawdown is the lowest :func:`drawdown`.
    """
    rows = []
    for col in levels.columns:
        series = levels[col].astype("float64").dropna()
        count = len(series)
        if count == 0:
            rows.append({"total_return_pct": math.nan, "volatility_pct": math.nan, "max_drawdown_pct": math.nan,
                         "first": pd.NaT, "last": pd.NaT, "observations": 0})
            continue
        returns = series.pct_change().dropna()
        rows.append(
            {
                "total_return_pct": (series.iloc[-1] / series.iloc[0] - 1.0) * 100.0,
                "volatility_pct": returns.std(ddof=1) * math.sqrt(252) * 100.0 if len(returns) > 1 else math.nan,
                "max_drawdown_pct": drawdown(series).min(),
                "first": series.index[0],
                "last": series.index[-1],
                "observations": count,
            }
        )
    out = pd.DataFrame(rows, index=pd.Index(levels.columns, name="series"))
    if out.empty:
        out = pd.DataFrame(columns=["total_return_pct", "volatility_pct", "max_drawdown_pct", "first", "last",
                                    "observations"])
    out["observations"] = out["observations"].astype("int64")
    return out


def coverage_problems(
    prices: pd.DataFrame,
    symbols: Iterable[str],
    start: object | None,
    end: object | None,
    base_date: object | None = None,
    slack_days: int = 5,
    max_gap_days: int = 10,
) -> list[Problem]:
    """Problems (codes ``compare.*`` with parameters) with the chosen symbols' data in the window ``start``..``end``.

    Names symbols missing from ``prices`` entirely; data starting more than
    ``slack_days`` after ``start`` ("no data before <first date>") or ending
    more than ``slack_days`` before ``end`` ("no data after <last date>");
    gaps longer than ``max_gap_days`` calendar days inside the window; and,
    when ``base_date`` is given, symbols with no value on or before it (they
    cannot be rebased). ``start``/``end`` None means open-ended.
    """
    lo = as_day(start, "window start") if start is not None else None
    hi = as_day(end, "window end") if end is not None else None
    base = as_day(base_date, "base date") if base_date is not None else None
    slack, gap = pd.Timedelta(days=slack_days), pd.Timedelta(days=max_gap_days)
    rows = observed(prices)
    by_symbol = {str(s): g["date"].reset_index(drop=True) for s, g in rows.groupby("symbol")}
    problems: list[Problem] = []
    for symbol in symbols:
        dates = by_symbol.get(symbol)
        if dates is None or dates.empty:
            problems.append(Problem("compare.no_data", {"symbol": symbol}))
            continue
        first, last = dates.iloc[0], dates.iloc[-1]
        if (lo is not None and last < lo) or (hi is not None and first > hi):
            problems.append(Problem("compare.outside_window", {
                "symbol": symbol, "start": iso(lo) if lo is not None else "…", "end": iso(hi) if hi is not None
                else "…", "first": iso(first), "last": iso(last)}))
            continue
        if lo is not None and first > lo + slack:
            problems.append(Problem("compare.starts_late", {"symbol": symbol, "first": iso(first)}))
        if hi is not None and last < hi - slack:
            problems.append(Problem("compare.ends_early", {"symbol": symbol, "last": iso(last)}))
        mask = pd.Series(True, index=dates.index)
        if lo is not None:
            mask &= dates >= lo
        if hi is not None:
            mask &= dates <= hi
        inside = dates[mask]
        steps = inside.diff()
        for pos in steps.index[steps > gap]:
            problems.append(Problem("compare.gap", {"symbol": symbol, "start": iso(inside[pos - 1]),
                                                    "end": iso(inside[pos])}))
        if base is not None and first > base:
            problems.append(Problem("compare.no_base", {"symbol": symbol, "base": iso(base)}))
    return problems


def window_bounds(
    preset: str,
    last_date: object,
    column_date: object = COLUMN_DATE,
    anchor: Literal["column", "latest"] = "column",
    lead_in_days: int = 14,
) -> tuple[pd.Timestamp | None, pd.Timestamp]:
    """``(start, end)`` of a window preset ("1M", "3M", "6M", "YTD", "1Y", "All").

    ``anchor="column"`` (default) measures from the column: start is
    ``lead_in_days`` before ``column_date`` (so the base date shows) and end is
    ``column_date`` + the span, capped at ``last_date``; "YTD" is the column's
    calendar year up to ``last_date``. ``anchor="latest"`` gives ordinary
    trailing windows ending at ``last_date`` ("YTD" from 1 January of its year).
    "All" is ``(None, last_date)`` either way. When the data ends before the
    window starts, ``end`` < ``start`` (an empty window; coverage_problems names it).
    """
    if preset not in PRESETS:
        raise ValueError(f"window preset {preset!r} is not one of {', '.join(PRESETS)}")
    if anchor not in ("column", "latest"):
        raise ValueError(f"window anchor {anchor!r} is not 'column' or 'latest'")
    last = as_day(last_date, "last date")
    column = as_day(column_date, "column date")
    if preset == "All":
        return None, last
    if anchor == "latest":
        if preset == "YTD":
            return pd.Timestamp(year=last.year, month=1, day=1), last
        return last - _SPANS[preset], last
    if preset == "YTD":
        return pd.Timestamp(year=column.year, month=1, day=1), min(last, pd.Timestamp(year=column.year, month=12,
                                                                                         day=31))
    return column - pd.Timedelta(days=lead_in_days), min(last, column + _SPANS[preset])
