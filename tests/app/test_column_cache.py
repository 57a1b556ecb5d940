"""Per-column results cached by content, data version and as-of (ui/column_cache.py), on the real snapshot:
a published 200-claim column costs its readers one scoring, and its first page run stays within budget."""

from __future__ import annotations

import time

import pytest

from commentary.document.column import MAX_CLAIMS, parse_commentary
from commentary.document.model import CommentaryError
from commentary.scoring import claims as claims_mod
from commentary.scoring.combine import combine_sources
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.support.big_column import big_column
from tests.support.column_words import said
from ui import column_cache
from ui.verdicts import overall_line

#: A page run that has to score a column stays within this: the issue's ~2 s, plus slack for AppTest's own
#: bookkeeping on a loaded 2-core machine.
FIRST_RUN_S = 2.5
MANY = "many-claims"


@pytest.fixture(autouse=True)
def _fresh_cache():
    column_cache.clear()
    yield
    assert column_cache.wait_idle(300)
    column_cache.clear()


@pytest.fixture
def scoring_calls(monkeypatch) -> list[int]:
    """One entry per scoring run of any column (a spy on the scorer the cache calls)."""
    calls: list[int] = []
    real = claims_mod.iter_readings

    def spy(*args, **kwargs):
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(claims_mod, "iter_readings", spy)
    return calls


def _publish(body: str) -> None:
    from data_sources.readers.repository import open_repository

    repo = open_repository()
    book = repo.create_notebook("cache test")
    assert repo.publish_commentary(book, repo.save_commentary(book, "Many claims", body))


def _summary(at) -> str:
    return next(shown(m.value) for m in at.markdown if "Verdicts" in m.value or "판정 요약" in m.value)


def _expected_overall(store_dir, lang: str) -> str:
    """The overall verdict line computed here, without the page or its cache, from the stored prices."""
    item = parse_commentary(big_column(MAX_CLAIMS, MANY), "expected.md")
    card = claims_mod.scorecard_frame(claims_mod.readings(item.claims, Store(store_dir).read().prices,
                                                          item.published))
    return overall_line(item.claims, combine_sources(card), lang)


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return time.perf_counter() - start


def test_a_published_200_claim_column_is_scored_once_for_every_reader(seeded_store, scoring_calls, monkeypatch):
    _publish(big_column(MAX_CLAIMS, MANY))
    parses: list[str] = []
    real_parse = column_cache.parse_commentary
    monkeypatch.setattr(column_cache, "parse_commentary", lambda text, name: (parses.append(name),
                                                                              real_parse(text, name))[1])
    reader = app_page(None, "en")  # a running server: imports done, the bundled column scored
    assert scoring_calls == [5]
    reader.query_params["c"] = MANY
    first = _timed_run(reader)
    assert first <= FIRST_RUN_S, f"first run {first:.2f} s"
    assert scoring_calls == [5, MAX_CLAIMS]
    if column_cache.stats["background"]:  # not finished within the budget: the reader sees progress
        bars = reader.get("progress")
        assert bars and "200 claims" in bars[0].proto.text
    assert column_cache.wait_idle(300)

    again = _timed_run(reader)
    lines = [line for line in _summary(reader).split("\n") if "Generated claim number" in line]
    assert len(lines) == MAX_CLAIMS
    assert _expected_overall(seeded_store, "en") in _summary(reader)

    other = app_page(None, "ko", c=MANY)  # a second reader, in Korean: built in the same background job
    assert not other.exception
    assert _expected_overall(seeded_store, "ko") in _summary(other)
    assert scoring_calls == [5, MAX_CLAIMS]  # nobody scored it again
    assert len(parses) == 1  # nor parsed it again, though every run reads it from the database
    assert again < first and again <= 2.0, (first, again)
    print(f"200 claims: first run {first:.2f} s ({column_cache.stats}), second run {again:.2f} s")


def test_an_uploaded_column_is_scored_once_per_data_version(seeded_store, scoring_calls):
    text = big_column(8, "small-upload")
    at = app_page(None, "en")
    at.session_state["col_upload_open"] = True
    at.run()
    at.file_uploader[0].set_value(("mine.md", text.encode(), "text/markdown")).run()
    at.selectbox[0].set_value("small-upload").run()
    assert not at.exception and scoring_calls == [5, 8]
    at.run()
    assert scoring_calls == [5, 8]
    Store(seeded_store).upsert(Store(seeded_store).read().prices.tail(3).assign(close=1.0), {})  # a new version
    at.run()
    assert not at.exception and scoring_calls == [5, 8, 8]  # the new data: the column in view is scored again


def _item(text: str, name: str = "t.md"):
    return parse_commentary(text, name)


def _prices(store_dir):
    frame = Store(store_dir).read().prices
    return lambda: frame


VIEWS = {"overall": lambda s, lang: overall_line([], s.combined, lang)}


def test_the_same_content_shares_results_and_a_change_does_not(seeded_store, scoring_calls):
    text = big_column(3, "three")
    prices = _prices(seeded_store)
    first = column_cache.results(_item(text, "a.md"), "v1", "all", prices, VIEWS, "en")
    again = column_cache.results(_item(text, "a.md"), "v1", "all", prices, VIEWS, "en")  # parsed again: same content
    assert again is first and scoring_calls == [3]
    changed = _item(text.replace("margin_pp: 1", "margin_pp: 2"), "a.md")
    assert column_cache.results(changed, "v1", "all", prices, VIEWS, "en") is not first
    column_cache.results(changed, "v1", "column", prices, VIEWS, "en")  # as of the column's date: other readings
    column_cache.results(changed, "v2", "all", prices, VIEWS, "en")  # new data
    assert scoring_calls == [3, 3, 3, 3]


def test_a_failure_is_kept_for_the_data_version(seeded_store, scoring_calls):
    def broken(_scored, _lang):
        raise KeyError("no such column")

    item = _item(big_column(2, "two"))
    for _ in range(3):
        with pytest.raises(column_cache.ScoringFailed):
            column_cache.results(item, "v1", "all", _prices(seeded_store), {"x": broken}, "en")
    assert scoring_calls == [2]


def test_old_data_versions_and_the_least_recently_used_are_evicted(seeded_store, monkeypatch):
    prices = _prices(seeded_store)
    item = _item(big_column(2, "two"))
    for version in ("v1", "v2", "v3"):
        column_cache.results(item, version, "all", prices, VIEWS, "en")
    assert {key[1] for key in column_cache._entries} == {"v2", "v3"}  # KEEP_VERSIONS = 2

    column_cache.clear()
    monkeypatch.setattr(column_cache, "MAX_READINGS", 25)  # two of these columns (10 readings each) fit
    items = [_item(big_column(2, f"col-{n}")) for n in range(4)]
    for one in items:
        column_cache.results(one, "v1", "all", prices, VIEWS, "en")
    held = sum(e.size for e in column_cache._entries.values())
    assert held <= 25 and len(column_cache._entries) == 2
    assert column_cache.fingerprint(items[-1]) in {key[0] for key in column_cache._entries}


def test_a_stored_column_is_parsed_once_per_content(monkeypatch):
    seen: list[str] = []
    real = column_cache.parse_commentary

    def counting(text, name):
        seen.append(name)
        return real(text, name)

    monkeypatch.setattr(column_cache, "parse_commentary", counting)
    text = big_column(2, "two")
    first = column_cache.parsed(text, "published:abc")
    assert column_cache.parsed(text, "published:abc") is first and seen == ["published:abc"]
    with pytest.raises(CommentaryError) as first:
        column_cache.parsed("no front matter", "published:bad")
    with pytest.raises(CommentaryError) as again:
        column_cache.parsed("no front matter", "published:bad")
    assert said(first.value) == said(again.value) == ("published:bad, line 1: the file must start with a '---' line "
                                                      "(the front matter)")
    assert seen == ["published:abc", "published:bad"]  # a refusal is remembered too

    monkeypatch.setattr(column_cache, "PARSED_MAX_CHARS", len(text) + 100)
    column_cache.parsed(big_column(2, "other"), "published:other")
    column_cache.parsed(text, "published:abc")  # pushed out by the limit: parsed again
    assert seen[-1] == "published:abc" and len(seen) == 4


def test_the_scorecard_keeps_its_colours_computed_once(seeded_store) -> None:
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    from commentary.scoring.grid import style_grid
    from ui.column_parts import grid_table

    at = app_page(None, "en")
    shown_css = at.dataframe[0].proto.arrow_data.styler.styles
    item = next(c for c in column_cache_bundled() if c.id == "baek-2025-01-26")
    card = claims_mod.scorecard_frame(claims_mod.readings(item.claims, Store(seeded_store).read().prices,
                                                          item.published))
    table, kinds = grid_table(item, combine_sources(card), "en")
    fresh = ArrowData()
    marshall_styler(fresh, style_grid(table, kinds).set_uuid("scorecard"), "unused")
    assert "background-color" in shown_css and shown_css == fresh.styler.styles
    at.run()  # the next run shows the same colours from the same, untouched styler
    assert at.dataframe[0].proto.arrow_data.styler.styles == shown_css


def column_cache_bundled():
    from commentary.document.column import list_commentaries
    from commentary.document.model import Commentary

    return [c for c in list_commentaries() if isinstance(c, Commentary)]
