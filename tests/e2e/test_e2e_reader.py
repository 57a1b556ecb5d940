"""What a reader sees, in headless Chromium at laptop (1440×900) and phone (390×844) sizes, against a real
``streamlit run app.py`` on the seeded store (offline). Screenshots go to test-artifacts/reader-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.browser import (
    CHROMIUM_ARGS,
    chromium_path,
    screenshot,
    streamlit_server,
    wait_drawn,
    wait_for_app,
    wait_idle,
)

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
    """The visible charts, top first, once the app has stopped running and drawn every chart it sent."""
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0",
                           timeout=timeout)
    wait_drawn(page, timeout)
    return sorted(page.evaluate(CHARTS_JS), key=lambda c: c["top"])


def _english_ui_strings() -> set[str]:
    """The English words of every catalog string whose Korean differs (runs of three words or more between
    placeholders): a Korean page must show the Korean ones. (Every reader string lives in the catalogs.)"""
    import catalog

    found = set()
    korean = catalog.catalog("ko")
    for key, english in catalog.catalog("en").items():  # every catalog string whose Korean differs
        if korean.get(key) != english:
            found |= {run.strip(" .,:;—-()'\"") for run in re.split(r"\{[^}]*\}", english)
                      if len(run.strip()) >= 12 and len(run.split()) >= 3}
    return found


ENGLISH_DATES = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}, )?20\d\d\b")
BANNER_LINES_JS = """() => { const p = [...document.querySelectorAll('[data-testid=stCaptionContainer] p')]
  .find(e => /오프라인 —|저장된 데이터 —|최신 데이터 —/.test(e.innerText));
  if (!p) return null; const lh = parseFloat(getComputedStyle(p).lineHeight);
  return {lines: Math.round(p.getBoundingClientRect().height / lh), text: p.innerText}; }"""  # the text's own <p>
ALL_PAGES = {"column": "판정 요약", "data": "데이터", "library": "칼럼 목록", "new_column": "새 칼럼", **OWN_PAGES}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(ALL_PAGES))
def test_korean_pages_show_no_english_ui_text(server: str, browser, name: str, size: str) -> None:
    """Every page, in Korean: none of the project's English strings, no English dates, and the freshness banner
    within two lines (on a phone too)."""
    english = _english_ui_strings()
    assert len(english) > 150  # the walk compares against a real list
    context, page = _open(browser, f"{server}/{name}?lang=ko", size, ALL_PAGES[name])
    try:
        if name not in ("data", "library", "new_column"):
            _charts(page)
        # the freshness line is drawn after the page's title (it asks the store): wait for it, a state
        page.wait_for_function(f"() => ({BANNER_LINES_JS})() !== null", timeout=120_000)
        text = page.inner_text("body")
        leaked = sorted(s for s in english if s in text)
        assert not leaked, f"{name} in Korean shows English UI text: {leaked[:5]}"
        assert not ENGLISH_DATES.search(text), f"{name}: English date {ENGLISH_DATES.search(text).group(0)!r}"
        banner = page.evaluate(BANNER_LINES_JS)
        assert banner is not None and banner["lines"] <= 2, f"{name} ({size}): banner {banner}"
        screenshot(page, f"walk-{name}-{size}-ko")
    finally:
        context.close()


@pytest.mark.timeout(900)
def test_deep_link_opened_twice_shows_no_dialog(server: str, browser) -> None:
    for attempt in range(2):  # the second visit used to open under an English "Page not found" dialog
        context, page = _open(browser, f"{server}/column?lang=en", "desktop", "The column")
        try:
            assert page.locator("[role=dialog]").count() == 0, f"visit {attempt + 1} showed a dialog"
            assert "Page not found" not in page.inner_text("body")
            assert page.url.split("?")[0].endswith("/column")
        finally:
            context.close()


@pytest.mark.timeout(900)
def test_key_table_columns_fit_a_phone(server: str, browser) -> None:
    for url, heading, header, fold in ((f"{server}/compare?lang=ko", "기간 통계", "수익률 %", "기간 통계"),
                                       (f"{server}/fx?lang=ko", "사건 전후의 환율", "전일 대비 %", "건의 당일")):
        context, page = _open(browser, url, "phone", heading)
        try:
            # compare's analyses and USD/KRW's events table are folded under the chart: a reader opens them
            page.get_by_text(fold, exact=False).first.click()
            page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
            grid = page.locator("[data-testid='stDataFrame']").first
            grid.scroll_into_view_if_needed()
            grid.locator("[role=columnheader]").first.wait_for(state="attached", timeout=60_000)  # the grid is drawn
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
        page.get_by_text("Add a note", exact=True).click()  # the form is folded until opened
        box = page.get_by_label("Label")
        box.wait_for(timeout=120_000)
        wait_idle(page)
        box.fill(label)
        box.press("Enter")  # submits the form by the keyboard's focus (a chart settling above cannot move it)
        saved = page.get_by_text(f"★ 2025-02-28 · {label}")
        saved.or_(page.locator("[data-testid=stAlertContentError]")).first.wait_for(timeout=120_000)
        errors = page.locator("[data-testid=stAlertContentError]").all_inner_texts()
        assert not errors, f"the note was not saved: {errors}"
        saved.wait_for(timeout=120_000)
        page.wait_for_function("() => document.cookie.includes('cvd_notebook=')", timeout=60_000)  # kept here
        assert "nb=" not in page.url  # ... and never in the address
        screenshot(page, "reader-note-context-a")
        second, other = _open(browser, server + view, "desktop", "My notes")
        try:
            _charts(other)
            assert label not in other.inner_text("body")
            pins = other.evaluate("() => (document.querySelector('.js-plotly-plot').layout.annotations || [])"
                                  ".map(a => String(a.text))")
            assert not any(label in p for p in pins)
            screenshot(other, "reader-note-context-b")
        finally:
            second.close()
    finally:
        first.close()


# -- the Korean walk over error states: a series Yahoo re-adjusted (done, then failed) and a damaged news store --

ERROR_PAGES = {"data": "데이터", "news": "AI 뉴스", "fx": "원/달러 환율", "column": "판정 요약"}
ERROR_KOREAN = {"news": "손상되어 읽을 수 없습니다", "fx": "뉴스를 읽을 수 없습니다",  # problem.store.file_unreadable
                "column": "뉴스를 읽을 수 없습니다"}


@pytest.fixture(scope="module")
def error_server(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """A server on a store in error states made by the real code: NVDA re-based after a split, then a second
    re-base whose full re-fetch failed (refresh against the fake Yahoo), and a news file that cannot be read.
    Yields (url, the English words of what those states produce)."""
    import shutil

    import pandas as pd

    from data_sources.market import refresh, status
    from data_sources.news import store as news_store
    from data_sources.store.prices import Store
    from tests.conftest import MARKET_DIR, _need
    from tests.fakes import fake_yahoo
    from ui.problems import say

    root = tmp_path_factory.mktemp("error-store")
    shutil.copytree(_seeded_template, root, dirs_exist_ok=True)
    store = Store(root)
    last = store.read().prices.query("symbol == 'NVDA'")["date"].max().date()
    later = last + pd.Timedelta(days=7)
    with pytest.MonkeyPatch.context() as mp:
        running = fake_yahoo.running(_need(MARKET_DIR), mp, tmp_path_factory)
        yahoo = next(running)
        try:
            yahoo.asof = last
            yahoo.split("NVDA", last - pd.Timedelta(days=2), 10)
            done = refresh.refresh_prices(store, ["NVDA"], now=fake_yahoo.utc(*last.timetuple()[:3], 23))
            assert "NVDA" in done.rebased
            yahoo.asof = later
            yahoo.split("NVDA", last - pd.Timedelta(days=1), 2)
            yahoo.fail("NVDA", "404", history_before=last - pd.Timedelta(days=30))
            failed = refresh.refresh_prices(store, ["NVDA"], now=fake_yahoo.utc(*later.timetuple()[:3], 23))
            assert "NVDA" in failed.rebase_failed
        finally:
            running.close()
    notes = status.status_table(store.read()).set_index("symbol").at["NVDA", "note"]
    (root / news_store.NEWS_FILE).write_bytes(b"not a parquet file")
    try:
        news_store.load_news(root)
    except Exception as exc:  # the StoreError the pages must explain
        store_error = exc
    english = say(notes, "en") + "; " + say(store_error, "en")  # what English pages say of these states
    raw = [part for part in re.split(r"; |: ", english) if len(part.split()) >= 3]
    with streamlit_server(root) as url:
        yield url, raw


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", list(ERROR_PAGES))
def test_korean_error_states_show_no_english(error_server, browser, name: str) -> None:
    url, raw = error_server
    english = _english_ui_strings()
    context, page = _open(browser, f"{url}/{name}?lang=ko", "desktop", ERROR_PAGES[name])
    try:
        if name in ("fx", "column"):
            _charts(page)
        if name in ERROR_KOREAN:  # the page has said what went wrong (a state, not a pause)
            page.get_by_text(ERROR_KOREAN[name], exact=False).first.wait_for(timeout=60_000)
        text = page.inner_text("body")
        leaked = sorted(s for s in english | set(raw) if s in text)
        assert not leaked, f"{name} in Korean, in an error state, shows English: {leaked[:5]}"
        if name in ERROR_KOREAN:
            assert ERROR_KOREAN[name] in text, name
        screenshot(page, f"walk-error-{name}-ko")
    finally:
        context.close()
