"""USD/KRW: the rate around the column's dates, with event pins, a reference line, the reader's own notes
and a table of the rate's move around each event.  The view is kept in the URL (see commentary.analysis.fx_view)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from commentary.analysis import fx_view
from commentary.charts.fx import fx_figure, has_ohlc, source_note
from commentary.text.safe_text import md_escape
from commentary.timeline.events import KINDS, EventsError, event_moves, events_in_window
from commentary.timeline.observation import ECB_FIXING, fixed_print
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.notebooks import Notebooks
from data_sources.readers.notes import (
    LABEL_MAX,
    NOTE_MAX,
    SHARED_NOTEBOOK,
    AnnotationError,
    new_notebook_id,
    notes_mode,
    valid_share,
)
from data_sources.readers.repository import RepositoryError
from data_sources.store.atomic import StoreError
from ui import chrome, loaders
from ui.i18n import lang, t, tr
from ui.news_strip import pinned_news_events, render_news_strip
from ui.notebook import STATE_KEY, notebook_panel, problem_text, reader_notebook, repository, unavailable_notice
from ui.pin_key import render_pin_key
from ui.problems import error_text, say

NOTE_ERRORS = (StoreError, RepositoryError, SQLAlchemyError, OSError)  # the database or the old notes file

# session-state keys of the view widgets (fx_view.FxView field -> key)
KEYS = {"src": "fx_src", "start": "fx_start", "end": "fx_end", "ref": "fx_ref", "kind": "fx_kind",
        "cny": "fx_cny", "kinds": "fx_kinds"}
SYMBOLS = tuple(sym for pair in fx_view.SOURCES.values() for sym in pair)
FORM_DATE_MIN, FORM_DATE_MAX = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
# the folded panels (their content is only built when open)
SETTINGS, NOTE_FORM, MOVES = "fx_settings", "fx_note_open", "fx_moves_open"
NEWS_TAGS = ("tariffs", "deepseek", "china_tech")  # the page's themes (Trump's remarks, the DeepSeek week)


@st.cache_resource(ttl=600, max_entries=16, show_spinner=False)
def _figure(main, kind, ref, second, events, notes, source_label, language, history):
    """fx_figure, shared across reruns and sessions (building a figure with many pins is the slow part;
    the cached figure is never mutated)."""
    fig = fx_figure(main, kind=kind, ref_level=ref, second=second, events=list(events), user_notes=notes,
                    source_label=source_label, lang=language, history=history, numbered=True)
    return fig.update_layout(height=560)


@st.cache_resource(show_spinner=False)
def _migrated(root: str, url: str) -> int:
    """Copy the notes an earlier version kept in ``root/annotations.parquet`` into the database, once per
    process (the copy itself is idempotent: see ``Notebooks.import_local_notes``)."""
    del url  # part of the cache key only
    return repository().import_local_notes(Path(root))


def _notes_repo(root: str) -> Notebooks:
    """The readers' notebooks (every replica's notes), with this folder's old notes file copied in."""
    notebooks = repository()
    _migrated(root, notebooks.key)
    return notebooks


def _annotations(root: str, notebook: str | None, share: str | None) -> pd.DataFrame:
    """One notebook's annotations (or a shared notebook's, read-only), read from the database."""
    return _notes_repo(root).notes(notebook, share=share)


def _notebook() -> tuple[str | None, str | None]:
    """``(notebook, share)``: the reader's own notebook (kept in this browser, ``ui.notebook``; None until the
    first note), or the share id of a notebook someone shared (``notes=``, read-only). With
    ``DASHBOARD_NOTES=shared`` every reader writes to and reads the one shared notebook."""
    if notes_mode() == "shared":
        return SHARED_NOTEBOOK, None
    return reader_notebook(), valid_share(st.query_params.get("notes"))


def _init_view_state(bounds: dict) -> None:
    """When the view widgets have no state yet (new session, page revisited): take the view from the URL."""
    state = st.session_state
    if all(key in state for key in KEYS.values()):
        return  # keys Streamlit drops while the settings panel is folded come back from the URL (= the view)
    view, problems = fx_view.parse_view(st.query_params.to_dict(), bounds)
    values = {"src": view.src, "start": view.start, "end": view.end, "ref": view.ref, "kind": view.kind,
              "cny": view.cny, "kinds": list(view.kinds)}
    for name, key in KEYS.items():
        state.setdefault(key, values[name])
    state["fx_url_problems"] = problems
    state.setdefault("fx_note_date", view.end)


def _on_add(root: str, lo: str, hi: str) -> None:
    """Form callback: store the reader's note (in their notebook, made on the first note), or keep the form
    filled in and say what is wrong."""
    state = st.session_state
    notebook = SHARED_NOTEBOOK if notes_mode() == "shared" else state.get(STATE_KEY) or new_notebook_id()
    try:
        _notes_repo(root).add_note(state.get("fx_note_date"), state.get("fx_note_label", ""),
                       state.get("fx_note_text", ""), data_start=lo, data_end=hi, notebook=notebook)
    except AnnotationError as exc:
        state["fx_note_msg"] = ("error", fx_view.message(exc.code, exc.params, lang(), str(exc)))
        return
    except DatabaseUnavailable as exc:
        state["fx_note_msg"] = ("error", problem_text(exc))
        return
    except RepositoryError as exc:  # e.g. the notebook's note limit
        state["fx_note_msg"] = ("error", tr("메모를 저장하지 못했습니다: ", "The note could not be saved: ")
                                + md_escape(exc, 300))
        return
    except NOTE_ERRORS as exc:
        state["fx_note_msg"] = ("error", tr("메모를 저장하지 못했습니다: ", "The note could not be saved: ")
                                + md_escape(error_text(exc, lang()), 300))
        return
    if notebook:
        state[STATE_KEY] = notebook  # kept in this browser from the next run on (ui.notebook.restore_notebook)
    state["fx_note_label"] = ""
    state["fx_note_text"] = ""
    state["fx_note_msg"] = ("success", tr("메모를 저장했습니다. 차트에 ★로 표시됩니다.",
                                          "Note saved; it is marked with a ★ on the chart."))


def _on_delete(root: str, ann_id: str, notebook: str) -> None:
    """Delete-button callback (only a note of the reader's own notebook)."""
    try:
        found = _notes_repo(root).delete_note(ann_id, notebook)
    except DatabaseUnavailable as exc:
        st.session_state["fx_note_msg"] = ("error", problem_text(exc))
        return
    except NOTE_ERRORS as exc:
        st.session_state["fx_note_msg"] = ("error", tr("메모를 지우지 못했습니다: ", "The note could not be deleted: ")
                                           + md_escape(error_text(exc, lang()), 300))
        return
    st.session_state["fx_note_msg"] = ("success", tr("메모를 지웠습니다.", "Note deleted.")) if found else (
        "warning", tr("이미 지워진 메모입니다.", "That note was already deleted."))


chrome.page_header("원/달러 환율", "USD/KRW")
L = lang()
try:
    prices = loaders.prices(SYMBOLS)
except StoreError as exc:
    st.error(md_escape(say(exc, lang()), 500))
    st.stop()

bounds = {src: fx_view.series_bounds(prices, pair[0]) for src, pair in fx_view.SOURCES.items()}
available = [src for src, span in bounds.items() if span]
if not available:
    st.warning(tr("저장된 원/달러 환율이 없습니다. 데이터 페이지에서 스냅샷을 가져오세요.",
                  "No USD/KRW rates are stored. Import a snapshot on the Data page."))
    st.stop()

_init_view_state(bounds)
for code, params in st.session_state.pop("fx_url_problems", []):
    st.warning(fx_view.message(code, params, L), icon=":material/link_off:")

state = st.session_state
if state[KEYS["src"]] not in available:
    state[KEYS["src"]] = available[0]

src = state[KEYS["src"]]
lo, hi = bounds[src]
for key in (KEYS["start"], KEYS["end"]):  # a source switch can leave a date outside the new source's data
    state[key] = min(max(state[key], lo), hi)
start, end, ref, kind = state[KEYS["start"]], state[KEYS["end"]], state[KEYS["ref"]], state[KEYS["kind"]]
cny, kinds = state[KEYS["cny"]], state[KEYS["kinds"]]


def _controls() -> None:
    """The view's settings, after the chart (their state is read above, so the chart comes first)."""
    panel = st.expander(tr("보기 설정: 자료·기간·기준선·사건", "View settings: source, dates, reference line, events"),
                        icon=":material/tune:", key=SETTINGS, on_change="rerun")
    if not panel.open:  # folded: its widgets are built only when the reader opens it (a lighter first screen)
        return
    with panel:
        row = st.columns([1.4, 1, 1])
        row[0].radio(tr("환율 자료", "FX source"), available, key=KEYS["src"], horizontal=True,
                     format_func=lambda s: fx_view.SOURCE_NAMES[s][0 if L == "ko" else 1],
                     help=tr("야후: KRW=X / CNY=X 호가, ECB: 유로 기준환율로 계산한 교차환율",
                             "Yahoo: the KRW=X / CNY=X quotes; ECB: crosses of the euro reference rates"))
        row[1].date_input(tr("시작일", "From"), key=KEYS["start"], min_value=lo, max_value=hi, format="YYYY-MM-DD")
        row[2].date_input(tr("종료일", "To"), key=KEYS["end"], min_value=lo, max_value=hi, format="YYYY-MM-DD")
        row = st.columns([1, 1, 2])
        row[0].number_input(tr("기준선 (원)", "Reference line (KRW)"), key=KEYS["ref"], value=None,
                            min_value=fx_view.REF_MIN, max_value=fx_view.REF_MAX, step=5.0, format="%.1f",
                            help=tr("비워 두면 기준선을 그리지 않습니다.", "Leave empty for no line."))
        row[1].radio(tr("모양", "Chart"), fx_view.CHART_KINDS, key=KEYS["kind"], horizontal=True,
                     format_func={"line": tr("선", "Line"), "candles": tr("캔들", "Candles")}.get)
        row[2].checkbox(tr("위안/달러 함께 보기 (오른쪽 축)", "Add USD/CNY (right axis)"), key=KEYS["cny"])
        st.multiselect(tr("표시할 사건 종류", "Event kinds to pin"), KINDS, key=KEYS["kinds"],
                       format_func=lambda k: fx_view.kind_name(k, L))


def _note_form() -> None:
    """The form for a new note, folded under "Add a note" (built only when open; kept open after a failed save)."""
    panel = st.expander(tr("메모 남기기", "Add a note"), icon=":material/add_comment:", key=NOTE_FORM,
                        on_change="rerun")
    if not panel.open:
        return
    with panel, st.form("fx_note_form", clear_on_submit=False):
        cols = st.columns([1, 2])
        with cols[0]:
            st.date_input(tr("날짜", "Date"), key="fx_note_date", min_value=FORM_DATE_MIN, max_value=FORM_DATE_MAX,
                          format="YYYY-MM-DD")
        with cols[1]:
            st.text_input(tr("제목", "Label"), key="fx_note_label",
                          placeholder=tr("예: 1,430원 아래로", "e.g. below 1,430"))
        st.text_area(tr("내용 (선택)", "Note (optional)"), key="fx_note_text", height=80)
        st.form_submit_button(tr("메모 추가", "Add note"), icon=":material/add:", on_click=_on_add,
                              args=(store_root, lo.isoformat(), hi.isoformat()))


if start is None or end is None:
    start, end = fx_view.default_view(lo, hi, src).start, hi
if start > end:
    st.warning(tr(f"시작일 {start}이(가) 종료일 {end}보다 늦어 두 날짜를 바꿔 보여줍니다.",
                  f"The start {start} is after the end {end}; showing {end} to {start}."))
    start, end = end, start
view = fx_view.FxView(start=start, end=end, ref=ref, src=src, cny=bool(cny), kind=kind, kinds=tuple(kinds))
st.query_params.update(view.to_params())

try:
    all_events = loaders.events()
except EventsError as exc:
    st.error(tr("사건 목록을 읽지 못했습니다: ", "The event list could not be read: ") + md_escape(exc, 300))
    all_events = []
events = fx_view.filter_kinds(all_events, view.kinds)

store_root = str(loaders.local_root())
notebook, shared_view = _notebook()
try:
    notes = _annotations(store_root, notebook, None) if notebook is not None else None
    shared_notes = _annotations(store_root, None, shared_view) if shared_view else None
except DatabaseUnavailable:
    unavailable_notice()  # the chart and the rest of the page go on without the notes
    notes, shared_notes = None, None
except NOTE_ERRORS as exc:
    st.error(tr("내 메모를 읽지 못했습니다: ", "Your notes could not be read: ")
             + md_escape(error_text(exc, lang()), 300))
    notes, shared_notes = None, None

main = fx_view.in_window(prices, view.symbol, view.start, view.end)
second = fx_view.in_window(prices, view.cny_symbol, view.start, view.end) if view.cny else None
if main.empty:
    st.info(tr(f"{view.start} ~ {view.end} 기간에 {view.symbol} 자료가 없습니다.",
               f"No {view.symbol} data between {view.start} and {view.end}."))
else:
    chart_notes = pd.concat([n for n in (notes, shared_notes) if n is not None and len(n)]) if any(
        n is not None and len(n) for n in (notes, shared_notes)) else None
    history = prices[prices["symbol"] == view.symbol]
    fig = _figure(main, view.kind, view.ref, second, (*events, *pinned_news_events("fx_news")), chart_notes,
                  source_note(view.symbol, L), L, history)
    st.plotly_chart(fig, width="stretch", key="fx_chart")
    render_pin_key(fig)
_controls()
if not main.empty:
    render_news_strip(view.start, view.end, key="fx_news", tags=NEWS_TAGS)
    if view.kind == "candles" and not has_ohlc(main):
        st.caption(tr(f"{view.symbol}에는 종가만 저장돼 있어(시가·고가·저가 없음) 캔들 대신 선으로 그렸습니다.",
                      f"{view.symbol} is stored as closes only (no open/high/low), so it is drawn as a line."))
    if view.cny and (second is None or second.empty):
        st.caption(tr(f"이 기간에는 {view.cny_symbol} 자료가 없습니다.", f"No {view.cny_symbol} data in this window."))

# --- the rate around each event -----------------------------------------------------------------------
def _moves_table(window_events: list) -> None:
    """The rate on each event's day, the day before and a week after (inside the folded box)."""
    full = prices[prices["symbol"] == view.symbol].set_index("date")["close"]
    moves = event_moves(window_events, full, horizon=fx_view.FWD_DAYS, lang=L, symbol=view.symbol)
    table = fx_view.moves_table(moves, window_events, L)
    st.dataframe(table, hide_index=True, width="stretch", key="fx_events_table", column_config={
        "date": st.column_config.TextColumn(tr("날짜", "Date")),
        "event": st.column_config.TextColumn(tr("무슨 일", "What happened"), width="medium"),
        "kind": st.column_config.TextColumn(tr("종류", "Kind")),
        "rate_date": st.column_config.TextColumn(tr("환율 기준일", "Rate date")),
        "close": st.column_config.TextColumn(tr("환율", "Rate")),
        "change": st.column_config.TextColumn(tr("전일 대비", "vs previous close")),
        "change_pct": st.column_config.TextColumn(tr("전일 대비 %", "vs previous close %")),
        "fwd_change": st.column_config.TextColumn(tr(f"이후 {fx_view.FWD_DAYS}거래일",
                                                     f"Next {fx_view.FWD_DAYS} days")),
        "fwd_change_pct": st.column_config.TextColumn(tr(f"이후 {fx_view.FWD_DAYS}거래일 %",
                                                         f"Next {fx_view.FWD_DAYS} days %")),
        "source": st.column_config.TextColumn(tr("출처", "Source")),
        "source_url": st.column_config.LinkColumn(tr("링크", "Link"), display_text=tr("원문", "open")),
    })
    taken = t("timeline.taken_ecb") if fixed_print(view.symbol) == ECB_FIXING else t("timeline.taken_yahoo")
    st.caption(t("timeline.moves_caption", symbol=view.symbol, taken=taken, days=fx_view.FWD_DAYS))


st.subheader(tr("사건 전후의 환율", "The rate around each event"))
window_events = events_in_window(events, view.start, view.end)
if window_events:
    # folded, and built only when opened: its grid, laid out while the chart draws, delayed the chart by a
    # quarter of a second (the pins' key under the chart names every event already)
    moves_box = st.expander(tr(f"사건 {len(window_events)}건의 당일·이후 {fx_view.FWD_DAYS}거래일 환율",
                               f"The rate on the day of {len(window_events)} events and {fx_view.FWD_DAYS} "
                               "trading days after"), icon=":material/table_rows:", key=MOVES, on_change="rerun")
    if moves_box.open:
        with moves_box:
            _moves_table(window_events)
else:
    st.info(tr("이 기간에 표시할 사건이 없습니다.", "No events to show in this window."))

# --- the reader's own notes ---------------------------------------------------------------------------
st.subheader(tr("내 메모", "My notes"))
if notes_mode() == "shared":
    st.caption(tr(f"차트에 직접 메모를 남길 수 있습니다(제목 {LABEL_MAX}자, 내용 {NOTE_MAX}자 이내). 이 서버는 메모를 "
                  "모든 방문자와 함께 씁니다(운영자 설정).",
                  f"Pin your own note on the chart (label up to {LABEL_MAX} characters, text up to {NOTE_MAX}). "
                  "This server shares notes between all its visitors (operator setting)."))
else:
    st.caption(t("safety.fx_notes_private", label_max=LABEL_MAX, note_max=NOTE_MAX))
flash = st.session_state.pop("fx_note_msg", None)
if flash:
    {"error": st.error, "warning": st.warning}.get(flash[0], st.success)(flash[1])
state.setdefault("fx_note_date", view.end)
_note_form()

if notes is not None and len(notes):
    for row in notes.itertuples(index=False):
        left, right = st.columns([8, 1], vertical_alignment="center")
        with left:
            day = pd.Timestamp(row.date).date().isoformat()
            st.text(f"★ {day} · {row.label}" + (f"\n{row.note}" if row.note else ""))
        with right:
            st.button(tr("삭제", "Delete"), key=f"fx_del_{row.id}", icon=":material/delete:",
                      on_click=_on_delete, args=(store_root, str(row.id), notebook or SHARED_NOTEBOOK))
else:
    st.caption(tr("아직 남긴 메모가 없습니다.", "No notes yet."))
if shared_notes is not None:
    st.markdown("**" + tr("공유받은 메모 (읽기 전용)", "Notes shared with you (read-only)") + "**")
    if len(shared_notes):
        for row in shared_notes.itertuples(index=False):
            day = pd.Timestamp(row.date).date().isoformat()
            st.text(f"☆ {day} · {row.label}" + (f"\n{row.note}" if row.note else ""))
    else:
        st.caption(tr("이 링크에는 메모가 없습니다.", "This link has no notes."))
notebook_panel(share_path="fx")  # the key to another device (on request), and the read-only share link

# --- what the numbers are -----------------------------------------------------------------------------
with st.expander(tr("이 환율은 어디서 오나요?", "Where do these rates come from?"), expanded=False):
    st.markdown("\n".join(f"- {source_note(sym, L)}" for sym in SYMBOLS))
    st.markdown(t("timeline.fx_sources_yahoo") + "\n\n" + t("timeline.fx_sources_ecb"))
    try:
        provenance = loaders.snapshot().series
    except StoreError:
        provenance = {}
    for sym in (view.symbol, view.cny_symbol):
        info = provenance.get(sym, {})
        if info:
            st.caption(tr("저장된 출처 ", "Stored from ") + f"{sym}: "
                       + md_escape(info.get("source", "?"), 120))
