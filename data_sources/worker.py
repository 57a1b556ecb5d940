"""Run a function over untrusted input in a helper process, with a time limit and a memory cap.

A parser that runs away (a pathological feed, a quadratic corner of a library) is stopped from outside: the
helper process is killed when its call overruns, and a fresh one takes the next call. Nothing is injected into
the caller's threads, so no library can swallow the interrupt, and the caller (a Streamlit server thread, a
refresher) never holds the GIL for the work.

One :class:`BoundedWorker` per kind of work; it starts its process on first use (``forkserver``: a clean
process, never a fork of a threaded server), keeps it for the next calls and stops it after
``idle_s`` seconds without work, so an idle replica carries no helper process.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from data_sources.errors import DashboardError

T = TypeVar("T")


def _cap_memory(limit_mb: int | None) -> None:
    if limit_mb:
        limit = limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class BoundedWorker:
    """A helper process that runs one call at a time, each within ``timeout_s`` seconds."""

    def __init__(self, name: str, *, memory_mb: int | None = 2048, idle_s: float = 120.0) -> None:
        self.name = name
        self.memory_mb = memory_mb
        self.idle_s = idle_s
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()
        self._idle: threading.Timer | None = None

    def _ensure_pool(self) -> ProcessPool:
        if self._pool is None or not self._pool.active:
            self._pool = ProcessPool(max_workers=1, context=multiprocessing.get_context("forkserver"),
                                     initializer=_cap_memory, initargs=(self.memory_mb,))
        return self._pool

    def call(self, fn: Callable[..., T], *args: Any, timeout_s: float, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in the helper process. Exceptions ``fn`` raises come back as they are.

        Raises :class:`DashboardError` ``worker.timeout`` when the call overruns (the process is killed),
        ``worker.crashed`` when the process died (e.g. it hit its memory cap).
        """
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            future = self._ensure_pool().schedule(fn, args=args, kwargs=kwargs, timeout=timeout_s)
            try:
                # pebble enforces timeout_s in the pool; the extra margin covers the first call's process start
                return future.result(timeout=timeout_s + 30)
            except (TimeoutError, FutureTimeout):
                self._stop()
                raise DashboardError("worker.timeout", work=self.name, seconds=timeout_s) from None
            except ProcessExpired as exc:
                self._stop()
                raise DashboardError("worker.crashed", work=self.name, exit_code=exc.exitcode) from None
            finally:
                self._idle = threading.Timer(self.idle_s, self.close)
                self._idle.daemon = True
                self._idle.start()

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None

    def close(self) -> None:
        """Stop the helper process (the next call starts a new one)."""
        with self._lock:
            self._stop()
