"""Browser figures: navigation → first Plotly chart drawn and → every chart drawn, with a cold and a warm
browser cache, at desktop (1440×900) and phone (390×844) sizes, against a hello-world app; server memory.

"Cold" opens each view in a fresh browser context (empty HTTP cache, new session); "warm" reloads the
view in one context (cached static files, the server's caches already filled). "Every chart" is the
moment the last chart on the page was drawn, once the app has stopped running and the number of drawn
charts has not changed for :data:`SETTLE_MS`.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.load import server_times
from tests.browser import CHROMIUM_ARGS, chromium_path, streamlit_server

HELLO = """import plotly.graph_objects as go
import streamlit as st
st.title("hello")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""
PAGES = ("column", "compare", "fx", "news", "data")
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
SETTLE_MS = 700
_VISIBLE_JS = """() => [...document.querySelectorAll('.js-plotly-plot .main-svg')].some(
  e => e.checkVisibility() && e.getBoundingClientRect().height > 0)"""
_DRAWN_JS = """() => {
  const running = !!document.querySelector('[data-testid="stStatusWidget"]');
  const drawn = document.querySelectorAll('.js-plotly-plot .main-svg').length;
  return [running, drawn];
}"""


def _measure(page, url: str) -> tuple[float, float]:
    """(ms to the first chart, ms to the last chart drawn) for one navigation (NaN when no chart came)."""
    start = time.perf_counter()
    page.goto(url)
    try:  # drawn and visible (not in a closed expander or tab)
        page.wait_for_function(_VISIBLE_JS, timeout=60_000)
    except Exception:  # a page that never shows a chart is reported, not fatal
        print(f"  no visible chart within 60 s: {url}", file=sys.stderr)
        return math.nan, math.nan
    first = (time.perf_counter() - start) * 1000
    last_count, last_change = -1, time.perf_counter()
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        running, drawn = page.evaluate(_DRAWN_JS)
        now = time.perf_counter()
        if drawn != last_count:
            last_count, last_change = drawn, now
        elif not running and (now - last_change) * 1000 >= SETTLE_MS:
            break
        page.wait_for_timeout(50)
    return first, (last_change - start) * 1000


def _series(browser, url: str, size: tuple[int, int], cold: bool, repeat: int) -> tuple[float, float]:
    """Median (first, every) over ``repeat`` navigations."""
    firsts, lasts = [], []
    context = None if cold else browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        if context is not None:
            _measure(context.new_page() if not context.pages else context.pages[0], url)  # fill the cache
        for _ in range(repeat):
            if cold:
                ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
                try:
                    first, last = _measure(ctx.new_page(), url)
                finally:
                    ctx.close()
            else:
                first, last = _measure(context.pages[0], url)
            firsts.append(first)
            lasts.append(last)
    finally:
        if context is not None:
            context.close()
    return statistics.median(firsts), statistics.median(lasts)


def _rss_mb(pid: int) -> float:
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run(store_dir: Path, repeat: int | None = None) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows; ``repeat`` navigations per figure (default ``$BENCH_BROWSER_REPEAT`` or 3)."""
    repeat = repeat or int(os.environ.get("BENCH_BROWSER_REPEAT", "3"))
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str, str]] = []
    hello_ms: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as tmp:  # (asyncio, so before Playwright's own loop starts)
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        server_rows = server_times(store_dir, hello)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                hello = Path(tmp) / "hello.py"
                hello.write_text(HELLO)
                with streamlit_server(store_dir, script=hello) as url:
                    for size_name, size in SIZES.items():
                        for cache in ("cold", "warm"):
                            first, _last = _series(browser, url, size, cache == "cold", repeat)
                            hello_ms[size_name, cache] = first
                            rows.append((f"browser: hello-world, {size_name}, {cache} cache, → chart",
                                         f"{first:.0f} ms", "—"))
                rows += server_rows
            with streamlit_server(store_dir) as url:
                for name in PAGES:  # fill the server's caches once, as a running server would have them
                    _series(browser, f"{url}/{name}?lang=en", SIZES["desktop"], False, 1)
                for size_name, size in SIZES.items():
                    for cache in ("cold", "warm"):
                        base = hello_ms[size_name, cache]
                        for name in PAGES:
                            first, last = _series(browser, f"{url}/{name}?lang=en", size, cache == "cold", repeat)
                            print(f"  {name} {size_name} {cache}: {first:.0f} / {last:.0f} ms", file=sys.stderr)
                            rows.append((f"browser: {name}, {size_name}, {cache} cache, → first chart",
                                         f"{first:.0f} ms ({first / base:.2f}×)", "≤ 1.5× hello-world"))
                            rows.append((f"browser: {name}, {size_name}, {cache} cache, → every chart",
                                         f"{last:.0f} ms ({last / base:.2f}×)", "≤ 2.5× hello-world"))
                rows.append(("server memory (RSS) after visiting every page", f"{_rss_mb(url.pid):.0f} MB",
                             "≤ 300 MB"))
        finally:
            browser.close()
    return rows
