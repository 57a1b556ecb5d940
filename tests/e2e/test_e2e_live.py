"""Open tabs follow the store (ui/live.py), in headless Chromium against a real ``streamlit run app.py``: a row
imported into the store while a reader's tab is open reaches that tab without a click, and the reader is told."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from data_sources.store.prices import Store
from tests.e2e.browser import browser_page, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser
CHECK_S = 2  # DASHBOARD_TAB_CHECK of the server under test
SLACK_S = 15  # a loaded 2-core machine: the rerun itself, and Chromium drawing it


def _newest_price_day(store: Path) -> pd.Timestamp:
    """The last stored day of stocks/indices (what the banner calls "prices as of"), read here from the store."""
    from ui.chrome import FX_SYMBOLS

    prices = Store(store).read().prices
    return pd.Timestamp(prices[~prices["symbol"].isin(FX_SYMBOLS)]["date"].max())


def _import_one_row(store: Path, day: pd.Timestamp) -> None:
    """What ``python -m data_sources import`` does with a one-row file: an NVDA close on ``day``."""
    row = Store(store).read().prices.query("symbol == 'NVDA'").tail(1).assign(date=day)
    Store(store).upsert(row, {})


@pytest.mark.timeout(600)
def test_an_open_tab_shows_new_data_without_a_click(_seeded_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(_seeded_template, store)
    before = _newest_price_day(store)
    after = before + pd.Timedelta(days=1)
    with streamlit_server(store, {"DASHBOARD_TAB_CHECK": str(CHECK_S)}) as url, browser_page(1400, 1000) as page:
        page.goto(f"{url}/column?lang=en")
        wait_for_app(page, "Verdicts", timeout=180_000)
        page.get_by_text(f"prices as of {before:%Y-%m-%d}", exact=False).first.wait_for(timeout=60_000)
        _import_one_row(store, after)
        imported = time.monotonic()
        page.get_by_text(f"prices as of {after:%Y-%m-%d}", exact=False).first.wait_for(
            timeout=(CHECK_S + SLACK_S) * 1000)
        lag = time.monotonic() - imported
        page.get_by_text("New data arrived", exact=False).first.wait_for(timeout=10_000)
        assert page.get_by_text("Verdicts", exact=False).count() >= 1  # the whole page, redrawn on the new data
    print(f"new data shown in the open tab after {lag:.1f} s (check every {CHECK_S} s)")
    assert lag <= CHECK_S + SLACK_S
