"""The AI-news strip under price charts: stacked daily item counts per tag, and a day's items as event pins.

Pure builders (no Streamlit): :func:`news_strip_figure` draws the counts from
``data_sources.news.views.daily_tag_counts``; :func:`news_pins` turns news items into
:class:`~commentary.timeline.events.Event` pins for :func:`commentary.charts.pins.add_event_pins`.
Feed text is untrusted: legend names and hover text are escaped here, pin text by ``add_event_pins``.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.palette import apply_date_axis
from commentary.charts.pins import esc
from commentary.timeline.events import LABEL_MAX, NOTE_MAX, Event
from commentary.words import Words
from data_sources.news.sanitize import plain_text, safe_url, truncate_text

KST = "Asia/Seoul"
STRIP_HEIGHT = 190
TAG_COLOURS: dict[str, str] = {
    "deepseek": "#1f77b4",
    "qwen": "#ff7f0e",
    "nvidia": "#2ca02c",
    "openai": "#7f7f7f",
    "tariffs": "#d62728",
    "semiconductors": "#9467bd",
    "china_tech": "#8c564b",
}
FALLBACK_COLOURS = ("#e377c2", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a")


def tag_colour(tag: str, index: int = 0) -> str:
    """A stable colour for a tag id (known tags have fixed colours; others cycle a palette by ``index``)."""
    return TAG_COLOURS.get(tag, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def news_strip_figure(counts: pd.DataFrame, words: Words, tag_labels: dict[str, str]) -> go.Figure:
    """Stacked bars of news items per day, one trace per tag (in the order tags first appear in ``counts``).

    ``counts`` is ``DataFrame(date, tag, count)`` (every day × tag, zeros included). Tags whose
    count is zero on every day get no trace. The x axis is a date axis spanning every date in
    ``counts``; ``customdata`` holds each bar's ISO day so a click can be mapped back to a day. ``tag_labels``:
    each tag's name in the reader's words; ``words``: the reader's words (``catalog/<lang>/chart_fx.toml``).
    """
    fig = go.Figure()
    count = words("chart_fx.news.count", count="%{y}")  # as Plotly fills it in
    if counts is not None and not counts.empty:
        frame = counts.copy()
        frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
        for index, tag in enumerate(dict.fromkeys(frame["tag"])):
            part = frame[frame["tag"] == tag].sort_values("date")
            if int(part["count"].sum()) == 0:
                continue
            label = esc(tag_labels.get(tag, tag))
            fig.add_trace(go.Bar(
                x=part["date"], y=part["count"], name=label, marker_color=tag_colour(str(tag), index),
                customdata=part["date"].dt.strftime("%Y-%m-%d"),
                hovertemplate=f"%{{customdata}} · {label}: {count}<extra></extra>",
            ))
        days = frame["date"]
        fig.update_xaxes(range=[days.min() - pd.Timedelta(hours=12), days.max() + pd.Timedelta(hours=12)])
    if not fig.data:
        fig.add_annotation(text=words("chart_fx.news.empty"),
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(color="#777777"))
        fig.update_xaxes(visible=False)  # no dates to show (an empty date axis would start in 2000)
    fig.update_layout(
        barmode="stack", height=STRIP_HEIGHT, margin=dict(t=28, b=24, l=40, r=10), bargap=0.15,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=10),
                    traceorder="normal"),
        clickmode="event+select", dragmode=False, hovermode="closest",
    )
    fig.update_xaxes(type="date", showgrid=False)
    fig.update_yaxes(title_text=words("chart_fx.news.y_title"), title_font=dict(size=10), rangemode="tozero",
                     fixedrange=True)
    return apply_date_axis(fig, words)


def _kst_day(stamp: pd.Timestamp):
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(KST).date()


def news_pins(items: pd.DataFrame, words: Words) -> list[Event]:
    """News items (a news frame) as "ai" pins dated on their KST day; undated items are skipped.

    Label = the title shortened to the pin label limit; note = full title and source; the
    source URL is the item's link when it is http(s). Ids are stable (hash of the item's uid). Feed titles come in
    one language; ``words`` only names an untitled item.
    """
    if items is None or items.empty:
        return []
    pins: list[Event] = []
    for row in items.itertuples(index=False):
        published = pd.Timestamp(row.published) if pd.notna(row.published) else None
        if published is None:
            continue
        title = plain_text(row.title) or words("news.untitled")
        source = plain_text(row.source)
        label = truncate_text(title, LABEL_MAX)
        note = truncate_text(f"{title} — {source}" if source else title, NOTE_MAX)
        uid = str(getattr(row, "uid", "") or f"{source}|{title}")
        ident = "news_" + hashlib.sha1(uid.encode("utf-8")).hexdigest()[:12]
        pins.append(Event(id=ident, kind="ai", label_ko=label, label_en=label, note_ko=note, note_en=note,
                          source_name=source, source_url=safe_url(row.link), date=_kst_day(published)))
    return pins
