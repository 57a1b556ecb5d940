"""Security in the real browser: hostile feed text and hostile reader input never become live DOM."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources.news import store as news_store
from tests.e2e.browser import browser_page, screenshot, streamlit_server, wait_for_app
from tests.fakes.hostile import HOSTILE_RSS

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


# --------------------------------------------------------------------------------------------------------------
# A column reader A published, opened in reader B's browser (issue 26, item 2)

PUBLISHED_INERT_JS = r"""() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const target = e => e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src') || '';
  const hostile = u => /evil\.example|^\s*(data|javascript|vbscript):/i.test(u);
  return {
    live: [...app.querySelectorAll('a, img, image, iframe, source, video, audio, object, embed')]
      .map(target).filter(hostile),
    katex: app.querySelectorAll('.katex, .katex-display, math').length,
    icons: [...app.querySelectorAll('[data-testid="stIconMaterial"]')].map(e => e.innerText.trim())
      .filter(t => t === 'bug_report'),
    handlers: [...app.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length,
  };
}"""
COLUMN_PARTS = {"en": ("Scorecard", "What the column says", "Facts the column reports, checked",
                       "Each claim's path and detailed readings"),
                "ko": ("채점표", "칼럼 요약", "칼럼이 전하는 사실 확인", "주장별 경로와 세부 판정")}


def test_a_published_hostile_column_stays_inert_in_another_readers_browser(seeded_store: Path) -> None:
    from playwright.sync_api import sync_playwright

    from data_sources.readers.repository import open_repository
    from tests.e2e.browser import CHROMIUM_ARGS, chromium_path
    from tests.fakes.hostile import published_hostile_column

    repo = open_repository()  # reader A saves the column to their notebook and publishes it
    reader_a = "a" * 32
    assert repo.publish_commentary(reader_a, repo.save_commentary(reader_a, "Hostile", published_hostile_column()))
    requests: list[str] = []
    with streamlit_server(seeded_store) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()  # reader B
            page.on("request", lambda r: requests.append(r.url))
            for lang, (settled, summary, facts, paths) in COLUMN_PARTS.items():
                page.goto(f"{url}/column?c=hostile-published&lang={lang}")
                wait_for_app(page, settled, timeout=90_000)
                page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=90_000)
                for folded in (facts, paths):  # the folded parts, built when opened
                    page.get_by_text(folded, exact=True).click()
                    wait_for_app(page, settled, timeout=90_000)
                page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=90_000)  # the claim's path
                page.get_by_text(summary, exact=True).first.click()  # the popover: summary and citation
                page.locator("[data-testid='stPopoverBody']").wait_for(timeout=30_000)
                text = page.inner_text("body").replace("\u2060", "")  # (word joiners stop auto-links)
                assert "![pi](http://evil.example/img.png)" in text  # the payloads read as typed ...
                assert "'![ci](http://evil.example/c.png) $k$'" in text  # ... in the claim's error too
                assert "published:" not in text  # the column is named by its title, never by its row id
                assert "English body" in text or "한국어 본문" in text
                assert page.evaluate(PUBLISHED_INERT_JS) == {"live": [], "katex": 0, "icons": [], "handlers": 0}
                screenshot(page, f"security-published-column-{lang}")
                page.keyboard.press("Escape")
            page.goto(f"{url}/library?lang=en")
            wait_for_app(page, "Authors' track records", timeout=90_000)
            assert page.evaluate(PUBLISHED_INERT_JS) == {"live": [], "katex": 0, "icons": [], "handlers": 0}
        finally:
            browser.close()
    origin = url.split("://", 1)[1]
    off_origin = [u for u in requests if u.split("://", 1)[-1].split("/", 1)[0] != origin]
    assert off_origin == [] and not [u for u in requests if "evil" in u]
