"""The US vs China and USD/KRW pages in headless Chromium at 1440×900 and 390×844, in Korean and English: no Plotly
toolbar over a chart, the range buttons inside a phone's width, the USD/KRW range slider a thumb's height, and no
series id on the chart. Screenshots go to test-artifacts/ (markets-<page>-<lang>-<width>.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (390, 844))
TITLES = {("compare", "ko"): "미국 vs 중국", ("compare", "en"): "US vs China", ("fx", "ko"): "원/달러 환율",
          ("fx", "en"): "USD/KRW"}
PRESETS = {"ko": ("1개월", "3개월", "6개월", "연초 이후", "1년", "전체"), "en": ("1M", "3M", "6M", "YTD", "1Y", "All")}


def _chart_drawn(page) -> None:
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_compare_page_fits_and_shows_no_toolbar(seeded_app: str, lang: str, width: int, height: int) -> None:
    with browser_page(width, height) as page:
        page.goto(f"{seeded_app}/compare?lang={lang}")
        wait_for_app(page, TITLES[("compare", lang)])
        _chart_drawn(page)
        for label in PRESETS[lang]:  # every range button inside the screen's width (they wrap on a phone)
            box = page.locator("[data-testid='stMain'] button").filter(has_text=label).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
        assert page.locator(".modebar").count() == 0 or not page.locator(".modebar").first.is_visible()
        heading = page.locator(".js-plotly-plot .gtitle").first
        title = heading.text_content()
        assert "=X" not in title and "_ECB" not in title
        box = heading.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box  # the title is not cut at the right edge
        screenshot(page, f"markets-compare-{lang}-{width}")


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_fx_page_slider_is_usable_and_names_are_readers(seeded_app: str, lang: str, width: int, height: int) -> None:
    with browser_page(width, height) as page:
        page.goto(f"{seeded_app}/fx?lang={lang}")
        wait_for_app(page, TITLES[("fx", lang)])
        _chart_drawn(page)
        slider = page.locator(".js-plotly-plot .rangeslider-bg").first
        slider.wait_for(timeout=60_000)
        box = slider.bounding_box()
        assert box is not None and box["height"] >= 40, box  # a thumb's height on a phone
        assert box["x"] + box["width"] <= width
        line = page.locator(".js-plotly-plot .rangeslider-rangeplot .scatterlayer path.js-line").first
        assert line.count() == 1 and line.bounding_box()["height"] > 5  # the stored line is drawn in it
        # the source note (the chart's lowest text) starts below the slider, never over its bottom edge
        notes = page.locator(".js-plotly-plot .annotation")
        lowest = max((notes.nth(i).bounding_box() for i in range(notes.count())), key=lambda b: b["y"] if b else -1)
        assert lowest["y"] >= box["y"] + box["height"], (lowest, box)
        assert page.locator(".modebar").count() == 0 or not page.locator(".modebar").first.is_visible()
        title = page.locator(".js-plotly-plot .gtitle").first.text_content()
        assert "KRW=X" not in title and "_ECB" not in title
        screenshot(page, f"markets-fx-{lang}-{width}")


ANSWER_TITLE = {"ko": "칼럼의 판정", "en": "The column's calls"}
# the top of the first chart's plotting area (its grid), below its title and range buttons
PLOT_TOP_JS = """() => document.querySelector('.js-plotly-plot .cartesianlayer .bg, .js-plotly-plot .nsewdrag')
  .getBoundingClientRect().top"""


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("name", ["compare", "fx"])
def test_a_phone_opens_on_the_columns_calls_and_the_chart(seeded_app: str, name: str, lang: str) -> None:
    width, height = SIZES[1]
    with browser_page(width, height) as page:
        page.goto(f"{seeded_app}/{name}?lang={lang}")
        wait_for_app(page, ANSWER_TITLE[lang])
        _chart_drawn(page)
        answer = page.get_by_text(ANSWER_TITLE[lang]).first.bounding_box()
        assert answer is not None and answer["y"] + answer["height"] <= height, answer  # the answer first
        top = page.evaluate(PLOT_TOP_JS)  # and the chart's plot begins in the first screen, below it
        assert answer["y"] < top < height - 200, (answer, top)  # 200 px of it: the lines, not just a title
        screenshot(page, f"markets-{name}-first-screen-{lang}")


@pytest.fixture(scope="module")
def seeded_app(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """One server for the module, on its own copy of the seeded store."""
    import shutil

    root = tmp_path_factory.mktemp("markets")
    shutil.copytree(_seeded_template, root, dirs_exist_ok=True)
    with streamlit_server(root) as url:
        yield url
