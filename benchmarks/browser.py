"""Browser figures: navigation → first Plotly chart drawn and → every chart drawn, at desktop (1440×900) and
phone (390×844) sizes, each against the floor it is judged by (issue #29 item 9):

- **cold** (a fresh browser context: empty HTTP cache, new session) against a hello-world app (a title and one
  3-point chart at ``/``): target first chart ≤ :data:`TARGET_COLD` ×;
- **warm** (the view reloaded in one kept context: cached static files, the server's caches filled) against the
  **shell** (:mod:`benchmarks.shell`: the dashboard's own ``app.py`` — page config, sidebar language switch,
  seven-page ``st.navigation`` — with hello-world's body as every page, under the same ``/<page>`` address):
  target first chart ≤ :data:`TARGET_WARM` ×;
- **in-app** (a reader clicks the sidebar link from the page before it, in one kept tab) against the same click
  in the shell; measured, no target;
- the shell itself against hello-world (warm), so the floor's own cost is on record.

Times are read inside the page: a script added before any page script checks the charts on every animation
frame and stamps ``performance.now()``, from the navigation's start (or from the click, for in-app), so the
figures do not include Playwright's polling. "First chart" is the first visible Plotly chart that was not on the
screen before; "every chart" is when the last one was drawn, once the app has stopped running and the count has
not changed for :data:`SETTLE_MS`.

The machine is shared, so runs are *interleaved* (page, floor, page, floor …; every server runs side by side):
a burst of load hits both alike. A ratio is the median of the page's times over the median of the floor's in
the same series; the pairs' own ratios give the spread. Every figure goes to ``benchmarks/results/browser.json``
and a generated Markdown table to ``benchmarks/results/browser.md`` (:mod:`benchmarks.browser_report`).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks import browser_report, shell
from benchmarks.load import server_times
from tests.e2e.browser import CHROMIUM_ARGS, chromium_path, nginx_proxy, streamlit_server

HELLO = shell.HELLO
PAGES = ("column", "compare", "fx", "news", "data")
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
TARGET_COLD, TARGET_WARM = 1.5, 1.2
DEPLOYED_ENV = {"MALLOC_ARENA_MAX": "2"}  # the app server as the Dockerfile starts it
SETTLE_MS = 700
TIMEOUT_S = 120
NAV_LINK = '[data-testid="stSidebarNav"] a[href$="/{name}"]'
# Stamped on every animation frame from the first byte of the page on. Charts in ``old`` (on the screen before
# a click) do not count; ``start`` is the click's moment (0 for a navigation).
_WATCH_JS = """(() => {
  const w = window;
  w.__bench = {start: 0, old: new Set(), armed: false, first: null, last: null, count: 0};
  document.addEventListener('click', (e) => {
    const b = w.__bench;
    if (b.armed && e.target.closest('[data-testid="stSidebarNav"] a')) { b.armed = false; b.start = performance.now(); }
  }, true);
  const tick = () => {
    const b = w.__bench;
    const svgs = [...document.querySelectorAll('.js-plotly-plot .main-svg')].filter((e) => !b.old.has(e));
    const now = performance.now();
    if (!b.armed) {
      if (svgs.length !== b.count) { b.count = svgs.length; b.last = now; }
      if (b.first === null && svgs.some((e) => e.checkVisibility() && e.getBoundingClientRect().height > 0)) {
        b.first = now;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""
_ARM_JS = """() => { const b = window.__bench;
  Object.assign(b, {old: new Set(document.querySelectorAll('.js-plotly-plot .main-svg')), armed: true,
                    first: null, last: null, count: 0}); }"""
_STATE_JS = """() => { const b = window.__bench;
  return [!!document.querySelector('[data-testid="stStatusWidget"]'), b.first, b.last, b.start,
          performance.now()]; }"""

LAST_TABLE: list[str] = []  # the table of the last run (Markdown), printed by ``python -m benchmarks``


def _settled(page) -> tuple[float, float]:
    """(ms to the first new visible chart, ms to the last chart drawn), from the stamped start; NaN when none."""
    try:
        page.wait_for_function("() => window.__bench && window.__bench.first !== null", timeout=TIMEOUT_S * 1000)
    except Exception:  # a page that never shows a chart is reported, not fatal
        print(f"  no visible chart within {TIMEOUT_S} s: {page.url}", file=sys.stderr)
        return math.nan, math.nan
    seen, still_since = None, None
    for _ in range(TIMEOUT_S * 10):
        running, first, last, start, now = page.evaluate(_STATE_JS)
        if last != seen:
            seen, still_since = last, now
        elif not running and now - still_since >= SETTLE_MS and now - last >= SETTLE_MS:
            break
        page.wait_for_timeout(100)
    return first - start, last - start


class _Viewer:
    """Views at one size, each in a fresh context (cold) or all in one kept tab (warm, in-app)."""

    def __init__(self, browser, size: tuple[int, int], cold: bool) -> None:
        self.browser, self.size, self.cold = browser, size, cold
        self.context = None if cold else self._context()
        self.at = ""  # the page the kept tab shows

    def _context(self):
        context = self.browser.new_context(viewport={"width": self.size[0], "height": self.size[1]})
        context.add_init_script(_WATCH_JS)
        context.new_page()
        return context

    def open(self, url: str) -> tuple[float, float]:
        """Navigate to ``url`` (a full page load)."""
        context = self._context() if self.cold else self.context
        try:
            context.pages[0].goto(url)
            self.at = url.rsplit("/", 1)[-1].split("?")[0]
            return _settled(context.pages[0])
        finally:
            if self.cold:
                context.close()

    def click(self, name: str) -> tuple[float, float]:
        """Click the sidebar's link to page ``name`` (opening the sidebar first where it is folded, as on a
        phone); timed from the click."""
        page, link = self.context.pages[0], NAV_LINK.format(name=name)
        if page.get_attribute('[data-testid="stSidebar"]', "data-collapsed") == "true":
            page.get_by_test_id("stExpandSidebarButton").click()
            page.wait_for_selector('[data-testid="stSidebar"][data-collapsed="false"]', timeout=TIMEOUT_S * 1000)
        page.evaluate(_ARM_JS)
        page.locator(link).click()
        self.at = name
        return _settled(page)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


def _pairs(page_view: _Viewer, floor_view: _Viewer, step, repeat: int) -> dict[str, list[list[float]]]:
    """page, floor, page, floor … ``repeat`` pairs of ``step(viewer, which)`` → (first, every)."""
    got: dict[str, list[list[float]]] = {"page": [], "floor": []}
    for _ in range(repeat):
        for which, viewer in (("page", page_view), ("floor", floor_view)):
            got[which].append(list(step(viewer, which)))
    return got


def _loaded(browser, size, cold: bool, page_url: str, floor_url: str, repeat: int) -> dict:
    page_view, floor_view = _Viewer(browser, size, cold), _Viewer(browser, size, cold)
    try:
        if not cold:  # fill each context's cache once
            page_view.open(page_url)
            floor_view.open(floor_url)
        return _pairs(page_view, floor_view, lambda v, which: v.open(page_url if which == "page" else floor_url),
                      repeat)
    finally:
        page_view.close()
        floor_view.close()


def _in_app(browser, size, app_url: str, shell_url: str, pages: tuple[str, ...], lang: str,
            repeat: int) -> dict[str, dict]:
    """Each page reached by a sidebar click from the page before it in :data:`PAGES` (a kept tab per app)."""
    app, floor = _Viewer(browser, size, False), _Viewer(browser, size, False)
    got: dict[str, dict] = {name: {"page": [], "floor": []} for name in pages}
    try:
        app.open(f"{app_url}/{PAGES[-1]}?lang={lang}")
        floor.open(f"{shell_url}/{PAGES[-1]}?lang={lang}")
        for _ in range(repeat):
            for name in pages:
                origin = PAGES[PAGES.index(name) - 1]
                for which, viewer in (("page", app), ("floor", floor)):
                    if viewer.at != origin:
                        viewer.click(origin)
                    got[name][which].append(list(viewer.click(name)))
    finally:
        app.close()
        floor.close()
    return got


def navigation(page) -> list[list[str]]:
    """The sidebar's page links as (text, path) pairs."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
                                 .map((a) => [a.textContent, new URL(a.href).pathname])""")


def _warm_up(browser, app_url: str, shell_url: str, hello_url: str, lang: str) -> None:
    """Fill the servers' caches as a running server has them: each root first (its ``app.py`` run ends
    Streamlit's legacy ``pages/`` lookup, which would serve a first deep link without ``app.py``), then every
    page of the app and of the shell; refuses a shell whose sidebar differs from the app's (a wrong floor)."""
    warm = _Viewer(browser, SIZES["desktop"], cold=False)
    try:
        for base in (app_url, shell_url, hello_url):
            warm.open(f"{base}/?lang={lang}")
        for name in PAGES:
            warm.open(f"{app_url}/{name}?lang={lang}")
            app_nav = navigation(warm.context.pages[0])
            warm.open(f"{shell_url}/{name}?lang={lang}")
            if navigation(warm.context.pages[0]) != app_nav:
                raise RuntimeError(f"the shell's sidebar on /{name} is not the app's: "
                                   f"{navigation(warm.context.pages[0])} ≠ {app_nav}")
    finally:
        warm.close()


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


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in os.environ.get(name, ",".join(default)).split(",") if p)


def run(store_dir: Path, repeat: int | None = None, pages: tuple[str, ...] | None = None,
        sizes: tuple[str, ...] | None = None, results_dir: Path = browser_report.RESULTS,
        server: bool = True) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows; writes ``results_dir/browser.json`` and ``browser.md``.

    ``repeat`` interleaved pairs per series (default ``$BENCH_BROWSER_REPEAT`` or 7); ``pages`` and ``sizes``
    default to ``$BENCH_BROWSER_PAGES`` / ``$BENCH_BROWSER_SIZES`` (comma-separated) or all of them;
    ``$BENCH_BROWSER_KINDS`` narrows the series (``cold,warm,in-app,shell``); ``$BENCH_BROWSER_LANG`` the
    language (default ``ko``, what readers get first). ``BENCH_BROWSER_PROXY=nginx`` puts every app behind its
    own copy of the deployment's nginx. ``server``: also the server's own times (one websocket user)."""
    repeat = repeat or int(os.environ.get("BENCH_BROWSER_REPEAT", "7"))
    pages = pages or _env_list("BENCH_BROWSER_PAGES", PAGES)
    sizes = sizes or _env_list("BENCH_BROWSER_SIZES", tuple(SIZES))
    kinds = _env_list("BENCH_BROWSER_KINDS", ("cold", "warm", "in-app", "shell"))
    lang = os.environ.get("BENCH_BROWSER_LANG", "ko")
    via_nginx = os.environ.get("BENCH_BROWSER_PROXY", "") == "nginx"
    results = browser_report.started(repeat=repeat, lang=lang, served="nginx" if via_nginx else "streamlit",
                                     targets={"cold": TARGET_COLD, "warm": TARGET_WARM})
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        shell_app = shell.build(Path(tmp) / "shell")
        if server:  # (asyncio, so before Playwright's own loop starts)
            results["server"] = [{"figure": f, "value": v} for f, v, _ in server_times(store_dir, hello)]
        with sync_playwright() as pw, ExitStack() as servers:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            servers.callback(browser.close)
            app_server = servers.enter_context(streamlit_server(store_dir, DEPLOYED_ENV))
            urls = {"app": app_server, **{name: servers.enter_context(streamlit_server(store_dir, DEPLOYED_ENV,
                                                                                       script=script))
                                          for name, script in (("hello", hello), ("shell", shell_app))}}
            if via_nginx:  # each app behind its own copy of the deployment's nginx (deploy/nginx.conf.in)
                urls = {name: servers.enter_context(nginx_proxy(u)) for name, u in urls.items()}
            app_url, hello_url, shell_url = urls["app"], urls["hello"], urls["shell"]
            _warm_up(browser, app_url, shell_url, hello_url, lang)
            for size_name in sizes:
                size = SIZES[size_name]
                if "shell" in kinds:
                    got = _loaded(browser, size, False, f"{shell_url}/{PAGES[0]}?lang={lang}", hello_url, repeat)
                    browser_report.add(results, "shell", "(shell)", size_name, "hello-world", got)
                for name in pages:
                    page_url = f"{app_url}/{name}?lang={lang}"
                    if "cold" in kinds:
                        got = _loaded(browser, size, True, page_url, hello_url, repeat)
                        browser_report.add(results, "cold", name, size_name, "hello-world", got, TARGET_COLD)
                    if "warm" in kinds:
                        got = _loaded(browser, size, False, page_url, f"{shell_url}/{name}?lang={lang}", repeat)
                        browser_report.add(results, "warm", name, size_name, "shell", got, TARGET_WARM)
                if "in-app" in kinds:
                    for name, got in _in_app(browser, size, app_url, shell_url, pages, lang, repeat).items():
                        browser_report.add(results, "in-app", name, size_name, "shell", got)
            results["memory_mb"] = round(_rss_mb(app_server.pid), 1)
    written = browser_report.finish(results, results_dir)
    LAST_TABLE[:] = browser_report.table(results).splitlines()
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return browser_report.rows(results)
