"""Issue 29 item 1: one series, one colour on every page. Every figure of every page is built as the pages build it
(the compare page's three charts, the USD/KRW chart from both sources with the yuan, the column's section charts and
each claim's path chart) from the real snapshot, and each named series (US basket, China basket, each benchmark,
Yahoo KRW=X, ECB USDKRW_ECB, CNY) must have one colour everywhere — the palette's, by identity."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import plotly.graph_objects as go
import pytest

from commentary.analysis import compare_lines as cl
from commentary.analysis.analytics import drawdown, spread_pp
from commentary.charts.claim_path import claim_path_figure
from commentary.charts.compare import compare_figure, drawdown_figure, spread_figure
from commentary.charts.fx import fx_figure
from commentary.charts.palette import SERIES_COLOURS, identity
from commentary.charts.sections import section_figure
from commentary.cli.score import prices_from
from commentary.document.column import COLUMNS_DIR, load_commentary
from commentary.scoring.claims import claim_paths, readings
from tests.conftest import MARKET_DIR
from ui import compare_view as cv
from ui import fx_view
from ui.words import words

NAMED = ("US_BASKET", "CN_BASKET", "^NDX", "^HSI", "KWEB", "KRW=X", "USDKRW_ECB", "CNY=X")


def _compare_page(prices: pd.DataFrame, lang: str) -> list[tuple[str, go.Figure]]:
    default = cv.default_view(prices)
    out = []
    for ccy in cl.CURRENCIES:
        view = cv.CompareView(**{**default.__dict__, "ccy": ccy})
        levels = cl.in_window(cl.compare_lines(prices, view).levels, view.start, view.end)
        names = cv.line_names(levels.columns, lang)
        baskets = levels[list(cl.BASKET_KEYS)]
        dd = pd.DataFrame({col: drawdown(baskets[col]) for col in baskets.columns})
        out += [(f"compare {ccy}", compare_figure(levels, names, view.base, words(lang),
                                                                  highlight=set(cl.BASKET_KEYS))),
                (f"spread {ccy}", spread_figure(spread_pp(baskets[cl.CN_KEY], baskets[cl.US_KEY]), words(lang))),
                (f"drawdown {ccy}", drawdown_figure(dd, words(lang), names))]
    return out


def _fx_page(prices: pd.DataFrame, lang: str) -> list[tuple[str, go.Figure]]:
    out = []
    for src, (main, cny) in fx_view.SOURCES.items():
        bounds = fx_view.series_bounds(prices, main)
        view = fx_view.default_view(*bounds, src)
        rate = fx_view.in_window(prices, main, view.start, view.end)
        second = fx_view.in_window(prices, cny, view.start, view.end)
        out.append((f"fx {src}", fx_figure(rate, second=second, words=words(lang),
                                           history=prices[prices["symbol"] == main], numbered=True)))
    return out


def _column_page(prices: pd.DataFrame, lang: str) -> list[tuple[str, go.Figure]]:
    out = []
    for path in sorted(COLUMNS_DIR.glob("*.md")):
        column = load_commentary(path)
        for section in column.sections:
            if section.chart and section.chart.get("kind") in ("compare", "fx", "fx_window"):
                out.append((f"{path.stem} section {section.id}",
                            section_figure(section, column, prices, [], words(lang))))
        marks = readings(column.claims, prices, column.published)
        for claim in column.claims:
            paths = claim_paths(claim, prices, column.published)
            mine = [r for r in marks if r.claim_id == claim.id]
            out.append((f"{path.stem} claim {claim.id}", claim_path_figure(claim, mine, paths, [], words(lang))))
    return out


@pytest.fixture(scope="module")
def figures() -> list[tuple[str, str, go.Figure]]:
    if not MARKET_DIR.is_dir():
        pytest.skip(f"no market snapshot at {MARKET_DIR}")
    prices, _ = prices_from(MARKET_DIR)
    out = []
    for lang in ("ko", "en"):
        for page, build in (("compare", _compare_page), ("fx", _fx_page), ("column", _column_page)):
            out += [(page, name, fig) for name, fig in build(prices, lang)]
    return out


def _line_colours(figures: list[tuple[str, str, go.Figure]]) -> dict[str, dict[str, set[str]]]:
    """identity -> colour -> the figures that draw it in that colour (line traces named by their legendgroup)."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for page, name, fig in figures:
        for trace in fig.data:
            group = getattr(trace, "legendgroup", None)
            line = getattr(trace, "line", None)
            if group and line is not None:  # a line left to Plotly's own colour cycle counts as a wrong colour
                seen[identity(group)][str(line.color or "plotly default").lower()].add(f"{page}: {name}")
    return seen


def test_every_named_series_has_one_colour_on_every_page(figures) -> None:
    seen = _line_colours(figures)
    for key in NAMED:
        assert key in seen, f"{key} is drawn by no figure"
        assert set(seen[key]) == {SERIES_COLOURS[key].lower()}, (key, {c: sorted(f)[:3] for c, f in seen[key].items()})


def test_the_baskets_and_the_rates_are_named_on_the_column_page_as_on_their_own_pages(figures) -> None:
    seen = _line_colours(figures)
    for key in ("US_BASKET", "CN_BASKET", "KRW=X", "USDKRW_ECB"):
        pages = {where.split(":")[0] for where in next(iter(seen[key].values()))}
        assert "column" in pages and pages & {"compare", "fx"}, (key, pages)


def test_a_basket_by_any_of_its_names_is_one_identity() -> None:
    assert identity("basket:us_bigtech") == identity("us_bigtech") == identity("US_BASKET") == "US_BASKET"
    assert identity("basket:cn_tech") == identity("cn_tech") == "CN_BASKET"
    assert identity("NVDA") == "NVDA"
