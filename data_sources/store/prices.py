"""The local price store: one crash-safe Parquet table plus per-series provenance.

Layout of the store folder (``DASHBOARD_DATA_DIR``, :attr:`data_sources.settings.Settings.store_folder`)::

    prices.parquet        all stored prices, tidy (see frames.py); series provenance in its metadata
    prices.parquet.prev   the previous generation (fallback if the current one is damaged)
    refresh.json          the last refresh attempt: when, outcome, message
    .write.lock           writers' lock (refreshes and imports serialise on it)

Other features keep their own tables beside it (annotations, news, feeds) with the same scheme.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from data_sources.errors import Problem, StoreError
from data_sources.settings import settings
from data_sources.store import atomic
from data_sources.store.frames import VALUE_COLUMNS, empty_prices, normalise

_unrecorded_refresh: dict[str, dict] = {}  # store root -> a refresh attempt refresh.json could not hold


@dataclass(frozen=True)
class RowChange:
    """A stored value an import would replace."""

    symbol: str
    date: pd.Timestamp
    column: str
    old: float
    new: float

    def __str__(self) -> str:
        return f"{self.symbol} {self.date.date()} {self.column}: {_num(self.old)} → {_num(self.new)}"


def _num(value: float) -> str:
    return "empty" if value is None or math.isnan(value) else f"{value:,.6g}"


@dataclass
class PriceSnapshot:
    """What a read of the store returns."""

    prices: pd.DataFrame
    series: dict[str, dict] = field(default_factory=dict)  # symbol -> provenance (source, fetched_at, …)
    warning: Problem | None = None  # e.g. store.served_backup: the table was damaged, its previous version is served


class Store:
    """The store folder and the operations on its price table."""

    lock_timeout: float = 60.0  # seconds a writer waits for another one before giving up with a message

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else settings().store_folder
        self.prices_path = self.root / "prices.parquet"
        self.refresh_path = self.root / "refresh.json"

    def read(self) -> PriceSnapshot:
        """All stored prices with their provenance. Raises :class:`~data_sources.errors.StoreError` if unreadable."""
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
        return self.merge(frame, provenance, replace=True, drop=replace)[0]

    def merge(self, frame: pd.DataFrame, provenance: dict[str, dict], replace: bool = False,
              drop: Iterable[str] = ()) -> tuple[int, list[RowChange]]:
        """Like :meth:`upsert`, but first lists the stored values ``frame`` would change; with
        ``replace=False`` and any change, nothing is written. Returns (stored rows, changes). Symbols in
        ``drop`` lose all their stored rows first (a re-based history; needs ``replace=True``).

        The base of the merge is the verified table (or its verified previous generation when the current
        file is damaged; the damaged file then does not displace the good ``.prev``). A recent failed write
        to this folder is reported again without touching the disk (see ``atomic.WRITE_RETRY_S``).
        """
        blocked = atomic.write_blocked(self.root)
        if blocked:
            raise StoreError(blocked.code, **blocked.params)
        with atomic.write_lock(self.root, self.lock_timeout):
            current = self.read()
            drop = list(drop)
            if drop and not replace:
                raise ValueError("dropping stored series needs replace=True")
            base = current.prices[~current.prices["symbol"].isin(drop)] if drop else current.prices
            changes = changed_rows(base, frame) if len(frame) else []
            if changes and not replace:
                return len(current.prices), changes
            merged = normalise(pd.concat([base, frame], ignore_index=True)) if len(frame) else base
            series = dict(current.series)
            for symbol, info in provenance.items():
                series[symbol] = {**series.get(symbol, {}), **info}
            atomic.write_table(self.prices_path, merged, {"series": series}, keep_prev=current.warning is not None)
            return len(merged), changes

    def note_series(self, provenance: dict[str, dict]) -> None:
        """Update provenance only (e.g. "checked today, nothing new") under the write lock."""
        self.upsert(empty_prices(), provenance)

    def last_refresh(self) -> dict:
        """The last refresh attempt recorded by :meth:`record_refresh` (``{}`` if none): ``at``, ``outcome`` and
        ``problems`` (a list of :class:`~data_sources.errors.Problem`; an earlier version's ``message`` is read as
        one ``legacy`` problem).

        An attempt that could not be written to ``refresh.json`` (full disk, read-only folder) is kept in
        memory, so the app does not retry on every run.
        """
        on_disk = atomic.read_json(self.refresh_path)
        in_memory = _unrecorded_refresh.get(str(self.root))
        record = in_memory if in_memory and str(in_memory["at"]) > str(on_disk.get("at", "")) else on_disk
        return refresh_record(record)

    def record_refresh(self, outcome: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        """Record a refresh attempt (``outcome``: ok / partial / offline / error) and what went wrong."""
        record = {"at": now_utc().isoformat(timespec="seconds"), "outcome": outcome,
                  "problems": [p.to_dict() for p in problems]}
        try:
            atomic.write_json(self.refresh_path, record)
        except StoreError as exc:
            _unrecorded_refresh[str(self.root)] = {**record, "outcome": "error" if outcome == "ok" else outcome,
                                                   "problems": [*record["problems"], exc.problem.to_dict()]}
            raise
        _unrecorded_refresh.pop(str(self.root), None)


def refresh_record(stored: object) -> dict:
    """A refresh attempt as stored (JSON) → ``at``, ``outcome`` and ``problems`` (``{}`` when there is none)."""
    if not isinstance(stored, dict) or not stored:
        return {}
    raw = stored.get("problems", [stored.get("message")])
    problems = [p for p in (Problem.from_dict(v) for v in raw if v) if p is not None] if isinstance(raw, list) else []
    return {"at": stored.get("at"), "outcome": stored.get("outcome"), "problems": problems}


def refresh_json(record: dict) -> dict:
    """A refresh attempt (as :meth:`Store.last_refresh` gives it) in its stored, JSON-able form."""
    if not record:
        return {}
    return {**record, "problems": [p.to_dict() for p in record.get("problems", [])]}


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


def changed_rows(stored: pd.DataFrame, incoming: pd.DataFrame) -> list[RowChange]:
    """Every stored value (symbol, date, column) that ``incoming`` would replace with a different one.

    Two missing values are equal; a missing incoming value over a stored one counts as a change.
    """
    if stored.empty or incoming.empty:
        return []
    keys = ["symbol", "date"]
    both = stored.loc[:, [*keys, *VALUE_COLUMNS]].merge(
        normalise(incoming).loc[:, [*keys, *VALUE_COLUMNS]], on=keys, suffixes=("_old", "_new"))
    changes = []
    for col in VALUE_COLUMNS:
        old, new = both[f"{col}_old"].to_numpy(), both[f"{col}_new"].to_numpy()
        differs = ~((old == new) | (np.isnan(old) & np.isnan(new)))
        for i in np.flatnonzero(differs):
            changes.append(RowChange(both.at[i, "symbol"], both.at[i, "date"], col, float(old[i]), float(new[i])))
    changes.sort(key=lambda c: (c.symbol, c.date, VALUE_COLUMNS.index(c.column)))
    return changes
