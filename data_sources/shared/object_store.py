"""Market data on object storage: immutable versions plus one pointer, read by many app replicas.

Layout under ``s3://bucket/prefix/``::

    data/<sha256>.parquet        one published price table (content-addressed)
    news/<sha256>.parquet        the news snapshot published with it (same scheme; optional)
    versions/<0000000042>.json   the manifest of version 42: object keys, hashes, sizes, rows, as-of, publisher
    current.json                 the pointer: the current manifest plus the last refresh attempt

Publishing (the refresher only) is :mod:`data_sources.shared.publish`. Reading (:meth:`S3Store.current`):

- the pointer is asked for at most every ``poll`` seconds (``If-None-Match``: a 304 costs one tiny request),
  by one view at a time; other views meanwhile use what was read before (only a process's very first view waits);
- what the pointer names is checked before it is read (:mod:`data_sources.shared.versions`: the key, the size
  from the manifest and a HEAD, the hash, the decoding). A version is read by one view at a time, outside the
  lock that guards the caches; other views get the last good version meanwhile;
- a version that fails its checks is remembered and not read again for ``DASHBOARD_STORE_BAD_RETRY`` seconds
  (a missing object: until the next poll); the last good version is served with a warning
  (:class:`SharedSnapshot` ``warning``, worded by ``ui/``; ``detail`` for operators);
- a missing, empty or malformed pointer, or a store that cannot be reached, keeps the last good version with a
  warning. Before any version was read, an unreachable store or an unreadable version reads as no prices with
  the problem (``store.unreachable`` / ``store.unreadable``), so every page works as on an empty store and
  says why; the store is asked again only once per poll interval. Nothing here raises for a page.

:func:`open_store` is the one factory: a local folder (today's :class:`data_sources.store.prices.Store`) or an
``s3://`` URL.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from data_sources.errors import Problem, StoreError
from data_sources.settings import is_shared_url, settings
from data_sources.shared.publish import POINTER_KEY, Publisher, PublishResult, version_name, version_of
from data_sources.shared.s3io import UNREACHABLE, UNREADABLE, Bucket, SharedStoreError
from data_sources.shared.snapshot import LocalStore, SharedPrices, SharedSnapshot
from data_sources.shared.versions import decode_news, decode_prices, encode_prices, names, read_object
from data_sources.store.frames import empty_prices
from data_sources.store.prices import PriceSnapshot, refresh_record

__all__ = ["POINTER_KEY", "LocalStore", "PublishResult", "S3Store", "SharedPrices", "SharedSnapshot",
           "current_prices", "encode_prices", "open_store"]

CACHED_VERSIONS = 2
REMEMBERED_BAD = 16
KEPT_UNREACHABLE = "store.kept_unreachable"  # the store cannot be reached: the version read before is served
KEPT_UNREADABLE = "store.kept_unreadable"  # the current version failed its checks: the last good one is served
KEPT_NO_POINTER = "store.kept_no_pointer"  # the pointer is gone, empty or malformed: the last good one is served
KEPT_NEWS = "store.kept_news"  # the current news object cannot be read: the news read before is served


class S3Store:
    """One ``s3://bucket/prefix`` store: read by replicas (this class), published by the refresher (:meth:`publish`)."""

    url_kind = "s3"

    def __init__(self, url: str, endpoint: str | None = None, region: str | None = None,
                 poll_seconds: float | None = None, *, max_bytes: int | None = None,
                 bad_retry_seconds: float | None = None) -> None:
        self.endpoint = endpoint if endpoint is not None else (settings().s3_endpoint or None)
        self.io = Bucket(url, self.endpoint, region)
        self.url, self.bucket, self.prefix, self.region = self.io.url, self.io.name, self.io.prefix, self.io.region
        self.root = self.url  # what pages print as "store:"
        self.poll_seconds = poll_seconds if poll_seconds is not None else settings().store_poll
        self.max_bytes = max_bytes if max_bytes is not None else settings().store_max_bytes
        self.bad_retry = bad_retry_seconds if bad_retry_seconds is not None else settings().store_bad_retry
        self.on_step = None  # a publish's fault-injection hook (tests)
        self._lock = threading.Lock()  # guards the fields below; never held during a request
        self._pointer_lock = threading.Lock()  # one pointer check at a time
        self._load_lock = threading.Lock()  # one price object read at a time
        self._news_lock = threading.Lock()  # one news object read at a time
        self._checked_at = float("-inf")
        self._etag: str | None = None
        self._pointer: dict = {}
        self._pointer_error: SharedStoreError | None = None
        self._versions: OrderedDict[str, tuple[PriceSnapshot, dict]] = OrderedDict()  # sha256 -> (snapshot, manifest)
        self._last_good: str | None = None
        self._bad: OrderedDict[str, tuple[SharedStoreError, float]] = OrderedDict()  # sha256 -> (error, retry at)
        self._news: OrderedDict[str, pd.DataFrame] = OrderedDict()

    # -- plumbing -------------------------------------------------------------------------------------------------
    def client(self) -> Any:
        """The boto3 S3 client."""
        return self.io.client()

    def key(self, name: str) -> str:
        """The object key of ``name`` under the prefix."""
        return self.io.key(name)

    @staticmethod
    def version_name(number: int) -> str:
        return version_name(number)

    # -- the pointer ----------------------------------------------------------------------------------------------
    def _check_pointer(self) -> None:
        """Ask for the pointer when the poll interval has passed; one view at a time, the others go on with what was
        read before. A failure is remembered until the next interval (no request per view)."""
        with self._lock:
            if time.monotonic() - self._checked_at < self.poll_seconds:
                return
            checked_before = self._checked_at != float("-inf")
        if not self._pointer_lock.acquire(blocking=not checked_before):
            return
        try:
            with self._lock:
                if time.monotonic() - self._checked_at < self.poll_seconds:
                    return
                etag = self._etag
            try:
                payload, new_etag = self.io.get_json(POINTER_KEY, if_none_match=etag)
            except SharedStoreError as exc:
                with self._lock:
                    self._pointer_error, self._checked_at = exc, time.monotonic()
                    if exc.problem.code == UNREADABLE:  # the pointer itself is damaged: it names nothing
                        self._pointer, self._etag = {}, None
                return
            with self._lock:
                self._pointer_error, self._checked_at = None, time.monotonic()
                if payload is not None:
                    self._pointer, self._etag = payload, new_etag
                elif new_etag is None:  # no pointer
                    self._pointer, self._etag = {}, None
        finally:
            self._pointer_lock.release()

    def read_pointer(self) -> tuple[dict, str | None]:
        """The current pointer and its ETag, asked now (``({}, None)`` before the first publish)."""
        return self.publisher().read_pointer()

    # -- reading --------------------------------------------------------------------------------------------------
    def current(self) -> SharedPrices:
        """The current version, or the last good one with a warning, or no prices with the problem (module
        docstring); ``snapshot.warning`` says which (None: all is well)."""
        self._check_pointer()
        with self._lock:
            pointer, error = self._pointer, self._pointer_error
        ident = str(pointer.get("sha256")) if names(pointer, "data") else ""
        if not ident:
            if self._good() is not None:
                code = KEPT_UNREACHABLE if error is not None and error.problem.code == UNREACHABLE else KEPT_NO_POINTER
                return self._kept(code, error)
            return self._nothing(error, pointer)
        cached = self._cached(ident, pointer)
        if cached is not None:
            return cached if error is None else self._kept(KEPT_UNREACHABLE, error, ident)
        bad = self._bad_error(ident)
        if bad is not None:
            return self._kept(KEPT_UNREADABLE, bad)
        return self._load(ident, pointer)

    def _good(self) -> str | None:
        with self._lock:
            return self._last_good if self._last_good in self._versions else None

    def _provenance(self, manifest: dict) -> dict:
        return {"store": self.url, **{k: v for k, v in manifest.items() if k != "series"}}

    def _cached(self, ident: str, pointer: dict) -> SharedPrices | None:
        with self._lock:
            if ident not in self._versions:
                return None
            snap, _manifest = self._versions[ident]
            self._versions[ident] = (snap, pointer)  # same prices, maybe newer news or refresh info
            self._versions.move_to_end(ident)
            self._last_good = ident
        return SharedPrices(SharedSnapshot(snap.prices, snap.series), ident, self._provenance(pointer))

    def _nothing(self, cause: SharedStoreError | None, pointer: dict) -> SharedPrices:
        """No prices: nothing published yet (no problem), or nothing readable yet (``cause``'s problem)."""
        if cause is None:
            return SharedPrices(SharedSnapshot(empty_prices(), {}), "empty", self._provenance(pointer))
        snap = SharedSnapshot(empty_prices(), {}, cause.problem, str(cause))
        return SharedPrices(snap, "unavailable", self._provenance({}))

    def _kept(self, code: str, cause: SharedStoreError | None, ident: str | None = None) -> SharedPrices:
        """The last good version (or ``ident``'s) with a warning saying why; no prices and ``cause``'s problem when
        there is none."""
        with self._lock:
            ident = ident or self._last_good
            entry = self._versions.get(ident) if ident else None
        if entry is None:
            return self._nothing(cause, {})
        snap, manifest = entry
        why = str(cause) if cause is not None else "the pointer names no version"
        warning = f"{why}; serving version {version_of(manifest)} read before"
        problem = Problem(code, {"as_of": str(manifest.get("as_of") or "—")})
        return SharedPrices(SharedSnapshot(snap.prices, snap.series, problem, warning), ident,
                            self._provenance(manifest))

    def _bad_error(self, ident: str) -> SharedStoreError | None:
        with self._lock:
            entry = self._bad.get(ident)
            if entry is None:
                return None
            if time.monotonic() >= entry[1]:
                del self._bad[ident]
                return None
            return entry[0]

    def _remember_bad(self, ident: str, exc: SharedStoreError) -> None:
        wait = self.poll_seconds if exc.transient or exc.problem.code == UNREACHABLE else self.bad_retry
        with self._lock:
            self._bad[ident] = (exc, time.monotonic() + wait)
            self._bad.move_to_end(ident)
            while len(self._bad) > REMEMBERED_BAD:
                self._bad.popitem(last=False)

    def _load(self, ident: str, pointer: dict) -> SharedPrices:
        """Read version ``ident`` (one view at a time; the others get the last good version meanwhile)."""
        if not self._load_lock.acquire(blocking=self._good() is None):
            return self._kept_quietly()
        try:
            cached = self._cached(ident, pointer)
            if cached is not None:
                return cached
            bad = self._bad_error(ident)
            if bad is not None:
                return self._kept(KEPT_UNREADABLE, bad)
            try:
                raw = read_object(self.io, pointer, "data", self.max_bytes)
                snap = decode_prices(raw, self.io, pointer)
            except SharedStoreError as exc:
                self._remember_bad(ident, exc)
                return self._kept(KEPT_UNREACHABLE if exc.problem.code == UNREACHABLE else KEPT_UNREADABLE, exc)
            with self._lock:
                self._versions[ident] = (snap, pointer)
                self._last_good = ident
                while len(self._versions) > CACHED_VERSIONS:
                    self._versions.popitem(last=False)
            return SharedPrices(SharedSnapshot(snap.prices, snap.series), ident, self._provenance(pointer))
        finally:
            self._load_lock.release()

    def _kept_quietly(self) -> SharedPrices:
        """The last good version without a warning (a newer one is being read by another view right now)."""
        with self._lock:
            ident = self._last_good
            snap, manifest = self._versions[ident]
        return SharedPrices(SharedSnapshot(snap.prices, snap.series), ident, self._provenance(manifest))

    def news(self) -> pd.DataFrame:
        """The news snapshot of the version served (the frame :func:`data_sources.news.store.load_news` returns),
        cached by its hash; empty when the version carries none (or no version could be read: the prices say
        why). A news object that fails its checks serves the snapshot read before with
        ``frame.attrs["warning"]`` (a :class:`Problem`), or raises :class:`StoreError` before any."""
        from data_sources.news.frame import empty_news

        shared = self.current()
        with self._lock:
            manifest = self._versions.get(shared.version, (None, {}))[1]
        if not names(manifest, "news"):
            return empty_news()
        ident = str(manifest.get("news_sha256"))
        with self._lock:
            if ident in self._news:
                self._news.move_to_end(ident)
                return self._news[ident]
        if not self._news_lock.acquire(blocking=not self._news):
            return self._news_read_before(None)
        try:
            bad = self._bad_error("news:" + ident)
            if bad is None:
                try:
                    frame = decode_news(read_object(self.io, manifest, "news", self.max_bytes), self.io, manifest)
                except SharedStoreError as exc:
                    self._remember_bad("news:" + ident, exc)
                    bad = exc
            if bad is not None:
                return self._news_read_before(bad)
            with self._lock:
                self._news[ident] = frame
                while len(self._news) > CACHED_VERSIONS:
                    self._news.popitem(last=False)
            return frame
        finally:
            self._news_lock.release()

    def _news_read_before(self, cause: SharedStoreError | None) -> pd.DataFrame:
        with self._lock:
            if not self._news:
                if cause is not None:
                    raise cause
                from data_sources.news.frame import empty_news

                return empty_news()
            frame = next(reversed(self._news.values())).copy()
        if cause is not None:
            frame.attrs["warning"] = Problem(KEPT_NEWS, {"cause": cause.problem})
        return frame

    # The read API of data_sources.store.prices.Store, so pages can use either store.
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
        with self._lock:
            refresh = self._pointer.get("refresh")
        return refresh_record(refresh)

    def cache_key(self) -> str:
        """The version served (re-checked at most every ``poll_seconds``)."""
        return self.current().version

    def upsert(self, frame: pd.DataFrame, provenance: dict[str, dict]) -> int:
        raise StoreError("shared.read_only", url=self.url)

    def note_series(self, provenance: dict[str, dict]) -> None:
        self.upsert(empty_prices(), provenance)

    def record_refresh(self, outcome: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        self.upsert(empty_prices(), {})

    # -- publishing (the refresher) --------------------------------------------------------------------------------
    def publisher(self) -> Publisher:
        """The publish protocol on this bucket (:mod:`data_sources.shared.publish`)."""
        return Publisher(self.io, max_bytes=self.max_bytes, on_step=self.on_step)

    def publish(self, frame: pd.DataFrame, series: dict[str, dict], refresh: dict | None = None,
                news: pd.DataFrame | None = None) -> PublishResult:
        """Publish ``frame`` (tidy prices), ``series`` provenance and the ``news`` snapshot, merged onto the
        current version (:meth:`data_sources.shared.publish.Publisher.publish`)."""
        return self.publisher().publish(frame, series, refresh, news)

    def prune(self) -> int:
        """Delete the objects no recent or pending version needs (the prune rule in :mod:`~.publish`)."""
        return self.publisher().prune()


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
