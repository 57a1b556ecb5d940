"""Publishing a version so that the pointer never names an object that is not there, and refreshers never undo
each other's data.

One publish, in steps (each a fault-injection point: ``on_step(name)`` for in-process tests, and
``DASHBOARD_FAULT_AT=publish-<name>`` SIGKILLs the process there):

1. read the pointer; **roll forward** a complete claim newer than it (a publisher that died between claiming
   ``versions/N.json`` and moving the pointer): only a claim made on the current version (its
   ``base_version``), whose objects all exist, so rolling forward never drops data; no pointer at all, or a
   pointer that is not JSON, is repaired from the newest complete manifest;
2. ``merged``: read the current version and merge onto it (:mod:`data_sources.shared.merge`); when the result
   is the current version, only the pointer's refresh info is updated (``unchanged``);
3. ``staged``: write the new objects (content-addressed; always written, so a re-used object's age restarts);
4. ``claimed``: create ``versions/N.json`` (N above every manifest) with ``If-None-Match: *``; when another
   publisher has N, start again from 1 (its version is rolled forward, then ours is merged onto it);
5. ``verified``: HEAD every object the manifest names; one of ours that is missing is written again;
6. ``pointed``: move the pointer with ``If-Match`` (the ETag read in 1), then check the objects once more;
7. ``pruned``: delete old objects (below; ``prune-listed`` is the point between listing and deleting).

**Prune rule** (chosen over a single lease-holding refresher, which would need a lease that expires, a clock
to trust and a stalled holder to be detected): an object is kept when the pointer's manifest, one of the
``keep`` manifests before it, or *any* manifest newer than the pointer names it, or when it was written less
than the grace period ago by the store's own clock (an object staged by a publish that has not claimed yet;
``DASHBOARD_PRUNE_GRACE``, default 1 h). Step 5 covers a publisher paused for longer than that.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from data_sources.settings import settings
from data_sources.shared.merge import merge_news, merge_prices, same_prices
from data_sources.shared.s3io import UNREADABLE, Bucket, SharedStoreError
from data_sources.shared.versions import (
    FIELDS,
    checked_ref,
    decode_news,
    decode_prices,
    encode_news,
    encode_prices,
    names,
    object_name,
    read_object,
)
from data_sources.store.atomic import fault_point
from data_sources.store.prices import PriceSnapshot, now_utc

POINTER_KEY = "current.json"
KEEP_VERSIONS = 5  # data objects of the pointer's version and the 4 before it are kept
MAX_ROUNDS = 8  # rounds of "read, merge, claim" before a publish gives up (other publishers kept winning)
SCAN_MANIFESTS = 20  # at most this many manifests newer than the pointer are read when rolling forward
PARQUET = "application/vnd.apache.parquet"
FIELDS_NEWS = ("news_key", "news_sha256", "news_rows", "news_bytes")


@dataclass
class PublishResult:
    """The outcome of one publish: ``published``, ``unchanged`` (the current version already holds the data; its
    refresh info updated), ``conflict`` (gave up: other publishers kept moving the pointer) or ``local`` (the
    store is a local folder: nothing to publish to)."""

    status: str
    version: int | None = None
    message: str = ""


def version_name(number: int) -> str:
    """The manifest of version ``number``."""
    return f"versions/{number:010d}.json"


def version_of(manifest: dict) -> int:
    """A manifest's version number (0 for none or junk)."""
    value = manifest.get("version") if isinstance(manifest, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _number_of(key: str) -> int | None:
    stem = key.rsplit("/", 1)[-1].removesuffix(".json")
    return int(stem) if stem.isdigit() and key.endswith(".json") else None


class Publisher:
    """Publishes versions to one bucket (see the module docstring for the steps and the prune rule)."""

    def __init__(self, bucket: Bucket, *, max_bytes: int | None = None, grace_seconds: float | None = None,
                 keep: int = KEEP_VERSIONS, on_step: Callable[[str], None] | None = None) -> None:
        self.bucket = bucket
        self.max_bytes = max_bytes if max_bytes is not None else settings().store_max_bytes
        self.grace = grace_seconds if grace_seconds is not None else settings().prune_grace
        self.keep = keep
        self.on_step = on_step

    def step(self, name: str) -> None:
        """A fault-injection point."""
        if self.on_step is not None:
            self.on_step(name)
        fault_point(f"publish-{name}")

    # -- the pointer and the manifests --------------------------------------------------------------------------
    def read_pointer(self) -> tuple[dict, str | None]:
        """The pointer and its ETag: ``({}, None)`` when there is none, ``({}, ETag)`` when it is not a JSON object
        (so the next publish replaces it)."""
        try:
            payload, etag = self.bucket.get_json(POINTER_KEY)
        except SharedStoreError as exc:
            if exc.problem.code != UNREADABLE:
                raise
            head = self.bucket.head(POINTER_KEY)
            return {}, (head[1] if head else None)
        return payload or {}, etag

    def point(self, manifest: dict, refresh: dict | None, etag: str | None) -> bool:
        """Move the pointer to ``manifest`` if it still has ``etag`` (``None``: only if there is no pointer)."""
        body = json.dumps({**manifest, "refresh": refresh or {}}, ensure_ascii=False, sort_keys=True,
                          default=str).encode()
        if etag is None:
            return self.bucket.put(POINTER_KEY, body, "application/json", if_none_match=True) is not None
        return self.bucket.put(POINTER_KEY, body, "application/json", if_match=etag) is not None

    def manifest_numbers(self, after: int) -> list[int]:
        """The numbers of the manifests above ``after``, ascending."""
        listed, _ = self.bucket.listing("versions/", start_after=version_name(after))
        return sorted(n for n in (_number_of(item.key) for item in listed) if n is not None and n > after)

    def manifest(self, number: int) -> dict | None:
        """Manifest ``number``; None when it is missing or not a manifest of that number."""
        try:
            payload, _ = self.bucket.get_json(version_name(number))
        except SharedStoreError as exc:
            if exc.problem.code != UNREADABLE:
                raise
            return None
        return payload if payload and version_of(payload) == number else None

    def complete(self, manifest: dict) -> bool:
        """True when every object ``manifest`` names is a well-formed key that exists with the size it gives."""
        for kind in FIELDS:
            if not names(manifest, kind) and kind == "news":
                continue
            try:
                name, _, size = checked_ref(self.bucket, manifest, kind)
            except SharedStoreError:
                return False
            head = self.bucket.head(name)
            if head is None or (size is not None and head[0] != size):
                return False
        return True

    def advance(self, pointer: dict, etag: str | None) -> tuple[dict, str | None, int]:
        """Roll the pointer forward over complete claims made on it (step 1). Returns the pointer, its ETag and
        the highest manifest number seen (the next claim goes above it)."""
        highest = version_of(pointer)
        for _round in range(MAX_ROUNDS):
            current = version_of(pointer)
            numbers = self.manifest_numbers(current)
            highest = max([highest, current, *numbers])
            target = None
            for number in reversed(numbers[-SCAN_MANIFESTS:]):
                manifest = self.manifest(number)
                if manifest is None:
                    continue
                base = manifest.get("base_version", number - 1)  # manifests before base_version: always N-1
                if current and base != current:
                    continue  # made on an older version: pointing at it would drop what came since
                if self.complete(manifest):
                    target = manifest
                    break
            if target is None:
                return pointer, etag, highest
            if self.point({k: v for k, v in target.items() if k != "refresh"}, pointer.get("refresh"), etag):
                self.step("rolled-forward")
            pointer, etag = self.read_pointer()
        return pointer, etag, highest

    # -- one publish --------------------------------------------------------------------------------------------
    def base(self, pointer: dict) -> tuple[PriceSnapshot | None, pd.DataFrame | None, str]:
        """The current version's prices and news (None where it has none), and a note when it cannot be read
        (a damaged version is published over, not merged; an unreachable store raises)."""
        prices = news = None
        try:
            if names(pointer, "data"):
                prices = decode_prices(read_object(self.bucket, pointer, "data", self.max_bytes), self.bucket, pointer)
            if names(pointer, "news"):
                news = decode_news(read_object(self.bucket, pointer, "news", self.max_bytes), self.bucket, pointer)
        except SharedStoreError as exc:
            if exc.problem.code != UNREADABLE:
                raise
            return prices, news, f"version {version_of(pointer)} could not be read ({exc}), so it was not merged"
        return prices, news, ""

    def publish(self, frame: pd.DataFrame, series: dict[str, dict], refresh: dict | None = None,
                news: pd.DataFrame | None = None) -> PublishResult:
        """Publish ``frame`` (tidy prices), ``series`` provenance and the ``news`` snapshot, merged onto the
        current version, as the next version (steps in the module docstring)."""
        for _round in range(MAX_ROUNDS):
            pointer, etag = self.read_pointer()
            pointer, etag, highest = self.advance(pointer, etag)
            current = version_of(pointer)
            base_prices, base_news, note = self.base(pointer)
            prices, merged_series = merge_prices(frame, series, base_prices.prices if base_prices else None,
                                                 base_prices.series if base_prices else None)
            merged_news = merge_news(news, base_news)
            self.step("merged")
            staged, bodies = self.stage(pointer, base_prices, base_news, prices, merged_series, merged_news)
            if staged is None:
                if self.point({k: v for k, v in pointer.items() if k != "refresh"}, refresh, etag):
                    return PublishResult("unchanged", current, f"version {current} already holds this data")
                continue
            self.step("staged")
            manifest = self.claim(staged, highest + 1, current)
            if manifest is None:
                continue
            self.step("claimed")
            result = self.finish(manifest, bodies, refresh, etag, current)
            if result is not None:
                merged = "" if prices is frame else f", merged onto version {current}"
                result.message += merged + (f"; {note}" if note else "")
                return result
        return PublishResult("conflict", None, f"gave up after {MAX_ROUNDS} rounds: other refreshers kept moving "
                                               "the pointer")

    def stage(self, pointer: dict, base_prices: PriceSnapshot | None, base_news: pd.DataFrame | None,
              prices: pd.DataFrame, series: dict[str, dict], news: pd.DataFrame | None
              ) -> tuple[dict | None, dict[str, bytes]]:
        """Write the objects that are new (step 3). Returns the manifest fields and the bodies written, or
        ``(None, {})`` when prices and news are the current version's."""
        staged: dict = {}
        bodies: dict[str, bytes] = {}
        raw = encode_prices(prices, series)
        digest = hashlib.sha256(raw).hexdigest()
        if base_prices is not None and (digest == pointer.get("sha256") or same_prices(
                prices, series, base_prices.prices, base_prices.series)):  # (a damaged current object is rewritten)
            staged.update({k: pointer[k] for k in ("data_key", "sha256", "rows", "symbols", "as_of", "bytes")
                           if k in pointer})
        else:
            as_of = pd.Timestamp(prices["date"].max()).date().isoformat() if len(prices) else None
            staged.update(data_key=object_name("data", digest), sha256=digest, rows=len(prices),
                          symbols=int(prices["symbol"].nunique()) if len(prices) else 0, as_of=as_of, bytes=len(raw))
            bodies[staged["data_key"]] = raw
        if news is not None and len(news):
            news_raw = encode_news(news)
            news_digest = hashlib.sha256(news_raw).hexdigest()
            if base_news is not None and (news_digest == pointer.get("news_sha256")
                                          or encode_news(base_news) == news_raw):
                staged.update({k: pointer[k] for k in FIELDS_NEWS if k in pointer})
            else:
                staged.update(news_key=object_name("news", news_digest), news_sha256=news_digest,
                              news_rows=len(news), news_bytes=len(news_raw))
                bodies[staged["news_key"]] = news_raw
        if not bodies and all(staged.get(k) == pointer.get(k) for k in ("sha256", "news_sha256")):
            return None, {}
        for name, body in bodies.items():
            self.bucket.put(name, body, PARQUET)  # unconditional: same bytes, and the object's age restarts
        return staged, bodies

    def claim(self, staged: dict, number: int, base_version: int) -> dict | None:
        """Create manifest ``number`` (step 4); None when another publisher has it."""
        manifest = {**staged, "version": number, "base_version": base_version,
                    "published_at": now_utc().isoformat(timespec="seconds"),
                    "publisher": f"{socket.gethostname()}:{os.getpid()}"}
        body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, default=str).encode()
        return manifest if self.bucket.put(version_name(number), body, "application/json",
                                           if_none_match=True) is not None else None

    def restore(self, manifest: dict, bodies: dict[str, bytes]) -> bool:
        """Steps 5 and 6: every object ``manifest`` names exists (ours are written again when missing)."""
        for kind in FIELDS:
            if not names(manifest, kind):
                continue
            name, _, size = checked_ref(self.bucket, manifest, kind)
            head = self.bucket.head(name)
            if head is not None and (size is None or head[0] == size):
                continue
            if name not in bodies:
                return False
            self.bucket.put(name, bodies[name], PARQUET)
        return True

    def finish(self, manifest: dict, bodies: dict[str, bytes], refresh: dict | None, etag: str | None,
               base_version: int) -> PublishResult | None:
        """Steps 5–7 for a claimed manifest; None when the pointer moved past the version it was merged onto."""
        number = manifest["version"]
        for _round in range(MAX_ROUNDS):
            if not self.restore(manifest, bodies):
                return None
            self.step("verified")
            if self.point(manifest, refresh, etag):
                self.step("pointed")
                self.restore(manifest, bodies)  # a prune that listed before our write may have removed it since
                message = f"published version {number} ({manifest.get('rows', 0)} rows)"
                try:
                    self.prune()
                except SharedStoreError as exc:
                    message += f"; old objects not pruned ({exc})"
                self.step("pruned")
                return PublishResult("published", number, message)
            pointer, etag = self.read_pointer()
            now = version_of(pointer)
            if now == number:
                return PublishResult("published", number, f"published version {number} (the pointer was moved to "
                                                          "it by another refresher)")
            if now != base_version:
                return None  # merged onto a version that is no longer current: merge again
        return None

    def prune(self) -> int:
        """Delete the objects the prune rule (module docstring) does not keep; returns how many."""
        pointer, _ = self.read_pointer()
        current = version_of(pointer)
        if not current:
            return 0
        first = max(1, current - self.keep + 1)
        manifests = [pointer] + [m for n in self.manifest_numbers(first - 1) if (m := self.manifest(n))]
        keep = set()
        for manifest in manifests:
            for kind in FIELDS:
                if names(manifest, kind):
                    try:
                        keep.add(self.bucket.key(checked_ref(self.bucket, manifest, kind)[0]))
                    except SharedStoreError:
                        continue
        objects, server_now = self.bucket.listing("data/")
        news_objects, _ = self.bucket.listing("news/")
        cutoff = server_now - timedelta(seconds=self.grace)
        stale = [o.key for o in (*objects, *news_objects) if o.key not in keep and o.modified <= cutoff]
        self.step("prune-listed")
        self.bucket.delete(stale)
        return len(stale)

