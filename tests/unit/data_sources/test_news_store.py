"""The news store: merge/de-duplicate/history, snapshot import, refresh, feed list, daily tag counts."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from data_sources.news import feedlist
from data_sources.news import store as news_store
from data_sources.news.feedlist import FeedConfigError, add_feed, list_feeds, remove_feed
from data_sources.news.feeds import FeedConfig, default_feeds
from data_sources.news.store import import_feed_dir, load_news, merge_news, refresh_news
from data_sources.news.views import daily_tag_counts, items_on_day
from tests.conftest import en, raises_saying
from tests.fakes import fake_feeds
from tests.fakes.fake_feeds import SNAPSHOT, FeedServer

feed_server = fake_feeds.feed_server  # the fixture


def _item(uid: str, title: str, published: str | None, *, source: str = "S", link: str = "",
          tags: tuple[str, ...] = (), flag: str = "") -> dict:
    return {
        "published": pd.Timestamp(published, tz="UTC") if published else pd.NaT,
        "source": source, "title": title, "link": link, "summary_text": "", "tags": tags,
        "uid": uid, "date_flag": flag if published or flag else "missing", "date_raw": published or "",
    }


def _frame(*items: dict) -> pd.DataFrame:
    return pd.DataFrame(list(items))


# ---------------------------------------------------------------- merge


def test_merge_dedupes_by_uid_link_and_title_and_keeps_history(tmp_path: Path) -> None:
    first = _frame(
        _item("a", "DeepSeek R1 released", "2025-01-20 10:00", link="https://x/a", tags=("deepseek",)),
        _item("b", "Nvidia slides", "2025-01-27 14:00", link="https://x/b", tags=("nvidia",)),
        _item("c", "No date here", None),
    )
    assert merge_news(tmp_path, first) == (3, 3)
    second = _frame(
        _item("a", "DeepSeek R1 released (edited)", "2025-01-20 10:00", link="https://x/a"),  # same uid
        _item("b2", "Nvidia slides", "2025-01-27 14:00", link="https://x/b"),  # same link
        _item("z", "DEEPSEEK-R1 released!", "2025-01-20 11:00", source="Other", link="https://y/z"),  # title
        _item("d", "Qwen 2.5 Max", "2025-01-29 01:00", link="https://x/d", tags=("qwen",)),  # new
        _item("d-again", "Qwen 2.5 Max", "2025-01-29 01:00", link="https://x/d"),  # dup within the batch
    )
    assert merge_news(tmp_path, second) == (1, 4)
    # the feed "moved on": an empty or unrelated fetch drops nothing
    assert merge_news(tmp_path, _frame(_item("e", "Other news", "2025-02-01 00:00"))) == (1, 5)
    stored = load_news(tmp_path)
    assert stored["uid"].tolist() == ["e", "d", "b", "a", "c"]  # newest first, NaT last
    assert stored.set_index("uid").loc["a", "title"] == "DeepSeek R1 released"  # the stored copy wins
    assert stored.set_index("uid").loc["d", "tags"] == ("qwen",)
    assert stored["first_seen"].notna().all()
    assert str(stored["published"].dtype) == "datetime64[ns, UTC]"


def test_same_title_with_different_links_in_one_feed_are_both_kept(tmp_path: Path) -> None:
    frame = _frame(
        _item("https://o/gpt-4/", "GPT-4", "2025-01-27 23:11", source="OpenAI Research", link="https://o/gpt-4/"),
        _item("https://o/gpt-4-research/", "GPT-4", "2023-03-14", source="OpenAI Research",
              link="https://o/gpt-4-research/"),
    )
    assert merge_news(tmp_path, frame) == (2, 2)


def test_load_news_on_empty_store(tmp_path: Path) -> None:
    stored = load_news(tmp_path)
    assert stored.empty and "published" in stored.columns


# ---------------------------------------------------------------- real snapshots


def test_import_all_snapshots_then_reimport_adds_nothing(tmp_path: Path, news_dir: Path) -> None:
    steps: list[float] = []
    report = import_feed_dir(tmp_path, news_dir, progress=lambda f, m: steps.append(f))
    assert report.problems == []
    assert report.read == 162 + 4 * 25 + 372
    assert report.per_source == {"r/LocalLLaMA": 100, "The Batch (DeepLearning.AI)": 372, "OpenAI Research": 162}
    stored = load_news(tmp_path)
    reddit = stored[stored["source"] == "r/LocalLLaMA"]
    # the four reddit snapshots share one post (t3_1iasyc3, in both the 26th and the 27th): stored once
    assert reddit["uid"].is_unique and reddit["link"].is_unique
    assert len(reddit) == 99
    assert (reddit["uid"] == "r/LocalLLaMA#t3_1iasyc3").sum() == 1
    assert report.added == len(stored) == report.total == 633
    assert steps[-1] == 1.0 and steps == sorted(steps)

    again = import_feed_dir(tmp_path, news_dir)
    assert (again.added, again.total) == (0, report.total)


def test_snapshot_day_views(tmp_path: Path, news_dir: Path) -> None:
    import_feed_dir(tmp_path, news_dir)
    stored = load_news(tmp_path)
    counts = daily_tag_counts(stored, "2025-01-26", "2025-01-28", tags=["deepseek", "nvidia"])
    by = counts.set_index(["date", "tag"])["count"]
    assert by.tolist() == [3, 2, 8, 2, 10, 1]  # (26th, 27th, 28th) × (deepseek, nvidia), Seoul days
    # "Nvidia pre-market down 12%" (13:23 UTC on the 27th) is on the 27th in Seoul (22:23 KST)
    day27 = items_on_day(stored, "2025-01-27")
    assert "Nvidia pre-market down 12% due Deepseek" in set(day27["title"])
    day = items_on_day(stored, "2025-03-06")  # KST: includes "QwQ-32B released" (19:08 UTC on the 5th)
    assert any(t.startswith("QwQ-32B released") for t in day["title"])
    assert day["published"].is_monotonic_increasing


def test_import_reports_bad_files_and_continues(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "good.xml").write_bytes(
        b'<rss version="2.0"><channel><title>Good</title><item><title>DeepSeek</title>'
        b"<link>https://g/1</link><pubDate>Mon, 27 Jan 2025 09:00:00 +0000</pubDate></item></channel></rss>"
    )
    (folder / "broken.rss").write_bytes(b"<<<this is not xml")
    (folder / "empty.atom").write_bytes(b"")
    (folder / "notes.txt").write_text("ignored")
    report = import_feed_dir(tmp_path / "store", folder)
    assert (report.read, report.added, report.total) == (1, 1, 1)
    assert sorted((p.feed, p.code) for p in report.problems) == [("broken.rss", "feed.not_rss"),
                                                                  ("empty.atom", "feed.empty_file")]
    assert en(report.summary()) == "1 read, 1 new (1 stored); feeds failed: 2"
    missing = import_feed_dir(tmp_path / "store", tmp_path / "nope")
    assert en(missing.problems[0].problem).endswith("not a folder") and missing.total == 1


# ---------------------------------------------------------------- refresh


def test_refresh_merges_good_feeds_and_reports_failures(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.bodies["ok"] = (
        b'<rss version="2.0"><channel><title>T</title><item><title>Nvidia and TSMC</title>'
        b"<link>https://n/1</link><pubDate>Mon, 27 Jan 2025 09:00:00 +0000</pubDate></item></channel></rss>")
    feeds = [FeedConfig("OK", feed_server.url("/body/ok")), FeedConfig("Down", feed_server.url("/status/503"))]
    report = refresh_news(tmp_path, feeds)
    assert (report.read, report.added, report.total) == (1, 1, 1)
    assert [(p.feed, p.code) for p in report.errors] == [("Down", "feed.http")]
    assert en(report.summary()) == "1 read, 1 new (1 stored); feeds failed: 1"
    assert en(report.errors[0].problem) == "Down: 127.0.0.1 answered HTTP 503"
    assert load_news(tmp_path)["tags"].iloc[0] == ("nvidia", "semiconductors")
    assert refresh_news(tmp_path, feeds).added == 0


def test_refresh_uses_conditional_get_and_a_304_keeps_the_items(tmp_path: Path, feed_server: FeedServer) -> None:
    feeds = [FeedConfig("r/LocalLLaMA", feed_server.url(f"/feed/{SNAPSHOT}"))]
    path = f"/feed/{SNAPSHOT}"
    first = refresh_news(tmp_path, feeds)
    assert (first.added, first.errors, first.unchanged) == (25, [], [])
    stored = news_store.feed_validators(tmp_path)[feeds[0].url]
    assert stored["etag"].startswith('"') and stored["last_modified"].endswith("GMT")

    second = refresh_news(tmp_path, feeds)
    assert second.errors == [] and second.unchanged == ["r/LocalLLaMA"]
    assert (second.read, second.added, second.total) == (0, 0, 25)  # the stored items are kept
    assert en(second.summary()) == "0 read, 0 new (25 stored); feeds unchanged (HTTP 304): 1"
    sent = [headers for p, headers in feed_server.seen if p == path]
    assert "if-none-match" not in sent[0] and sent[1]["if-none-match"] == stored["etag"]
    assert sent[1]["if-modified-since"] == stored["last_modified"]
    assert len(load_news(tmp_path)) == 25

    # a store that lost this feed's items does not send validators, so a 304 cannot leave it empty
    other = tmp_path / "other"
    other.mkdir()
    (other / news_store.HTTP_FILE).write_bytes((tmp_path / news_store.HTTP_FILE).read_bytes())
    third = refresh_news(other, feeds)
    assert third.added == 25 and third.unchanged == []
    assert "if-none-match" not in [h for p, h in feed_server.seen if p == path][2]


def test_a_trickling_or_cut_off_feed_stores_nothing(tmp_path: Path, feed_server: FeedServer) -> None:
    feeds = [FeedConfig("Slow", feed_server.url("/trickle")), FeedConfig("Cut", feed_server.url("/cutoff"))]
    started = time.monotonic()
    report = refresh_news(tmp_path, feeds, deadline_s=1.5)
    assert time.monotonic() - started < 8  # 1.5 s per feed, end to end, plus slack
    assert [(p.feed, p.code) for p in report.errors] == [("Slow", "feed.timeout"), ("Cut", "feed.truncated")]
    assert (report.read, report.total) == (0, 0) and load_news(tmp_path).empty
    assert news_store.feed_validators(tmp_path) == {}


# ---------------------------------------------------------------- feed list


def test_feed_list_add_remove_and_validation(tmp_path: Path) -> None:
    defaults = [f.name for f in default_feeds()]
    assert [f.name for f in list_feeds(tmp_path)] == defaults

    added = add_feed(tmp_path, "  My  Blog ", "https://blog.example/feed.xml", "ko")
    assert (added.name, added.origin, added.language) == ("My Blog", "reader", "ko")
    assert [f.name for f in list_feeds(tmp_path)] == [*defaults, "My Blog"]

    for name, url, lang, message in [
        ("", "https://a.example/rss", "en", "needs a name"),
        ("x" * 81, "https://a.example/rss", "en", "at most 80"),
        ("<b>Bold</b>", "https://a.example/rss", "en", "markup"),
        ("Local", "file:///etc/passwd", "en", "http:// or https://"),
        ("JS", "javascript:alert(1)", "en", "http:// or https://"),
        ("my blog", "https://other.example/rss", "en", "already a feed called 'My Blog'"),
        ("Copy", "https://blog.example/feed.xml/", "en", "already in the list as 'My Blog'"),
        ("Lang", "https://a.example/rss", "english!", "language code"),
    ]:
        with raises_saying(FeedConfigError, message):
            add_feed(tmp_path, name, url, lang)

    remove_feed(tmp_path, "r/LocalLLaMA")  # a default is hidden
    remove_feed(tmp_path, "my blog")  # the reader's own is deleted
    assert [f.name for f in list_feeds(tmp_path)] == [n for n in defaults if n != "r/LocalLLaMA"]
    with raises_saying(FeedConfigError, "no feed called 'Nope'"):
        remove_feed(tmp_path, "Nope")
    # a reader's feed may take a removed default's name; removing it keeps the default hidden
    add_feed(tmp_path, "r/LocalLLaMA", "https://old.reddit.com/r/LocalLLaMA/.rss")
    assert [(f.name, f.origin) for f in list_feeds(tmp_path)][-1] == ("r/LocalLLaMA", "reader")
    remove_feed(tmp_path, "r/LocalLLaMA")
    assert "r/LocalLLaMA" not in [f.name for f in list_feeds(tmp_path)]
    # bringing a default back
    again = add_feed(tmp_path, "r/LocalLLaMA", "https://www.reddit.com/r/LocalLLaMA/.rss")
    assert again.origin == "default"
    assert [f.name for f in list_feeds(tmp_path)] == defaults


# ---------------------------------------------------------------- daily counts


def test_the_feed_list_lives_in_the_readers_database(tmp_path: Path) -> None:
    """Another replica (another store folder, same database) sees the feeds this one added and hid."""
    from data_sources.readers.repository import open_repository

    repo = open_repository(f"sqlite:///{tmp_path / 'readers.sqlite3'}")
    mine, other = tmp_path / "replica-1", tmp_path / "replica-2"
    add_feed(mine, "My Blog", "https://blog.example/feed.xml", "ko", repo=repo)
    remove_feed(mine, "r/LocalLLaMA", repo=repo)
    seen = [(f.name, f.language, f.origin) for f in list_feeds(other, repo=repo)]
    assert ("My Blog", "ko", "reader") in seen and "r/LocalLLaMA" not in [n for n, _, _ in seen]
    assert not (mine / feedlist.FEEDS_FILE).exists() and not (other / feedlist.FEEDS_FILE).exists()


def test_an_old_feeds_file_is_copied_into_the_database_once(tmp_path: Path) -> None:
    from data_sources.readers.repository import open_repository
    from data_sources.store.atomic import write_table

    repo = open_repository(f"sqlite:///{tmp_path / 'readers.sqlite3'}")
    old = pd.DataFrame([
        {"name": "My Blog", "url": "https://blog.example/feed.xml", "language": "ko", "status": "added"},
        {"name": "r/LocalLLaMA", "url": "https://www.reddit.com/r/LocalLLaMA/.rss", "language": "en",
         "status": "removed"},
        {"name": "Bad", "url": "javascript:alert(1)", "language": "en", "status": "added"},
    ])
    write_table(tmp_path / feedlist.FEEDS_FILE, old, {"table": "feeds", "version": 1})
    defaults = [f.name for f in default_feeds()]
    expected = [n for n in defaults if n != "r/LocalLLaMA"] + ["My Blog"]
    assert feedlist.migrate_local_feeds(tmp_path, repo) == 2
    assert [f.name for f in list_feeds(tmp_path, repo=repo)] == expected
    assert [f.language for f in list_feeds(tmp_path, repo=repo)][-1] == "ko"
    assert feedlist.migrate_local_feeds(tmp_path, repo) == 0  # once
    remove_feed(tmp_path, "My Blog", repo=repo)  # removed after the copy: the old file never brings it back
    assert [f.name for f in list_feeds(tmp_path, repo=repo)] == expected[:-1]


def test_daily_tag_counts_on_a_small_frame() -> None:
    frame = _frame(
        _item("1", "a", "2025-01-26 14:00", tags=("deepseek",)),  # 23:00 KST on the 26th
        _item("2", "b", "2025-01-26 15:30", tags=("deepseek", "nvidia")),  # 00:30 KST on the 27th
        _item("3", "c", "2025-01-27 01:00", tags=("nvidia",)),  # 10:00 KST on the 27th
        _item("4", "d", "2025-01-27 02:00", tags=()),
        _item("5", "e", None, tags=("deepseek",)),  # undated: not counted
        _item("6", "f", "2025-01-20 00:00", tags=("deepseek",)),  # outside the window
    )
    counts = daily_tag_counts(frame, "2025-01-26", "2025-01-28")
    assert list(counts.columns) == ["date", "tag", "count"]
    assert str(counts["date"].dtype) == "datetime64[ns]" and str(counts["count"].dtype) == "int64"
    table = counts.pivot(index="date", columns="tag", values="count")
    assert table.columns.tolist() == ["deepseek", "nvidia"]  # rule order
    assert table.loc["2025-01-26"].tolist() == [1, 0]
    assert table.loc["2025-01-27"].tolist() == [1, 2]
    assert table.loc["2025-01-28"].tolist() == [0, 0]

    utc = daily_tag_counts(frame, "2025-01-26", "2025-01-27", tags=["deepseek"], tz="UTC")
    assert utc["count"].tolist() == [2, 0]
    assert daily_tag_counts(frame, "2025-01-28", "2025-01-26").empty
    assert daily_tag_counts(frame.iloc[0:0], "2025-01-26", "2025-01-28").empty

    day = items_on_day(frame, "2025-01-27")
    assert day["uid"].tolist() == ["2", "3", "4"]


def test_absurd_dates_never_break_sorting_or_counts(tmp_path: Path) -> None:
    frame = _frame(
        _item("x", "absurd", None, flag="absurd", tags=("nvidia",)),
        _item("y", "ok", "2025-01-27 01:00", tags=("nvidia",)),
    )
    merge_news(tmp_path, frame, now=datetime(2025, 1, 28, tzinfo=UTC))
    stored = load_news(tmp_path)
    assert stored["uid"].tolist() == ["y", "x"]
    assert stored.set_index("uid").loc["x", "date_flag"] == "absurd"
    assert daily_tag_counts(stored, "2025-01-27", "2025-01-27")["count"].tolist() == [1]
