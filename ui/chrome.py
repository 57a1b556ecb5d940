"""What every page shows around its content: the data-freshness banner and the auto-refresh on open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from commentary.text.safe_text import md_escape
from data_sources.errors import Problem
from data_sources.market import refresh
from data_sources.market.status import freshness, should_auto_refresh
from data_sources.market.universe import group_symbols
from data_sources.settings import settings
from data_sources.shared.object_store import SharedSnapshot
from data_sources.store.atomic import StoreError
from ui import loaders
from ui.i18n import lang, t
from ui.problems import say, words
from ui.view_state import note_page


def auto_refresh_on_open() -> None:
    """On a session's first run: refresh from the network when allowed, showing progress."""
    if st.session_state.get("_refresh_tried") or not loaders.may_refresh():
        return
    st.session_state["_refresh_tried"] = True
    store = loaders.store()
    if not should_auto_refresh(store.last_refresh(), settings().offline, datetime.now(UTC)):
        return
    with st.status(t("chrome.fetching"), expanded=False) as box:
        bar = st.progress(0.0)
        report = refresh.refresh_all(store, progress=lambda f, m: bar.progress(min(f, 1.0), text=say(m, lang())))
        if report.offline_reason:
            box.update(label=t("chrome.fetch_offline"), state="error")
        else:
            box.update(label=t("chrome.fetched"), state="complete")


#: A compact page: less top padding (Streamlit's default is 6rem; room stays for the sidebar button) and a small
#: title (still the page's heading).
COMPACT_CSS = ("<style>[data-testid=stMainBlockContainer]{padding-top:3.5rem}"
               "[data-testid=stMainBlockContainer] [data-testid=stHeading] h1{font-size:1.1rem;padding:0}</style>")


def page_header(title: str, compact: bool = False) -> None:
    """A page's title (already worded), then: the store made ready (bundled ECB rates), a refresh when allowed, the
    freshness banner. Every page starts with this. ``compact``: a small title and less space above it (a page whose
    first screen on a phone must reach its first chart)."""
    note_page()  # every page's header: a binding knows when its page was entered from another
    if compact:
        st.html(COMPACT_CSS)
    st.title(title)
    from ui.notebook import restore_notebook  # (the database layer loads with the first page that needs it)

    restore_notebook()  # this browser's notebook: its key never in the address (an old nb= address moves out once)
    try:
        loaders.ensure_ready()
    except StoreError as exc:
        st.error(md_escape(say(exc, lang()), 500))
    auto_refresh_on_open()
    freshness_banner()


FX_SYMBOLS = frozenset(group_symbols("fx"))


def kind_dates(prices: pd.DataFrame, news_day: dt.date | None) -> dict[str, dt.date | None]:
    """The last stored day per kind of data: ``prices`` (stocks, indices, ETFs), ``fx`` and ``news``."""
    out: dict[str, dt.date | None] = {"prices": None, "fx": None, "news": news_day}
    if prices is not None and len(prices):
        is_fx = prices["symbol"].isin(FX_SYMBOLS)
        for kind, rows in (("prices", prices[~is_fx]), ("fx", prices[is_fx])):
            if len(rows):
                out[kind] = pd.Timestamp(rows["date"].max()).date()
    return out


def freshness_line(dates: dict[str, dt.date | None], lang_code: str) -> str:
    """``가격 2026-03-25 · 환율 2026-10-30 · 뉴스 2026-06-04 기준`` / ``prices as of 2026-03-25 · FX as of …``."""
    names = {"ko": {"prices": "가격", "fx": "환율", "news": "뉴스"},
             "en": {"prices": "prices", "fx": "FX", "news": "news"}}["ko" if lang_code == "ko" else "en"]
    none = "없음" if lang_code == "ko" else "none yet"
    if lang_code == "ko":
        return " · ".join(f"{names[k]} {d.isoformat() if d else none}" for k, d in dates.items()) + " 기준"
    return " · ".join(f"{names[k]} as of {d.isoformat()}" if d else f"{names[k]}: {none}" for k, d in dates.items())


def _news_day() -> dt.date | None:
    try:
        from ui.news_items import load_news_cached, newest_day

        return newest_day(load_news_cached())
    except Exception:  # the banner never breaks a page; the News page reports store problems
        return None


@st.cache_resource(ttl=600, max_entries=8, show_spinner=False)
def _dates(version: str, news_v: str) -> dict[str, dt.date | None]:
    """:func:`kind_dates` of the stored prices and news, once per store and news version (shared, never mutated)."""
    del version, news_v  # the cache key only
    return kind_dates(loaders.snapshot().prices, _news_day())


def freshness_banner() -> None:
    """One line saying, per kind of data (prices, FX, news), how fresh it is, and whether it is live, stored or
    offline; with no prices at all, what to do about it and a link to the Data page."""
    store = loaders.store()
    try:
        snap = loaders.snapshot()
        dates = _dates(loaders.store_version(), loaders.news_version())
    except StoreError as exc:
        st.error(md_escape(say(exc, lang()), 500))
        return
    state = freshness(snap, store.last_refresh(), settings().offline, datetime.now(UTC).date())
    line = md_escape(freshness_line(dates, lang()))
    shared = isinstance(snap, SharedSnapshot)  # the shared store: an older version served, or none, and why
    if shared and snap.warning is not None and snap.prices.empty:
        st.error(md_escape(say(snap.warning, lang()), 500), icon=":material/cloud_off:")
        return  # not "load the snapshot": a replica reads what the refresher publishes
    if snap.warning is not None:
        st.warning(md_escape(say(snap.warning, lang()), 500), icon=":material/history:" if shared else None)
    if dates["prices"] is None:
        with st.container(border=True):
            st.markdown(":material/info: " + t("chrome.no_prices") + " "
                        + f":gray[{line}]")
            st.page_link("pages/data.py", label=t("chrome.to_data"),
                         icon=":material/database:")
        return
    st.caption(banner_text(state.mode, line, state.reasons, lang()), help=banner_help(state.reasons, lang()))


BANNER_MODES = {"offline": (":material/cloud_off:", "오프라인", "offline"),
                "stale": (":material/schedule:", "저장된 데이터", "stored data"),
                "live": (":material/check_circle:", "최신 데이터", "live data")}


def banner_text(mode: str, line: str, reasons: Sequence[Problem], lang_code: str) -> str:
    """The banner's short line (``line`` already escaped): ``⊘ 오프라인 — 가격 … · 환율 … · 뉴스 … 기준 (네트워크
    연결 불가)``: the reason in a few words only (live data: none), the rest folded in :func:`banner_help`, so
    the line stays within two lines on a 390 px phone."""
    icon, ko, en = BANNER_MODES.get(mode, BANNER_MODES["stale"])
    text = f"{icon} {ko if lang_code == 'ko' else en} — {line}"
    if reasons and mode != "live":
        text += f" ({md_escape(words(reasons, lang_code).short, 60)})"
    return text


def banner_help(reasons: Sequence[Problem], lang_code: str) -> str | None:
    """The folded part of the banner (its tooltip): the whole reason in the reader's language, then, on a
    Korean page, the raw technical detail when it says more. None when there is nothing to add."""
    if not reasons:
        return None
    said = words(reasons, lang_code)
    if lang_code != "ko":
        return md_escape(f"Why: {said.text}", 600)
    text = md_escape(f"이유: {said.text}", 600)
    if said.detail and said.detail not in said.text:
        text += "\n\n" + md_escape(f"기술 정보(원문): {said.detail}", 600)
    return text
