"""The USD/KRW figure: line vs candles fallback, the 1,430 line, the Seollal band, second axis, source line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from commentary.charts.fx import fx_figure, has_ohlc, source_note
from commentary.timeline.events import load_events
from data_sources.store.frames import normalise
from ui.words import words


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
    fig = fx_figure(_frame("KRW=X", CLOSES), kind="candles", words=words("en"))
    main = fig.data[0]
    assert main.type == "scatter" and main.mode == "lines" and list(main.y) == CLOSES
    assert "instead of candles" in fig.layout.title.subtitle.text
    assert "KRW=X" in fig.layout.title.text


def test_candles_when_ohlc_present() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES, ohlc=True), kind="candles", words=words("ko"))
    assert fig.data[0].type == "candlestick" and list(fig.data[0].high) == [c + 2 for c in CLOSES]
    assert not fig.layout.title.subtitle.text
    assert fig.layout.xaxis.rangeslider.visible is False


def test_reference_line_band_pins_and_source() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES), events=load_events(), words=words("en"))
    ref = [s for s in fig.layout.shapes if s.name == "refline:1430.0"]
    assert len(ref) == 1 and ref[0].y0 == ref[0].y1 == 1430.0
    assert any(a.name == "refline:1430.0" and a.text == "₩1,430.0" for a in fig.layout.annotations)
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
                    ref_level=None, words=words("ko"))
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
    fig = fx_figure(_frame("KRW=X", CLOSES), source_label="My <feed>", words=words("en"))
    assert next(a for a in fig.layout.annotations if a.name == "source").text == "My &lt;feed&gt;"


def test_bad_input_gives_clear_results() -> None:
    empty = fx_figure(_frame("KRW=X", []), words=words("en"))
    assert empty.layout.title.text == "No FX data"
    two = pd.concat([_frame("KRW=X", CLOSES), _frame("CNY=X", [7.3] * 10)])
    with pytest.raises(ValueError, match=r"rate: expected one FX symbol, got 2 \(CNY=X, KRW=X\)"):
        fx_figure(two, words=words("en"))
    assert not has_ohlc(_frame("KRW=X", CLOSES)) and has_ohlc(_frame("KRW=X", CLOSES, ohlc=True))
    assert "ECB" in source_note("USDKRW_ECB", words("en")) and "ECB" in source_note("USDHKD_ECB", words("en"))


def test_on_real_krw_snapshot(market_dir: Path) -> None:
    raw = pd.read_csv(market_dir / "KRW=X.csv")
    frame = normalise(raw.assign(symbol="KRW=X"))
    window = frame[(frame["date"] >= "2024-12-01") & (frame["date"] <= "2025-04-30")]
    fig = fx_figure(window, kind="candles", events=load_events(), words=words("ko"))
    assert fig.data[0].type == "scatter"  # the snapshot has close only
    y = pd.Series(list(fig.data[0].y), index=pd.to_datetime(list(fig.data[0].x)))
    assert y[pd.Timestamp("2025-01-24")] == pytest.approx(1433.93, abs=0.01)
    labelled = _names(fig.layout.annotations, "label:event:")
    assert {f"label:event:{e.id}" for e in load_events() if e.priority >= 2} <= set(labelled)


def test_opens_on_the_window_with_a_range_slider_over_the_history() -> None:
    history = _frame("KRW=X", [1300.0 + i for i in range(400)], start="2024-01-01")
    window = history[(history["date"] >= "2024-12-02") & (history["date"] <= "2025-03-31")]
    fig = fx_figure(window, history=history, words=words("ko"))
    lo, hi = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert (lo, hi) == (pd.Timestamp("2024-12-01 12:00"), pd.Timestamp("2025-03-31 12:00"))
    assert fig.layout.xaxis.rangeslider.visible is True
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["기본", "1개월", "3개월", "6개월", "1년",
                                                                    "전체"]
    last = fig.layout.updatemenus[0].buttons[-1].args[0]["xaxis.range"]  # "전체": the whole stored history
    assert last == [(history["date"].min() - pd.Timedelta(hours=12)).isoformat(),
                    (history["date"].max() + pd.Timedelta(hours=12)).isoformat()]
    assert len(fig.data[0].x) == len(history)  # the slider shows the whole history
    y0, y1 = fig.layout.yaxis.range
    assert y0 <= window["close"].min() and y1 >= window["close"].max() and y1 < history["close"].max()
    assert "원" in fig.data[0].hovertemplate and "%Y년" in fig.data[0].hovertemplate


def test_a_note_never_stretches_the_axis_past_the_data() -> None:
    notes = pd.DataFrame({"id": ["n1", "n2"], "date": pd.to_datetime(["2025-01-31", "2025-02-03"]),
                          "label": ["a note with a fairly long label that runs right", "last day"],
                          "note": ["", ""]})
    data = _frame("KRW=X", CLOSES)
    fig = fx_figure(data, user_notes=notes, events=load_events(), words=words("en"))
    assert pd.Timestamp(fig.layout.xaxis.range[1]) <= data["date"].max() + pd.Timedelta(days=1)
    assert fig.layout.xaxis.autorange is False


def test_labels_sit_above_the_line() -> None:
    fig = fx_figure(_frame("KRW=X", CLOSES), events=load_events(), words=words("en"))
    y0, y1 = fig.layout.yaxis.range
    tops = [a.y for a in fig.layout.annotations if (a.name or "").startswith("label:event:")]
    assert tops
    highest_data = (max(CLOSES) - y0) / (y1 - y0)  # the line's top as a fraction of the plot height
    assert highest_data < min(tops) - 0.02


# --- the phone layout: numbered badges, laid out so that no two boxes overlap at any supported width ----------

# Explicit estimates of what Chromium draws, independent of the builder's own constants: the plot area's width
# for a viewport (page padding, y ticks and title, margins and, on a laptop, the sidebar taken off, as measured
# on the screenshots), the plot's height in the page's 560 px figure, a bold 11 px digit's width and a badge's
# height (font line + padding + border).
PLOT_PX = {360: 210.0, 390: 240.0, 1440: 800.0}
PLOT_HEIGHT_PX = 255.0
DIGIT_PX, BADGE_H_PX, BADGE_PAD_PX = 7.5, 20.0, 3.0
KO_CHAR_PX, LATIN_CHAR_PX = 10.0, 6.0  # a 10 px note label


def _krw_window(market_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    history = normalise(pd.read_csv(market_dir / "KRW=X.csv").assign(symbol="KRW=X"))
    return history[(history["date"] >= "2024-12-01") & (history["date"] <= "2025-03-31")], history


def _px(fig, x, plot_px: float) -> float:
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    return (pd.Timestamp(x) - lo) / (hi - lo) * plot_px


def _badge_boxes(fig, plot_px: float) -> dict[str, tuple[float, float, float, float]]:
    """(left, right, bottom, top) in pixels of every event badge (centre = its date + its pixel offset)."""
    out = {}
    for a in fig.layout.annotations:
        if (a.name or "").startswith("label:event:"):
            cx = _px(fig, a.x, plot_px) + (a.ax or 0)
            cy = a.y * PLOT_HEIGHT_PX - (a.ay or 0)  # ay < 0: drawn above its point
            half_w = (len(a.text) * DIGIT_PX + 2 * BADGE_PAD_PX) / 2
            out[a.name] = (cx - half_w, cx + half_w, cy - BADGE_H_PX / 2, cy + BADGE_H_PX / 2)
    return out


def _note_boxes(fig, plot_px: float) -> dict[str, tuple[float, float, float, float]]:
    from commentary.charts.pins import label_width

    out = {}
    for a in fig.layout.annotations:
        if (a.name or "").startswith("label:user:"):
            text = a.text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            wide = label_width(text) - len(text)  # wide (Korean) characters
            width = wide * KO_CHAR_PX + (len(text) - wide) * LATIN_CHAR_PX
            left = _px(fig, a.x, plot_px) + (a.xshift or 0)
            cy = a.y * PLOT_HEIGHT_PX
            out[a.name] = (left, left + width + 4, cy - 7.5, cy + 7.5)  # 10 px text, a 1 px pad
    return out


def _overlaps(boxes: dict) -> list[tuple[str, str]]:
    items = sorted(boxes.items())
    return [(n1, n2) for i, (n1, b1) in enumerate(items) for n2, b2 in items[i + 1:]
            if b1[0] < b2[1] and b2[0] < b1[1] and b1[2] < b2[3] and b2[2] < b1[3]]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("viewport", sorted(PLOT_PX))
def test_phone_layout_badges_never_overlap(market_dir: Path, viewport: int, lang: str) -> None:
    window, history = _krw_window(market_dir)
    fig = fx_figure(window, events=load_events(), words=words(lang), history=history, numbered=True)
    boxes = _badge_boxes(fig, PLOT_PX[viewport])
    pinned = [e for e in load_events() if pd.Timestamp("2024-12-01") <= pd.Timestamp(e.anchor) <= pd.Timestamp(
        "2025-03-31")]
    assert len(boxes) == len(pinned) >= 15  # every event of the column's window has its badge
    assert not _overlaps(boxes), f"badges overlap at {viewport} px"
    for left, right, _, _ in boxes.values():  # inside the plot
        assert left >= -1 and right <= PLOT_PX[viewport] + 1


def test_phone_layout_numbers_follow_the_dates_and_the_key_matches(market_dir: Path) -> None:
    from commentary.charts.pin_numbers import key_from_figure
    from ui.pin_key import key_markdown

    window, history = _krw_window(market_dir)
    fig = fx_figure(window, events=load_events(), words=words("ko"), history=history, numbered=True)
    badges = [a for a in fig.layout.annotations if (a.name or "").startswith("label:event:")]
    key = key_from_figure(fig.to_plotly_json())  # what the page reads back from the (serialised) figure
    assert [k.number for k in key] == list(range(1, len(badges) + 1))
    by_id = {a.name.removeprefix("label:event:"): a for a in badges}
    for item in key:
        assert by_id[item.event_id].text == str(item.number)
        assert pd.Timestamp(by_id[item.event_id].x) == pd.Timestamp(item.date.split(" ~ ")[0])
    assert [pd.Timestamp(k.date.split(" ~ ")[0]) for k in key] == sorted(pd.Timestamp(k.date.split(" ~ ")[0])
                                                                         for k in key)
    fox = next(k for k in key if k.event_id == "trump_fox_interview")
    text = key_markdown(key, words("ko"))
    assert f":violet[**{fox.number}**] 1월 24일 트럼프 인터뷰\\: 대중 관세 신중" in text
    assert text.startswith(":red[**1**] 2024년 12월 3일 ") and "2025년 1월 17일" in text  # the year when it changes
    # the badges sit above the line: the data stays under the lower row
    y0, y1 = fig.layout.yaxis.range
    assert (window["close"].max() - y0) / (y1 - y0) < min(a.y for a in badges) - 0.02
    assert fig.layout.showlegend is False and "event-pins" in {t.meta for t in fig.data}


def test_phone_layout_notes_are_spaced_for_a_phone_and_escaped(market_dir: Path) -> None:
    from commentary.charts.pin_numbers import PinKey
    from ui.pin_key import key_markdown

    window, history = _krw_window(market_dir)
    days = ["2025-01-20", "2025-01-21", "2025-01-22", "2025-01-24", "2025-02-03", "2025-03-03"]
    notes = pd.DataFrame({"id": [f"n{i}" for i in range(len(days))], "date": pd.to_datetime(days),
                          "label": ["설 연휴 직전 원화 강세", "watch the won", "<b>bold</b>", "딥시크 충격 전",
                                    "관세 발표", "three-month view"], "note": [""] * len(days)})
    fig = fx_figure(window, events=load_events(), user_notes=notes, words=words("ko"), history=history, numbered=True)
    for viewport in PLOT_PX:
        assert not _overlaps(_note_boxes(fig, PLOT_PX[viewport])), f"note labels overlap at {viewport} px"
    assert any(a.text == "(내 메모) &lt;b&gt;bold&lt;/b&gt;" for a in fig.layout.annotations)
    hostile = key_markdown([PinKey(1, "x", "2025-01-02", "[click](javascript:alert(1)) <img> :red[x]", "fx")],
                           words("en"))
    assert "](" not in hostile and "<img>" not in hostile and ":red[x]" not in hostile


def _badge_numbers(text: str) -> set[int]:
    first, _, last = text.partition("–")
    return set(range(int(first), int(last or first) + 1))


def _pressed(fig, label: str):
    """The figure as Plotly.js shows it after the range button ``label`` (its relayout applied to a copy)."""
    import plotly.graph_objects as go

    button = next(b for b in fig.layout.updatemenus[0].buttons if b.label == label)
    shown = go.Figure(fig)
    shown.plotly_relayout(button.args[0])
    return shown


@pytest.mark.parametrize("viewport", sorted(PLOT_PX))
def test_range_buttons_never_pile_the_badges_up_at_any_zoom(market_dir: Path, viewport: int) -> None:
    from commentary.charts.pin_numbers import key_from_figure

    window, history = _krw_window(market_dir)
    fig = fx_figure(window, events=load_events(), words=words("ko"), history=history, numbered=True)
    key = key_from_figure(fig)
    for button in fig.layout.updatemenus[0].buttons:
        shown = _pressed(fig, button.label)
        lo, hi = (pd.Timestamp(x) for x in shown.layout.xaxis.range)
        badges = [a for a in shown.layout.annotations if a.visible is not False
                  and (a.name or "").startswith(("label:event:", "wide"))]
        boxes = _badge_boxes_of(shown, badges, PLOT_PX[viewport])
        assert not _overlaps(boxes), f"badges overlap after {button.label} at {viewport} px"
        numbers = [n for a in badges if lo <= pd.Timestamp(a.x) <= hi for n in _badge_numbers(a.text)]
        wanted = [k.number for k in key if lo <= pd.Timestamp(k.date.split(" ~ ")[0]) <= hi]
        assert sorted(numbers) == wanted, button.label  # each event in view is on exactly one badge
        y0, y1 = shown.layout.yaxis.range
        seen = history[(history["date"] >= lo) & (history["date"] <= hi)]["close"]
        assert y0 <= seen.min() and (seen.max() - y0) / (y1 - y0) < min(a.y for a in badges) - 0.02, button.label
    wide = _pressed(fig, "전체")
    assert not any(a.visible is not False for a in wide.layout.annotations if (a.name or "").startswith("label:"))
    assert sum(1 for a in wide.layout.annotations if a.visible is not False and (a.name or "").startswith("wide")) < 5
    assert all(a.visible is False for a in fig.layout.annotations if (a.name or "").startswith("wide"))  # opening view


def _badge_boxes_of(fig, annotations, plot_px: float) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for a in annotations:
        cx = _px(fig, a.x, plot_px) + (a.ax or 0)
        cy = a.y * PLOT_HEIGHT_PX - (a.ay or 0)
        half_w = (len(a.text) * DIGIT_PX + 2 * BADGE_PAD_PX) / 2
        out[a.name] = (cx - half_w, cx + half_w, cy - BADGE_H_PX / 2, cy + BADGE_H_PX / 2)
    return out


def test_range_buttons_keep_reader_notes_under_the_line(market_dir: Path) -> None:
    window, history = _krw_window(market_dir)
    notes = pd.DataFrame({"id": ["n1", "n2"], "date": pd.to_datetime(["2025-03-10", "2025-03-24"]),
                          "label": ["관세 발표 전", "three-month view"], "note": ["", ""]})
    fig = fx_figure(window, events=load_events(), user_notes=notes, words=words("ko"), history=history, numbered=True)
    for button in fig.layout.updatemenus[0].buttons:
        shown = _pressed(fig, button.label)
        lo, hi = (pd.Timestamp(x) for x in shown.layout.xaxis.range)
        labels = [a for a in shown.layout.annotations if a.visible is not False
                  and (a.name or "").startswith("label:user:")]
        wide = hi - lo > pd.Timestamp("2025-03-31") - pd.Timestamp("2024-12-01") + pd.Timedelta(days=1)
        assert bool(labels) != wide, button.label  # note labels laid out for the window: hidden when wider
        if labels:
            y0, y1 = shown.layout.yaxis.range
            seen = history[(history["date"] >= lo) & (history["date"] <= hi)]["close"]
            assert (seen.min() - y0) / (y1 - y0) > max(a.y for a in labels), button.label


# --- the reader's words: every text on the chart comes from the reader's catalog ------------------------------

HANGUL = re.compile(r"[\uac00-\ud7a3]")
SAID = {  # what a reader sees, per language: range buttons, y axis, the hover's unit, the 1,430 line, the fallback
    "ko": (["기본", "1개월", "3개월", "6개월", "1년", "전체"], "원/달러 (원)", "%{y:,.1f}원<extra></extra>",
           "1,430.0원", "시가·고가·저가 없이 종가만 있어 캔들 대신 선으로 표시"),
    "en": (["Window", "1M", "3M", "6M", "1Y", "All"], "KRW per USD", "₩%{y:,.1f}<extra></extra>", "₩1,430.0",
           "Close only (no open/high/low): shown as a line instead of candles"),
}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_charts_words_follow_the_readers_language(lang: str) -> None:
    history = _frame("KRW=X", [1400.0 + i % 50 for i in range(300)], start="2024-06-03")
    window = history[history["date"] >= "2025-01-02"]
    fig = fx_figure(window, kind="candles", history=history, events=load_events(), words=words(lang), numbered=True)
    buttons, y_title, hover_end, level, fallback = SAID[lang]
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == buttons
    assert fig.layout.yaxis.title.text == y_title and fig.data[0].hovertemplate.endswith(hover_end)
    assert next(a.text for a in fig.layout.annotations if a.name == "refline:1430.0") == level
    assert fig.layout.title.subtitle.text == fallback
    if lang == "en":  # an English reader meets no Korean on the chart (but in a hover's source: a Korean publication)
        assert not HANGUL.findall(json.dumps(_without_hovers(fig.to_plotly_json()), default=str, ensure_ascii=False))


def _without_hovers(value: object) -> object:
    """A figure's JSON without its hover boxes' text (an event's hover names its source, as published)."""
    if isinstance(value, dict):
        return {k: _without_hovers(v) for k, v in value.items() if k != "hovertext"}
    return [_without_hovers(v) for v in value] if isinstance(value, list) else value


@pytest.mark.parametrize(("lang", "expected"), [
    ("ko", "출처: 유럽중앙은행(ECB) 기준환율(매일 14:15 CET 고시)로 계산한 원/달러 · "
           "야후 파이낸스 CNY=X (24시간 호가 기준)"),
    ("en", "Source: ECB euro reference rates (fixed 14:15 CET), USD/KRW cross · Yahoo Finance CNY=X "
           "(round-the-clock quote)"),
])
def test_the_source_line_names_both_series_once(lang: str, expected: str) -> None:
    fig = fx_figure(_frame("USDKRW_ECB", CLOSES), second=_frame("CNY=X", [7.28] * 10), words=words(lang))
    assert next(a.text for a in fig.layout.annotations if a.name == "source") == expected
    prefix, second = expected.split(": ")[0], expected.split(" · ")[1]  # "Source" and the second series' origin
    assert source_note("CNY=X", words(lang)) == f"{prefix}: {second}"  # alone, it says "Source:" too
    empty = fx_figure(_frame("KRW=X", []), words=words(lang))
    assert empty.layout.title.text == {"ko": "환율 데이터 없음", "en": "No FX data"}[lang]


def test_a_chart_without_the_readers_words_is_refused() -> None:
    with pytest.raises(TypeError, match="reader's words"):
        fx_figure(_frame("KRW=X", CLOSES))
