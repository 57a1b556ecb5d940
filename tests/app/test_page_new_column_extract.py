"""AppTest of the New column page's proposals: the publication date first, hedges and touches labelled, hostile
pastes answered within a bound, and one reader's slow proposal never holding up another reader."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time

import pytest

from catalog import text
from commentary.extract import worker
from commentary.scoring import rules
from tests.conftest import app_page, fill_new_column, shown

PASTE = 200_000
#: One call among many sentences the Korean analyser must read: more than a 10-second budget's worth of work.
SPARSE = ("엔비디아 실적 발표가 다음 주에 있다. 삼성전자 주주총회는 다음 달에 열린다. " * 6
          + "텐센트는 올해 상승할 것이다.\n")


def _said(at) -> list[str]:
    return [shown(m.value) for m in (*at.warning, *at.info, *at.caption, *at.error)]


def _accept_boxes(at) -> list[str]:
    return [c.key for c in at.checkbox if c.key.startswith("new_accept_")]


def _propose(at) -> float:
    started = time.monotonic()
    at.button(key="new_propose").click().run(timeout=240)
    return time.monotonic() - started


def test_the_publication_date_is_typed_before_anything_is_resolved(seeded_store) -> None:
    at = app_page("new_column", "ko")
    assert at.date_input(key="new_date").value is None  # no date the reader never typed
    fill_new_column(at, "엔비디아는 올해 오를 것이다.", "날짜 칼럼", "필자", published=None)
    _propose(at)
    assert text("ko", "extract.date_first") in _said(at) and not _accept_boxes(at)
    assert text("ko", "extract.date_needed") in _said(at)  # and no preview, no save, until then

    at.date_input(key="new_date").set_value(dt.date(2024, 6, 3)).run()
    _propose(at)
    assert not at.exception
    assert any("연말(2024-12-31)" in c for c in _said(at))  # "올해" is the year the reader typed
    at.checkbox(key="new_accept_0").check().run()
    assert at.dataframe and not at.error


def test_a_hedged_call_and_a_touch_are_labelled_for_the_reader(seeded_store, monkeypatch) -> None:
    monkeypatch.setattr(rules, "RULE_TYPES", tuple(r for r in rules.RULE_TYPES if r != "touches"))
    at = app_page("new_column", "en")
    fill_new_column(at, "Nvidia may rise this year. USD/KRW will break above 1,520 within the year.", "Hedges",
                    "Writer")
    _propose(at)
    said = _said(at)
    assert text("en", "extract.hedged", words="may") in said
    assert any(text("en", "extract.confidence_medium") in s for s in said)
    assert text("en", "problem.extract.not_scorable_yet", rule="touches") in said
    # the hedged call can be accepted; the touch is shown but has no checkbox until scoring can judge it
    assert _accept_boxes(at) == ["new_accept_0"]


SKIPPED = text("en", "problem.extract.long_sentences_skipped", count=1, limit=1500, first_at=1)


@pytest.mark.parametrize(("unit", "message"), [
    (".", SKIPPED),  # one "sentence" of 200,000 characters: skipped, and the reader is told why
    ("!?", SKIPPED),
    ("\n", "text: is empty"),  # nothing but line breaks
    (". \n", "No claim found in the text"),  # 100,000 one-character sentences, none with a claim
])
def test_a_200k_paste_of_periods_or_newlines_is_answered_within_a_bound(seeded_store, unit: str,
                                                                        message: str) -> None:
    at = app_page("new_column", "en")
    fill_new_column(at, (unit * PASTE)[:PASTE], "Hostile", "Paster")
    rerun = time.monotonic()
    at.run(timeout=120)
    assert time.monotonic() - rerun < 20  # the draft check on every rerun is linear (it took 94 s in issue 26)
    took = _propose(at)
    assert took < 60 + worker.STARTUP_S, took  # a cold worker may need to start first
    assert not at.exception
    assert any(message in s for s in _said(at)), _said(at)


def test_past_the_analysis_budget_the_reader_is_told_how_far_it_read(seeded_store, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_PROPOSE_BUDGET_S", "4")  # half of it for the analysis (documented default)
    worker.extract_in_worker("엔비디아는 올해 오를 것이다.", dt.date(2025, 1, 2), budget_s=120)  # warm
    at = app_page("new_column", "ko")
    fill_new_column(at, (SPARSE * (PASTE // len(SPARSE) + 1))[:PASTE], "긴 칼럼", "필자")
    assert _propose(at) < 4 + 20  # the budget, plus drawing the page on a loaded machine
    ran_out = [s for s in _said(at) if s.startswith("분석 시간 2초가 다 되어 문장 ")]
    assert ran_out, _said(at)  # the catalog's words: how far it read, and that the rest was not searched
    assert 0 < len(_accept_boxes(at)) <= 50  # what was read in time is proposed, at most 50 with editors


def test_a_stuck_analysis_is_stopped_at_the_budget_and_another_reader_is_served_meanwhile(seeded_store,
                                                                                        monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_PROPOSE_BUDGET_S", "25")
    slow = app_page("new_column", "ko")
    fill_new_column(slow, "엔비디아는 올해 오를 것이다.", "멈춘 칼럼", "필자")
    worker.extract_in_worker("엔비디아는 올해 오를 것이다.", dt.date(2025, 1, 2), budget_s=120)  # warm
    stuck = worker.worker_pid()
    os.kill(stuck, signal.SIGSTOP)  # the analysis makes no progress at all, as a pathological text would
    done, failed = threading.Event(), []

    def propose_slowly() -> None:
        try:
            _propose(slow)
        except Exception as exc:  # reported below, in the test's thread
            failed.append(exc)
        done.set()

    thread = threading.Thread(target=propose_slowly, daemon=True)
    started = time.monotonic()
    try:
        thread.start()
        while not worker._WORKER.lock.locked() and not done.is_set():  # the slow reader's request is in
            time.sleep(0.05)
        other = app_page("new_column", "en")  # a second reader opens the page and fills it in meanwhile
        fill_new_column(other, "Tesla will do well this year.", "Other", "Reader")
        served = time.monotonic() - started
        assert not done.is_set(), "the slow proposal ended before the other reader was served: nothing was measured"
        assert served < 25 and not other.exception
        thread.join(120)
    finally:
        if worker.worker_pid() == stuck:
            os.kill(stuck, signal.SIGCONT)
    assert done.is_set() and not failed and not slow.exception, failed
    assert 25 <= time.monotonic() - started < 25 + 20  # the budget, then the page is drawn on a loaded machine
    assert text("ko", "problem.extract.timeout", seconds=25) in _said(slow)
    assert worker.worker_pid() is None  # the stuck worker is gone; the next request starts a new one


def test_a_worker_that_runs_past_the_budget_is_stopped_and_replaced() -> None:
    long_text = (SPARSE * (PASTE // len(SPARSE) + 1))[:PASTE]
    worker.extract_in_worker("엔비디아는 올해 오를 것이다.", dt.date(2025, 1, 2), budget_s=120)  # warm
    first = worker.worker_pid()
    started = time.monotonic()
    with pytest.raises(worker.ExtractError) as caught:  # the analysis may run 60 s; the wait is 2 s
        worker.extract_in_worker(long_text, dt.date(2025, 1, 2), budget_s=2, analysis_s=60)
    assert time.monotonic() - started < 2 + 5
    assert (caught.value.problem.code, dict(caught.value.problem.params)) == ("extract.timeout", {"seconds": 2})
    assert worker.worker_pid() is None  # killed, not left running
    again = worker.extract_in_worker("Nvidia will rise this year.", dt.date(2025, 1, 2), budget_s=120)
    assert [p.params["series"] for p in again.proposals] == ["NVDA"] and worker.worker_pid() not in (None, first)
