"""A notebook is not its address, in a real browser: the reader's notes survive a reload and a browser restart
(the key is kept in a cookie), a copied address opens nothing of them, the key typed on another device moves the
notebook there, the share link is read-only, and an old ``nb=`` address works once and leaves the address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data_sources.readers.repository import open_repository
from tests.e2e.browser import CHROMIUM_ARGS, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser
FX = "/fx?lang=en&start=2025-01-02&end=2025-02-28"
PANEL = "My notebook on other devices"


def _open_fx(page, url: str, path: str = FX) -> None:
    page.goto(url + path)
    wait_for_app(page, "My notes", timeout=90_000)


def _notes(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def _deletes(page) -> int:
    """How many notes can be deleted here, once the notes list is drawn (the panel below it is there)."""
    page.get_by_text(PANEL, exact=True).wait_for(timeout=60_000)
    return page.get_by_role("button", name="Delete").count()


def _open_panel(page) -> None:
    page.get_by_text(PANEL, exact=True).click()
    page.get_by_text("Notebook key from another device").first.wait_for(timeout=60_000)


def _codes(page) -> list[str]:
    return [c.strip() for c in page.locator("[data-testid='stCode'] code").all_inner_texts()]


def test_the_notebook_follows_the_browser_not_the_address(seeded_store: Path) -> None:
    from playwright.sync_api import sync_playwright

    with streamlit_server(seeded_store) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            def fresh(state=None):
                return browser.new_context(viewport={"width": 1400, "height": 1000},
                                           storage_state=state).new_page()

            # reader A pins a note
            a = fresh()
            _open_fx(a, url)
            a.get_by_text("Add a note", exact=True).click()
            a.get_by_label("Label").wait_for(timeout=60_000)
            a.get_by_label("Label").fill("Cookie note")
            a.get_by_role("button", name="Add note").click()
            a.get_by_text("· Cookie note", exact=False).first.wait_for(timeout=60_000)
            a.wait_for_function("() => document.cookie.includes('cvd_notebook=')", timeout=60_000)
            assert "nb=" not in a.url
            copied = a.url  # what a reader would copy from the address bar

            a.reload()  # a reload finds the notebook in this browser
            wait_for_app(a, "Cookie note", timeout=90_000)
            assert _deletes(a) == 1

            b = fresh()  # another browser opening the copied address: nothing of A's, nothing to delete
            b.goto(copied)
            wait_for_app(b, "My notes", timeout=90_000)
            assert "Cookie note" not in _notes(b) and _deletes(b) == 0
            screenshot(b, "notebook-copied-address")

            state = a.context.storage_state()  # a browser restart on the same device (its cookies kept)
            a.context.close()
            a = fresh(state)
            _open_fx(a, url)
            assert "Cookie note" in _notes(a) and _deletes(a) == 1

            _open_panel(a)
            share = next(c for c in _codes(a) if "?notes=" in c)
            a.get_by_text("Show my notebook key", exact=True).click()
            a.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stCode\"] code')]"
                                ".some(c => /^[0-9a-f]{32}$/.test(c.innerText.trim()))", timeout=60_000)
            key = next(c for c in _codes(a) if re.fullmatch(r"[0-9a-f]{32}", c))
            assert key not in share and key not in a.url

            d = fresh()  # the read-only share link: the notes, no Delete
            d.goto(share if share.startswith("http") else url + share)
            wait_for_app(d, "Cookie note", timeout=90_000)
            assert _deletes(d) == 0

            c = fresh()  # another device: the key typed in moves the notebook there
            _open_fx(c, url)
            assert "Cookie note" not in _notes(c)
            _open_panel(c)
            c.get_by_label("Notebook key from another device").fill(key)
            c.get_by_role("button", name="Use this key here").click()
            wait_for_app(c, "This browser now keeps that notebook.", timeout=90_000)
            c.get_by_text("· Cookie note", exact=False).first.wait_for(timeout=60_000)
            assert _deletes(c) == 1
            c.wait_for_function(f"() => document.cookie.includes('cvd_notebook={key}')", timeout=60_000)
            screenshot(c, "notebook-moved-by-key")
        finally:
            browser.close()


def test_an_old_address_moves_its_key_into_the_browser_once(seeded_store: Path) -> None:
    from playwright.sync_api import sync_playwright

    notebook = "a1" * 16
    open_repository().add_note(notebook, "2025-01-24", "Old bookmark note", data_start="2024-01-01",
                               data_end="2026-12-31")
    old = f"{FX}&nb={notebook}"
    with streamlit_server(seeded_store) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            first = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            first.goto(url + old)
            wait_for_app(first, "Your notebook's key was in this address", timeout=90_000)
            first.wait_for_function("() => !location.search.includes('nb=')", timeout=60_000)
            wait_for_app(first, "Old bookmark note", timeout=90_000)  # drawn once the key is in the browser
            assert _deletes(first) == 1
            first.wait_for_function(f"() => document.cookie.includes('cvd_notebook={notebook}')", timeout=60_000)
            first.reload()
            wait_for_app(first, "Old bookmark note", timeout=90_000)

            second = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            second.goto(url + old)  # the same old address, anywhere else: refused
            wait_for_app(second, "This address no longer opens a notebook", timeout=90_000)
            assert "Old bookmark note" not in _notes(second) and _deletes(second) == 0
            assert "nb=" not in second.url
            screenshot(second, "notebook-old-address-refused")
        finally:
            browser.close()
