"""What every page shows around its content: the data-freshness banner and the auto-refresh on open."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from commentary.text.safe_text import md_escape
from data_sources import config, refresh
from data_sources.atomic import StoreError
from data_sources.status import freshness, should_auto_refresh
from ui import loaders
from ui.i18n import tr


def auto_refresh_on_open() -> None:
    """On a session's first run: refresh from the network when allowed, showing progress."""
    if st.session_state.get("_refresh_tried"):
        return
    st.session_state["_refresh_tried"] = True
    store = loaders.store()
    if not should_auto_refresh(store.last_refresh(), config.offline_forced(), datetime.now(UTC)):
        return
    with st.status(tr("최신 시세를 가져오는 중…", "Fetching the latest prices…"), expanded=False) as box:
        bar = st.progress(0.0)
        report = refresh.refresh_all(store, progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
        if report.offline_reason:
            box.update(label=tr("오프라인: 저장된 데이터를 보여줍니다", "Offline: showing stored data"), state="error")
        else:
            box.update(label=tr("시세 갱신 완료", "Prices refreshed"), state="complete")


def page_header(title_ko: str, title_en: str) -> None:
    """A page's title, then: the store made ready (bundled ECB rates), a refresh when allowed, the freshness
    banner. Every page starts with this."""
    st.title(tr(title_ko, title_en))
    try:
        loaders.ensure_ready()
    except StoreError as exc:
        st.error(tr(f"저장소에 쓸 수 없습니다: {md_escape(exc, 500)}",
                    f"The local store cannot be written: {md_escape(exc, 500)}"))
    auto_refresh_on_open()
    freshness_banner()


def freshness_banner() -> None:
    """One line saying whether the data is live, stale or offline, and as of which date."""
    store = loaders.store()
    try:
        snap = loaders.snapshot()
    except StoreError as exc:
        st.error(tr(f"저장소를 읽을 수 없습니다: {md_escape(exc, 500)}",
                    f"The local store cannot be read: {md_escape(exc, 500)}"))
        return
    state = freshness(snap, store.last_refresh(), config.offline_forced(), datetime.now(UTC).date())
    as_of = state.as_of.date().isoformat() if state.as_of is not None else "—"
    reason_en, reason_ko = md_escape(state.reason, 300), md_escape(_reason_ko(state.reason), 300)
    if snap.warning:
        st.warning(md_escape(snap.warning, 500))
    if state.mode == "empty":
        st.warning(tr("저장된 시세가 없습니다. 데이터 페이지에서 스냅샷을 가져오세요.",
                      "No prices stored yet. Import a snapshot on the Data page."))
    elif state.mode == "offline":
        st.info(tr(f"오프라인 — {as_of} 기준 데이터 ({reason_ko})",
                   f"offline — data as of {as_of} ({reason_en})"), icon=":material/cloud_off:")
    elif state.mode == "stale":
        st.info(tr(f"저장된 데이터 — {as_of} 기준 ({reason_ko})",
                   f"stored data — as of {as_of} ({reason_en})"), icon=":material/schedule:")
    else:
        st.caption(tr(f"최신 데이터 — {as_of} 기준", f"live data — as of {as_of}"))


_REASONS_KO = {
    "DASHBOARD_OFFLINE is set": "DASHBOARD_OFFLINE 설정으로 네트워크를 쓰지 않음",
    "not refreshed today": "오늘 아직 갱신하지 않음",
    "never refreshed from the network": "네트워크에서 갱신한 적 없음",
}


def _reason_ko(reason: str) -> str:
    """Korean for the known freshness reasons; network error details stay as they came."""
    if reason in _REASONS_KO:
        return _REASONS_KO[reason]
    if reason.startswith("network unavailable"):
        return "네트워크 연결 불가: " + reason.removeprefix("network unavailable").lstrip(": ")
    if "rate-limiting" in reason:
        return "야후 파이낸스 요청 한도 초과 (" + reason + ")"
    return reason
