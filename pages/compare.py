"""US vs China: US big tech against Chinese tech, rebased at the column's weekend, with the event-day moves.

The view lives in the address (``?base=…&start=…&end=…&us=…&cn=…&bench=…&ccy=…&fx=…&w=…&day=…&pins=1``), kept in
step with the widgets by one :class:`ui.view_state.ViewBinding`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from commentary.analysis import compare_lines as cl
from commentary.analysis.analytics import coverage_problems
from commentary.analysis.event_day import event_day_moves
from commentary.charts.compare import compare_figure
from commentary.charts.pins import add_event_pins, keep_labels_off_data
from commentary.text.safe_text import md_escape
from commentary.timeline.events import EventsError, events_in_window
from data_sources.errors import InputError
from data_sources.store.atomic import StoreError
from ui import chrome, column_answer, compare_panels, loaders
from ui import compare_view as cv
from ui.i18n import lang, t
from ui.news_strip import pinned_news_events, render_news_strip
from ui.plot import plot
from ui.problems import say
from ui.view_state import ViewBinding
from ui.words import words

NEWS_TAGS = ("deepseek", "qwen", "nvidia", "china_tech", "semiconductors")  # the page's themes, for its news
ANSWER_GROUPS = ("us_bigtech", "cn_tech", "us_index", "cn_index")  # the column's calls answered on this page
#: The page's own words for the chart's roles (:data:`commentary.charts.compare.KEYS`).
CHART_KEYS = {"until": "compare.until", "base_marker": "compare.base_marker", "compare_y": "compare.chart_y"}


# --------------------------------------------------------------------------- cached computations (one per need)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _defaults(version: str) -> tuple[cv.CompareView, tuple[dt.date, dt.date], tuple[dt.date, ...]] | None:
    """The opening view, the data's first and last dates, and the trading days (for the YTD button)."""
    del version  # cache key only
    prices = loaders.prices()
    view, span = cv.default_view(prices), cl.data_span(prices)
    return None if view is None or span is None else (view, span, cl.trading_days(prices))


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def _lines(version: str, view: cv.CompareView, w_us: tuple | None, w_cn: tuple | None) -> tuple[cl.Lines, list]:
    del version
    prices = loaders.prices()
    lines = cl.compare_lines(prices, view, dict(w_us) if w_us else None, dict(w_cn) if w_cn else None)
    chosen = list(dict.fromkeys(view.us + view.cn + view.bench))
    problems = coverage_problems(prices[prices["symbol"].isin(chosen)], chosen, view.start, view.end, view.base)
    return lines, problems


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _moves(version: str, day: dt.date, language: str) -> pd.DataFrame:
    del version
    moves = event_day_moves(loaders.prices(), day, words(language), event_time=cl.event_time(day))
    return cl.moves_frame(moves, words(language))


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def _main_figure(levels: pd.DataFrame, names: tuple, base: dt.date, language: str, events: tuple,
                 news: tuple, title: tuple[str, str]) -> go.Figure:
    """The rebased chart with its pins (a shared resource: building Plotly figures is the slow part of a run;
    the cached figure is never mutated). Pins' labels get a band of their own above the lines."""
    fig = compare_figure(levels, dict(names), base, words(language), highlight=set(cl.BASKET_KEYS), title=title,
                         keys=CHART_KEYS)
    fig.update_layout(height=540)
    for pins in (events, news):
        if pins:
            add_event_pins(fig, list(pins), words(language))
    values = levels.to_numpy(dtype="float64")
    if events or news:
        keep_labels_off_data(fig, float(np.nanmin(values)), float(np.nanmax(values)))
    return fig


def _weights(view: cv.CompareView) -> tuple[dict | None, dict | None]:
    """Per-basket weights from the view's text (a bad text: its message, and equal weights)."""
    if not view.weights:
        return None, None
    try:
        return cl.split_weights(cl.parse_weights(view.weights), view.us, view.cn)
    except InputError as exc:
        st.error(t("compare.weights_error", message=md_escape(cv.say_problem(exc.problem, lang()))),
                 icon=":material/error:")
        return None, None


# --------------------------------------------------------------------------- page

chrome.page_header(t("compare.title"), compact=True)  # the answer and the chart reach a phone's first screen
LANG = lang()
try:
    version = loaders.store_version()
    setup = _defaults(version)
except StoreError as exc:
    st.error(t("safety.store_unreadable", reason=md_escape(say(exc, LANG), 500)))  # the message may quote a file
    st.stop()
if setup is None:
    st.info(t("compare.no_prices"))
    st.stop()
default, (first, last), days = setup
answer = st.container()  # the lead column's calls on these series: filled once the chart is on its way

BINDING = ViewBinding(
    compare_panels.K, cv.CompareView, parse=lambda query, fallback: cv.parse_query(query, fallback, first, last),
    to_query=cv.to_query, to_widgets=cv.to_widgets, from_widgets=cv.from_widgets)
BINDING.open(default)
view = BINDING.commit()
for problem in BINDING.problems():
    st.warning(md_escape(cv.say_problem(problem, LANG)), icon=":material/link_off:")  # the address is anyone's text
if view.start > view.end:
    st.warning(t("compare.swapped", start=view.start.isoformat(), end=view.end.isoformat()))
    view = replace(view, start=view.end, end=view.start)
w_us, w_cn = _weights(view)
compute_view = replace(view, day=cl.DEFAULT_EVENT_DAY, pins=False, weights="")  # what the lines depend on
try:
    lines, coverage = _lines(version, compute_view, tuple(w_us.items()) if w_us else None,
                             tuple(w_cn.items()) if w_cn else None)
except InputError as exc:
    st.error(t("compare.weights_error", message=md_escape(cv.say_problem(exc.problem, LANG))), icon=":material/error:")
    w_us = w_cn = None
    lines, coverage = _lines(version, compute_view, None, None)

# ---- the chart
levels = cl.in_window(lines.levels, view.start, view.end)
names = cv.line_names(levels.columns, LANG)
if not view.us or not view.cn:
    st.info(t("compare.choose_members"))
if levels.empty:
    st.info(t("compare.nothing"))
else:
    event_pins: tuple = ()
    if view.pins:
        try:
            event_pins = tuple(events_in_window(loaders.events(), view.start, view.end))
        except EventsError as exc:
            st.warning(t("compare.events_unreadable", reason=md_escape(exc, 300)))
    drawn = levels.dropna(how="all").index
    title = (t("compare.chart_title", ccy=cv.currency_words(view.ccy, LANG), start=drawn.min().date().isoformat(),
               end=drawn.max().date().isoformat()), t("compare.chart_basis", base=view.base.isoformat()))
    plot(_main_figure(levels, tuple(names.items()), view.base, LANG, event_pins,
                      tuple(pinned_news_events("cmp_news")), title), key="cmp_chart")
column_answer.show(answer, ANSWER_GROUPS, LANG)
compare_panels.controls(BINDING, first, last, days)
st.caption(t("compare.about"))
if coverage or lines.left_out:
    text = ""
    if lines.left_out:
        left_out = ", ".join(cl.symbol_name(s, words(LANG)) for s in lines.left_out)
        text += md_escape(t("compare.left_out", names=left_out))
        text += "\n\n"
    text += "\n".join(f"- {md_escape(line)}" for line in cv.word_notes(coverage, LANG))
    st.warning(text, icon=":material/warning:")
if not levels.empty:
    render_news_strip(view.start, view.end, key="cmp_news", tags=NEWS_TAGS)
st.caption(t("compare.basis", ccy=cv.currency_words(view.ccy, LANG)))
if lines.notes:
    st.caption(t("compare.conversion", notes="; ".join(md_escape(n) for n in cv.word_notes(lines.notes, LANG))))

compare_panels.analyses(levels, view, bool(w_us or w_cn), BINDING, first, last,
                        lambda day: _moves(version, day, LANG))
