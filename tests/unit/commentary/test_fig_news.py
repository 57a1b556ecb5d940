"""The news strip figure (stacked daily counts per tag) and news items as event pins."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from commentary.charts.news import news_pins, news_strip_figure, tag_colour
from commentary.charts.pins import add_event_pins
from commentary.timeline.events import LABEL_MAX
from ui.words import words

LABELS = {"deepseek": "DeepSeek", "nvidia": "NVIDIA", "qwen": "Qwen / Alibaba"}


def _counts() -> pd.DataFrame:
    days = pd.to_datetime(["2025-01-26", "2025-01-27", "2025-01-28"])
    rows = []
    for tag, values in {"deepseek": [2, 5, 1], "nvidia": [0, 3, 0], "qwen": [0, 0, 0]}.items():
        rows += [{"date": d, "tag": tag, "count": v} for d, v in zip(days, values, strict=True)]
    return pd.DataFrame(rows)


def _items() -> pd.DataFrame:
    return pd.DataFrame({
        "published": pd.to_datetime(["2025-01-27 13:23:17", "2025-01-27 20:00:00", None], utc=True),
        "source": ["r/LocalLLaMA", "Example <b>News</b>", "Nowhere"],
        "title": ["Nvidia pre-market down 12% due Deepseek", "A" * 120, "undated"],
        "link": ["https://old.reddit.com/r/LocalLLaMA/comments/1ib8wfw/", "javascript:alert(1)", ""],
        "summary_text": ["", "", ""],
        "tags": [("deepseek", "nvidia"), (), ()],
        "uid": ["r/LocalLLaMA#t3_1ib8wfw", "x#2", "x#3"],
        "date_flag": ["", "", "missing"],
        "date_raw": ["", "", ""],
    })


def test_strip_stacks_one_trace_per_tag_with_counts() -> None:
    fig = news_strip_figure(_counts(), words("en"), LABELS)
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["DeepSeek", "NVIDIA"]  # qwen is all zeros: no trace
    assert all(isinstance(t, go.Bar) for t in fig.data)
    assert list(fig.data[0].y) == [2, 5, 1] and list(fig.data[1].y) == [0, 3, 0]
    # stacked total on 2025-01-27 = 5 + 3
    assert sum(t.y[1] for t in fig.data) == 8
    assert list(fig.data[0].customdata) == ["2025-01-26", "2025-01-27", "2025-01-28"]
    assert fig.layout.xaxis.type == "date" and fig.layout.height <= 220
    assert fig.data[1].marker.color == tag_colour("nvidia")


def test_strip_labels_follow_language_and_are_escaped() -> None:
    fig = news_strip_figure(_counts(), words("ko"), {"deepseek": "딥시크", "nvidia": "<b>엔비디아</b>"})
    assert [t.name for t in fig.data] == ["딥시크", "&lt;b&gt;엔비디아&lt;/b&gt;"]
    assert "건" in fig.data[0].hovertemplate and fig.layout.yaxis.title.text == "뉴스 건수"


def test_strip_without_counts_says_so() -> None:
    fig = news_strip_figure(pd.DataFrame(columns=["date", "tag", "count"]), words("en"), LABELS)
    assert not fig.data
    assert fig.layout.annotations[0].text == "No tagged news in this period"


def test_pins_from_items() -> None:
    pins = news_pins(_items(), words("en"))
    assert len(pins) == 2  # the undated item gets no pin
    nvda, long_one = pins
    assert nvda.kind == "ai" and nvda.date == dt.date(2025, 1, 27) and not nvda.is_range
    assert nvda.label_en == nvda.label_ko == "Nvidia pre-market down 12% due Deepseek"
    assert nvda.note_en == "Nvidia pre-market down 12% due Deepseek — r/LocalLLaMA"
    assert nvda.source_url == "https://old.reddit.com/r/LocalLLaMA/comments/1ib8wfw/"
    assert nvda.id.startswith("news_") and nvda.id == news_pins(_items(), words("ko"))[0].id
    # 20:00 UTC on the 27th is the 28th in Seoul; long titles are shortened; unsafe links dropped
    assert long_one.date == dt.date(2025, 1, 28)
    assert len(long_one.label_en) <= LABEL_MAX and long_one.label_en.endswith("…")
    assert long_one.source_url == "" and long_one.source_name == "Example News"


def test_pins_draw_on_a_price_chart() -> None:
    days = pd.date_range("2025-01-20", "2025-02-03", freq="D")
    fig = go.Figure(go.Scatter(x=days, y=list(range(len(days)))))
    add_event_pins(fig, news_pins(_items(), words("en")), words("en"))
    pin_trace = fig.data[-1]
    assert pin_trace.meta == "event-pins" and len(pin_trace.x) == 2
    assert any("Nvidia pre-market" in a.text for a in fig.layout.annotations)


def test_no_items_no_pins() -> None:
    assert news_pins(_items().iloc[0:0], words("en")) == []


def test_korean_strip_has_korean_date_ticks() -> None:
    fig = news_strip_figure(_counts(), words("ko"), {"deepseek": "딥시크"})
    assert fig.layout.xaxis.hoverformat == "%Y년 %-m월 %-d일"
    assert any("월" in stop.value for stop in fig.layout.xaxis.tickformatstops)


def test_the_strips_words_follow_the_readers_language() -> None:
    en = news_strip_figure(_counts(), words("en"), LABELS)
    assert en.data[0].hovertemplate == "%{customdata} · DeepSeek: %{y} items<extra></extra>"
    assert en.layout.yaxis.title.text == "news items"
    ko = news_strip_figure(_counts(), words("ko"), {"deepseek": "딥시크"})
    assert ko.data[0].hovertemplate == "%{customdata} · 딥시크: %{y}건<extra></extra>"
    empty = news_strip_figure(_counts().iloc[0:0], words("ko"), LABELS)
    assert empty.layout.annotations[0].text == "이 기간의 태그된 뉴스가 없습니다"


def test_an_untitled_item_is_named_in_the_readers_language() -> None:
    item = _items().iloc[[0]].assign(title=["<b></b>"])  # nothing left once the markup is gone
    assert news_pins(item, words("en"))[0].label_en == "(untitled)"
    (pin,) = news_pins(item, words("ko"))
    assert pin.label("ko") == pin.label("en") == "(제목 없음)" and pin.note("ko") == "(제목 없음) — r/LocalLLaMA"
