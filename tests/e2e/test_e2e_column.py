"""The column page as a reader sees it, in headless Chromium at 1440×900 and 390×844 against a real
``streamlit run app.py`` on the seeded store (offline): the answer first, the first section's evidence in the
first screen (desktop and phone), the scorecard's verdicts without horizontal scrolling, and an as-of view
without "None".
Screenshots: test-artifacts/column-*.png."""

from __future__ import annotations

import itertools
from itertools import pairwise

import pytest

from tests.e2e import test_e2e_reader as reader
from tests.e2e.browser import page_at, screenshot, wait_for_app
from tests.e2e.test_e2e_reader import SIZES, _charts

pytestmark = pytest.mark.browser
server, browser = reader.server, reader.browser  # the reader tests' fixtures: a seeded app and Chromium, per module

BOX_JS = """(text) => {
  const el = [...document.querySelectorAll('[data-testid=stMarkdownContainer]')].find(e => e.innerText.includes(text));
  if (!el) return null;
  const r = el.getBoundingClientRect(); return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};
}"""
HEADING_JS = """() => {
  const h = [...document.querySelectorAll('[role=tab]')].find(e => e.innerText.includes('딥시크 충격'));
  return h ? h.getBoundingClientRect().top + window.scrollY : null; }"""
TAB_EVIDENCE_JS = """() => [...document.querySelectorAll('[role=tabpanel] .js-plotly-plot .main-svg, '
  + '[role=tabpanel] [data-testid=stAlert]')].some(e => e.checkVisibility())"""
EVIDENCE_JS = """() => [...document.querySelectorAll('.js-plotly-plot, [data-testid=stDataFrame]')]
  .filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect().top + window.scrollY).sort((a, b) => a - b)"""


@pytest.mark.timeout(900)
@pytest.mark.parametrize("size", list(SIZES))
def test_column_page_answers_first_and_fits_the_screen(server: str, browser, size: str) -> None:
    width, height = SIZES[size]
    with page_at(browser, f"{server}/column?lang=ko", SIZES[size], "판정 요약") as page:
        _charts(page)
        summary = page.evaluate(BOX_JS, "판정 요약")
        assert summary is not None and summary["top"] < height, f"verdict summary starts at {summary}"
        overall = page.evaluate(BOX_JS, "적중 1, 빗나감 3, 출처에 따라 다름 1")
        assert overall is not None and overall["top"] + 24 <= height, "the overall verdict is not on the first screen"
        evidence = page.evaluate(EVIDENCE_JS)
        heading = page.evaluate(HEADING_JS)
        assert evidence and heading, "no section evidence or heading"
        # the first section's chart starts inside the first screen, on a phone too (controls are folded)
        assert evidence[0] < height, f"{size}: the first section's evidence starts at {evidence[0]:.0f}px"
        charts = _charts(page)
        assert charts and charts[0]["top"] < height and charts[0]["height"] >= 300, f"{size}: first chart {charts[:1]}"
        assert evidence[0] - heading < 120, f"{size}: the evidence is {evidence[0] - heading:.0f}px below its heading"
        # the first chart's plotting area (not only its title: 80 px, three bars) is in the first screen, phone too
        screenshot(page, f"column-first-screen-{size}-ko")
        area = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
        assert area is not None and area["y"] + min(area["height"], 80) <= height, f"{size}: plotting area {area}"
        cite = page.evaluate(BOX_JS, "백석현")
        assert cite is not None and cite["top"] < summary["top"], "the citation (title, author, date) is not shown"
        assert page.locator("[data-testid=stSelectbox]").count() == 0  # the selectors wait in their popover
        screenshot(page, f"column-{size}-ko")
        # the scorecard: one card per claim, wrapping within the viewport (tests/e2e/test_e2e_scorecard.py reads them)
        cards = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="다른 기간").first
        cards.scroll_into_view_if_needed()
        box = cards.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1  # no page-wide scroll
        screenshot(page, f"column-scorecard-{size}-ko")
        # each claim's path (folded, built when opened): a readable chart with its legend below, within the screen
        page.get_by_text("주장별 경로와 세부 판정").first.click()
        panel = page.locator("[data-testid=stExpander]").filter(has_text="주장별 경로와 세부 판정").first
        panel.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        wait_for_app(page, "주장을 골라 경로 보기", timeout=60_000)
        path = panel.locator(".js-plotly-plot").first
        path.scroll_into_view_if_needed()
        screenshot(page, f"column-path-{size}-ko")
        box = path.bounding_box()
        assert box is not None and box["height"] >= 300, f"{size}: the claim path chart is {box}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{size}: the claim path is cut off: {box}"
        plot = path.locator(".nsewdrag").first.bounding_box()  # the plotting area
        legend = path.locator(".legend").first.bounding_box()
        ticks = sorted((b for b in (t.bounding_box() for t in path.locator(".xtick text").all()) if b),
                       key=lambda b: b["x"])
        assert plot is not None and plot["height"] >= 200, f"{size}: plotting area {plot}"
        assert len(ticks) >= 2, f"{size}: {len(ticks)} date ticks"
        for left, right in pairwise(ticks):  # date ticks side by side, never on each other
            assert left["x"] + left["width"] <= right["x"] + 1, f"{size}: date ticks overlap: {left} {right}"
        lowest_tick = max(b["y"] + b["height"] for b in ticks)
        assert legend is not None and legend["y"] >= max(plot["y"] + plot["height"], lowest_tick) - 1, \
            f"{size}: the legend ({legend}) is not below the plotting area ({plot}) and its date ticks"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1


@pytest.mark.timeout(900)
@pytest.mark.parametrize("size", list(SIZES))
def test_as_of_the_columns_date_shows_no_none(server: str, browser, size: str) -> None:
    # the first tab: the DeepSeek Monday came later
    with page_at(browser, f"{server}/column?lang=ko&asof=column", SIZES[size], "칼럼 뒤의 일이라") as page:
        screenshot(page, f"column-asof-{size}-ko")
        tabs = page.locator("[role=tab]")
        assert tabs.count() == 4
        for n in range(4):  # each section's tab is built when chosen: read every one
            if n:
                tabs.nth(n).click()
                wait_for_app(page, "판정 요약", timeout=60_000)
                page.wait_for_function(TAB_EVIDENCE_JS, timeout=60_000)  # its chart, or a note saying why none
            wait_for_app(page, "다른 기간", timeout=60_000)  # the scorecard's cards: every cell of the grid, in words
            text = page.inner_text("body")
            assert "칼럼 날짜 기준" in text and "나중에 판정" in text
            for shown_text in (text,):
                assert "None" not in shown_text and "NaN" not in shown_text and "nan%" not in shown_text, \
                    (n, shown_text[:200])
        screenshot(page, f"column-asof-tab4-{size}-ko")


BADGES_JS = """() => {
  const panel = [...document.querySelectorAll('[role=tabpanel]')].find(p => p.checkVisibility());
  const plot = panel && panel.querySelector('.js-plotly-plot');
  if (!plot) return null;
  const area = plot.querySelector('.nsewdrag').getBoundingClientRect();
  const badges = [...plot.querySelectorAll('g.annotation')].filter(g => /^\\d+$/.test(g.textContent.trim()))
    .map(g => { const r = g.querySelector('rect').getBoundingClientRect();
                return {n: g.textContent.trim(), x: r.x, y: r.y, w: r.width, h: r.height}; });
  return {area: {x: area.x, y: area.y, w: area.width, h: area.height}, badges};
}"""


TITLE_JS = """() => { const plot = [...document.querySelectorAll('[role=tabpanel] .js-plotly-plot')]
  .find(e => e.checkVisibility()); if (!plot) return null; const t = plot.querySelector('.gtitle');
  if (!t) return null; return {top: t.getBoundingClientRect().top,
  svg_top: plot.querySelector('.main-svg').getBoundingClientRect().top, text: t.textContent}; }"""


@pytest.mark.timeout(900)
@pytest.mark.parametrize("size", list(SIZES))
def test_section_badges_sit_apart_inside_the_plot(server: str, browser, size: str) -> None:
    """Sections 2-4 in Chromium: each event a numbered badge, no two badges overlapping, every badge inside the
    plotting area's width, the key of numbers under the chart, and the chart's title whole (no line above the
    figure's top)."""
    with page_at(browser, f"{server}/column?lang=ko", SIZES[size], "판정 요약") as page:
        tabs = page.locator("[role=tab]")
        for n in (1, 2, 3):
            tabs.nth(n).click()
            wait_for_app(page, "판정 요약", timeout=60_000)
            page.wait_for_function(TAB_EVIDENCE_JS, timeout=60_000)
            _charts(page)
            found = page.evaluate(BADGES_JS)
            assert found and found["badges"], f"{size} tab {n + 1}: no numbered badges"
            area, badges = found["area"], found["badges"]
            for b in badges:
                assert area["x"] - 2 <= b["x"] and b["x"] + b["w"] <= area["x"] + area["w"] + 2, (size, n, b, area)
            for a, b in itertools.combinations(badges, 2):
                apart = (a["x"] + a["w"] <= b["x"] + 0.5 or b["x"] + b["w"] <= a["x"] + 0.5
                         or a["y"] + a["h"] <= b["y"] + 0.5 or b["y"] + b["h"] <= a["y"] + 0.5)
                assert apart, f"{size} tab {n + 1}: badges {a} and {b} overlap (plot {area})"
            assert "그래프의 번호" in page.inner_text("[role=tabpanel]:visible")
            title = page.evaluate(TITLE_JS)
            assert title and title["top"] >= title["svg_top"] - 0.5, f"{size} tab {n + 1}: title cut at the top {title}"
            page.locator("[role=tabpanel]:visible .js-plotly-plot").first.scroll_into_view_if_needed()
            screenshot(page, f"column-section{n + 1}-{size}-ko")
