"""The "US vs China" page's pieces below and beside its chart: the controls (range buttons, currency, the folded
settings panel) and the folded analyses (window statistics, spread and drawdown, event-day moves).

The widgets are keyed through the page's :class:`ui.view_state.ViewBinding`; every word comes from the catalogs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from commentary.analysis import compare_lines as cl
from commentary.analysis.analytics import PRESETS, drawdown, spread_pp
from commentary.charts.compare import drawdown_figure, spread_figure
from commentary.text.safe_text import md_escape
from ui import compare_view as cv
from ui.i18n import lang, t
from ui.plot import plot
from ui.tables import EVENT_DAY_ORDER, event_day_columns
from ui.view_state import ViewBinding
from ui.words import words

K = "cmp_"
SETTINGS, ANALYSES, MORE = K + "settings", K + "analyses", K + "more"
#: The page's own words for the spread and drawdown charts' roles (:data:`commentary.charts.compare.KEYS`).
CHART_KEYS = {"spread_y": "compare.spread_y", "spread_unit": "compare.spread_unit", "drawdown_y": "compare.drawdown_y"}


def _names(symbols: tuple[str, ...]) -> Callable[[str], str | None]:
    """A format_func with the names fixed now (AppTest calls it outside the script run)."""
    return {s: cl.symbol_name(s, words(lang())) for s in symbols}.get


def _words(keys: dict[str, str]) -> Callable[[str], str | None]:
    """A format_func worded now, in this run's language (AppTest calls it outside the script run)."""
    return {value: t(key) for value, key in keys.items()}.get


def _on_preset(binding: ViewBinding, first: dt.date, last: dt.date, days: tuple[dt.date, ...]) -> None:
    preset = st.session_state.get(K + "preset")
    if preset:
        start, end = cv.preset_window(preset, st.session_state[binding.key("base")], first, last, days)
        st.session_state[binding.key("start")], st.session_state[binding.key("end")] = start, end


def _on_base_text(binding: ViewBinding, first: dt.date, last: dt.date, days: tuple[dt.date, ...]) -> None:
    """A typed base date applies on Enter (a text field: no calendar over it); a bad one says why."""
    typed = st.session_state.get(binding.key("base_text"), "")
    day, problem = cv.parse_base_text(typed, first, last)
    if day is None:
        st.session_state[K + "base_error"] = t(cv.BASE_PROBLEMS[problem], value=md_escape(typed, 40),
                                               first=first.isoformat(), last=last.isoformat())
        return
    st.session_state.pop(K + "base_error", None)
    st.session_state[binding.key("base")] = day
    _on_preset(binding, first, last, days)


def _on_window_date() -> None:
    st.session_state[K + "preset"] = None


def controls(binding: ViewBinding, first: dt.date, last: dt.date, days: tuple[dt.date, ...]) -> None:
    """Range buttons and currency (pills: they wrap on a phone instead of running off its edge), then the folded
    settings panel (its widgets are built only when it is open)."""
    key = binding.key
    st.pills(t("compare.window"), PRESETS, key=K + "preset", format_func=_words(cv.PRESET_WORDS),
             on_change=_on_preset, args=(binding, first, last, days), help=t("compare.window_help"))
    st.radio(t("compare.currency"), cl.CURRENCIES, key=key("ccy"), horizontal=True,
             format_func=_words(cv.CCY_CHOICES))
    panel = st.expander(t("compare.settings"), icon=":material/tune:", key=SETTINGS, on_change="rerun")
    if not panel.open:
        return
    state = st.session_state
    with panel:
        c1, c2, c3 = st.columns(3)
        c1.text_input(t("compare.base_input"), key=key("base_text"), max_chars=10, on_change=_on_base_text,
                      args=(binding, first, last, days))
        if state.get(K + "base_error"):
            c1.error(state[K + "base_error"])
        c2.date_input(t("compare.from"), min_value=first, max_value=last, key=key("start"), format="YYYY-MM-DD",
                      on_change=_on_window_date)
        c3.date_input(t("compare.to"), min_value=first, max_value=last, key=key("end"), format="YYYY-MM-DD",
                      on_change=_on_window_date)
        m1, m2 = st.columns(2)
        m1.multiselect(t("compare.us_members"), cl.US_MEMBERS, format_func=_names(cl.US_MEMBERS), key=key("us"))
        m2.multiselect(t("compare.cn_members"), cl.CN_MEMBERS, format_func=_names(cl.CN_MEMBERS), key=key("cn"))
        st.multiselect(t("compare.benchmarks"), cl.BENCHMARKS, format_func=_names(cl.BENCHMARKS), key=key("bench"))
        b2, b3 = st.columns([1, 2])
        b2.radio(t("compare.weighting"), ["equal", "fixed"], key=key("weighting"),
                 format_func=_words(cv.WEIGHTING_WORDS))
        b3.text_input(t("compare.weights"), key=key("weights"), placeholder="NVDA=30, MSFT=20, AAPL=50",
                      disabled=state[key("weighting")] != "fixed", help=t("compare.weights_help"))
        f2, f3 = st.columns(2)
        f2.radio(t("compare.fx_source"), cl.FX_SOURCES, key=key("fx"), horizontal=True,
                 format_func=_words(cv.SOURCE_WORDS), disabled=state[key("ccy")] == "local")
        f3.checkbox(t("compare.pins"), key=key("pins"))


# --------------------------------------------------------------------------- the folded analyses


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def _basket_figures(baskets: pd.DataFrame, names: tuple, language: str,
                    titles: tuple[str, str]) -> tuple[go.Figure, go.Figure]:
    """Spread (China − US, pp) and drawdown of the two baskets, under ``titles`` (worded with their window)."""
    said = words(language)
    spread = spread_figure(spread_pp(baskets[cl.CN_KEY], baskets[cl.US_KEY]), said, keys=CHART_KEYS,
                           title=titles[0])
    dd = pd.DataFrame({col: drawdown(baskets[col]) for col in baskets.columns})
    return spread, drawdown_figure(dd, said, dict(names), keys=CHART_KEYS, title=titles[1])


def _stats_tab(levels: pd.DataFrame, view: cv.CompareView, weighted: bool) -> None:
    """Each line's return, volatility and drawdown over the window, and the table as CSV."""
    stats = cv.stats_frame(levels, lang())
    lo, hi = cv.stats_window(stats, view)
    ccy = cv.currency_words(view.ccy, lang())
    weights = t("compare.weights_fixed") if weighted else t("compare.weights_equal")
    st.caption(t("compare.stats_basis", ccy=ccy, start=lo.isoformat(), end=hi.isoformat(),
                 base=view.base.isoformat(), weights=weights))
    st.dataframe(stats, hide_index=True, width="stretch", column_order=cv.STATS_ORDER, column_config={
        "series": st.column_config.TextColumn(t("compare.col_key")),
        "name": st.column_config.TextColumn(t("compare.col_name"), pinned=True),
        "total_return_pct": st.column_config.NumberColumn(
            t("compare.col_return", ccy=ccy, start=lo.isoformat(), end=hi.isoformat()), format="%+.2f%%"),
        "volatility_pct": st.column_config.NumberColumn(t("compare.col_volatility"), format="%.1f"),
        "max_drawdown_pct": st.column_config.NumberColumn(t("compare.col_drawdown"), format="%.2f%%"),
        "first": st.column_config.DateColumn(t("compare.col_first"), format="YYYY-MM-DD"),
        "last": st.column_config.DateColumn(t("compare.col_last"), format="YYYY-MM-DD"),
        "observations": st.column_config.NumberColumn(t("compare.col_days"), format="%d"),
    })
    st.download_button(t("compare.download"), icon=":material/download:",
                       data=stats.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig"),
                       file_name=f"us-vs-china-stats-{view.base}-{view.ccy}.csv", mime="text/csv")


def _baskets_tab(levels: pd.DataFrame, view: cv.CompareView) -> None:
    """The China − US spread and each basket's drawdown."""
    keys = list(cl.BASKET_KEYS)
    if not (set(keys) <= set(levels.columns) and levels[keys].notna().any().all()):
        st.info(t("compare.need_both"))
        return
    window = {"ccy": cv.currency_words(view.ccy, lang()), "start": view.start.isoformat(), "end": view.end.isoformat()}
    titles = (t("compare.spread_title", **window), t("compare.drawdown_title", **window))
    names = cv.line_names(keys, lang())
    spread_fig, drawdown_fig = _basket_figures(levels[keys], tuple(names.items()), lang(), titles)
    left, right = st.columns(2)
    plot(spread_fig, key=K + "spread", where=left)
    plot(drawdown_fig, key=K + "drawdown", where=right)


def _day_tab(binding: ViewBinding, first: dt.date, last: dt.date, moves: Callable[[dt.date], pd.DataFrame]) -> None:
    """Every member's move on one event day, in local currency."""
    st.date_input(t("compare.event_day"), key=binding.key("day"), format="YYYY-MM-DD", min_value=first,
                  max_value=last)
    st.caption(t("compare.event_day_caption"))
    st.dataframe(moves(st.session_state[binding.key("day")]), hide_index=True, width="stretch",
                 column_config=event_day_columns(True), column_order=EVENT_DAY_ORDER)


def analyses(levels: pd.DataFrame, view: cv.CompareView, weighted: bool, binding: ViewBinding, first: dt.date,
             last: dt.date, moves: Callable[[dt.date], pd.DataFrame]) -> None:
    """One of three analyses at a time, folded under the chart (tabs that build only the open one). Built only when
    opened: an open statistics grid under the chart delayed the chart itself by ~0.4 s (benchmarks browser)."""
    box = st.expander(t("compare.analyses"), icon=":material/query_stats:", on_change="rerun", key=ANALYSES)
    if not box.open:
        return
    draws = (lambda: _stats_tab(levels, view, weighted), lambda: _baskets_tab(levels, view),
             lambda: _day_tab(binding, first, last, moves))
    with box:
        labels = (t("compare.tab_stats"), t("compare.tab_baskets"), t("compare.tab_day"))
        for tab, draw in zip(st.tabs(labels, key=MORE, on_change="rerun"), draws, strict=True):
            if tab.open:
                with tab:
                    draw()
