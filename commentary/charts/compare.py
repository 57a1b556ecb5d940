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

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "compare_title": "Rebased to 100 on {base}",
        "compare_title_ccy": "In {ccy}, 100 = close of {base}",
        "ccy_local": "local currency",
        "change_since": "{pct} since {base}",
        "until": "to {date}",
        "compare_y": "Index (base = 100)",
        "date": "Date",
        "base_marker": "Base {base}",
        "spread_title": "China basket minus US basket",
        "spread_y": "Percentage points",
        "spread_unit": "pp",
        "drawdown_title": "Drawdown from the window's peak",
        "drawdown_y": "% below peak",
    },
    "ko": {
        "compare_title": "{base} = 100 기준 환산",
        "compare_title_ccy": "{ccy} 기준, {base} 종가 = 100",
        "ccy_local": "현지 통화",
        "ccy_KRW": "원화",
        "ccy_USD": "달러",
        "change_since": "{base} 이후 {pct}",
        "until": "{date}까지",
        "compare_y": "지수 (기준일 = 100)",
        "date": "날짜",
        "base_marker": "기준일 {base}",
        "spread_title": "중국 바스켓 − 미국 바스켓",
        "spread_y": "퍼센트포인트(%p)",
        "spread_unit": "%p",
        "drawdown_title": "기간 내 고점 대비 하락률",
        "drawdown_y": "고점 대비 %",
    },
}

_THIN, _THICK = 1.5, 3.5


def _labels(lang: str, overrides: Mapping[str, str] | None) -> dict[str, str]:
    """The label strings for ``lang`` ("ko" or "en"; anything else falls back to English)."""
    labels = dict(LABELS.get(lang, LABELS["en"]))
    if overrides:
        labels.update(overrides)
    return labels


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


def _pct(value: float, lang: str) -> str:
    return "–" if not math.isfinite(value) else f"{value - 100:+.1f}%"


def _date_words(value: object, lang: str) -> str:
    ts = pd.Timestamp(value)
    return f"{ts.year}년 {ts.month}월 {ts.day}일" if lang == "ko" else ts.strftime("%b %-d, %Y")


def compare_figure(
    levels: pd.DataFrame,
    names: Mapping[str, str],
    base_date: object,
    lang: str,
    highlight: frozenset[str] | set[str] = frozenset(),
    labels: Mapping[str, str] | None = None,
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
    A line that ends before the others says where in its legend entry (``labels["until"]``), so no two changes
    side by side cover different windows silently. The legend sits below the plot. Each trace's
    ``legendgroup`` is its series identity (:func:`commentary.charts.palette.identity`).
    ``labels`` overrides entries of :data:`LABELS`.
    """
    words = _labels(lang, labels)
    base = _iso(base_date)
    fig = go.Figure()
    palette = colours(levels.columns)
    day = hover_date(lang)
    window_end = levels.dropna(how="all").index.max() if len(levels) else None
    for col in levels.columns:
        series = levels[col].dropna()
        thick = col in highlight
        last = float(series.iloc[-1]) if len(series) else float("nan")
        name = _safe(names.get(col, col))
        change = _pct(last, lang)
        if len(series) and window_end is not None and series.index[-1] < window_end:
            change += " (" + _safe(words["until"].format(date=_date_words(series.index[-1], lang))) + ")"
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
                       text=_safe(words["base_marker"].format(base=base)))
    if title is not None:
        pass
    elif currency is None:
        title = words["compare_title"].format(base=base)
    else:
        ccy = words.get(f"ccy_{currency}", currency)
        title = words["compare_title_ccy"].format(ccy=ccy, base=_date_words(base_date, lang))
    lines = [title] if isinstance(title, str) else list(title)
    _base_layout(fig, lines[0], words["date"], words["compare_y"])
    if len(lines) > 1:  # escaped line by line, joined by Plotly's own line break
        fig.update_layout(title={"text": "<br>".join(_safe(line) for line in lines), "font": {"size": 15}})
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0,
                              "itemclick": "toggle", "itemdoubleclick": "toggleothers"},
                      margin={"t": 60 + 24 * (len(lines) - 1), "r": 20, "b": 20, "l": 50})
    fig.update_xaxes(title_text=None)
    apply_date_axis(fig, lang)
    return fig


def spread_figure(spread: pd.Series, lang: str, labels: Mapping[str, str] | None = None) -> go.Figure:
    """The China-minus-US spread (percentage points) as one line, with a dashed zero line."""
    words = _labels(lang, labels)
    series = spread.dropna()
    fig = go.Figure(
        go.Scatter(
            x=series.index,
            y=series.to_numpy(),
            mode="lines",
            name=_safe(words["spread_title"]),
            fill="tozeroy",
            line={"color": colours(["CN_BASKET"])["CN_BASKET"]},
            hovertemplate=f"%{{x|{hover_date(lang)}}}<br>%{{y:+.1f}} " + _safe(words["spread_unit"])
            + "<extra></extra>",
        )
    )
    _hline(fig, 0.0)
    _base_layout(fig, words["spread_title"], words["date"], words["spread_y"])
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title_text=None)
    return apply_date_axis(fig, lang)


def drawdown_figure(
    dd: pd.DataFrame,
    lang: str,
    names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """One drawdown line (≤ 0, in %) per column of ``dd``, named via ``names`` when given."""
    words = _labels(lang, labels)
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
                hovertemplate=f"%{{x|{hover_date(lang)}}}<br>%{{fullData.name}}: %{{y:.1f}}%<extra></extra>",
            )
        )
    _hline(fig, 0.0)
    _base_layout(fig, words["drawdown_title"], words["date"], words["drawdown_y"])
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.15, "xanchor": "left", "x": 0})
    fig.update_xaxes(title_text=None)
    return apply_date_axis(fig, lang)
