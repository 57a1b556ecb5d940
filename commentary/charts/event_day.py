"""One event day's moves as a chart (pure): a horizontal bar per symbol, its % change from the last close
before the event to the first after it, largest fall at the top.

The table (:func:`commentary.charts.sections.event_day_table`) stays the source of the numbers; this is
the same rows drawn so that a phone reads them without scrolling a grid sideways.  Symbols without a move
(no close on one side) are left out of the bars and counted in the title.  Every text is escaped.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.pins import esc
from commentary.words import Words

UP_COLOUR = "#1a7f37"
DOWN_COLOUR = "#c62828"
BAR_PX = 30  # pixels per bar
MIN_HEIGHT = 300  # every chart at least 300 px tall (phones too)


def event_day_figure(table: pd.DataFrame, words: Words, title: str = "") -> go.Figure:
    """Bars of ``table``'s ``change_pct`` by ``name`` (columns of ``event_day_table``); ``title`` on top, with
    the count of symbols without a move in the reader's ``words`` (``catalog/<lang>/chart_fx.toml``)."""
    rows = table[pd.to_numeric(table["change_pct"], errors="coerce").map(
        lambda v: v is not None and math.isfinite(v))].copy() if len(table) else table
    rows = rows.sort_values("change_pct", ascending=False, kind="stable")  # plotly draws the last row on top
    missing = len(table) - len(rows)
    fig = go.Figure()
    if len(rows):
        values = [float(v) for v in rows["change_pct"]]
        names = [esc(n) for n in rows["name"]]
        sessions = rows["session"] if "session" in rows else [None] * len(rows)
        notes = rows["note"] if "note" in rows else [""] * len(rows)
        hovers = [esc(f"{name} ({sym}) · {_day(session)}" + (f" · {note}" if isinstance(note, str) and note else ""))
                  for name, sym, session, note in zip(rows["name"], rows["symbol"], sessions, notes, strict=True)]
        fig.add_trace(go.Bar(
            x=values, y=names, orientation="h", name="change_pct",
            marker=dict(color=[UP_COLOUR if v >= 0 else DOWN_COLOUR for v in values]),
            text=[f"{v:+.1f}%" for v in values], textposition="outside", cliponaxis=False,
            hovertext=hovers, hovertemplate="%{hovertext}<br>%{x:+.2f}%<extra></extra>", showlegend=False))
        span = max(abs(v) for v in values) or 1.0
        fig.update_xaxes(range=[min(0.0, min(values)) - span * 0.3, max(0.0, max(values)) + span * 0.3],
                         ticksuffix="%", zeroline=True, zerolinecolor="#888")
    else:
        fig.add_annotation(text=words("chart_fx.event_day.empty"), x=0.5, y=0.5,
                           xref="paper", yref="paper", showarrow=False)
    if missing:
        title += " · " + words("chart_fx.event_day.missing", count=missing)
    fig.update_layout(title=dict(text=esc(title), font=dict(size=13), x=0, xanchor="left"),
                      height=max(MIN_HEIGHT, 70 + BAR_PX * len(rows)), margin=dict(l=10, r=10, t=36, b=10),
                      yaxis=dict(automargin=True), bargap=0.25)
    return fig


def _day(value: object) -> str:
    stamp = pd.Timestamp(value) if value is not None and not (isinstance(value, float) and math.isnan(value)) else None
    return "—" if stamp is None or pd.isna(stamp) else f"{stamp:%Y-%m-%d}"
