"""One claim's path (pure): its series from the reference to each horizon's end, with the rule drawn on it.

Lines: each measured series on each source (baskets as indices at 100 on the reference; an
``outperform`` claim's single symbols rebased to 100 too).  On top: the threshold band (the level
and the side claimed, the no-move band, or the reference line for a direction claim), a marker at
the reference and at each horizon's end (its verdict in the hover), a dotted line at each horizon's
end (the primary one solid), the events in between as numbered badges in the headroom above the lines
(:mod:`commentary.charts.pin_numbers`; the page prints their key under the chart), and a mark where the two
sources of a rate differ by more than :data:`DIVERGENCE_PCT` %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.palette import apply_date_axis, colours, identity
from commentary.charts.pin_numbers import NARROW_PLOT_PX, add_numbered_pins
from commentary.charts.pins import esc, keep_labels_off_data, label_px
from commentary.scoring.claims import Reading
from commentary.scoring.combine import divergences
from commentary.scoring.rules import basket_name
from commentary.scoring.summary import format_measured, source_label, verdict_label
from commentary.text.formatting import fmt_number
from commentary.timeline.events import Event, events_in_window
from commentary.words import Words
from data_sources.market.universe import instrument

if TYPE_CHECKING:
    from commentary.document.model import Claim

DIVERGENCE_PCT = 1.5
LEAD_IN_DAYS = 10
VERDICT_COLOURS: dict[str, str] = {"held": "#1a7f37", "failed": "#c62828", "source-dependent": "#b26a00",
                                   "too early": "#6e7781", "judged later": "#6e7781", "no data": "#6e7781"}
_DASH = {"yahoo": "solid", "ecb": "dot", "data": "solid"}
PHONE_PLOT_PX = 330  # the plot's width on a 390 px phone: labels are laid out so that they do not overlap there
MAX_DIVERGENCE_LABELS = 1  # Yahoo vs ECB gaps: the largest gets a text label, the others a marker with hover


def _labelled_horizons(claim: Claim, start: pd.Timestamp, stop: pd.Timestamp, words: Words) -> set[str]:
    """Ids of the horizons whose end gets a text label: the primary first, then the others in time order,
    each only if its label does not overlap a placed one on a :data:`PHONE_PLOT_PX`-wide plot."""
    span = max((stop - start).days, 1)
    shown = [h for h in claim.horizons if start <= pd.Timestamp(h.end) <= stop]
    order = sorted(shown, key=lambda h: (h.id != claim.primary, pd.Timestamp(h.end)))
    placed: list[tuple[float, float]] = []
    out: set[str] = set()
    for horizon in order:
        centre = (pd.Timestamp(horizon.end) - start).days / span * PHONE_PLOT_PX
        half = label_px(("★ " if horizon.id == claim.primary else "") + horizon.label(words)) / 2
        box = (centre - half, centre + half)
        if all(box[1] + 4 < lo or box[0] - 4 > hi for lo, hi in placed):
            placed.append(box)
            out.add(horizon.id)
    return out


def _name(label: str, source: str, words: Words, two_sources: bool) -> str:
    """A line's legend name: a basket's name, or a symbol's name from the universe (whose names of a rate held by
    two sources already say which); the source is added when two sources of one rate are drawn."""
    inst = instrument(label)
    if inst is None:
        base = basket_name(label, words)
        return f"{base} ({source_label(source, words)})" if two_sources else base
    if two_sources:
        return inst.name(words.language)
    return words("chart_compare.symbol_name", name=inst.name(words.language), symbol=inst.symbol)


def claim_path_figure(claim: Claim, readings: Sequence[Reading],
                      paths: dict[str, dict[str, tuple[pd.Series, pd.Timestamp, float]]],
                      events: Sequence[Event], words: Words, last_day: pd.Timestamp | None = None,
                      ) -> go.Figure:
    """The path figure of ``claim`` from :func:`commentary.scoring.claims.claim_paths` and its readings, in the
    reader's ``words``.

    ``last_day`` cuts every line (as-of mode: nothing after what was known).
    """
    fig = go.Figure()
    rebase = claim.rule.type == "outperform"
    two = len(paths) > 1
    refs = [ref for lines in paths.values() for _, ref, _ in lines.values()]
    if not refs:
        fig.add_annotation(text=words("scoring_words.no_prices"), x=0.5, y=0.5,
                           xref="paper", yref="paper", showarrow=False)
        return fig
    start = min(refs) - pd.Timedelta(days=LEAD_IN_DAYS)
    ends = [pd.Timestamp(h.end) for h in claim.horizons]
    stop = max(ends)
    if last_day is not None:
        stop = min(stop, pd.Timestamp(last_day))
    reference_level = None
    drawn: dict[str, pd.Series] = {}
    palette = colours(dict.fromkeys(label for lines in paths.values() for label in lines))  # one colour per series
    for source, lines in paths.items():
        for label, (level, ref_date, ref_value) in lines.items():
            shown = level.loc[start:stop]
            if rebase and ref_value:
                shown = shown / ref_value * 100.0
                ref_value = 100.0
            if shown.empty:
                continue
            drawn[f"{source}:{label}"] = shown
            name = _name(label, source, words, two)
            fig.add_trace(go.Scatter(x=shown.index, y=shown.values, mode="lines", name=esc(name),
                                     line=dict(width=2, dash=_DASH.get(source, "solid"), color=palette[label]),
                                     legendgroup=identity(label),
                                     hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<extra>" + esc(name) + "</extra>"))
            fig.add_trace(go.Scatter(x=[ref_date], y=[ref_value], mode="markers", showlegend=False,
                                     marker=dict(symbol="circle-open", size=10, color="#333"),
                                     name="reference", hovertemplate=words("scoring_words.reference_hover",
                                                                   point="%{x|%Y-%m-%d}: %{y:,.2f}")
                                     + "<extra></extra>"))
            reference_level = ref_value if reference_level is None else reference_level
    rule_levels = _rule_band(fig, claim, reference_level, words)
    by_horizon = {(r.horizon, r.source): r for r in readings}
    labelled = _labelled_horizons(claim, start, stop, words)
    for horizon in claim.horizons:
        end = pd.Timestamp(horizon.end)
        if end > stop or end < start:
            continue
        primary = horizon.id == claim.primary
        fig.add_vline(x=end, line=dict(color="#444" if primary else "#aaa", width=1.5 if primary else 1,
                                       dash="solid" if primary else "dot"))
        texts = []
        for source in paths:
            reading = by_horizon.get((horizon.id, source))
            if reading is None:
                continue
            texts.append(f"{source_label(source, words)}: {verdict_label(reading.verdict, words)} "
                         f"{format_measured(reading.measured, reading.unit, words)}")
            for label, value in reading.end_values.items():
                y = value
                if rebase:
                    y = value / reading.reference_values.get(label, value) * 100.0 if value else value
                fig.add_trace(go.Scatter(
                    x=[pd.Timestamp(reading.end_date)], y=[y], mode="markers", showlegend=False,
                    name=f"end:{horizon.id}", marker=dict(size=9, color=VERDICT_COLOURS.get(reading.verdict, "#666")),
                    hovertemplate=esc(f"{horizon.label(words)} — {texts[-1]}") + "<extra></extra>"))
        if horizon.id in labelled:  # the others keep their line and their verdict in the end markers' hover
            label = ("★ " if primary else "") + horizon.label(words)
            fig.add_annotation(x=end, y=1.0, yref="paper", text=esc(label), showarrow=False, yanchor="bottom",
                               font=dict(size=10), hovertext=esc("; ".join(texts)), name=f"horizon:{horizon.id}")
    _divergence_marks(fig, paths, start, stop, words)
    lo = min(refs)
    # numbered badges over the lines' headroom, laid out for a phone's plot; the page prints their key
    add_numbered_pins(fig, events_in_window(events, lo.date(), stop.date()), words, (start, stop),
                      plot_px=NARROW_PLOT_PX)
    values = [v for series in drawn.values() for v in (float(series.min()), float(series.max()))]
    values += [v for v in rule_levels if math.isfinite(v)]
    if values:
        keep_labels_off_data(fig, min(values), max(values))
    fig.update_layout(height=440, margin=dict(l=10, r=10, t=40, b=10), hovermode="closest",
                      legend=dict(orientation="h", yanchor="top", y=-0.1, xanchor="left", x=0,
                                  font=dict(size=11)),
                      yaxis=dict(title=words("scoring_words.rebased_axis") if rebase or any(
                          ":" in k and k.split(":", 1)[1] in ("cn_tech", "us_bigtech") for k in drawn) else None))
    # level date ticks, few enough for a phone's ~290 px plot: rotated ones ran into the legend below
    fig.update_xaxes(nticks=4, tickangle=0)
    return apply_date_axis(fig, words)  # Korean date ticks on Korean pages


def _rule_band(fig: go.Figure, claim: Claim, reference: float | None, words: Words) -> list[float]:
    """Draw the claim's rule on ``fig``; returns the y values it drew (they must stay in view, under the pins)."""
    p = claim.rule.params
    if claim.rule.type in ("level", "stays", "touches"):
        level = float(p["level"])
        below = p["side"] == "below"
        edge = level * (0.97 if below else 1.03)
        fig.add_hline(y=level, line=dict(color="#8e44ad", dash="dash", width=1), name=f"level:{level:g}")
        fig.add_hrect(y0=level, y1=edge, fillcolor="#8e44ad", opacity=0.07, line_width=0, name="claimed side")
        side = "scoring_words.level_below" if below else "scoring_words.level_above"
        fig.add_annotation(x=1, xref="paper", y=level, text=esc(words(side, level=fmt_number(level, 0))),
                           showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=10, color="#8e44ad"))
        return [level, edge]
    if reference is None or not math.isfinite(reference):
        return []
    if claim.rule.type == "no_move":
        thr = float(p["threshold_pct"]) / 100.0
        low, high = reference * (1 - thr), reference * (1 + thr)
        fig.add_hrect(y0=low, y1=high, fillcolor="#8e44ad", opacity=0.08, line_width=0, name="no-move band")
        fig.add_annotation(x=1, xref="paper", y=high, showarrow=False, xanchor="right",
                           yanchor="bottom", font=dict(size=10, color="#8e44ad"),
                           text=esc(f"±{fmt_number(p['threshold_pct'], 1)}%"))
        return [low, high]
    if claim.rule.type == "direction":
        thr = float(p["threshold_pct"]) / 100.0
        fig.add_hline(y=reference, line=dict(color="#555", dash="dash", width=1), name="reference line")
        if thr <= 0:
            return [reference]
        target = reference * (1 + (-1 if p["direction"] == "down" else 1) * thr)
        fig.add_hline(y=target, line=dict(color="#8e44ad", dash="dot", width=1))
        return [reference, target]
    fig.add_hline(y=100.0, line=dict(color="#555", dash="dash", width=1), name="reference line")
    return [100.0]


def _divergence_marks(fig: go.Figure, paths: dict[str, dict[str, tuple[pd.Series, pd.Timestamp, float]]],
                      start: pd.Timestamp, stop: pd.Timestamp, words: Words) -> None:
    if set(paths) != {"yahoo", "ecb"}:
        return
    yahoo, ecb = list(paths["yahoo"].values()), list(paths["ecb"].values())
    if len(yahoo) != 1 or len(ecb) != 1:
        return
    gaps = divergences(yahoo[0][0].loc[start:stop], ecb[0][0].loc[start:stop], DIVERGENCE_PCT)
    if gaps.empty:
        return
    largest = set(gaps["gap_pct"].abs().sort_values(ascending=False).index[:MAX_DIVERGENCE_LABELS])
    hover = []
    for index, row in zip(gaps.index, gaps.itertuples(index=False), strict=True):
        text = words("scoring_words.divergence", gap=fmt_number(row.gap_pct, 1, sign=True))
        hover.append(esc(f"{row.date:%Y-%m-%d}: {text}"))
        if index in largest:
            fig.add_annotation(x=row.date, y=row.a, text=esc(text), showarrow=True, arrowhead=2, ax=0, ay=30,
                               font=dict(size=10, color="#b26a00"), name=f"divergence:{row.date:%Y-%m-%d}")
    fig.add_trace(go.Scatter(x=list(gaps["date"]), y=list(gaps["a"]), mode="markers", showlegend=False,
                             name="divergences", marker=dict(symbol="diamond-open", size=9, color="#b26a00"),
                             hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
