"""Script time per page with a warm cache (AppTest, median of N runs), against an empty Streamlit page."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_sources import settings as app_settings

ROOT = Path(__file__).resolve().parents[1]
EMPTY_PAGE = 'import streamlit as st\nst.title("hello")\n'


def _median_run_ms(at: AppTest, runs: int) -> float:
    at.run()  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"page raised: {at.exception[0].message}")
    return statistics.median(times)


def page_times(runs: int = 20) -> list[tuple[str, float]]:
    """(page, median ms) for every page in pages/ and for an empty page (first row)."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.py"
        empty.write_text(EMPTY_PAGE)
        results = [("(empty Streamlit page)", _median_run_ms(AppTest.from_file(str(empty), default_timeout=60), runs))]
    for page in sorted(p.stem for p in (ROOT / "pages").glob("*.py")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = "en"
        at.run()
        at.switch_page(f"pages/{page}.py")
        results.append((page, _median_run_ms(at, runs)))
    return results


def seeded_env(store_dir: Path, market: Path, news: Path) -> None:
    """Point the app at a fresh store seeded from the shared snapshot, offline."""
    from data_sources.news import store as news_store
    from data_sources.store.csv_io import import_folder
    from data_sources.store.prices import Store

    os.environ["DASHBOARD_DATA_DIR"] = str(store_dir)
    os.environ["DASHBOARD_OFFLINE"] = "1"
    app_settings.reload()
    import_folder(Store(store_dir), market)
    if news.exists():
        news_store.import_feed_dir(store_dir, news)
