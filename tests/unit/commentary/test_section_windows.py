"""Section charts say their window: the compare lines end together (one legend, one window), the as-of view
states no change where nothing has happened yet, and each narrative names the chart it sits beside."""

from __future__ import annotations

import itertools
import re
import tempfile

import pandas as pd
import plotly.graph_objects as go
import pytest

from commentary.charts.sections import section_figure
from commentary.document.column import COLUMNS_DIR, list_commentaries, load_commentary
from commentary.document.model import Commentary
from ui.words import words


@pytest.fixture(scope="module")
def prices(request) -> pd.DataFrame:
    from data_sources.store.csv_io import import_folder
    from data_sources.store.prices import Store
    from tests.conftest import MARKET_DIR

    if not MARKET_DIR.exists():
        pytest.skip("no market snapshot")
    store = Store(tempfile.mkdtemp())
    import_folder(store, MARKET_DIR)
    return store.load_prices()


def _baek() -> Commentary:
    return load_commentary(COLUMNS_DIR / "baek-2025-01-26.md")


def _compare_sections(item: Commentary):
    return [s for s in item.sections if s.chart["kind"] == "compare"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_compare_lines_end_on_one_date_named_in_the_title(prices, lang):
    item = _baek()
    for section in _compare_sections(item):
        fig = section_figure(section, item, prices, [], words(lang))
        lines = [t for t in fig.data if isinstance(t, go.Scatter) and t.mode == "lines" and t.meta]
        ends = {pd.Timestamp(t.x[-1]).normalize() for t in lines}
        assert len(lines) >= 2 and len(ends) == 1, ends  # each legend change is over the same window
        assert f"{ends.pop():%Y-%m-%d}" in fig.layout.title.text
        # the window's change is the legend's: computed here from the line's own points
        for trace in lines:
            change = (trace.y[-1] / 100 - 1) * 100
            assert f"{abs(change):.1f}" in trace.name.replace(",", ""), (trace.name, change)


def test_as_of_the_column_no_line_claims_a_change_it_has_not_had(prices):
    item = _baek()
    for section in _compare_sections(item):
        for lang in ("ko", "en"):
            fig = section_figure(section, item, prices, [], words(lang), item.published)
            base = pd.Timestamp(section.chart.get("base_date") or section.chart["start"])
            for trace in (t for t in fig.data if t.mode == "lines" and t.meta):
                if pd.Timestamp(trace.x[-1]) <= base:
                    assert not re.search(r"[+\-−]?0\.0\s?%", trace.name), trace.name
                    assert trace.name == trace.meta


#: What a narrative says about its chart, and the chart kinds that fit the words.
NAMED_KINDS: dict[str, tuple[str, ...]] = {
    r"100으로|to 100|set to 100|rebase": ("compare",),
    r"하루 (동안 )?(종목별 )?등락|one-day moves?|막대": ("event_day",),
}


def test_each_narrative_names_the_chart_kind_beside_it():
    checked = 0
    for item in (c for c in list_commentaries() if isinstance(c, Commentary)):
        for section in item.sections:
            for lang in ("ko", "en"):
                body = section.body(lang)
                for pattern, kinds in NAMED_KINDS.items():
                    if re.search(pattern, body, flags=re.IGNORECASE):
                        checked += 1
                        assert section.chart["kind"] in kinds, (item.id, section.id, lang, pattern)
    assert checked >= 4  # the bundled columns do describe their charts


def _line_window(fig) -> tuple[pd.Timestamp, pd.Timestamp]:
    if fig.layout.xaxis.range:  # the range the chart opens on
        return pd.Timestamp(fig.layout.xaxis.range[0]), pd.Timestamp(fig.layout.xaxis.range[1])
    xs = [pd.Timestamp(x) for t in fig.data if t.mode == "lines" and t.x is not None and len(t.x) > 2 for x in t.x]
    return min(xs), max(xs)


@pytest.mark.parametrize("plot_px", [210.0, 620.0])  # the plotting area on a 390 px phone, and beside the text at 1440
def test_section_events_are_numbered_badges_that_never_overlap_or_leave_the_plot(prices, plot_px):
    """Sections 2-4 name their events with numbered badges above the plot (the key goes under the chart): no
    event name is written onto the lines, no two badges of a row overlap, none leaves the plotting area."""
    from commentary.charts.pin_numbers import badge_width_px, key_from_figure
    from commentary.timeline.events import load_events

    item, events = _baek(), load_events()
    for section in item.sections[1:]:
        fig = section_figure(section, item, prices, events, words("ko"))
        badges = [a for a in fig.layout.annotations if (a.name or "").startswith("label:event:")]
        key = key_from_figure(fig)
        assert badges and len(key) == len(badges), section.id
        assert all(a.text.isdigit() for a in badges)  # numbers only: the names are in the key under the chart
        shown = {k.event_id for k in key}
        assert not any(a.text and any(k.label in a.text for k in key) for a in fig.layout.annotations)
        assert shown  # every pinned event is in the key
        x0, x1 = _line_window(fig)
        span = (x1 - x0).total_seconds()
        rows: dict[float, list[tuple[float, float]]] = {}
        for a in badges:  # Plotly places a badge at its date's fraction of the plot plus its offset in pixels
            centre = (pd.Timestamp(a.x) - x0).total_seconds() / span * plot_px + (a.ax or 0)
            half = badge_width_px(a.text) / 2
            assert centre - half >= -2 and centre + half <= plot_px + 2, (section.id, a.text, centre, plot_px)
            rows.setdefault(round(a.y, 3), []).append((centre - half, centre + half))
        for boxes in rows.values():
            boxes.sort()
            assert all(a[1] <= b[0] + 0.5 for a, b in itertools.pairwise(boxes)), (section.id, boxes)


def test_the_gap_between_sources_is_a_mark_not_a_label_on_the_axis_or_the_level(prices):
    """Yahoo and the ECB part by more than 1.5% on 2025-01-28: a mark on that day with the gap (computed here) in
    its hover, the sources named in readers' words; no text written on the chart for it."""
    item = _baek()
    section = item.section("won-below-1430")
    fig = section_figure(section, item, prices, [], words("ko"))
    day = pd.Timestamp("2025-01-28")
    close = {s: float(prices[(prices["symbol"] == s) & (prices["date"] == day)]["close"].iloc[0])
             for s in ("KRW=X", "USDKRW_ECB")}
    gap = (close["KRW=X"] / close["USDKRW_ECB"] - 1) * 100
    mark = next(t for t in fig.data if t.name == "divergence:2025-01-28")
    assert f"{gap:+.1f}%" in mark.hovertemplate and "KRW=X" not in mark.hovertemplate
    assert sorted(mark.y) == sorted(close.values()) and not mark.showlegend
    assert not any("차이" in (a.text or "") or ("%" in (a.text or "") and "1,430" not in (a.text or ""))
                   for a in fig.layout.annotations if (a.name or "").startswith("divergence"))
    assert not any((a.name or "").startswith("divergence") for a in fig.layout.annotations)


def test_fx_section_titles_name_their_series_and_window_in_readers_words(prices):
    item = _baek()
    for section in (s for s in item.sections if s.chart["kind"] in ("fx", "fx_window")):
        lo, hi = pd.Timestamp(section.chart["start"]), pd.Timestamp(section.chart["end"])
        rows = prices[prices["symbol"].isin(section.chart["symbols"]) & prices["date"].between(lo, hi)]
        for lang in ("ko", "en"):
            title = section_figure(section, item, prices, [], words(lang)).layout.title.text
            assert f"{rows['date'].min():%Y-%m-%d} ~ {rows['date'].max():%Y-%m-%d}" in title
            assert not any(code in title for code in section.chart["symbols"]), title  # names, not codes
