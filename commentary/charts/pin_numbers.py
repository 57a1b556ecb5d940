"""Numbered event pins for charts read on a phone: a small numbered badge per event, and a key of the numbers.

Full-text labels cannot fit a 390 px screen when five events fall in one week, and the server does not know
the reader's screen width. So each event gets a badge holding only its number (1, 2, … in date order), laid
out for the narrowest plot we support (:data:`NARROW_PLOT_PX`): badges go on two rows, and a badge that would
touch its neighbour is moved sideways (a pixel offset, with a leader line back to its date). Offsets are in
pixels, so on any wider screen the dates spread out while the offsets stay: badges that do not overlap at the
narrow width never overlap at a wider one. The page prints the key (number, date, label) under the chart,
from ``fig.layout.meta["pins"]``; every badge's hover has the full note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.pins import EVENT_SYMBOL, KIND_COLOURS, _overlay_axis, esc, hover_text, label_width
from commentary.timeline.events import Event
from commentary.words import Words

NARROW_PLOT_PX = 210.0  # plot-area width on a 360 px phone (page padding, y ticks and margins taken off)
BADGE_FONT = 11
BADGE_CELL_PX = 8.0  # a bold digit at BADGE_FONT px, generously
BADGE_PAD_PX = 2  # plotly's borderpad, on each side
BADGE_GAP_PX = 3.0  # clear space between two badges on a row
ROW_Y = (0.94, 0.85, 0.76, 0.67)  # badge rows, as fractions of the plot height (top row first; as few as fit)
NOTE_LEVEL_STEP = 0.07  # between reader-note label levels: 18 px of a ~255 px phone plot, a 15 px label box
LEADER_PX = 9  # a badge sits this many pixels above its line's top, so its leader line shows


@dataclass(frozen=True)
class PinKey:
    """One line of the key under a chart: the badge's number, the event's date text and label."""

    number: int
    event_id: str
    date: str
    label: str
    kind: str


def badge_text(number: int) -> str:
    """The badge's visible text."""
    return str(number)


def badge_width_px(text: str) -> float:
    """Estimated badge width in pixels (text cells × a bold digit's width, plus the padding and border)."""
    return label_width(text) * BADGE_CELL_PX + 2 * BADGE_PAD_PX + 2


def choose_rows(anchors: Sequence[float], widths: Sequence[float], rows: int = 2,
                gap: float = BADGE_GAP_PX) -> list[int]:
    """Row for each badge (anchors in pixels, ascending): the first row whose last badge it does not touch
    when centred on its own date; when every row is taken, the row whose last badge ends first."""
    ends = [float("-inf")] * rows
    out = []
    for x, w in zip(anchors, widths, strict=True):
        left = x - w / 2
        free = [r for r in range(rows) if ends[r] + gap <= left]
        row = free[0] if free else min(range(rows), key=lambda r: (ends[r], r))
        out.append(row)
        ends[row] = max(ends[row], x + w / 2)
    return out


def dodge(anchors: Sequence[float], widths: Sequence[float], lo: float, hi: float,
          gap: float = BADGE_GAP_PX) -> list[float]:
    """Badge centres on one row (anchors ascending, in pixels): each as near its anchor as it can be, in
    anchor order, ``gap`` apart, inside ``lo``..``hi``. Touching badges form a cluster centred on its anchors'
    mean; clusters are merged until none touch (the classic 1-D label placement)."""
    clusters: list[list[int]] = []  # each a run of badge indices
    centres: list[float] = []

    def place(members: list[int]) -> list[float]:
        total = sum(widths[i] for i in members) + gap * (len(members) - 1)
        mean = sum(anchors[i] for i in members) / len(members)
        left = min(max(mean - total / 2, lo), max(hi - total, lo))
        out, cursor = [], left
        for i in members:
            out.append(cursor + widths[i] / 2)
            cursor += widths[i] + gap
        return out

    for i in range(len(anchors)):
        clusters.append([i])
        centres.extend(place([i]))
        while len(clusters) > 1:
            last, prev = clusters[-1], clusters[-2]
            prev_right = centres[prev[-1]] + widths[prev[-1]] / 2
            last_left = centres[last[0]] - widths[last[0]] / 2
            if prev_right + gap <= last_left + 1e-9:
                break
            merged = prev + last
            clusters[-2:] = [merged]
            centres[merged[0]:merged[-1] + 1] = place(merged)
    return centres


def layout_badges(anchors: Sequence[float], widths: Sequence[float], plot_px: float = NARROW_PLOT_PX,
                  gap: float = BADGE_GAP_PX, max_rows: int = len(ROW_Y)) -> list[tuple[int, float]]:
    """``(row, centre)`` in pixels for badges at ``anchors`` (ascending) on a ``plot_px``-wide plot: on the
    fewest rows (from two) where every row's badges fit side by side inside the plot."""
    for rows in range(min(2, max_rows), max_rows + 1):
        chosen = choose_rows(anchors, widths, rows, gap)
        out: list[tuple[int, float]] = [(0, 0.0)] * len(anchors)
        fits = True
        for row in range(rows):
            members = [i for i, r in enumerate(chosen) if r == row]
            fits &= sum(widths[i] for i in members) + gap * max(len(members) - 1, 0) <= plot_px
            centres = dodge([anchors[i] for i in members], [widths[i] for i in members], 0.0, plot_px, gap)
            for i, centre in zip(members, centres, strict=True):
                out[i] = (row, centre)
        if fits:
            break
    return out


def add_numbered_pins(fig: go.Figure, events: Iterable[Event], words: Words, window: tuple[pd.Timestamp, pd.Timestamp],
                      *, plot_px: float = NARROW_PLOT_PX, xref: str = "x", yref: str = "y") -> list[PinKey]:
    """Pin ``events`` on ``fig`` (in place) as numbered badges over dotted lines (ranges: a shaded band);
    returns the key, which is also kept in ``fig.layout.meta["pins"]``. ``window`` is the x range the chart
    opens on: badges are laid out for it at ``plot_px`` pixels wide (see the module docstring)."""
    events = sorted(events, key=lambda e: (e.anchor, e.id))
    x0, x1 = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    span = max((x1 - x0).total_seconds(), 1.0)
    anchors = [(pd.Timestamp(e.anchor) - x0).total_seconds() / span * plot_px for e in events]
    texts = [badge_text(n) for n in range(1, len(events) + 1)]
    widths = [badge_width_px(t) for t in texts]
    placed = layout_badges(anchors, widths, plot_px)
    domain = f"{yref} domain"
    key: list[PinKey] = []
    xs, ys, hovers, colours = [], [], [], []
    for number, (event, text, anchor, (row, centre)) in enumerate(zip(events, texts, anchors, placed, strict=True),
                                                                   start=1):
        colour = KIND_COLOURS.get(event.kind, "#444444")
        x, y = pd.Timestamp(event.anchor), ROW_Y[row]
        tag = f"event:{event.id}"
        if event.is_range:
            fig.add_shape(type="rect", xref=xref, yref=domain, x0=x, x1=pd.Timestamp(event.end) + pd.Timedelta(days=1),
                          y0=0, y1=1, fillcolor=colour, opacity=0.13, line_width=0, layer="below", name=f"band:{tag}")
        fig.add_shape(type="line", xref=xref, yref=domain, x0=x, x1=x, y0=0, y1=y, layer="below",
                      line=dict(color=colour, width=1, dash="dot"), name=f"line:{tag}")
        fig.add_annotation(
            x=x, y=y, xref=xref, yref=domain, text=esc(text), showarrow=True, arrowhead=0, arrowwidth=1,
            arrowcolor=colour, ax=round(centre - anchor, 1), ay=-LEADER_PX, standoff=0,
            font=dict(size=BADGE_FONT, color="white", weight="bold"), bgcolor=colour, bordercolor="white",
            borderwidth=1, borderpad=BADGE_PAD_PX, hovertext=hover_text(event, words), name=f"label:{tag}",
        )
        date = event.anchor.isoformat() if not event.is_range else f"{event.start} ~ {event.end}"
        key.append(PinKey(number, event.id, date, event.label(words.language), event.kind))
        xs.append(x)
        ys.append(y)
        hovers.append(hover_text(event, words))
        colours.append(colour)
    if events:  # the line tops as a trace: hover works there too, and the legend names the pins
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=words("pins.events"), xaxis=xref,
            yaxis=_overlay_axis(fig, xref, yref), hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>",
            hoverlabel=dict(align="left"), marker=dict(color=colours, size=5, symbol=EVENT_SYMBOL),
            meta="event-pins"))
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    meta["pins"] = [k.__dict__ for k in key]
    fig.update_layout(meta=meta)
    return key


def key_from_figure(fig: go.Figure | dict) -> list[PinKey]:
    """The key a figure built with :func:`add_numbered_pins` carries (empty for any other figure)."""
    layout = fig.get("layout", {}) if isinstance(fig, dict) else fig.layout.to_plotly_json()
    meta = layout.get("meta") or {}
    return [PinKey(**item) for item in meta.get("pins", [])] if isinstance(meta, dict) else []
