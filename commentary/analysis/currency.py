"""Prices in another currency: each symbol's prices from its universe currency into local, USD or KRW.

Every price date takes the FX rate of the same calendar date, or the last earlier one at most ``max_fill_days``
days old; prices with no usable rate are dropped and counted in a note. Notes are codes with parameters
(:class:`data_sources.errors.Problem`, ``compare.*``), worded by the pages.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from commentary.analysis.tidy import check_tidy, iso
from data_sources.errors import Problem
from data_sources.market.universe import FX_PER_USD, instrument
from data_sources.store.frames import normalise

TARGETS: tuple[str, ...] = ("local", "USD", "KRW")
_PRICE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")


def _fx_series(fx: pd.DataFrame, currency: str, fx_source: str) -> tuple[str | None, pd.DataFrame, Problem]:
    """The chosen FX series for ``currency`` (symbol, ``date, rate`` rows, note)."""
    yahoo, ecb = FX_PER_USD[currency]
    order = [(yahoo, "yahoo"), (ecb, "ecb")]
    if fx_source == "ecb":
        order.reverse()
    for rank, (symbol, label) in enumerate(order):
        rows = fx[(fx["symbol"] == symbol) & fx["close"].notna() & (fx["close"] > 0)]
        if rows.empty:
            continue
        rates = rows[["date", "close"]].rename(columns={"close": "rate"}).sort_values("date")
        if rank == 0:
            note = Problem("compare.fx_rate", {"currency": currency, "symbol": symbol, "source": label})
        else:
            wanted, wanted_label = order[0]
            note = Problem("compare.fx_fallback", {"currency": currency, "symbol": symbol, "source": label,
                                                   "wanted": wanted, "wanted_source": wanted_label})
        return symbol, rates.drop_duplicates("date", keep="last").reset_index(drop=True), note
    return None, pd.DataFrame(columns=["date", "rate"]), Problem(
        "compare.fx_none", {"currency": currency, "yahoo": yahoo, "ecb": ecb})


def _rate_on(dates: pd.Series, rates: pd.DataFrame, max_fill_days: int) -> pd.Series:
    """FX rate per date: same date, else the last earlier rate at most ``max_fill_days`` days old."""
    left = pd.DataFrame({"date": dates.to_numpy(), "_pos": range(len(dates))}).sort_values("date")
    right = rates.assign(date=pd.to_datetime(rates["date"]).astype("datetime64[ns]"))
    left["date"] = left["date"].astype("datetime64[ns]")
    merged = pd.merge_asof(left, right, on="date", direction="backward",
                           tolerance=pd.Timedelta(days=max_fill_days))
    return merged.sort_values("_pos")["rate"].reset_index(drop=True)


def to_currency(
    prices: pd.DataFrame,
    target: str,
    fx: pd.DataFrame,
    fx_source: Literal["yahoo", "ecb"] = "yahoo",
    max_fill_days: int = 3,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert each symbol's prices from its universe currency to ``target`` ("local", "USD" or "KRW").

    ``fx`` is a tidy frame holding the FX series of ``universe.FX_PER_USD``
    (units of currency per USD). ``fx_source`` picks Yahoo or ECB rates; when
    the preferred series is absent the other is used and a note says so.
    Each price date takes the FX rate of the same calendar date or the last
    earlier one at most ``max_fill_days`` calendar days old; prices without a
    usable rate are dropped. Open/high/low/close/adj_close are converted,
    volume is kept. FX series, symbols outside the universe and currencies
    without an FX series are left out, each with a note.
    Returns the converted tidy frame and notes (:class:`Problem`, codes ``compare.*``; only the UI words them).
    """
    if target not in TARGETS:
        raise ValueError(f"target currency {target!r} is not one of {', '.join(TARGETS)}")
    if fx_source not in ("yahoo", "ecb"):
        raise ValueError(f"fx_source {fx_source!r} is not 'yahoo' or 'ecb'")
    if max_fill_days < 0:
        raise ValueError(f"max_fill_days must be ≥ 0, got {max_fill_days}")
    check_tidy(prices, "prices")
    frame = normalise(prices)
    if target == "local":
        return frame, []
    check_tidy(fx, "fx", ("date", "symbol", "close"))
    fx = fx.assign(date=pd.to_datetime(fx["date"]).dt.normalize(), symbol=fx["symbol"].astype(str))

    notes: list[Problem] = []
    rate_cache: dict[str, pd.DataFrame | None] = {}

    def rates_for(currency: str) -> pd.DataFrame | None:
        if currency not in rate_cache:
            symbol, rates, note = _fx_series(fx, currency, fx_source)
            notes.append(note)
            rate_cache[currency] = rates if symbol else None
        return rate_cache[currency]

    parts = []
    for symbol, rows in frame.groupby("symbol", sort=True):
        inst = instrument(str(symbol))
        if inst is None:
            notes.append(Problem("compare.not_in_universe", {"symbol": str(symbol)}))
            continue
        if inst.group == "fx":
            notes.append(Problem("compare.not_a_price", {"symbol": str(symbol)}))
            continue
        source, rows = inst.currency, rows.reset_index(drop=True)
        if source == target:
            parts.append(rows)
            continue
        factor = pd.Series(1.0, index=rows.index)
        missing_ccy = None
        for currency, power in ((source, -1), (target, 1)):
            if currency == "USD":
                continue
            if currency not in FX_PER_USD:
                missing_ccy = currency
                break
            rates = rates_for(currency)
            if rates is None:
                missing_ccy = currency
                break
            factor = factor * _rate_on(rows["date"], rates, max_fill_days) ** power
        if missing_ccy is not None:
            notes.append(Problem("compare.no_rate", {"symbol": str(symbol), "currency": missing_ccy}))
            continue
        usable = factor.notna()
        dropped = rows.loc[~usable, "date"]
        if len(dropped):
            shown = ", ".join(iso(d) for d in dropped.iloc[:3]) + (" …" if len(dropped) > 3 else "")
            notes.append(Problem("compare.dates_dropped", {"symbol": str(symbol), "dropped": len(dropped),
                                                           "total": len(rows), "days": max_fill_days,
                                                           "dates": shown}))
        converted = rows.copy()
        for col in _PRICE_FIELDS:
            converted[col] = rows[col] * factor
        parts.append(converted[usable])
    if not parts:
        return normalise(frame.iloc[0:0]), notes
    return normalise(pd.concat(parts, ignore_index=True)), notes
