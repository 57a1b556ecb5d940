"""End to end: the real app in headless Chromium shows the Data page with the stored snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import browser_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


def test_data_page_renders_in_chromium(seeded_store: Path) -> None:
    with streamlit_server(seeded_store) as url, browser_page() as page:
        page.goto(f"{url}/data?lang=en")
        wait_for_app(page, "Series in the store")
        page.get_by_text("offline — data as of 2026-10-30").first.wait_for()
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        shot = screenshot(page, "data-page-en")
        assert shot.stat().st_size > 10_000
        body = page.inner_text("body")
        assert "Two FX providers: Yahoo vs ECB" in body
