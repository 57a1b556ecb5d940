"""Browser flow at 1440×900 and 390×844: paste a short column, accept two proposals, add one claim by hand, save, reload
the library and see the column and the author's record. Screenshots: test-artifacts/library-*.png."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, screenshot, streamlit_server, wait_drawn, wait_for_app

pytestmark = pytest.mark.browser

TEXT = "Tencent will outperform Nvidia this year. Nvidia will fall by year-end. We had lunch."


@pytest.mark.timeout(900)  # the page reruns its builder on every click; the shared 2-core machine is slow
@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_paste_accept_save_and_see_the_record(_seeded_template: Path, tmp_path: Path, width: int, height: int) -> None:
    store = tmp_path / "store"
    shutil.copytree(_seeded_template, store)
    with streamlit_server(store) as url, browser_page(width, height) as page:
        page.goto(f"{url}/new_column?lang=en")
        wait_for_app(page, "Propose claims", timeout=120_000)
        page.get_by_label("Text", exact=True).fill(TEXT)
        page.get_by_label("Title", exact=True).fill("Browser column")
        page.get_by_label("Author", exact=True).fill("Browser Writer")
        page.get_by_role("spinbutton", name="year, Published").click()  # typed by the reader: nothing is pre-filled
        page.keyboard.type("20250403")  # year, month, day: each segment moves on to the next when full
        page.keyboard.press("Escape")  # close the date field's calendar, should it open over the buttons
        page.get_by_role("spinbutton", name="day, Published").press("Tab")
        wait_for_app(page, "Propose claims", timeout=60_000)
        page.get_by_role("button", name="Propose claims").click()
        try:  # the run draws the proposals one by one: wait for it to finish, not for the first box
            wait_for_app(page, "Accept this claim", timeout=60_000)
            page.get_by_text("Accept this claim").nth(1).wait_for(timeout=60_000)
        finally:
            screenshot(page, f"library-proposals-{width}")
        boxes = page.get_by_text("Accept this claim")
        assert boxes.count() >= 2
        boxes.nth(0).click()
        wait_for_app(page, "Verdict preview", timeout=60_000)
        wait_drawn(page)  # a chart still drawing moves what is below it: click on a settled page
        boxes.nth(1).click()
        wait_for_app(page, "Verdict preview", timeout=60_000)
        wait_drawn(page)
        page.get_by_text("Add a claim of your own 1").click()
        page.get_by_text("Include this claim").click()
        wait_for_app(page, "Verdict preview", timeout=60_000)
        page.get_by_text("claims, each judged on its primary horizon").first.wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # each accepted claim's path chart
        wait_drawn(page)
        modebars = page.locator(".modebar")
        assert all(not modebars.nth(i).is_visible() for i in range(modebars.count()))  # no Plotly toolbar
        screenshot(page, f"library-new-column-{width}")
        page.get_by_role("button", name="Save", exact=True).click()
        saved = page.get_by_text("Saved:")
        saved.or_(page.locator("[data-testid=stAlertContentError]")).first.wait_for(timeout=120_000)
        errors = page.locator("[data-testid=stAlertContentError]").all_inner_texts()
        assert not errors, f"the column was not saved: {errors}"
        page.wait_for_function("() => document.cookie.includes('cvd_notebook=')", timeout=60_000)
        assert "nb=" not in page.url  # the notebook is kept in this browser, not in the address

        page.goto(f"{url}/library?lang=en")
        wait_for_app(page, "Authors' track records", timeout=120_000)
        page.get_by_text("Browser Writer").first.wait_for(timeout=60_000)
        body = page.inner_text("body")
        assert "5 columns by 4 authors" in body
        assert re.search(r"Browser Writer\s*— 1 column\(s\), \d claim\(s\)\.", body)
        assert re.search(r"\d(\.5)? of \d held \(chance alone: about \d\.\d\)", body)  # against chance
        assert "too few to tell skill from luck" in body
        screenshot(page, f"library-{width}")


CARDS_JS = """() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p strong a[href*="/column?c="]')]
  .map(a => { const r = a.getBoundingClientRect();
              return {text: a.innerText.trim(), left: r.left, right: r.right, href: a.getAttribute('href')}; })"""


OVERLAP_JS = """() => { const box = document.querySelector('[data-testid=stTextInput]').getBoundingClientRect();
  return [...document.querySelectorAll('[data-testid=stElementToolbar]')].filter(t => t.offsetParent).some(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom; }); }"""


@pytest.mark.timeout(900)
@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_library_cards_show_whole_titles_that_open_on_a_phone(_seeded_template: Path, tmp_path: Path, width: int,
                                                               height: int) -> None:
    """Each column is a card whose whole title (wrapped) links to the column page inside the viewport; the grid
    with its toolbar is folded, so nothing sits over the search box."""
    from commentary.document.column import list_commentaries
    from commentary.document.model import Commentary

    titles = {c.title_in("ko") for c in list_commentaries() if isinstance(c, Commentary)}
    store = tmp_path / "store"
    shutil.copytree(_seeded_template, store)
    with streamlit_server(store) as url, browser_page(width, height) as page:
        page.goto(f"{url}/library?lang=ko")
        wait_for_app(page, "필자별 적중 기록", timeout=120_000)
        page.wait_for_function(f"() => ({CARDS_JS})().length >= {len(titles)}", timeout=120_000)  # every card drawn
        page.locator("[data-testid=stTextInput]").first.wait_for(timeout=120_000)  # and the search box
        cards = page.evaluate(CARDS_JS)
        toolbar_over_search = page.evaluate(OVERLAP_JS)
        screenshot(page, f"library-cards-{width}")
    assert {c["text"] for c in cards} == titles, cards  # whole titles, none cut
    assert all(c["left"] >= 0 and c["right"] <= width + 1 for c in cards), cards
    assert all(c["href"].startswith("/column?c=") for c in cards)
    assert not toolbar_over_search
