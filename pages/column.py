"""The column: each section's narrative beside the data that tests it, then the claims' scorecard.

URL: ``?c=<commentary id>&asof=column|all``.  Bundled commentaries come from ``commentary/columns``; a
reader may upload one more (kept in this session; its text is untrusted and rendered with HTML escaped).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from commentary.charts import sections as sc
from commentary.document.column import Commentary, CommentaryError, list_commentaries
from commentary.document.upload import parse_upload
from commentary.scoring import claims as claims_mod
from commentary.text.formatting import fmt_date
from commentary.text.safe_text import md_body, md_escape, md_link
from commentary.timeline.events import Event, EventsError
from data_sources.atomic import StoreError
from ui import chrome, loaders
from ui.i18n import lang, tr
from ui.news_strip import load_news_cached
from ui.tables import event_day_columns

K = "col_"
UPLOADED = K + "uploaded"
DEFAULT_ID = "baek-2025-01-26"
ASOF_CHOICES = ("all", "column")


# --------------------------------------------------------------------------- cached loaders


@st.cache_resource(show_spinner=False)
def _bundled() -> list[Commentary | CommentaryError]:
    """The bundled commentaries (immutable objects, so a resource cache is enough)."""
    return list_commentaries()


@st.cache_resource(ttl=600, max_entries=64, show_spinner=False)
def _bundled_figure(version: str, cid: str, section_id: str, language: str, as_of: str):
    """section_figure for a bundled commentary's section (cached per store version, language and as-of; a resource
    cache, so the figure is not rebuilt from a pickle on each run — it is never mutated)."""
    del version
    item = next(c for c in _bundled() if isinstance(c, Commentary) and c.id == cid)
    return _evidence(item, item.section(section_id), language, as_of)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _bundled_scorecard(version: str, cid: str) -> pd.DataFrame:
    """The computed scorecard of a bundled commentary (cached per store version)."""
    del version
    item = next(c for c in _bundled() if isinstance(c, Commentary) and c.id == cid)
    return claims_mod.scorecard(item.claims, loaders.prices())


def _evidence(item: Commentary, section, language: str, as_of: str):
    day = item.date if as_of == "column" else None
    return sc.section_figure(section, item, loaders.prices(), _events_or_empty(), language, day)


def _events_or_empty() -> list[Event]:
    try:
        return loaders.events()
    except EventsError:
        return []


# --------------------------------------------------------------------------- helpers


def _render_body(trusted: bool, text: str) -> None:
    if not trusted:
        st.markdown(md_body(text))  # untrusted upload: no HTML, images or icons, ever
    else:
        st.markdown(text)


def _news_block(section) -> None:
    if section.news is None:
        return
    try:
        news = load_news_cached()
    except StoreError as exc:
        st.caption(tr(f"뉴스를 읽을 수 없습니다: {exc}", f"The news cannot be read: {exc}"))
        return
    items = sc.section_news(news, section)
    label = tr("이 구간의 AI 뉴스", "AI news in this window")
    if items.empty:
        st.caption(f"{label}: " + tr("저장된 뉴스가 없습니다.", "no stored items."))
        return
    lines = []
    for row in items.to_dict("records"):
        head = md_link(row.get("title") or "—", row.get("link"))
        when = fmt_date(pd.Timestamp(row["published"]).tz_convert("Asia/Seoul"), lang()) if pd.notna(
            row.get("published")) else "—"
        lines.append(f"- {head} — {md_escape(row.get('source') or '')}, {when}")
    st.markdown(f"**{label}**\n\n" + "\n".join(lines))


# --------------------------------------------------------------------------- choosing a commentary

chrome.page_header("칼럼과 근거", "The column")
LANG = lang()

bundled = _bundled()
for bad in (c for c in bundled if isinstance(c, CommentaryError)):
    shown_error = md_escape(bad, 500)
    st.warning(tr(f"불러오지 못한 칼럼 파일: {shown_error}", f"A commentary file failed to load: {shown_error}"))

with st.expander(tr("다른 칼럼 불러오기 (.md 파일)", "Load another commentary (.md file)")):
    st.caption(tr("형식은 README의 'Commentary files'를 보세요. 올린 파일은 이 세션에만 남습니다.",
                  "The format is in the README ('Commentary files'). An uploaded file stays for this session only."))
    uploaded_file = st.file_uploader(tr("칼럼 파일(.md) 올리기", "Upload a commentary file (.md)"), type=["md"],
                                     key=K + "upload")
    if uploaded_file is not None:
        file_name = md_escape(uploaded_file.name, 120)
        try:
            parsed = parse_upload(uploaded_file.getvalue(), uploaded_file.name)  # size-capped, parsed once per hash
        except CommentaryError as exc:
            st.error(tr(f"올린 파일을 읽을 수 없습니다 — {md_escape(exc, 600)}",
                        f"The uploaded file cannot be used — {md_escape(exc, 600)}"))
        else:
            if any(isinstance(c, Commentary) and c.id == parsed.id for c in bundled):
                st.warning(tr(f"{file_name}: id '{parsed.id}'는 이미 포함된 칼럼이 쓰고 있습니다",
                              f"{file_name}: id '{parsed.id}' is already used by a bundled commentary"))
            else:
                st.session_state.setdefault(UPLOADED, {})[parsed.id] = parsed
                st.success(tr(f"{file_name}을(를) 불러왔습니다", f"Loaded {file_name}"))

available: list[Commentary] = [c for c in bundled if isinstance(c, Commentary)]
available += list(st.session_state.get(UPLOADED, {}).values())
if not available:
    st.error(tr("보여줄 칼럼이 없습니다.", "No commentary to show."))
    st.stop()
ids = [c.id for c in available]
wanted = st.query_params.get("c") or (DEFAULT_ID if DEFAULT_ID in ids else ids[0])
if wanted not in ids:
    st.warning(tr(f"URL의 칼럼 '{md_escape(wanted)}'을(를) 찾을 수 없어 기본 칼럼을 보여줍니다.",
                  f"Commentary '{md_escape(wanted)}' from the URL was not found; showing the default."))
    wanted = DEFAULT_ID if DEFAULT_ID in ids else ids[0]
if st.session_state.get(K + "choice") not in ids or st.session_state.get(K + "url_c") != wanted:
    st.session_state[K + "choice"] = wanted
    st.session_state[K + "url_c"] = wanted
names = {c.id: f"{c.title} — {c.author} ({fmt_date(c.date, LANG)})" for c in available}
cid = st.selectbox(tr("칼럼", "Commentary"), ids, format_func=names.get, key=K + "choice")
st.query_params["c"] = cid
st.session_state[K + "url_c"] = cid
item = next(c for c in available if c.id == cid)
trusted = any(c is item for c in bundled)

asof_url = st.query_params.get("asof")
if K + "asof" not in st.session_state:
    st.session_state[K + "asof"] = asof_url if asof_url in ASOF_CHOICES else "all"
ASOF_NAMES = {"all": tr("그 이후 전부", "Everything since"),
              "column": tr("칼럼 날짜 기준 (당시 알 수 있던 것)", "At the column's date (what was known then)")}
asof = st.radio(tr("가격 범위", "Prices shown"), ASOF_CHOICES, horizontal=True, key=K + "asof",
                format_func=ASOF_NAMES.get)
st.query_params["asof"] = asof

# --------------------------------------------------------------------------- header

st.header(md_escape(item.title))
st.markdown(f"**{md_escape(item.author)}** · {fmt_date(item.date, LANG)}")
original = md_link(tr("원문 보기", "Read the original"), item.url) if item.url else ""
if original.startswith("["):  # a link (md_link gives only the escaped label, never a bare "[", otherwise)
    st.markdown(original)
else:
    st.caption(tr("원문 주소는 기록되어 있지 않습니다.", "The original's address is not recorded."))
st.markdown(md_escape(item.summary(LANG)))
st.caption(tr(
    f"아래 서술은 대시보드가 자기 말로 다시 정리한 것입니다. 원문: 「{md_escape(item.title)}」, "
    f"{md_escape(item.author)}, {fmt_date(item.date, 'ko')}.",
    f"The narrative below is the dashboard's own retelling, not the author's words. Original: "
    f"\"{md_escape(item.title)}\" by {md_escape(item.author)}, {fmt_date(item.date, 'en')}."))
for warning in item.warnings:
    st.caption(f"⚠️ {md_escape(warning)}")

# --------------------------------------------------------------------------- sections

try:
    version = loaders.file_version(loaders.store().prices_path)
    loaders.snapshot()
    prices_ok = True
except StoreError as exc:
    st.error(tr(f"저장소를 읽을 수 없습니다: {exc}", f"The local store cannot be read: {exc}"))
    prices_ok = False

for section in item.sections:
    st.subheader(section.heading(LANG) if trusted else md_escape(section.heading(LANG)))
    left, right = st.columns([5, 6])
    with left:
        _render_body(trusted, section.body(LANG))
    with right:
        if not prices_ok:
            st.info(tr("가격 데이터가 없어 근거를 그릴 수 없습니다.", "No price data: the evidence cannot be drawn."))
        else:
            try:
                evidence = (_bundled_figure(version, item.id, section.id, LANG, asof) if trusted
                            else _evidence(item, section, LANG, asof))
            except ValueError as exc:
                st.warning(tr(f"근거를 그릴 수 없습니다: {exc}", f"The evidence cannot be drawn: {exc}"))
                evidence = None
            if isinstance(evidence, pd.DataFrame):
                st.caption(tr(f"{fmt_date(section.chart['event_date'], LANG)} 하루 변동 (현지 통화, 수정종가)",
                              f"One-day moves on {fmt_date(section.chart['event_date'], LANG)} "
                              "(local currency, adjusted closes)"))
                shown = evidence[["symbol", "name", "prev_date", "session", "close", "change_pct", "note"]]
                st.dataframe(shown, hide_index=True, width="stretch", column_config=event_day_columns())
            elif evidence is not None:
                st.plotly_chart(evidence, width="stretch", key=f"{K}fig_{section.id}")
    _news_block(section)

# --------------------------------------------------------------------------- scorecard

st.subheader(tr("채점표", "Scorecard"))
if prices_ok and item.claims:
    card = (_bundled_scorecard(version, item.id) if trusted
            else claims_mod.scorecard(item.claims, loaders.prices()))
    table = sc.scorecard_table(item.claims, card, LANG)
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button(tr("CSV로 내려받기", "Download as CSV"), table.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"scorecard-{item.id}-{LANG}.csv", mime="text/csv", key=K + "csv")
    with st.expander(tr("판정 규칙", "How verdicts are made")):
        st.markdown("\n".join(f"- {line}" for line in sc.RULE_LEGEND["ko" if LANG == "ko" else "en"]))
elif not item.claims:
    st.caption(tr("이 칼럼에는 채점할 주장이 없습니다.", "This commentary has no claims to score."))
