"""End to end: the real app in headless Chromium shows the Data page with the stored snapshot, table first,
in Korean, on a laptop and a phone; an import from the configured root updates the whole page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import catalog
from data_sources.market.refresh import ensure_bundled_ecb
from data_sources.store.prices import Store
from tests.e2e.browser import browser_page, screenshot, streamlit_server, wait_for_app, wait_idle

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
ENGLISH_UI = ["Series in the store", "reading ", "writing the store", "Import from a folder", "Refresh now",
              "No data yet", "Imported ", "fetched_at", "Stored in", "Two FX providers"]


def test_data_page_renders_in_chromium(seeded_store: Path) -> None:
    store = Store(seeded_store)
    ensure_bundled_ecb(store)  # what the page does first; the FX as-of date is then the installed ECB file's
    as_of = store.read().prices["date"].max().date().isoformat()
    with streamlit_server(seeded_store) as url, browser_page() as page:
        page.goto(f"{url}/data?lang=en")
        wait_for_app(page, "Series in the store")
        page.get_by_text(f"FX as of {as_of}", exact=False).first.wait_for()  # offline — prices as of … · FX as of …
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        shot = screenshot(page, "data-page-en")
        assert shot.stat().st_size > 10_000
        body = page.inner_text("body")
        assert "Two FX providers: Yahoo vs ECB" in body


@pytest.mark.parametrize("size", SIZES)
def test_korean_data_page_opens_on_its_table(seeded_store: Path, size: str) -> None:
    width, height = SIZES[size]
    with streamlit_server(seeded_store) as url, browser_page(width, height) as page:
        page.goto(f"{url}/data?lang=ko")
        wait_for_app(page, "종목별 현황")
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for()
        box = grid.bounding_box()
        assert box and box["y"] < height * 0.75, box  # the table starts in the first screen
        assert box["x"] + min(box["width"], width) <= width + 1  # and is not wider than the screen
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        screenshot(page, f"data-page-ko-{size}")
        body = page.inner_text("[data-testid='stMain']")
        assert not [s for s in ENGLISH_UI if s in body], body[:800]
        assert "가져오기" in body and "야후 vs ECB" in body


def test_browser_import_updates_the_whole_page(_offline_isolated: Path, tmp_path: Path, market_dir: Path) -> None:
    root = tmp_path / "imports"
    (root / "fx").mkdir(parents=True)
    shutil.copy(market_dir / "KRW=X.csv", root / "fx" / "KRW=X.csv")
    with streamlit_server(_offline_isolated, {"DASHBOARD_IMPORT_ROOT": str(root)}) as url, \
            browser_page(*SIZES["desktop"]) as page:
        page.goto(f"{url}/data?lang=ko")
        wait_for_app(page, "종목별 현황")
        no_common = catalog.text("ko", "data.fx_none", currency="|").split("|")[0]  # "no dates both sources hold"
        page.get_by_text(no_common).first.wait_for(timeout=60_000)
        page.get_by_role("button", name="가져오기").click()
        page.get_by_text("1개 종목, 719행 가져옴").first.wait_for(timeout=60_000)
        wait_idle(page)
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        body = page.inner_text("[data-testid='stMain']")
        assert no_common not in body and "공통 날짜" in body
        screenshot(page, "data-page-ko-after-import")
