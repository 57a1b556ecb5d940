"""The column cache's fingerprints forget a freed column through a weakref callback. The collector may run that
callback in a thread that already holds the cache's lock (a column freed inside ``clear()`` hung a whole test worker
this way); it must never wait for that lock."""

from __future__ import annotations

import gc
import threading

from commentary.document.column import COLUMNS_DIR, load_commentary
from ui import column_cache


def test_a_column_freed_while_the_cache_lock_is_held_does_not_hang() -> None:
    holder = [load_commentary(COLUMNS_DIR / "baek-2025-01-26.md")]
    column_cache.fingerprint(holder[0])
    key = id(holder[0])

    def free_under_the_lock() -> None:
        with column_cache._lock:  # as clear() holds it while it drops parsed columns
            holder.clear()
            gc.collect()  # the callback runs here, in this thread

    worker = threading.Thread(target=free_under_the_lock, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "freeing a column under the cache's lock hung the thread"
    assert key not in column_cache._fingerprints  # and the freed column's fingerprint is gone
