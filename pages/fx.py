"""USD/KRW: the rate around the column's dates, with event pins, a reference line, the reader's own notes
and a table of the rate's move around each event.  The view is kept in the address by one
:class:`ui.view_state.ViewBinding` (see :mod:`ui.fx_view`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

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
from ui import chrome, column_answer, fx_view, loaders
from ui.i18n import lang, t
from ui.news_strip import pinned_news_events, render_news_strip
from ui.notebook import STATE_KEY, notebook_panel, problem_text, reader_notebook, repository, unavailable_notice
from ui.pin_key import render_pin_key
from ui.plot import plot
from ui.problems import error_text, say
from ui.view_state import ViewBinding
from ui.words import words

NOTE_ERRORS = (StoreError, RepositoryError, SQLAlchemyError, OSError)  # the database or the old notes file

SYMBOLS = tuple(sym for pair in fx_view.SOURCES.values() for sym in pair)
FORM_DATE_MIN, FORM_DATE_MAX = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
# the folded panels (their content is only built when open)
SETTINGS, NOTE_FORM, MOVES = "fx_settings", "fx_note_open", "fx_moves_open"
NEWS_TAGS = ("tariffs", "deepseek", "china_tech")  # the page's themes (Trump's remarks, the DeepSeek week)


@st.cache_resource(ttl=600, max_entries=16, show_spinner=False)
def _figure(main, kind, ref, second, events, notes, source_label, language, history, title):
    """fx_figure, shared across reruns and sessions (building a figure with many pins is the slow part;
    the cached figure is never mutated)."""
    fig = fx_figure(main, kind=kind, ref_level=ref, second=second, events=list(events), user_notes=notes,
                    source_label=source_label, words=words(language), history=history, numbered=True, title=title)
    return fig.update_layout(height=600)


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
        state["fx_note_msg"] = ("error", t("fx.note_not_saved", reason=md_escape(exc, 300)))
        return
    except NOTE_ERRORS as exc:
        state["fx_note_msg"] = ("error", t("fx.note_not_saved", reason=md_escape(error_text(exc, lang()), 300)))
        return
    if notebook:
        state[STATE_KEY] = notebook  # kept in this browser from the next run on (ui.notebook.restore_notebook)
    state["fx_note_label"] = ""
    state["fx_note_text"] = ""
    state["fx_note_msg"] = ("success", t("fx.note_saved"))


def _on_delete(root: str, ann_id: str, notebook: str) -> None:
    """Delete-button callback (only a note of the reader's own notebook)."""
    try:
        found = _notes_repo(root).delete_note(ann_id, notebook)
    except DatabaseUnavailable as exc:
        st.session_state["fx_note_msg"] = ("error", problem_text(exc))
        return
    except NOTE_ERRORS as exc:
        st.session_state["fx_note_msg"] = ("error", t("fx.note_not_deleted",
                                                      reason=md_escape(error_text(exc, lang()), 300)))
        return
    st.session_state["fx_note_msg"] = ("success", t("fx.note_deleted")) if found else ("warning", t("fx.note_gone"))


def _words(pairs: dict[str, str]) -> object:
    """A format_func worded now, in this run's language (AppTest calls it outside the script run)."""
    return {value: t(key) for value, key in pairs.items()}.get


def _controls() -> None:
    """The view's settings, after the chart (their state is read above, so the chart comes first)."""
    panel = st.expander(t("fx.settings"), icon=":material/tune:", key=SETTINGS, on_change="rerun")
    if not panel.open:  # folded: its widgets are built only when the reader opens it (a lighter first screen)
        return
    key = BINDING.key
    with panel:
        row = st.columns([1.4, 1, 1])
        row[0].radio(t("fx.source"), available, key=key("src"), horizontal=True,
                     format_func=_words(fx_view.SOURCE_NAMES), help=t("fx.source_help"))
        row[1].date_input(t("fx.from"), key=key("start"), min_value=lo, max_value=hi, format="YYYY-MM-DD")
        row[2].date_input(t("fx.to"), key=key("end"), min_value=lo, max_value=hi, format="YYYY-MM-DD")
        row = st.columns([1, 1, 2])
        row[0].number_input(t("fx.ref"), key=key("ref"), value=None, min_value=fx_view.REF_MIN,
                            max_value=fx_view.REF_MAX, step=5.0, format="%.1f", help=t("fx.ref_help"))
        row[1].radio(t("fx.kind"), fx_view.CHART_KINDS, key=key("kind"), horizontal=True,
                     format_func=_words({"line": "fx.kind_line", "candles": "fx.kind_candles"}))
        row[2].checkbox(t("fx.cny"), key=key("cny"))
        st.multiselect(t("fx.kinds"), KINDS, key=key("kinds"), format_func=_words(fx_view.KIND_NAMES))


def _note_form() -> None:
    """The form for a new note, folded under "Add a note" (built only when open; kept open after a failed save)."""
    panel = st.expander(t("fx.note_open"), icon=":material/add_comment:", key=NOTE_FORM, on_change="rerun")
    if not panel.open:
        return
    with panel, st.form("fx_note_form", clear_on_submit=False):
        cols = st.columns([1, 2])
        with cols[0]:
            st.date_input(t("fx.note_date"), key="fx_note_date", min_value=FORM_DATE_MIN, max_value=FORM_DATE_MAX,
                          format="YYYY-MM-DD")
        with cols[1]:
            st.text_input(t("fx.note_label"), key="fx_note_label", placeholder=t("fx.note_label_example"))
        st.text_area(t("fx.note_text"), key="fx_note_text", height=80)
        st.form_submit_button(t("fx.note_add"), icon=":material/add:", on_click=_on_add,
                              args=(store_root, lo.isoformat(), hi.isoformat()))


def _moves_table(window_events: list) -> None:
    """The rate on each event's day, the day before and a week after (inside the folded box)."""
    full = prices[prices["symbol"] == view.symbol].set_index("date")["close"]
    moves = event_moves(window_events, full, horizon=fx_view.FWD_DAYS, words=words(L), symbol=view.symbol)
    table = fx_view.moves_table(moves, window_events, L)
    days = fx_view.FWD_DAYS
    st.dataframe(table, hide_index=True, width="stretch", key="fx_events_table", column_config={
        "date": st.column_config.TextColumn(t("fx.col_date"), pinned=True),
        "event": st.column_config.TextColumn(t("fx.col_event"), width="medium"),
        "kind": st.column_config.TextColumn(t("fx.col_kind")),
        "rate_date": st.column_config.TextColumn(t("fx.col_rate_date")),
        "close": st.column_config.TextColumn(t("fx.col_close")),
        "change": st.column_config.TextColumn(t("fx.col_change")),
        "change_pct": st.column_config.TextColumn(t("fx.col_change_pct")),
        "fwd_change": st.column_config.TextColumn(t("fx.col_fwd", days=days)),
        "fwd_change_pct": st.column_config.TextColumn(t("fx.col_fwd_pct", days=days)),
        "source": st.column_config.TextColumn(t("fx.col_source")),
        "source_url": st.column_config.LinkColumn(t("fx.col_link"), display_text=t("fx.link_text")),
    })
    taken = t("timeline.taken_ecb") if fixed_print(view.symbol) == ECB_FIXING else t("timeline.taken_yahoo")
    st.caption(t("timeline.moves_caption", symbol=fx_view.series_name(view.symbol, L), taken=taken, days=days))


# --------------------------------------------------------------------------- page

chrome.page_header(t("fx.title"), compact=True)  # the answer and the chart reach a phone's first screen
L = lang()
answer = st.container()  # the lead column's calls on the rate: filled once the chart is on its way
try:
    prices = loaders.prices(SYMBOLS)
except StoreError as exc:
    st.error(md_escape(say(exc, L), 500))
    st.stop()

bounds = {src: fx_view.series_bounds(prices, pair[0]) for src, pair in fx_view.SOURCES.items()}
available = [src for src, span in bounds.items() if span]
if not available:
    st.warning(t("fx.no_rates"))
    st.stop()

BINDING = ViewBinding("fx_", fx_view.FxView, parse=lambda query, _default: fx_view.parse_view(
    {k: v[-1] for k, v in query.items() if v}, bounds), to_query=fx_view.FxView.to_params,
    to_widgets=fx_view.to_widgets, from_widgets=fx_view.from_widgets, foreign=("notes",))
first_src = available[0]
BINDING.open(fx_view.default_view(*bounds[first_src], first_src))
state = st.session_state
if state[BINDING.key("src")] not in available:
    state[BINDING.key("src")] = available[0]
lo, hi = bounds[state[BINDING.key("src")]]
for name in ("start", "end"):  # a source switch can leave a date outside the new source's data
    state[BINDING.key(name)] = min(max(state[BINDING.key(name)] or lo, lo), hi)
view = BINDING.commit()
for code, params in BINDING.problems():
    st.warning(fx_view.message(code, params, L), icon=":material/link_off:")
if view.start > view.end:
    st.warning(t("fx.swapped", start=view.start.isoformat(), end=view.end.isoformat()))
    view = fx_view.FxView(**{**view.__dict__, "start": view.end, "end": view.start})

try:
    all_events = loaders.events()
except EventsError as exc:
    st.error(t("fx.events_unreadable", reason=md_escape(exc, 300)))
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
    st.error(t("fx.notes_unreadable", reason=md_escape(error_text(exc, L), 300)))
    notes, shared_notes = None, None

main = fx_view.in_window(prices, view.symbol, view.start, view.end)
second = fx_view.in_window(prices, view.cny_symbol, view.start, view.end) if view.cny else None
name = fx_view.series_name(view.symbol, L)
if main.empty:
    st.info(t("fx.no_data", start=view.start.isoformat(), end=view.end.isoformat(), name=name))
else:
    chart_notes = pd.concat([n for n in (notes, shared_notes) if n is not None and len(n)]) if any(
        n is not None and len(n) for n in (notes, shared_notes)) else None
    history = prices[prices["symbol"] == view.symbol]
    title = (t("fx.chart_title", name=name), t("fx.chart_window", start=main["date"].min().date().isoformat(),
                                                end=main["date"].max().date().isoformat()))
    fig = _figure(main, view.kind, view.ref, second, (*events, *pinned_news_events("fx_news")), chart_notes,
                  source_note(view.symbol, words(L)), L, history, title)
    plot(fig, key="fx_chart")
    render_pin_key(fig)
column_answer.show(answer, ("fx",), L)
_controls()
if not main.empty:
    render_news_strip(view.start, view.end, key="fx_news", tags=NEWS_TAGS)
    if view.kind == "candles" and not has_ohlc(main):
        st.caption(t("fx.close_only", name=name))
    if view.cny and (second is None or second.empty):
        st.caption(t("fx.no_cny", name=fx_view.series_name(view.cny_symbol, L)))

# --- the rate around each event -----------------------------------------------------------------------
st.subheader(t("fx.around"))
window_events = events_in_window(events, view.start, view.end)
if window_events:
    # folded, and built only when opened: its grid, laid out while the chart draws, delayed the chart by a
    # quarter of a second (the pins' key under the chart names every event already)
    moves_box = st.expander(t("fx.around_box", count=len(window_events), days=fx_view.FWD_DAYS),
                            icon=":material/table_rows:", key=MOVES, on_change="rerun")
    if moves_box.open:
        with moves_box:
            _moves_table(window_events)
else:
    st.info(t("fx.no_events"))

# --- the reader's own notes ---------------------------------------------------------------------------
st.subheader(t("fx.my_notes"))
if notes_mode() == "shared":
    st.caption(t("fx.notes_shared_server", label_max=LABEL_MAX, note_max=NOTE_MAX))
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
            st.button(t("fx.delete"), key=f"fx_del_{row.id}", icon=":material/delete:",
                      on_click=_on_delete, args=(store_root, str(row.id), notebook or SHARED_NOTEBOOK))
else:
    st.caption(t("fx.no_notes"))
if shared_notes is not None:
    st.markdown("**" + t("fx.shared_notes") + "**")
    if len(shared_notes):
        for row in shared_notes.itertuples(index=False):
            day = pd.Timestamp(row.date).date().isoformat()
            st.text(f"☆ {day} · {row.label}" + (f"\n{row.note}" if row.note else ""))
    else:
        st.caption(t("fx.no_shared_notes"))
notebook_panel(share_path="fx")  # the key to another device (on request), and the read-only share link

# --- what the numbers are -----------------------------------------------------------------------------
with st.expander(t("fx.where_from"), expanded=False):
    st.markdown("\n".join(f"- {source_note(sym, words(L))}" for sym in SYMBOLS))
    st.markdown(t("timeline.fx_sources_yahoo") + "\n\n" + t("timeline.fx_sources_ecb"))
    try:
        provenance = loaders.snapshot().series
    except StoreError:
        provenance = {}
    for sym in (view.symbol, view.cny_symbol):
        info = provenance.get(sym, {})
        if info:
            source = fx_view.source_words(info.get("source", ""), L)
            st.caption(t("fx.stored_from", name=fx_view.series_name(sym, L), source=source))
