"""A basket's own dates: its members' exchange sessions, never the dates of whatever else is stored.

A wide frame built from every stored series holds the union of all their dates: Good Friday 2025-04-18
is a date there only because the two Korean stock files trade on it.  A basket built on that frame gets
an extra, carried-over value on a day none of its members traded, and every count of trading days (a
volatility, a z-score) changes with files that have nothing to do with it.  Here a basket's dates are the
sessions of its members' exchange calendars (:func:`commentary.timeline.observation.exchange_sessions`)
over each member's stored span; a member without a calendar (FX, ECB rates) brings its own print dates.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from commentary.analysis.analytics import carry_over_holidays
from commentary.timeline.observation import exchange_sessions


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
