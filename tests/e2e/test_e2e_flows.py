"""End to end in headless Chromium against ``streamlit run app.py`` (offline, seeded store).

Each test saves screenshots under test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

PAGES = [("column", "The column", "칼럼과 근거"), ("compare", "US vs China", "미국 vs 중국"),
         ("fx", "USD/KRW", "원/달러 환율"), ("news", "AI news", "AI 뉴스"), ("data", "Data", "데이터")]

TRACES_JS = """(i) => {
  const plots = document.querySelectorAll('.js-plotly-plot');
  if (!plots[i] || !plots[i]._fullData) return null;
  return plots[i]._fullData.map(t => ({name: t.name || '', x0: t.x && t.x.length ? String(t.x[0]) : null,
                                       y: t.y ? Array.from(t.y).slice(0, 400).map(Number) : []}));
}"""


def traces(page, index: int = 0, timeout: float = 45.0) -> list[dict]:
    """The chart's traces once Plotly has drawn them (named, with data)."""
    import time

    page.locator(".js-plotly-plot").nth(index).wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = page.evaluate(TRACES_JS, index)
        if found and all(t["name"] for t in found) and any(t["y"] for t in found):
            return found
        page.wait_for_timeout(250)
    raise AssertionError("the chart was never drawn")


def set_date_field(page, label: str, day: str) -> None:
    """Type a day into one of Streamlit's segmented date fields and commit it by blurring."""
    page.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(day)
    page.keyboard.press("Escape")
    page.locator("h1").first.click()


def changed_traces(page, before: list[dict], timeout: float = 45.0) -> list[dict]:
    """Poll until the first chart's traces differ from ``before``; return them."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = page.evaluate(TRACES_JS, 0)
        if now and [t["y"] for t in now] != [t["y"] for t in before]:
            return now
        page.wait_for_timeout(250)
    raise AssertionError("the chart did not change")


def title(page, text: str) -> None:
    page.get_by_role("heading", name=text).first.wait_for(timeout=45_000)


@pytest.fixture
def app_url(seeded_store: Path):
    with streamlit_server(seeded_store) as url:
        yield url


def test_every_page_opens_and_switches_language(app_url: str) -> None:
    with browser_page() as page:
        for path, en, _ko in PAGES:
            page.goto(f"{app_url}/{path}?lang=en")
            title(page, en)
            wait_for_app(page, en)
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=45_000)  # each page draws a chart
            assert "Traceback" not in page.inner_text("body")
            screenshot(page, f"page-{path}-en")
        page.get_by_text("한국어", exact=True).first.click()
        title(page, "데이터")
        assert "lang=ko" in page.url
        page.get_by_role("link", name="칼럼과 근거").first.click()  # navigation keeps the language
        title(page, "칼럼과 근거")
        wait_for_app(page, "채점표")
        screenshot(page, "page-column-ko")


def test_compare_base_date_and_currency_change_the_chart(app_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{app_url}/compare?lang=en")
        wait_for_app(page, "Window statistics")  # the folded analyses' label, under the chart
        before = traces(page)
        names = [t["name"] for t in before]
        assert any("US" in n for n in names) and any("China" in n for n in names)
        page.get_by_text("View settings", exact=False).first.click()  # the controls are folded under the chart
        field = page.get_by_label("Base date (=100, e.g. 2025-01-24, Enter applies)")
        field.fill("2025-01-10")
        field.press("Enter")  # a typed date applies on Enter (issue 16, item 3)
        page.wait_for_function("() => location.search.includes('base=2025-01-10')", timeout=45_000)
        after = changed_traces(page, before)
        base_y = {t["name"]: t["y"] for t in after}
        assert after[0]["x0"] <= "2025-01-10"
        screenshot(page, "compare-base-2025-01-10")
        page.get_by_text("Local", exact=True).first.click()
        page.wait_for_function("() => location.search.includes('ccy=local')", timeout=45_000)
        local = changed_traces(page, after)
        assert {t["name"]: t["y"] for t in local} != base_y
        screenshot(page, "compare-local-currency")
        page.get_by_role("button", name="Remove NVIDIA (NVDA)").click()  # take NVIDIA out of the US basket
        page.wait_for_function("() => !decodeURIComponent(location.search).includes('NVDA')", timeout=45_000)
        without = changed_traces(page, local)
        us = next(t for t in without if t["name"].startswith("US"))
        assert us["y"] != next(t for t in local if t["name"].startswith("US"))["y"]
        screenshot(page, "compare-basket-without-nvda")


def test_second_commentary_loads(app_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{app_url}/column?lang=en")
        wait_for_app(page, "Scorecard")
        page.get_by_role("button", name="Column & as-of").click()  # the selectors are folded in a popover
        page.get_by_role("combobox", name="Commentary").click()
        page.get_by_role("option", name="QwQ-32B: a smaller model", exact=False).click()
        page.get_by_text("QwQ-32B is out: Alibaba vs NVIDIA").first.wait_for(timeout=45_000)
        wait_for_app(page, "Scorecard")
        assert "c=example-2025-03-06-qwq" in page.url
        screenshot(page, "column-second-commentary")


ANNOTATIONS_JS = """() => {
  const p = document.querySelector('.js-plotly-plot');
  return p && p.layout ? (p.layout.annotations || []).map(a => String(a.text)) : [];
}"""


def _annotations_with(page, text: str, present: bool = True, timeout: float = 45.0) -> list[str]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = page.evaluate(ANNOTATIONS_JS) or []
        if any(text in a for a in found) == present:
            return found
        page.wait_for_timeout(250)
    raise AssertionError(f"annotation {text!r} {'never appeared' if present else 'never went away'}")


def test_fx_annotation_survives_a_restart_and_can_be_deleted(seeded_store: Path) -> None:
    view = "/fx?lang=en&start=2025-01-01&end=2025-02-28"
    with streamlit_server(seeded_store) as url, browser_page() as page:
        page.goto(url + view)
        wait_for_app(page, "My notes")
        page.get_by_text("Add a note", exact=True).click()  # the form is folded until opened
        page.get_by_label("Label").wait_for(timeout=60_000)
        page.get_by_label("Label").fill("Won rebounds after Seollal")
        page.get_by_label("Note (optional)").fill("first session after the holiday")
        page.get_by_role("button", name="Add note").click()
        page.get_by_text("★ 2025-02-28 · Won rebounds after Seollal").wait_for(timeout=45_000)
        _annotations_with(page, "Won rebounds after Seollal")
        screenshot(page, "fx-annotation-added")
        page.wait_for_function("() => document.cookie.includes('cvd_notebook=')", timeout=45_000)
        assert "nb=" not in page.url  # the reader's notebook is kept in this browser, never in the address
        cookies = page.context.cookies()
    with streamlit_server(seeded_store) as url, browser_page() as page:  # a new server process, the same browser
        page.context.add_cookies(cookies)
        page.goto(url + view)
        wait_for_app(page, "My notes")
        page.get_by_text("★ 2025-02-28 · Won rebounds after Seollal").wait_for(timeout=45_000)
        _annotations_with(page, "Won rebounds after Seollal")
        screenshot(page, "fx-annotation-after-restart")
        page.get_by_role("button", name="Delete").click()
        page.get_by_text("No notes yet.").wait_for(timeout=45_000)
        _annotations_with(page, "Won rebounds after Seollal", present=False)
        screenshot(page, "fx-annotation-deleted")


def test_news_filters(app_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{app_url}/news?lang=en")
        wait_for_app(page, "Nvidia pre-market down 12% due Deepseek")
        page.get_by_text("Filters: tags, sources, search, period").first.click()  # filters are folded
        search = page.get_by_role("textbox", name="Search")
        search.fill("Janus")
        search.press("Enter")
        page.wait_for_function("() => location.search.includes('q=Janus')", timeout=45_000)
        page.get_by_text("Nvidia pre-market down 12% due Deepseek").first.wait_for(state="detached", timeout=45_000)
        wait_for_app(page, "Janus")
        body = page.inner_text("[data-testid='stMain']")
        assert "Janus" in body and "Nvidia pre-market down 12% due Deepseek" not in body
        screenshot(page, "news-search-janus")
