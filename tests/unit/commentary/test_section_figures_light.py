"""Pure tests of the lighter section figures: thinned long ranges and the event day's bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from commentary.charts.event_day import MIN_HEIGHT, event_day_figure
from commentary.charts.sections import thin_rows
from ui.words import words


def _levels(days: int = 600) -> pd.DataFrame:
    index = pd.bdate_range("2025-01-02", periods=days, name="date")
    frame = pd.DataFrame({"a": np.linspace(100, 150, days), "b": np.linspace(100, 80, days)}, index=index)
    frame.loc[index[-3:], "b"] = np.nan  # b's last close is three rows before the end
    return frame


def test_thin_rows_keeps_the_window_daily_and_every_line_end():
    levels = _levels()
    thin = thin_rows(levels, "2025-03-31", max_points=160, keep=["2025-06-02"])
    window = levels.loc[:"2025-03-31"]
    assert len(thin) <= 160 + 4 and len(thin) < len(levels) / 3
    assert thin.index.is_monotonic_increasing and set(window.index) <= set(thin.index)  # daily in the window
    assert thin["a"].dropna().iloc[-1] == levels["a"].dropna().iloc[-1]  # the legend's last value is exact
    assert thin["b"].dropna().iloc[-1] == levels["b"].dropna().iloc[-1]
    assert pd.Timestamp("2025-06-02") in thin.index  # a pinned event's day stays


def test_thin_rows_leaves_a_short_range_alone():
    levels = _levels(100)
    assert thin_rows(levels, "2025-01-10", max_points=160).equals(levels)


def test_event_day_bars_sorted_escaped_and_tall_enough():
    table = pd.DataFrame({"symbol": ["NVDA", "AAPL", "X<b>", "GONE"],
                          "name": ["NVIDIA (NVDA)", "Apple (AAPL)", "<b>x</b>", "Gone"],
                          "session": pd.to_datetime(["2025-01-27"] * 4), "change_pct": [-17.0, 3.2, 0.5, float("nan")],
                          "note": ["", "", "<i>n</i>", "no close after the event"]})
    fig = event_day_figure(table, words("en"), "One-day moves")
    bars = fig.data[0]
    assert list(bars.y) == ["Apple (AAPL)", "&lt;b&gt;x&lt;/b&gt;", "NVIDIA (NVDA)"]  # largest fall on top
    assert list(bars.x) == [3.2, 0.5, -17.0] and list(bars.text) == ["+3.2%", "+0.5%", "-17.0%"]
    assert "1 without a move" in fig.layout.title.text and fig.layout.height >= MIN_HEIGHT
    assert all("<" not in str(t) for t in (*bars.y, *bars.hovertext, fig.layout.title.text))
    empty = event_day_figure(table.iloc[3:], words("ko"), "하루")
    assert not empty.data and "값 없음" in empty.layout.title.text
