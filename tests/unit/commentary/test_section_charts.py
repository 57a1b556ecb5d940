"""Pure tests of commentary.charts.sections on small hand-built frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from commentary.charts.claim_path import claim_path_figure
from commentary.charts.sections import (
    BASKET_PREFIX,
    compare_levels,
    cut_prices,
    section_figure,
    section_news,
)
from commentary.document.column import parse_commentary
from commentary.scoring.claims import claim_paths, readings, scorecard
from commentary.scoring.combine import combine_sources
from commentary.scoring.summary import format_measured
from commentary.timeline.events import Event
from ui import verdicts as verdict_words
from ui.words import words

TEXT = """---
id: tiny
title: Tiny
author: Tester
date: "2025-01-02"
time: "20:00"
timezone: America/New_York
language: en
url: null
summary_ko: 요약
summary_en: Summary
baskets:
  duo: [NVDA, MSFT]
sections:
  - id: cmp
    heading_ko: 비교
    heading_en: Compare
    chart: {kind: compare, baskets: [duo], symbols: [AAPL], start: "2025-01-01", end: "2025-01-06",
            base_date: "2025-01-02", events: [ev1]}
    news: {start: "2025-01-02", end: "2025-01-03", tags: [deepseek, nvidia]}
  - id: fx
    heading_ko: 환율
    heading_en: FX
    chart: {kind: fx, symbols: [KRW=X, USDKRW_ECB], start: "2025-01-01", end: "2025-01-06", level: 1430}
  - id: win
    heading_ko: 창
    heading_en: Window
    chart: {kind: fx_window, symbols: [KRW=X], start: "2025-01-01", end: "2025-01-06", event_date: "2025-01-03",
            threshold_pct: 1.0}
  - id: day
    heading_ko: 하루
    heading_en: Day
    chart: {kind: event_day, symbols: [NVDA, MSFT], start: "2025-01-01", end: "2025-01-06",
            event_date: "2025-01-03"}
claims:
  - id: krw-below
    text_ko: 원/달러 1,430 아래
    text_en: USD/KRW below 1,430
    rule: {type: level, params: {symbol: KRW=X, level: 1430, side: below}}
    horizons: [1W]
  - id: duo-beats
    text_ko: 듀오가 애플보다 낫다
    text_en: Duo beats Apple
    rule: {type: outperform, params: {a: duo, b: AAPL}}
    horizons: [1W, "2025-01-06"]
    primary: "2025-01-06"
---
<!-- section: cmp lang: ko -->
가
<!-- section: cmp lang: en -->
a
<!-- section: fx lang: ko -->
나
<!-- section: fx lang: en -->
b
<!-- section: win lang: ko -->
다
<!-- section: win lang: en -->
c
<!-- section: day lang: ko -->
라
<!-- section: day lang: en -->
d
"""

DAYS = pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-10"])
CLOSES = {
    "NVDA": [90.0, 100.0, 80.0, 90.0, 110.0],
    "MSFT": [50.0, 50.0, 55.0, 60.0, 60.0],
    "AAPL": [10.0, 20.0, 22.0, 24.0, 20.0],
    "KRW=X": [1440.0, 1435.0, 1420.0, 1425.0, 1410.0],
    "USDKRW_ECB": [1441.0, 1436.0, 1421.0, 1426.0, 1411.0],
}


def _prices() -> pd.DataFrame:
    rows = [{"date": d, "symbol": s, "open": c, "high": c, "low": c, "close": c, "adj_close": c, "volume": 0.0}
            for s, closes in CLOSES.items() for d, c in zip(DAYS, closes, strict=True)]
    return pd.DataFrame(rows)


def _event(eid: str, day: str) -> Event:
    return Event(eid, "ai", eid, eid, "note", "note", "src", "https://example.com", (), dt.date.fromisoformat(day))


@pytest.fixture
def col():
    return parse_commentary(TEXT, "tiny.md")


def _last_x(fig: go.Figure) -> pd.Timestamp:
    return max(pd.to_datetime(list(t.x)).max() for t in fig.data if t.x is not None and len(t.x) and t.name != "Events")


def test_compare_levels_rebase_and_basket():
    levels, left_out = compare_levels(_prices(), ["AAPL"], {"duo": ["NVDA", "MSFT"]}, dt.date(2025, 1, 2),
                                      dt.date(2025, 1, 1), dt.date(2025, 1, 6))
    assert left_out == []
    assert list(levels.index) == list(DAYS[:4])
    assert levels["AAPL"].tolist() == pytest.approx([50.0, 100.0, 110.0, 120.0])
    # duo = (NVDA/100 + MSFT/50) / 2 * 100 → Jan 3: (80 + 110) / 2 = 95; Jan 6: (90 + 120) / 2 = 105
    assert levels[BASKET_PREFIX + "duo"].loc["2025-01-03"] == pytest.approx(95.0)
    assert levels[BASKET_PREFIX + "duo"].loc["2025-01-06"] == pytest.approx(105.0)


def test_compare_levels_names_symbols_without_base():
    _, left_out = compare_levels(_prices(), ["AAPL", "BABA"], {}, dt.date(2025, 1, 2),
                                 dt.date(2025, 1, 1), dt.date(2025, 1, 6))
    assert left_out == ["BABA"]


def test_cut_prices():
    assert cut_prices(_prices(), dt.date(2025, 1, 3))["date"].max() == pd.Timestamp("2025-01-03")
    assert len(cut_prices(_prices(), None)) == len(_prices())


def test_compare_figure_as_of_and_everything_since(col):
    events = [_event("ev1", "2025-01-03"), _event("ev2", "2025-01-03")]
    since = section_figure(col.section("cmp"), col, _prices(), events, words("en"), None)
    known = section_figure(col.section("cmp"), col, _prices(), events, words("en"), dt.date(2025, 1, 3))
    assert isinstance(since, go.Figure)
    assert _last_x(since) == pd.Timestamp("2025-01-10")  # runs on past the spec's end
    assert _last_x(known) == pd.Timestamp("2025-01-03")
    names = {t.name for t in since.data}
    assert any(n.startswith("Apple (AAPL)") for n in names) and any(n.startswith("duo") for n in names)
    pins = [a.name for a in since.layout.annotations if a.name]
    assert "label:event:ev1" in pins and "label:event:ev2" not in pins  # only the spec's events


def test_compare_section_in_the_readers_words():
    """A known basket by the catalog's name, the instruments by the universe's, the title's currency and base date,
    and an empty window's note: each in the reader's language."""
    from data_sources.market.universe import instrument

    item = parse_commentary(TEXT.replace("duo", "cn_tech"), "tiny.md")
    titles = {}
    for lang in ("ko", "en"):
        said = words(lang)
        fig = section_figure(item.section("cmp"), item, _prices(), [], said, None)
        names = [t.meta for t in fig.data if t.meta]
        assert names == [said("scoring_words.basket.cn_tech"), f"{instrument('AAPL').name(lang)} (AAPL)"]
        titles[lang] = fig.layout.title.text.split("<br>")[0]
        assert titles[lang] == said("chart_compare.compare_title_ccy", ccy=said("chart_compare.ccy_local"),
                                    base=said.date(dt.date(2025, 1, 2)))
        empty = section_figure(item.section("cmp"), item, _prices().iloc[0:0], [], said, None)
        assert [a.text for a in empty.layout.annotations] == [said("chart_compare.no_data")]
    assert titles["ko"] != titles["en"]
    # a basket the catalog does not know keeps the column's own name
    duo = parse_commentary(TEXT, "tiny.md")
    assert section_figure(duo.section("cmp"), duo, _prices(), [], words("ko"), None).data[0].meta == "duo"


def test_fx_figure_level_line_and_second_source(col):
    fig = section_figure(col.section("fx"), col, _prices(), [_event("ev1", "2025-01-03")], words("ko"), None)
    assert any(s.name == "refline:1430.0" for s in fig.layout.shapes)
    assert len(fig.data) == 2  # KRW=X and the ECB line (no events named by the spec or the column)
    assert pd.to_datetime(list(fig.data[0].x)).max() == pd.Timestamp("2025-01-06")  # the spec's window


def test_fx_window_threshold_band(col):
    fig = section_figure(col.section("win"), col, _prices(), [], words("en"), None)
    levels = sorted(s.y0 for s in fig.layout.shapes if (s.name or "").startswith("refline:"))
    assert levels == pytest.approx([1420.0 * 0.99, 1420.0 * 1.01])  # ±1% around the Jan 3 close
    # each level's label sits inside the band (the top one hangs below its line, the bottom one stands on its
    # own) at the window's start, where the rate is near the centre: never up among the event badges
    labels = {a.y: a for a in fig.layout.annotations if (a.name or "").startswith("refline:")}
    low, high = labels[min(labels)], labels[max(labels)]
    assert (high.yanchor, low.yanchor) == ("top", "bottom")
    assert {(a.x, a.xanchor) for a in (low, high)} == {(0, "left")}
    assert (high.text, low.text) == ("+1.0% (1,434.2)", "−1.0% (1,405.8)")


def test_event_day_table(col):
    table = section_figure(col.section("day"), col, _prices(), [], words("en"), None)
    assert isinstance(table, pd.DataFrame)
    moves = dict(zip(table["symbol"], table["change_pct"], strict=True))
    assert moves["NVDA"] == pytest.approx(-20.0)
    assert moves["MSFT"] == pytest.approx(10.0)
    known = section_figure(col.section("day"), col, _prices(), [], words("en"), dt.date(2025, 1, 2))
    assert known["change_pct"].isna().all()  # the day had not happened yet


def test_section_news_window_tags_order_limit(col):
    news = pd.DataFrame({
        "published": pd.to_datetime(["2025-01-02T01:00Z", "2025-01-02T02:00Z", "2025-01-03T01:00Z",
                                     "2025-01-05T01:00Z", "2025-01-02T03:00Z"], utc=True),
        "source": ["s"] * 5, "title": ["one", "two", "three", "late", "untagged"], "link": [""] * 5,
        "tags": [("deepseek",), ("deepseek", "nvidia"), ("nvidia",), ("deepseek",), ()],
        "date_flag": [""] * 5,
    })
    picked = section_news(news, col.section("cmp"))
    assert picked["title"].tolist() == ["two", "one", "three"]  # two tags first, then oldest first
    assert section_news(news, col.section("cmp"), limit=1)["title"].tolist() == ["two"]
    assert section_news(news, col.section("fx")).empty  # no news spec


def test_format_measured():
    assert format_measured(5.24, "pp", words("ko")) == "+5.2%p"
    assert format_measured(-2.123, "%", words("en")) == "-2.12%"
    assert format_measured(1420.0, "KRW", words("ko")) == "1,420.0원"
    assert format_measured(None, "", words("en")) == "—"


def test_cut_prices_at_a_moment_uses_each_series_observation_time():
    moment = pd.Timestamp("2025-01-03 08:00", tz="Europe/Berlin").tz_convert("UTC")  # = 16:00 KST
    known = cut_prices(_prices(), moment)
    last = known.groupby("symbol")["date"].max()
    assert last["KRW=X"] == pd.Timestamp("2025-01-03")  # Asian-hours print (15:30 KST) already taken
    assert last["USDKRW_ECB"] == pd.Timestamp("2025-01-02")  # 14:15 CET fixing not yet
    assert last["NVDA"] == pd.Timestamp("2025-01-02")  # the US close is hours away


def test_fx_chart_marks_sources_apart_by_more_than_1_5_percent(col):
    prices = _prices()
    prices.loc[(prices["symbol"] == "KRW=X") & (prices["date"] == "2025-01-03"), ["close", "adj_close"]] = 1395.0
    fig = section_figure(col.section("fx"), col, prices, [], words("en"), None)
    marks = [t for t in fig.data if (t.name or "").startswith("divergence:")]  # a mark on the day, no label
    assert [t.name for t in marks] == ["divergence:2025-01-03"]  # 1395 vs 1421: -1.8%
    assert "-1.8%" in marks[0].hovertemplate
    assert not [a for a in fig.layout.annotations if (a.name or "").startswith("divergence:")]
    plain = section_figure(col.section("fx"), col, _prices(), [], words("en"), None)
    assert not [t for t in plain.data if (t.name or "").startswith("divergence:")]


def test_scorecard_grid_summary_and_path(col):
    # Published 2025-01-02 20:00 New York: the reference is Jan 2's close (duo 100, AAPL 20).
    card = scorecard(col.claims, _prices(), col.published)
    combined = combine_sources(card)
    table, kinds = verdict_words.grid(col.claims, combined, "en")  # the grid in the reader's words
    assert list(table.columns) == ["Claim", "Verdict (primary)", "2025-01-06", "1 week (overlapping)"]
    duo = table.iloc[1]
    # duo (NVDA 100→90, MSFT 50→60) = 105 vs AAPL 20→24 = 120 at Jan 6: -15.0 pp → failed
    assert duo["Verdict (primary)"] == "🔴 failed -15.0 pp" and duo["2025-01-06"] == "★ 🔴 failed -15.0 pp"
    assert table.iloc[0]["2025-01-06"] == "—" and kinds.iloc[1]["2025-01-06"] == "failed"
    lines = verdict_words.claim_lines(col.claims, combined, "ko")
    assert lines[1][0] == "듀오가 애플보다 낫다" and lines[1][2].startswith("빗나감 -15.0%p")
    overall = verdict_words.overall_line(col.claims, combined, "en")
    assert overall.startswith("2 claims, each judged on its primary horizon:")
    claim = col.claim("duo-beats")
    mine = [r for r in readings(col.claims, _prices(), col.published) if r.claim_id == "duo-beats"]
    fig = claim_path_figure(claim, mine, claim_paths(claim, _prices(), col.published), [], words("en"))
    names = [t.name for t in fig.data]
    assert "duo" in names and "Apple (AAPL)" in names  # a basket by its name, a symbol by the universe's
    ends = [t for t in fig.data if (t.name or "").startswith("end:")]
    assert {t.name for t in ends} == {"end:1W", "end:2025-01-06"}
    assert any(t.y[0] == pytest.approx(105.0) for t in ends)  # the basket at its end, rebased
