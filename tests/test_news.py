"""The feed adapter: query validation, fetching with a fake ``get``, parsing, dates, tags, snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import requests

from data_sources import news
from data_sources.news import (
    FeedConfig,
    FeedRequest,
    extract_data,
    fetch_feeds,
    load_feed_file,
    make_uid,
    sort_news,
    source_for_snapshot,
    transform_data,
    transform_query,
)
from data_sources.tagging import load_rules, tag_text

NOW = datetime(2025, 1, 27, 12, 0, tzinfo=UTC)

GOOD_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Good Feed</title>
<item><title>Nvidia falls as DeepSeek &lt;b&gt;shocks&lt;/b&gt; markets</title>
<link>https://example.com/a</link><guid>https://example.com/a</guid>
<description>&lt;p&gt;Chip stocks &lt;script&gt;alert(1)&lt;/script&gt;slide.&lt;/p&gt;</description>
<pubDate>Mon, 27 Jan 2025 09:00:00 +0000</pubDate></item>
<item><title>Quiet day</title><link>javascript:alert(1)</link>
<pubDate>Sun, 26 Jan 2025 09:00:00 +0000</pubDate></item>
</channel></rss>"""


class FakeResponse:
    """Just enough of ``requests.Response`` for the adapter."""

    def __init__(self, body: bytes = b"", status: int = 200, headers: dict | None = None, reason: str = "OK"):
        self.body = body
        self.status_code = status
        self.headers = headers or {"Content-Type": "application/rss+xml; charset=utf-8"}
        self.reason = reason
        self.chunks_read = 0
        self.closed = False

    def iter_content(self, chunk_size: int = 1) -> Iterator[bytes]:
        for start in range(0, len(self.body), chunk_size):
            self.chunks_read += 1
            yield self.body[start : start + chunk_size]

    def close(self) -> None:
        self.closed = True


class FakeGet:
    """A fake ``requests.get``: URL → response or exception; records every call."""

    def __init__(self, routes: dict[str, object]):
        self.routes = routes
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, url: str, **kwargs: object) -> FakeResponse:
        self.calls.append((url, kwargs))
        outcome = self.routes[url]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome  # type: ignore[return-value]


def _feed(name: str, url: str) -> FeedConfig:
    return FeedConfig(name, url, "en")


# ---------------------------------------------------------------- query


def test_transform_query_rejects_non_http_urls_by_name() -> None:
    good, problems = transform_query(
        [_feed("Good", "https://example.com/rss"), _feed("Local file", "file:///etc/passwd"),
         {"name": "Sneaky", "url": " javascript:alert(1)"}, _feed("Path", "/tmp/feed.xml")]
    )
    assert [r.feed for r in good] == ["Good"]
    assert [p.feed for p in problems] == ["Local file", "Sneaky", "Path"]
    assert all(p.code == "bad_url" for p in problems)
    assert problems[0].message.startswith("Local file:")
    assert "http://" in problems[0].message


def test_default_feeds_are_http_and_bilingual() -> None:
    feeds = news.default_feeds()
    assert 5 <= len(feeds) <= 7
    assert {f.language for f in feeds} == {"en", "ko"}
    assert all(f.url.startswith("https://") for f in feeds)
    assert "r/LocalLLaMA" in {f.name for f in feeds}
    good, problems = transform_query(feeds)
    assert len(good) == len(feeds) and problems == []


def test_source_for_snapshot() -> None:
    assert source_for_snapshot("reddit-localllama-20250127.xml") == "r/LocalLLaMA"
    assert source_for_snapshot("the-batch-olshansk-20260604.xml") == "The Batch (DeepLearning.AI)"
    assert source_for_snapshot("/x/openai-research-olshansk-20250127.xml") == "OpenAI Research"
    assert source_for_snapshot("something-else.xml") is None


# ---------------------------------------------------------------- extract (fake network)


def test_fetch_feeds_reports_each_failure_and_keeps_the_good_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(news, "MAX_FEED_BYTES", 2000)
    big = FakeResponse(b"<rss>" + b"x" * 10_000)
    dns = requests.ConnectionError(
        "HTTPSConnectionPool(host='nope.invalid', port=443): Max retries exceeded "
        "(Caused by NameResolutionError(\"Failed to resolve 'nope.invalid' ([Errno -2] Name or service not known)\"))"
    )
    fake = FakeGet({
        "https://good.example/rss": FakeResponse(GOOD_RSS),
        "https://nope.invalid/rss": dns,
        "https://refused.example/rss": requests.ConnectionError("[Errno 111] Connection refused"),
        "https://slow.example/rss": requests.ConnectTimeout("timed out"),
        "https://gone.example/rss": FakeResponse(b"not here", status=404, reason="Not Found"),
        "https://huge.example/rss": FakeResponse(b"x", headers={"Content-Length": "99999999"}),
        "https://stream.example/rss": big,
        "https://garbage.example/rss": FakeResponse(b"\x00\x01 this is not xml at all {{{"),
        "https://page.example/": FakeResponse(b"<!DOCTYPE html><html><body>Hi</body></html>",
                                              headers={"Content-Type": "text/html"}),
    })
    feeds = [
        _feed("Good", "https://good.example/rss"),
        _feed("No DNS", "https://nope.invalid/rss"),
        _feed("Refused", "https://refused.example/rss"),
        _feed("Slow", "https://slow.example/rss"),
        _feed("Gone", "https://gone.example/rss"),
        _feed("Huge", "https://huge.example/rss"),
        _feed("Streamed", "https://stream.example/rss"),
        _feed("Garbage", "https://garbage.example/rss"),
        _feed("Web page", "https://page.example/"),
        _feed("Local", "file:///etc/passwd"),
    ]
    steps: list[tuple[float, str]] = []
    frame, problems = fetch_feeds(feeds, get=fake, now=NOW, progress=lambda f, m: steps.append((f, m)))

    by_feed = {p.feed: p for p in problems}
    assert {k: p.code for k, p in by_feed.items()} == {
        "No DNS": "dns", "Refused": "connection", "Slow": "timeout", "Gone": "http", "Huge": "too_large",
        "Streamed": "too_large", "Garbage": "not_a_feed", "Web page": "not_a_feed", "Local": "bad_url",
    }
    for name, problem in by_feed.items():
        assert problem.message.startswith(f"{name}: ")
    assert "nope.invalid" in by_feed["No DNS"].message and "DNS" in by_feed["No DNS"].message
    assert "404" in by_feed["Gone"].message and "Not Found" in by_feed["Gone"].message
    assert "web page" in by_feed["Web page"].message
    assert big.chunks_read <= 1 and big.closed  # stopped reading at the cap
    # the good feed still came through, sanitised
    assert list(frame["title"]) == ["Nvidia falls as DeepSeek shocks markets", "Quiet day"]
    assert list(frame["source"]) == ["Good", "Good"]
    assert frame["summary_text"].iloc[0] == "Chip stocks slide."
    assert frame["link"].tolist() == ["https://example.com/a", ""]
    assert frame["tags"].iloc[0] == ("deepseek", "nvidia", "semiconductors")
    # every request: streamed, with timeouts and a User-Agent; the file:// feed was never requested
    assert len(fake.calls) == 9
    for _url, kwargs in fake.calls:
        assert kwargs["timeout"] == (5, 15) and kwargs["stream"] is True
        assert kwargs["headers"]["User-Agent"]
    assert steps[-1][0] == 1.0 and len(steps) == 10


def test_real_requests_get_is_never_called_offline() -> None:
    # conftest sets DASHBOARD_OFFLINE=1; with the real requests.get the adapter refuses to fetch
    frame, problems = fetch_feeds([_feed("Good", "https://good.example/rss")])
    assert frame.empty
    assert [p.code for p in problems] == ["offline"]


def test_monkeypatched_requests_get_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGet({"https://good.example/rss": FakeResponse(GOOD_RSS)})
    monkeypatch.setattr(requests, "get", fake)
    frame, problems = fetch_feeds([_feed("Good", "https://good.example/rss")], now=NOW)
    assert len(frame) == 2 and problems == []


def test_read_timeout_while_streaming_is_a_timeout() -> None:
    class Stalling(FakeResponse):
        def iter_content(self, chunk_size: int = 1) -> Iterator[bytes]:
            yield b"<rss>"
            raise requests.ConnectionError("Read timed out.") from requests.ReadTimeout("Read timed out.")

    req = FeedRequest("Stall", "https://stall.example/rss")
    with pytest.raises(news.FeedConnectionError, match=r"^Stall: .*stall\.example"):
        extract_data(req, get=FakeGet({req.url: Stalling()}))


# ---------------------------------------------------------------- transform


def test_bozo_feed_keeps_recovered_items_with_a_warning() -> None:
    truncated = GOOD_RSS[: GOOD_RSS.index(b"<item><title>Quiet")]  # cut mid-channel
    frame, problems = transform_data(truncated, "Cut", now=NOW)
    assert len(frame) == 1
    assert frame["title"].iloc[0].startswith("Nvidia falls")
    assert [(p.feed, p.code, p.severity) for p in problems] == [("Cut", "bozo", "warning")]
    assert problems[0].message.startswith("Cut: the feed is malformed")


def test_empty_and_garbage_bytes_are_not_a_feed() -> None:
    for data in (b"<rss><channel>", b"hello world", b"<html><body>x</body></html>"):
        with pytest.raises(news.FeedParseError, match=r"^Broken: "):
            transform_data(data, "Broken", now=NOW)


def test_json_feed_is_supported_and_sanitised() -> None:
    data = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
      "items": [{"id": "7", "url": "https://j.example/7", "title": "<i>Qwen</i> news",
                 "content_html": "<p>x</p><script>alert(1)</script>",
                 "date_published": "2025-01-26T10:00:00+09:00"},
                {"id": "8", "url": "data:text/html,evil", "content_text": "plain"}]}"""
    frame, problems = transform_data(data, None, now=NOW)
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
    frame, _ = transform_data(data, "D", now=NOW)
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
    first, _ = transform_data(GOOD_RSS, "Good", now=NOW)
    second, _ = transform_data(GOOD_RSS, "Good", now=NOW)
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
    with pytest.raises(ValueError, match=r"tags\.toml: tag 'x': 'patterns'"):
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
