"""The column page's scorecard and the Library's verdict words as a reader sees them, in headless Chromium at
1440×900 and 390×844, Korean and English: every claim whole in its card inside the screen, and the same verdict
words on both pages. Screenshots: test-artifacts/scorecard-*.png, library-tally-*.png."""

from __future__ import annotations

import pytest

from catalog import text
from commentary.document.column import list_commentaries
from commentary.document.model import Commentary
from tests.e2e import test_e2e_reader as reader
from tests.e2e.browser import screenshot, wait_for_app
from tests.e2e.test_e2e_reader import SIZES

pytestmark = pytest.mark.browser
server, browser = reader.server, reader.browser  # the reader tests' fixtures: a seeded app and Chromium, per module

CARDS_JS = """(first) => {
  const el = [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]
    .find(e => e.innerText.startsWith('1. ' + first));
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return {left: r.left, right: r.right, text: el.innerText,
          lines: [...el.querySelectorAll('p')].map(p => { const b = p.getBoundingClientRect();
                                                          return {left: b.left, right: b.right}; })}; }"""


STATES = ("held", "failed", "source_dependent", "too_early", "judged_later", "no_data")  # the tally's order
MARKS = "🟢🔴🟠⚪"


def _default_column() -> Commentary:
    return next(c for c in list_commentaries() if isinstance(c, Commentary) and c.id == "baek-2025-01-26")


@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_scorecard_cards_show_every_claim_whole_and_library_uses_the_same_words(server: str, browser, size: str,
                                                                                  lang: str) -> None:
    width, height = SIZES[size]
    item = _default_column()
    claims = [c.text(lang) for c in item.claims]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{server}/column?lang={lang}&c={item.id}")
        wait_for_app(page, text(lang, "column.scorecard"), timeout=120_000)
        page.get_by_text(f"1. {claims[0]}", exact=False).first.wait_for(timeout=60_000)
        page.get_by_text(f"1. {claims[0]}", exact=False).first.scroll_into_view_if_needed()
        cards = page.evaluate(CARDS_JS, claims[0])
        screenshot(page, f"scorecard-{size}-{lang}")
        assert cards is not None
        for n, claim in enumerate(claims, 1):  # every claim whole, wrapped, none cut to a few characters
            assert f"{n}. {claim}" in cards["text"], claim
        assert cards["left"] >= 0 and cards["right"] <= width + 1, cards
        assert all(p["left"] >= 0 and p["right"] <= width + 1 for p in cards["lines"])
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1  # no sideways scroll
        # each card's verdict line opens with its mark and state: count the states as the Library should
        words = [text(lang, f"odds.verdict.{k}") for k in STATES]
        opened = [line[1:].strip() for line in cards["text"].splitlines() if line[:1] in MARKS]
        states = {w: sum(line.startswith(w) for line in opened) for w in words}
        assert sum(states.values()) == len(claims), opened

        page.goto(f"{server}/library?lang={lang}")
        wait_for_app(page, text(lang, "library.record_title"), timeout=120_000)
        page.locator('[data-testid=stMarkdownContainer] a[href*="/column?c="]').first.wait_for(timeout=60_000)
        screenshot(page, f"library-tally-{size}-{lang}")
        body = page.inner_text("body")
        tally = " · ".join(text(lang, "odds.tally.part", verdict=word, n=n) for word, n in states.items() if n)
        assert tally in body  # the column's claims counted in the column page's words
    finally:
        context.close()
