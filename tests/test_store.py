"""The store's promises: atomic replace, fallback on damage, crash safety, concurrency."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from data_sources import atomic
from data_sources.store import Store


def _prices(symbol: str, closes: list[float], start: str = "2025-01-20") -> pd.DataFrame:
    dates = pd.bdate_range(start, periods=len(closes))
    return pd.DataFrame({"date": dates, "symbol": symbol, "open": float("nan"), "high": float("nan"),
                         "low": float("nan"), "close": closes, "adj_close": closes, "volume": float("nan")})


def test_upsert_merges_and_new_rows_win(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0, 2.0, 3.0]), {"A": {"source": "first"}})
    store.upsert(_prices("A", [20.0, 30.0, 40.0], start="2025-01-21"), {"A": {"source": "second"}})
    snap = store.read()
    assert snap.prices["close"].tolist() == [1.0, 20.0, 30.0, 40.0]
    assert snap.series["A"]["source"] == "second"


def test_damaged_table_falls_back_to_previous_generation(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0]), {"A": {"source": "v1"}})
    store.upsert(_prices("B", [5.0]), {"B": {"source": "v2"}})
    store.prices_path.write_bytes(b"PAR1 this is not parquet")
    snap = store.read()
    assert snap.warning and "prices.parquet is unreadable" in snap.warning and "previous version" in snap.warning
    assert snap.prices["symbol"].tolist() == ["A"]


def test_damaged_table_without_backup_raises_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prices_path.write_bytes(b"garbage")
    with pytest.raises(atomic.StoreError, match=r"prices\.parquet is unreadable"):
        store.read()


_WRITER = textwrap.dedent("""
    import sys, pandas as pd, numpy as np
    from pathlib import Path
    from data_sources.store import Store
    store = Store(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        dates = pd.bdate_range("2000-01-03", periods=20000)
        frame = pd.DataFrame({"date": dates, "symbol": f"S{n % 3}", "open": np.nan, "high": np.nan, "low": np.nan,
                              "close": np.full(len(dates), float(n)), "adj_close": np.nan, "volume": np.nan})
        store.upsert(frame, {f"S{n % 3}": {"source": f"gen{n}"}})
        print(n, flush=True)
""")


def _start_writer(root: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(root)], stdout=subprocess.PIPE, env=env, text=True)


def _wait_for_generations(proc: subprocess.Popen, count: int) -> None:
    for _ in range(count):
        assert proc.stdout.readline(), "writer died before writing"


def test_refresh_killed_mid_write_leaves_previous_data_whole(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("KEEP", [1.0, 2.0]), {"KEEP": {"source": "original"}})
    proc = _start_writer(tmp_path)
    try:
        _wait_for_generations(proc, 3)
        time.sleep(0.05)  # most likely inside a write now
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    snap = store.read()
    assert snap.warning is None
    assert snap.prices[snap.prices["symbol"] == "KEEP"]["close"].tolist() == [1.0, 2.0]
    for symbol, rows in snap.prices.groupby("symbol"):
        assert rows["date"].is_unique
        if symbol != "KEEP":
            assert len(rows) == 20000 and rows["close"].nunique() == 1  # one whole generation, not torn
    # the lock is released by the kernel: a new writer proceeds
    store.upsert(_prices("AFTER", [3.0]), {"AFTER": {"source": "after"}})
    assert "AFTER" in set(store.read().prices["symbol"])


def _reader(root: str, seconds: float, queue: mp.Queue) -> None:
    store, reads, end = Store(Path(root)), 0, time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            snap = store.read()
            assert snap.warning is None
            for _, rows in snap.prices.groupby("symbol"):
                assert rows["close"].nunique() == 1 and len(rows) == 20000
            reads += 1
        queue.put(("ok", reads))
    except Exception as exc:  # reported to the test
        queue.put(("error", repr(exc)))


def test_two_writers_and_readers_at_once_never_tear_or_block(tmp_path: Path) -> None:
    writers = [_start_writer(tmp_path), _start_writer(tmp_path)]
    try:
        _wait_for_generations(writers[0], 1)
        queue: mp.Queue = mp.get_context("spawn").Queue()
        ctx = mp.get_context("spawn")
        readers = [ctx.Process(target=_reader, args=(str(tmp_path), 2.0, queue)) for _ in range(2)]
        for r in readers:
            r.start()
        results = [queue.get(timeout=60) for _ in readers]
        for r in readers:
            r.join(10)
        _wait_for_generations(writers[1], 2)  # the second writer made progress too
    finally:
        for w in writers:
            w.kill()
            w.wait(10)
    assert all(kind == "ok" for kind, _ in results), results
    assert all(reads > 0 for _, reads in results)


def test_read_only_or_full_disk_gives_clear_error_and_keeps_data(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0]), {"A": {"source": "kept"}})

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_space)
    with pytest.raises(atomic.StoreError, match=r"could not write .*prices\.parquet: No space left on device"):
        store.upsert(_prices("B", [2.0]), {"B": {}})
    monkeypatch.undo()
    assert store.read().prices["symbol"].tolist() == ["A"]
