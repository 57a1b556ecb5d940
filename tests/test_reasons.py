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

from data_sources.market import ecb, refresh, status, yahoo
from data_sources.market.yahoo_session import Seen
from data_sources.news import feedlist
from data_sources.news import store as news_store
from data_sources.news.errors import FeedError, FeedProblem
from data_sources.news.feeds import FeedConfig, default_feeds
from data_sources.news.fetch import fetch_feeds
from data_sources.news.parse import MAX_FEED_BYTES, parse_feed
from data_sources.store.atomic import StoreError
from data_sources.store.prices import PriceSnapshot, Store
from tests import fake_feeds, fake_yahoo
from tests.browser import free_port
from ui.reasons import FEED_KO, KIND_KO, explain, explain_feed, explain_feed_config, explain_store, news_summary

ALLOWED_LATIN = {"HTTP", "TLS", "ECB", "DASHBOARD_OFFLINE",  # codes a Korean reader sees as codes
                 "http", "https", "RSS", "Atom", "JSON", "HTML", "DTD", "MB", "xml", "rss", "atom", "json"}
SYMBOLS = ["NVDA", "0700.HK", "005930.KS"]


def _english_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z_'-]+", text)
    return [w for w in words if w not in ALLOWED_LATIN and w not in {s.split(".")[0] for s in SYMBOLS}
            and not re.fullmatch(r"HK|KS", w)]


def _failures(kinds: list[str]) -> dict[str, yahoo.Failure]:
    """Per-symbol failures as yahoo.classify writes them, from what the transport saw."""
    out = {}
    for symbol, kind in zip(itertools.cycle(SYMBOLS), kinds, strict=False):
        seen = [Seen(symbol, kind, "curl: (35) TLS connect error: error:0A000410")]
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
    fetcher = ecb.EcbFetcher(online=True, url=f"http://127.0.0.1:{free_port()}/eurofxref-hist.zip", deadline_s=2)
    [query] = fetcher.transform_query()
    out = []
    blank = io.BytesIO()
    with zipfile.ZipFile(blank, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "Day,JPY\n2025-01-24,160\n")
    for payload in (b"not a zip", blank.getvalue()):
        with pytest.raises(ecb.EcbUnavailable) as info:
            fetcher.parse_feed(payload, query)
        out.append(str(info.value))
    with pytest.raises(ecb.EcbUnavailable) as info:  # a closed port on loopback: the connection error's text
        fetcher.extract(query)
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
    reasons.append(yahoo.classify("NVDA", yahoo.Extracted(pd.DataFrame(), seen=[Seen("NVDA", "ok", "")])).message)
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


# -- news feed problems: produced by the real fetch / parse / import code against the fake feed server --------

feed_server = fake_feeds.feed_server  # the fixture


def _feed_problems(server: fake_feeds.FeedServer, tmp_path) -> list[FeedProblem]:
    url = server.url
    feeds = [FeedConfig(name, address, "en") for name, address in [
        ("Closed", f"http://127.0.0.1:{fake_feeds.closed_port()}/rss"), ("Gone", url("/status/404")),
        ("Broken server", url("/status/503")), ("Huge", url("/big")), ("Streamed", url("/big-stream")),
        ("Garbage", url("/garbage")), ("Web page", url("/html")), ("Loop", url("/loop")),
        ("Local", "file:///etc/passwd"), ("Cut", url("/cutoff")), ("Bomb", url("/amplifier")),
        ("Slow", url("/trickle")), ("Private", "http://10.1.2.3/rss")]]
    _frame, problems = fetch_feeds(feeds, deadline_s=1.5)
    good = (server.news_dir / fake_feeds.SNAPSHOT).read_bytes()
    second_end = [m.end() for m in re.finditer(rb"</(item|entry)>", good)][1]
    problems += parse_feed(good[: second_end + 40], "Recovered")[1]  # cut mid-item: malformed, 2 kept
    for label, data in (("Empty JSON", b'{"items": []}'), ("Bad JSON", b"{nope"), ("Blank", b"  "),
                        ("Page", b"<html><body>x</body></html>")):
        with pytest.raises(FeedError) as info:
            parse_feed(data, label)
        problems.append(FeedProblem.from_error(info.value))
    with pytest.raises(FeedError) as info:
        parse_feed(b"x" * (MAX_FEED_BYTES + 1), "Too big")
    problems.append(FeedProblem.from_error(info.value))
    problems += news_store.import_feed_dir(tmp_path, tmp_path / "nowhere").problems
    (tmp_path / "empty").mkdir()
    problems += news_store.import_feed_dir(tmp_path, tmp_path / "empty").problems
    return problems


def _after_name(said_text: str, feed: str) -> str:
    return said_text.removeprefix(f"{feed}: ")  # the feed's name (or folder) is a proper name, as the reader typed it


def test_feed_problems_are_korean_and_keep_the_raw_message(feed_server, tmp_path, monkeypatch) -> None:
    problems = _feed_problems(feed_server, tmp_path)
    codes = {p.code for p in problems}
    assert {"connection", "http", "too_large", "not_a_feed", "bad_url", "truncated", "unsafe", "timeout", "refused",
            "bozo", "read"} <= codes, codes
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    problems += fetch_feeds([FeedConfig("Offline", feed_server.url("/html"), "en")])[1]
    for problem in problems:
        said = explain_feed(problem, "ko")
        assert said.text.startswith(f"{problem.feed}: ") and said.detail == problem.message
        assert not _english_words(_after_name(said.text, problem.feed)), (problem.message, said.text)
        assert not _english_words(said.short), (problem.message, said.short)
        assert said.text != f"{problem.feed}: {FEED_KO['error']}", f"not recognised: {problem.message}"
    by_feed = {p.feed: explain_feed(p, "ko").text for p in problems}
    assert by_feed["Gone"] == "Gone: 피드 서버가 오류로 응답함(HTTP 404)"
    assert re.fullmatch(r"Huge: 피드가 너무 커서 읽지 않음\(\d+\.\dMB, 한도 5MB\)", by_feed["Huge"]), by_feed["Huge"]
    assert by_feed["Web page"] == "Web page: 웹 페이지(HTML)이지 뉴스 피드가 아님"
    assert by_feed["Slow"].startswith("Slow: 피드 서버 응답 시간 초과(1.5초")
    assert by_feed["Loop"] == "Loop: 피드 주소가 너무 여러 번 다른 곳으로 넘겨짐(5회 초과)"
    assert re.fullmatch(r"Recovered: 피드 형식이 일부 잘못됨 — 복구한 \d+건만 보여줌", by_feed["Recovered"])
    assert by_feed["Offline"] == "Offline: 오프라인 모드라 가져오지 않음(DASHBOARD_OFFLINE)"
    assert explain_feed(problems[0], "en").text == problems[0].message  # English keeps the message


def test_news_report_summary_in_korean_counts_failures_and_unchanged_feeds(feed_server, tmp_path) -> None:
    feeds = [FeedConfig("r/LocalLLaMA", feed_server.url(f"/feed/{fake_feeds.SNAPSHOT}"), "en"),
             FeedConfig("Gone", feed_server.url("/status/404"), "en")]
    news_store.refresh_news(tmp_path, feeds)
    again = news_store.refresh_news(tmp_path, feeds)  # the snapshot answers 304 Not Modified
    assert again.unchanged == ["r/LocalLLaMA"] and len(again.errors) == 1
    korean = news_summary(again, "ko")
    assert korean == "0건 읽음, 새 항목 0건 (저장 25건); 1개 피드 실패; 1개 피드는 바뀐 내용 없음"
    assert not _english_words(korean)
    assert news_summary(again, "en") == again.summary()


def test_feed_list_edits_and_store_problems_in_korean(tmp_path) -> None:
    said = []
    for name, address, language in [("", "https://a.example/rss", "en"), ("<b>x</b>", "https://a.example/rss", "en"),
                                     ("x" * (feedlist.NAME_MAX + 1), "https://a.example/rss", "en"),
                                     ("Feed", "ftp://a.example/rss", "en"), ("Feed", "https://a.example/rss", "en-x!")]:
        with pytest.raises(feedlist.FeedConfigError) as info:
            feedlist.add_feed(tmp_path, name, address, language)
        said.append((str(info.value), explain_feed_config(info.value, "ko")))
    default = default_feeds()[0]
    for call in (lambda: feedlist.add_feed(tmp_path, default.name, "https://other.example/rss", "en"),
                 lambda: feedlist.remove_feed(tmp_path, "no such feed")):
        with pytest.raises(feedlist.FeedConfigError) as info:
            call()
        said.append((str(info.value), explain_feed_config(info.value, "ko")))
    for raw, reason in said:
        assert reason.detail == raw and reason.text != "피드 주소나 이름을 받아들일 수 없음", f"not recognised: {raw}"
        assert not _english_words(reason.text.split(": ")[0]), (raw, reason.text)
    (tmp_path / news_store.NEWS_FILE).write_bytes(b"not parquet")
    with pytest.raises(StoreError) as info:
        news_store.load_news(tmp_path)
    store = explain_store(info.value, "ko")
    assert store.text == "저장된 뉴스를 읽을 수 없음" and store.detail == str(info.value)
