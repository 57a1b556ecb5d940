"""Hostile feeds: entity amplifiers, DTDs in any encoding, oversized bodies, slow parses.

Each is refused with a per-feed message before the expensive work, within a generous
time and memory budget (tracemalloc peak); the other feeds of the same refresh still load.
"""

from __future__ import annotations

import contextlib
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data_sources.errors import DashboardError
from data_sources.news.errors import FeedError, FeedParseBudgetError, FeedTooLargeError, FeedUnsafeError
from data_sources.news.feeds import FeedConfig
from data_sources.news.fetch import fetch_deadline, fetch_feeds, load_feed_file
from data_sources.news.parse import parse_budget, parse_feed
from data_sources.settings import Settings
from data_sources.worker import BoundedWorker
from tests.conftest import en, raises_saying
from tests.fakes import fake_feeds
from tests.fakes.fake_feeds import SNAPSHOT, FeedServer, amplifier

NOW = datetime(2025, 1, 27, 12, 0, tzinfo=UTC)
MB = 1024 * 1024
feed_server = fake_feeds.feed_server  # the fixture


def _measured(fn):
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = fn()
    except FeedError as err:
        result = err
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def test_the_115_kb_entity_amplifier_is_refused_cheaply() -> None:
    data = amplifier()
    assert 110_000 < len(data) < 120_000
    err, seconds, peak = _measured(lambda: parse_feed(data, "Amp", now=NOW))
    assert isinstance(err, FeedUnsafeError), err
    assert en(err).startswith("Amp: the feed declares a DTD or entities")
    assert seconds < 2 and peak < 50 * MB  # unguarded: ~1 GB and ~20 s


def test_the_amplifier_from_the_server_costs_one_feed_only(feed_server: FeedServer) -> None:
    feeds = [FeedConfig("Amp", feed_server.url("/amplifier")), FeedConfig("Huge DTD", feed_server.url("/doctype")),
             FeedConfig("Good", feed_server.url(f"/feed/{SNAPSHOT}"))]
    (frame, problems), seconds, peak = _measured(lambda: fetch_feeds(feeds, now=NOW, deadline_s=5))
    assert [(p.feed, p.code) for p in problems] == [("Amp", "feed.unsafe"), ("Huge DTD", "feed.unsafe")]
    assert set(frame["source"]) == {"Good"} and len(frame) == 25
    assert seconds < 10 and peak < 50 * MB


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "cp037"])
def test_a_dtd_cannot_hide_in_another_encoding(encoding: str) -> None:
    text = amplifier().decode().replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    data = text.encode(encoding)  # cp037 (EBCDIC): feedparser sniffs "<?xm" in EBCDIC and decodes it
    err, seconds, peak = _measured(lambda: parse_feed(data, "Enc", now=NOW))
    assert isinstance(err, FeedUnsafeError), (encoding, err)
    assert seconds < 3 and peak < 50 * MB


def test_dtd_in_a_declared_charset_is_found() -> None:
    # utf-7 declared by the server: "<!ENTITY" never appears as bytes
    text = amplifier().decode()
    data = text.encode("utf-7").replace(b"<!", b"+ADwAIQ-")  # "<!" written in UTF-7's base64 form
    assert b"<!" not in data and data.decode("utf-7") == text
    err, _seconds, _peak = _measured(
        lambda: parse_feed(data, "U7", content_type="application/xml; charset=utf-7", now=NOW))
    assert isinstance(err, FeedUnsafeError), err


def test_a_doctype_quoted_inside_cdata_is_not_a_dtd() -> None:
    data = (b'<rss version="2.0"><channel><title>C</title><item><title>Page</title><link>https://c.example/1</link>'
            b"<description><![CDATA[<!DOCTYPE html><p>quoted page</p>]]></description></item></channel></rss>")
    frame, problems = parse_feed(data, "C", now=NOW)
    assert problems == [] and frame["summary_text"].tolist() == ["quoted page"]


def test_an_entity_inside_cdata_is_still_refused() -> None:
    data = (b'<rss version="2.0"><channel><![CDATA[\n<!ENTITY big "AAAA">\n]]><title>C</title></channel></rss>')
    with pytest.raises(FeedUnsafeError):
        parse_feed(data, "C", now=NOW)


def test_oversized_bodies_are_refused_while_reading(feed_server: FeedServer) -> None:
    feeds = [FeedConfig("Huge", feed_server.url("/big")), FeedConfig("Streamed", feed_server.url("/big-stream"))]
    (frame, problems), seconds, peak = _measured(lambda: fetch_feeds(feeds, now=NOW, deadline_s=10))
    assert frame.empty
    assert [(p.feed, p.code) for p in problems] == [("Huge", "feed.too_large"), ("Streamed", "feed.too_large")]
    assert en(problems[0].problem) == "Huge: the feed is larger than the 5 MB limit; it was not read"
    assert problems[0].problem.params["size_mb"] == "6.3"  # announced up front: refused before reading
    assert "size_mb" not in problems[1].problem.params  # streamed: stopped once over the limit
    assert seconds < 10 and peak < 25 * MB  # the 6 MB body is never held whole


def test_oversized_bytes_and_files_are_refused_before_parsing(tmp_path: Path) -> None:
    data = b'<rss version="2.0"><channel>' + b" " * (6 * MB) + b"</channel></rss>"
    with raises_saying(FeedTooLargeError, r"^Big: the feed is larger than the 5 MB limit"):
        parse_feed(data, "Big", now=NOW)
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    frame, problems = load_feed_file(path)
    assert frame.empty and [p.code for p in problems] == ["feed.too_large"]


def _many_items(count: int) -> bytes:
    item = ("<item><title>Item {i} about Nvidia</title><link>https://m.example/{i}</link>"
            "<description>text of item {i} with &lt;b&gt;markup&lt;/b&gt;</description>"
            "<pubDate>Mon, 27 Jan 2025 09:00:00 +0000</pubDate></item>")
    body = "".join(item.format(i=i) for i in range(count))
    return f'<rss version="2.0"><channel><title>M</title>{body}</channel></rss>'.encode()


def test_a_parse_over_its_time_budget_is_refused_and_the_next_one_works() -> None:
    data = _many_items(12_000)  # ~2.5 MB: several seconds of parsing
    parse_feed(_many_items(1), "Warm", now=NOW)  # the parser's helper process is up
    started = time.monotonic()
    with raises_saying(FeedParseBudgetError, r"^Slow: reading the feed took longer than 0\.3 seconds"):
        parse_feed(data, "Slow", now=NOW, budget_s=0.3)
    assert time.monotonic() - started < 3
    frame, problems = parse_feed(_many_items(3), "Fine", now=NOW, budget_s=5)
    assert len(frame) == 3 and problems == []


def _swallowing_loop(seconds: float) -> str:
    """What a parser with a bare ``except:`` does: nothing from inside can stop it."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with contextlib.suppress(BaseException):
            sum(range(10_000))
    return "finished"


def test_a_parser_that_swallows_every_exception_is_still_stopped_at_its_budget() -> None:
    """The budget is held from outside the parsing process: a bare ``except:`` in a library cannot defeat it."""
    worker = BoundedWorker("test parser", idle_s=5)
    worker.call(f"{__name__}:_swallowing_loop", 0.0, timeout_s=30)  # the helper process is up
    started = time.monotonic()
    with pytest.raises(DashboardError) as refused:
        worker.call(f"{__name__}:_swallowing_loop", 60.0, timeout_s=0.5)
    assert refused.value.problem.code == "worker.timeout"
    assert time.monotonic() - started < 10
    again = worker.call(f"{__name__}:_swallowing_loop", 0.0, timeout_s=30)
    assert again == "finished"  # a fresh process takes the next call
    worker.close()


def test_the_parse_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_FEED_PARSE_SECONDS", "0.2")
    assert parse_budget() == 0.2
    with pytest.raises(FeedParseBudgetError):
        parse_feed(_many_items(12_000), "Slow", now=NOW)
    monkeypatch.setenv("DASHBOARD_FEED_PARSE_SECONDS", "nonsense")
    assert parse_budget() == Settings.model_fields["feed_parse_seconds"].default
    monkeypatch.setenv("DASHBOARD_FEED_DEADLINE", "1.5")
    assert fetch_deadline() == 1.5

