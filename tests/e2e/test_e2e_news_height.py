"""The News page in Chromium at 1440×900 and 390×844, in Korean and English: page 1 is a digest of 20 items that
stays under about three screens on a phone (issue 29 item 8). The measured heights are printed and written to
test-artifacts/news-height.json; screenshots: test-artifacts/news-*.png."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.browser import ARTIFACTS, browser_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

#: The page's whole scroll height, from the top of the app to the end of the last element.
HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid=stMain]') || document.scrollingElement;
  const blocks = [...document.querySelectorAll('[data-testid=stMainBlockContainer] [data-testid=stElementContainer]')];
  const bottom = Math.max(0, ...blocks.map(b => b.getBoundingClientRect().bottom + main.scrollTop));
  return {scroll: main.scrollHeight, content: bottom};
}"""
ITEMS_JS = """() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p strong a')].length"""


@pytest.mark.timeout(600)
def test_news_page_one_fits_three_phone_screens(_seeded_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(_seeded_template, store)
    heights = {}
    with streamlit_server(store) as url:
        for lang, title in (("ko", "AI 뉴스"), ("en", "AI news")):
            for width, height in ((1440, 900), (390, 844)):
                with browser_page(width, height) as page:
                    page.goto(f"{url}/news?lang={lang}")
                    wait_for_app(page, title, timeout=120_000)
                    page.locator("[data-testid=stMarkdownContainer] p strong a").first.wait_for(timeout=60_000)
                    page.wait_for_function("() => document.querySelector('.js-plotly-plot')", timeout=60_000)
                    measured = page.evaluate(HEIGHT_JS)
                    items = page.evaluate(ITEMS_JS)
                    screenshot(page, f"news-{lang}-{width}")
                screens = measured["content"] / height
                heights[f"{lang}-{width}x{height}"] = {**measured, "items": items, "screens": screens}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "news-height.json").write_text(json.dumps(heights, indent=1), encoding="utf-8")
    print(json.dumps(heights, indent=1))
    for key, value in heights.items():
        assert value["items"] <= 20 + 2, (key, value)  # 20 items (a title link each; a stray link in a caption)
        if key.endswith("390x844"):
            assert value["content"] <= 3.2 * 844, (key, value)
