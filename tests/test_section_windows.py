"""Section charts say their window: the compare lines end together (one legend, one window), the as-of view
states no change where nothing has happened yet, and each narrative names the chart it sits beside."""

from __future__ import annotations

import re
import tempfile

import pandas as pd
import plotly.graph_objects as go
import pytest

from commentary.charts.sections import section_figure
from commentary.document.column import COLUMNS_DIR, list_commentaries, load_commentary
from commentary.document.model import Commentary


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
        fig = section_figure(section, item, prices, [], lang)
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
            fig = section_figure(section, item, prices, [], lang, item.published)
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
