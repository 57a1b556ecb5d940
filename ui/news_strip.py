"""The news strip beside a price chart: a short digest of the window's news, then — folded — the counts per
day, that day's items and a toggle pinning them on the chart.

Price-chart pages use it in two steps (pins must exist before the chart is drawn)::

    events += pinned_news_events("fx")          # before drawing the price chart
    ...                                         # draw the price chart with the pins
    render_news_strip(start, end, key="fx")     # below the chart
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from catalog import text
from commentary.charts.news import news_pins, news_strip_figure
from commentary.text.safe_text import md_escape
from commentary.timeline.events import Event
from data_sources.errors import DashboardError, Problem
from data_sources.news import views
from data_sources.news.tagging import tag_labels
from ui.details import folded_detail
from ui.i18n import lang, t
from ui.news_items import _news, _news_version, coverage_note, digest, load_news_cached, render_items
from ui.plot import plot
from ui.problems import words
from ui.words import words as reader_words

DIGEST_TOP = 5  # items shown beside a chart before "more"
DIGEST_MORE = 20  # further items behind "more"
PIN_MAX = 6  # pins drawn on a price chart for one day (all on one date: each takes a label level)


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def _strip_parts(root: str, version: str, first: dt.date, last: dt.date, code: str) -> tuple[go.Figure, pd.Series]:
    """The strip figure and the item count per day for a window (shared, never mutated: no copy per run)."""
    news = _news(root, version)
    counts = views.daily_tag_counts(news, first, last)
    return news_strip_figure(counts, reader_words(code), tag_labels(code)), _days_with_items(news, first, last)


# ---------------------------------------------------------------- the strip


def selected_day(selection: object) -> dt.date | None:
    """The day of the first clicked bar in a ``st.plotly_chart`` selection state (None when nothing is picked)."""
    try:
        points = selection["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        points = getattr(getattr(selection, "selection", None), "points", None)
    for point in points or []:
        value = point.get("customdata") or point.get("x") if isinstance(point, Mapping) else None
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        try:
            stamp = pd.Timestamp(str(value)[:10]) if value else None
        except ValueError:
            stamp = None
        if stamp is not None and not pd.isna(stamp):
            return stamp.date()
    return None


def _days_with_items(news: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    usable = news[news["published"].notna() & news["date_flag"].ne("absurd")]
    days = views.local_days(usable["published"])
    days = days[(days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))]
    return days.dt.date.value_counts().sort_index()


def _update_pin(key: str) -> None:
    """Callback: keep ``{key}_pin_day`` in step with the toggle and the chosen day."""
    on = st.session_state.get(f"{key}_pin", False)
    day = st.session_state.get(f"{key}_day")
    st.session_state[f"{key}_pin_day"] = day.isoformat() if on and isinstance(day, dt.date) else None


def render_news_strip(start: object, end: object, key: str, tags: Iterable[str] = ()) -> None:
    """Beside a price chart: a short digest of the window's news matching ``tags`` (top
    :data:`DIGEST_TOP`, "more" expands), then — folded — the counts per day (click a bar or pick a day), that
    day's items and a toggle pinning them on the chart.

    The toggle stores the pinned day in ``st.session_state[f"{key}_pin_day"]`` (ISO string or None);
    :func:`pinned_news_events` reads it on the next run, before the price chart is drawn.
    """
    code = lang()
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    st.session_state.setdefault(f"{key}_pin_day", None)
    wanted = tuple(tags)
    try:
        labels = tag_labels(code)  # a broken tag rules file raises here, a damaged store below
        news = load_news_cached()
        picked = digest(news, first, last, wanted)
    except Exception as exc:  # a store or tag rules problem must not break the price page above
        st.markdown("##### " + t("news.strip.title"))
        said = words(exc if isinstance(exc, DashboardError) else Problem("unknown", {"code": type(exc).__name__}),
                     code)
        st.warning(t("news.strip.unreadable", reason=md_escape(said.text, 300)))
        folded_detail([said.detail], code)
        return
    st.markdown("##### " + t("news.strip.title")
                + (" · " + ", ".join(md_escape(labels.get(tag, tag), 40) for tag in wanted) if wanted else ""))
    if picked.empty:
        st.caption(t("news.strip.none_related"))
    else:
        render_items(picked.head(DIGEST_TOP), code, compact=True)
        more = picked.iloc[DIGEST_TOP:DIGEST_TOP + DIGEST_MORE]
        if len(more):  # folded, "more" costs nothing: its items are built only when opened
            more_panel = st.expander(t("news.strip.more", n=len(picked) - DIGEST_TOP),
                                     key=f"{key}_more", on_change="rerun")
            if more_panel.open:
                with more_panel:
                    render_items(more, code, compact=True)
                    if len(picked) > DIGEST_TOP + DIGEST_MORE:
                        st.caption(t("news.strip.rest"))
    for kept in (f"{key}_pin", f"{key}_day", f"{key}_chart_seen"):  # the folded panel's widgets keep their state
        if kept in st.session_state:
            st.session_state[kept] = st.session_state[kept]
    panel = st.expander(t("news.strip.panel"),
                        icon=":material/bar_chart:", expanded=bool(st.session_state.get(f"{key}_pin")),
                        key=f"{key}_panel", on_change="rerun")
    if panel.open:  # folded, it costs nothing: the count chart and its widgets are built only when opened
        with panel:
            _day_picker(news, first, last, key, code)


def _day_picker(news: pd.DataFrame, first: dt.date, last: dt.date, key: str, code: str) -> None:
    """The count chart, a day selector, the pin toggle and the chosen day's items (tagged first)."""
    figure, per_day = _strip_parts(*_news_version(), first, last, code)
    event = plot(figure, key=f"{key}_chart", on_select="rerun", selection_mode="points")
    if per_day.empty:
        st.caption(t("news.strip.none"))
        st.session_state[f"{key}_pin_day"] = None
        return
    st.caption(coverage_note(news, first, last, code))
    options = list(per_day.index)
    day_key, seen_key = f"{key}_day", f"{key}_chart_seen"
    clicked = selected_day(event)
    if clicked != st.session_state.get(seen_key):
        st.session_state[seen_key] = clicked
        if clicked in options:
            st.session_state[day_key] = clicked
    if st.session_state.get(day_key) not in options:
        st.session_state[day_key] = per_day.idxmax()
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    said = reader_words(code)
    left.selectbox(t("news.strip.day"), options, key=day_key,
                   format_func=lambda d: text(code, "news.strip.day_option", day=said.date(d), n=per_day[d]),
                   on_change=_update_pin, args=(key,))
    right.toggle(t("news.strip.pin"), key=f"{key}_pin",
                 on_change=_update_pin, args=(key,))
    day = st.session_state[day_key]
    wanted = day.isoformat() if st.session_state.get(f"{key}_pin") else None
    if st.session_state.get(f"{key}_pin_day") != wanted:  # a bar click changed the day: redraw the pins
        st.session_state[f"{key}_pin_day"] = wanted
        st.rerun()
    items = views.items_on_day(news, day)
    ranked = items.assign(_n=items["tags"].map(len)).sort_values("_n", ascending=False, kind="stable")
    render_items(ranked.drop(columns="_n").head(DIGEST_TOP), code, compact=True)
    if len(items) > DIGEST_TOP:
        st.caption(t("news.strip.and_more", n=len(items) - DIGEST_TOP))


def pinned_news_events(key: str) -> list[Event]:
    """Pins for the day the reader pinned under the chart ``key`` (call before drawing the price chart)."""
    value = st.session_state.get(f"{key}_pin_day")
    if not value:
        return []
    try:
        day = dt.date.fromisoformat(str(value))
        news = load_news_cached()
    except Exception:  # a bad state or an unreadable store: no pins rather than a broken chart
        return []
    return news_pins(pick_pins(views.items_on_day(news, day)), reader_words(lang()))


def pick_pins(items: pd.DataFrame, limit: int = PIN_MAX) -> pd.DataFrame:
    """At most ``limit`` items to pin: those with the most column tags first, then in time order."""
    if len(items) <= limit:
        return items
    ranked = items.assign(_n=items["tags"].map(len)).sort_values("_n", ascending=False, kind="stable")
    return ranked.head(limit).drop(columns="_n").sort_values("published", kind="stable")
