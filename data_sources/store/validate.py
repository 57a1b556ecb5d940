"""Row checks shared by every way prices enter the store (CSV import, Yahoo, ECB)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from data_sources.errors import Problem
from data_sources.store.frames import PRICE_COLUMNS, VALUE_COLUMNS

EARLIEST = date(1900, 1, 1)  # no stored series starts before this; earlier dates are typos
LATEST = date(2199, 12, 31)  # the bound when a caller gives no "today" (the store holds nanosecond dates)
PRICE_RANGE = (1e-4, 1e9)  # any price (open/high/low/close/adj_close) outside this is not a real quote
MAX_VOLUME = 1e15
PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")
TODAY_ZONE = ZoneInfo("Asia/Seoul")  # the easternmost market we store: its date is the latest valid one


def market_today() -> date:
    """Today's date in Seoul, the latest trading date any stored series can have."""
    return datetime.now(TODAY_ZONE).date()


@dataclass(frozen=True)
class RowProblem:
    """One rejected row: where it came from and why (``reason``: a code such as ``row.not_positive`` and the
    field and value it is about)."""

    origin: str  # a file name or "Yahoo NVDA"
    line: int | None  # 1-based line in the file (header is line 1), None when not from a file
    symbol: str
    reason: Problem

    @property
    def problem(self) -> Problem:
        """The whole problem: ``row.rejected`` (file, line, reason), or ``row.rejected_from`` without a line."""
        if self.line is None:
            return Problem("row.rejected_from", {"origin": self.origin, "reason": self.reason})
        return Problem("row.rejected", {"file": self.origin, "line": self.line, "reason": self.reason})

    def __str__(self) -> str:  # for logs
        return str(self.problem)


def _why(code: str, **params: object) -> Problem:
    return Problem(code, params)


def check_rows(raw: pd.DataFrame, symbol: str, origin: str, lines: pd.Series | None = None,
               today: date | None = None) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Split ``raw`` (string or numeric cells, columns ``date`` + value columns) into good rows and problems.

    A row is rejected when its date does not parse, is before 1900 or after ``today`` (when given; file
    imports pass :func:`market_today`), a value is not a number or not finite, its close is missing, a price is not
    positive or outside :data:`PRICE_RANGE`, its volume is negative or above :data:`MAX_VOLUME`, or its
    date repeats an earlier row (the first one wins). ``lines`` gives each row's line number in its file.
    """
    problems: list[RowProblem] = []
    line_of = (lines if lines is not None else pd.Series([None] * len(raw), index=raw.index)).to_dict()

    def reject(mask: pd.Series, reason_of) -> None:
        for idx in raw.index[mask.to_numpy()]:
            problems.append(RowProblem(origin, line_of[idx], symbol, reason_of(idx)))

    # parsed at second resolution, so year 1 … 9999 all parse; the range check comes before any ns cast
    dates = pd.to_datetime(raw["date"].astype(str).str.strip().str[:10], format="%Y-%m-%d",
                           errors="coerce").astype("datetime64[s]")
    bad_date = dates.isna()
    reject(bad_date, lambda i: _why("row.unparsable_date", field="date", value=str(raw.at[i, "date"])[:40]))
    ok = ~bad_date
    future = ok & (dates > pd.Timestamp(today if today is not None else LATEST))
    reject(future, lambda i: _why("row.future_date", field="date", value=dates[i].date().isoformat(),
                                  limit=(today or LATEST).isoformat()))
    ok &= ~future
    early = ok & (dates < pd.Timestamp(EARLIEST))
    reject(early, lambda i: _why("row.early_date", field="date", value=dates[i].date().isoformat(),
                                 year=EARLIEST.year))
    ok &= ~early

    values: dict[str, pd.Series] = {}
    for col in VALUE_COLUMNS:
        cells = raw[col] if col in raw.columns else pd.Series([None] * len(raw), index=raw.index)
        text = cells.astype("string").str.strip()
        blank = text.isna() | (text == "") | (text.str.lower() == "nan")
        nums = pd.to_numeric(text.where(~blank), errors="coerce")
        not_number = ok & ~blank & nums.isna()
        reject(not_number, lambda i, c=col: _why("row.not_a_number", field=c, value=str(raw.at[i, c])[:40]))
        ok &= ~not_number
        nums = nums.astype("float64")
        infinite = ok & ~blank & np.isinf(nums)
        reject(infinite, lambda i, c=col: _why("row.not_finite", field=c, value=str(raw.at[i, c]).strip()[:40]))
        ok &= ~infinite
        values[col] = nums

    close = values["close"]
    no_close = ok & close.isna()
    reject(no_close, lambda i: _why("row.no_close", field="close"))
    ok &= ~no_close
    low, high = PRICE_RANGE
    for col in PRICE_FIELDS:
        v = values[col]
        not_positive = ok & (v <= 0)
        reject(not_positive, lambda i, c=col, v=v: _why("row.not_positive", field=c, value=f"{v[i]:g}"))
        ok &= ~not_positive
        absurd = ok & ((v < low) | (v > high))
        reject(absurd, lambda i, c=col, v=v: _why("row.implausible", field=c, value=f"{v[i]:g}", low=f"{low:g}",
                                                  high=f"{high:,.0f}"))
        ok &= ~absurd
    volume = values["volume"]
    bad_volume = ok & ((volume < 0) | (volume > MAX_VOLUME))
    reject(bad_volume, lambda i: _why("row.bad_volume", field="volume", value=f"{volume[i]:g}",
                                      high=f"{MAX_VOLUME:,.0f}"))
    ok &= ~bad_volume

    dup = ok & dates.where(ok).duplicated(keep="first") & dates.notna()
    first_line: dict = {}
    if dup.any():  # the line of each repeated date's first row (kept rows have unique dates)
        firsts = dates[ok & ~dup]
        first_line = {d: line_of[i] for i, d in firsts[firsts.isin(dates[dup])].items()}
    reject(dup, lambda i: _why("row.duplicate_date", field="date", value=dates[i].date().isoformat(),
                               first_line=first_line[dates[i]]))
    ok &= ~dup

    good = pd.DataFrame({"date": dates[ok].astype("datetime64[ns]"), "symbol": symbol,
                         **{c: values[c][ok] for c in VALUE_COLUMNS}})
    good = good.loc[:, list(PRICE_COLUMNS)].sort_values("date").reset_index(drop=True)
    problems.sort(key=lambda p: (p.line or 0))
    return good, problems
