"""A replica does not trust the shared store's pointer (issue 26 item 4), on moto's S3 server on 127.0.0.1:
object keys outside the prefix refused, sizes capped before reading, a bad version remembered and the last good
one kept with a warning, a missing or empty pointer kept over, a malformed or non-S3 endpoint read as "store
unreachable" in the reader's words, and no view waiting behind another view's slow read."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from catalog import text
from data_sources.shared.object_store import S3Store
from data_sources.shared.versions import encode_prices
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.fakes.s3_proxy import s3_proxy
from tests.fakes.s3_server import CREDENTIALS, endpoint_fixture, url_fixture  # noqa: F401  (fixtures)


def _publish_v1(url: str, endpoint: str, seeded_store: Path) -> tuple[S3Store, pd.DataFrame, dict]:
    snap = Store(seeded_store).read()
    writer = S3Store(url, endpoint, poll_seconds=0)
    assert writer.publish(snap.prices, snap.series).status == "published"
    return writer, snap.prices, snap.series


def _calls(store: S3Store) -> list[tuple[str, str]]:
    """Every S3 operation ``store``'s client sends from now on, as (operation, key)."""
    seen: list[tuple[str, str]] = []
    store.client().meta.events.register(
        "before-parameter-build.s3.*", lambda params, model, **_: seen.append((model.name, params.get("Key", ""))))
    return seen


def _unavailable(shared, code: str) -> str:
    """Assert a read gave no prices and the reader's problem ``code`` (never an exception); its technical detail."""
    assert shared.prices.empty and shared.snapshot.warning is not None, shared.snapshot
    assert shared.snapshot.warning.code == code, shared.snapshot.detail
    return shared.snapshot.detail


def _set_pointer(writer: S3Store, body: bytes | dict) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    writer.client().put_object(Bucket=writer.bucket, Key=writer.key("current.json"), Body=raw)


def _put(writer: S3Store, key: str, raw: bytes) -> None:
    writer.client().put_object(Bucket=writer.bucket, Key=key, Body=raw)


def _texts(at) -> str:
    kinds = ("markdown", "caption", "info", "warning", "error", "success")
    return "\n".join(shown(str(e.value)) for kind in kinds for e in getattr(at, kind))


def _evil(prices: pd.DataFrame, series: dict) -> bytes:
    evil = prices.copy()
    evil.loc[evil["symbol"] == "NVDA", "close"] = 0.01
    return encode_prices(evil, series)


@pytest.mark.parametrize("data_key", ["../other/evil.parquet", "/other/evil.parquet", "data/../../other/evil.parquet",
                                      "news/{sha}.parquet", "data/{sha}.parquet/../../../other/evil.parquet"])
def test_a_data_key_outside_the_prefix_is_refused_without_a_request(url, endpoint, seeded_store, data_key):
    writer, prices, series = _publish_v1(url, endpoint, seeded_store)
    reader = S3Store(url, endpoint, poll_seconds=0)
    reader.current()
    raw = _evil(prices, series)
    digest = hashlib.sha256(raw).hexdigest()
    _put(writer, "other/evil.parquet", raw)  # outside the prefix, in the same bucket
    pointer, _ = writer.read_pointer()
    _set_pointer(writer, {**pointer, "version": 2, "data_key": data_key.format(sha=digest), "sha256": digest,
                          "bytes": len(raw)})
    calls = _calls(reader)

    kept = reader.current()
    assert kept.snapshot.warning.code == "store.kept_unreadable", kept.snapshot.detail
    assert "refused" in kept.snapshot.detail
    pd.testing.assert_frame_equal(kept.prices, prices)  # NVDA never closes at 0.01
    assert [c for c in calls if c[0] != "GetObject" or c[1] != writer.key("current.json")] == []
    _unavailable(S3Store(url, endpoint, poll_seconds=0).current(), "store.unreadable")


@pytest.mark.parametrize("lie", ["manifest", "head", "no size"])
def test_an_object_over_the_cap_is_refused_before_its_bytes_are_read(url, endpoint, seeded_store, lie):
    """The cap holds from the manifest's size (no request), or from the HEAD when the manifest says less or
    nothing: the GET of the object is never sent."""
    writer, _prices, _series = _publish_v1(url, endpoint, seeded_store)
    pointer, _ = writer.read_pointer()
    size = pointer["bytes"]
    if lie == "head":
        _set_pointer(writer, {**pointer, "bytes": 1000})
    elif lie == "no size":
        _set_pointer(writer, {k: v for k, v in pointer.items() if k != "bytes"})
    reader = S3Store(url, endpoint, poll_seconds=0, max_bytes=size // 2)
    calls = _calls(reader)
    _unavailable(reader.current(), "store.unreadable")
    assert ("GetObject", writer.key(pointer["data_key"])) not in calls
    heads = [c for c in calls if c[0] == "HeadObject"]
    assert heads == ([] if lie == "manifest" else [("HeadObject", writer.key(pointer["data_key"]))])
    if lie != "head":  # within the cap it reads (a manifest that lies about the size never does)
        assert S3Store(url, endpoint, poll_seconds=0, max_bytes=size).current().provenance["version"] == 1


def test_a_version_arrow_cannot_read_keeps_the_last_good_one_and_is_not_fetched_again(url, endpoint, seeded_store):
    writer, prices, _series = _publish_v1(url, endpoint, seeded_store)
    reader = S3Store(url, endpoint, poll_seconds=0)
    reader.current()
    garbage = b"PAR1" + bytes(range(256)) * 40 + b"PAR1"  # the hash matches the pointer; Parquet it is not
    digest = hashlib.sha256(garbage).hexdigest()
    _put(writer, writer.key(f"data/{digest}.parquet"), garbage)
    pointer, _ = writer.read_pointer()
    _set_pointer(writer, {**pointer, "version": 2, "data_key": f"data/{digest}.parquet", "sha256": digest,
                          "bytes": len(garbage)})
    calls = _calls(reader)

    for _ in range(20):  # every view of every page asks; the object is read once
        kept = reader.current()
        assert kept.snapshot.warning.code == "store.kept_unreadable"
        pd.testing.assert_frame_equal(kept.prices, prices)
    assert "cannot be read as a price table" in kept.snapshot.detail
    assert calls.count(("GetObject", writer.key(f"data/{digest}.parquet"))) == 1
    fresh = S3Store(url, endpoint, poll_seconds=0).current()  # a fresh replica: no traceback, a reader's problem
    assert "ArrowInvalid" in _unavailable(fresh, "store.unreadable")


def test_pages_show_a_bad_version_in_the_readers_words(url, endpoint, seeded_store, monkeypatch, tmp_path):
    writer, _prices, _series = _publish_v1(url, endpoint, seeded_store)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "replica"))
    monkeypatch.setenv("DASHBOARD_REFRESH", "off")
    garbage = b"not parquet at all" * 10
    digest = hashlib.sha256(garbage).hexdigest()
    _put(writer, writer.key(f"data/{digest}.parquet"), garbage)
    pointer, _ = writer.read_pointer()
    _set_pointer(writer, {**pointer, "version": 2, "data_key": f"data/{digest}.parquet", "sha256": digest,
                          "bytes": len(garbage)})
    for lang in ("en", "ko"):
        for page in ("compare", "column"):
            at = app_page(page, lang=lang)
            assert not at.exception, (page, [e.value for e in at.exception])
            assert text(lang, "problem.store.unreadable") in _texts(at), (page, lang)


@pytest.mark.parametrize("body", [None, b"", b"{}", b"[1, 2]", b"not json"])
def test_a_missing_or_empty_pointer_keeps_the_last_good_version(url, endpoint, seeded_store, body):
    writer, prices, _series = _publish_v1(url, endpoint, seeded_store)
    reader = S3Store(url, endpoint, poll_seconds=0)
    reader.current()
    if body is None:
        writer.client().delete_object(Bucket=writer.bucket, Key=writer.key("current.json"))
    else:
        _set_pointer(writer, body)
    kept = reader.current()
    assert kept.snapshot.warning.code == "store.kept_no_pointer", kept.snapshot.detail
    assert kept.snapshot.warning.params["as_of"] == prices["date"].max().date().isoformat()
    pd.testing.assert_frame_equal(kept.prices, prices)
    fresh = S3Store(url, endpoint, poll_seconds=0)
    if body in (None, b"{}"):  # nothing published (yet): an empty store, as on a new deployment
        assert fresh.current().prices.empty
    else:
        _unavailable(fresh.current(), "store.unreadable")
    # the next publish repairs the pointer from the newest complete version
    assert writer.publish(prices, _series).status in {"published", "unchanged"}
    assert S3Store(url, endpoint, poll_seconds=0).current().provenance["version"] >= 1


def test_a_page_keeps_its_prices_and_says_why_when_the_pointer_disappears(url, endpoint, seeded_store, monkeypatch,
                                                                         tmp_path):
    writer, prices, _series = _publish_v1(url, endpoint, seeded_store)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "replica"))
    monkeypatch.setenv("DASHBOARD_REFRESH", "off")
    at = app_page("compare", lang="en")
    assert not at.exception
    from data_sources.shared.object_store import open_store

    open_store().poll_seconds = 0  # the replica's own store object: ask for the pointer on the next view
    writer.client().delete_object(Bucket=writer.bucket, Key=writer.key("current.json"))
    at = app_page("compare", lang="en")
    shown_text = _texts(at)
    assert not at.exception
    as_of = prices["date"].max().date().isoformat()
    assert text("en", "problem.store.kept_no_pointer", as_of=as_of) in shown_text
    assert "No prices yet" not in shown_text


PAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py"))
BAD_ENDPOINTS = ["minio:9000", "http//minio:9000", "http://:9000", "http://127.0.0.1:99999", "ftp://127.0.0.1:9000",
                 "http://127.0.0.1:9000/some/path"]


@pytest.mark.parametrize("endpoint_value", BAD_ENDPOINTS)
def test_a_malformed_endpoint_is_store_unreachable(monkeypatch, endpoint_value):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    shared = S3Store("s3://dashboard/market", endpoint_value, poll_seconds=0).current()
    assert "DASHBOARD_S3_ENDPOINT" in _unavailable(shared, "store.unreachable")


class _NotS3(http.server.BaseHTTPRequestHandler):
    """404 to everything: an HTML page, or no body at all (botocore then calls the error "404")."""

    body = b"<html><body>404 Not Found</body></html>"

    def _404(self) -> None:
        body = self.body
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _404

    def log_message(self, *args) -> None:
        pass


@contextmanager
def _answering_404(body: bytes) -> Iterator[str]:
    handler = type("NotS3", (_NotS3,), {"body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["html", "empty"])
def not_s3(request) -> Iterator[str]:
    """An endpoint answering 404 to everything, with an HTML page or with no body."""
    with _answering_404(b"" if request.param == "empty" else _NotS3.body) as endpoint:
        yield endpoint


@pytest.mark.parametrize("endpoint_kind", ["malformed", "404 to everything"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pages_say_the_store_is_unreachable_in_the_readers_words(monkeypatch, tmp_path, endpoint_kind, lang):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    name = {"malformed": "bad-endpoint", "404 to everything": "not-s3"}[endpoint_kind]
    monkeypatch.setenv("DASHBOARD_STORE_URL", f"s3://dashboard/{name}-{lang}")
    monkeypatch.setenv("DASHBOARD_REFRESH", "off")
    with _answering_404(b"") as not_s3:  # no body: the S3 client calls it "404", once read as "no pointer"
        monkeypatch.setenv("DASHBOARD_S3_ENDPOINT", "minio:9000" if endpoint_kind == "malformed" else not_s3)
        for page in PAGES:
            at = app_page(page, lang=lang)
            assert not at.exception, (page, [e.value for e in at.exception])
            shown_text = _texts(at)
            assert text(lang, "problem.store.unreachable") in shown_text, (page, shown_text[:300])
            for developer_text in ("No prices yet", "shared store", "DASHBOARD_S3_ENDPOINT", "127.0.0.1", "404"):
                assert developer_text not in shown_text, (page, developer_text, shown_text[:600])


def test_an_endpoint_answering_404_to_everything_is_not_an_empty_store(not_s3, monkeypatch):
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    shared = S3Store("s3://dashboard/market", not_s3, poll_seconds=0).current()
    assert "404" in _unavailable(shared, "store.unreachable")


def test_an_outage_keeps_the_version_read_before_and_is_not_asked_again_on_every_view(url, endpoint, seeded_store):
    _writer, prices, _series = _publish_v1(url, endpoint, seeded_store)
    with s3_proxy(endpoint) as proxy:
        reader = S3Store(url, proxy.url, poll_seconds=3600)
        reader.current()
        reader.poll_seconds = 0
        proxy.set_down(True)
        kept = reader.current()
        assert kept.snapshot.warning.code == "store.kept_unreachable"
        pd.testing.assert_frame_equal(kept.prices, prices)

        fresh = S3Store(url, proxy.url, poll_seconds=3600)
        _unavailable(fresh.current(), "store.unreachable")
        calls = _calls(fresh)
        for _ in range(10):  # within the poll interval: the failure is remembered, nothing is asked
            _unavailable(fresh.current(), "store.unreachable")
        assert calls == []


def test_views_do_not_wait_while_another_view_reads_a_new_version(url, endpoint, seeded_store):
    writer, prices, series = _publish_v1(url, endpoint, seeded_store)
    with s3_proxy(endpoint) as proxy:
        reader = S3Store(url, proxy.url, poll_seconds=0)
        reader.current()
        bumped = prices.assign(close=prices["close"] * 2)
        assert writer.publish(bumped, series).status == "published"
        proxy.hold = __import__("re").compile(r"/data/")  # the new version's object answers slowly
        slow: dict = {}
        loader = threading.Thread(target=lambda: slow.update(result=reader.current()), daemon=True)
        loader.start()
        assert proxy.holding.wait(60), "the new version was never asked for"
        done = threading.Event()
        other: dict = {}

        def another_view() -> None:
            other.update(result=reader.current())
            done.set()

        threading.Thread(target=another_view, daemon=True).start()
        assert done.wait(30), "a view waited behind the slow read"
        assert loader.is_alive()  # the slow read is still held back
        pd.testing.assert_frame_equal(other["result"].prices, prices)  # the last good version, meanwhile
        assert other["result"].snapshot.warning is None
        proxy.release.set()
        loader.join(60)
        pd.testing.assert_frame_equal(slow["result"].prices, bumped)
        assert reader.current().provenance["version"] == 2
