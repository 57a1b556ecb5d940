"""The words a reader sees for each failure of the data layer, in Korean and English.

Every problem here is produced by the data_sources code that raises or returns it (not retyped), then worded
from the catalogs (``ui.problems``): a new code without words, or Korean words that fall back to English, fails.
"""

from __future__ import annotations

import errno
import io
import itertools
import re
import zipfile
from datetime import date

import pandas as pd
import pytest

from data_sources.errors import Problem
from data_sources.market import ecb, refresh, status, yahoo
from data_sources.market.yahoo_session import Seen
from data_sources.news import feedlist
from data_sources.news import store as news_store
from data_sources.news.errors import FeedError, FeedProblem
from data_sources.news.feeds import FeedConfig, FeedListError, default_feeds
from data_sources.news.fetch import fetch_feeds
from data_sources.news.parse import MAX_FEED_BYTES, parse_feed
from data_sources.news.tagging import TagRulesError, load_rules
from data_sources.store import atomic, csv_io
from data_sources.store.prices import PriceSnapshot, Store
from tests.e2e.browser import free_port
from tests.fakes import fake_feeds
from ui.problems import say, words

ALLOWED_LATIN = {"HTTP", "TLS", "ECB", "DASHBOARD_OFFLINE", "CSV", "TOML", "YYYY-MM-DD", "SYMBOL", "csv",
                 "http", "https", "RSS", "Atom", "JSON", "HTML", "DTD", "MB", "xml", "rss", "atom", "json", "id",
                 "name", "url", "tag", "parquet", "prev", "toml", "tags", "feeds"}
FIELDS = {"date", "open", "high", "low", "close", "adj_close", "volume"}  # a CSV file's own column names
SYMBOLS = ["NVDA", "0700.HK", "005930.KS"]


def english_words(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """Latin words in a Korean text that are neither codes, symbols, file or column names, nor ``allowed``."""
    text = re.sub(r"'[^']*'", " ", text)  # a value quoted back as it was given
    text = re.sub(r"[\w/:-]+(?:\.[\w-]+)+", " ", text)  # file names, hosts, addresses, symbols (0700.HK)
    found = re.findall(r"[A-Za-z][A-Za-z_'-]*", text)
    return [w for w in found if w not in ALLOWED_LATIN | FIELDS | set(allowed) and w not in {"HK", "KS"}
            and w not in {s.split(".")[0] for s in SYMBOLS}]


def both(problem: Problem, allowed: set[str] = frozenset()) -> tuple[str, str]:
    """(Korean, English) of ``problem``; the Korean holds no English words, neither form is a fallback."""
    ko, en = say(problem, "ko"), say(problem, "en")
    assert not english_words(ko, allowed), (problem, ko)
    assert "problem." not in ko + en and "문제가 생겼습니다" not in ko, (problem, ko)  # a code without words
    assert en and en != ko
    return ko, en


def _failures(kinds: list[str]) -> dict[str, yahoo.Failure]:
    """Per-symbol failures as the real classifier writes them, from what the transport saw."""
    out = {}
    for symbol, kind in zip(itertools.cycle(SYMBOLS), kinds, strict=False):
        seen = [Seen(symbol, kind, "curl: (35) TLS connect error: error:0A000410")]
        key = symbol if symbol not in out else f"{symbol}{len(out)}"
        out[key] = yahoo.classify(symbol, yahoo.Extracted(pd.DataFrame(), seen=seen))
    return out


# -- offline, rate limit, timeouts, one symbol empty ------------------------------------------------------------

def test_offline_mode_is_named(tmp_path) -> None:
    report = refresh.refresh_prices(Store(tmp_path))  # the tests run with DASHBOARD_OFFLINE=1
    ko, en = both(report.offline_reason, {"DASHBOARD_OFFLINE"})
    assert ko == "오프라인 모드(DASHBOARD_OFFLINE)" and en == "Offline mode (DASHBOARD_OFFLINE is set)"
    assert words(report.offline_reason, "ko").short == "오프라인 설정"


def test_rate_limit_timeouts_and_network_failures_in_both_languages() -> None:
    limited = yahoo.offline_problem(_failures(["rate_limit"] * 3), 30)
    ko, en = both(limited)
    assert ko == "야후 파이낸스 요청 한도 초과(HTTP 429), 3개 종목 중 3개"
    assert en == "Yahoo Finance is rate-limiting us (HTTP 429 for 3 of 3 symbols)"
    assert words(limited, "ko").short == "요청 한도 초과"
    cut = yahoo.offline_problem(_failures(["rate_limit", "rate_limit", "deadline"]), 30)
    assert both(cut)[0].endswith("3개 종목 중 2개, 1개는 제한 시간 안에 응답 없음")
    stalled = yahoo.offline_problem(_failures(["timeout"] * 3), 30)
    assert both(stalled) == ("네트워크 연결 불가: 야후 파이낸스가 30초 안에 응답하지 않음, 3개 종목 모두",
                             "Network unavailable: Yahoo Finance did not answer within 30 seconds; all 3 symbols")
    for pair in itertools.combinations(sorted(yahoo.NETWORK_KINDS - {"deadline"}), 2):  # mixed causes
        ko, en = both(yahoo.offline_problem(_failures([pair[0], pair[0], pair[1]]), 30))
        assert "네트워크 연결 불가" in ko and "×" in en
    tls = words(yahoo.offline_problem(_failures(["tls"] * 3), 30), "ko")
    assert tls.short == "네트워크 연결 불가" and "curl" in tls.detail  # the transport's words stay in the detail


def test_each_symbol_failure_kind_is_worded() -> None:
    for kind in sorted(yahoo.KIND_CODES):
        failure = yahoo.symbol_failure("NVDA", kind)
        ko, en = both(failure.problem)
        assert ko.startswith("NVDA: ") and en.startswith("NVDA: ")
    empty = yahoo.classify("NVDA", yahoo.Extracted(pd.DataFrame(), seen=[Seen("NVDA", "ok", "")]))
    assert both(empty.problem) == ("NVDA: 요청한 기간에 야후 파이낸스 가격이 없음",
                                   "NVDA: Yahoo Finance returned no prices in the range asked")
    gone = _failures(["not_found"])["NVDA"]
    assert "상장폐지 가능성" in both(gone.problem)[0]


def test_freshness_reasons_and_their_short_forms() -> None:
    snap = PriceSnapshot(pd.DataFrame({"date": [pd.Timestamp("2025-01-24")], "symbol": ["NVDA"], "close": [1.0]}))
    empty = PriceSnapshot(pd.DataFrame(columns=["date", "symbol", "close"]))
    today = date(2026, 1, 5)
    cases = [(empty, {}, False), (snap, {}, True), (snap, {}, False), (snap, {"at": "2026-01-01T00:00:00"}, False),
             (snap, {"outcome": "offline", "at": "2026-01-05T01:00:00"}, False)]
    shorts = []
    for snapshot, last, forced in cases:
        reasons = status.freshness(snapshot, last, forced, today).reasons
        both(reasons[0], {"DASHBOARD_OFFLINE"})
        shorts.append(words(reasons, "ko").short)
    assert shorts == ["가격 없음", "오프라인 설정", "갱신 기록 없음", "오늘 미갱신", "네트워크 연결 불가"]


def test_rebase_notes_name_the_cause_and_the_moved_close() -> None:
    stored = pd.DataFrame({"date": pd.to_datetime(["2025-01-24", "2025-01-27"]), "close": [140.0, 118.0],
                           "adj_close": [140.0, 118.0]})
    fetched = stored.assign(close=[14.0, 118.0])
    reason = refresh.rebase_reason(stored, fetched, [Problem("yahoo.split", {"ratio": "10", "day": "2025-01-27"})])
    note = status._rebased_note({"rebased_at": "2025-01-31T23:00:00", "rebase_reason": reason.to_dict()})
    ko, en = both(note[0])
    assert ko == ("2025년 1월 31일 전체 이력을 다시 받음 — 야후가 과거 가격을 다시 조정함(2025년 1월 27일 10:1 "
                  "액면분할): 2025년 1월 24일 종가 140 → 14")
    assert en == ("History fetched again on 2025-01-31: Yahoo re-adjusted the history (a 10:1 split on "
                  "2025-01-27): the close on 2025-01-24 was 140, now 14")


# -- the store: damaged, full disk, read-only, busy ---------------------------------------------------------------

def test_a_damaged_store_file_is_named(tmp_path) -> None:
    path = tmp_path / "prices.parquet"
    atomic.write_table(path, pd.DataFrame({"x": [1, 2]}), {})
    atomic.write_table(path, pd.DataFrame({"x": [3, 4]}), {})
    path.write_bytes(b"not parquet")
    _frame, _meta, warning = atomic.read_table(path)
    assert both(warning) == ("저장된 파일 prices.parquet이(가) 손상되어 직전 버전(prices.parquet.prev)을 보여 줍니다",
                             "The stored file prices.parquet is damaged; showing its previous version "
                             "(prices.parquet.prev)")
    path.with_name("prices.parquet.prev").write_bytes(b"nor this")
    with pytest.raises(atomic.StoreError) as info:
        atomic.read_table(path)
    assert both(info.value.problem)[0].startswith("저장된 파일 prices.parquet과(와) 백업 prices.parquet.prev")


@pytest.mark.parametrize(("number", "ko", "en"), [
    (errno.ENOSPC, "디스크 공간이 부족합니다", "no space left on the disk"),
    (errno.EROFS, "읽기 전용 폴더입니다", "the folder is read-only"),
])
def test_a_full_disk_or_read_only_folder_is_named(tmp_path, number, ko, en) -> None:
    problem = atomic.write_problem(tmp_path / "prices.parquet", OSError(number, "system words"))
    said = both(problem, {"tmp", "pytest-of-root"} | set(re.findall(r"[A-Za-z_-]+", str(tmp_path))))
    assert ko in said[0] and en in said[1] and "system words" not in said[0] + said[1]


# -- a bad CSV row: file, line, field -------------------------------------------------------------------------------

def test_bad_csv_rows_name_file_line_and_field(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "NVDA.csv").write_text("date,open,high,low,close,adj_close,volume\n"
                                     "2025-01-02,1,1,1,-5,1,1\n2025-01-03,1,1,1,inf,1,1\nxx,1,1,1,1,1,1\n"
                                     "2025-01-06,1,1,1,2,2,-3\n", encoding="utf-8")
    (folder / "MSFT.csv").write_text("day,price\n2025-01-02,1\n", encoding="utf-8")
    report = csv_io.import_folder(Store(tmp_path / "store"), folder)
    texts = [both(p, {"SYMBOL"}) for p in report.problems]
    assert ("NVDA.csv 2번째 줄: close 값이 0보다 크지 않음(-5)", "NVDA.csv line 2: close is not positive (-5)") in texts
    assert ("NVDA.csv 3번째 줄: close 값이 유한한 숫자가 아님('inf')",
            "NVDA.csv line 3: close is not a finite number ('inf')") in texts
    assert any(ko.startswith("NVDA.csv 4번째 줄: 날짜 'xx'") for ko, _ in texts)
    assert any(ko.startswith("NVDA.csv 5번째 줄: volume 값 -3") for ko, _ in texts)
    header = "date,open,high,low,close,adj_close,volume"
    assert (f"MSFT.csv 1번째 줄: 머리글에 date, close 열이 없음({header} 형식이어야 함)",
            f"MSFT.csv line 1: the header lacks date, close (expected {header})") in texts


# -- the ECB, feeds, the feed list and the tag rules -------------------------------------------------------------

def test_ecb_problems(monkeypatch) -> None:
    fetcher = ecb.EcbFetcher(online=True, url=f"http://127.0.0.1:{free_port()}/eurofxref-hist.zip", deadline_s=2)
    [query] = fetcher.transform_query()
    blank = io.BytesIO()
    with zipfile.ZipFile(blank, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "Day,JPY\n2025-01-24,160\n")
    said = []
    for payload in (b"not a zip", blank.getvalue()):
        with pytest.raises(ecb.EcbUnavailable) as info:
            fetcher.transform_data(payload, query)
        said.append(both(info.value.problem)[0])
    with pytest.raises(ecb.EcbUnavailable) as info:  # a closed port on loopback
        fetcher.extract(query)
    said.append(both(info.value.problem)[0])
    assert said == ["ECB 기준환율 파일 형식이 올바르지 않습니다", "ECB 기준환율 파일에 날짜·달러 열이 없습니다",
                    "ECB 기준환율을 받지 못했습니다"]
    assert "ConnectionError" in words(info.value, "ko").detail  # what requests said, in the folded detail


feed_server = fake_feeds.feed_server  # the fixture


def test_feed_problems_in_both_languages(feed_server, tmp_path) -> None:
    url = feed_server.url
    feeds = [FeedConfig(name, address, "en") for name, address in [
        ("Closed", f"http://127.0.0.1:{fake_feeds.closed_port()}/rss"), ("Gone", url("/status/404")),
        ("Huge", url("/big")), ("Garbage", url("/garbage")), ("Web page", url("/html")), ("Loop", url("/loop")),
        ("Local", "file:///etc/passwd"), ("Cut", url("/cutoff")), ("Bomb", url("/amplifier")),
        ("Slow", url("/trickle")), ("Private", "http://10.1.2.3/rss")]]
    _frame, problems = fetch_feeds(feeds, deadline_s=1.5)
    good = (feed_server.news_dir / fake_feeds.SNAPSHOT).read_bytes()
    second_end = [m.end() for m in re.finditer(rb"</(item|entry)>", good)][1]
    problems += parse_feed(good[: second_end + 40], "Recovered")[1]  # cut mid-item: malformed, 2 kept
    for label, data in (("Bad JSON", b"{nope"), ("Page", b"<html><body>x</body></html>"),
                        ("Too big", b"x" * (MAX_FEED_BYTES + 1))):
        with pytest.raises(FeedError) as info:
            parse_feed(data, label)
        problems.append(FeedProblem.from_error(info.value))
    problems += news_store.import_feed_dir(tmp_path, tmp_path / "nowhere").problems
    by_feed = {p.feed: both(p.problem, {"Closed", "Gone", "Huge", "Garbage", "Web", "page", "Loop", "Local", "Cut",
                                        "Bomb", "Slow", "Private", "Recovered", "Bad", "Page", "Too", "big",
                                        "nowhere"}) for p in problems}
    assert by_feed["Gone"][0] == "Gone: 127.0.0.1이(가) 오류로 응답함(HTTP 404)"
    assert by_feed["Web page"] == ("Web page: 웹 페이지(HTML)이지 뉴스 피드가 아님",
                                   "Web page: this is a web page (HTML), not a news feed")
    assert by_feed["Slow"][0].endswith("1.5초 안에 피드를 다 보내지 않음")
    assert by_feed["Loop"][0].endswith("주소를 5번 넘게 다른 곳으로 넘김")
    assert re.fullmatch(r"Recovered: 피드 형식이 일부 잘못됨 — 복구한 \d+건만 보여 줌", by_feed["Recovered"][0])
    assert by_feed["Local"][1].startswith("Local: 'file:///etc/passwd' is not an http:// or https:// address")
    assert by_feed["Bomb"][0] == "Bomb: 피드가 DTD·엔티티를 선언해 읽지 않고 거부함(보안)"
    assert by_feed["nowhere"][0] == "nowhere: 폴더가 아님"
    assert {"feed.connection", "feed.http", "feed.too_large", "feed.not_rss", "feed.bad_url", "feed.truncated",
            "feed.unsafe", "feed.timeout", "feed.refused", "feed.malformed", "feed.redirects"} <= \
        {p.code for p in problems}


def test_news_report_summary(feed_server, tmp_path) -> None:
    feeds = [FeedConfig("r/LocalLLaMA", feed_server.url(f"/feed/{fake_feeds.SNAPSHOT}"), "en"),
             FeedConfig("Gone", feed_server.url("/status/404"), "en")]
    news_store.refresh_news(tmp_path, feeds)
    again = news_store.refresh_news(tmp_path, feeds)  # the snapshot answers 304 Not Modified
    stored = len(news_store.load_news(tmp_path))
    assert say(again.summary(), "ko") == (f"0건 읽음, 새 항목 0건 (저장 {stored}건); 1개 피드 실패; "
                                          "1개 피드는 바뀐 내용 없음")
    assert say(again.summary(), "en") == (f"0 read, 0 new ({stored} stored); feeds failed: 1; "
                                          "feeds unchanged (HTTP 304): 1")


def test_feed_list_edits_tag_rules_and_the_default_list(tmp_path) -> None:
    for name, address, language in [("", "https://a.example/rss", "en"), ("<b>x</b>", "https://a.example/rss", "en"),
                                     ("x" * (feedlist.NAME_MAX + 1), "https://a.example/rss", "en"),
                                     ("Feed", "ftp://a.example/rss", "en"), ("Feed", "https://a.example/rss", "en-x!")]:
        with pytest.raises(feedlist.FeedConfigError) as info:
            feedlist.add_feed(tmp_path, name, address, language)
        both(info.value.problem, {"ftp", "a", "example", "en-x", "en", "ko"})
    with pytest.raises(feedlist.FeedConfigError) as info:
        feedlist.add_feed(tmp_path, default_feeds()[0].name, "https://other.example/rss", "en")
    assert both(info.value.problem, set(re.findall(r"[A-Za-z]+", default_feeds()[0].name)))[0].startswith(
        "같은 이름의 피드가 이미 있습니다")
    rules = tmp_path / "news_tags.toml"
    rules.write_text('[[tag]]\nid = "Bad-Id"\nlabel_ko = "x"\nlabel_en = "x"\npatterns = ["x"]\n', encoding="utf-8")
    with pytest.raises(TagRulesError) as info:
        load_rules(rules)
    assert both(info.value.problem, {"Bad-Id", "news_tags", "_"})[0].startswith(
        "태그 규칙 파일(news_tags.toml): 1번째 태그의 id는")
    listed = tmp_path / "feeds.toml"
    listed.write_text('[[feed]]\nname = "A"\nurl = \n', encoding="utf-8")
    with pytest.raises(FeedListError) as info:
        default_feeds(listed)
    assert both(info.value.problem) == ("기본 피드 목록 파일(feeds.toml): TOML 문법이 잘못됨(3번째 줄, 7번째 칸)",
                                        "The default feed list (feeds.toml) is not valid TOML (line 3, column 7)")


def test_a_code_without_words_reads_as_a_generic_problem() -> None:
    assert say(Problem("no.such.code"), "ko") == "처리 중 문제가 생겼습니다(no.such.code)"
    legacy = Problem.from_dict("network unavailable: DNS")  # an earlier version's stored English
    assert say(legacy, "en") == "network unavailable: DNS"
