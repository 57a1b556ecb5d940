"""Small helpers the analyses share: a date from anything date-like, ISO text, and the usable return prices of a
tidy price frame (:mod:`data_sources.store.frames`)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from data_sources.store.frames import PRICE_COLUMNS, return_price


def as_day(value: object, what: str) -> pd.Timestamp:
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


def iso(stamp: pd.Timestamp) -> str:
    """``YYYY-MM-DD``."""
    return stamp.strftime("%Y-%m-%d")


def check_tidy(frame: pd.DataFrame, what: str, needed: Iterable[str] = PRICE_COLUMNS) -> None:
    """A ValueError naming ``what`` and the columns it lacks."""
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def observed(prices: pd.DataFrame) -> pd.DataFrame:
    """``date, symbol, price`` rows with a usable return price, sorted by symbol and date."""
    check_tidy(prices, "prices", ("date", "symbol", "close", "adj_close"))
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(prices["date"]).dt.normalize(),
            "symbol": prices["symbol"].astype(str),
            "price": return_price(prices).astype("float64"),
        }
    )
    out = out[out["price"].notna()]
    return out.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)
