"""data_sources.runtime: the app server's Arrow buffers come from the system allocator, unless the operator chose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.browser import ROOT

PROBE = ("from data_sources.runtime import use_lean_allocators; import pyarrow as pa; "
         "print(use_lean_allocators(), use_lean_allocators(), pa.default_memory_pool().backend_name)")


def _probe(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_arrow_uses_the_system_allocator_once_per_process() -> None:
    assert _probe() == "True False system"  # changed once; the second call (every rerun of app.py) does nothing


@pytest.mark.parametrize("pool", ["mimalloc", "jemalloc"])
def test_an_operators_choice_of_pool_wins(pool: str) -> None:
    import pyarrow as pa

    available = {"mimalloc": pa.mimalloc_memory_pool, "jemalloc": pa.jemalloc_memory_pool}
    try:
        available[pool]()
    except NotImplementedError:
        pytest.skip(f"this pyarrow build has no {pool}")
    assert _probe(ARROW_DEFAULT_MEMORY_POOL=pool) == f"False False {pool}"


TRIM_PROBE = """
import sys
from data_sources import runtime as memory
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
chunks = [bytes(1000) + bytes([i % 256]) for i in range(200_000)]  # ~200 MB of heap (malloc, not pymalloc)
keep = chunks[-1]  # the heap's top stays in use, so free() alone gives nothing back
del chunks
before = rss_mb()
started = memory.release_freed_memory(wait=True)
print(started, round(before - rss_mb()))
"""


def test_freed_heap_goes_back_to_the_system_after_a_run() -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc")
    done = subprocess.run([sys.executable, "-c", TRIM_PROBE], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    started, released = done.stdout.split()
    assert started == "True"
    assert int(released) >= 100  # of the ~200 MB freed, most is returned at once


def test_the_trim_runs_at_most_once_per_interval(monkeypatch) -> None:
    from data_sources import runtime as memory

    calls = []
    monkeypatch.setattr(memory, "_TRIM", lambda pad: calls.append(pad))
    monkeypatch.setattr(memory, "_last_trim", float("-inf"))
    assert memory.release_freed_memory(now=100.0, wait=True)
    assert not memory.release_freed_memory(now=100.0 + memory.TRIM_INTERVAL_S / 2, wait=True)  # a burst of reruns
    assert memory.release_freed_memory(now=100.0 + memory.TRIM_INTERVAL_S, wait=True)
    assert calls == [0, 0]

