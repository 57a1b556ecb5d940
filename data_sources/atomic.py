"""Crash-safe, reader-safe table files: one Parquet file per table, replaced atomically.

A write goes to a temporary file in the same folder, is fsynced, and then
``os.replace``-d over the table; the previous generation is kept as ``NAME.prev``
(hard link, so the table path never disappears). Readers therefore see either the
old or the new file, never a torn one, and a writer killed with SIGKILL at any
point leaves the previous table readable. Writers serialise on a file lock.
A table that fails to read (corrupted on disk) falls back to its previous
generation, and the caller is told so.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

META_KEY = b"dashboard_meta"


class StoreError(RuntimeError):
    """The local store cannot be read or written; the message says which file and why."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock for too long."""


def write_table(path: Path, frame: pd.DataFrame, meta: dict | None = None) -> None:
    """Atomically replace the table at ``path`` with ``frame`` (plus JSON-able ``meta``).

    Call under :func:`write_lock` when other writers may run.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[META_KEY] = json.dumps(meta or {}, ensure_ascii=False, default=str).encode()
    table = table.replace_schema_metadata(schema_meta)
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            prev_tmp = path.with_name(f".{path.name}.prev.tmp")
            prev_tmp.unlink(missing_ok=True)
            os.link(path, prev_tmp)
            os.replace(prev_tmp, path.with_name(path.name + ".prev"))
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise StoreError(f"could not write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def read_table(path: Path) -> tuple[pd.DataFrame, dict, str | None]:
    """Read the table at ``path``: (frame, meta, warning).

    Returns ``(None-like empty frame, {}, None)`` when the table does not exist.
    When the file is unreadable, falls back to ``NAME.prev`` and returns a warning
    naming the file; raises :class:`StoreError` when neither can be read.
    """
    if not path.exists():
        return pd.DataFrame(), {}, None
    try:
        return (*_read(path), None)
    except Exception as exc:  # any decode failure means a damaged file
        prev = path.with_name(path.name + ".prev")
        problem = f"{path} is unreadable ({type(exc).__name__}: {exc})"
        if prev.exists():
            try:
                frame, meta = _read(prev)
            except Exception as exc2:
                raise StoreError(f"{problem}; its backup {prev.name} is unreadable too ({exc2})") from exc2
            return frame, meta, f"{problem}; serving the previous version ({prev.name})"
        raise StoreError(problem) from exc


def _read(path: Path) -> tuple[pd.DataFrame, dict]:
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(META_KEY, b"{}")
    return table.to_pandas(), json.loads(raw)


@contextmanager
def write_lock(folder: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the store's single writer lock (a file lock, so it works across processes)."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / ".write.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise StoreLockedError(f"another refresh is writing to {folder}; try again in a minute") from exc
    except OSError as exc:
        raise StoreError(f"cannot lock {folder}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()


def _temp_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file in the table's folder (same file system, so the rename is atomic)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"could not write {path}: {exc.strerror or exc}") from exc
    return fd, Path(name)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, payload: dict) -> None:
    """Atomically replace a small JSON file (same temp-file + rename scheme as tables)."""
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StoreError(f"could not write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def read_json(path: Path) -> dict:
    """Read a JSON file written by :func:`write_json`; a missing or damaged file reads as ``{}``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
