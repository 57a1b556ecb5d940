"""Crash-safe, reader-safe table files: one Parquet file per table, replaced atomically.

A write goes to a temporary file in the same folder, is fsynced, and then
``os.replace``-d over the table; the previous generation is kept as ``NAME.prev``
(hard link, so the table path never disappears). Readers therefore see either the
old or the new file, never a torn one, and a writer killed with SIGKILL at any
point leaves the previous table readable. Writers serialise on a file lock.
Every table carries a content checksum (sha256 over its schema, column values and metadata) in its
Parquet metadata, and its pages carry Parquet page checksums; both are checked on every read. A table
that fails to read or verify (damaged on disk) falls back to its previous generation, and the caller is
told so; a damaged file is never rotated over the good ``.prev``.

Temporary files orphaned by a killed writer are removed by the next writer (under the lock, once older
than :data:`ORPHAN_AGE_S`). ``DASHBOARD_FAULT_AT=STEP`` SIGKILLs the writing process at a named step
(:data:`FAULT_STEPS`), so tests of crash safety are deterministic.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from data_sources.errors import Problem, StoreError
from data_sources.settings import settings

META_KEY = b"dashboard_meta"
CHECKSUM_KEY = b"dashboard_sha256"
ORPHAN_AGE_S = 15 * 60  # a temp file older than this, found under the lock, belongs to a dead writer
FAULT_ENV = "DASHBOARD_FAULT_AT"
FAULT_STEPS = ("mid-write", "before-rename", "after-rename")
FORMAT_FIELD, FORMAT_VERSION = "_format", 2  # in the metadata: tables of format 2 must carry a checksum
WRITE_RETRY_S = 60.0  # after a failed write, the same folder is not tried again for this long
_write_failures: dict[str, tuple[float, Problem]] = {}  # folder -> (monotonic time, why the write failed)


class StoreLockedError(StoreError):
    """Another process holds the store's write lock for too long (``store.busy``)."""


class StoreDamagedError(StoreError):
    """A table's bytes do not match its checksum, or do not decode (``store.damaged``)."""


def write_problem(path: Path, exc: OSError) -> Problem:
    """Why writing ``path`` failed: a full disk, a read-only folder, or another system error (named)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return Problem("store.disk_full", {"path": str(path)})
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return Problem("store.read_only", {"path": str(path)})
    return Problem("store.write_failed", {"path": str(path), "reason": exc.strerror or str(exc)})


def _write_failed(path: Path, exc: OSError) -> StoreError:
    problem = write_problem(path, exc)
    _note_write(path.parent, problem)
    return StoreError(problem.code, **problem.params)


def fault_point(step: str) -> None:
    """SIGKILL this process if ``$DASHBOARD_FAULT_AT`` names ``step`` (crash-safety tests only)."""
    if settings().fault_at == step:
        os.kill(os.getpid(), signal.SIGKILL)


class _FaultingFile:
    """A file wrapper that runs the ``mid-write`` fault point once some bytes are written."""

    def __init__(self, handle) -> None:
        self._handle, self._written = handle, 0

    def write(self, data) -> int:
        count = self._handle.write(data)
        self._written += len(data)
        if self._written >= 4096:
            self._handle.flush()
            fault_point("mid-write")
        return count

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


def content_checksum(table: pa.Table) -> str:
    """sha256 over the column names, types, null masks and values of ``table`` and its schema metadata
    (all of it but the checksum itself).

    Computed from decoded values (not file bytes), so a re-encoded but identical table has the same sum.
    """
    digest = hashlib.sha256()
    for key, value in sorted((table.schema.metadata or {}).items()):
        if key != CHECKSUM_KEY:
            digest.update(b"%d:%s=%d:%s;" % (len(key), key, len(value), value))
    for name, column in zip(table.column_names, table.columns, strict=True):
        digest.update(f"\x00{name}\x00{column.type}\x00{len(column)}\x00".encode())
        array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        digest.update(array.is_null().to_numpy(zero_copy_only=False).tobytes())
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            digest.update("\x1f".join("" if v is None else v for v in array.to_pylist()).encode())
        elif pa.types.is_null(array.type):
            continue  # all null (e.g. an empty object column): the mask above is the whole content
        else:
            try:
                digest.update(array.fill_null(0).to_numpy(zero_copy_only=False).tobytes())
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                digest.update(repr(array.to_pylist()).encode())  # types without a numeric fill (bool, nested)
    return digest.hexdigest()


def write_blocked(folder: Path) -> Problem | None:
    """Why a write to ``folder`` failed less than :data:`WRITE_RETRY_S` ago, else None."""
    failure = _write_failures.get(str(Path(folder)))
    if failure and time.monotonic() - failure[0] < WRITE_RETRY_S:
        return failure[1]
    return None


def _note_write(folder: Path, error: Problem | None) -> None:
    if error is None:
        _write_failures.pop(str(Path(folder)), None)
    else:
        _write_failures[str(Path(folder))] = (time.monotonic(), error)


def write_table(path: Path, frame: pd.DataFrame, meta: dict | None = None, keep_prev: bool = False) -> None:
    """Atomically replace the table at ``path`` with ``frame`` (plus JSON-able ``meta``) and its checksum.

    ``keep_prev=True`` leaves ``NAME.prev`` alone (used when the current file is damaged, so the good
    previous generation is not rotated away). Call under :func:`write_lock` when other writers may run.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[META_KEY] = json.dumps({**(meta or {}), FORMAT_FIELD: FORMAT_VERSION},
                                       ensure_ascii=False, default=str).encode()
    table = table.replace_schema_metadata(schema_meta)
    schema_meta[CHECKSUM_KEY] = content_checksum(table).encode()
    table = table.replace_schema_metadata(schema_meta)
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, _FaultingFile(handle), compression="zstd", write_page_checksum=True)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists() and not keep_prev:
            prev_tmp = path.with_name(f".{path.name}.prev.tmp")
            prev_tmp.unlink(missing_ok=True)
            os.link(path, prev_tmp)
            os.replace(prev_tmp, path.with_name(path.name + ".prev"))
        fault_point("before-rename")
        os.replace(tmp, path)
        fault_point("after-rename")
        _fsync_dir(path.parent)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    _note_write(path.parent, None)


def read_table(path: Path) -> tuple[pd.DataFrame, dict, Problem | None]:
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
        where = {"file": path.name, "folder": str(path.parent), "detail": f"{type(exc).__name__}: {exc}"[:300]}
        if prev.exists():
            try:
                frame, meta = _read(prev)
            except Exception as exc2:
                raise StoreError("store.unreadable_both", backup=prev.name, **where) from exc2
            return frame, meta, Problem("store.served_backup", {"backup": prev.name, **where})
        raise StoreError("store.file_unreadable", **where) from exc


def _read(path: Path) -> tuple[pd.DataFrame, dict]:
    """Read and verify one table file; raises :class:`StoreDamagedError` when it does not verify."""
    table = pq.read_table(path, page_checksum_verification=True)
    schema_meta = dict(table.schema.metadata or {})
    stored = schema_meta.get(CHECKSUM_KEY)
    meta = json.loads(schema_meta.get(META_KEY, b"{}"))
    if stored is not None or FORMAT_FIELD in meta:
        if stored is None:
            raise StoreDamagedError("store.damaged", reason="its content checksum is missing")
        if content_checksum(table) != stored.decode(errors="replace"):
            raise StoreDamagedError("store.damaged", reason="its content does not match its checksum")
    elif schema_meta.get(META_KEY) is None:
        raise StoreDamagedError("store.damaged", reason="its metadata is missing")
    # else: a table written before checksums existed (no format marker, no checksum): read as it is
    meta.pop(FORMAT_FIELD, None)
    return table.to_pandas(), meta


@contextmanager
def write_lock(folder: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the store's single writer lock (a file lock, so it works across processes)."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / ".write.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise StoreLockedError("store.busy", folder=str(folder)) from exc
    except OSError as exc:
        raise StoreError("store.lock_failed", folder=str(folder), reason=exc.strerror or str(exc)) from exc
    try:
        remove_orphans(folder)
        yield
    finally:
        lock.release()


def remove_orphans(folder: Path, min_age_s: float = ORPHAN_AGE_S) -> list[Path]:
    """Delete writers' temp files (``.*.tmp``) in ``folder`` older than ``min_age_s``; returns those removed.

    Call under :func:`write_lock`: no live writer of the store then has a temp file in progress, and the
    age keeps files of writers that do not take the lock (small JSON files) out of reach.
    """
    removed, now = [], time.time()
    for tmp in Path(folder).glob(".*.tmp"):
        try:
            if tmp.is_file() and now - tmp.stat().st_mtime >= min_age_s:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # gone already, or not ours to delete: the write itself goes on
    return removed


def _temp_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file in the table's folder (same file system, so the rename is atomic)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
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
        raise _write_failed(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)


def read_json(path: Path) -> dict:
    """Read a JSON file written by :func:`write_json`; a missing or damaged file reads as ``{}``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
