"""What a manifest names, checked before anything is read: the object keys, their size, their hash, their decoding.

A version's objects are content-addressed: the prices of a manifest are at exactly ``data/<sha256>.parquet``
and its news at ``news/<news_sha256>.parquet``, under the store's prefix. Any other key (``../other/x``, an
absolute key, another folder) is refused without a request. An object is read only when its size, from the
manifest and then from a HEAD request, is within the cap, and the bytes read stop at the cap; then its
sha256 must match and it must decode as the table it claims to be. Every refusal is a
:class:`~data_sources.shared.s3io.SharedStoreError` with the code ``store.unreadable``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data_sources.shared.s3io import UNREADABLE, Bucket, SharedStoreError
from data_sources.store.atomic import META_KEY
from data_sources.store.frames import PRICE_COLUMNS, empty_prices
from data_sources.store.prices import PriceSnapshot

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: kind -> (key field, hash field, size field, rows field) in a manifest
FIELDS = {"data": ("data_key", "sha256", "bytes", "rows"), "news": ("news_key", "news_sha256", "news_bytes",
                                                                    "news_rows")}


def object_name(kind: str, digest: str) -> str:
    """Where an object of ``kind`` (``data`` or ``news``) with this sha256 lives, under the prefix."""
    return f"{kind}/{digest}.parquet"


def names(manifest: dict, kind: str) -> bool:
    """True when ``manifest`` names an object of ``kind`` at all."""
    return bool(manifest.get(FIELDS[kind][0]) or manifest.get(FIELDS[kind][1]))


def checked_ref(bucket: Bucket, manifest: dict, kind: str) -> tuple[str, str, int | None]:
    """(name, sha256, size or None) of the ``kind`` object ``manifest`` names; refused unless the name is exactly
    ``kind/<sha256>.parquet`` and the size, when given, a non-negative whole number."""
    key_field, sha_field, size_field, _ = FIELDS[kind]
    name, digest, size = manifest.get(key_field), manifest.get(sha_field), manifest.get(size_field)
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest) or name != object_name(kind, digest):
        raise SharedStoreError(UNREADABLE, f"shared store {bucket.where()}: version {manifest.get('version')} "
                                           f"names {str(name)[:200]!r}, not {kind}/<its sha256>.parquet: refused")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise SharedStoreError(UNREADABLE, f"shared store {bucket.where()}: version {manifest.get('version')} "
                                           f"gives {size_field} {str(size)[:50]!r}, not a byte count")
    return name, digest, size


def read_object(bucket: Bucket, manifest: dict, kind: str, limit: int) -> bytes:
    """The bytes of the ``kind`` object ``manifest`` names, after the key, size (manifest, then HEAD) and hash
    checks. A missing object is transient (a publish may be restoring it); the rest are not."""
    name, digest, size = checked_ref(bucket, manifest, kind)
    where = f"shared store {bucket.where()}: {name}"
    if size is not None and size > limit:
        raise SharedStoreError(UNREADABLE, f"{where} is {size} bytes by its manifest; at most {limit} are read")
    head = bucket.head(name)
    if head is None:
        raise SharedStoreError(UNREADABLE, f"{where} is missing", transient=True)
    stored = head[0]
    if stored > limit:
        raise SharedStoreError(UNREADABLE, f"{where} is {stored} bytes; at most {limit} are read")
    if size is not None and stored != size:
        raise SharedStoreError(UNREADABLE, f"{where} is {stored} bytes; its manifest says {size}")
    raw = bucket.get_bytes(name, min(limit, stored))
    if hashlib.sha256(raw).hexdigest() != digest:
        raise SharedStoreError(UNREADABLE, f"{where} does not match its sha256 in the manifest")
    return raw


def decode_prices(raw: bytes, bucket: Bucket, manifest: dict) -> PriceSnapshot:
    """A price object as the snapshot it holds; bytes that are not such a table are ``store.unreadable``."""
    name = manifest.get("data_key")
    try:
        table = pq.read_table(pa.BufferReader(raw))
        meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
        frame = table.to_pandas()
        series = meta.get("series", {}) if isinstance(meta, dict) else None
    except (pa.ArrowException, ValueError, TypeError, KeyError, OSError) as exc:
        raise SharedStoreError(UNREADABLE, f"shared store {bucket.where()}: {name} cannot be read as a price "
                                           f"table ({type(exc).__name__}: {str(exc)[:200]})") from exc
    missing = [c for c in PRICE_COLUMNS if c not in frame.columns]
    if missing or not isinstance(series, dict):
        raise SharedStoreError(UNREADABLE, f"shared store {bucket.where()}: {name} is not a price table "
                                           f"(missing {', '.join(missing) or 'its series metadata'})")
    rows = manifest.get("rows")
    if isinstance(rows, int) and rows != len(frame):
        raise SharedStoreError(UNREADABLE, f"shared store {bucket.where()}: {name} holds {len(frame)} rows; "
                                           f"its manifest says {rows}")
    return PriceSnapshot(frame if len(frame) else empty_prices(), series)


def decode_news(raw: bytes, bucket: Bucket, manifest: dict) -> pd.DataFrame:
    """A news object as the news frame; bytes that are not one are ``store.unreadable``."""
    from data_sources.news.store import decode_news as decode

    try:
        return decode(raw)
    except (pa.ArrowException, ValueError, TypeError, KeyError, OSError) as exc:
        raise SharedStoreError(UNREADABLE, f"shared store {bucket.where()}: {manifest.get('news_key')} cannot be "
                                           f"read as news ({type(exc).__name__}: {str(exc)[:200]})") from exc


def encode_prices(frame: pd.DataFrame, series: dict[str, dict]) -> bytes:
    """The Parquet bytes of one version (same layout and metadata key as the local table)."""
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps({"series": series}, ensure_ascii=False, sort_keys=True, default=str).encode()
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), buffer, compression="zstd")
    return buffer.getvalue()


def encode_news(frame: pd.DataFrame) -> bytes:
    """The Parquet bytes of a news snapshot."""
    from data_sources.news.store import encode_news as encode

    return encode(frame)
