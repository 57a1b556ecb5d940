"""Offline and stale reasons in Korean: every reason is produced by the data_sources code that writes it (not
retyped here), so a reworded or new reason fails these tests until it is translated."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import date

import pandas as pd
import pytest

from data_sources import ecb, refresh, status, yahoo
from data_sources.store import PriceSnapshot, Store
from tests import fake_yahoo
from tests.browser import free_port
from ui.reasons import KIND_KO, explain

ALLOWED_LATIN = {"HTTP", "TLS", "ECB", "DASHBOARD_OFFLINE"}  # codes a Korean reader sees as codes
SYMBOLS = ["NVDA", "0700.HK", "005930.KS"]


def _english_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z_'-]+", text)
    return [w for w in words if w not in ALLOWED_LATIN and w not in {s.split(".")[0] for s in SYMBOLS}
            and not re.fullmatch(r"HK|KS", w)]


def _failures(kinds: list[str]) -> dict[str, yahoo.Failure]:
    """Per-symbol failures as yahoo.classify writes them, from what the transport saw."""
    out = {}
    for symbol, kind in zip(itertools.cycle(SYMBOLS), kinds, strict=False):
        seen = [yahoo.Seen(symbol, kind, "curl: (35) TLS connect error: error:0A000410")]
        out[symbol if symbol not in out else f"{symbol}{len(out)}"] = yahoo.classify(symbol, yahoo.Extracted(
            pd.DataFrame(), seen=seen))
    return out


def _status_reasons() -> list[str]:
    snap = PriceSnapshot(pd.DataFrame({"date": [pd.Timestamp("2025-01-24")], "symbol": ["NVDA"], "close": [1.0]}))
    empty = PriceSnapshot(pd.DataFrame(columns=["date", "symbol", "close"]))
    today = date(2026, 1, 5)
    cases = [(empty, {}, False), (snap, {}, True), (snap, {}, False), (snap, {"at": "2026-01-01T00:00:00"}, False),
             (snap, {"outcome": "offline", "at": "2026-01-05T01:00:00"}, False)]
    return [status.freshness(s, last, forced, today).reason for s, last, forced in cases]


def _ecb_reasons() -> list[str]:
    query = ecb.build_query(online=True)
    out = []
    blank = io.BytesIO()
    with zipfile.ZipFile(blank, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "Day,JPY\n2025-01-24,160\n")
    for payload in (b"not a zip", blank.getvalue()):
        with pytest.raises(ecb.EcbUnavailable) as info:
            ecb.transform(payload, query)
        out.append(str(info.value))
    with pytest.raises(ecb.EcbUnavailable) as info:  # a closed port on loopback: the connection error's text
        ecb.extract(query, url=f"http://127.0.0.1:{free_port()}/eurofxref-hist.zip", deadline_s=2)
    out.append(str(info.value))
    return out


def _every_reason(tmp_path) -> list[str]:
    reasons = _status_reasons()
    reasons.append(refresh.refresh_prices(Store(tmp_path)).offline_reason)  # tests run with DASHBOARD_OFFLINE
    reasons.append(refresh.refresh_ecb(Store(tmp_path)))
    network = sorted(yahoo.NETWORK_KINDS)
    for kind in network:  # every symbol failing the same network way, and per symbol
        failures = _failures([kind] * 3)
        reasons.append(yahoo.offline_reason(failures, 30))
        reasons += [f.message for f in failures.values()]
    for pair in itertools.combinations(network, 2):  # mixed causes, and deadlines cutting some off
        reasons.append(yahoo.offline_reason(_failures([pair[0], pair[0], pair[1]]), 30))
    for kind in sorted(set(yahoo._KIND_TEXT) - yahoo.NETWORK_KINDS):  # delisted / no rows / unreadable
        reasons += [f.message for f in _failures([kind]).values()]
    reasons.append(yahoo.classify("NVDA", yahoo.Extracted(pd.DataFrame(), seen=[yahoo.Seen("NVDA", "ok", "")])).message)
    reasons += _ecb_reasons()
    reasons.append("; ".join(f.message for f in _failures(["not_found", "rate_limit", "no_rows"]).values()))
    return [r for r in reasons if r]


def test_every_yahoo_failure_kind_has_korean() -> None:
    assert set(KIND_KO) == set(yahoo._KIND_TEXT)


def test_korean_reasons_have_no_english_and_keep_the_raw_detail(tmp_path) -> None:
    reasons = _every_reason(tmp_path)
    assert len(reasons) > 40
    for reason in reasons:
        said = explain(reason, "ko")
        assert not _english_words(said.text), (reason, said.text)
        assert not _english_words(said.short), (reason, said.short)
        assert said.detail == reason  # the raw message, for the folded technical detail
        assert "오류(자세한 내용은" not in said.text, f"not recognised: {reason}"


def test_korean_reasons_say_what_happened(tmp_path) -> None:
    tls = yahoo.offline_reason(_failures(["tls"] * 3), 30)
    assert explain(tls, "ko").short == "네트워크 연결 불가"
    assert explain(tls, "ko").text == "네트워크 연결 불가: 야후 파이낸스 보안 연결(TLS) 실패, 3개 종목"
    limited = yahoo.offline_reason(_failures(["rate_limit", "rate_limit", "deadline"]), 30)
    said = explain(limited, "ko")
    assert said.short == "요청 한도 초과" and "3개 종목 중 2개" in said.text
    assert "1개는 제한 시간 안에 응답 없음" in said.text
    stalled = explain(yahoo.offline_reason(_failures(["timeout"] * 3), 30), "ko")
    assert stalled.text == "네트워크 연결 불가: 야후 파이낸스 응답 시간 초과, 3개 종목"
    delisted = explain(_failures(["not_found"])["NVDA"].message, "ko").text
    assert delisted.startswith("NVDA: ") and "상장폐지 가능성" in delisted
    assert explain(refresh.refresh_prices(Store(tmp_path)).offline_reason, "ko").short == "오프라인 설정"
    assert [explain(r, "ko").short for r in _status_reasons()] == ["가격 없음", "오프라인 설정", "갱신 기록 없음",
                                                                  "오늘 미갱신", "네트워크 연결 불가"]
    assert [explain(r, "ko").text for r in _ecb_reasons()] == [
        "ECB 기준환율 파일 형식이 올바르지 않음", "ECB 기준환율 파일에 날짜·달러 열이 없음", "ECB 기준환율을 받지 못함"]


def test_english_keeps_the_reason_and_a_short_head() -> None:
    tls = yahoo.offline_reason(_failures(["tls"] * 3), 30)
    said = explain(tls, "en")
    assert said.text == tls and said.short == "network unavailable"
    assert explain(yahoo.offline_reason(_failures(["rate_limit"] * 3), 30), "en").short == (
        "Yahoo Finance is rate-limiting us")


# -- re-base notes: produced by a refresh against the fake Yahoo, read back through the status table ----------

@pytest.fixture
def yahoo_server(market_dir, monkeypatch, tmp_path_factory):
    yield from fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory)


def _note(store: Store) -> str:
    return status.status_table(store.read(), "ko", local_times=True).set_index("symbol").at["NVDA", "note"]


def _rebase_notes(server: fake_yahoo.FakeYahoo, tmp_path) -> dict[str, str]:
    """The status table's note after each kind of re-base: a split, a dividend, a corrected close, a failed full
    re-fetch (HTTP 404), and a later failure on top of an earlier re-base (two notes)."""
    notes = {}
    changes = {"split": lambda: server.split("NVDA", date(2025, 1, 27), 10),
               "dividend": lambda: server.dividend("NVDA", date(2025, 1, 28), 3.0),
               "corrected": lambda: server.correct("NVDA", date(2025, 1, 22), 150.0),
               "failed": lambda: (server.split("NVDA", date(2025, 1, 27), 10),
                                  server.fail("NVDA", "404", history_before=date(2025, 1, 1)))}
    for name, change in changes.items():
        for state in (server.faults, server.splits, server.dividends, server.corrections, server._frames):
            state.clear()  # each case starts from Yahoo's plain history
        store = Store(tmp_path / name)
        server.asof = date(2025, 1, 24)
        refresh.refresh_prices(store, ["NVDA"], now=fake_yahoo.utc(2025, 1, 24, 23, 0))
        change()
        server.asof = date(2025, 1, 31)
        refresh.refresh_prices(store, ["NVDA"], now=fake_yahoo.utc(2025, 1, 31, 23, 0))
        notes[name] = _note(store)
        if name == "split":  # a second split later, whose full re-fetch fails: both notes on the row
            server.split("NVDA", date(2025, 2, 3), 2)
            server.fail("NVDA", "429", history_before=date(2025, 1, 1))
            server.asof = date(2025, 2, 7)
            refresh.refresh_prices(store, ["NVDA"], now=fake_yahoo.utc(2025, 2, 7, 23, 0))
            notes["both"] = _note(store)
    return notes


def test_rebase_notes_are_korean_and_keep_the_raw_note(yahoo_server, tmp_path) -> None:
    notes = _rebase_notes(yahoo_server, tmp_path)
    assert all(notes.values()), notes  # every case left a note
    assert notes["failed"].startswith("re-base needed") and "; re-base needed" in notes["both"], notes
    for name, note in notes.items():
        said = explain(note, "ko")
        assert not _english_words(said.text), (name, said.text)
        assert not _english_words(said.short), (name, said.short)
        assert said.detail == note and "오류(자세한 내용은" not in said.text, (name, said.text)
    split = explain(notes["split"], "ko")
    assert split.short == "전체 재수집" and split.text.startswith(
        "2025년 1월 31일 전체 이력을 다시 받음 — 야후가 과거 가격을 다시 조정함(2025년 1월 27일 10:1 액면분할): ")
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 종가 [\d.]+ → [\d.]+$", split.text), split.text
    assert "(과거 종가 정정): 2025년 1월 22일 종가 " in explain(notes["corrected"], "ko").text
    assert "(2025년 1월 28일 배당 3): 2025년 1월 21일 수정 종가 " in explain(notes["dividend"], "ko").text
    failed = explain(notes["failed"], "ko")
    assert failed.short == "전체 재수집 실패" and "저장된 시리즈를 유지함" in failed.text
    assert "실패 원인: NVDA: " in failed.text  # the full re-fetch's own failure, in Korean too
    both = explain(notes["both"], "ko").text.split("; ")
    assert both[0].startswith("2025년 1월 31일 전체 이력을 다시 받음") and "2:1 액면분할" in both[1]
    assert explain(notes["split"], "en").text == notes["split"]  # English pages keep the note as it is
