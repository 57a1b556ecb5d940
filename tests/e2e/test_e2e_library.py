"""Browser flow at 1440×900 and 390×844: paste a short column, accept two proposals, add one claim by hand, save, reload
the library and see the column and the author's record. Screenshots: test-artifacts/library-*.png."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.e2e.browser import browser_page, screenshot, streamlit_server, wait_for_app

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
        boxes.nth(1).click()
        wait_for_app(page, "Verdict preview", timeout=60_000)
        page.get_by_text("Add a claim of your own 1").click()
        page.get_by_text("Include this claim").click()
        wait_for_app(page, "Verdict preview", timeout=60_000)
        page.get_by_text("claims, each judged on its primary horizon").first.wait_for(timeout=60_000)
        screenshot(page, f"library-new-column-{width}")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved:").wait_for(timeout=60_000)
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


TABLE_JS = """() => { const g = document.querySelector('[data-testid=stDataFrame]'); if (!g) return null;
  const r = g.getBoundingClientRect();
  const heads = [...g.querySelectorAll('[role=columnheader]')]
    .map(h => [h.innerText.trim(), +h.getAttribute('aria-colindex')]);
  return {left: r.left, right: r.right, width: r.width, heads, scroll: document.documentElement.scrollWidth}; }"""


@pytest.mark.timeout(900)
def test_library_table_key_columns_fit_a_phone(_seeded_template: Path, tmp_path: Path) -> None:
    """At 390×844 the title (pinned) and its verdict tally are the first two columns and end inside the viewport."""
    import ast

    source = (Path(__file__).resolve().parents[2] / "pages" / "library.py").read_text(encoding="utf-8")
    widths = next(ast.literal_eval(node.value) for node in ast.parse(source).body if isinstance(node, ast.Assign)
                  and getattr(node.targets[0], "elts", None) and node.targets[0].elts[0].id == "TITLE_PX")
    store = tmp_path / "store"
    shutil.copytree(_seeded_template, store)
    with streamlit_server(store) as url, browser_page(390, 844) as page:
        page.goto(f"{url}/library?lang=ko")
        wait_for_app(page, "필자별 적중 기록", timeout=120_000)
        page.locator("[data-testid=stDataFrame] [role=columnheader]").first.wait_for(state="attached", timeout=60_000)
        page.wait_for_timeout(1000)
        table = page.evaluate(TABLE_JS)
        screenshot(page, "library-table-390")
    assert table is not None and table["left"] >= 0 and table["right"] <= 390 + 1, table
    heads = dict(table["heads"])
    assert heads.get("제목") == 1 and heads.get("판정") == 2, table["heads"]  # the key columns lead
    tally_right = table["left"] + sum(widths)  # the grid draws its columns at their configured widths
    assert sum(widths) <= table["width"] and tally_right <= 390, (widths, table)
    assert table["scroll"] <= 390 + 1  # no page-wide horizontal scroll
