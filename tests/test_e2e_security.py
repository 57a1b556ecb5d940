"""Security in the real browser: hostile feed text and hostile reader input never become live DOM."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources.news import store as news_store
from tests.browser import browser_page, screenshot, streamlit_server, wait_for_app
from tests.hostile import HOSTILE_RSS

pytestmark = pytest.mark.browser

LIVE_JS = r"""() => {
  const all = [...document.querySelectorAll('*')];
  return {
    handlers: all.filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).map(e => e.outerHTML.slice(0, 120)),
    scripts: [...document.scripts].filter(s => /alert\(/.test(s.textContent)).length,
    badLinks: [...document.querySelectorAll('a[href], [src]')]
      .map(e => e.getAttribute('href') || e.getAttribute('src'))
      .filter(u => /^\s*(javascript|data|vbscript):/i.test(u)),
    iframes: document.querySelectorAll('iframe').length,
    imgsFromFeed: [...document.querySelectorAll('img')]
      .filter(i => /(^|\/)x$/.test(i.getAttribute('src') || '')).length,
    rlo: document.body.innerText.includes('\u202e'),
  };
}"""


def _assert_inert(page) -> None:
    live = page.evaluate(LIVE_JS)
    assert live == {"handlers": [], "scripts": 0, "badLinks": [], "iframes": 0, "imgsFromFeed": 0, "rlo": False}


def test_hostile_feed_and_annotation_stay_text(seeded_store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.xml").write_text(HOSTILE_RSS, encoding="utf-8")
    news_store.import_feed_dir(seeded_store, folder)
    dialogs: list[str] = []
    with streamlit_server(seeded_store) as url, browser_page() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/news?lang=en&from=2025-01-27&to=2025-01-27&q=scoop")
        wait_for_app(page, "scoop")
        text = page.inner_text("[data-testid='stMain']")
        assert "DeepSeek scoop" in text  # markup stripped from the title
        assert "[click](javascript:alert(6))" in text  # a Markdown link in a summary stays literal text
        _assert_inert(page)
        screenshot(page, "security-news-hostile-feed")

        page.goto(f"{url}/fx?lang=en&start=2025-01-01&end=2025-02-28")
        wait_for_app(page, "My notes")
        page.get_by_text("Add a note", exact=True).click()  # the form is folded until opened
        page.get_by_label("Label").wait_for(timeout=60_000)
        page.get_by_label("Label").fill("<img src=x onerror=alert(10)>")
        page.get_by_label("Note (optional)").fill("<script>alert(11)</script> \u202eevil")
        page.get_by_role("button", name="Add note").click()
        page.get_by_text("<img src=x onerror=alert(10)>", exact=False).first.wait_for(timeout=45_000)
        wait_for_app(page, "My notes")
        _assert_inert(page)
        screenshot(page, "security-fx-hostile-note")
    assert dialogs == []
