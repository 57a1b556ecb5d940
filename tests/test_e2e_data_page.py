"""End to end: the real app in headless Chromium shows the Data page with the stored snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources.refresh import ensure_bundled_ecb
from data_sources.store import Store
from tests.browser import browser_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


def test_data_page_renders_in_chromium(seeded_store: Path) -> None:
    store = Store(seeded_store)
    ensure_bundled_ecb(store)  # what the page does first; the as-of date is then the installed ECB file's
    as_of = store.read().prices["date"].max().date().isoformat()
    with streamlit_server(seeded_store) as url, browser_page() as page:
        page.goto(f"{url}/data?lang=en")
        wait_for_app(page, "Series in the store")
        page.get_by_text(f"offline — data as of {as_of}").first.wait_for()
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        shot = screenshot(page, "data-page-en")
        assert shot.stat().st_size > 10_000
        body = page.inner_text("body")
        assert "Two FX providers: Yahoo vs ECB" in body
