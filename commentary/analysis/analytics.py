"""Pure analytics behind the "US vs China" comparison page.

Everything here takes and returns pandas objects and never touches the store,
the network or Streamlit.  Prices come as the tidy frame of
:mod:`data_sources.store.frames`; returns always use :func:`data_sources.store.frames.return_price`
(the adjusted close where known).  "Wide" frames are dates × symbols as built by
:func:`data_sources.store.frames.wide`.

Rules chosen here (and tested):

* **Rebasing** divides each column by its last non-NaN value on or before the
  base date; a column with no such value becomes all-NaN.
* **Baskets** are buy-and-hold: ``sum_i w_i * rebased_i`` with weights summing
  to 1.  A basket is NaN on any date where a member with a positive weight has
  no value, so a basket line never jumps because a member silently dropped
  out.  The one holiday-carry rule (:data:`HOLIDAY_CARRY`, used by the
  scorecard and the compare page) carries a member's last price only over
  dates that are not sessions of its own exchange's calendar
  (``exchange-calendars``); a missing value on one of its sessions is a gap.
* **Currency conversion** aligns every price date with the FX rate of the same
  calendar date, or the last earlier one at most ``max_fill_days`` days old;
  prices with no usable rate are dropped and counted in the notes.
* **Volatility** is the sample standard deviation of simple returns between
  consecutive observations of a column, × sqrt(252).
* **Event-day moves** list every symbol; a symbol without data near the day is
  kept with NaN change and a note (flagged, not omitted) and sorts last.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd

from commentary.timeline.observation import non_session_dates, print_moment
from data_sources.market.universe import FX_PER_USD, instrument
from data_sources.store.frames import PRICE_COLUMNS, normalise, return_price

# ``basket_index(..., max_carry_days=HOLIDAY_CARRY)``: carry over the member's own market holidays only.
HOLIDAY_CARRY: Literal["holidays"] = "holidays"

COLUMN_DATE = pd.Timestamp("2025-01-26")
PRESETS: tuple[str, ...] = ("1M", "3M", "6M", "YTD", "1Y", "All")
TARGETS: tuple[str, ...] = ("local", "USD", "KRW")
_PRICE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")
_SPANS: dict[str, pd.DateOffset] = {
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "1Y": pd.DateOffset(years=1),
}


# --------------------------------------------------------------------------- helpers


def _day(value: object, what: str) -> pd.Timestamp:
    """A naive midnight timestamp from a date-like value, or a ValueError naming ``what``."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: {value!r} is not a date") from exc
    if stamp is pd.NaT:
        raise ValueError(f"{what}: {value!r} is not a date")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d")


def _check_tidy(frame: pd.DataFrame, what: str, needed: Iterable[str] = PRICE_COLUMNS) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def _observed(prices: pd.DataFrame) -> pd.DataFrame:
    """``date, symbol, price`` rows with a usable return price, sorted by symbol and date."""
    _check_tidy(prices, "prices", ("date", "symbol", "close", "adj_close"))
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(prices["date"]).dt.normalize(),
            "symbol": prices["symbol"].astype(str),
            "price": return_price(prices).astype("float64"),
        }
    )
    out = out[out["price"].notna()]
    return out.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)


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


# --------------------------------------------------------------------------- levels


def rebase(wide: pd.DataFrame, base_date: object) -> pd.DataFrame:
    """Each column ÷ its last non-NaN value on or before ``base_date`` × 100.

    A column with no value on or before ``base_date`` becomes all-NaN
    (:func:`coverage_problems` with ``base_date`` names it).
    """
    base = _day(base_date, "base date")
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
        raise ValueError(f"basket weights: {', '.join(map(str, unknown))} not among the members {', '.join(members)}")
    missing = [m for m in members if m not in weights]
    if missing:
        raise ValueError(f"basket weights: no weight given for member(s) {', '.join(missing)}")
    clean: dict[str, float] = {}
    for member in members:
        try:
            value = float(weights[member])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"basket weights: weight of {member} is not a number: {weights[member]!r}") from exc
        if not math.isfinite(value):
            raise ValueError(f"basket weights: weight of {member} is not finite: {value}")
        if value < 0:
            raise ValueError(f"basket weights: weight of {member} is negative: {value}")
        clean[member] = value
    total = sum(clean.values())
    if total == 0:
        raise ValueError("basket weights: all weights are zero")
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
    still has no value. Raises ValueError for an empty or duplicated member
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
    return basket.rename("basket")


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


# --------------------------------------------------------------------------- currency


def _fx_series(fx: pd.DataFrame, currency: str, fx_source: str) -> tuple[str | None, pd.DataFrame, str]:
    """The chosen FX series for ``currency`` (symbol, ``date, rate`` rows, note)."""
    yahoo, ecb = FX_PER_USD[currency]
    order = [(yahoo, "Yahoo"), (ecb, "ECB")]
    if fx_source == "ecb":
        order.reverse()
    for rank, (symbol, label) in enumerate(order):
        rows = fx[(fx["symbol"] == symbol) & fx["close"].notna() & (fx["close"] > 0)]
        if rows.empty:
            continue
        rates = rows[["date", "close"]].rename(columns={"close": "rate"}).sort_values("date")
        if rank == 0:
            note = f"{currency} per USD from {symbol} ({label})"
        else:
            wanted, wanted_label = order[0]
            note = (f"{currency} per USD from {symbol} ({label}): the preferred {wanted_label} series "
                    f"{wanted} is not available")
        return symbol, rates.drop_duplicates("date", keep="last").reset_index(drop=True), note
    return None, pd.DataFrame(columns=["date", "rate"]), (
        f"{currency} per USD: neither {yahoo} nor {ecb} is available")


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
) -> tuple[pd.DataFrame, list[str]]:
    """Convert each symbol's prices from its universe currency to ``target`` ("local", "USD" or "KRW").

    ``fx`` is a tidy frame holding the FX series of ``universe.FX_PER_USD``
    (units of currency per USD). ``fx_source`` picks Yahoo or ECB rates; when
    the preferred series is absent the other is used and a note says so.
    Each price date takes the FX rate of the same calendar date or the last
    earlier one at most ``max_fill_days`` calendar days old; prices without a
    usable rate are dropped. Open/high/low/close/adj_close are converted,
    volume is kept. FX series, symbols outside the universe and currencies
    without an FX series are left out, each with a note.
    Returns the converted tidy frame and human-readable notes.
    """
    if target not in TARGETS:
        raise ValueError(f"target currency {target!r} is not one of {', '.join(TARGETS)}")
    if fx_source not in ("yahoo", "ecb"):
        raise ValueError(f"fx_source {fx_source!r} is not 'yahoo' or 'ecb'")
    if max_fill_days < 0:
        raise ValueError(f"max_fill_days must be ≥ 0, got {max_fill_days}")
    _check_tidy(prices, "prices")
    frame = normalise(prices)
    if target == "local":
        return frame, []
    _check_tidy(fx, "fx", ("date", "symbol", "close"))
    fx = fx.assign(date=pd.to_datetime(fx["date"]).dt.normalize(), symbol=fx["symbol"].astype(str))

    notes: list[str] = []
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
            notes.append(f"{symbol}: not in the universe, currency unknown; left out")
            continue
        if inst.group == "fx":
            notes.append(f"{symbol}: an FX rate or dollar index, not a price; left out")
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
            notes.append(f"{symbol}: no {missing_ccy} per USD rate available; left out")
            continue
        usable = factor.notna()
        dropped = rows.loc[~usable, "date"]
        if len(dropped):
            shown = ", ".join(_iso(d) for d in dropped.iloc[:3]) + (" …" if len(dropped) > 3 else "")
            notes.append(f"{symbol}: {len(dropped)} of {len(rows)} dates dropped, no FX rate within "
                         f"{max_fill_days} days ({shown})")
        converted = rows.copy()
        for col in _PRICE_FIELDS:
            converted[col] = rows[col] * factor
        parts.append(converted[usable])
    if not parts:
        return normalise(frame.iloc[0:0]), notes
    return normalise(pd.concat(parts, ignore_index=True)), notes


# --------------------------------------------------------------------------- event day

_NOTES = {
    "en": {
        "closed": "market closed on {day}; next session {session}",
        "before": "session on {day} closed before the event; first session after it {session}",
        "none": "no data within {days} days of {day}",
        "noprev": "no close before {day} within {days} days",
    },
    "ko": {
        "closed": "{day} 휴장; 다음 거래일 {session}",
        "before": "{day} 장은 사건 전에 마감; 반영 첫 거래일 {session}",
        "none": "{day} 전후 {days}일 안에 데이터 없음",
        "noprev": "{day} 이전 {days}일 안에 종가 없음",
    },
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
    calendar_note_lang: str = "en",
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
    Sorted by change ascending (biggest fall first), flagged rows last.
    """
    target = _day(day, "event day")
    words = _NOTES.get(calendar_note_lang, _NOTES["en"])
    moment = _moment(event_time) if event_time is not None else None
    gap = pd.Timedelta(days=max_gap_days)
    rows = []
    for symbol, obs in _observed(prices).groupby("symbol", sort=True):
        inst = instrument(str(symbol))
        row: dict[str, object] = {"symbol": symbol, "currency": inst.currency if inst else None,
                                  "prev_date": pd.NaT, "prev_close": math.nan, "session": pd.NaT,
                                  "close": math.nan, "change_pct": math.nan, "note": ""}
        has_day = bool((obs["date"] == target).any())
        shifted = moment is not None and has_day and _closes_before(str(symbol), target, moment)
        after = obs[obs["date"] > target] if shifted else obs[obs["date"] >= target]
        after = after[after["date"] <= target + gap]
        if after.empty:
            row["note"] = words["none"].format(day=_iso(target), days=max_gap_days)
            rows.append(row)
            continue
        session = after.iloc[0]
        before = obs[(obs["date"] < session["date"]) & (obs["date"] >= target - gap)]
        row.update(session=session["date"], close=session["price"])
        if before.empty:
            row["note"] = words["noprev"].format(day=_iso(target), days=max_gap_days)
            rows.append(row)
            continue
        prev = before.iloc[-1]
        row.update(prev_date=prev["date"], prev_close=prev["price"],
                   change_pct=(session["price"] / prev["price"] - 1.0) * 100.0)
        if session["date"] != target:
            key = "before" if shifted else "closed"
            row["note"] = words[key].format(day=_iso(target), session=_iso(session["date"]))
        rows.append(row)
    columns = ["symbol", "currency", "prev_date", "prev_close", "session", "close", "change_pct", "note"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("prev_date", "session"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    out = out.sort_values(["change_pct", "symbol"], na_position="last", kind="stable")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- coverage and windows


def coverage_problems(
    prices: pd.DataFrame,
    symbols: Iterable[str],
    start: object | None,
    end: object | None,
    base_date: object | None = None,
    slack_days: int = 5,
    max_gap_days: int = 10,
) -> list[str]:
    """Human-readable problems with the chosen symbols' data in the window ``start``..``end``.

    Names symbols missing from ``prices`` entirely; data starting more than
    ``slack_days`` after ``start`` ("no data before <first date>") or ending
    more than ``slack_days`` before ``end`` ("no data after <last date>");
    gaps longer than ``max_gap_days`` calendar days inside the window; and,
    when ``base_date`` is given, symbols with no value on or before it (they
    cannot be rebased). ``start``/``end`` None means open-ended.
    """
    lo = _day(start, "window start") if start is not None else None
    hi = _day(end, "window end") if end is not None else None
    base = _day(base_date, "base date") if base_date is not None else None
    slack, gap = pd.Timedelta(days=slack_days), pd.Timedelta(days=max_gap_days)
    observed = _observed(prices)
    by_symbol = {str(s): g["date"].reset_index(drop=True) for s, g in observed.groupby("symbol")}
    problems: list[str] = []
    for symbol in symbols:
        dates = by_symbol.get(symbol)
        if dates is None or dates.empty:
            problems.append(f"{symbol}: no data in the store")
            continue
        first, last = dates.iloc[0], dates.iloc[-1]
        if (lo is not None and last < lo) or (hi is not None and first > hi):
            span = f"{_iso(lo) if lo is not None else '…'} to {_iso(hi) if hi is not None else '…'}"
            problems.append(f"{symbol}: no data in the window {span} (data {_iso(first)} to {_iso(last)})")
            continue
        if lo is not None and first > lo + slack:
            problems.append(f"{symbol}: no data before {_iso(first)}")
        if hi is not None and last < hi - slack:
            problems.append(f"{symbol}: no data after {_iso(last)}")
        mask = pd.Series(True, index=dates.index)
        if lo is not None:
            mask &= dates >= lo
        if hi is not None:
            mask &= dates <= hi
        inside = dates[mask]
        steps = inside.diff()
        for pos in steps.index[steps > gap]:
            problems.append(f"{symbol}: no data between {_iso(inside[pos - 1])} and {_iso(inside[pos])}")
        if base is not None and first > base:
            problems.append(f"{symbol}: no value on or before the base date {_iso(base)}, cannot rebase")
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
    last = _day(last_date, "last date")
    column = _day(column_date, "column date")
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
