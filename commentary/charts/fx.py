"""The USD/KRW chart: line or candles, the 1,430 reference line, optional USD/CNY on a second axis, event pins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from commentary.charts.palette import apply_date_axis, colour, dash, hover_date, identity
from commentary.charts.pin_numbers import (
    BADGE_FONT,
    BADGE_PAD_PX,
    LEADER_PX,
    NARROW_PLOT_PX,
    NOTE_LEVEL_STEP,
    ROW_Y,
    add_numbered_pins,
    badge_width_px,
    layout_badges,
)
from commentary.charts.pins import (
    KIND_COLOURS,
    LEVEL_STEP,
    add_event_pins,
    add_reference_line,
    auto_gap_days,
    esc,
    events_from_annotations,
    keep_labels_off_data,
    label_width,
    range_between_labels,
)
from commentary.timeline.events import Event, events_in_window
from commentary.words import Words
from data_sources.market.universe import instrument

# the origin of a known symbol's numbers, by catalog key (any other symbol: ECB or Yahoo Finance, by its source)
ORIGINS: dict[str, str] = {
    "KRW=X": "chart_fx.origin_krw_yahoo",
    "USDKRW_ECB": "chart_fx.origin_krw_ecb",
    "CNY=X": "chart_fx.origin_cny_yahoo",
    "USDCNY_ECB": "chart_fx.origin_cny_ecb",
}


SLIDER_THICKNESS = 0.17  # of the plot area: ~49 px on the page's 600 px chart with its margins


def origin(symbol: str, words: Words) -> str:
    """Where ``symbol``'s numbers come from (publisher, series and when it is taken), without "Source:"."""
    if symbol in ORIGINS:
        return words(ORIGINS[symbol])
    inst = instrument(symbol)
    key = "chart_fx.origin_other_ecb" if inst is not None and inst.source == "ecb" else "chart_fx.origin_other_yahoo"
    return words(key, symbol=symbol)


def source_note(symbol: str, words: Words) -> str:
    """What the chart should say about where ``symbol``'s numbers come from ("Source: …")."""
    return words("chart_fx.source", origin=origin(symbol, words))


def has_ohlc(frame: pd.DataFrame) -> bool:
    """True when every row has open, high and low (candles possible)."""
    cols = ("open", "high", "low")
    return len(frame) > 0 and all(c in frame for c in cols) and bool(frame.loc[:, list(cols)].notna().all().all())


def _name(symbol: str, words: Words) -> str:
    inst = instrument(symbol)
    return inst.name(words.language) if inst is not None else symbol  # the universe's own bilingual name


def _one_symbol(frame: pd.DataFrame, what: str) -> str:
    symbols = sorted(frame["symbol"].astype(str).unique())
    if len(symbols) != 1:
        raise ValueError(f"{what}: expected one FX symbol, got {len(symbols)} ({', '.join(symbols) or 'none'})")
    return symbols[0]


def _wrap_cells(text: str, cells: int) -> list[str]:
    """``text`` split at spaces into lines of at most ``cells`` display cells (Korean counts 2)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and label_width(lines[-1] + " " + word) <= cells:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _fmt_level(value: float, words: Words) -> str:
    return words("unit.won", value=f"{value:,.1f}")


# each range button's words: the window the chart opens on, 1/3/6/12 months back from its end, the whole history
RANGE_BUTTONS = ("chart_fx.range_window", "chart_fx.range_1m", "chart_fx.range_3m", "chart_fx.range_6m",
                 "chart_fx.range_1y", "chart_fx.range_all")
_BACK_MONTHS = (None, 1, 3, 6, 12, None)  # each button's reach back from the window's end (None: see _button_ranges)
CLUSTER_PX = 18.0  # at a button's zoom, events closer than this (at the narrow plot width) share one badge
WIDE = "wide"  # name prefix of the badges laid out for a zoom wider than the opening window


def _button_ranges(window: tuple[pd.Timestamp, pd.Timestamp], history: pd.DataFrame
                   ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The x range of each range button: the opening window; 1, 3, 6, 12 months back from the window's end (as
    Plotly's range selector counted from the opening view); the whole stored history."""
    lo, hi = window
    pad = pd.Timedelta(hours=12)
    out = []
    for months in _BACK_MONTHS:
        if months is not None:
            out.append((hi - pd.DateOffset(months=months), hi))
        elif not out:
            out.append((lo, hi))
        else:
            out.append((min(lo, history["date"].min() - pad), max(hi, history["date"].max() + pad)))
    return out


def _clusters(events: list[Event], x_range: tuple[pd.Timestamp, pd.Timestamp], plot_px: float
              ) -> list[list[tuple[int, Event, float]]]:
    """Events (numbered 1… in date order, as the key) grouped when they sit within :data:`CLUSTER_PX` of the
    group's first at ``x_range`` on a ``plot_px``-wide plot: (number, event, anchor px) per member."""
    x0, x1 = x_range
    span = max((x1 - x0).total_seconds(), 1.0)
    groups: list[list[tuple[int, Event, float]]] = []
    for number, event in enumerate(events, start=1):
        px = (pd.Timestamp(event.anchor) - x0).total_seconds() / span * plot_px
        if groups and px - groups[-1][0][2] <= CLUSTER_PX:
            groups[-1].append((number, event, px))
        else:
            groups.append([(number, event, px)])
    return groups


def add_wide_badges(fig: go.Figure, events: Iterable[Event], words: Words,
                    x_range: tuple[pd.Timestamp, pd.Timestamp], tag: str, plot_px: float = NARROW_PLOT_PX) -> list[str]:
    """Badges for a zoom wider than the window the numbered pins were laid out for: events that would touch
    share one badge (``3–9``: the key's numbers), laid out like the pins for ``x_range``; hidden until a range
    button shows them. Returns the annotations' names (``wide{tag}:…``)."""
    events = sorted(events, key=lambda e: (e.anchor, e.id))  # the key's numbering (add_numbered_pins)
    groups = _clusters(events, x_range, plot_px)
    texts = [str(g[0][0]) if len(g) == 1 else f"{g[0][0]}–{g[-1][0]}" for g in groups]
    anchors = [sum(m[2] for m in g) / len(g) for g in groups]
    placed = layout_badges(anchors, [badge_width_px(t) for t in texts], plot_px)
    x0, x1 = x_range
    names = []
    for group, text, anchor, (row, centre) in zip(groups, texts, anchors, placed, strict=True):
        kinds = {m[1].kind for m in group}
        colour = KIND_COLOURS.get(kinds.pop(), "#444444") if len(kinds) == 1 else "#444444"
        hover = "<br>".join(f"<b>{n}</b> {esc(e.label(words.language))} · {esc(e.anchor.isoformat())}"
                            for n, e, _ in group)
        name = f"{WIDE}{tag}:{group[0][1].id}"
        fig.add_annotation(
            x=x0 + (x1 - x0) * (anchor / plot_px), y=ROW_Y[row], xref="x", yref="y domain", text=esc(text),
            showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=colour, ax=round(centre - anchor, 1),
            ay=-LEADER_PX, standoff=0, font=dict(size=BADGE_FONT, color="white", weight="bold"), bgcolor=colour,
            bordercolor="white", borderwidth=1, borderpad=BADGE_PAD_PX, hovertext=hover, visible=False, name=name)
        names.append(name)
    return names


def _y_range(fig: go.Figure, low: float, high: float, visible: set[str]) -> list[float]:
    """A y range that keeps ``low``..``high`` under the lowest visible top badge and above the visible reader-note
    labels (bottom up), as :func:`~commentary.charts.pins.keep_labels_off_data` does for the opening view."""
    shown = [a for a in fig.layout.annotations if a.name in visible]
    tops = [a.y for a in shown if not str(a.name).startswith("label:user:")]
    notes = [a.y for a in shown if str(a.name).startswith("label:user:")]
    return range_between_labels(low, high, tops, notes, top_default=0.92, floor_default=0.04)


def _range_menu(fig: go.Figure, words: Words, window: tuple[pd.Timestamp, pd.Timestamp], history: pd.DataFrame,
                events: list[Event], numbered: bool) -> dict:
    """Range buttons that set the x range *and* which pins show: the opening window (and any zoom in from it)
    keeps the numbered pins and note labels laid out for it; a wider zoom shows its own set of badges
    (:func:`add_wide_badges`, merged where they would touch), so the badges never pile up at "All"."""
    names = [words(key) for key in RANGE_BUTTONS]
    ranges = _button_ranges(window, history)
    window_span = (window[1] - window[0]).total_seconds()
    wide_sets: dict[int, list[str]] = {}
    for i, (lo, hi) in enumerate(ranges):
        inside = [e for e in events if lo <= pd.Timestamp(e.anchor) <= hi]
        if numbered and (hi - lo).total_seconds() > window_span * 1.001 and inside:
            wide_sets[i] = add_wide_badges(fig, inside, words, (lo, hi), str(i))
    narrow = [i for i, a in enumerate(fig.layout.annotations) if str(a.name or "").startswith(("label:event:",
                                                                                                "label:user:"))]
    buttons = []
    for i, ((lo, hi), label) in enumerate(zip(ranges, names, strict=True)):
        wide = (hi - lo).total_seconds() > window_span * 1.001
        shown = set(wide_sets.get(i, []))
        args: dict = {"xaxis.range": [lo.isoformat(), hi.isoformat()], "xaxis.autorange": False}
        for j, a in enumerate(fig.layout.annotations):
            name = str(a.name or "")
            if name.startswith(WIDE):
                args[f"annotations[{j}].visible"] = name in shown
            elif j in narrow:
                args[f"annotations[{j}].visible"] = not (wide and numbered)
                if not (wide and numbered):
                    shown.add(name)
        part = history[(history["date"] >= lo) & (history["date"] <= hi)]["close"].dropna()
        if i > 0 and len(part):
            args["yaxis.range"] = _y_range(fig, float(part.min()), float(part.max()), shown)
        elif i == 0 and fig.layout.yaxis.range:
            args["yaxis.range"] = list(fig.layout.yaxis.range)
        buttons.append(dict(label=label, method="relayout", args=[args]))
    # right-aligned on the plot's right edge: on a 390 px phone the row then reaches into the left margin
    # instead of running off the right of the screen
    return dict(type="buttons", direction="right", buttons=buttons, active=0, showactive=True, x=1, y=1.06,
                xanchor="right", yanchor="bottom", pad=dict(l=0, r=0, t=0, b=0), font=dict(size=10),
                name="range-buttons")


def fx_figure(rate: pd.DataFrame, *, kind: str = "line", ref_level: float | None = 1430.0,
              second: pd.DataFrame | None = None, events: Iterable[Event] = (),
              user_notes: pd.DataFrame | Iterable[Event] | None = None, source_label: str = "",
              words: Words | None = None, history: pd.DataFrame | None = None, numbered: bool = False,
              title: str | Sequence[str] | None = None) -> go.Figure:
    """USD/KRW (or any one FX symbol of a tidy frame) as a line or candles, with pins and a source line.

    ``kind="candles"`` needs open/high/low on every row; a close-only series (Yahoo KRW=X, ECB) falls
    back to a line and the subtitle says so.  ``second`` (tidy frame of one symbol, e.g. USD/CNY) goes on
    a secondary y axis.  ``events`` are pinned when they fall inside the data's dates; ``user_notes``
    (an annotations frame or events) are pinned in the reader-note style.  ``source_label`` overrides
    the default source line for the main series.

    ``history`` (the same symbol's full stored series) adds range buttons and a range slider over it; the
    x axis opens on ``rate``'s dates (never wider, whatever the pins), the y axis on ``rate``'s values, and
    the pins' labels are laid out for that window, in a band the lines do not reach.

    ``numbered=True`` (the USD/KRW page) pins events as numbered badges laid out to read on a phone, with the
    key in ``fig.layout.meta["pins"]`` for the page to print under the chart (see ``charts.pin_numbers``);
    reader notes keep their labels, spaced for a phone's width too.

    ``title`` (already worded: what is measured, from–to, unit; a sequence of lines is drawn one under the other, so
    a phone's narrow chart does not cut it) replaces the default title. Each trace's
    ``legendgroup`` is its series identity (:func:`commentary.charts.palette.identity`). The range slider is
    :data:`SLIDER_THICKNESS` of the plot (≥ 40 px on the page's 600 px chart: a thumb's height on a phone) and
    shows the whole stored line (its own y range, not the main axis's window).

    ``words``: the reader's words (:class:`commentary.words.Words`; titles, axis, hover unit, source line, range
    buttons from ``catalog/<lang>/chart_fx.toml``); required.
    """
    if words is None:
        raise TypeError("fx_figure() needs the reader's words (words=ui.words.words(lang))")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if rate is None or len(rate) == 0:
        fig.update_layout(title=dict(text=words("chart_fx.no_data_title")))
        fig.add_annotation(text=words("chart_fx.no_data"), x=0.5, y=0.5,
                           xref="paper", yref="paper", showarrow=False)
        return fig
    symbol = _one_symbol(rate, "rate")
    data = rate.sort_values("date")
    candles = kind == "candles" and has_ohlc(data)
    subtitle = ""
    if kind == "candles" and not candles:
        subtitle = words("chart_fx.close_only")
    krw = words("unit.won", value="%{y:,.1f}")  # the hover's value, as Plotly fills it in
    if candles:
        fig.add_trace(go.Candlestick(x=data["date"], open=data["open"], high=data["high"], low=data["low"],
                                     close=data["close"], name=_name(symbol, words)), secondary_y=False)
    else:
        fig.add_trace(go.Scatter(x=data["date"], y=data["close"], mode="lines", name=_name(symbol, words),
                                 line=dict(color=colour(symbol), width=1.8, dash=dash(symbol)), meta=symbol,
                                 legendgroup=identity(symbol),
                                 hovertemplate=f"%{{x|{hover_date(words)}}}: {krw}<extra></extra>"),
                      secondary_y=False)
    sources = [esc(source_label) if source_label else esc(source_note(symbol, words))]
    if second is not None and len(second):
        sym2 = _one_symbol(second, "second")
        data2 = second.sort_values("date")
        fig.add_trace(go.Scatter(x=data2["date"], y=data2["close"], mode="lines", name=_name(sym2, words),
                                 line=dict(color=colour(sym2), width=1.2, dash="dot"), meta=sym2,
                                 legendgroup=identity(sym2),
                                 hovertemplate=f"%{{x|{hover_date(words)}}}: %{{y:,.4f}}<extra></extra>"),
                      secondary_y=True)
        fig.update_yaxes(title_text=_name(sym2, words), secondary_y=True, showgrid=False)
        sources.append(esc(origin(sym2, words)))
    if ref_level is not None:
        add_reference_line(fig, ref_level, _fmt_level(ref_level, words))
    start, end = data["date"].min(), data["date"].max()
    day_pad = pd.Timedelta(hours=12)
    gap = auto_gap_days(float((end - start).days))
    pinned = events_in_window(list(events or ()), start, end)
    if numbered:
        add_numbered_pins(fig, pinned, words, (start - day_pad, end + day_pad))
    else:
        add_event_pins(fig, pinned, words, min_gap_days=gap)
    notes = events_from_annotations(user_notes) if isinstance(user_notes, pd.DataFrame) else list(user_notes or [])
    add_event_pins(fig, events_in_window(notes, start, end), words, user=True, min_gap_days=gap,
                   plot_px=NARROW_PLOT_PX if numbered else None, level_step=NOTE_LEVEL_STEP if numbered else LEVEL_STEP)
    if candles:
        low, high = float(data["low"].min()), float(data["high"].max())
    else:
        low, high = float(data["close"].min()), float(data["close"].max())
    if ref_level is not None and low * 0.97 <= ref_level <= high * 1.03:
        low, high = min(low, ref_level), max(high, ref_level)
    keep_labels_off_data(fig, low, high)
    if not fig.layout.yaxis.range:
        pad = (high - low) * 0.08 or 1.0
        fig.update_layout(yaxis=dict(range=[low - pad, high + pad], autorange=False))
    slider = history is not None and len(history) > 0
    full = history.sort_values("date") if slider else None
    if slider and not candles:
        fig.data[0].x, fig.data[0].y = tuple(full["date"]), tuple(full["close"])  # after the pins' layout
    source_text = " · ".join(sources)
    if numbered:  # a phone's plot is ~35 cells wide: wrap the source line rather than cut it off
        source_text = "<br>".join(_wrap_cells(source_text, 36))
    fig.add_annotation(text=source_text, x=0, y=-0.48 if slider else -0.09, xref="paper", yref="paper",
                       showarrow=False, align="left", xanchor="left", yanchor="top",
                       font=dict(size=10, color="#666666"), name="source")
    fig.update_yaxes(title_text=words("chart_fx.y_title"), secondary_y=False)
    lines = [f"{_name(symbol, words)} · {symbol}"] if title is None else [title] if isinstance(title, str) else title
    top = 100 + 36 * (len(lines) - 1)
    right = 60 if second is not None and len(second) else 16
    fig.update_layout(
        title=dict(text="<br>".join(esc(line) for line in lines), subtitle=dict(text=esc(subtitle)),
                   font=dict(size=15 if len(lines) > 1 else 17), y=0.965, yanchor="top", yref="container"),
        xaxis=dict(type="date", range=[start - day_pad, end + day_pad], autorange=False,
                   rangeslider=dict(visible=slider, thickness=SLIDER_THICKNESS, yaxis=dict(rangemode="auto"),
                                    bgcolor="#f4f6f8", bordercolor="#c8ccd2", borderwidth=1)),
        hovermode="closest", margin=dict(t=top, b=(175 if slider else 120) if numbered else 90, l=60,
                                         r=right if numbered else 60),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    if slider:  # after every annotation, so the buttons' visibility indices hold
        fig.update_layout(updatemenus=[_range_menu(fig, words, (start - day_pad, end + day_pad), full, pinned,
                                                   numbered)])
    if numbered and right == 16:  # one line, named by the title; the key under the chart explains the pins
        fig.update_layout(showlegend=False)
    fig.update_yaxes(tickformat=",.0f", secondary_y=False)
    return apply_date_axis(fig, words)
