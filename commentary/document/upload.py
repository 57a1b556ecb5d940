"""A reader's uploaded commentary file: size-checked before decoding, parsed once per content hash.

Streamlit reruns a page on every click; without this cache each rerun would parse the upload again.
The cache is keyed on the SHA-256 of the file name and bytes, holds results *and* refusals (a hostile
file costs one parse, not one per click), is bounded, and is shared by all sessions (the results are
immutable commentaries; identical bytes give identical results).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from commentary.document.column import MAX_FILE_BYTES, parse_commentary
from commentary.document.model import Commentary, CommentaryError

#: Most parsed uploads kept (each at most :data:`MAX_FILE_BYTES` of text).
CACHE_ENTRIES = 16
MAX_NAME_CHARS = 120

_cache: OrderedDict[str, Commentary | CommentaryError] = OrderedDict()
_lock = threading.Lock()


def _short_name(name: object) -> str:
    text = " ".join(str(name or "upload.md").split()) or "upload.md"
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1] + "…"


def content_key(data: bytes, name: str) -> str:
    """The cache key of an upload: SHA-256 of its name and bytes."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass") + b"\0" + data).hexdigest()


def _parse(data: bytes, name: str) -> Commentary | CommentaryError:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return CommentaryError(name, None, None, "column_file.not_utf8", byte=exc.start)
    try:
        return parse_commentary(text, name)
    except CommentaryError as exc:
        return exc


def parse_upload(data: bytes, name: object) -> Commentary:
    """The commentary in an uploaded file's ``data``; raise :class:`CommentaryError` on any problem.

    More than :data:`MAX_FILE_BYTES` is refused before decoding. A file already seen (same name and
    bytes) is not parsed again.
    """
    shown = _short_name(name)
    if len(data) > MAX_FILE_BYTES:
        raise CommentaryError(shown, None, None, "column_file.too_large", size=len(data), limit=MAX_FILE_BYTES)
    key = content_key(data, shown)
    with _lock:
        result = _cache.get(key)
        if result is not None:
            _cache.move_to_end(key)
    if result is None:
        result = _parse(data, shown)
        with _lock:
            _cache[key] = result
            while len(_cache) > CACHE_ENTRIES:
                _cache.popitem(last=False)
    if isinstance(result, CommentaryError):
        raise CommentaryError(result.file, result.line, result.field, result.code, **result.params)
    return result


def clear_cache() -> None:
    """Forget every parsed upload."""
    with _lock:
        _cache.clear()
