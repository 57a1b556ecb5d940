"""What a reader sees, in headless Chromium at laptop (1440×900) and phone (390×844) sizes, against a real
``streamlit run app.py`` on the seeded store (offline). Screenshots go to test-artifacts/reader-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM_ARGS, ROOT, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
OWN_PAGES = {"compare": "미국 vs 중국", "fx": "원/달러 환율", "news": "AI 뉴스"}
CHARTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(e => e.checkVisibility()).map(e => {
  const r = e.getBoundingClientRect(); return {top: r.top + window.scrollY, height: r.height, width: r.width};
})"""


@pytest.fixture(scope="module")
def server(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory):
    import shutil

    store = tmp_path_factory.mktemp("reader-store")
    shutil.copytree(_seeded_template, store, dirs_exist_ok=True)
    with streamlit_server(store) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, url: str, size: str, heading: str):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    wait_for_app(page, heading, timeout=120_000)
    return context, page


def _charts(page, timeout: float = 120_000) -> list[dict]:
    """The visible charts, top first, once the app has stopped running and no chart was added for 2 s."""
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0",
                           timeout=timeout)
    seen, stable = -1, 0
    for _ in range(int(timeout / 250)):
        count = page.evaluate("() => document.querySelectorAll('.js-plotly-plot .main-svg').length")
        running = page.evaluate("() => !!document.querySelector('[data-testid=\"stStatusWidget\"]')")
        stable = stable + 1 if count == seen and not running else 0
        seen = count
        if stable >= 8:
            break
        page.wait_for_timeout(250)
    return sorted(page.evaluate(CHARTS_JS), key=lambda c: c["top"])


def _english_ui_strings() -> set[str]:
    """The English halves of the project's ``tr(ko, en)`` calls in the pages and UI helpers the reader owns
    (plain literals of three words or more, without placeholders)."""
    found = set()
    pattern = re.compile(r'tr\(\s*f?"[^"]*"\s*,\s*"([^"{}]{12,})"', re.S)
    for path in [*(ROOT / "pages").glob("[cfn]*.py"), *(ROOT / "ui").glob("*.py")]:
        for text in pattern.findall(path.read_text(encoding="utf-8")):
            if len(text.split()) >= 3:
                found.add(text.strip())
    return found


@pytest.mark.timeout(900)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(OWN_PAGES))
def test_first_chart_is_on_the_first_screen_and_korean_pages_have_no_english(server: str, browser, name: str,
                                                                              size: str) -> None:
    english = _english_ui_strings()
    assert len(english) > 20  # the walk below compares against a real list
    heading = OWN_PAGES[name]
    context, page = _open(browser, f"{server}/{name}?lang=ko", size, heading)
    try:
        charts = _charts(page)
        first = charts[0]
        assert first["top"] < SIZES[size][1], f"{name} ({size}): first chart starts at {first['top']:.0f}px"
        if name in ("compare", "fx"):
            assert first["height"] >= 300, f"{name} ({size}): main chart only {first['height']:.0f}px tall"
        text = page.inner_text("body")
        leaked = sorted(s for s in english if s in text)
        assert not leaked, f"{name} in Korean shows English UI text: {leaked[:5]}"
        assert "Page not found" not in text
        screenshot(page, f"reader-{name}-{size}-ko")
    finally:
        context.close()


@pytest.mark.timeout(900)
def test_deep_link_opened_twice_shows_no_dialog(server: str, browser) -> None:
    for attempt in range(2):  # the second visit used to open under an English "Page not found" dialog
        context, page = _open(browser, f"{server}/column?lang=en", "desktop", "The column")
        try:
            page.wait_for_timeout(1500)
            assert page.locator("[role=dialog]").count() == 0, f"visit {attempt + 1} showed a dialog"
            assert "Page not found" not in page.inner_text("body")
            assert page.url.split("?")[0].endswith("/column")
        finally:
            context.close()


@pytest.mark.timeout(900)
def test_key_table_columns_fit_a_phone(server: str, browser) -> None:
    for url, heading, header in ((f"{server}/compare?lang=ko", "기간 통계", "수익률 %"),
                                 (f"{server}/fx?lang=ko", "사건 전후의 환율", "전일 대비 %")):
        context, page = _open(browser, url, "phone", heading)
        try:
            grid = page.locator("[data-testid='stDataFrame']").first
            grid.scroll_into_view_if_needed()
            page.wait_for_timeout(800)
            box = grid.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SIZES["phone"][0] + 1
            # the grid draws on a canvas; its accessible header row says where each column sits
            index = grid.locator("[role=columnheader]", has_text=header).first.get_attribute("aria-colindex")
            assert index is not None and int(index) <= 3, f"{header} is column {index}: off a phone's screen"
            screenshot(page, f"reader-table-{heading}")
        finally:
            context.close()


@pytest.mark.timeout(900)
def test_a_note_in_one_browser_is_absent_from_another(server: str, browser) -> None:
    label = "Private note from context A"
    view = "/fx?lang=en&start=2025-01-02&end=2025-02-28"
    first, page = _open(browser, server + view, "desktop", "My notes")
    try:
        page.get_by_label("Label").fill(label)
        page.get_by_role("button", name="Add note").click()
        page.get_by_text(f"★ 2025-02-28 · {label}").wait_for(timeout=120_000)
        page.wait_for_function("() => location.search.includes('nb=')", timeout=60_000)
        screenshot(page, "reader-note-context-a")
        second, other = _open(browser, server + view, "desktop", "My notes")
        try:
            _charts(other)
            other.wait_for_timeout(1000)
            assert label not in other.inner_text("body")
            pins = other.evaluate("() => (document.querySelector('.js-plotly-plot').layout.annotations || [])"
                                  ".map(a => String(a.text))")
            assert not any(label in p for p in pins)
            screenshot(other, "reader-note-context-b")
        finally:
            second.close()
    finally:
        first.close()
