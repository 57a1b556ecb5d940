"""Row checks shared by every way prices enter the store (CSV import, Yahoo, ECB)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_sources.frames import PRICE_COLUMNS, VALUE_COLUMNS


@dataclass(frozen=True)
class RowProblem:
    """One rejected row: where it came from and why."""

    origin: str  # a file name or "Yahoo NVDA"
    line: int | None  # 1-based line in the file (header is line 1), None when not from a file
    symbol: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.origin} line {self.line}" if self.line is not None else self.origin
        return f"{where}: {self.reason}"


def check_rows(raw: pd.DataFrame, symbol: str, origin: str, lines: pd.Series | None = None
               ) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Split ``raw`` (string or numeric cells, columns ``date`` + value columns) into good rows and problems.

    A row is rejected when its date does not parse, its close is missing or not positive, a value is
    not a number, or its date repeats an earlier row (the first one wins). ``lines`` gives each row's
    line number in its file, for messages.
    """
    problems: list[RowProblem] = []
    line_of = (lines if lines is not None else pd.Series([None] * len(raw), index=raw.index)).to_dict()

    def reject(mask: pd.Series, reason_of) -> None:
        for idx in raw.index[mask.to_numpy()]:
            problems.append(RowProblem(origin, line_of[idx], symbol, reason_of(idx)))

    dates = pd.to_datetime(raw["date"].astype(str).str.strip().str[:10], format="%Y-%m-%d", errors="coerce")
    bad_date = dates.isna()
    reject(bad_date, lambda i: f"unparsable date {str(raw.at[i, 'date'])!r}")
    ok = ~bad_date

    values: dict[str, pd.Series] = {}
    for col in VALUE_COLUMNS:
        cells = raw[col] if col in raw.columns else pd.Series([None] * len(raw), index=raw.index)
        text = cells.astype("string").str.strip()
        blank = text.isna() | (text == "") | (text.str.lower() == "nan")
        nums = pd.to_numeric(text.where(~blank), errors="coerce")
        not_number = ok & ~blank & nums.isna()
        reject(not_number, lambda i, c=col: f"{c} is not a number ({str(raw.at[i, c])!r})")
        ok &= ~not_number
        values[col] = nums.astype("float64")

    close = values["close"]
    no_close = ok & close.isna()
    reject(no_close, lambda i: "close is missing")
    ok &= ~no_close
    bad_close = ok & (close <= 0)
    reject(bad_close, lambda i: f"close is not positive ({close[i]})")
    ok &= ~bad_close

    dup = ok & dates.where(ok).duplicated(keep="first") & dates.notna()
    first_line = {}
    for idx in raw.index[ok.to_numpy()]:
        first_line.setdefault(dates[idx], line_of[idx])
    reject(dup, lambda i: f"duplicate date {dates[i].date()} (first at line {first_line[dates[i]]})")
    ok &= ~dup

    good = pd.DataFrame({"date": dates[ok].astype("datetime64[ns]"), "symbol": symbol,
                         **{c: values[c][ok] for c in VALUE_COLUMNS}})
    good = good.loc[:, list(PRICE_COLUMNS)].sort_values("date").reset_index(drop=True)
    problems.sort(key=lambda p: (p.line or 0))
    return good, problems
