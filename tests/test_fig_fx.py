"""The USD/KRW figure: line vs candles fallback, the 1,430 line, the Seollal band, second axis, source line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from commentary.charts.fx import fx_figure, has_ohlc, source_note
from commentary.timeline.events import load_events
from data_sources.frames import normalise


def _frame(symbol: str, closes: list[float], start: str = "2025-01-20", ohlc: bool = False) -> pd.DataFrame:
    days = pd.bdate_range(start, periods=len(closes))
    frame = pd.DataFrame({"date": days, "symbol": symbol, "close": closes, "adj_close": float("nan"),
                          "volume": float("nan")})
    frame["open"] = [c - 1 for c in closes] if ohlc else float("nan")
    frame["high"] = [c + 2 for c in closes] if ohlc else float("nan")
    frame["low"] = [c - 2 for c in closes] if ohlc else float("nan")
    return normalise(frame)


CLOSES = [1457.4, 1435.5, 1425.8, 1434.3, 1433.9, 1427.6, 1417.9, 1443.3, 1443.3, 1441.7]


def _names(items, prefix: str) -> set[str]:
    return {i.name for i in items if i.name and i.name.startswith(prefix)}


def test_close_only_candles_fall_back_to_a_line_and_say_so() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES), kind="candles", lang="en")
    main = fig.data[0]
    assert main.type == "scatter" and main.mode == "lines" and list(main.y) == CLOSES
    assert "instead of candles" in fig.layout.title.subtitle.text
    assert "KRW=X" in fig.layout.title.text


def test_candles_when_ohlc_present() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES, ohlc=True), kind="candles", lang="ko")
    assert fig.data[0].type == "candlestick" and list(fig.data[0].high) == [c + 2 for c in CLOSES]
    assert not fig.layout.title.subtitle.text
    assert fig.layout.xaxis.rangeslider.visible is False


def test_reference_line_band_pins_and_source() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES), events=load_events(), lang="en")
    ref = [s for s in fig.layout.shapes if s.name == "refline:1430.0"]
    assert len(ref) == 1 and ref[0].y0 == ref[0].y1 == 1430.0
    assert any(a.name == "refline:1430.0" and a.text == "1,430.0 KRW" for a in fig.layout.annotations)
    band = next(s for s in fig.layout.shapes if s.name == "band:event:seollal_closure")
    assert pd.Timestamp(band.x0) == pd.Timestamp("2025-01-27") and pd.Timestamp(band.x1) == pd.Timestamp("2025-01-31")
    labels = _names(fig.layout.annotations, "label:")
    # Only events inside the data window (2025-01-20 .. 2025-01-31) are pinned.
    assert "label:event:yoon_indictment" in labels and "label:event:boj_hike_won_fifth_day" in labels
    assert "label:event:martial_law_night" not in labels and "label:event:reciprocal_tariffs" not in labels
    source = next(a for a in fig.layout.annotations if a.name == "source")
    assert "Yahoo Finance KRW=X" in source.text and "15:30" in source.text
    assert any(t.meta == "event-pins" for t in fig.data)


def test_second_series_goes_on_the_secondary_axis_and_user_notes_are_pinned() -> None:
    notes = pd.DataFrame({"id": ["n1", "n2"], "date": pd.to_datetime(["2025-01-24", "2024-06-01"]),
                          "label": ["<i>watch</i>", "outside"], "note": ["", ""]})
    fig = fx_figure(_frame("USDKRW_ECB", CLOSES), second=_frame("CNY=X", [7.28] * 10), user_notes=notes,
                    ref_level=None, lang="ko")
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines"]
    assert [t.yaxis for t in lines] == ["y", "y2"]
    assert fig.layout.yaxis2.overlaying == "y"
    assert not any((s.name or "").startswith("refline") for s in fig.layout.shapes)
    (user,) = [t for t in fig.data if t.meta == "user-pins"]
    assert len(user.x) == 1  # the note outside the data range is not drawn
    label = next(a for a in fig.layout.annotations if a.name == "label:user:n1")
    assert label.text == "(내 메모) &lt;i&gt;watch&lt;/i&gt;"
    source = next(a for a in fig.layout.annotations if a.name == "source")
    assert "ECB" in source.text and "CNY=X" in source.text


def test_explicit_source_label_is_escaped() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES), source_label="My <feed>", lang="en")
    assert next(a for a in fig.layout.annotations if a.name == "source").text == "My &lt;feed&gt;"


def test_bad_input_gives_clear_results() -> None:
    empty = fx_figure(_frame("KRW=X", []), lang="en")
    assert empty.layout.title.text == "No FX data"
    two = pd.concat([_frame("KRW=X", CLOSES), _frame("CNY=X", [7.3] * 10)])
    with pytest.raises(ValueError, match=r"rate: expected one FX symbol, got 2 \(CNY=X, KRW=X\)"):
        fx_figure(two)
    assert not has_ohlc(_frame("KRW=X", CLOSES)) and has_ohlc(_frame("KRW=X", CLOSES, ohlc=True))
    assert "ECB" in source_note("USDKRW_ECB", "en") and "ECB" in source_note("USDHKD_ECB", "en")


def test_on_real_krw_snapshot(market_dir: Path) -> None:
    raw = pd.read_csv(market_dir / "KRW=X.csv")
    frame = normalise(raw.assign(symbol="KRW=X"))
    window = frame[(frame["date"] >= "2024-12-01") & (frame["date"] <= "2025-04-30")]
    fig = fx_figure(window, kind="candles", events=load_events(), lang="ko")
    assert fig.data[0].type == "scatter"  # the snapshot has close only
    y = pd.Series(list(fig.data[0].y), index=pd.to_datetime(list(fig.data[0].x)))
    assert y[pd.Timestamp("2025-01-24")] == pytest.approx(1433.93, abs=0.01)
    labelled = _names(fig.layout.annotations, "label:event:")
    assert {f"label:event:{e.id}" for e in load_events() if e.priority >= 2} <= set(labelled)


def test_opens_on_the_window_with_a_range_slider_over_the_history() -> None:
    history = _frame("KRW=X", [1300.0 + i for i in range(400)], start="2024-01-01")
    window = history[(history["date"] >= "2024-12-02") & (history["date"] <= "2025-03-31")]
    fig = fx_figure(window, history=history, lang="ko")
    lo, hi = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert (lo, hi) == (pd.Timestamp("2024-12-01 12:00"), pd.Timestamp("2025-03-31 12:00"))
    assert fig.layout.xaxis.rangeslider.visible is True
    assert [b.label for b in fig.layout.xaxis.rangeselector.buttons] == ["1개월", "3개월", "6개월", "연초 이후",
                                                                         "1년", "전체"]
    assert len(fig.data[0].x) == len(history)  # the slider shows the whole history
    y0, y1 = fig.layout.yaxis.range
    assert y0 <= window["close"].min() and y1 >= window["close"].max() and y1 < history["close"].max()
    assert "원" in fig.data[0].hovertemplate and "%Y년" in fig.data[0].hovertemplate


def test_a_note_never_stretches_the_axis_past_the_data() -> None:
    notes = pd.DataFrame({"id": ["n1", "n2"], "date": pd.to_datetime(["2025-01-31", "2025-02-03"]),
                          "label": ["a note with a fairly long label that runs right", "last day"],
                          "note": ["", ""]})
    data = _frame("KRW=X", CLOSES)
    fig = fx_figure(data, user_notes=notes, events=load_events(), lang="en")
    assert pd.Timestamp(fig.layout.xaxis.range[1]) <= data["date"].max() + pd.Timedelta(days=1)
    assert fig.layout.xaxis.autorange is False


def test_labels_sit_above_the_line() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES), events=load_events(), lang="en")
    y0, y1 = fig.layout.yaxis.range
    tops = [a.y for a in fig.layout.annotations if (a.name or "").startswith("label:event:")]
    assert tops
    highest_data = (max(CLOSES) - y0) / (y1 - y0)  # the line's top as a fraction of the plot height
    assert highest_data < min(tops) - 0.02
