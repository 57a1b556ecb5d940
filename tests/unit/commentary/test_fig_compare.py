"""Tests for commentary.charts.compare: traces, shapes and annotations of the comparison figures."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from commentary.charts import compare as fc
from ui.words import words

EN, KO = words("en"), words("ko")

DATES = pd.DatetimeIndex(["2025-01-23", "2025-01-24", "2025-01-27", "2025-01-28"])


@pytest.fixture
def levels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "NVDA": [103.0, 100.0, 83.0, 90.0],
            "0700.HK": [98.0, 100.0, 101.0, math.nan],
            "US basket": [102.0, 100.0, 95.0, 96.0],
        },
        index=DATES,
    )


def _shapes(fig: go.Figure) -> list[dict]:
    return [s.to_plotly_json() for s in fig.layout.shapes]


def test_compare_figure_traces(levels: pd.DataFrame) -> None:
    names = {"NVDA": "NVIDIA", "0700.HK": "Tencent"}
    fig = fc.compare_figure(levels, names, "2025-01-24", EN, highlight={"US basket"})
    # each legend entry gives the line's % change from the base (100) to its last value; a line that ends before
    # the others says where (so two changes side by side never cover different windows silently)
    assert [t.name for t in fig.data] == ["NVIDIA  -10.0%", f"Tencent  +1.0% (to {DATES[2]:%b %-d, %Y})",
                                          "US basket  -4.0%"]
    nvda, tencent, basket = fig.data
    assert list(pd.to_datetime(nvda.x)) == list(DATES)
    assert list(nvda.y) == [103.0, 100.0, 83.0, 90.0]
    # NaN points are left out of a trace, not plotted as gaps
    assert list(pd.to_datetime(tencent.x)) == list(DATES[:3])
    assert list(tencent.y) == [98.0, 100.0, 101.0]
    assert basket.line.width > nvda.line.width == tencent.line.width
    for trace in fig.data:
        assert trace.mode == "lines"
        assert "%{x|%b %-d, %Y}" in trace.hovertemplate
        assert "%{meta}" in trace.hovertemplate  # the name is data, never part of the template
        assert "%{y:.1f}" in trace.hovertemplate
    assert fig.layout.legend.itemclick == "toggle"


def test_compare_figure_reference_lines_and_labels(levels: pd.DataFrame) -> None:
    fig = fc.compare_figure(levels, {}, pd.Timestamp("2025-01-24"), EN)
    shapes = _shapes(fig)
    hundred = [s for s in shapes if s["yref"] == "y"]
    assert len(hundred) == 1
    assert (hundred[0]["y0"], hundred[0]["y1"], hundred[0]["xref"]) == (100.0, 100.0, "paper")
    assert hundred[0]["line"]["dash"] == "dash"
    base = [s for s in shapes if s["xref"] == "x"]
    assert len(base) == 1
    assert (base[0]["x0"], base[0]["x1"], base[0]["yref"]) == ("2025-01-24", "2025-01-24", "paper")
    (note,) = fig.layout.annotations
    assert (note.x, note.text, note.yref) == ("2025-01-24", "Base 2025-01-24", "paper")
    assert fig.layout.title.text == "Rebased to 100 on 2025-01-24"
    assert fig.layout.yaxis.title.text == "Index (base = 100)"
    assert [t.name.split("  ")[0] for t in fig.data] == ["NVDA", "0700.HK", "US basket"]  # column, no name


def test_compare_figure_korean_labels_and_overrides(levels: pd.DataFrame) -> None:
    fig = fc.compare_figure(levels, {}, "2025-01-24", KO, keys={"compare_y": "compare.spread_y"})
    assert fig.layout.title.text == "2025-01-24 = 100 기준 환산"
    assert fig.layout.xaxis.hoverformat == "%Y년 %-m월 %-d일"
    assert any("월" in stop.value for stop in fig.layout.xaxis.tickformatstops)  # Korean date ticks
    assert fig.layout.yaxis.title.text == KO("compare.spread_y") != KO("chart_compare.compare_y")  # a role's own key
    assert fig.layout.annotations[0].text == "기준일 2025-01-24"
    # a role's key filled with the builder's parameters: the line that stops early says its last day
    short = fc.compare_figure(levels, {}, "2025-01-24", KO, keys={"until": "pins.us_date"})
    assert short.data[1].name.endswith("(" + KO("pins.us_date", date="2025년 1월 27일") + ")")


def test_compare_figure_neutralises_markup_in_names(levels: pd.DataFrame) -> None:
    fig = fc.compare_figure(levels, {"NVDA": "<b onmouseover=x>NV</b>"}, "2025-01-24", EN)
    assert "<" not in fig.data[0].name and ">" not in fig.data[0].name
    fig.to_json()  # serialisable for the page


def test_spread_figure() -> None:
    spread = pd.Series([math.nan, 0.0, 18.0, 6.5], index=DATES)
    fig = fc.spread_figure(spread, EN)
    (trace,) = fig.data
    assert list(pd.to_datetime(trace.x)) == list(DATES[1:])
    assert list(trace.y) == [0.0, 18.0, 6.5]
    assert "pp" in trace.hovertemplate
    (zero,) = _shapes(fig)
    assert (zero["y0"], zero["y1"], zero["line"]["dash"]) == (0.0, 0.0, "dash")
    assert fig.layout.title.text == "China basket minus US basket"
    ko = fc.spread_figure(spread, KO)
    assert ko.layout.yaxis.title.text == "퍼센트포인트(%p)" and "%p" in ko.data[0].hovertemplate
    titled = fc.spread_figure(spread, EN, title="<b>Spread</b> (KRW)", keys={"spread_unit": "compare.ccy_USD"})
    assert titled.layout.title.text == titled.data[0].name == "‹b›Spread‹/b› (KRW)"  # worded by the page, escaped
    assert " " + EN("compare.ccy_USD") + "<extra>" in titled.data[0].hovertemplate


def test_drawdown_figure() -> None:
    dd = pd.DataFrame({"us": [0.0, -5.0, -17.0, -10.0], "cn": [0.0, 0.0, -1.0, 0.0]}, index=DATES)
    fig = fc.drawdown_figure(dd, EN, names={"us": "US basket"})
    assert [t.name for t in fig.data] == ["US basket", "cn"]
    assert list(fig.data[0].y) == [0.0, -5.0, -17.0, -10.0]
    assert all(max(t.y) <= 0 for t in fig.data)
    (zero,) = _shapes(fig)
    assert zero["y0"] == 0.0
    assert fc.drawdown_figure(dd, KO).layout.title.text == "기간 내 고점 대비 하락률"
    assert fc.drawdown_figure(dd, KO, title="낙폭 (원화)").layout.title.text == "낙폭 (원화)"


def test_compare_title_names_currency_and_base_date(levels: pd.DataFrame) -> None:
    fig = fc.compare_figure(levels, {}, "2025-01-24", EN, currency="KRW")
    assert fig.layout.title.text == "In KRW, 100 = close of Jan 24, 2025"
    ko = fc.compare_figure(levels, {}, "2025-01-24", KO, currency="KRW")
    assert ko.layout.title.text == "원화 기준, 2025년 1월 24일 종가 = 100"
    local = fc.compare_figure(levels, {}, "2025-01-24", KO, currency="local")
    assert local.layout.title.text.startswith("현지 통화 기준")
    other = fc.compare_figure(levels, {}, "2025-01-24", KO, currency="HKD")  # a code without words: as it is
    assert other.layout.title.text == "HKD 기준, 2025년 1월 24일 종가 = 100"


def test_one_colour_per_series_across_figures(levels: pd.DataFrame) -> None:
    from commentary.charts.palette import SERIES_COLOURS

    frame = levels.rename(columns={"US basket": "US_BASKET"}).assign(CN_BASKET=[99.0, 100.0, 104.0, 106.0])
    main = fc.compare_figure(frame, {}, "2025-01-24", EN)
    reordered = fc.compare_figure(frame[["CN_BASKET", "US_BASKET", "NVDA"]], {}, "2025-01-24", EN)
    dd = fc.drawdown_figure(frame[["US_BASKET", "CN_BASKET"]], EN)
    colour = {t.legendgroup: t.line.color for t in main.data}
    assert colour["US_BASKET"] == SERIES_COLOURS["US_BASKET"] and colour["CN_BASKET"] == SERIES_COLOURS["CN_BASKET"]
    assert {t.legendgroup: t.line.color for t in reordered.data} == {k: colour[k] for k in reordered_keys(reordered)}
    assert {t.legendgroup: t.line.color for t in dd.data} == {"US_BASKET": colour["US_BASKET"],
                                                                "CN_BASKET": colour["CN_BASKET"]}
    assert len(set(colour.values())) == len(colour)  # every line its own colour


def reordered_keys(fig: go.Figure) -> list[str]:
    return [t.legendgroup for t in fig.data]
