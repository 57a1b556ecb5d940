"""The local price store: one crash-safe Parquet table plus per-series provenance.

Layout of the store folder (``config.data_dir()``)::

    prices.parquet        all stored prices, tidy (see frames.py); series provenance in its metadata
    prices.parquet.prev   the previous generation (fallback if the current one is damaged)
    refresh.json          the last refresh attempt: when, outcome, message
    .write.lock           writers' lock (refreshes and imports serialise on it)

Other features keep their own tables beside it (annotations, news, feeds) with the same scheme.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data_sources import atomic, config
from data_sources.frames import empty_prices, normalise


@dataclass
class PriceSnapshot:
    """What a read of the store returns."""

    prices: pd.DataFrame
    series: dict[str, dict] = field(default_factory=dict)  # symbol -> provenance (source, fetched_at, …)
    warning: str | None = None  # e.g. "served the previous version because …"


class Store:
    """The store folder and the operations on its price table."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else config.data_dir()
        self.prices_path = self.root / "prices.parquet"
        self.refresh_path = self.root / "refresh.json"

    def read(self) -> PriceSnapshot:
        """All stored prices with their provenance. Raises ``atomic.StoreError`` if unreadable."""
        frame, meta, warning = atomic.read_table(self.prices_path)
        prices = empty_prices() if frame.empty else frame
        return PriceSnapshot(prices, meta.get("series", {}), warning)

    def load_prices(self, symbols: Iterable[str] | None = None) -> pd.DataFrame:
        """Stored prices, optionally only for ``symbols``."""
        prices = self.read().prices
        if symbols is not None:
            prices = prices[prices["symbol"].isin(list(symbols))].reset_index(drop=True)
        return prices

    def upsert(self, frame: pd.DataFrame, provenance: dict[str, dict], replace: Iterable[str] = ()) -> int:
        """Merge checked rows into the store (new rows win on the same symbol and date).

        ``provenance`` maps each symbol to its source description (``source``, ``fetched_at`` …),
        merged into the stored provenance. Symbols in ``replace`` lose all their stored rows first
        (a re-based history), in the same atomic write. Holds the write lock; returns the stored row count.
        """
        with atomic.write_lock(self.root):
            current = self.read()
            prices = current.prices
            if replace:
                prices = prices[~prices["symbol"].isin(list(replace))]
            merged = normalise(pd.concat([prices, frame], ignore_index=True)) if len(frame) else prices
            series = dict(current.series)
            for symbol, info in provenance.items():
                series[symbol] = {**series.get(symbol, {}), **info}
            atomic.write_table(self.prices_path, merged, {"series": series})
            return len(merged)

    def note_series(self, provenance: dict[str, dict]) -> None:
        """Update provenance only (e.g. "checked today, nothing new") under the write lock."""
        self.upsert(empty_prices(), provenance)

    def last_refresh(self) -> dict:
        """The last refresh attempt recorded by :meth:`record_refresh` (``{}`` if none)."""
        return atomic.read_json(self.refresh_path)

    def record_refresh(self, outcome: str, message: str = "") -> None:
        """Record a refresh attempt (``outcome``: ok / partial / offline / error)."""
        atomic.write_json(self.refresh_path, {"at": now_utc().isoformat(timespec="seconds"),
                                              "outcome": outcome, "message": message})


def now_utc() -> datetime:
    """The current time in UTC (one place, so tests can monkeypatch it)."""
    return datetime.now(UTC)


def summarise(snapshot: PriceSnapshot) -> pd.DataFrame:
    """Per stored symbol: rows, first date, last date (one groupby over the tidy frame)."""
    prices = snapshot.prices
    if prices.empty:
        return pd.DataFrame(columns=["symbol", "rows", "first", "last"])
    grouped = prices.groupby("symbol")["date"]
    return pd.DataFrame({"rows": grouped.size(), "first": grouped.min(), "last": grouped.max()}).reset_index()
