"""Data: what the store holds, where it came from, refresh and import."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from commentary.text.safe_text import md_escape
from data_sources import config, csv_io, refresh
from data_sources.atomic import StoreError
from data_sources.ecb import provider_difference
from data_sources.status import status_table
from ui import chrome, loaders
from ui.i18n import lang, tr

chrome.page_header("데이터", "Data")
store = loaders.store()
st.caption(tr(f"저장 위치: `{store.root}`", f"Stored in `{store.root}`"))

try:
    snap = loaders.snapshot()
except StoreError as exc:
    st.error(md_escape(exc, 500))
    st.stop()

table = status_table(snap, lang())
st.subheader(tr("종목별 현황", "Series in the store"))
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"rows": st.column_config.NumberColumn(tr("행 수", "rows"), format="%d")})
missing = table.loc[table["rows"] == 0, "symbol"].tolist()
if missing:
    st.caption(tr("아직 데이터가 없는 종목: ", "No data yet for: ") + ", ".join(missing))
last = store.last_refresh()
if last:
    st.caption(tr(f"마지막 갱신 시도: {last.get('at')} — {last.get('outcome')} {last.get('message', '')}",
                  f"Last refresh attempt: {last.get('at')} — {last.get('outcome')} {last.get('message', '')}"))

left, right = st.columns(2)
with left:
    st.subheader(tr("네트워크에서 갱신", "Refresh from the network"))
    if config.offline_forced():
        st.info(tr("DASHBOARD_OFFLINE이 설정되어 있어 갱신하지 않습니다.", "DASHBOARD_OFFLINE is set: refresh is off."))
    elif st.button(tr("지금 갱신", "Refresh now"), icon=":material/refresh:"):
        bar = st.progress(0.0)
        report = refresh.refresh_all(store, progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
        if report.offline_reason:
            reason = md_escape(report.offline_reason, 500)
            st.warning(tr(f"오프라인: {reason}", f"Offline: {reason}"))
        for message in report.errors.values():
            st.warning(md_escape(message, 500))
        st.success(tr(f"{len(report.fetched)}개 종목 갱신", f"Updated {len(report.fetched)} symbols"))
with right:
    st.subheader(tr("폴더에서 가져오기", "Import from a folder"))
    folder = st.text_input(tr("SYMBOL.csv 파일이 있는 폴더", "Folder of SYMBOL.csv files"), key="import_dir")
    if st.button(tr("가져오기", "Import"), icon=":material/upload:", disabled=not folder):
        path = Path(folder).expanduser()
        if not path.is_dir():
            st.error(tr(f"폴더가 아닙니다: {path}", f"Not a folder: {path}"))
        else:
            bar = st.progress(0.0)
            report = csv_io.import_folder(store, path, progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
            st.success(tr(f"{len(report.imported)}개 종목, {sum(report.imported.values()):,}행 가져옴",
                          f"Imported {sum(report.imported.values()):,} rows for {len(report.imported)} symbols"))
            if report.problems:
                with st.expander(tr(f"거부된 행 {len(report.problems)}건", f"{len(report.problems)} rejected rows")):
                    st.text("\n".join(report.problems[:200]))

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
    fig = go.Figure(go.Scatter(x=diff["date"], y=diff["diff_pct"], mode="lines", name="Yahoo − ECB (%)"))
    fig.update_layout(height=260, margin={"t": 30, "b": 20}, yaxis_title="%",
                      title=tr(f"야후 − ECB, {pair} (%)", f"Yahoo − ECB, {pair} (%)"))
    st.plotly_chart(fig, width="stretch")
    st.caption(tr(f"공통 날짜 {len(diff):,}일, 차이 중앙값 {diff['diff_pct'].abs().median():.2f}%",
                  f"{len(diff):,} common dates; median absolute difference {diff['diff_pct'].abs().median():.2f}%"))
