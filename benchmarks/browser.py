"""Browser figures: navigation → first Plotly chart drawn and → every chart drawn, with a cold and a warm
browser cache, at desktop (1440×900) and phone (390×844) sizes, against a hello-world app; server memory.

"Cold" opens each view in a fresh browser context (empty HTTP cache, new session); "warm" reloads the
view in one context (cached static files, the server's caches already filled). "First chart" is the first
Plotly chart that is drawn and visible (not inside a closed expander); "every chart" is the moment the last
chart on the page was drawn, once the app has stopped running and the number of drawn charts has not changed
for :data:`SETTLE_MS`.

Both times are read inside the page: a script added before any page script checks the charts on every
animation frame and stamps ``performance.now()`` (milliseconds since the navigation started), so the
figures do not include Playwright's polling delay.

The machine may be shared, so each page is measured ``repeat`` times *interleaved* with the hello-world app
(hello, page, hello, page, …; both servers run side by side): a burst of load hits both alike. A ratio is the
median of the page's times over the median of hello-world's times in the same series; the spread is the
range of the per-pair ratios.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks.load import server_times
from tests.browser import CHROMIUM_ARGS, chromium_path, nginx_proxy, streamlit_server

HELLO = """import plotly.graph_objects as go
import streamlit as st
st.title("hello")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""
PAGES = ("column", "compare", "fx", "news", "data")
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
TARGET_FIRST, TARGET_EVERY = 1.5, 2.5
DEPLOYED_ENV = {"MALLOC_ARENA_MAX": "2"}  # the app server as the Dockerfile starts it
SETTLE_MS = 700
TIMEOUT_S = 120
# Stamped on every animation frame from the first byte of the page on.
_WATCH_JS = """(() => {
  const w = window; w.__bench = {first: null, last: null, count: 0};
  const tick = () => {
    const svgs = document.querySelectorAll('.js-plotly-plot .main-svg');
    const now = performance.now();
    if (svgs.length !== w.__bench.count) { w.__bench.count = svgs.length; w.__bench.last = now; }
    if (w.__bench.first === null) {
      for (const e of svgs) {
        if (e.checkVisibility() && e.getBoundingClientRect().height > 0) { w.__bench.first = now; break; }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""
_STATE_JS = """() => [!!document.querySelector('[data-testid="stStatusWidget"]'),
                      window.__bench ? window.__bench.first : null, window.__bench ? window.__bench.last : null,
                      window.__bench ? window.__bench.count : 0]"""

LAST_TABLE: list[str] = []  # the ratio table of the last run (Markdown), printed by ``python -m benchmarks``


def _measure(page, url: str) -> tuple[float, float]:
    """(ms to the first visible chart, ms to the last chart drawn) for one navigation (NaN when no chart)."""
    page.goto(url)
    try:
        page.wait_for_function("() => window.__bench && window.__bench.first !== null", timeout=TIMEOUT_S * 1000)
    except Exception:  # a page that never shows a chart is reported, not fatal
        print(f"  no visible chart within {TIMEOUT_S} s: {url}", file=sys.stderr)
        return math.nan, math.nan
    seen, still_since = None, None
    for _ in range(TIMEOUT_S * 10):
        running, first, last, count = page.evaluate(_STATE_JS)
        now = page.evaluate("() => performance.now()")
        if (count, last) != seen:
            seen, still_since = (count, last), now
        elif not running and now - still_since >= SETTLE_MS and now - last >= SETTLE_MS:
            return first, last
        page.wait_for_timeout(100)
    return first, last


class _Viewer:
    """Navigations at one size, each in a fresh context (cold) or all in one kept context (warm)."""

    def __init__(self, browser, size: tuple[int, int], cold: bool) -> None:
        self.browser, self.size, self.cold = browser, size, cold
        self.context = None if cold else self._context()

    def _context(self):
        context = self.browser.new_context(viewport={"width": self.size[0], "height": self.size[1]})
        context.add_init_script(_WATCH_JS)
        context.new_page()
        return context

    def measure(self, url: str) -> tuple[float, float]:
        if not self.cold:
            return _measure(self.context.pages[0], url)
        context = self._context()
        try:
            return _measure(context.pages[0], url)
        finally:
            context.close()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


def _median(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


def _spread(pages: list[float], hellos: list[float]) -> str:
    ratios = [p / h for p, h in zip(pages, hellos, strict=True) if not (math.isnan(p) or math.isnan(h))]
    return f"{min(ratios):.2f}–{max(ratios):.2f}×" if ratios else "—"


def _interleaved(browser, hello_url: str, url: str, size: tuple[int, int], cold: bool, repeat: int) -> dict:
    """hello, page, hello, page, … ``repeat`` pairs; each list holds (first, every) per navigation."""
    hello_view, page_view = _Viewer(browser, size, cold), _Viewer(browser, size, cold)
    try:
        if not cold:  # fill each context's cache (and the server's) once
            hello_view.measure(hello_url)
            page_view.measure(url)
        hello, page = [], []
        for _ in range(repeat):
            hello.append(hello_view.measure(hello_url))
            page.append(page_view.measure(url))
    finally:
        hello_view.close()
        page_view.close()
    return {"hello": hello, "page": page}


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


def _mark(ratio: float, target: float) -> str:
    return "—" if math.isnan(ratio) else f"{ratio:.2f}×" + (" ✓" if ratio <= target else " ✗")


def run(store_dir: Path, repeat: int | None = None, pages: tuple[str, ...] | None = None) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows; ``repeat`` interleaved pairs per figure (default ``$BENCH_BROWSER_REPEAT``
    or 5); ``pages`` defaults to ``$BENCH_BROWSER_PAGES`` (comma-separated) or every page, and
    ``$BENCH_BROWSER_SIZES`` / ``$BENCH_BROWSER_CACHES`` narrow the sizes and caches the same way.
    ``BENCH_BROWSER_PROXY=nginx`` puts each app (hello-world too) behind the deployment's nginx config, which
    writes the server's root into a page's HTML (no health probe under the page's address)."""
    repeat = repeat or int(os.environ.get("BENCH_BROWSER_REPEAT", "5"))
    via_nginx = os.environ.get("BENCH_BROWSER_PROXY", "") == "nginx"
    pages = pages or tuple(p for p in os.environ.get("BENCH_BROWSER_PAGES", ",".join(PAGES)).split(",") if p)
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str, str]] = []
    # hello-world has one chart, so its "every chart" is its first chart: both ratios divide by it
    table = ["| page | size | cache | hello-world | first chart | ratio (pairs) | every chart | ratio (pairs) |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        rows += server_times(store_dir, hello)  # (asyncio, so before Playwright's own loop starts)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                with streamlit_server(store_dir, DEPLOYED_ENV, script=hello) as hello_server, \
                        streamlit_server(store_dir, DEPLOYED_ENV) as server, ExitStack() as proxies:
                    hello_url, url = hello_server, server
                    if via_nginx:  # each app behind its own copy of the deployment's nginx (deploy/nginx.conf.in)
                        hello_url, url = (proxies.enter_context(nginx_proxy(u)) for u in (hello_server, server))
                    warm = _Viewer(browser, SIZES["desktop"], cold=False)
                    try:  # fill the server's caches once, as a running server would have them
                        for name in pages:
                            warm.measure(f"{url}/{name}?lang=en")
                        warm.measure(hello_url)
                    finally:
                        warm.close()
                    sizes = os.environ.get("BENCH_BROWSER_SIZES", ",".join(SIZES)).split(",")
                    caches = os.environ.get("BENCH_BROWSER_CACHES", "cold,warm").split(",")
                    for size_name, size in ((n, SIZES[n]) for n in sizes):
                        for cache in caches:
                            for name in pages:
                                got = _interleaved(browser, hello_url, f"{url}/{name}?lang=en", size,
                                                   cache == "cold", repeat)
                                h_first = _median([f for f, _ in got["hello"]])
                                first = _median([f for f, _ in got["page"]])
                                every = _median([e for _, e in got["page"]])
                                s_first = _spread([f for f, _ in got["page"]], [f for f, _ in got["hello"]])
                                s_every = _spread([e for _, e in got["page"]], [e for _, e in got["hello"]])
                                print(f"  {name} {size_name} {cache}: hello {h_first:.0f}, page {first:.0f} / "
                                      f"{every:.0f} ms", file=sys.stderr)
                                label = f"browser: {name}, {size_name}, {cache} cache"
                                rows.append((f"{label}, hello-world → chart", f"{h_first:.0f} ms", "—"))
                                rows.append((f"{label}, → first chart",
                                             f"{first:.0f} ms ({first / h_first:.2f}×, pairs {s_first})",
                                             f"≤ {TARGET_FIRST}× hello-world"))
                                rows.append((f"{label}, → every chart",
                                             f"{every:.0f} ms ({every / h_first:.2f}×, pairs {s_every})",
                                             f"≤ {TARGET_EVERY}× hello-world"))
                                table.append(f"| {name} | {size_name} | {cache} | {h_first:.0f} ms | {first:.0f} ms "
                                             f"| {_mark(first / h_first, TARGET_FIRST)} ({s_first}) | {every:.0f} ms "
                                             f"| {_mark(every / h_first, TARGET_EVERY)} ({s_every}) |")
                    rows.append(("server memory (RSS) after visiting every page", f"{_rss_mb(server.pid):.0f} MB",
                                 "≤ 300 MB"))
            finally:
                browser.close()
    served = "both apps behind the project's nginx" if via_nginx else "both apps served by Streamlit directly"
    LAST_TABLE[:] = [f"browser ratios ({repeat} interleaved pairs per row; {served}; ✓ = target met)", *table]
    return rows
