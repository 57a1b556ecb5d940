"""US vs China: US big tech against Chinese tech, rebased at the column's weekend, with the event-day moves.

The view lives in the URL (``?base=…&start=…&end=…&us=…&cn=…&bench=…&ccy=…&fx=…&w=…&day=…&pins=1``):
the URL seeds the widgets when the page opens, and every run writes the widgets back to the URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from commentary.analysis import compare_view as cv
from commentary.analysis.analytics import PRESETS, coverage_problems, drawdown, spread_pp
from commentary.analysis.event_day import event_day_moves
from commentary.charts.compare import compare_figure, drawdown_figure, spread_figure
from commentary.charts.pins import add_event_pins, keep_labels_off_data
from commentary.text.safe_text import md_escape
from commentary.timeline.events import EventsError, events_in_window
from data_sources.store.atomic import StoreError
from ui import chrome, loaders
from ui.i18n import lang, t, tr
from ui.news_strip import pinned_news_events, render_news_strip
from ui.problems import say
from ui.tables import EVENT_DAY_ORDER, event_day_columns

K = "cmp_"  # prefix of this page's session-state keys
PROBLEMS = K + "url_problems"
NEWS_TAGS = ("deepseek", "qwen", "nvidia", "china_tech", "semiconductors")  # the page's themes, for its news
URL_KEYS = ("base", "start", "end", "us", "cn", "bench", "ccy", "fx", "w", "day", "pins")


# --------------------------------------------------------------------------- cached computations


def _version() -> str:
    return loaders.store_version()


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _defaults(version: str) -> tuple[cv.CompareView, tuple[dt.date, dt.date]] | None:
    del version  # cache key only
    prices = loaders.prices()
    view, span = cv.default_view(prices), cv.data_span(prices)
    return None if view is None or span is None else (view, span)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _lines(version: str, view: cv.CompareView, w_us: tuple | None, w_cn: tuple | None) -> tuple[cv.Lines, list[str]]:
    del version
    prices = loaders.prices()
    lines = cv.compare_lines(prices, view, dict(w_us) if w_us else None, dict(w_cn) if w_cn else None)
    chosen = list(dict.fromkeys(view.us + view.cn + view.bench))
    problems = coverage_problems(prices[prices["symbol"].isin(chosen)], chosen, view.start, view.end, view.base)
    return lines, problems


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _trading_days(version: str) -> tuple[dt.date, ...]:
    del version
    return cv.trading_days(loaders.prices())


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _moves(version: str, day: dt.date, language: str) -> pd.DataFrame:
    del version
    moves = event_day_moves(loaders.prices(), day, language, event_time=cv.event_time(day))
    return cv.moves_frame(moves, language)


# --------------------------------------------------------------------------- widget state <-> URL


STATE_KEYS = tuple(K + name for name in ("base", "base_text", "start", "end", "preset", "us", "cn", "bench", "ccy",
                                          "fx", "weighting", "weights", "day", "pins"))
SAVED = K + "saved_view"
SETTINGS = K + "settings"  # the folded settings panel: open or not (its widgets are only built when open)


def _seed_state(default: cv.CompareView, first: dt.date, last: dt.date) -> None:
    """On opening the page: widgets start from the URL (bad values → default + a warning). A key Streamlit
    dropped (its widget was not drawn in the last run: the panel was folded, or the reader was on another page)
    is taken from the URL again, which every run keeps equal to the view."""
    state = st.session_state
    saved = state.get(SAVED, {})  # this session's last view on this page (Streamlit drops widget keys off-page)
    for key in STATE_KEYS:
        if key not in state and key in saved:
            state[key] = saved[key]
    missing = [key for key in STATE_KEYS if key not in state]
    if not missing:
        for key in STATE_KEYS:  # keep the folded panel's values for the next run
            state[key] = state[key]
        state[SAVED] = {key: state[key] for key in STATE_KEYS}
        return
    view, problems = cv.parse_query(st.query_params.to_dict(), default, first, last, LANG)
    if K + "base" in missing:  # opening the page, not a dropped widget key: say what was wrong with the URL
        state[PROBLEMS] = problems
    values = {
        K + "base": view.base, K + "base_text": view.base.isoformat(), K + "start": view.start,
        K + "end": view.end, K + "preset": None,
        K + "us": list(view.us), K + "cn": list(view.cn), K + "bench": list(view.bench),
        K + "ccy": view.ccy, K + "fx": view.fx, K + "weighting": "fixed" if view.weights else "equal",
        K + "weights": view.weights, K + "day": view.day, K + "pins": view.pins,
    }
    for key in STATE_KEYS:
        state[key] = state[key] if key in state else values[key]
    state[SAVED] = {key: state[key] for key in STATE_KEYS}


def _current_view() -> cv.CompareView:
    s = st.session_state
    weights = s[K + "weights"].strip() if s[K + "weighting"] == "fixed" else ""
    return cv.CompareView(base=s[K + "base"], start=s[K + "start"], end=s[K + "end"], us=tuple(s[K + "us"]),
                          cn=tuple(s[K + "cn"]), bench=tuple(s[K + "bench"]), ccy=s[K + "ccy"], fx=s[K + "fx"],
                          weights=weights, day=s[K + "day"], pins=bool(s[K + "pins"]))


def _write_url(view: cv.CompareView) -> None:
    """The view into the address bar: changed keys in one update (one message to the browser, not one per key)."""
    wanted = cv.to_query(view)
    changed = {key: wanted[key] for key in URL_KEYS if key in wanted and st.query_params.get(key) != wanted[key]}
    if changed:
        st.query_params.update(changed)
    for key in URL_KEYS:
        if key not in wanted and key in st.query_params:
            del st.query_params[key]


def _touched() -> None:
    st.session_state.pop(PROBLEMS, None)


def _on_preset(first: dt.date, last: dt.date) -> None:
    _touched()
    preset = st.session_state.get(K + "preset")
    if preset:
        start, end = cv.preset_window(preset, st.session_state[K + "base"], first, last, _trading_days(_version()))
        st.session_state[K + "start"], st.session_state[K + "end"] = start, end


def _on_base_text(first: dt.date, last: dt.date) -> None:
    """A typed base date applies on Enter (a text field: no calendar over it); a bad one says why."""
    day, problem = cv.parse_base_text(st.session_state.get(K + "base_text", ""), first, last)
    if day is None:
        shown = md_escape(st.session_state.get(K + "base_text", ""), 40)
        st.session_state[K + "base_error"] = tr(
            f"기준일 '{shown}'을(를) 쓸 수 없습니다: " + ("YYYY-MM-DD 형식으로 입력하세요." if problem == "format"
                                                 else f"데이터 범위({first}~{last}) 밖입니다."),
            f"Base date '{shown}' cannot be used: " + ("type it as YYYY-MM-DD." if problem == "format"
                                                       else f"it is outside the data ({first} to {last})."))
        return
    st.session_state.pop(K + "base_error", None)
    st.session_state[K + "base"] = day
    _on_preset(first, last)


def _on_window_date() -> None:
    _touched()
    st.session_state[K + "preset"] = None


# --------------------------------------------------------------------------- small renderers


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def _main_figure(levels: pd.DataFrame, names: tuple, base: dt.date, language: str, events: tuple,
                 news: tuple, currency: str) -> go.Figure:
    """The rebased chart with its pins (a shared resource: building Plotly figures is the slow part of a run;
    the cached figure is never mutated). Pins' labels get a band of their own above the lines."""
    fig = compare_figure(levels, dict(names), base, language, highlight=set(cv.BASKET_KEYS), currency=currency)
    fig.update_layout(height=540)
    for pins in (events, news):
        if pins:
            add_event_pins(fig, list(pins), language)
    values = levels.to_numpy(dtype="float64")
    if events or news:
        keep_labels_off_data(fig, float(np.nanmin(values)), float(np.nanmax(values)))
    return fig


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def _basket_figures(baskets: pd.DataFrame, names: tuple, language: str) -> tuple[go.Figure, go.Figure]:
    """Spread (China − US, pp) and drawdown of the two baskets."""
    spread = spread_figure(spread_pp(baskets[cv.CN_KEY], baskets[cv.US_KEY]), language)
    dd = pd.DataFrame({col: drawdown(baskets[col]) for col in baskets.columns})
    return spread, drawdown_figure(dd, language, dict(names))


def _weights_error(exc: ValueError) -> None:
    message = md_escape(str(exc))  # quotes the reader's text
    st.error(tr(f"가중치 오류: {message} — 동일 가중으로 그립니다.",
                f"Invalid weights: {message} — drawing equal weights."), icon=":material/error:")


def _name_format(symbols: tuple[str, ...]):
    """A format_func with the names fixed now (AppTest calls it outside the script run)."""
    return {s: cv.symbol_name(s, LANG) for s in symbols}.get


# ---- controls (after the chart: the chart reads their state, so the answer comes first)
def _controls() -> None:
    bar = st.columns([3, 2], vertical_alignment="bottom")
    bar[0].segmented_control(tr("기간 (기준일부터)", "Window (from the base date)"), PRESETS, key=K + "preset",
                             format_func={**{p: p for p in PRESETS}, "All": tr("전체", "All"),
                                          "YTD": tr("연초 이후", "YTD"), "1M": tr("1개월", "1M"),
                                          "3M": tr("3개월", "3M"), "6M": tr("6개월", "6M"),
                                          "1Y": tr("1년", "1Y")}.get,
                             on_change=_on_preset, args=(first, last),
                             help=tr("연초 이후: 전년 마지막 종가부터", "YTD: from the previous year's last close"))
    bar[1].radio(tr("통화", "Currency"), cv.CURRENCIES, key=K + "ccy", horizontal=True, on_change=_touched,
                 format_func={"local": tr("현지 통화", "Local"), "USD": "USD", "KRW": "KRW"}.get)
    panel = st.expander(tr("보기 설정: 기준일·기간·바스켓·가중치·사건", "View settings: base date, window, baskets, "
                                                           "weights, events"), icon=":material/tune:",
                        key=SETTINGS, on_change="rerun")
    if not panel.open:  # folded: its widgets are built only when the reader opens it
        return
    with panel:
        c1, c2, c3 = st.columns(3)
        c1.text_input(tr("기준일 (=100, YYYY-MM-DD, Enter로 적용)", "Base date (=100, YYYY-MM-DD, Enter applies)"),
                      key=K + "base_text", max_chars=10, on_change=_on_base_text, args=(first, last))
        if st.session_state.get(K + "base_error"):
            c1.error(st.session_state[K + "base_error"])
        c2.date_input(tr("시작", "From"), min_value=first, max_value=last, key=K + "start", format="YYYY-MM-DD",
                      on_change=_on_window_date)
        c3.date_input(tr("끝", "To"), min_value=first, max_value=last, key=K + "end", format="YYYY-MM-DD",
                      on_change=_on_window_date)
        m1, m2 = st.columns(2)
        m1.multiselect(tr("미국 빅테크 바스켓", "US big-tech basket"), cv.US_MEMBERS,
                       format_func=_name_format(cv.US_MEMBERS), key=K + "us", on_change=_touched)
        m2.multiselect(tr("중국 기술주 바스켓", "China tech basket"), cv.CN_MEMBERS,
                       format_func=_name_format(cv.CN_MEMBERS), key=K + "cn", on_change=_touched)
        st.multiselect(tr("비교 지수·ETF", "Benchmarks"), cv.BENCHMARKS, format_func=_name_format(cv.BENCHMARKS),
                       key=K + "bench", on_change=_touched)
        b2, b3 = st.columns([1, 2])
        b2.radio(tr("가중 방식", "Weighting"), ["equal", "fixed"], key=K + "weighting", on_change=_touched,
                 format_func={"equal": tr("동일 가중", "Equal"), "fixed": tr("고정 가중", "Fixed")}.get)
        b3.text_input(tr("고정 가중치 (종목=비중, 쉼표로 구분)", "Fixed weights (SYMBOL=weight, comma-separated)"),
                      key=K + "weights", placeholder="NVDA=30, MSFT=20, AAPL=50", on_change=_touched,
                      disabled=st.session_state[K + "weighting"] != "fixed",
                      help=tr("한 바스켓의 일부 종목에 비중을 주면 그 바스켓의 모든 종목에 비중이 필요합니다. "
                              "비중은 합이 1이 되도록 나눕니다. 비중을 하나도 주지 않은 바스켓은 동일 가중입니다.",
                              "Weights are scaled to sum to 1 per basket. A basket with any weight listed needs one "
                              "for every member; a basket with none listed is equally weighted."))
        f2, f3 = st.columns(2)
        f2.radio(tr("환율 출처", "FX source"), cv.FX_SOURCES, key=K + "fx", horizontal=True, on_change=_touched,
                 format_func={"yahoo": tr("야후", "Yahoo"), "ecb": "ECB"}.get,
                 disabled=st.session_state[K + "ccy"] == "local")
        f3.checkbox(tr("주요 사건 표시", "Show events"), key=K + "pins", on_change=_touched)


# --------------------------------------------------------------------------- page

chrome.page_header("미국 vs 중국", "US vs China")
LANG = lang()

try:
    version = _version()
    setup = _defaults(version)
except StoreError as exc:
    st.error(t("safety.store_unreadable", reason=md_escape(say(exc, lang()), 500)))  # the message may quote a file
    st.stop()
if setup is None:
    st.info(tr("바스켓 종목이나 비교 지수의 시세가 없습니다. 데이터 페이지에서 스냅샷을 가져오세요.",
               "No prices stored for the basket members or benchmarks. Import a snapshot on the Data page."))
    st.stop()
default, (first, last) = setup
_seed_state(default, first, last)
st.session_state.setdefault(K + "base_text", st.session_state[K + "base"].isoformat())
for problem in st.session_state.get(PROBLEMS, []):
    st.warning(md_escape(problem), icon=":material/link_off:")  # the URL is anyone's text: no Markdown from it

view = _current_view()
_write_url(view)
if view.start > view.end:
    st.warning(tr(f"시작({view.start})이 끝({view.end})보다 늦어 서로 바꿔 그립니다.",
                  f"From ({view.start}) is after To ({view.end}); drawing the window the other way round."))
    view = replace(view, start=view.end, end=view.start)

# ---- weights (bad text → the message, and equal weights)
w_us = w_cn = None
if view.weights:
    try:
        w_us, w_cn = cv.split_weights(cv.parse_weights(view.weights), view.us, view.cn)
    except ValueError as exc:
        _weights_error(exc)

compute_view = replace(view, day=cv.DEFAULT_EVENT_DAY, pins=False, weights="")  # what the lines depend on
try:
    lines, coverage = _lines(version, compute_view, tuple(w_us.items()) if w_us else None,
                             tuple(w_cn.items()) if w_cn else None)
except ValueError as exc:
    _weights_error(exc)
    lines, coverage = _lines(version, compute_view, None, None)

# ---- the chart
levels = cv.in_window(lines.levels, view.start, view.end)
names = cv.line_names(levels.columns, LANG)
if not view.us or not view.cn:
    st.info(tr("각 바스켓에서 종목을 하나 이상 고르세요.", "Choose at least one member for each basket."))

if levels.empty:
    st.info(tr("이 기간에 그릴 데이터가 없습니다.", "Nothing to draw in this window."))
else:
    event_pins: tuple = ()
    if view.pins:
        try:
            event_pins = tuple(events_in_window(loaders.events(), view.start, view.end))
        except EventsError as exc:
            st.warning(md_escape(tr(f"사건 목록을 읽을 수 없습니다: {exc}", f"Cannot read the events: {exc}")))
    fig = _main_figure(levels, tuple(names.items()), view.base, LANG, event_pins,
                       tuple(pinned_news_events("cmp_news")), view.ccy)
    st.plotly_chart(fig, width="stretch", config={
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"us-vs-china-{view.base}-{view.ccy}", "scale": 2},
    })
_controls()
st.caption(tr("미국 빅테크와 중국 기술주를 같은 기준일에 100으로 맞춰 비교합니다. 기준일은 칼럼(2025-01-26) 직전 "
              "거래일, 딥시크 충격 직전의 금요일입니다.",
              "US big tech against Chinese tech, both set to 100 on the same base date: by default the Friday "
              "before the column (2025-01-26) and the DeepSeek sell-off."))
if coverage or lines.left_out:
    text = ""
    if lines.left_out:
        text += md_escape(tr("차트에서 빠진 종목: ", "Left out of the chart: ") + ", ".join(lines.left_out)) + "\n\n"
    text += "\n".join(f"- {md_escape(line)}" for line in cv.group_notes(cv.localise_notes(coverage, LANG)))
    st.warning(text, icon=":material/warning:")
if not levels.empty:
    render_news_strip(view.start, view.end, key="cmp_news", tags=NEWS_TAGS)
unit = tr("현지 통화", "local currency") if view.ccy == "local" else view.ccy
st.caption(tr(f"{unit} 기준 수익률입니다. 바스켓은 기준일에 산 뒤 보유한 것으로 계산하며, 한 종목의 자기 시장 휴장일은 "
              f"최대 {cv.MAX_CARRY_DAYS}일까지 직전 값을 이어 씁니다.",
              f"Returns in {unit}. Baskets are bought at the base and held; a member's value is carried over its "
              f"own market's holidays for up to {cv.MAX_CARRY_DAYS} days."))
if lines.notes:
    st.caption(tr("환산: ", "Conversion: ") + "; ".join(md_escape(n) for n in
                                                        cv.group_notes(cv.localise_notes(lines.notes, LANG))))

# ---- below the chart, folded: one of three analyses at a time (tabs that build only the open one). Built only
# when opened: an open statistics grid under the chart delayed the chart itself by ~0.4 s (benchmarks browser).


def _stats_tab() -> None:
    """Each line's return, volatility and drawdown over the window, and the table as CSV."""
    stats = cv.stats_frame(levels, LANG)
    st.caption(cv.stats_basis(stats, view, bool(w_us or w_cn), LANG))
    st.dataframe(stats, hide_index=True, width="stretch", column_order=cv.STATS_ORDER, column_config={
        "series": st.column_config.TextColumn(tr("코드", "Key")),
        "name": st.column_config.TextColumn(tr("이름", "Name")),
        "total_return_pct": st.column_config.NumberColumn(tr("수익률 %", "Return %"), format="%+.2f"),
        "volatility_pct": st.column_config.NumberColumn(tr("연환산 변동성 %", "Volatility % (ann.)"),
                                                        format="%.1f"),
        "max_drawdown_pct": st.column_config.NumberColumn(tr("최대 낙폭 %", "Max drawdown %"), format="%.2f"),
        "first": st.column_config.DateColumn(tr("처음", "First"), format="YYYY-MM-DD"),
        "last": st.column_config.DateColumn(tr("마지막", "Last"), format="YYYY-MM-DD"),
        "observations": st.column_config.NumberColumn(tr("관측 수", "Days"), format="%d"),
    })
    st.download_button(tr("통계 CSV 내려받기", "Download statistics (CSV)"), icon=":material/download:",
                       data=stats.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig"),
                       file_name=f"us-vs-china-stats-{view.base}-{view.ccy}.csv", mime="text/csv")


def _baskets_tab() -> None:
    """The US − China spread and each basket's drawdown."""
    if set(cv.BASKET_KEYS) <= set(levels.columns) and levels[list(cv.BASKET_KEYS)].notna().any().all():
        left, right = st.columns(2)
        spread_fig, drawdown_fig = _basket_figures(levels[list(cv.BASKET_KEYS)], tuple(names.items()), LANG)
        left.plotly_chart(spread_fig, width="stretch")
        right.plotly_chart(drawdown_fig, width="stretch")
    else:
        st.info(tr("두 바스켓이 모두 있어야 스프레드와 낙폭을 그릴 수 있습니다.",
                   "The spread and drawdown need both baskets."))


def _day_tab() -> None:
    """Every member's move on one event day, in local currency."""
    st.date_input(tr("사건일 (미국 개장 09:30 ET 기준)", "Event day (as of the US open, 09:30 ET)"),
                  key=K + "day", format="YYYY-MM-DD", min_value=first, max_value=last, on_change=_touched)
    st.caption(tr("현지 통화 기준 하루 변화입니다. 홍콩·서울처럼 미국 개장 전에 장이 끝난 시장은 "
                  "그다음 거래일을 보여 주고, 휴장이면 다음 거래일을 씁니다(비고 참조).",
                  "One-day change in local currency. Markets that closed before the US open (Hong Kong, Seoul) "
                  "show their next session, and closed markets their next trading day (see the note)."))
    moves = _moves(version, view.day, LANG)
    st.dataframe(moves, hide_index=True, width="stretch", column_config=event_day_columns(True),
                 column_order=EVENT_DAY_ORDER)


MORE = K + "more"
TAB_LABELS = (tr("기간 통계", "Window statistics"), tr("스프레드·낙폭", "Spread and drawdown"),
              tr("사건 당일의 움직임", "Moves on the event day"))
analyses = st.expander(tr("기간 통계 · 스프레드·낙폭 · 사건 당일의 움직임",
                          "Window statistics · spread and drawdown · moves on the event day"),
                       icon=":material/query_stats:", on_change="rerun", key=K + "analyses")
if analyses.open:
    with analyses:
        for tab, draw in zip(st.tabs(TAB_LABELS, key=MORE, on_change="rerun"), (_stats_tab, _baskets_tab, _day_tab),
                             strict=True):
            if tab.open:
                with tab:
                    draw()
