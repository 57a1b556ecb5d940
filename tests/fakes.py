"""Fakes at the network boundary only: a stand-in for ``yf.download`` returning yfinance's real shape."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

FIELDS = ("Adj Close", "Close", "High", "Low", "Open", "Volume")


def yf_frame(data: dict[str, list[float] | None], dates: list[str]) -> pd.DataFrame:
    """A frame shaped like ``yf.download(..., auto_adjust=False, multi_level_index=True)``:
    ``(Price, Ticker)`` MultiIndex columns, a ``Date`` index, NaN for a ticker that returned nothing."""
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="Date")
    columns = pd.MultiIndex.from_product([FIELDS, sorted(data)], names=["Price", "Ticker"])
    frame = pd.DataFrame(np.nan, index=index, columns=columns)
    for ticker, closes in data.items():
        if closes is None:
            continue
        close = np.asarray(closes, dtype=float)
        frame[("Close", ticker)] = close
        frame[("Adj Close", ticker)] = close * 0.99
        frame[("Open", ticker)] = close - 1
        frame[("High", ticker)] = close + 1
        frame[("Low", ticker)] = close - 2
        frame[("Volume", ticker)] = 1000.0
    return frame


class FakeDownload:
    """Records every call; returns a frame or raises, and can log like yfinance does on failures."""

    def __init__(self, frame: pd.DataFrame | None = None, raises: Exception | None = None,
                 log: str | None = None) -> None:
        self.frame, self.raises, self.log, self.calls = frame, raises, log, []

    def __call__(self, tickers, **kwargs):
        self.calls.append({"tickers": list(tickers), **kwargs})
        if self.log:
            logging.getLogger("yfinance").error(self.log)
        if self.raises:
            raise self.raises
        if self.frame is not None:
            return self.frame
        return yf_frame({t: None for t in tickers}, [])
