"""The answer first on the markets pages (AppTest, offline, on the seeded store): US vs China and USD/KRW open
with the lead column's calls on their own series — the same lines, verdicts and odds as the Column page — above
their chart, with a link to the column."""

from __future__ import annotations

import pytest

import catalog
from tests.conftest import app_page

# The lead column's claims in its file's order: three on the US and Chinese baskets, then two on USD/KRW.
BASKET_CLAIMS, RATE_CLAIMS = slice(0, 3), slice(3, 5)


def _walk(node, out: list) -> list:
    """Every element under ``node``, top to bottom."""
    for child in getattr(node, "children", {}).values():
        out.append(child)
        _walk(child, out)
    return out


def _verdict_lines(at, title: str) -> tuple[list[str], list[str]]:
    """(the verdict lines under the Markdown that starts with ``title``, the element types from the top)."""
    elements = _walk(at.main, [])
    types = [e.type for e in elements]
    markdown = [e for e in elements if e.type == "markdown"]
    start = next(i for i, m in enumerate(markdown) if m.value.startswith(f"**{title}**"))
    block = markdown[start].value.split("  \n")[1:] or markdown[start + 1].value.split("  \n")
    return block, types[:types.index("plotly_chart")] if "plotly_chart" in types else types


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_markets_pages_answer_with_the_columns_calls_on_their_series(seeded_store, lang: str) -> None:
    column = app_page("column", lang=lang)
    assert not column.exception, [e.value for e in column.exception]
    said, _ = _verdict_lines(column, catalog.text(lang, "column.verdicts"))
    assert len(said) == 5
    for page, claims in (("compare", BASKET_CLAIMS), ("fx", RATE_CLAIMS)):
        at = app_page(page, lang=lang)
        assert not at.exception, [e.value for e in at.exception]
        lines, above_chart = _verdict_lines(at, catalog.text(lang, "answer.title"))
        assert lines == said[claims], page  # the Column page's own words, for this page's series only
        assert "page_link" in above_chart, page  # the answer and its link come before the chart
        assert [link.label for link in at.get("page_link")] == [catalog.text(lang, "answer.to_column")]
        markdown = "\n".join(m.value for m in at.markdown)
        assert "백석현" in markdown  # the column is cited: author (and title, date) in both languages


def test_a_column_still_being_scored_is_said_and_linked(seeded_store, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import column_answer, column_cache

    column_cache.clear()
    monkeypatch.setattr(column_cache, "WORK_INLINE", 0)  # scored in the background, as a big column is
    monkeypatch.setattr(column_answer, "BUDGET_S", 0.0)
    started = column_cache.Job.run
    monkeypatch.setattr(column_cache.Job, "run", lambda job: None)  # never finishes while the page is open
    at = app_page("fx", lang="ko")
    assert not at.exception, [e.value for e in at.exception]
    assert catalog.text("ko", "answer.pending") in [c.value for c in at.caption]
    assert [link.label for link in at.get("page_link")] == [catalog.text("ko", "answer.to_column")]
    monkeypatch.setattr(column_cache.Job, "run", started)
    column_cache.clear()


def test_a_column_that_could_not_be_scored_is_said(seeded_store, monkeypatch: pytest.MonkeyPatch) -> None:
    from commentary.scoring import claims as claims_mod
    from ui import column_cache

    def broken(*_args, **_kwargs):
        raise RuntimeError("a rule the scorer cannot read")
        yield  # a generator, as the real one

    column_cache.clear()
    monkeypatch.setattr(claims_mod, "iter_readings", broken)
    at = app_page("compare", lang="en")
    assert not at.exception, [e.value for e in at.exception]
    assert catalog.text("en", "answer.failed") in [c.value for c in at.caption]
    assert not [m.value for m in at.markdown if m.value.startswith(":small[")]  # no verdict line is made up
    column_cache.clear()
