"""The tidy price frame every adapter returns and every page reads.

Columns (one row per symbol and trading date, sorted by symbol then date):

========== ================= ==================================================
column     dtype             meaning
========== ================= ==================================================
date       datetime64[ns]    exchange-local trading date, naive, at midnight
symbol     object (str)      universe symbol (Yahoo ticker or ``*_ECB``)
open       float64           may be NaN
high       float64           may be NaN
low        float64           may be NaN
close      float64           > 0; quoted (or adjusted, see the universe basis)
adj_close  float64           split- and dividend-adjusted; NaN if unknown
volume     float64           may be NaN (FX, indices)
========== ================= ==================================================
"""

from __future__ import annotations

import pandas as pd

PRICE_COLUMNS: tuple[str, ...] = ("date", "symbol", "open", "high", "low", "close", "adj_close", "volume")
VALUE_COLUMNS: tuple[str, ...] = PRICE_COLUMNS[2:]


def empty_prices() -> pd.DataFrame:
    """A tidy price frame with no rows and the right dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in PRICE_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    frame["symbol"] = pd.Series(dtype="object")
    return frame


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce dtypes, order columns, sort and drop duplicate (symbol, date) rows (last wins)."""
    out = frame.loc[:, list(PRICE_COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    out["symbol"] = out["symbol"].astype(str)
    for col in VALUE_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out = out.drop_duplicates(["symbol", "date"], keep="last")
    return out.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)


def return_price(frame: pd.DataFrame) -> pd.Series:
    """The price to compute returns from: ``adj_close`` where known, else ``close``."""
    return frame["adj_close"].fillna(frame["close"])


def wide(frame: pd.DataFrame, column: str = "return") -> pd.DataFrame:
    """Pivot a tidy frame to dates × symbols (``column="return"`` uses :func:`return_price`)."""
    values = return_price(frame) if column == "return" else frame[column]
    return (
        frame.assign(_v=values.to_numpy())
        .pivot(index="date", columns="symbol", values="_v")
        .sort_index()
    )
