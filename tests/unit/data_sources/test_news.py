"""The feed adapter: query validation, fetching from the fake feed server, parsing, dates, tags (public addresses
only: test_news_addresses)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from data_sources.news.errors import (
    FeedParseError,
    FeedProblem,
    FeedTimeoutError,
)
from data_sources.news.feeds import FeedConfig, FeedRequest, default_feeds, source_for_snapshot
from data_sources.news.fetch import extract, fetch_feeds, load_feed_file, transform_query
from data_sources.news.frame import sort_news
from data_sources.news.parse import make_uid, parse_feed
from data_sources.news.tagging import load_rules, tag_text
from tests.conftest import en, raises_saying
from tests.fakes import fake_feeds
from tests.fakes.fake_feeds import SNAPSHOT, FeedServer, closed_port

NOW = datetime(2025, 1, 27, 12, 0, tzinfo=UTC)
feed_server = fake_feeds.feed_server  # the fixture

GOOD_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Good Feed</title>
<item><title>Nvidia falls as DeepSeek &lt;b&gt;shocks&lt;/b&gt; markets</title>
<link>https://example.com/a</link><guid>https://example.com/a</guid>
<description>&lt;p&gt;Chip stocks &lt;script&gt;alert(1)&lt;/script&gt;slide.&lt;/p&gt;</description>
<pubDate>Mon, 27 Jan 2025 09:00:00 +0000</pubDate></item>
<item><title>Quiet day</title><link>javascript:alert(1)</link>
<pubDate>Sun, 26 Jan 2025 09:00:00 +0000</pubDate></item>
</channel></rss>"""


def _feed(name: str, url: str) -> FeedConfig:
    return FeedConfig(name, url, "en")


# ---------------------------------------------------------------- query


def test_transform_query_rejects_non_http_urls_by_name() -> None:
    requests_ = transform_query(
        [_feed("Good", "https://example.com/rss"), _feed("Local file", "file:///etc/passwd"),
         {"name": "Sneaky", "url": " javascript:alert(1)"}, _feed("Path", "/tmp/feed.xml")]
    )
    good = [r for r in requests_ if r.error is None]
    problems = [FeedProblem.from_error(r.error) for r in requests_ if r.error is not None]
    assert [r.feed for r in good] == ["Good"]
    assert [p.feed for p in problems] == ["Local file", "Sneaky", "Path"]
    assert all(p.code == "feed.bad_url" for p in problems)
    assert en(problems[0].problem).startswith("Local file:")
    assert "http://" in en(problems[0].problem)


def test_default_feeds_are_http_and_bilingual() -> None:
    feeds = default_feeds()
    assert 5 <= len(feeds) <= 7
    assert {f.language for f in feeds} == {"en", "ko"}
    assert all(f.url.startswith("https://") for f in feeds)
    assert "r/LocalLLaMA" in {f.name for f in feeds}
    requests_ = transform_query(feeds)
    assert len(requests_) == len(feeds) and all(r.error is None for r in requests_)


def test_source_for_snapshot() -> None:
    assert source_for_snapshot("reddit-localllama-20250127.xml") == "r/LocalLLaMA"
    assert source_for_snapshot("the-batch-olshansk-20260604.xml") == "The Batch (DeepLearning.AI)"
    assert source_for_snapshot("/x/openai-research-olshansk-20250127.xml") == "OpenAI Research"
    assert source_for_snapshot("something-else.xml") is None


# ---------------------------------------------------------------- extract (the fake feed server)


def test_fetch_feeds_reports_each_failure_and_keeps_the_good_feed(feed_server: FeedServer) -> None:
    url = feed_server.url
    feeds = [
        _feed("Good", url(f"/feed/{SNAPSHOT}")),
        _feed("Closed", f"http://127.0.0.1:{closed_port()}/rss"),
        _feed("Gone", url("/status/404")),
        _feed("Huge", url("/big")),
        _feed("Streamed", url("/big-stream")),
        _feed("Garbage", url("/garbage")),
        _feed("Web page", url("/html")),
        _feed("Loop", url("/loop")),
        _feed("Local", "file:///etc/passwd"),
    ]
    steps: list[tuple[float, str]] = []
    started = time.monotonic()
    frame, problems = fetch_feeds(feeds, now=NOW, progress=lambda f, m: steps.append((f, m)), deadline_s=5)
    assert time.monotonic() - started < 20

    by_feed = {p.feed: p for p in problems}
    assert {k: p.code for k, p in by_feed.items()} == {
        "Closed": "feed.connection", "Gone": "feed.http", "Huge": "feed.too_large", "Streamed": "feed.too_large",
        "Garbage": "feed.not_rss", "Web page": "feed.html", "Loop": "feed.redirects", "Local": "feed.bad_url",
    }
    for name, problem in by_feed.items():
        assert en(problem.problem).startswith(f"{name}: ")
    assert en(by_feed["Closed"].problem) == "Closed: could not fetch a feed from 127.0.0.1"
    assert "404" in en(by_feed["Gone"].problem)
    assert "web page" in en(by_feed["Web page"].problem)
    assert "redirected more than 5 times" in en(by_feed["Loop"].problem)
    # the good feed came through whole, sanitised at ingest
    assert len(frame) == 25 and set(frame["source"]) == {"Good"}
    assert not frame["summary_text"].str.contains("<", regex=False).any()
    # every request carried a User-Agent; the file:// feed was never requested; the loop stopped
    assert all(headers.get("user-agent") for _path, headers in feed_server.seen)
    assert feed_server.hits["/loop"] == 6
    assert steps[-1][0] == 1.0 and len(steps) == 9


def test_offline_never_fetches(feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    frame, problems = fetch_feeds([_feed("Good", feed_server.url(f"/feed/{SNAPSHOT}"))])
    assert frame.empty
    assert [p.code for p in problems] == ["feed.offline"]
    assert sum(feed_server.hits.values()) == 0


def test_trickling_feed_is_refused_whole_at_the_deadline(feed_server: FeedServer) -> None:
    started = time.monotonic()
    with raises_saying(FeedTimeoutError, r"^Slow: 127\.0\.0\.1 did not send the whole feed within 1\.5 s"):
        extract(FeedRequest("Slow", feed_server.url("/trickle")), deadline_s=1.5)
    assert time.monotonic() - started < 4  # end to end, not per read (the server never pauses 1.5 s)


def test_cut_off_feed_is_refused_whole(feed_server: FeedServer) -> None:
    frame, problems = fetch_feeds([_feed("Cut", feed_server.url("/cutoff"))], now=NOW, deadline_s=5)
    assert frame.empty
    assert [(p.code, en(p.problem)) for p in problems] == [
        ("feed.truncated", "Cut: 127.0.0.1 broke off before the whole feed arrived; nothing was kept from it")]


def test_conditional_get_sends_validators_and_a_304_is_not_an_error(feed_server: FeedServer) -> None:
    req = FeedRequest("Good", feed_server.url(f"/feed/{SNAPSHOT}"))
    first = extract(req)
    assert first.status == 200 and first.etag.startswith('"') and first.last_modified.endswith("GMT")
    again = extract(req, etag=first.etag)
    assert again.not_modified and again.data == b"" and again.etag == first.etag
    assert extract(req, last_modified=first.last_modified).not_modified
    assert extract(req, etag='"stale"').status == 200
    assert feed_server.seen[1][1]["if-none-match"] == first.etag


# ---------------------------------------------------------------- transform


def test_bozo_feed_keeps_recovered_items_with_a_warning() -> None:
    truncated = GOOD_RSS[: GOOD_RSS.index(b"<item><title>Quiet")]  # cut mid-channel
    frame, problems = parse_feed(truncated, "Cut", now=NOW)
    assert len(frame) == 1
    assert frame["title"].iloc[0].startswith("Nvidia falls")
    assert [(p.feed, p.code, p.severity) for p in problems] == [("Cut", "feed.malformed", "warning")]
    assert en(problems[0].problem).startswith("Cut: the feed is malformed")


def test_empty_and_garbage_bytes_are_not_a_feed() -> None:
    for data in (b"<rss><channel>", b"hello world", b"<html><body>x</body></html>"):
        with raises_saying(FeedParseError, r"^Broken: "):
            parse_feed(data, "Broken", now=NOW)


def test_json_feed_is_supported_and_sanitised() -> None:
    data = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "items": [{"id": "7", "url": "https://j.example/7", "title": "<i>Qwen</i> news",
                 "content_html": "<p>x</p><script>alert(1)</script>",
                 "date_published": "2025-01-26T10:00:00+09:00"},
                {"id": "8", "url": "data:text/html,evil", "content_text": "plain"}]}"""
    frame, problems = parse_feed(data, None, now=NOW)
    assert problems == []
    assert frame["source"].tolist() == ["J", "J"]
    assert frame["title"].tolist() == ["Qwen news", ""]
    assert frame["summary_text"].tolist() == ["x", "plain"]
    assert frame["link"].tolist() == ["https://j.example/7", ""]
    assert frame["uid"].tolist() == ["J#7", "J#8"]
    assert frame["published"].iloc[0] == pd.Timestamp("2025-01-26 01:00", tz="UTC")
    assert frame["tags"].iloc[0] == ("qwen",)


def _rss_with_dates(*dates: str | None) -> bytes:
    items = []
    for i, d in enumerate(dates):
        date = f"<pubDate>{d}</pubDate>" if d else ""
        items.append(f"<item><title>Item {i}</title><link>https://d.example/{i}</link>{date}</item>")
    return f'<rss version="2.0"><channel><title>D</title>{"".join(items)}</channel></rss>'.encode()


def test_missing_future_and_absurd_dates_are_kept_flagged_and_sortable() -> None:
    data = _rss_with_dates(
        "Mon, 27 Jan 2025 09:00:00 +0000",  # normal
        None,  # missing
        "Tue, 28 Jan 2025 10:00:00 +0000",  # 22 h ahead of NOW: future, kept
        "Fri, 31 Dec 2099 00:00:00 +0000",  # far future: absurd
        "Mon, 01 Jan 1990 00:00:00 +0000",  # before 1995: absurd
        "not a date at all",  # unparseable: missing
    )
    frame, _ = parse_feed(data, "D", now=NOW)
    flags = dict(zip(frame["title"], frame["date_flag"], strict=True))
    assert flags == {"Item 0": "", "Item 1": "missing", "Item 2": "future", "Item 3": "absurd",
                     "Item 4": "absurd", "Item 5": "missing"}
    assert len(frame) == 6  # nothing dropped
    published = dict(zip(frame["title"], frame["published"], strict=True))
    assert published["Item 2"] == pd.Timestamp("2025-01-28 10:00", tz="UTC")
    assert pd.isna(published["Item 1"]) and pd.isna(published["Item 3"]) and pd.isna(published["Item 4"])
    assert frame.set_index("title").loc["Item 5", "date_raw"] == "not a date at all"
    assert str(frame["published"].dtype) == "datetime64[ns, UTC]"
    ordered = sort_news(frame)
    assert ordered["title"].tolist()[:2] == ["Item 2", "Item 0"]
    assert ordered["published"].iloc[2:].isna().all()  # NaT last
    assert sort_news(frame, newest_first=False)["title"].tolist()[:2] == ["Item 0", "Item 2"]


def test_uid_is_stable_and_namespaced() -> None:
    assert make_uid("t3_abc", "https://x/1", "T", "r/LocalLLaMA") == "r/LocalLLaMA#t3_abc"
    assert make_uid("tag:example.com,2025:1", "", "T", "S") == "tag:example.com,2025:1"
    assert make_uid("", "https://x/1", "T", "S") == "https://x/1"
    hashed = make_uid("", "", "Hello,  World!", "S")
    assert hashed.startswith("h:") and hashed == make_uid("", "", "hello world", "S")
    assert hashed != make_uid("", "", "hello world", "Other")
    first, _ = parse_feed(GOOD_RSS, "Good", now=NOW)
    second, _ = parse_feed(GOOD_RSS, "Good", now=NOW)
    assert first["uid"].tolist() == second["uid"].tolist()


# ---------------------------------------------------------------- tagging rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nvidia pre-market down 12% due Deepseek", ["deepseek", "nvidia"]),
        ("딥시크 충격에 엔비디아 급락", ["deepseek", "nvidia"]),
        ("알리바바 큐원 공개", ["qwen", "china_tech"]),
        ("Qwen2.5-VL and QwQ-32B", ["qwen"]),
        ("트럼프 관세 폭탄", ["tariffs"]),
        ("Trump's tariffs hit chips", ["tariffs", "semiconductors"]),
        ("A trumpet solo at Chipotle", []),
        ("SK하이닉스 HBM3E 반도체", ["semiconductors"]),
        ("Hang Seng rallies on Tencent, Xiaomi", ["china_tech"]),
        ("ChatGPT vs 오픈AI", ["openai"]),
        ("젠슨 황 keynote", ["nvidia"]),
        ("", []),
    ],
)
def test_tag_text(text: str, expected: list[str]) -> None:
    assert tag_text(text, load_rules()) == expected


def test_rules_have_bilingual_labels() -> None:
    rules = load_rules()
    assert [r.id for r in rules] == ["deepseek", "qwen", "nvidia", "openai", "tariffs", "semiconductors",
                                     "china_tech"]
    assert all(r.label_ko and r.label_en for r in rules)


def test_bad_rules_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "tags.toml"
    bad.write_text('[[tag]]\nid = "x"\nlabel_ko = "엑스"\nlabel_en = "X"\npatterns = []\n', encoding="utf-8")
    with raises_saying(ValueError, r"tags\.toml\): tag 'x': patterns must be"):
        load_rules(bad)


# ---------------------------------------------------------------- real snapshots


def _snapshot(news_dir: Path, name: str) -> pd.DataFrame:
    frame, problems = load_feed_file(news_dir / name, now=datetime(2026, 11, 25, tzinfo=UTC))
    assert problems == []
    return frame


def test_reddit_nvidia_crash_day_is_tagged_deepseek_and_nvidia(news_dir: Path) -> None:
    frame = _snapshot(news_dir, "reddit-localllama-20250127.xml")
    assert len(frame) == 25 and set(frame["source"]) == {"r/LocalLLaMA"}
    item = frame[frame["title"] == "Nvidia pre-market down 12% due Deepseek"].iloc[0]
    assert {"deepseek", "nvidia"} <= set(item["tags"])
    assert item["published"] == pd.Timestamp("2025-01-27 13:23:17", tz="UTC")
    assert item["link"].startswith("https://old.reddit.com/r/LocalLLaMA/comments/1ib8wfw/")
    assert item["uid"] == "r/LocalLLaMA#t3_1ib8wfw"
    # reddit's HTML tables and "&amp;#32;" are gone from every summary
    assert not frame["summary_text"].str.contains("<|&#32;|submitted by", regex=True).any()


def test_qwq_items_of_march_6_are_tagged_qwen(news_dir: Path) -> None:
    frame = _snapshot(news_dir, "reddit-localllama-20250306.xml")
    waves = frame[frame["title"] == "QwQ-32B is making waves in the stock market already"].iloc[0]
    assert "qwen" in waves["tags"]
    assert waves["published"].date().isoformat() == "2025-03-06"
    released = frame[frame["title"].str.startswith("QwQ-32B released")].iloc[0]
    assert {"qwen", "deepseek"} <= set(released["tags"])


def test_the_batch_has_two_deepseek_items_on_jan_22(news_dir: Path) -> None:
    frame = _snapshot(news_dir, "the-batch-olshansk-20260604.xml")
    assert len(frame) == 372
    day = frame[frame["published"].dt.strftime("%Y-%m-%d") == "2025-01-22"]
    assert len(day) == 2
    assert all("deepseek" in tags for tags in day["tags"])
    # the -0800 pubDate is converted to UTC
    assert pd.Timestamp("2025-01-22 15:18", tz="UTC") in set(day["published"])


def test_openai_research_control_feed_has_no_deepseek(news_dir: Path) -> None:
    frame = _snapshot(news_dir, "openai-research-olshansk-20250127.xml")
    assert len(frame) == 162 and set(frame["source"]) == {"OpenAI Research"}
    assert not any("deepseek" in tags for tags in frame["tags"])
    # no guid in this feed: the uid is the link, and the two different "GPT-4" pages stay distinct
    assert frame["uid"].is_unique and (frame["uid"] == frame["link"]).all()
    assert (frame["title"] == "GPT-4").sum() == 2
