"""The USD/KRW chart: line or candles, the 1,430 reference line, optional USD/CNY on a second axis, event pins."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from commentary.charts.palette import apply_date_axis, colour, dash, hover_date
from commentary.charts.pin_numbers import NARROW_PLOT_PX, NOTE_LEVEL_STEP, add_numbered_pins
from commentary.charts.pins import (
    LEVEL_STEP,
    add_event_pins,
    add_reference_line,
    auto_gap_days,
    esc,
    events_from_annotations,
    keep_labels_off_data,
    label_width,
)
from commentary.timeline.events import Event, events_in_window
from data_sources.universe import instrument

SOURCE_NOTES: dict[str, dict[str, str]] = {
    "KRW=X": {
        "ko": "출처: 야후 파이낸스 KRW=X (24시간 호가 기준, 서울 외환시장 15:30 종가와 다름)",
        "en": "Source: Yahoo Finance KRW=X (round-the-clock quote, not Seoul's 15:30 close)",
    },
    "USDKRW_ECB": {
        "ko": "출처: 유럽중앙은행(ECB) 기준환율(매일 14:15 CET 고시)로 계산한 원/달러",
        "en": "Source: ECB euro reference rates (fixed 14:15 CET), USD/KRW cross",
    },
    "CNY=X": {
        "ko": "야후 파이낸스 CNY=X (24시간 호가 기준)",
        "en": "Yahoo Finance CNY=X (round-the-clock quote)",
    },
    "USDCNY_ECB": {
        "ko": "ECB 기준환율(14:15 CET)로 계산한 위안/달러",
        "en": "ECB reference rates (14:15 CET), USD/CNY cross",
    },
}


def source_note(symbol: str, lang: str) -> str:
    """What the chart should say about where ``symbol``'s numbers come from."""
    key = "ko" if lang == "ko" else "en"
    if symbol in SOURCE_NOTES:
        return SOURCE_NOTES[symbol][key]
    inst = instrument(symbol)
    origin = "ECB" if inst is not None and inst.source == "ecb" else "Yahoo Finance"
    return f"{'출처' if key == 'ko' else 'Source'}: {origin} {symbol}"


def has_ohlc(frame: pd.DataFrame) -> bool:
    """True when every row has open, high and low (candles possible)."""
    cols = ("open", "high", "low")
    return len(frame) > 0 and all(c in frame for c in cols) and bool(frame.loc[:, list(cols)].notna().all().all())


def _name(symbol: str, lang: str) -> str:
    inst = instrument(symbol)
    return inst.name(lang) if inst is not None else symbol


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


def _fmt_level(value: float, lang: str) -> str:
    return f"{value:,.1f}원" if lang == "ko" else f"{value:,.1f} KRW"


RANGE_BUTTONS = {"ko": ("1개월", "3개월", "6개월", "연초 이후", "1년", "전체"),
                 "en": ("1M", "3M", "6M", "YTD", "1Y", "All")}


def _range_selector(lang: str) -> dict:
    names = RANGE_BUTTONS["ko" if lang == "ko" else "en"]
    steps = [dict(count=1, step="month", stepmode="backward"), dict(count=3, step="month", stepmode="backward"),
             dict(count=6, step="month", stepmode="backward"), dict(count=1, step="year", stepmode="todate"),
             dict(count=1, step="year", stepmode="backward"), dict(step="all")]
    return dict(buttons=[{**step, "label": name} for step, name in zip(steps, names, strict=True)],
                x=0, y=1.06, xanchor="left", yanchor="bottom", font=dict(size=11))


def fx_figure(rate: pd.DataFrame, *, kind: str = "line", ref_level: float | None = 1430.0,
              second: pd.DataFrame | None = None, events: Iterable[Event] = (),
              user_notes: pd.DataFrame | Iterable[Event] | None = None, source_label: str = "",
              lang: str = "ko", history: pd.DataFrame | None = None, numbered: bool = False) -> go.Figure:
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
    """
    ko = lang == "ko"
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if rate is None or len(rate) == 0:
        fig.update_layout(title=dict(text="환율 데이터 없음" if ko else "No FX data"))
        fig.add_annotation(text="표시할 데이터가 없습니다" if ko else "No data to show", x=0.5, y=0.5,
                           xref="paper", yref="paper", showarrow=False)
        return fig
    symbol = _one_symbol(rate, "rate")
    data = rate.sort_values("date")
    candles = kind == "candles" and has_ohlc(data)
    subtitle = ""
    if kind == "candles" and not candles:
        subtitle = ("시가·고가·저가 없이 종가만 있어 캔들 대신 선으로 표시" if ko
                    else "Close only (no open/high/low): shown as a line instead of candles")
    if candles:
        fig.add_trace(go.Candlestick(x=data["date"], open=data["open"], high=data["high"], low=data["low"],
                                     close=data["close"], name=_name(symbol, lang)), secondary_y=False)
    else:
        unit = "원" if ko else " KRW"
        fig.add_trace(go.Scatter(x=data["date"], y=data["close"], mode="lines", name=_name(symbol, lang),
                                 line=dict(color=colour(symbol), width=1.8, dash=dash(symbol)), meta=symbol,
                                 hovertemplate=f"%{{x|{hover_date(lang)}}}: %{{y:,.1f}}{unit}<extra></extra>"),
                      secondary_y=False)
    sources = [esc(source_label) if source_label else esc(source_note(symbol, lang))]
    if second is not None and len(second):
        sym2 = _one_symbol(second, "second")
        data2 = second.sort_values("date")
        fig.add_trace(go.Scatter(x=data2["date"], y=data2["close"], mode="lines", name=_name(sym2, lang),
                                 line=dict(color=colour(sym2), width=1.2, dash="dot"), meta=sym2,
                                 hovertemplate=f"%{{x|{hover_date(lang)}}}: %{{y:,.4f}}<extra></extra>"),
                      secondary_y=True)
        fig.update_yaxes(title_text=_name(sym2, lang), secondary_y=True, showgrid=False)
        sources.append(esc(source_note(sym2, lang).removeprefix("출처: ").removeprefix("Source: ")))
    if ref_level is not None:
        add_reference_line(fig, ref_level, _fmt_level(ref_level, lang))
    start, end = data["date"].min(), data["date"].max()
    day_pad = pd.Timedelta(hours=12)
    gap = auto_gap_days(float((end - start).days))
    pinned = events_in_window(list(events or ()), start, end)
    if numbered:
        add_numbered_pins(fig, pinned, lang, (start - day_pad, end + day_pad))
    else:
        add_event_pins(fig, pinned, lang, min_gap_days=gap)
    notes = events_from_annotations(user_notes) if isinstance(user_notes, pd.DataFrame) else list(user_notes or [])
    add_event_pins(fig, events_in_window(notes, start, end), lang, user=True, min_gap_days=gap,
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
    if slider and not candles:
        full = history.sort_values("date")
        fig.data[0].x, fig.data[0].y = tuple(full["date"]), tuple(full["close"])  # after the pins' layout
    source_text = " · ".join(sources)
    if numbered:  # a phone's plot is ~35 cells wide: wrap the source line rather than cut it off
        source_text = "<br>".join(_wrap_cells(source_text, 36))
    fig.add_annotation(text=source_text, x=0, y=-0.26 if slider else -0.09, xref="paper", yref="paper",
                       showarrow=False, align="left", xanchor="left", yanchor="top",
                       font=dict(size=10, color="#666666"), name="source")
    fig.update_yaxes(title_text="원/달러 (원)" if ko else "KRW per USD", secondary_y=False)
    title = f"{_name(symbol, lang)} · {symbol}"
    right = 60 if second is not None and len(second) else 16
    fig.update_layout(
        title=dict(text=esc(title), subtitle=dict(text=esc(subtitle))),
        xaxis=dict(type="date", range=[start - day_pad, end + day_pad], autorange=False,
                   rangeslider=dict(visible=slider, thickness=0.08),
                   rangeselector=_range_selector(lang) if slider else None),
        hovermode="closest", margin=dict(t=100, b=120 if numbered else 90, l=60, r=right if numbered else 60),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    if numbered and right == 16:  # one line, named by the title; the key under the chart explains the pins
        fig.update_layout(showlegend=False)
    fig.update_yaxes(tickformat=",.0f", secondary_y=False)
    return apply_date_axis(fig, lang)
