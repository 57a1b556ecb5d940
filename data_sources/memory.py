"""Allocator settings for a long-running server process: memory freed after a page run goes back where the next
run can reuse it, instead of staying in a pool.

Measured with ``streamlit run app.py`` on the seeded store, one desktop visit of every page, then three phone
rounds (README, Performance): resident memory 376–382 MB with the defaults, 304 MB with Arrow on the system
allocator and ``MALLOC_ARENA_MAX=2`` (at most two glibc malloc arenas instead of one per script thread). The
arena limit only works from the process's start, so it is set in the environment (Dockerfile, compose.yaml,
README), not here.
"""

from __future__ import annotations

import os

_DONE = False


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
