"""Plotly figure builders for the "US vs China" comparison page (pure: data in, go.Figure out).

Reference lines are drawn as layout shapes plus separate annotations, never
with ``add_vline(annotation_text=...)``, which fails on date axes. Display
names are stripped of ``<``/``>`` so no caller text can inject Plotly's
HTML-like markup, and hover templates read names via ``%{fullData.name}`` or ``%{meta}`` so
a ``%{...}`` in a name is not interpreted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.palette import apply_date_axis, colours, hover_date, identity
from commentary.words import Words

#: Each of the figures' words by its role: the catalog key saying it (``catalog/*/chart_compare.toml``). A caller
#: may name another key for a role (``keys=``); the builder fills the role's parameters (``{date}``, ``{base}``).
KEYS: dict[str, str] = {
    "compare_title": "chart_compare.compare_title",
    "compare_title_ccy": "chart_compare.compare_title_ccy",
    "until": "chart_compare.until",
    "compare_y": "chart_compare.compare_y",
    "date": "chart_compare.date",
    "base_marker": "chart_compare.base_marker",
    "spread_title": "chart_compare.spread_title",
    "spread_y": "chart_compare.spread_y",
    "spread_unit": "chart_compare.spread_unit",
    "drawdown_title": "chart_compare.drawdown_title",
    "drawdown_y": "chart_compare.drawdown_y",
}
#: A currency code's words in a title (another code is shown as it is).
CCY_KEYS: dict[str, str] = {"local": "chart_compare.ccy_local", "KRW": "chart_compare.ccy_KRW",
                            "USD": "chart_compare.ccy_USD"}

_THIN, _THICK = 1.5, 3.5


def _keys(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """Each role's catalog key, ``overrides`` (role → key) taking precedence."""
    return {**KEYS, **(overrides or {})}


def _safe(text: object) -> str:
    """Display text with Plotly's markup brackets neutralised."""
    return str(text).replace("<", "‹").replace(">", "›")


def _iso(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _hline(fig: go.Figure, y: float) -> None:
    fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y,
                  line={"dash": "dash", "width": 1, "color": "gray"}, layer="below")


def _base_layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> None:
    fig.update_layout(
        title={"text": _safe(title)},
        xaxis_title=_safe(x_title),
        yaxis_title=_safe(y_title),
        hovermode="closest",
        legend={"itemclick": "toggle", "itemdoubleclick": "toggleothers"},
        margin={"t": 60, "r": 20, "b": 40, "l": 60},
    )


def _pct(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value - 100:+.1f}%"


def compare_figure(
    levels: pd.DataFrame,
    names: Mapping[str, str],
    base_date: object,
    words: Words,
    highlight: frozenset[str] | set[str] = frozenset(),
    keys: Mapping[str, str] | None = None,
    currency: str | None = None,
    title: str | Sequence[str] | None = None,
) -> go.Figure:
    """One line per column of rebased ``levels`` (dates × series), baskets in ``highlight`` drawn thicker.

    ``names`` maps column → display name (the column itself when absent); each legend entry adds the
    line's % change from the base (100) to its last value in ``levels``. Colours come from the shared
    palette, keyed by column. Each trace holds only its column's non-NaN points. Adds a dashed line at
    100, a vertical line at ``base_date`` (shape) and its label (annotation). With ``currency`` ("KRW",
    "USD" or "local") the title names the currency and the base date; ``title`` (already worded; a sequence of
    lines is drawn one under the other, so a phone's narrow chart does not cut it) replaces it.
    A line that ends before the others says where in its legend entry (role ``until``), so no two changes
    side by side cover different windows silently. The legend sits below the plot. Each trace's
    ``legendgroup`` is its series identity (:func:`commentary.charts.palette.identity`).
    ``keys`` names another catalog key for a role of :data:`KEYS`.
    """
    key = _keys(keys)
    base = _iso(base_date)
    fig = go.Figure()
    palette = colours(levels.columns)
    day = hover_date(words)
    window_end = levels.dropna(how="all").index.max() if len(levels) else None
    for col in levels.columns:
        series = levels[col].dropna()
        thick = col in highlight
        last = float(series.iloc[-1]) if len(series) else float("nan")
        name = _safe(names.get(col, col))
        change = _pct(last)
        if len(series) and window_end is not None and series.index[-1] < window_end:
            change += " (" + _safe(words(key["until"], date=words.date(series.index[-1]))) + ")"
        fig.add_trace(
            go.Scatter(
                x=series.index,
                y=series.to_numpy(),
                mode="lines",
                name=f"{name}  {change}",
                legendgroup=identity(str(col)),
                meta=name,
                line={"width": _THICK if thick else _THIN, "color": palette[col]},
                hovertemplate=f"%{{x|{day}}}<br>%{{meta}}: %{{y:.1f}}<extra></extra>",
            )
        )
    _hline(fig, 100.0)
    fig.add_shape(type="line", xref="x", x0=base, x1=base, yref="paper", y0=0, y1=1,
                  line={"dash": "dot", "width": 1, "color": "gray"}, layer="below")
    fig.add_annotation(x=base, xref="x", y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=_safe(words(key["base_marker"], base=base)))
    if title is not None:
        pass
    elif currency is None:
        title = words(key["compare_title"], base=base)
    else:
        ccy = words(CCY_KEYS[currency]) if currency in CCY_KEYS else currency
        title = words(key["compare_title_ccy"], ccy=ccy, base=words.date(base_date))
    lines = [title] if isinstance(title, str) else list(title)
    _base_layout(fig, lines[0], words(key["date"]), words(key["compare_y"]))
    if len(lines) > 1:  # escaped line by line, joined by Plotly's own line break
        fig.update_layout(title={"text": "<br>".join(_safe(line) for line in lines), "font": {"size": 15}})
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0,
                              "itemclick": "toggle", "itemdoubleclick": "toggleothers"},
                      margin={"t": 60 + 24 * (len(lines) - 1), "r": 20, "b": 20, "l": 50})
    fig.update_xaxes(title_text=None)
    apply_date_axis(fig, words)
    return fig


def spread_figure(spread: pd.Series, words: Words, keys: Mapping[str, str] | None = None,
                  title: str | None = None) -> go.Figure:
    """The China-minus-US spread (percentage points) as one line, with a dashed zero line; ``title`` (already
    worded) replaces the catalog's, ``keys`` names another catalog key for a role of :data:`KEYS`."""
    key = _keys(keys)
    title = words(key["spread_title"]) if title is None else title
    series = spread.dropna()
    fig = go.Figure(
        go.Scatter(
            x=series.index,
            y=series.to_numpy(),
            mode="lines",
            name=_safe(title),
            fill="tozeroy",
            line={"color": colours(["CN_BASKET"])["CN_BASKET"]},
            hovertemplate=f"%{{x|{hover_date(words)}}}<br>%{{y:+.1f}} " + _safe(words(key["spread_unit"]))
            + "<extra></extra>",
        )
    )
    _hline(fig, 0.0)
    _base_layout(fig, title, words(key["date"]), words(key["spread_y"]))
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title_text=None)
    return apply_date_axis(fig, words)


def drawdown_figure(
    dd: pd.DataFrame,
    words: Words,
    names: Mapping[str, str] | None = None,
    keys: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """One drawdown line (≤ 0, in %) per column of ``dd``, named via ``names`` when given; ``title`` (already
    worded) replaces the catalog's, ``keys`` names another catalog key for a role of :data:`KEYS`."""
    key = _keys(keys)
    names = names or {}
    fig = go.Figure()
    palette = colours(dd.columns)
    for col in dd.columns:
        series = dd[col].dropna()
        fig.add_trace(
            go.Scatter(
                x=series.index,
                y=series.to_numpy(),
                mode="lines",
                name=_safe(names.get(col, col)),
                legendgroup=identity(str(col)),
                line={"color": palette[col]},
                hovertemplate=f"%{{x|{hover_date(words)}}}<br>%{{fullData.name}}: %{{y:.1f}}%<extra></extra>",
            )
        )
    _hline(fig, 0.0)
    _base_layout(fig, words(key["drawdown_title"]) if title is None else title, words(key["date"]),
                 words(key["drawdown_y"]))
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.15, "xanchor": "left", "x": 0})
    fig.update_xaxes(title_text=None)
    return apply_date_axis(fig, words)
