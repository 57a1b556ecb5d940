"""Event pins shared by every time-axis chart: markers with hover notes, staggered labels, shaded ranges.

Pins sit in the top part of a plot area (``y_ref="paper"``: fractions of the row's plot height, via an
invisible overlay y axis so the markers are a real trace and hover works) or at a data value
(``y_ref=<float>``).  Labels of events that are close in time go on successive levels, decided from the
dates alone (:func:`stagger_levels`), so the layout is the same at every screen width.  Every text is
HTML-escaped: reader notes and feed text can never inject markup.  Lines and labels are separate shapes
and annotations (``add_vline(annotation_text=...)`` breaks on date axes).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go

from commentary.timeline.checks import REPORTED
from commentary.timeline.events import USER_KIND, Event
from commentary.words import Words

KIND_COLOURS: dict[str, str] = {
    "politics": "#c0392b",
    "fx": "#1f77b4",
    "ai": "#2ca02c",
    "market": "#ff7f0e",
    "holiday": "#7f7f7f",
    "central_bank": "#17becf",
    "trade": "#8c564b",
}
USER_COLOUR = "#9b30d9"
USER_SYMBOL = "star"
EVENT_SYMBOL = "circle"
N_LEVELS = 8
LEVEL_TOP = 0.97  # fraction of the plot height of the first label level
LEVEL_STEP = 0.05  # fraction of the plot height between levels
DATA_LEVEL_PX = 14  # pixel step between levels when pins sit at a data value
HOVER_WIDTH = 60  # characters per hover line
CHARS_ACROSS = 120  # label character cells that fit across a typical plot width (for staggering)
USER_LEVEL_BOTTOM = 0.04  # reader notes stack upward from the bottom of the plot


def esc(text: object) -> str:
    """Escape text for Plotly's pseudo-HTML (``<``, ``>``, ``&``): always rendered as plain text."""
    return html.escape(str(text), quote=False)


def auto_gap_days(span_days: float) -> int:
    """Minimum label spacing in days for a chart spanning ``span_days``: 1/15 of the span, at least 3."""
    return max(3, math.ceil(span_days / 15))


def label_width(text: str) -> int:
    """Display width of a label in character cells (CJK and other wide characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def label_days(text: str, span_days: float) -> int:
    """Days a label covers on a chart spanning ``span_days`` (assumes ~CHARS_ACROSS cells across the plot)."""
    return math.ceil(label_width(text) * span_days / CHARS_ACROSS)


def label_px(text: str, font_size: float = 10) -> float:
    """Estimated pixel width of a label: 0.6 em per character cell (a Korean glyph is 2 cells, ~1.2 em), plus
    the 6 px shift off its marker and the box padding."""
    return label_width(text) * 0.6 * font_size + 10


def stagger_levels(dates: Sequence[dt.date | pd.Timestamp | str], min_gap_days: int = 7,
                   n_levels: int = N_LEVELS, busy_days: Sequence[int] | None = None,
                   collapse: bool = False, priorities: Sequence[int] | None = None) -> list[int | None]:
    """Label level (0 = first level) for each date, in input order.

    A label occupies its level from its date for ``max(min_gap_days, busy_days[i])`` days. Labels are
    placed by priority (higher first), then in time order (ties keep input order); each takes the lowest
    level where it overlaps no placed label. When none is free it takes the level whose labels end
    soonest — or, with ``collapse=True``, no level (``None``: the caller draws the pin without a label,
    so labels never overlap). Pure date arithmetic: no pixels, fully deterministic.
    """
    if n_levels < 1:
        raise ValueError("n_levels must be at least 1")
    days = [pd.Timestamp(d).normalize() for d in dates]
    spans = [max(min_gap_days, int(b)) for b in busy_days] if busy_days is not None else [min_gap_days] * len(days)
    if len(spans) != len(days):
        raise ValueError("busy_days must have one entry per date")
    ranks = list(priorities) if priorities is not None else [1] * len(days)
    order = sorted(range(len(days)), key=lambda i: (-ranks[i], days[i], i))
    taken: list[list[tuple[pd.Timestamp, pd.Timestamp]]] = [[] for _ in range(n_levels)]
    levels: list[int | None] = [0] * len(days)
    for i in order:
        start, end = days[i], days[i] + pd.Timedelta(days=spans[i])
        free = [lv for lv in range(n_levels) if all(end < s or start > e for s, e in taken[lv])]
        if not free and collapse:
            levels[i] = None
            continue
        level = free[0] if free else min(range(n_levels), key=lambda lv: (max(e for _, e in taken[lv]), lv))
        levels[i] = level
        taken[level].append((start, end))
    return levels


def events_from_annotations(notes: pd.DataFrame | None) -> list[Event]:
    """Reader annotations (``id, date, label, note`` frame from ``data_sources.readers.notes``) as user events."""
    if notes is None or len(notes) == 0:
        return []
    out = []
    for row in notes.itertuples(index=False):
        label, note = str(row.label), str(getattr(row, "note", "") or "")
        out.append(Event(id=str(row.id), kind=USER_KIND, label_ko=label, label_en=label, note_ko=note,
                         note_en=note, source_name="", source_url="", date=pd.Timestamp(row.date).date()))
    return out


def _axis_refs(fig: go.Figure, row: int | None) -> tuple[str, str]:
    """(x ref, y ref) of the primary axes of ``row`` (``"x"``, ``"y"`` when the figure has no grid)."""
    if getattr(fig, "_grid_ref", None) is None:
        return "x", "y"
    sub = fig.get_subplot(row or 1, 1)
    return sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")


def _overlay_axis(fig: go.Figure, xref: str, yref: str) -> str:
    """An invisible 0..1 y axis laid over ``yref`` (created once per base axis and reused)."""
    layout = fig.layout.to_plotly_json()
    for key, axis in layout.items():
        if key.startswith("yaxis") and axis.get("overlaying") == yref and axis.get("uirevision") == "event-pins":
            return "y" + key[5:]
    used = {int(k[5:] or 1) for k in layout if k.startswith("yaxis")}
    used |= {int((t.yaxis or "y")[1:] or 1) for t in fig.data if hasattr(t, "yaxis")}
    number = max(used | {1}) + 1
    fig.update_layout({f"yaxis{number}": dict(
        overlaying=yref, anchor=xref, range=[0, 1], visible=False, fixedrange=True,
        showgrid=False, zeroline=False, uirevision="event-pins",
    )})
    return f"y{number}"


def _date_text(event: Event, words: Words) -> str:
    text = event.anchor.isoformat() if not event.is_range else f"{event.start} ~ {event.end}"
    return words("pins.us_date", date=text) if event.date_basis == "US" else text


def pin_label(event: Event, words: Words, user: bool = False) -> str:
    """The pin's label in the reader's language; a reader's own note says so (``(my note) …``)."""
    label = event.label(words.language)
    return words("pins.my_note", label=label) if user else label


def _wrap(text: str) -> str:
    lines = []
    for para in str(text).splitlines() or [""]:
        lines += textwrap.wrap(para, HOVER_WIDTH) or [""]
    return "<br>".join(esc(line) for line in lines)


def hover_text(event: Event, words: Words, user: bool = False) -> str:
    """Hover box: label, date, the full note, publisher and URL, then what only the source reports (all escaped)."""
    parts = [f"<b>{esc(pin_label(event, words, user))}</b>", esc(_date_text(event, words))]
    note = event.note(words.language)
    if note:
        parts.append(_wrap(note))
    if event.source_name:
        parts.append(esc(words("pins.source", source=event.source_name)))
    if event.source_url:
        parts.append(esc(event.source_url))
    for source, whats in event.reported_by():  # figures only the source has: say so
        names = words("timeline.list_separator").join(words(REPORTED[w]) for w in whats)
        parts.append(_wrap(words("timeline.reported_line", source=source, what=names)))
    return "<br>".join(parts)


def add_event_pins(fig: go.Figure, events: Iterable[Event], words: Words, y_ref: str | float = "paper",
                   row: int | None = None, user: bool = False, *, min_gap_days: int | None = None,
                   n_levels: int = N_LEVELS, plot_px: float | None = None,
                   level_step: float = LEVEL_STEP) -> go.Figure:
    """Pin ``events`` on ``fig`` (in place; returned for chaining).

    Point events get a dotted vertical line, a marker (hover = full note, publisher, URL) and a short
    label; ranges get a shaded band from their first day to the day after their last, plus marker and
    label at the start.  ``user=True`` styles reader notes apart (star marker, own colour, "(my note)").
    Labels are staggered by :func:`stagger_levels`: events from the top down, reader notes from the
    bottom up; a pin that finds no free level keeps its line, marker and hover but shows no label
    (collapsed), so labels never pile on top of each other in a long window.  A label keeps its level
    busy for ``min_gap_days`` (default :func:`auto_gap_days` of the span covered by the figure's data and
    the events) or the days its text covers, whichever is longer; with ``plot_px`` (the narrowest plot width
    the chart must read at) the days a label covers come from its pixel width (:func:`label_px`) at that width,
    so labels that do not overlap there do not overlap on any wider screen. ``level_step``: the paper fraction
    between levels (larger for a short plot, so that two levels' boxes never touch).
    """
    events = sorted(events, key=lambda e: (e.anchor, e.id))
    if not events:
        return fig
    xref, yref = _axis_refs(fig, row)
    on_paper = isinstance(y_ref, str)
    if on_paper and y_ref != "paper":
        raise ValueError(f"y_ref must be 'paper' or a number, got {y_ref!r}")
    labels = [pin_label(e, words, user) for e in events]
    span = _span_days(fig, events)
    if min_gap_days is None:
        min_gap_days = auto_gap_days(span)
    busy = ([label_days(text, span) for text in labels] if plot_px is None
            else [math.ceil(label_px(text) / plot_px * span) + 1 for text in labels])
    levels = stagger_levels([e.anchor for e in events], min_gap_days, n_levels, busy_days=busy, collapse=True,
                            priorities=[e.priority for e in events])
    pin_y = _overlay_axis(fig, xref, yref) if on_paper else yref
    domain = f"{yref} domain"
    xs, ys, hovers, colours = [], [], [], []
    for event, label, slot in zip(events, labels, levels, strict=True):
        colour = USER_COLOUR if user else KIND_COLOURS.get(event.kind, "#444444")
        level = n_levels - 1 if slot is None else slot  # a collapsed pin: marker and hover, no label
        x = pd.Timestamp(event.anchor)
        level_y = float(y_ref) if not on_paper else (
            USER_LEVEL_BOTTOM + level * level_step if user else LEVEL_TOP - level * level_step)
        tag = f"{'user' if user else 'event'}:{event.id}"
        if event.is_range:
            fig.add_shape(type="rect", xref=xref, yref=domain, x0=x, x1=pd.Timestamp(event.end) + pd.Timedelta(days=1),
                          y0=0, y1=1, fillcolor=colour, opacity=0.13, line_width=0, layer="below", name=f"band:{tag}")
        else:
            top = level_y if on_paper and not user else 1
            fig.add_shape(type="line", xref=xref, yref=domain, x0=x, x1=x, y0=0, y1=top, layer="below",
                          line=dict(color=colour, width=1, dash="dash" if user else "dot"), name=f"line:{tag}")
        if slot is not None:
            fig.add_annotation(
                x=x, y=level_y, xref=xref, yref=pin_y if not on_paper else domain, text=esc(label),
                showarrow=False, xanchor="left", yanchor="middle", xshift=6,
                yshift=0 if on_paper else 8 + level * DATA_LEVEL_PX, font=dict(size=10, color=colour),
                bgcolor="rgba(255,255,255,0.75)", name=f"label:{tag}",
            )
        xs.append(x)
        ys.append(level_y)
        hovers.append(hover_text(event, words, user))
        colours.append(colour)
    name = words("pins.my_notes") if user else words("pins.events")
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", name=name, xaxis=xref, yaxis=pin_y, hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>", hoverlabel=dict(align="left"),
        marker=dict(color=colours, size=11 if user else 8, symbol=USER_SYMBOL if user else EVENT_SYMBOL,
                    line=dict(color="white", width=1)),
        meta="user-pins" if user else "event-pins",
    ))
    return fig


def _span_days(fig: go.Figure, events: Sequence[Event]) -> float:
    """Days covered by the figure's x data and the events (the chart's time span, without pixels)."""
    stamps = [pd.Timestamp(e.anchor) for e in events] + [pd.Timestamp(e.last_day) for e in events]
    for trace in fig.data:
        x = getattr(trace, "x", None)
        if x is not None and len(x):
            values = pd.to_datetime(pd.Series(list(x)), errors="coerce").dropna()
            if len(values):
                stamps += [values.min(), values.max()]
    return float((max(stamps) - min(stamps)).days) if stamps else 0.0


def add_reference_line(fig: go.Figure, y: float, label: str, row: int | None = None,
                       colour: str = "#555555", at: str = "right", side: str = "above") -> go.Figure:
    """A dashed horizontal line at ``y`` across the row's plot, labelled (escaped) at its ``at`` end ("right" or
    "left"), ``side`` ("above" or "below") the line."""
    xref, yref = _axis_refs(fig, row)
    fig.add_shape(type="line", xref=f"{xref} domain", yref=yref, x0=0, x1=1, y0=y, y1=y,
                  line=dict(color=colour, width=1, dash="dash"), name=f"refline:{y}")
    fig.add_annotation(x=1 if at == "right" else 0, y=y, xref=f"{xref} domain", yref=yref, text=esc(label),
                       showarrow=False, xanchor=at, yanchor="bottom" if side == "above" else "top",
                       font=dict(size=10, color=colour), name=f"refline:{y}")
    return fig


def keep_labels_off_data(fig: go.Figure, low: float, high: float, row: int | None = None) -> go.Figure:
    """Set the row's y range so the data (``low``..``high``) stays below the lowest event label drawn on the
    paper levels, and reader-note labels (bottom up) stay below the data: labels never sit on the lines."""
    if not math.isfinite(low) or not math.isfinite(high):
        return fig
    top_levels = [a.y for a in fig.layout.annotations if str(a.name or "").startswith("label:event:")]
    user_levels = [a.y for a in fig.layout.annotations if str(a.name or "").startswith("label:user:")]
    if not top_levels and not user_levels:
        return fig
    _xref, yref = _axis_refs(fig, row)
    axis = "yaxis" + yref[1:]
    fig.update_layout({axis: dict(range=range_between_labels(low, high, top_levels, user_levels), autorange=False)})
    return fig


def range_between_labels(low: float, high: float, top_levels: list[float], note_levels: list[float],
                         top_default: float = 0.98, floor_default: float = 0.02) -> list[float]:
    """A y range that puts the data (``low``..``high``) under the lowest top label and above the highest
    reader-note label (both as paper fractions; without labels, ``top_default`` / ``floor_default``)."""
    ceiling = (min(top_levels) - LEVEL_STEP) if top_levels else top_default  # paper fraction the data may reach
    floor = (max(note_levels) + LEVEL_STEP) if note_levels else floor_default
    span = (high - low) or abs(high) * 0.02 or 1.0
    total = span / max(ceiling - floor, 0.2)
    return [low - floor * total, low - floor * total + total]
