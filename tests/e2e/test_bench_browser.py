"""benchmarks.browser: the shell it measures warm views against is the app's own navigation around one chart, a
sidebar click is timed from the click to a chart that was not on the screen before, and a run writes every
figure to its results file (no timing assertions: the figures themselves are the benchmark's business)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import catalog
from benchmarks import browser, browser_report, shell
from tests.e2e.browser import CHROMIUM_ARGS, chromium_path, streamlit_server, wait_idle

pytestmark = pytest.mark.browser

SWITCH_JS = """() => [...document.querySelectorAll('[data-testid="stSidebarUserContent"] button')]
                      .map((b) => b.textContent)"""


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    wait_idle(page)


def _choose_english(page) -> None:
    """Click "English" and wait for its state: the address says so and the sidebar names the pages in English
    (the status widget may not have appeared yet when the address changes, so its absence proves nothing)."""
    page.locator('[data-testid="stSidebarUserContent"] button', has_text="English").click()
    page.wait_for_function("() => new URL(location.href).searchParams.get('lang') === 'en'", timeout=120_000)
    page.wait_for_function(
        """(title) => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
                        .some((a) => a.textContent.endsWith(title))""", arg=catalog.text("en", "nav.column"),
        timeout=120_000)
    wait_idle(page)


def test_the_shell_is_the_apps_navigation_around_one_chart(seeded_store: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shell_app = shell.build(tmp_path / "shell")
    assert sorted(p.name for p in (tmp_path / "shell" / "pages").glob("*.py")) == shell.page_files()
    with streamlit_server(seeded_store) as app_url, streamlit_server(seeded_store, script=shell_app) as shell_url, \
            sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            app, floor = (chromium.new_page(viewport={"width": 1440, "height": 900}) for _ in range(2))
            for page, base in ((app, app_url), (floor, shell_url)):
                _open(page, f"{base}/?lang=ko")  # the root, as a reader's first visit
                _open(page, f"{base}/fx?lang=ko")
            app_nav = browser.navigation(app)
            assert len(app_nav) == len(shell.page_files()) == 7
            assert browser.navigation(floor) == app_nav  # same titles, icons and addresses, in Korean
            assert floor.title() == app.title()  # the page config names the page as the app does
            assert {path for _, path in app_nav} == {f"/{Path(f).stem}" for f in shell.page_files()}
            assert floor.evaluate(SWITCH_JS) == app.evaluate(SWITCH_JS) == ["한국어", "English"]
            # the shell's page is hello-world's body: its title and one drawn chart
            assert floor.locator("h1").inner_text().strip() == "hello"
            assert floor.locator(".js-plotly-plot .main-svg").first.is_visible()
            assert floor.locator(".js-plotly-plot").count() == 1

            for page in (app, floor):  # the language switch works the same in both
                _choose_english(page)
            assert browser.navigation(floor) == browser.navigation(app) != app_nav

            floor.locator(browser.NAV_LINK.format(name="compare")).click()  # a sidebar click changes page
            floor.wait_for_function("() => location.pathname.endsWith('/compare')", timeout=120_000)
            floor.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
            assert browser.navigation(floor) == browser.navigation(app)
        finally:
            chromium.close()


FAKE_APP = """<!doctype html><html><body>
<section data-testid="stSidebar" data-collapsed="false"><nav data-testid="stSidebarNav">
  <a href="/compare">compare</a></nav></section>
<main><div class="js-plotly-plot"><svg class="main-svg" width="200" height="100"></svg></div></main>
<script>
  window.__fake = {};
  document.querySelector('a').addEventListener('click', (e) => {
    e.preventDefault();
    window.__fake.clicked = performance.now();
    setTimeout(() => {  // the old page's chart stays on the screen until the new one replaces it
      document.querySelector('main').innerHTML =
        '<div class="js-plotly-plot"><svg class="main-svg" width="200" height="100"></svg></div>';
      window.__fake.drawn = performance.now();
    }, 400);
  });
</script></body></html>"""


def test_a_sidebar_click_is_timed_from_the_click_to_the_new_pages_chart() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            viewer = browser._Viewer(chromium, browser.SIZES["phone"], cold=False)
            page = viewer.context.pages[0]
            page.route("http://bench.test/**", lambda route: route.fulfill(body=FAKE_APP, content_type="text/html"))
            page.goto("http://bench.test/data")
            page.wait_for_function("() => window.__bench.first !== null")  # the old page's chart, on screen
            first, every = viewer.click("compare")
            stamps = page.evaluate("() => ({...window.__fake, start: window.__bench.start})")
        finally:
            chromium.close()
    assert 0 < stamps["start"] <= stamps["clicked"]  # timed from the click, not from the page's load
    # the old page's chart does not count: the first chart is the one drawn after the click
    assert first >= stamps["drawn"] - stamps["start"]
    assert every >= first


def test_a_run_writes_every_figure_to_the_results_file(seeded_store: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BENCH_BROWSER_KINDS", "BENCH_BROWSER_LANG", "BENCH_BROWSER_PROXY"):
        monkeypatch.delenv(name, raising=False)
    chromium_path()  # skips without Chromium
    rows = browser.run(seeded_store, repeat=1, pages=("fx",), sizes=("phone",), results_dir=tmp_path,
                       server=False)

    results = json.loads((tmp_path / "browser.json").read_text(encoding="utf-8"))
    for field in ("measured", "command", "machine", "cores", "load_average_start", "load_average_end", "repeat",
                  "lang", "served", "targets", "series", "memory_mb"):
        assert field in results, field
    assert results["targets"] == {"cold": browser.TARGET_COLD, "warm": browser.TARGET_WARM}
    assert (results["lang"], results["served"], results["repeat"]) == ("ko", "streamlit", 1)
    floors = {s["kind"]: s["floor"] for s in results["series"]}
    assert floors == {"shell": "hello-world", "cold": "hello-world", "warm": "shell", "in-app": "shell"}
    for series in results["series"]:
        assert series["page"] == ("(shell)" if series["kind"] == "shell" else "fx")
        assert series["size"] == "phone" and series["pairs"] == 1
        for side in ("page", "floor"):
            assert len(series["raw_ms"][side]) == 1 and all(v > 0 for v in series["raw_ms"][side][0])
        page_first, floor_first = series["raw_ms"]["page"][0][0], series["raw_ms"]["floor"][0][0]
        assert series["ratio_first"] == pytest.approx(page_first / floor_first, abs=0.01)
        assert series["spread_first"] == [series["ratio_first"]] * 2
        target = {"cold": browser.TARGET_COLD, "warm": browser.TARGET_WARM}.get(series["kind"])
        assert series["target_first"] == target
        assert series["met"] == (None if target is None else series["ratio_first"] <= target)
    assert results["memory_mb"] > 0

    markdown = (tmp_path / "browser.md").read_text(encoding="utf-8")
    assert markdown == browser_report.table(results)  # generated from the file alone
    for kind in ("cold cache | hello-world", "warm cache | shell", "sidebar click | shell"):
        assert f"| fx | phone | {kind} |" in markdown
    assert "| (shell) | phone | warm cache | hello-world |" in markdown
    assert any("fx, phone, warm cache" in figure for figure, _, _ in rows)
