"""Data: what the store holds (the table first), where it came from, refresh and import."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from commentary.text.safe_text import md_escape
from data_sources.market import refresh
from data_sources.market.ecb import provider_difference
from data_sources.market.status import STATUS_LABELS_EN, STATUS_LABELS_KO, kst_time, status_table
from data_sources.settings import settings
from data_sources.store import csv_io
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store
from ui import chrome, loaders
from ui.details import folded_detail
from ui.i18n import lang, t, tr
from ui.problems import say, words

_OUTCOME = {"ok": ("성공", "ok"), "partial": ("일부 실패", "partial"), "offline": ("오프라인", "offline"),
            "error": ("오류", "error")}


def show_bar():
    """A progress bar and the callback that feeds it each step in the reader's words."""
    bar = st.progress(0.0)
    return lambda fraction, step: bar.progress(min(fraction, 1.0), text=say(step, lang()))


def run_import(folder_choice: str, replace: bool) -> None:
    """Import the chosen folder under the import root; keep the outcome for the rerun that follows."""
    root = csv_io.import_root()
    try:
        folder = csv_io.folder_inside(root, folder_choice)
    except csv_io.ImportRootError as exc:  # one answer for every refusal: it tells nothing about other folders
        st.error(md_escape(say(exc, lang()), 300))
        return
    try:
        report = csv_io.import_folder(store, folder, progress=show_bar(), replace=replace, root=root)
    except StoreError as exc:
        st.error(md_escape(say(exc, lang()), 500))
        return
    outcome = {"folder": folder_choice, "imported": dict(report.imported), "problems": list(report.problems),
               "changes": [str(c) for c in report.changes], "held": report.held, "replace": replace,
               "left": report.progress_error is not None}
    st.session_state["_import_outcome"] = outcome
    if report.progress_error is not None:
        raise report.progress_error  # the reader navigated away: the import is stored, the page goes on
    st.rerun()  # the whole page (table, FX section, banner) now reads the new store


def show_import_outcome() -> None:
    """What the last import did: stored rows, rejected rows, or the stored values it would change."""
    outcome = st.session_state.get("_import_outcome")
    if not outcome:
        return
    if outcome["held"]:
        st.warning(tr(f"{md_escape(outcome['folder'], 200)} 가져오기는 저장된 값 {len(outcome['changes']):,}개를 "
                      "바꿉니다. 아무것도 저장하지 않았습니다. 아래 목록을 확인하고 바꾸려면 확인을 누르세요.",
                      f"Importing {md_escape(outcome['folder'], 200)} would change {len(outcome['changes']):,} "
                      "stored values. Nothing was stored. Check the list below and confirm to replace them."))
        st.text("\n".join(outcome["changes"][:200])
                + (tr(f"\n… 외 {len(outcome['changes']) - 200:,}개", f"\n… and {len(outcome['changes']) - 200:,} more")
                   if len(outcome["changes"]) > 200 else ""))
        confirm, cancel = st.columns(2)
        if confirm.button(tr(f"값 {len(outcome['changes']):,}개 바꾸기", f"Replace {len(outcome['changes']):,} values"),
                          key="import_replace", type="primary"):
            run_import(outcome["folder"], replace=True)
        if cancel.button(tr("취소", "Cancel"), key="import_cancel"):
            st.session_state.pop("_import_outcome", None)
            st.rerun()
        show_problems(outcome["problems"])
        return
    rows, symbols = sum(outcome["imported"].values()), len(outcome["imported"])
    if outcome["left"]:
        st.info(tr("페이지를 떠난 사이에 가져오기가 끝났습니다.",
                   "The import finished while you were away from this page."))
    st.success(tr(f"{symbols:,}개 종목, {rows:,}행 가져옴", f"Imported {rows:,} rows for {symbols:,} symbols"))
    if outcome["replace"] and outcome["changes"]:
        st.caption(tr(f"저장된 값 {len(outcome['changes']):,}개를 바꿈",
                      f"Replaced {len(outcome['changes']):,} stored values"))
    show_problems(outcome["problems"])


def show_problems(problems: list) -> None:
    """Rejected rows and files (file, line, field and reason, in the reader's words), as plain text."""
    if problems:
        with st.expander(tr(f"거부된 행 {len(problems):,}건", f"{len(problems):,} rejected rows")):
            st.text("\n".join(say(p, lang()) for p in problems[:200]))


chrome.page_header("데이터", "Data")
store = loaders.store()

try:
    snap = loaders.snapshot()
except StoreError as exc:
    st.error(md_escape(say(exc, lang()), 500))
    st.stop()

st.subheader(tr("종목별 현황", "Series in the store"))
table = status_table(snap, lang(), local_times=True)
raw_notes = [words(n, lang()).detail for n in table["note"] if n]  # re-base notes; the English folded below
table["note"] = [say(n, lang()) for n in table["note"]]
labels = STATUS_LABELS_KO if lang() == "ko" else STATUS_LABELS_EN
column_config = {col: labels.get(col, col) for col in table.columns}
column_config["rows"] = st.column_config.NumberColumn(labels.get("rows", "rows"), format="localized")
# key columns first, so a phone's first screen shows what is stored and how recent it is
st.dataframe(table, hide_index=True, width="stretch", column_config=column_config,
             column_order=["symbol", "rows", "last", "name", "source", "fetched_at", "first", "currency", "note"])
folded_detail(raw_notes, lang())
missing = table.loc[table["rows"] == 0, "symbol"].tolist()
if missing:
    st.caption(tr("아직 데이터가 없는 종목: ", "No data yet for: ") + ", ".join(missing))
last = store.last_refresh()
if last:
    outcome_ko, outcome_en = _OUTCOME.get(str(last.get("outcome")), (str(last.get("outcome")),) * 2)
    when, said = kst_time(last.get("at"), lang()), words(last.get("problems"), lang())
    message = md_escape(said.text, 3000)
    st.caption(tr(f"마지막 갱신 시도: {when} — {outcome_ko} {message}",
                  f"Last refresh attempt: {when} — {outcome_en} {message}"),
               help=md_escape(said.detail, 3000) if said.detail and said.detail != said.text else None)
st.caption(tr(f"저장 위치: {md_escape(store.root, 300)}", f"Stored in {md_escape(store.root, 300)}"))

left, right = st.columns(2)
with left:
    st.subheader(tr("네트워크에서 갱신", "Refresh from the network"))
    if settings().offline:
        st.info(tr("DASHBOARD_OFFLINE이 설정되어 있어 갱신하지 않습니다.", "DASHBOARD_OFFLINE is set: refresh is off."))
    elif not loaders.may_refresh() or not isinstance(store, Store):
        st.info(tr("이 서버는 공유 저장소를 읽기만 합니다. 갱신은 별도의 갱신 작업이 맡습니다.",
                   "This server only reads the shared store; a separate refresher keeps it up to date."))
    elif st.button(tr("지금 갱신", "Refresh now"), icon=":material/refresh:"):
        report = refresh.refresh_all(store, progress=show_bar())
        problems = [words(m, lang()) for m in (report.offline_reason, *report.errors.values()) if m]
        for i, said in enumerate(problems):  # Korean: the reason in Korean; the raw messages folded below
            offline = i == 0 and bool(report.offline_reason)
            st.warning(tr("오프라인: ", "Offline: ") * offline + md_escape(said.text, 500))
        if problems and lang() == "ko":
            with st.expander("기술 정보(원문)"):
                st.text("\n".join(said.detail for said in problems))
        st.success(tr(f"{len(report.fetched):,}개 종목 갱신", f"Updated {len(report.fetched):,} symbols"))
with right:
    st.subheader(tr("폴더에서 가져오기", "Import from a folder"))
    root = csv_io.import_root()
    if root is None:
        st.info(t("safety.import_off", command="`python -m data_sources import`"))
    else:
        folders = csv_io.import_folders(root)
        if not folders:
            st.info(tr("가져오기 폴더 안에 SYMBOL.csv 파일이 있는 폴더가 없습니다.",
                       "No folder with SYMBOL.csv files inside the import folder."))
        else:
            choice = st.selectbox(tr("SYMBOL.csv 파일이 있는 폴더", "Folder of SYMBOL.csv files"), folders,
                                  key="import_dir")
            if st.button(tr("가져오기", "Import"), icon=":material/upload:", key="import_go"):
                st.session_state.pop("_import_outcome", None)
                run_import(choice, replace=False)
    show_import_outcome()

st.subheader(tr("두 공급원의 환율 차이: 야후 vs ECB", "Two FX providers: Yahoo vs ECB"))
st.caption(tr("야후 KRW=X는 24시간 호가의 런던/뉴욕 시점 값이고, ECB 기준율은 매일 14:15 CET에 고시된 유로 환율에서 "
              "달러 교차환율을 계산한 값입니다. 둘 다 서울 외환시장 15:30 종가와는 다릅니다.",
              "Yahoo's KRW=X is a round-the-clock quote sampled late London/New York; the ECB rate is derived from "
              "euro reference rates fixed at 14:15 CET. Neither is Seoul's 15:30 close."))
pair = st.selectbox(tr("통화", "Currency"), ["KRW", "CNY", "HKD"], key="fx_pair")
diff = provider_difference(snap.prices, f"{pair}=X", f"USD{pair}_ECB")
if diff.empty:
    st.info(tr(f"두 공급원이 함께 가진 날짜가 없습니다 ({pair}=X 또는 USD{pair}_ECB 없음).",
               f"No date is covered by both providers ({pair}=X or USD{pair}_ECB missing)."))
else:
    fig = go.Figure(go.Scatter(x=pd.to_datetime(diff["date"]), y=diff["diff_pct"], mode="lines",
                               name=tr("야후 − ECB (%)", "Yahoo − ECB (%)")))
    fig.update_layout(height=260, margin={"t": 30, "b": 20}, yaxis_title="%",
                      title=tr(f"야후 − ECB, {pair} (%)", f"Yahoo − ECB, {pair} (%)"))
    if lang() == "ko":
        fig.update_xaxes(tickformat="%Y년 %-m월")
    st.plotly_chart(fig, width="stretch")
    st.caption(tr(f"공통 날짜 {len(diff):,}일, 차이 중앙값 {diff['diff_pct'].abs().median():.2f}%",
                  f"{len(diff):,} common dates; median absolute difference {diff['diff_pct'].abs().median():.2f}%"))
