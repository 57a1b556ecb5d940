"""Issue #29 item 6: every page, with every folded panel opened, in Korean, at laptop and phone sizes, shows no
Latin-script word (outside inline code: commands and setting names) outside an allow-list built from what may
legitimately be Latin: the Korean catalog's own words (ECB, AI, …), the Korean names and plain tickers of the
universe (NVDA, not 005930.KS or KRW=X), the language switch's "English", and the data a page quotes (news
headlines and summaries, the bundled columns' own words). The walk lists every offending word with its page,
so a regression names itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import catalog
from tests.e2e.browser import (
    CHROMIUM_ARGS,
    IDLE_JS,
    ROOT,
    chromium_path,
    screenshot,
    streamlit_server,
    wait_drawn,
)

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
PAGES = ["column", "library", "new_column", "compare", "fx", "news", "data"]
# a token: letters with attached digits, dots, carets or equals signs ("005930.KS", "KRW=X", "130k", "1W")
TOKEN = re.compile(r"[A-Za-z0-9^=.&'’-]*[A-Za-z][A-Za-z0-9^=.&'’-]*")
# The words a reader sees in ``root``, read in one go (a rerun cannot redraw the page between a filter and the read):
# the text of every visible element, except an icon's ligature name ("filter_list", drawn as a picture in the
# Material font, never read as a word), inline code (a command or setting an operator types, shown as code on
# purpose) and text drawn at size 0 (unseen).
SHOWN_JS = """(root) => {
  const hidden = [];
  document.querySelectorAll(root + ' *').forEach((e) => {
    const style = getComputedStyle(e);
    if (e.tagName === 'CODE' || /Material/.test(style.fontFamily) || style.fontSize === '0px') {
      hidden.push([e, e.style.display]);
      e.style.display = 'none';
    }
  });
  const text = document.querySelector(root).innerText;
  hidden.forEach(([e, display]) => { e.style.display = display; });
  return text;
}"""
CLOSED_JS = "() => [...document.querySelectorAll('[data-testid=stExpander] details[open]')].length"
# Every open panel shows what it holds: a panel built only when opened (``on_change="rerun"``) is empty until the
# run its opening started has drawn it (the app can look idle before that run begins); then ``wait_drawn``: no
# widget is still a placeholder while its code loads, the first time a browser draws it.
FILLED_JS = """() => [...document.querySelectorAll('[data-testid=stExpander] details[open]')].every(
  (d) => d.querySelector('[data-testid=stExpanderDetails] [data-testid=stElementContainer]'))"""


def _tokens(text: str) -> set[str]:
    return {t.strip(".'’-&") for t in TOKEN.findall(text)} - {""}


def _allowed(store: Path) -> set[str]:
    from data_sources.market.universe import all_instruments
    from data_sources.news.store import load_news

    words = {"English"}
    for value in catalog.catalog("ko").values():
        words |= _tokens(re.sub(r"\{[^}]*\}", " ", value))
    for item in all_instruments():
        words |= _tokens(item.name_ko)
        if re.fullmatch(r"\^?[A-Z]{1,5}", item.symbol):
            words |= {item.symbol, item.symbol.lstrip("^")}
    news = load_news(store)
    for column in ("title", "summary_text", "source", "tags"):
        for value in news[column].dropna().astype(str):
            words |= _tokens(re.sub(r"\S+\.(png|jpe?g|gif|webp)\b", " ", value))  # never an image address
    for path in (ROOT / "commentary" / "columns").glob("*.md"):
        words |= {w for w in _tokens(path.read_text(encoding="utf-8")) if "_" not in w}
    return words


@pytest.fixture(scope="module")
def served(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory):
    import shutil

    from playwright.sync_api import sync_playwright

    store = tmp_path_factory.mktemp("language-store")
    shutil.copytree(_seeded_template, store, dirs_exist_ok=True)
    with streamlit_server(store) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield url, browser, _allowed(store), store
        finally:
            browser.close()


def _open_every_panel(page, operator_label: str) -> None:
    """Click each closed expander (top first) and wait until it is open and the app idle; panels that appear
    inside opened ones are opened too. The Data page's operators' panel (server folders, commands) stays shut.
    The summary is clicked in the page's own script (a chart still settling can keep it moving, "unstable" or
    "outside of the viewport" for Playwright's pointer on a loaded machine), and the click is judged by its
    outcome: the count of open panels grows; it is tried again when it does not."""
    for _ in range(40):
        closed = page.locator("[data-testid=stExpander] details:not([open]) summary").filter(
            has_not_text=operator_label)
        if closed.count() == 0:
            return
        page.wait_for_function(IDLE_JS, timeout=120_000)  # a rerun redraws the panels: click between runs
        before = page.evaluate(CLOSED_JS)
        for attempt in range(3):
            closed.first.evaluate("(summary) => summary.click()")
            try:
                page.wait_for_function(f"() => ({CLOSED_JS[6:]}) > {before}", timeout=30_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        page.wait_for_function(FILLED_JS, timeout=120_000)
        wait_drawn(page)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", PAGES)
def test_korean_pages_and_panels_show_no_stray_latin_words(served, name: str, size: str) -> None:
    url, browser, allowed, store = served
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
    try:
        page = context.new_page()
        page.goto(f"{url}/{name}?lang=ko")
        page.locator("[data-testid=stMain] h1").first.wait_for(timeout=120_000)  # the page's title is drawn
        page.wait_for_function(IDLE_JS, timeout=120_000)
        _open_every_panel(page, catalog.text("ko", "data.technical"))
        page.wait_for_function(FILLED_JS, timeout=120_000)
        wait_drawn(page)
        shown = page.evaluate(SHOWN_JS, "[data-testid=stMain]")
        if size == "desktop":  # the phone's sidebar is folded away; the laptop's shows the same words
            shown += "\n" + page.evaluate(SHOWN_JS, "[data-testid=stSidebar]")
        if name == "data":  # the Data page lists the stored series by their codes, as an operator needs them
            from data_sources.market.universe import all_instruments

            allowed = allowed | {i.symbol for i in all_instruments(store)}
        stray = sorted(_tokens(shown) - allowed)
        screenshot(page, f"language-{name}-{size}-ko")
        assert not stray, f"{name} ({size}) in Korean shows Latin-script words: {stray[:40]}"
    finally:
        context.close()
