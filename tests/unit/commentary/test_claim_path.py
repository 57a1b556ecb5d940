"""The claim-path figure read at a phone's width (390 px): the bundled column's claims on the real snapshot,
their horizon labels placed so that none overlaps another on a 330 px plot, their events as numbered badges
that overlap neither each other nor the lines."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

import catalog
from commentary.charts import claim_path as cp
from commentary.charts.pins import label_px
from commentary.document.column import list_commentaries, parse_commentary
from commentary.scoring.claims import claim_paths, readings
from commentary.scoring.summary import VERDICT_KEYS
from commentary.timeline.events import EVENTS_PATH, load_events
from data_sources.market.universe import instrument
from data_sources.store.prices import Store
from tests.support.column_words import GOOD
from ui.words import words


@pytest.fixture(scope="module")
def baek():
    return next(c for c in list_commentaries() if getattr(c, "id", "") == "baek-2025-01-26")


@pytest.fixture(scope="module")
def prices(_seeded_template: Path) -> pd.DataFrame:
    return Store(_seeded_template).read().prices


def _figure(item, claim_id: str, prices: pd.DataFrame, lang: str = "ko"):
    claim = item.claim(claim_id)
    mine = [r for r in readings(item.claims, prices, item.published) if r.claim_id == claim_id]
    paths = claim_paths(claim, prices, item.published)
    return cp.claim_path_figure(claim, mine, paths, load_events(EVENTS_PATH), words(lang))


def _x_px(fig, x) -> float:
    xs = [pd.Timestamp(v) for t in fig.data if t.mode == "lines" for v in t.x]
    lo, hi = min(xs), max(xs)
    for shape in fig.layout.shapes:  # the horizon lines widen the range past the last close
        if _is_horizon_line(shape):
            hi = max(hi, pd.Timestamp(shape.x0))
    return (pd.Timestamp(x) - lo).days / max((hi - lo).days, 1) * cp.PHONE_PLOT_PX


def _is_horizon_line(shape) -> bool:
    return shape.type == "line" and shape.x0 is not None and shape.x0 == shape.x1 and not shape.name


def _overlaps(boxes: list[tuple[float, float]]) -> bool:
    boxes = sorted(boxes)
    return any(b[0] < a[1] for a, b in pairwise(boxes))


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("claim_id", ["cn-tech-beats-us-bigtech", "usdkrw-keeps-falling", "indictment-no-fx-move"])
def test_top_labels_do_not_overlap_on_a_phone(baek, prices, claim_id: str, lang: str) -> None:
    fig = _figure(baek, claim_id, prices, lang)
    horizons = [a for a in fig.layout.annotations if (a.name or "").startswith("horizon:")]
    claim = baek.claim(claim_id)
    assert f"horizon:{claim.primary}" in {a.name for a in horizons}  # the primary horizon is always named
    boxes = []
    for a in horizons:
        centre, half = _x_px(fig, a.x), label_px(a.text) / 2
        boxes.append((centre - half, centre + half))
    assert not _overlaps(boxes), [(a.text, a.x) for a in horizons]
    # every horizon still has its line, and its verdict in the end markers' hover
    lines = [s for s in fig.layout.shapes if _is_horizon_line(s)]
    assert len(lines) >= len(claim.horizons) - 1
    assert {t.name for t in fig.data if (t.name or "").startswith("end:")} >= {f"end:{claim.primary}"}


def test_five_horizons_name_fewer_labels_than_lines(baek, prices) -> None:
    """1W, 1M, 3M, 6M and year-end over a year: the short ones would pile up at the left of a phone's plot."""
    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices)
    named = {a.name for a in fig.layout.annotations if (a.name or "").startswith("horizon:")}
    assert "horizon:year-end" in named and len(named) < 5
    ends = {t.name for t in fig.data if (t.name or "").startswith("end:")}
    assert ends == {"end:1W", "end:1M", "end:3M", "end:6M", "end:year-end"}  # nothing of the reading is lost


def test_at_most_one_divergence_label_and_every_gap_in_hover(baek, prices) -> None:
    fig = _figure(baek, "usdkrw-keeps-falling", prices, "en")
    labels = [a for a in fig.layout.annotations if (a.name or "").startswith("divergence:")]
    marks = [t for t in fig.data if t.name == "divergences"]
    assert len(labels) <= cp.MAX_DIVERGENCE_LABELS
    if marks:
        assert len(marks[0].x) >= len(labels) and all("Yahoo vs ECB" in h for h in marks[0].hovertext)


def _badges(fig) -> list:
    return [a for a in fig.layout.annotations if (a.name or "").startswith("label:event:")]


@pytest.mark.parametrize("claim_id", ["cn-tech-beats-us-bigtech", "usdkrw-keeps-falling"])
def test_every_event_gets_a_numbered_badge_and_none_overlap_on_a_phone(baek, prices, claim_id: str) -> None:
    """Events crowd the weeks after the column (ten in a month of a year-long chart): full-text labels piled
    onto the lines at the left. Each event is a numbered badge instead, laid out for a phone's plot."""
    from commentary.charts.pin_numbers import NARROW_PLOT_PX, ROW_Y, badge_width_px

    fig = _figure(baek, claim_id, prices, "ko")
    pins = next(t for t in fig.data if t.meta == "event-pins")
    badges = _badges(fig)
    assert len(badges) == len(pins.x) >= 8  # every pin has its badge: none collapses to a bare marker
    assert sorted(int(a.text) for a in badges) == list(range(1, len(badges) + 1))
    scale = NARROW_PLOT_PX / cp.PHONE_PLOT_PX  # _x_px measures on PHONE_PLOT_PX
    by_row: dict[float, list[tuple[float, float]]] = {}
    for a in badges:
        assert round(a.y, 3) in {round(y, 3) for y in ROW_Y}
        centre = _x_px(fig, a.x) * scale + (a.ax or 0)
        half = badge_width_px(a.text) / 2
        by_row.setdefault(round(a.y, 3), []).append((centre - half, centre + half))
    assert not any(_overlaps(boxes) for boxes in by_row.values())


def test_the_lines_stay_under_the_badges_and_the_key_names_each_number(baek, prices) -> None:
    from commentary.charts.pin_numbers import key_from_figure

    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices, "ko")
    badges = _badges(fig)
    y0, y1 = fig.layout.yaxis.range
    top = max(max(t.y) for t in fig.data if t.mode == "lines")
    assert (top - y0) / (y1 - y0) < min(a.y for a in badges) - 0.02  # no badge sits on a line
    bottom = min(min(t.y) for t in fig.data if t.mode == "lines")
    assert (bottom - y0) / (y1 - y0) >= 0  # and no line runs off the bottom
    key = key_from_figure(fig.to_plotly_json())  # what the page prints under the chart
    assert [k.number for k in key] == list(range(1, len(badges) + 1))
    by_id = {a.name.removeprefix("label:event:"): a.text for a in badges}
    assert all(by_id[k.event_id] == str(k.number) for k in key)
    assert any("엔비디아 17%" in k.label for k in key)  # the DeepSeek selloff, in the key in full


def test_legend_sits_below_the_plot(baek, prices) -> None:
    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices)
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0
    assert fig.layout.height >= 300
    # level date ticks, at most 4: rotated ones ran into the legend on a phone (the browser test measures it)
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis.nticks <= 4


HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_chart_speaks_the_readers_language(baek, prices, lang: str) -> None:
    """Legend, axis, hovers and labels in the reader's words, straight from the catalogs (the page's vocabulary)."""
    said = catalog.catalog(lang)
    fig = _figure(baek, "cn-tech-beats-us-bigtech", prices, lang)
    assert {t.name for t in fig.data if t.mode == "lines"} == {said["scoring_words.basket.cn_tech"],
                                                              said["scoring_words.basket.us_bigtech"]}
    assert fig.layout.yaxis.title.text == said["scoring_words.rebased_axis"]
    point = "%{x|%Y-%m-%d}: %{y:,.2f}"
    assert {t.hovertemplate for t in fig.data if t.name == "reference"} == {
        said["scoring_words.reference_hover"].format(point=point) + "<extra></extra>"}
    claim = baek.claim("cn-tech-beats-us-bigtech")
    year_end = next(r for r in readings(baek.claims, prices, baek.published)
                    if r.claim_id == claim.id and r.horizon == "year-end")
    hover = next(t.hovertemplate for t in fig.data if t.name == "end:year-end")
    horizon_name = said["scoring_words.horizon.year_end"].format(year=claim.horizon("year-end").end.year)
    assert hover.startswith(f"{horizon_name} — ") and said[VERDICT_KEYS[year_end.verdict]] in hover

    two = _figure(baek, "usdkrw-keeps-falling", prices, lang)  # a rate held by two sources
    assert {t.name for t in two.data if t.mode == "lines"} == {instrument("KRW=X").name(lang),  # each says its source
                                                               instrument("USDKRW_ECB").name(lang)}
    marks = [t for t in two.data if t.name == "divergences"]
    assert all(said["scoring_words.divergence"].split("{gap}")[0] in h for t in marks for h in t.hovertext)
    texts = [a.text for a in (*fig.layout.annotations, *two.layout.annotations)] + [
        t.hovertemplate or "" for t in (*fig.data, *two.data)] + [t.name or "" for t in (*fig.data, *two.data)]
    assert any(HANGUL.search(x) for x in texts) == (lang == "ko")

    tariff = next(c for c in list_commentaries() if getattr(c, "id", "") == "example-2025-04-08-tariff-shock")
    level = next(c for c in tariff.claims if c.rule.type == "level")
    drawn = cp.claim_path_figure(level, [], claim_paths(level, prices, tariff.published), [], words(lang))
    shown = f"{level.rule.params['level']:,.0f}"
    side = "scoring_words.level_above" if level.rule.params["side"] == "above" else "scoring_words.level_below"
    assert said[side].format(level=shown) in {a.text for a in drawn.layout.annotations}
    empty = cp.claim_path_figure(level, [], {}, [], words(lang))
    assert [a.text for a in empty.layout.annotations] == [said["scoring_words.no_prices"]]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_two_symbols_outside_the_palette_get_their_names_and_two_colours(prices, lang: str) -> None:
    """A reader's claim on symbols the palette has no colour for (Tencent vs NVIDIA): each line is named as the
    universe names it, with its ticker, and the two lines differ in colour (they were both the first spare colour)."""
    text = GOOD.replace("params: {a: cn, b: NVDA}", "params: {a: 0700.HK, b: NVDA}")
    item = parse_commentary(text, "mine.md")
    claim = item.claims[-1]
    fig = cp.claim_path_figure(claim, [r for r in readings(item.claims, prices, item.published)
                                       if r.claim_id == claim.id],
                               claim_paths(claim, prices, item.published), [], words(lang))
    lines = [t for t in fig.data if t.mode == "lines"]
    said = words(lang)
    assert [t.name for t in lines] == [said("chart_compare.symbol_name", name=instrument(s).name(lang), symbol=s)
                                       for s in ("0700.HK", "NVDA")]
    assert len({t.line.color for t in lines}) == 2
