"""Market data on object storage: immutable versions plus one pointer, read by many app replicas.

Layout under ``s3://bucket/prefix/``::

    data/<sha256>.parquet        one published price table (content-addressed, never rewritten)
    news/<sha256>.parquet        the news snapshot published with it (same scheme; optional)
    versions/<0000000042>.json   the manifest of version 42: data key, hash, rows, as-of, publisher
    current.json                 the pointer: the current manifest plus the last refresh attempt

A publish writes the data object, then claims the next version number by creating its manifest with
``If-None-Match: *`` (S3 conditional write: exactly one writer can create a given key), then moves the
pointer with ``If-Match: <the ETag it read>``. The pointer is written last, so a reader always sees a
whole version; a publisher killed between two objects leaves the previous version current. A claimed
manifest whose pointer move never happened (its publisher died) is complete, and the next publisher
rolls the pointer forward to it.

Readers (:meth:`S3Store.current`) ask for the pointer at most every ``poll`` seconds with
``If-None-Match: <ETag>`` (a 304 costs one tiny request), and cache the decoded table by version.
The pointer and the conditional writes go through boto3; the Parquet objects are read with
``pyarrow.fs.S3FileSystem``.

:func:`open_store` is the one factory: a local folder (today's :class:`data_sources.store.Store`) or
an ``s3://`` URL.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data_sources.errors import Problem
from data_sources.settings import is_shared_url, settings
from data_sources.store.atomic import META_KEY, StoreError
from data_sources.store.frames import empty_prices
from data_sources.store.prices import PriceSnapshot, Store, now_utc, refresh_json, refresh_record

POINTER_KEY = "current.json"
KEEP_VERSIONS = 5  # data objects of older versions are deleted by the publisher
MAX_POINTER_BYTES = 1 << 20  # a pointer or manifest larger than this is refused before parsing
CACHED_VERSIONS = 2


@dataclass
class SharedPrices:
    """What a replica reads: the current prices, their version, and where they came from."""

    snapshot: PriceSnapshot
    version: str  # changes whenever the published data changes (cache key)
    provenance: dict = field(default_factory=dict)  # store, version number, published_at, publisher, refresh

    @property
    def prices(self) -> pd.DataFrame:
        return self.snapshot.prices


@dataclass
class PublishResult:
    """The outcome of one publish: ``published``, ``unchanged`` (same data; refresh info updated),
    ``conflict`` (another refresher claimed that version) or ``local`` (nothing to publish to)."""

    status: str
    version: int | None = None
    message: str = ""


class LocalStore(Store):
    """Today's local folder store, with the read API the shared store also has."""

    url_kind = "local"

    def cache_key(self) -> str:
        """Changes whenever the price table file is replaced."""
        try:
            stat = self.prices_path.stat()
        except OSError:
            return "missing"
        return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"

    def current(self) -> SharedPrices:
        """The stored prices with a version (the file's identity) and provenance."""
        key = self.cache_key()
        return SharedPrices(self.read(), key, {"store": str(self.root), "version": key})


class S3Store:
    """One ``s3://bucket/prefix`` store: publish (refresher) and read (replicas) versions."""

    url_kind = "s3"

    def __init__(self, url: str, endpoint: str | None = None, region: str | None = None,
                 poll_seconds: float | None = None) -> None:
        parsed = urlparse(url)
        if parsed.scheme.lower() != "s3" or not parsed.netloc:
            raise StoreError("shared.bad_url", url=url[:200])
        self.url = url.rstrip("/")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.endpoint = endpoint if endpoint is not None else (settings().s3_endpoint or None)
        self.region = region or settings().s3_region
        self.poll_seconds = poll_seconds if poll_seconds is not None else settings().store_poll
        self.root = self.url  # what pages print as "store:"
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._etag: str | None = None
        self._pointer: dict = {}
        self._versions: OrderedDict[str, PriceSnapshot] = OrderedDict()
        self._news: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._client = None
        self._fs = None

    # -- clients -----------------------------------------------------------------------------------------------
    def _where(self) -> str:
        return f"{self.url}" + (f" at {self.endpoint}" if self.endpoint else "")

    def _error(self, code: str, name: str, detail: str) -> StoreError:
        """A coded error about object ``name`` of this store (``detail``: what S3 or the check said)."""
        return StoreError(code, where=self._where(), name=name, detail=str(detail)[:300])

    def client(self):
        """The boto3 S3 client (created once; boto3 clients are thread-safe)."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "s3", endpoint_url=self.endpoint, region_name=self.region,
                config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                              s3={"addressing_style": "path"}))
        return self._client

    def filesystem(self):
        """The ``pyarrow.fs.S3FileSystem`` that reads the Parquet objects."""
        if self._fs is None:
            from pyarrow import fs

            kwargs: dict = {"region": self.region}
            if self.endpoint:
                endpoint = urlparse(self.endpoint)
                kwargs.update(endpoint_override=endpoint.netloc, scheme=endpoint.scheme or "https")
            key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
            if key and secret:
                kwargs.update(access_key=key, secret_key=secret, session_token=os.environ.get("AWS_SESSION_TOKEN"))
            self._fs = fs.S3FileSystem(**kwargs)
        return self._fs

    def key(self, name: str) -> str:
        """The object key of ``name`` under the prefix."""
        return f"{self.prefix}/{name}" if self.prefix else name

    @staticmethod
    def version_name(number: int) -> str:
        return f"versions/{number:010d}.json"

    # -- reading -----------------------------------------------------------------------------------------------
    def _get_json(self, name: str, if_none_match: str | None = None) -> tuple[dict | None, str | None]:
        """(payload, ETag) of a small JSON object; (None, None) when missing; (None, etag) when unchanged."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs = {"Bucket": self.bucket, "Key": self.key(name)}
        if if_none_match:
            kwargs["IfNoneMatch"] = if_none_match
        try:
            response = self.client().get_object(**kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in {"304", "NotModified"} or status == 304:
                return None, if_none_match
            if code in {"NoSuchKey", "404"}:
                return None, None
            raise self._error("shared.unreadable", name, f"{code or status}: {exc}"[:300]) from exc
        except BotoCoreError as exc:
            raise self._error("shared.unreadable", name, str(exc)[:300]) from exc
        size = int(response.get("ContentLength") or 0)
        if size > MAX_POINTER_BYTES:
            raise self._error("shared.damaged", name, f"{size} bytes; at most {MAX_POINTER_BYTES}")
        body = response["Body"].read(MAX_POINTER_BYTES + 1)
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise self._error("shared.damaged", name, f"not JSON ({exc})"[:300]) from exc
        if not isinstance(payload, dict):
            raise self._error("shared.damaged", name, "not a JSON object")
        return payload, response.get("ETag")

    def read_pointer(self) -> tuple[dict, str | None]:
        """The current pointer and its ETag (``({}, None)`` before the first publish)."""
        payload, etag = self._get_json(POINTER_KEY)
        return (payload or {}), etag

    def _load_version(self, pointer: dict) -> PriceSnapshot:
        """Read and check the data object a pointer names (hash and row count must match)."""
        data_key, digest = str(pointer.get("data_key", "")), str(pointer.get("sha256", ""))
        if not data_key or not digest:
            raise self._error("shared.damaged", POINTER_KEY, "names no data object")
        path = f"{self.bucket}/{self.key(data_key)}"
        try:
            with self.filesystem().open_input_stream(path) as stream:
                raw = stream.read()
        except (OSError, pa.ArrowException) as exc:
            raise self._error("shared.unreadable", data_key, str(exc)[:300]) from exc
        if hashlib.sha256(raw).hexdigest() != digest:
            raise self._error("shared.damaged", data_key, "sha256 differs from the manifest")
        table = pq.read_table(pa.BufferReader(raw))
        meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
        frame = table.to_pandas()
        return PriceSnapshot(frame if len(frame) else empty_prices(), meta.get("series", {}))

    def current(self) -> SharedPrices:
        """The current version (pointer checked at most every ``poll_seconds``; data cached by version).

        When the store cannot be reached but a version was read before, that version is served with a
        warning; before any successful read, raises :class:`StoreError` naming the bucket and endpoint.
        """
        with self._lock:
            now = time.monotonic()
            warning = None
            if now - self._checked_at >= self.poll_seconds:
                try:
                    payload, etag = self._get_json(POINTER_KEY, if_none_match=self._etag)
                    if payload is not None:
                        self._pointer, self._etag = payload, etag
                    elif etag is None:  # no pointer at all: nothing published yet
                        self._pointer, self._etag = {}, None
                    self._checked_at = now
                except StoreError as exc:
                    if not self._versions:
                        raise
                    warning = Problem("shared.served_last_good", {"cause": exc.problem})
            pointer = self._pointer
            version = str(pointer.get("sha256", "")) or "empty"
            if version == "empty":
                snap = PriceSnapshot(empty_prices(), {})
            elif version in self._versions:
                self._versions.move_to_end(version)
                snap = self._versions[version]
            else:
                try:
                    snap = self._load_version(pointer)
                except StoreError as exc:
                    if not self._versions:
                        raise
                    version, snap = next(reversed(self._versions.items()))
                    warning = Problem("shared.served_last_good", {"cause": exc.problem})
                else:
                    self._versions[version] = snap
                    while len(self._versions) > CACHED_VERSIONS:
                        self._versions.popitem(last=False)
            provenance = {"store": self.url, **{k: v for k, v in pointer.items() if k != "series"}}
        if warning:
            snap = PriceSnapshot(snap.prices, snap.series, warning)
        return SharedPrices(snap, version, provenance)

    def news(self) -> pd.DataFrame:
        """The news snapshot of the current version (the news frame of :func:`data_sources.news_store.load_news`),
        cached by its hash; empty when the version carries none. A damaged or unreadable news object serves the
        snapshot read before with ``frame.attrs["warning"]``, or raises :class:`StoreError` before any."""
        from data_sources.news.store import empty_news

        shared = self.current()
        pointer = self._pointer
        digest = str(pointer.get("news_sha256", "") or "")
        with self._lock:
            if not digest:
                return empty_news()
            if digest in self._news:
                self._news.move_to_end(digest)
                return self._news[digest]
        try:
            frame = self._load_news(pointer)
        except StoreError as exc:
            with self._lock:
                if not self._news:
                    raise
                frame = next(reversed(self._news.values())).copy()
            frame.attrs["warning"] = Problem("shared.served_last_good", {"cause": exc.problem})
            return frame
        with self._lock:
            self._news[digest] = frame
            while len(self._news) > CACHED_VERSIONS:
                self._news.popitem(last=False)
        del shared
        return frame

    def _load_news(self, pointer: dict) -> pd.DataFrame:
        from data_sources.news.store import decode_news

        news_key, digest = str(pointer.get("news_key", "")), str(pointer.get("news_sha256", ""))
        try:
            with self.filesystem().open_input_stream(f"{self.bucket}/{self.key(news_key)}") as stream:
                raw = stream.read()
        except (OSError, pa.ArrowException) as exc:
            raise self._error("shared.unreadable", news_key, str(exc)[:300]) from exc
        if hashlib.sha256(raw).hexdigest() != digest:
            raise self._error("shared.damaged", news_key, "sha256 differs from the manifest")
        return decode_news(raw)

    # The read API of data_sources.store.Store, so pages can use either store.
    def read(self) -> PriceSnapshot:
        """All published prices with their provenance (the current version)."""
        return self.current().snapshot

    def load_prices(self, symbols: Iterable[str] | None = None) -> pd.DataFrame:
        prices = self.read().prices
        if symbols is not None:
            prices = prices[prices["symbol"].isin(list(symbols))].reset_index(drop=True)
        return prices

    def last_refresh(self) -> dict:
        """The refresher's last attempt, as published in the pointer (``{}`` if none)."""
        self.current()
        return refresh_record(self._pointer.get("refresh"))

    def cache_key(self) -> str:
        """The current version (re-checked at most every ``poll_seconds``)."""
        return self.current().version

    def upsert(self, frame: pd.DataFrame, provenance: dict[str, dict]) -> int:
        raise StoreError("shared.read_only", url=self.url)

    def note_series(self, provenance: dict[str, dict]) -> None:
        self.upsert(empty_prices(), provenance)

    def record_refresh(self, outcome: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        self.upsert(empty_prices(), {})

    # -- publishing --------------------------------------------------------------------------------------------
    def _put(self, name: str, body: bytes, content_type: str, *, if_none_match: bool = False,
             if_match: str | None = None) -> str | None:
        """PUT one object; returns its ETag, or None when the precondition failed (HTTP 412)."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs = {"Bucket": self.bucket, "Key": self.key(name), "Body": body, "ContentType": content_type}
        if if_none_match:
            kwargs["IfNoneMatch"] = "*"
        if if_match:
            kwargs["IfMatch"] = if_match
        try:
            return self.client().put_object(**kwargs).get("ETag")
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in {409, 412} or code in {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"}:
                return None
            raise self._error("shared.write_failed", name, f"{code or status}: {exc}"[:300]) from exc
        except BotoCoreError as exc:
            raise self._error("shared.write_failed", name, str(exc)[:300]) from exc

    def stage(self, frame: pd.DataFrame, series: dict[str, dict], news: pd.DataFrame | None = None) -> dict:
        """Step 1: write the data object, and the news object when ``news`` is given (content-addressed, so
        rewriting the same data is harmless). Returns the manifest fields that describe them.
        """
        raw = encode_prices(frame, series)
        digest = hashlib.sha256(raw).hexdigest()
        data_key = f"data/{digest}.parquet"
        self._put(data_key, raw, "application/vnd.apache.parquet", if_none_match=True)
        as_of = pd.Timestamp(frame["date"].max()).date().isoformat() if len(frame) else None
        staged = {"data_key": data_key, "sha256": digest, "rows": len(frame),
                  "symbols": int(frame["symbol"].nunique()) if len(frame) else 0, "as_of": as_of,
                  "bytes": len(raw)}
        if news is not None and len(news):
            from data_sources.news.store import encode_news

            news_raw = encode_news(news)
            news_digest = hashlib.sha256(news_raw).hexdigest()
            news_key = f"news/{news_digest}.parquet"
            self._put(news_key, news_raw, "application/vnd.apache.parquet", if_none_match=True)
            staged.update(news_key=news_key, news_sha256=news_digest, news_rows=len(news))
        return staged

    def claim(self, staged: dict, number: int) -> dict | None:
        """Step 2: create manifest ``number`` with ``If-None-Match: *``; None when another writer has it."""
        manifest = {**staged, "version": number, "published_at": now_utc().isoformat(timespec="seconds"),
                    "publisher": f"{socket.gethostname()}:{os.getpid()}"}
        body = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
        etag = self._put(self.version_name(number), body, "application/json", if_none_match=True)
        return manifest if etag is not None else None

    def point(self, manifest: dict, refresh: dict | None, pointer_etag: str | None) -> bool:
        """Step 3: move the pointer (``If-Match`` the ETag read, or ``If-None-Match: *`` for the first)."""
        body = json.dumps({**manifest, "refresh": refresh or {}}, ensure_ascii=False, sort_keys=True).encode()
        if pointer_etag is None:
            return self._put(POINTER_KEY, body, "application/json", if_none_match=True) is not None
        return self._put(POINTER_KEY, body, "application/json", if_match=pointer_etag) is not None

    def publish(self, frame: pd.DataFrame, series: dict[str, dict], refresh: dict | None = None,
                news: pd.DataFrame | None = None) -> PublishResult:
        """Publish ``frame`` (tidy prices), ``series`` provenance and the ``news`` snapshot as the next version.

        Same data and news as the current version: only the pointer's refresh info changes (``unchanged``).
        Another refresher claimed the next number first: ``conflict``, nothing of ours is current.
        """
        pointer, etag = self.read_pointer()
        return self.publish_staged(pointer, etag, self.stage(frame, series, news), refresh)

    def publish_staged(self, pointer: dict, etag: str | None, staged: dict, refresh: dict | None) -> PublishResult:
        """The rest of :meth:`publish` once the data object is written: claim the next number, move the pointer."""
        current = int(pointer.get("version", 0) or 0)
        if pointer and all(pointer.get(k) == staged.get(k) for k in ("sha256", "news_sha256")):
            manifest = {k: v for k, v in pointer.items() if k != "refresh"}
            if self.point(manifest, refresh, etag):
                return PublishResult("unchanged", current, f"version {current} already holds this data")
            return PublishResult("conflict", current, "another refresher moved the pointer meanwhile")
        number = current + 1
        manifest = self.claim(staged, number)
        if manifest is None:
            self._roll_forward(number, etag)
            return PublishResult("conflict", number, f"version {number} was claimed by another refresher")
        for _attempt in range(5):
            if self.point(manifest, refresh, etag):
                self.prune(number)
                return PublishResult("published", number, f"published version {number} ({staged['rows']} rows)")
            pointer, etag = self.read_pointer()  # refresh info updated meanwhile; we still own `number`
            if int(pointer.get("version", 0) or 0) >= number:
                break
        return PublishResult("conflict", number, f"the pointer moved past version {number} meanwhile")

    def _roll_forward(self, number: int, pointer_etag: str | None) -> None:
        """A manifest exists for ``number`` but the pointer is older: its publisher died after claiming
        (or is about to move the pointer). The manifest is complete, so point to it."""
        manifest, _ = self._get_json(self.version_name(number))
        pointer, etag = self.read_pointer()
        if manifest and etag == pointer_etag and int(pointer.get("version", 0) or 0) < number:
            self.point(manifest, pointer.get("refresh"), etag)

    def prune(self, newest: int, keep: int = KEEP_VERSIONS) -> int:
        """Delete the data objects of versions older than the last ``keep`` (manifests stay, they are tiny)."""
        keep_keys = set()
        for number in range(max(1, newest - keep + 1), newest + 1):
            manifest, _ = self._get_json(self.version_name(number))
            if manifest:
                keep_keys.update(self.key(str(manifest[k])) for k in ("data_key", "news_key") if manifest.get(k))
        paginator = self.client().get_paginator("list_objects_v2")
        stale = [item["Key"] for folder in ("data/", "news/")
                 for page in paginator.paginate(Bucket=self.bucket, Prefix=self.key(folder))
                 for item in page.get("Contents", []) if item["Key"] not in keep_keys]
        for start in range(0, len(stale), 1000):
            self.client().delete_objects(Bucket=self.bucket,
                                         Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
        return len(stale)


def encode_prices(frame: pd.DataFrame, series: dict[str, dict]) -> bytes:
    """The Parquet bytes of one version (same layout and metadata key as the local table)."""
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps({"series": series}, ensure_ascii=False, sort_keys=True, default=str).encode()
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), buffer, compression="zstd")
    return buffer.getvalue()


_OPEN: dict[tuple, S3Store] = {}
_OPEN_LOCK = threading.Lock()


def open_store(url: str | None = None) -> LocalStore | S3Store:
    """The store named by ``url`` (default ``$DASHBOARD_STORE_URL``): a local folder or ``s3://bucket/prefix``.

    Empty means today's local data dir. S3 stores are kept per process (one pointer cache per replica).
    """
    url = settings().store_url if url is None else url.strip()
    if not is_shared_url(url):
        return LocalStore(Path(url).expanduser() if url else settings().store_folder)
    key = (url, (settings().s3_endpoint or None), settings().s3_region, settings().store_poll)
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = S3Store(url, key[1], key[2], key[3])
        return _OPEN[key]


def current_prices(url: str | None = None) -> SharedPrices:
    """For the app's loaders: the current prices frame, its version (a cache key) and provenance."""
    return open_store(url).current()


def publish_from_local(store: Store, target: LocalStore | S3Store | None = None) -> PublishResult:
    """Publish the refresher's local store (prices, provenance, last refresh) to the shared store.

    ``target`` defaults to ``$DASHBOARD_STORE_URL``; a local target means there is nothing to publish.
    An empty local store is never published over a shared version.
    """
    target = open_store() if target is None else target
    if not isinstance(target, S3Store):
        return PublishResult("local", None, f"the store is the local folder {target.root}; nothing to publish")
    from data_sources.news.store import load_news

    snap = store.read()
    if snap.prices.empty:
        return PublishResult("unchanged", None, f"the local store {store.root} holds no prices; nothing published")
    return target.publish(snap.prices, snap.series, refresh_json(store.last_refresh()), news=load_news(store.root))


def seed_local_from_shared(store: Store, target: S3Store) -> bool:
    """A refresher starting on an empty folder first copies the current shared version (prices, and news
    when it holds none) into it, so its next publish extends that version rather than replacing it.
    True when it copied."""
    from data_sources.news.store import load_news, seed_news

    copied = False
    if store.read().prices.empty:
        shared = target.current()
        if not shared.prices.empty:
            store.upsert(shared.prices, shared.snapshot.series)
            copied = True
    if load_news(store.root).empty:  # the published news too, so the next publish never drops items
        copied = seed_news(store.root, target.news()) or copied
    return copied
