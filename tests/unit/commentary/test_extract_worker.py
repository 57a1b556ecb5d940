"""The extraction worker: the calling process never loads the Korean model, and the answers are the extractor's own.

The caller runs in a fresh interpreter (this test process may have loaded kiwipiepy already through other tests).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commentary.extract import extract, worker
from data_sources import worker as bounded
from data_sources.market.universe import UNIVERSE

ROOT = Path(__file__).resolve().parents[3]
PUB = dt.date(2025, 3, 3)
# written for this test: calls, a hedge, a touch, a duration in words, a fact, a saying, a long sentence
TEXT = ("올해 미국 빅테크는 힘이 빠지고 중국 기술주가 반등할 것으로 본다. 원/달러 환율은 석 달 안에 1,500원을 넘을 수 "
        "있다. 코스피는 연말까지 2,800선을 넘지 않을 것이다. 삼성전자 주가가 어제 3% 하락했다. 미국 증시가 언제나 좋을 "
        "수는 없다. Nvidia may fall over the next six weeks.\n" + "가" * 1600 + ".\n")

CALLER = """
import datetime as dt, pickle, sys
from commentary.extract.worker import extract_in_worker, worker_pid, stop_worker
from data_sources.market.universe import UNIVERSE

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

before = rss()
result = extract_in_worker(sys.stdin.read(), dt.date(2025, 3, 3), instruments=UNIVERSE, budget_s=240)
pid = worker_pid()
sys.stdout.buffer.write(pickle.dumps({
    "proposals": result.proposals, "notes": [(n.code, dict(n.params)) for n in result.notes],
    "kiwipiepy": "kiwipiepy" in sys.modules, "grew_mb": rss() - before, "worker": pid,
    "worker_has_kiwi": "kiwipiepy" in open(f"/proc/{pid}/maps").read(),
    "worker_limits": open(f"/proc/{pid}/limits").read(),
}))
stop_worker()
"""


@pytest.fixture(scope="module")
def from_a_fresh_caller() -> dict:
    done = subprocess.run([sys.executable, "-c", CALLER], input=TEXT.encode(), cwd=ROOT, capture_output=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return pickle.loads(done.stdout)


def test_the_caller_never_loads_the_korean_model(from_a_fresh_caller) -> None:
    assert from_a_fresh_caller["kiwipiepy"] is False
    assert from_a_fresh_caller["worker_has_kiwi"]  # it is loaded, in the worker
    assert from_a_fresh_caller["grew_mb"] < 60  # the model is ~450 MB


def test_the_worker_is_bounded(from_a_fresh_caller) -> None:
    line = next(x for x in from_a_fresh_caller["worker_limits"].splitlines() if x.startswith("Max address space"))
    assert line.split()[3:5] == [str(worker.MEMORY_LIMIT_BYTES)] * 2


def test_the_workers_answer_is_the_in_process_extractors(from_a_fresh_caller) -> None:
    here = extract(TEXT, PUB, instruments=UNIVERSE)
    assert from_a_fresh_caller["proposals"] == here.proposals
    assert from_a_fresh_caller["notes"] == [(n.code, dict(n.params)) for n in here.notes]
    rules = {p.rule for p in here.proposals}
    assert {"direction", "outperform", "touches", "stays_below"} <= rules and here.notes  # the text covers them


def test_a_text_the_extractor_refuses_comes_back_as_its_error() -> None:
    with pytest.raises(worker.ExtractError) as caught:
        worker.extract_in_worker("가" * 200_001, PUB, instruments=UNIVERSE, budget_s=240)
    assert (caught.value.problem.code, dict(caught.value.problem.params)) == (
        "extract.too_long", {"chars": 200_001, "limit": 200_000})


def test_a_second_request_waits_for_the_first_or_is_told_the_worker_is_busy() -> None:
    worker.extract_in_worker("Nvidia will rise this year.", PUB, instruments=UNIVERSE, budget_s=240)  # warm
    with worker._WORKER.lock, pytest.raises(worker.ExtractError) as caught:  # another session is being served
        worker.extract_in_worker("Nvidia will rise this year.", PUB, instruments=UNIVERSE, budget_s=0.5)
    assert caught.value.problem.code == "extract.busy"


def test_an_idle_worker_exits_and_the_next_request_starts_another(monkeypatch) -> None:
    worker.stop_worker()
    monkeypatch.setenv("DASHBOARD_EXTRACT_IDLE_S", "0.5")
    worker.extract_in_worker("Nvidia will rise this year.", PUB, instruments=UNIVERSE, budget_s=240)
    first = worker._WORKER.process
    assert first is not None
    first.wait(timeout=60)  # it leaves by itself once idle
    again = worker.extract_in_worker("Nvidia will rise this year.", PUB, instruments=UNIVERSE, budget_s=240)
    assert [p.params["series"] for p in again.proposals] == ["NVDA"] and worker._WORKER.process is not first
    worker.stop_worker()


def test_an_answer_over_the_frame_limit_is_refused(monkeypatch) -> None:
    worker.extract_in_worker("Nvidia will rise this year.", PUB, instruments=UNIVERSE, budget_s=240)  # warm
    monkeypatch.setattr(bounded, "MAX_FRAME_BYTES", 1000)  # the answer carries the cleaned text: more than that
    with pytest.raises(worker.ExtractError) as caught:
        worker.extract_in_worker("Nvidia will rise this year. " * 100, PUB, instruments=UNIVERSE, budget_s=240)
    assert caught.value.problem.code == "extract.worker_failed" and worker.worker_pid() is None


def test_a_worker_that_stops_reading_cannot_hold_the_caller_past_the_budget() -> None:
    worker.extract_in_worker("Nvidia will rise this year.", PUB, instruments=UNIVERSE, budget_s=240)  # warm
    stuck = worker.worker_pid()
    os.kill(stuck, signal.SIGSTOP)  # it reads nothing now: a 200k text does not fit in the pipe
    started = time.monotonic()
    with pytest.raises(worker.ExtractError) as caught:
        worker.extract_in_worker("Nvidia will rise this year. " * 7000, PUB, instruments=UNIVERSE, budget_s=2)
    assert time.monotonic() - started < 2 + 5
    assert caught.value.problem.code == "extract.timeout" and worker.worker_pid() is None  # killed, not left
