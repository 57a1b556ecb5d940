"""The status table: one row per universe symbol (and any other stored symbol)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from data_sources.errors import Problem
from data_sources.market.universe import UNIVERSE, instrument
from data_sources.store.prices import PriceSnapshot, summarise

STATUS_COLUMNS = ("symbol", "name", "currency", "rows", "first", "last", "source", "fetched_at", "note")
STATUS_LABELS_KO = {"symbol": "종목", "name": "이름", "currency": "통화", "rows": "행 수", "first": "처음",
                    "last": "마지막", "source": "출처", "fetched_at": "가져온 시각 (KST)", "note": "비고"}
STATUS_LABELS_EN = {"fetched_at": "fetched at (KST)"}
KST = ZoneInfo("Asia/Seoul")


def kst_time(value: object, lang: str = "en") -> str:
    """An ISO timestamp (UTC or with offset) as a reader's Seoul time: ``2026-12-02 04:21 KST`` (ko:
    ``2026년 12월 2일 04:21``); blank stays blank and an unparsable value is shown as it is."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        return text
    stamp = (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).tz_convert(KST)
    if lang == "ko":
        return f"{stamp.year}년 {stamp.month}월 {stamp.day}일 {stamp:%H:%M}"
    return f"{stamp:%Y-%m-%d %H:%M} KST"


def source_label(source: str, lang: str = "en") -> str:
    """A stored provenance string in the reader's language (proper names stay as they are)."""
    if lang != "ko":
        return source
    if source.startswith("import: "):
        return "가져오기: " + source.removeprefix("import: ")
    if source == "Yahoo Finance (yfinance, auto_adjust=False)":  # refresh.SOURCE
        return "야후 파이낸스 (yfinance, 조정 전 종가와 수정 종가)"
    if source.startswith("ECB reference rate via "):
        where = source.removeprefix("ECB reference rate via ").split(";")[0]
        where = where.replace("(bundled)", "(내장)").replace("ECB website", "ECB 웹사이트")
        return f"ECB 기준환율 ({where}); 달러 교차환율은 유로 환율에서 계산"
    return source


def status_table(snapshot: PriceSnapshot, lang: str = "en", local_times: bool = False) -> pd.DataFrame:
    """Symbol, name, currency, rows, first/last date, source and fetched-at; "no data yet" where empty.

    ``local_times=True`` shows fetched-at as Seoul time (:func:`kst_time`) and sources in ``lang``. ``note``
    holds the series' re-base notes as problems (codes ``status.*``; a page words them), or an empty list.
    """
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
            "source": (source_label(info.get("source", ""), lang) if local_times else info.get("source", ""))
            if stored else ("no data yet" if lang == "en" else "데이터 없음"),
            "fetched_at": (kst_time(info.get("fetched_at"), lang) if local_times else str(info.get("fetched_at", "")))
            if stored else "",
            "note": _rebased_note(info),
        })
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def _rebased_note(info: dict) -> list[Problem]:
    """When and why the series' history was replaced by a re-adjusted one (``status.rebased``), and a re-base
    that was needed but failed, the stored series kept (``status.rebase_failed``); from the refresh's
    provenance."""
    notes = []
    if info.get("rebased_at"):
        notes.append(Problem("status.rebased", {"day": str(info["rebased_at"])[:10],
                                                "reason": Problem.from_dict(info.get("rebase_reason")) or ""}))
    if info.get("rebase_failed_at"):
        notes.append(Problem("status.rebase_failed", {"day": str(info["rebase_failed_at"])[:10],
                                                      "reason": Problem.from_dict(info.get("rebase_failed_reason"))
                                                      or ""}))
    return notes


def data_as_of(snapshot: PriceSnapshot) -> pd.Timestamp | None:
    """The latest stored trading date over all series (None for an empty store)."""
    return None if snapshot.prices.empty else snapshot.prices["date"].max()


@dataclass(frozen=True)
class Freshness:
    """How current the served data is: ``mode`` is live / stale / offline / empty."""

    mode: str
    as_of: pd.Timestamp | None
    reasons: tuple[Problem, ...] = ()


def freshness(snapshot: PriceSnapshot, last_refresh: dict, offline_forced: bool, today: date) -> Freshness:
    """Classify what the pages serve, for the banner every page shows."""
    as_of = data_as_of(snapshot)
    if as_of is None:
        return Freshness("empty", None, (Problem("freshness.empty"),))
    if offline_forced:
        return Freshness("offline", as_of, (Problem("refresh.offline_forced"),))
    outcome, at = last_refresh.get("outcome"), str(last_refresh.get("at", ""))
    problems = tuple(last_refresh.get("problems") or ())
    if outcome == "offline":
        return Freshness("offline", as_of, problems or (Problem("freshness.network"),))
    if outcome in {"ok", "partial"} and at[:10] == today.isoformat():
        return Freshness("live", as_of, problems)
    return Freshness("stale", as_of, (Problem("freshness.not_today" if at else "freshness.never"),))


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
