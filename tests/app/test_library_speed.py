"""The Library with a published 200-claim column (issue 26 item 7): its first view stays within the page budget
and shows progress, the column is scored once through the column page's cache, and the authors' records count
a bounded number of each column's calls — compared with a record worked out here from the stored prices."""

from __future__ import annotations

import time

import pytest

from commentary.document.column import MAX_CLAIMS, list_commentaries, parse_commentary
from commentary.document.model import Commentary
from commentary.library.track_record import calls_for, track_record
from commentary.scoring import claims as claims_mod
from commentary.scoring.combine import combine_sources
from commentary.scoring.summary import primary_verdicts
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.support.big_column import big_column
from ui import column_cache, library_view
from ui.verdicts import record_lines, verdict_tally

# The page waits at most ui.library_view.BUDGET_S (1.2 s) for work in flight, then shows progress; scoring the
# 200 claims in the run takes 30 s or more on this machine, so a first view under this bound proves the page did not
# wait for it, with room for AppTest and a busy CI machine (the figure itself is measured, not asserted tightly).
FIRST_RUN_S = 10.0
MANY = "many-claims"


@pytest.fixture(autouse=True)
def _fresh():
    column_cache.clear()
    library_view.clear()
    yield
    assert column_cache.wait_idle(600) and library_view.wait_idle(600)
    column_cache.clear()
    library_view.clear()


def _publish(body: str) -> None:
    from data_sources.readers.repository import open_repository

    repo = open_repository()
    book = repo.create_notebook("library speed")
    assert repo.publish_commentary(book, repo.save_commentary(book, "Many claims", body))


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return time.perf_counter() - start


def _readings(item: Commentary, prices):
    return claims_mod.readings(item.claims, prices, item.published)


def test_a_200_claim_column_does_not_hold_up_the_library(seeded_store, monkeypatch):
    calls: list[int] = []
    real = claims_mod.iter_readings
    monkeypatch.setattr(claims_mod, "iter_readings", lambda *a, **k: (calls.append(len(a[0])), real(*a, **k))[1])
    warm = app_page("library", "en")  # a running server: the bundled columns scored
    assert not warm.exception
    bundled = [c for c in list_commentaries() if isinstance(c, Commentary)]
    assert sorted(calls) == sorted(len(c.claims) for c in bundled if c.claims)
    _publish(big_column(MAX_CLAIMS, MANY))

    reader = app_page("library", "en")
    first = _timed_run(reader)
    assert first <= FIRST_RUN_S, f"first view {first:.2f} s"
    table = reader.dataframe[0].value
    row = table[table["open"].str.contains(f"c={MANY}&")]
    assert len(row) == 1
    if column_cache.stats["background"]:  # not done within the budget: the reader sees progress, not a wait
        assert row.iloc[0]["tally"] == "scoring…"
        bars = reader.get("progress")
        assert bars and f"{MAX_CLAIMS} claims" in bars[0].proto.text
    assert column_cache.wait_idle(600)
    reader.run()
    assert library_view.wait_idle(600)
    again = _timed_run(reader)
    assert calls.count(MAX_CLAIMS) == 1  # scored once, by the column page's cache

    prices = Store(seeded_store).read().prices
    item = parse_commentary(big_column(MAX_CLAIMS, MANY), "expected.md")
    readings = _readings(item, prices)
    combined = combine_sources(claims_mod.scorecard_frame(readings))
    table = reader.dataframe[0].value
    assert table[table["open"].str.contains(f"c={MANY}&")].iloc[0]["tally"] == verdict_tally(
        primary_verdicts(item.claims, combined), "en")

    # the record: every bundled column's calls and the big column's first RECORD_CALLS_PER_COLUMN
    limit = library_view.RECORD_CALLS_PER_COLUMN
    all_calls = [c for b in bundled if b.claims for c in calls_for(b, _readings(b, prices))]
    all_calls += calls_for(item, readings)[:limit]
    expected = track_record(all_calls, claims_mod.wide_prices(prices))
    rec = expected[expected["author"] == item.author].to_dict("records")[0]
    assert rec["claims"] == sum(len(b.claims) for b in bundled if b.author == item.author) + limit
    lines = [shown(m.value) for m in reader.markdown]
    wanted = shown("  \n".join(record_lines(rec, item.author_name("en"), "en")))
    assert wanted in lines, lines
    cut = [shown(c.value) for c in reader.caption if f"more than {limit} claims" in c.value]
    assert cut and item.title in cut[0]
    print(f"library with {MAX_CLAIMS} claims: first view {first:.2f} s, warm {again:.2f} s")
