"""Allocator settings for a long-running server process: memory freed after a page run goes back where the next
run can reuse it, instead of staying in a pool.

Measured with ``streamlit run app.py`` on the seeded store, one desktop visit of every page, then three phone
rounds (README, Performance): resident memory 376–382 MB with the defaults, 304 MB with Arrow on the system
allocator and ``MALLOC_ARENA_MAX=2`` (at most two glibc malloc arenas instead of one per script thread). The
arena limit only works from the process's start, so it is set in the environment (Dockerfile, compose.yaml,
README), not here. After a run, :func:`release_freed_memory` hands the heap's free pages back (glibc's
``malloc_trim``), off the script thread and at most once per interval.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

_DONE = False
TRIM_INTERVAL_S = 5.0
_TRIM_LOCK = threading.Lock()
_last_trim = float("-inf")


def use_lean_allocators() -> bool:
    """Once per process: Arrow's buffers from the system allocator rather than mimalloc, whose freed pages stay
    with the process. Skipped when ``ARROW_DEFAULT_MEMORY_POOL`` is set (an operator's choice wins). Returns
    whether the pool was changed."""
    global _DONE
    first, _DONE = not _DONE, True
    if not first or os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return False
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    return True


def _malloc_trim():
    """glibc's ``malloc_trim`` (None where the C library has none: musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_freed_memory(now: float | None = None, wait: bool = False) -> bool:
    """Hand the free pages of every malloc arena back to the system, in a background thread (a script run's
    freed frames otherwise stay resident), at most once per :data:`TRIM_INTERVAL_S`. Returns whether a trim
    was started; ``wait`` joins it (tests)."""
    global _last_trim
    if _TRIM is None:
        return False
    now = time.monotonic() if now is None else now
    with _TRIM_LOCK:
        if now - _last_trim < TRIM_INTERVAL_S:
            return False
        _last_trim = now
    worker = threading.Thread(target=_TRIM, args=(0,), name="malloc-trim", daemon=True)
    worker.start()
    if wait:
        worker.join()
    return True
