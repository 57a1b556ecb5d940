"""Baskets: each member rebased to 100, a buy-and-hold basket of them, and the basket's own dates.

A basket's dates are its members' exchange sessions, never the dates of whatever else is stored. A wide frame
built from every stored series holds the union of all their dates: Good Friday 2025-04-18 is a date there only
because the two Korean stock files trade on it. A basket built on that frame would get an extra, carried-over
value on a day none of its members traded, and every count of trading days (a volatility, a z-score) would change
with files that have nothing to do with it. Here a basket's dates are the sessions of its members' exchange
calendars (:func:`commentary.timeline.observation.exchange_sessions`) over each member's stored span; a member
without a calendar (FX, ECB rates) brings its own print dates. The scorecard (:func:`session_basket`) and the
pages (:func:`basket_index` with :data:`HOLIDAY_CARRY`) share that rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import pandas as pd

from commentary.analysis.tidy import as_day
from commentary.timeline.observation import exchange_sessions, non_session_dates
from data_sources.errors import InputError

# ``basket_index(..., max_carry_days=HOLIDAY_CARRY)``: carry over the member's own market holidays only, and
# keep only the dates that are sessions of at least one member's market.
HOLIDAY_CARRY: Literal["holidays"] = "holidays"


def carry_over_holidays(frame: pd.DataFrame) -> pd.DataFrame:
    """Forward-fill each column of a wide frame only across dates that are not sessions of its exchange.

    A run of missing values is filled when every date in it is a holiday or weekend of the column's
    market (its exchange calendar); one missing value on a session breaks the carry for the rest of
    the run.  Columns without an exchange calendar (FX, ECB rates) are never filled.
    """
    if frame.empty:
        return frame
    index = pd.DatetimeIndex(frame.index)
    out = {}
    for col in frame.columns:
        series = frame[col]
        valid = series.notna()
        closed = non_session_dates(str(col), index).to_numpy()
        gap = pd.Series(~valid.to_numpy() & ~closed, index=frame.index)
        broken = gap.astype("int8").groupby(valid.cumsum().to_numpy()).cummax().astype(bool)
        out[col] = series.ffill().where(valid | ~broken)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def _carry_forward(frame: pd.DataFrame, max_days: int) -> pd.DataFrame:
    """Forward-fill each column only while its last observation is at most ``max_days`` calendar days old."""
    if max_days <= 0 or frame.empty:
        return frame
    index = pd.DatetimeIndex(frame.index)
    out = {}
    for col in frame.columns:
        series = frame[col]
        seen = pd.Series(index.where(series.notna()), index=frame.index).ffill()
        fresh = (pd.Series(index, index=frame.index) - seen) <= pd.Timedelta(days=max_days)
        out[col] = series.ffill().where(fresh)
    return pd.DataFrame(out, index=frame.index)


def rebase(wide: pd.DataFrame, base_date: object) -> pd.DataFrame:
    """Each column ÷ its last non-NaN value on or before ``base_date`` × 100.

    A column with no value on or before ``base_date`` becomes all-NaN
    (:func:`coverage_problems` with ``base_date`` names it).
    """
    base = as_day(base_date, "base date")
    frame = wide.sort_index()
    out = {}
    for col in frame.columns:
        series = frame[col].astype("float64")
        before = series.loc[:base].dropna()
        if before.empty or before.iloc[-1] == 0:
            out[col] = series * math.nan
        else:
            out[col] = series / before.iloc[-1] * 100.0
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def _normalised_weights(members: list[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return {m: 1.0 / len(members) for m in members}
    unknown = [k for k in weights if k not in members]
    if unknown:
        raise InputError("compare.weights_stray", symbols=", ".join(map(str, unknown)))
    missing = [m for m in members if m not in weights]
    if missing:
        raise InputError("compare.weights_missing", symbols=", ".join(missing))
    clean: dict[str, float] = {}
    for member in members:
        try:
            value = float(weights[member])
        except (TypeError, ValueError) as exc:
            raise InputError("compare.weights_number", symbol=member, value=str(weights[member])) from exc
        if not math.isfinite(value):
            raise InputError("compare.weights_number", symbol=member, value=str(value))
        if value < 0:
            raise InputError("compare.weights_negative", symbol=member, value=f"{value:g}")
        clean[member] = value
    total = sum(clean.values())
    if total == 0:
        raise InputError("compare.weights_zero")
    return {m: w / total for m, w in clean.items()}


def basket_index(
    wide: pd.DataFrame,
    members: list[str],
    base_date: object,
    weights: Mapping[str, float] | None = None,
    max_carry_days: int | Literal["holidays"] = 0,
) -> pd.Series:
    """Buy-and-hold basket rebased to 100 at ``base_date``: ``sum_i w_i * rebased_i``.

    Weights are normalised to sum to 1 (equal weights when None). Members with
    weight 0 are ignored. Missing values: with ``max_carry_days=HOLIDAY_CARRY``
    each member's value is carried over its own market's non-session dates
    (:func:`carry_over_holidays`); an integer carries it over at most that many
    calendar days (0: no carry); the basket is NaN on any date where a weighted member
    still has no value. With :data:`HOLIDAY_CARRY` the basket is also NaN on a date that is no session of any
    member's market (:func:`basket_dates`): a date another stored series brought into ``wide`` gives it no
    value (the index stays ``wide``'s). Raises ValueError for an empty or duplicated member
    list, a member that is not a column, or bad weights.
    """
    if not members:
        raise ValueError("basket: no members chosen")
    duplicates = sorted({m for m in members if members.count(m) > 1})
    if duplicates:
        raise ValueError(f"basket: member(s) listed twice: {', '.join(duplicates)}")
    absent = [m for m in members if m not in wide.columns]
    if absent:
        raise ValueError(f"basket: no price column for member(s) {', '.join(absent)}")
    if max_carry_days != HOLIDAY_CARRY and (not isinstance(max_carry_days, int) or max_carry_days < 0):
        raise ValueError(f"basket: max_carry_days must be ≥ 0 or {HOLIDAY_CARRY!r}, got {max_carry_days!r}")
    norm = {m: w for m, w in _normalised_weights(list(members), weights).items() if w > 0}
    rebased = rebase(wide[list(norm)], base_date)
    levels = (carry_over_holidays(rebased) if max_carry_days == HOLIDAY_CARRY
              else _carry_forward(rebased, max_carry_days))
    weighted = levels.mul(pd.Series(norm), axis=1)
    basket = weighted.sum(axis=1, min_count=len(norm)).where(levels.notna().all(axis=1))
    if max_carry_days == HOLIDAY_CARRY:
        sessions = basket_dates({m: wide[m] for m in norm})
        basket = basket.where(pd.DatetimeIndex(basket.index).isin(sessions))
    return basket.rename("basket")


def basket_dates(columns: Mapping[str, pd.Series]) -> pd.DatetimeIndex:
    """The union of each member's sessions over its stored span (its print dates where it has no calendar)."""
    out = pd.DatetimeIndex([])
    for symbol, column in columns.items():
        dates = pd.DatetimeIndex(column.dropna().index)
        if dates.empty:
            continue
        sessions = exchange_sessions(symbol, dates[0], dates[-1])
        if sessions is None:
            out = out.union(dates)
            continue
        # the calendar covers most of the span; prints outside what it covers keep their own dates
        outside = dates[(dates < sessions[0]) | (dates > sessions[-1])] if len(sessions) else dates
        out = out.union(sessions).union(outside)
    return out


def session_basket(columns: Mapping[str, pd.Series], bases: Mapping[str, pd.Timestamp]) -> pd.Series:
    """Equal-weight buy-and-hold basket, 100 at each member's own base print, on :func:`basket_dates`.

    A member is carried over its own market's holidays only (:func:`carry_over_holidays`); a date on which a
    member has no value after that (a gap on one of its sessions, or before its first print) is left out.
    """
    index = basket_dates(columns)
    rebased = pd.DataFrame({s: columns[s].reindex(index) / float(columns[s].loc[bases[s]]) * 100.0
                            for s in columns}, index=index)
    carried = carry_over_holidays(rebased)
    return carried.mean(axis=1).where(carried.notna().all(axis=1)).dropna()
