"""The status table: one row per universe symbol (and any other stored symbol)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from data_sources.store import PriceSnapshot, summarise
from data_sources.universe import UNIVERSE, instrument

STATUS_COLUMNS = ("symbol", "name", "currency", "rows", "first", "last", "source", "fetched_at", "note")


def status_table(snapshot: PriceSnapshot, lang: str = "en") -> pd.DataFrame:
    """Symbol, name, currency, rows, first/last date, source and fetched-at; "no data yet" where empty."""
    summary = summarise(snapshot).set_index("symbol")
    symbols = [i.symbol for i in UNIVERSE] + sorted(set(summary.index) - {i.symbol for i in UNIVERSE})
    rows = []
    for symbol in symbols:
        inst = instrument(symbol)
        info = snapshot.series.get(symbol, {})
        stored = symbol in summary.index
        rows.append({
            "symbol": symbol,
            "name": inst.name(lang) if inst else "",
            "currency": inst.currency if inst else "",
            "rows": int(summary.at[symbol, "rows"]) if stored else 0,
            "first": summary.at[symbol, "first"].date().isoformat() if stored else "",
            "last": summary.at[symbol, "last"].date().isoformat() if stored else "",
            "source": info.get("source", "") if stored else ("no data yet" if lang == "en" else "데이터 없음"),
            "fetched_at": str(info.get("fetched_at", "")) if stored else "",
            "note": _rebased_note(info, lang),
        })
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def _rebased_note(info: dict, lang: str) -> str:
    """When and why the series' history was replaced by a re-adjusted one (provenance of the refresh)."""
    if not info.get("rebased_at"):
        return ""
    when = str(info["rebased_at"])[:10]
    return (f"re-based {when}: " if lang == "en" else f"{when} 전체 재수집: ") + str(info.get("rebase_reason", ""))


def data_as_of(snapshot: PriceSnapshot) -> pd.Timestamp | None:
    """The latest stored trading date over all series (None for an empty store)."""
    return None if snapshot.prices.empty else snapshot.prices["date"].max()


@dataclass(frozen=True)
class Freshness:
    """How current the served data is: ``mode`` is live / stale / offline / empty."""

    mode: str
    as_of: pd.Timestamp | None
    reason: str = ""


def freshness(snapshot: PriceSnapshot, last_refresh: dict, offline_forced: bool, today: date) -> Freshness:
    """Classify what the pages serve, for the banner every page shows."""
    as_of = data_as_of(snapshot)
    if as_of is None:
        return Freshness("empty", None, "the store holds no prices yet")
    if offline_forced:
        return Freshness("offline", as_of, "DASHBOARD_OFFLINE is set")
    outcome, at = last_refresh.get("outcome"), str(last_refresh.get("at", ""))
    if outcome == "offline":
        return Freshness("offline", as_of, str(last_refresh.get("message", "network unavailable")))
    if outcome in {"ok", "partial"} and at[:10] == today.isoformat():
        return Freshness("live", as_of, str(last_refresh.get("message", "")))
    return Freshness("stale", as_of, "not refreshed today" if at else "never refreshed from the network")


def should_auto_refresh(last_refresh: dict, offline_forced: bool, now: datetime,
                        retry_after: timedelta = timedelta(minutes=15)) -> bool:
    """Whether opening the app should try the network: not when forced offline, not twice a day after
    success, and not again within ``retry_after`` of a failed attempt."""
    if offline_forced:
        return False
    at = last_refresh.get("at")
    if not at:
        return True
    when = datetime.fromisoformat(str(at))
    if last_refresh.get("outcome") in {"ok", "partial"}:
        return when.date() != now.date()
    return now - when >= retry_after
