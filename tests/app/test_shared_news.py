"""News in the shared store: the refresher fetches the feeds (defaults and readers' feeds from the database) and
publishes the news snapshot with each version; replicas with ``DASHBOARD_REFRESH=off`` read it from the bucket
(moto's S3 server on 127.0.0.1, the fake feed server on 127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data_sources.news import feedlist
from data_sources.news import store as news_store
from data_sources.news.feeds import default_feeds
from data_sources.shared.object_store import S3Store
from data_sources.shared.refresher import publish_from_local, run_once
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.fakes import fake_feeds
from tests.fakes.fake_feeds import SNAPSHOT, FeedServer
from tests.fakes.s3_server import endpoint_fixture, url_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
feed_server = fake_feeds.feed_server  # the fixture


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env=dict(os.environ))


def _item(title: str) -> pd.DataFrame:
    return pd.DataFrame([{"published": pd.Timestamp("2025-01-27 10:00", tz="UTC"), "source": "Test feed",
                          "title": title, "link": f"https://example.com/{abs(hash(title))}", "summary_text": "",
                          "tags": ("deepseek",), "uid": title, "date_flag": "", "date_raw": "2025-01-27"}])


def test_the_refresher_publishes_the_news_with_each_version(url, endpoint, seeded_store):
    local_news = news_store.load_news(seeded_store)
    assert len(local_news) > 100  # the real snapshots
    proc = _cli("--data-dir", str(seeded_store), "refresh")  # the compose command, one shot
    assert "published: published version 1" in proc.stdout, proc.stderr
    reader = S3Store(url, endpoint, poll_seconds=0)
    pointer, _ = reader.read_pointer()
    assert pointer["news_rows"] == len(local_news) and pointer["news_key"].startswith("news/")
    pd.testing.assert_frame_equal(reader.news(), local_news)  # exactly what the refresher holds

    again = _cli("--data-dir", str(seeded_store), "refresh")
    assert "unchanged: version 1 already holds this data" in again.stdout, again.stderr
    # news alone changing (prices the same) is a new version, with the same prices object
    news_store.merge_news(seeded_store, _item("DeepSeek R1 tops the app store"))
    third = _cli("--data-dir", str(seeded_store), "refresh")
    assert "published: published version 2" in third.stdout, third.stderr
    newer, _ = reader.read_pointer()
    assert newer["sha256"] == pointer["sha256"] and newer["news_sha256"] != pointer["news_sha256"]
    assert "DeepSeek R1 tops the app store" in set(S3Store(url, endpoint, poll_seconds=0).news()["title"])


def test_the_refresher_fetches_the_readers_feeds_and_publishes_them(url, endpoint, seeded_store,
                                                                    feed_server: FeedServer):
    """A feed a reader added on any replica (in the database) is fetched by the refresher, and only by it."""
    for feed in default_feeds():  # no default feed may be fetched for real
        feedlist.remove_feed(seeded_store, feed.name)
    feedlist.add_feed(Path("/nonexistent-replica-folder"), "Reader's feed", feed_server.url(f"/feed/{SNAPSHOT}"))
    Path(seeded_store, news_store.NEWS_FILE).unlink()  # start without news: everything comes from the feed
    target = S3Store(url, endpoint, poll_seconds=0)
    assert run_once(Store(seeded_store), lambda: 0, target) == 0
    assert feed_server.hits, "the refresher did not fetch the reader's feed"
    published = S3Store(url, endpoint, poll_seconds=0).news()
    assert len(published) == 25 and set(published["source"]) == {"Reader's feed"}


def test_a_new_refresher_folder_starts_from_the_published_news(url, endpoint, seeded_store, tmp_path):
    assert "published version 1" in _cli("--data-dir", str(seeded_store), "refresh").stdout
    fresh = tmp_path / "fresh"
    proc = _cli("--data-dir", str(fresh), "refresh")
    assert f"seeded {fresh} from {url}" in proc.stderr
    assert "unchanged" in proc.stdout, proc.stdout + proc.stderr  # the news were not dropped by the new folder
    assert len(news_store.load_news(fresh)) == len(news_store.load_news(seeded_store))


def test_a_damaged_news_object_is_refused_and_the_news_read_before_is_served(url, endpoint, seeded_store):
    local = Store(seeded_store)
    writer = S3Store(url, endpoint, poll_seconds=0)
    assert publish_from_local(local, writer).status == "published"
    reader = S3Store(url, endpoint, poll_seconds=0)
    first = reader.news()
    news_store.merge_news(seeded_store, _item("Qwen QwQ preview"))
    assert publish_from_local(local, writer).status == "published"
    pointer, _ = writer.read_pointer()
    key = writer.key(pointer["news_key"])
    damaged = bytearray(writer.client().get_object(Bucket=writer.bucket, Key=key)["Body"].read())
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte: same size, another hash
    writer.client().put_object(Bucket=writer.bucket, Key=key, Body=bytes(damaged))
    served = reader.news()
    assert len(served) == len(first) and served.attrs["warning"].code == "store.kept_news"
    with pytest.raises(StoreError) as info:
        S3Store(url, endpoint, poll_seconds=0).news()  # a new replica has nothing to fall back on
    assert info.value.code == "store.unreadable" and "news/" in info.value.detail  # the operator's words name it


def test_a_replica_shows_the_published_news_and_never_fetches(url, endpoint, seeded_store, tmp_path, monkeypatch):
    news_store.merge_news(seeded_store, _item("Only in the bucket: DeepSeek week recap"))
    assert publish_from_local(Store(seeded_store), S3Store(url, endpoint, poll_seconds=0)).status == "published"
    replica_dir = tmp_path / "replica"  # no news.parquet here: the page can only get it from the bucket
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(replica_dir))
    monkeypatch.setenv("DASHBOARD_REFRESH", "off")
    at = app_page("news", lang="en", q="Only in the bucket")
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(shown(str(m.value)) for m in at.markdown)
    assert "Only in the bucket: DeepSeek week recap" in text
    assert "No news is stored yet" not in "\n".join(i.value for i in at.info)
    assert not (replica_dir / news_store.NEWS_FILE).exists()
