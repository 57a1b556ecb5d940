"""data_sources.memory: the app server's Arrow buffers come from the system allocator, unless the operator chose."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser import ROOT

PROBE = ("from data_sources.memory import use_lean_allocators; import pyarrow as pa; "
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


def test_app_py_applies_it_before_the_pages() -> None:
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert source.index("use_lean_allocators()") < source.index("st.navigation(")
