"""Event-day moves: every symbol's one-day change on an event's day, in local currency, from adjusted closes.

A market closed on the day shows its next session; with a time-zone-aware event moment, a market whose session
closed before the event shows its first session after it (each with a note). A symbol without data near the day
is kept with NaN change and a note (flagged, not omitted) and sorts last.
"""

from __future__ import annotations

import math

import pandas as pd

from commentary.analysis.tidy import as_day, iso, observed
from commentary.timeline.observation import print_moment
from commentary.words import Words
from data_sources.market.universe import instrument

# each note on a symbol's move, by catalog key (catalog/<lang>/chart_fx.toml, [chart_fx.event_day])
NOTES: dict[str, str] = {
    "closed": "chart_fx.event_day.closed",  # params: day, session
    "before": "chart_fx.event_day.before",  # params: day, session
    "none": "chart_fx.event_day.none",  # params: day, days
    "noprev": "chart_fx.event_day.noprev",  # params: day, days
}


def _moment(value: pd.Timestamp | str) -> pd.Timestamp:
    """A tz-aware timestamp from a Timestamp or a string such as "2025-01-27 09:30 America/New_York"."""
    example = "e.g. '2025-01-27 09:30 America/New_York'"
    try:
        if isinstance(value, str) and "/" in value.rsplit(" ", 1)[-1]:
            text, zone = value.rsplit(" ", 1)
            moment = pd.Timestamp(text).tz_localize(zone)
        else:
            moment = pd.Timestamp(value)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"event_time {value!r} is not a date and time with a time zone ({example})") from exc
    if moment is pd.NaT or moment.tzinfo is None:
        raise ValueError(f"event_time {value!r} needs a time zone ({example})")
    return moment


def _closes_before(symbol: str, day: pd.Timestamp, event_time: pd.Timestamp) -> bool:
    """Whether ``symbol``'s daily value for ``day`` was observed at or before ``event_time``.

    The observation moment comes from :func:`commentary.timeline.observation.print_moment`: the
    exchange calendar's session close (half days included), the ECB's 14:15 CET fixing, or Yahoo
    FX's Asian-hours print.
    """
    if instrument(symbol) is None:
        return False
    return print_moment(symbol, day) <= event_time


def event_day_moves(
    prices: pd.DataFrame,
    day: object,
    words: Words,
    event_time: pd.Timestamp | str | None = None,
    max_gap_days: int = 10,
) -> pd.DataFrame:
    """One-day move of every symbol on ``day``, in local currency, from adjusted closes.

    Columns: symbol, currency, prev_date, prev_close, session, close, change_pct, note.
    ``session`` is ``day`` when the symbol has a row on it; otherwise (market
    closed) its next session, labelled in ``note``. ``prev_close`` is always the
    last close before ``session``. With a time-zone-aware ``event_time`` (e.g.
    "2025-01-27 09:30 America/New_York"), a symbol whose session on ``day``
    closed at or before that moment could not react yet, so its next session is
    used too, with its own note. A symbol with no session within
    ``max_gap_days`` after ``day`` or no close within ``max_gap_days`` before
    it is kept with NaN change and a note (flagged, not omitted).
    Sorted by change ascending (biggest fall first), flagged rows last. ``words``: the reader's words, for the
    notes (:data:`NOTES`).
    """
    target = as_day(day, "event day")
    moment = _moment(event_time) if event_time is not None else None
    gap = pd.Timedelta(days=max_gap_days)
    rows = []
    for symbol, obs in observed(prices).groupby("symbol", sort=True):
        inst = instrument(str(symbol))
        row: dict[str, object] = {"symbol": symbol, "currency": inst.currency if inst else None,
                                  "prev_date": pd.NaT, "prev_close": math.nan, "session": pd.NaT,
                                  "close": math.nan, "change_pct": math.nan, "note": ""}
        has_day = bool((obs["date"] == target).any())
        shifted = moment is not None and has_day and _closes_before(str(symbol), target, moment)
        after = obs[obs["date"] > target] if shifted else obs[obs["date"] >= target]
        after = after[after["date"] <= target + gap]
        if after.empty:
            row["note"] = words(NOTES["none"], day=iso(target), days=max_gap_days)
            rows.append(row)
            continue
        session = after.iloc[0]
        before = obs[(obs["date"] < session["date"]) & (obs["date"] >= target - gap)]
        row.update(session=session["date"], close=session["price"])
        if before.empty:
            row["note"] = words(NOTES["noprev"], day=iso(target), days=max_gap_days)
            rows.append(row)
            continue
        prev = before.iloc[-1]
        row.update(prev_date=prev["date"], prev_close=prev["price"],
                   change_pct=(session["price"] / prev["price"] - 1.0) * 100.0)
        if session["date"] != target:
            key = "before" if shifted else "closed"
            row["note"] = words(NOTES[key], day=iso(target), session=iso(session["date"]))
        rows.append(row)
    columns = ["symbol", "currency", "prev_date", "prev_close", "session", "close", "change_pct", "note"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("prev_date", "session"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    out = out.sort_values(["change_pct", "symbol"], na_position="last", kind="stable")
    return out.reset_index(drop=True)
