"""The store's promises: atomic replace, fallback on damage, crash safety, concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from data_sources.errors import Problem
from data_sources.store import atomic
from data_sources.store.prices import Store
from tests.conftest import en

_MKSTEMP = atomic.tempfile.mkstemp


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
    assert snap.warning.code == "store.served_backup" and snap.warning.params["file"] == "prices.parquet"
    assert "previous version" in en(snap.warning)
    assert snap.prices["symbol"].tolist() == ["A"]


def test_damaged_table_without_backup_raises_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.prices_path.write_bytes(b"garbage")
    with pytest.raises(atomic.StoreError) as info:
        store.read()
    assert info.value.code == "store.file_unreadable" and info.value.params["file"] == "prices.parquet"
    assert en(info.value) == "The stored file prices.parquet is damaged and cannot be read"


_WRITER = textwrap.dedent("""
    import sys, pandas as pd, numpy as np
    from pathlib import Path
    from data_sources.store.prices import Store
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
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
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


_READER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from data_sources.store.prices import Store
    store, reads, end = Store(Path(sys.argv[1])), 0, time.monotonic() + float(sys.argv[2])
    try:
        while time.monotonic() < end:
            snap = store.read()
            assert snap.warning is None, snap.warning
            for _, rows in snap.prices.groupby("symbol"):
                assert rows["close"].nunique() == 1 and len(rows) == 20000
            reads += 1
        print("ok", reads, flush=True)
    except Exception as exc:  # reported to the test
        print("error", repr(exc), flush=True)
""")


def test_two_writers_and_readers_at_once_never_tear_or_block(tmp_path: Path) -> None:
    writers = [_start_writer(tmp_path), _start_writer(tmp_path)]
    try:
        _wait_for_generations(writers[0], 1)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
        readers = [subprocess.Popen([sys.executable, "-c", _READER, str(tmp_path), "2.0"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, text=True) for _ in range(2)]
        outputs = [r.communicate(timeout=240) for r in readers]
        results = [[*out.split(" ", 1), ""][:2] if out.strip() else ["died", err[-500:]] for out, err in outputs]
        _wait_for_generations(writers[1], 2)  # the second writer made progress too
    finally:
        for w in writers:
            w.kill()
            w.wait(10)
    assert all(kind == "ok" for kind, _ in results), results
    assert all(int(reads) > 0 for _, reads in results)


def test_read_only_or_full_disk_gives_clear_error_and_keeps_data(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0]), {"A": {"source": "kept"}})

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_space)
    with pytest.raises(atomic.StoreError) as info:
        store.upsert(_prices("B", [2.0]), {"B": {}})
    assert info.value.code == "store.disk_full" and info.value.params["path"].endswith("prices.parquet")
    monkeypatch.undo()
    assert store.read().prices["symbol"].tolist() == ["A"]


# --- verified reads: a damaged file is detected, served from .prev, and never the base of a write -----------

def _generations(root: Path) -> tuple[Store, pd.DataFrame, pd.DataFrame]:
    """A store whose .prev holds generation 1 (A, B) and whose table holds generation 2 (A, B, C)."""
    store = Store(root)
    gen1 = pd.concat([_prices("A", [100.0 + i / 7 for i in range(1500)], "2015-01-01"),
                      _prices("B", [7.0 + i / 100 for i in range(1500)], "2015-01-01")], ignore_index=True)
    gen1["volume"] = range(len(gen1))
    store.upsert(gen1, {"A": {"source": "first"}, "B": {"source": "first"}})
    first = store.read().prices
    store.upsert(_prices("C", [5.0 + i / 3 for i in range(800)], "2020-01-01"), {"C": {"source": "second"}})
    return store, first, store.read().prices


def test_every_byte_flip_reads_identical_data_or_falls_back(tmp_path: Path) -> None:
    import random

    store, first, second = _generations(tmp_path)
    pristine = store.prices_path.read_bytes()
    meta = store.read().series
    rng = random.Random(7)
    size = len(pristine)
    positions = sorted(set(range(0, size, max(1, size // 300))) | set(range(max(0, size - 3000), size, 5))
                       | {rng.randrange(size) for _ in range(100)})  # the whole file, densely in the footer
    outcomes = {"same": 0, "fallback": 0}
    for pos in positions:
        damaged = bytearray(pristine)
        damaged[pos] ^= 1 << rng.randrange(8)
        store.prices_path.write_bytes(bytes(damaged))
        snap = store.read()
        if snap.warning is None:
            pd.testing.assert_frame_equal(snap.prices, second, obj=f"flip at byte {pos}")
            assert snap.series == meta, f"flip at byte {pos} changed the provenance"
            outcomes["same"] += 1
        else:
            assert "previous version" in en(snap.warning)
            pd.testing.assert_frame_equal(snap.prices, first, obj=f"fallback after flip at byte {pos}")
            outcomes["fallback"] += 1
    assert len(positions) > 800 and outcomes["fallback"] > outcomes["same"], outcomes


def test_a_damaged_table_is_never_the_base_of_the_next_write(tmp_path: Path) -> None:
    store, first, _ = _generations(tmp_path)
    damaged = bytearray(store.prices_path.read_bytes())
    damaged[len(damaged) // 3] ^= 0x10  # inside a data page
    store.prices_path.write_bytes(bytes(damaged))
    assert store.read().warning
    store.upsert(_prices("D", [1.0, 2.0]), {"D": {"source": "after damage"}})
    after = store.read()
    assert after.warning is None
    assert sorted(after.prices["symbol"].unique()) == ["A", "B", "D"]  # generation 1 + the new rows
    pd.testing.assert_frame_equal(after.prices[after.prices["symbol"] != "D"].reset_index(drop=True), first)
    prev, _meta = atomic._read(store.prices_path.with_name("prices.parquet.prev"))  # the good .prev is kept
    pd.testing.assert_frame_equal(prev, first)


def test_table_without_checksum_but_with_format_marker_is_damaged(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0]), {"A": {}})
    table = pq.read_table(store.prices_path)
    meta = {k: v for k, v in table.schema.metadata.items() if k != atomic.CHECKSUM_KEY}
    pq.write_table(table.replace_schema_metadata(meta), store.prices_path)  # the checksum stripped
    with pytest.raises(atomic.StoreError, match=r"store\.file_unreadable") as info:
        store.read()
    assert "checksum is missing" in info.value.params["detail"]
    legacy = pa.Table.from_pandas(_prices("OLD", [3.0]), preserve_index=False)
    pq.write_table(legacy.replace_schema_metadata({**legacy.schema.metadata, atomic.META_KEY: b"{}"}),
                   store.prices_path)  # written before checksums existed: still readable
    assert store.read().prices["symbol"].tolist() == ["OLD"]


# --- deterministic crash safety: SIGKILL at named steps, atomic replace, the lock -------------------------

_FAULT_WRITER = textwrap.dedent("""
    import sys, pandas as pd
    from pathlib import Path
    from data_sources.store.prices import Store
    dates = pd.bdate_range("2000-01-03", periods=20000)
    frame = pd.DataFrame({"date": dates, "symbol": "NEW", "open": 1.0, "high": 1.0, "low": 1.0,
                          "close": 2.0, "adj_close": 2.0, "volume": 3.0})
    Store(Path(sys.argv[1])).upsert(frame, {"NEW": {"source": "killed"}})
    print("survived", flush=True)
""")


def _write_with_fault(root: Path, step: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3]), atomic.FAULT_ENV: step}
    return subprocess.run([sys.executable, "-c", _FAULT_WRITER, str(root)], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("step", ["mid-write", "before-rename"])
def test_writer_killed_at_each_step_before_the_rename_leaves_the_old_table(tmp_path: Path, step: str) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("KEEP", [1.0, 2.0]), {"KEEP": {"source": "original"}})
    before = store.prices_path.read_bytes()
    done = _write_with_fault(tmp_path, step)
    assert done.returncode == -signal.SIGKILL and "survived" not in done.stdout, done.stderr[-2000:]
    snap = store.read()
    assert snap.warning is None and store.prices_path.read_bytes() == before
    assert snap.prices["symbol"].tolist() == ["KEEP", "KEEP"]
    assert list(tmp_path.glob(".prices.parquet.*.tmp")), "the killed writer's temp file is left behind"


def test_writer_killed_after_the_rename_leaves_the_new_table(tmp_path: Path) -> None:
    Store(tmp_path).upsert(_prices("KEEP", [1.0]), {"KEEP": {}})
    done = _write_with_fault(tmp_path, "after-rename")
    assert done.returncode == -signal.SIGKILL
    snap = Store(tmp_path).read()
    assert snap.warning is None and set(snap.prices["symbol"]) == {"KEEP", "NEW"}


def test_replace_is_a_rename_a_reader_holding_the_old_file_keeps_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0, 2.0]), {"A": {}})
    old_inode = store.prices_path.stat().st_ino
    with store.prices_path.open("rb") as held:
        old_bytes = store.prices_path.read_bytes()
        store.upsert(_prices("B", [3.0] * 500), {"B": {}})
        assert held.read() == old_bytes  # a copy over the table would change what the open reader sees
    assert store.prices_path.stat().st_ino != old_inode


def test_orphaned_temp_files_are_removed_by_the_next_write_only_when_old(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0]), {"A": {}})
    assert _write_with_fault(tmp_path, "before-rename").returncode == -signal.SIGKILL
    (orphan,) = tmp_path.glob(".prices.parquet.*.tmp")
    fresh = tmp_path / ".news.parquet.inflight.tmp"
    fresh.write_bytes(b"a live writer's file")
    store.upsert(_prices("B", [2.0]), {"B": {}})
    assert orphan.exists() and fresh.exists()  # too young to be sure its writer is dead
    aged = time.time() - atomic.ORPHAN_AGE_S - 5
    os.utime(orphan, (aged, aged))
    store.upsert(_prices("C", [3.0]), {"C": {}})
    assert not orphan.exists() and fresh.exists()


_LOCK_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from data_sources.store import atomic
    with atomic.write_lock(Path(sys.argv[1])):
        print("holding", flush=True)
        time.sleep(60)
""")


def test_a_writer_waiting_on_the_lock_gets_the_promised_message(tmp_path: Path, capsys) -> None:
    from data_sources.cli import main

    store = Store(tmp_path)
    store.upsert(_prices("A", [1.0]), {"A": {}})
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    holder = subprocess.Popen([sys.executable, "-c", _LOCK_HOLDER, str(tmp_path)], stdout=subprocess.PIPE,
                              env=env, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        store.lock_timeout = 0.5
        with pytest.raises(atomic.StoreLockedError) as info:
            store.upsert(_prices("B", [2.0]), {"B": {}})
        assert info.value.problem == Problem("store.busy", {"folder": str(tmp_path)})
        csv_dir = tmp_path / "csv"
        csv_dir.mkdir()
        (csv_dir / "B.csv").write_text("date,open,high,low,close,adj_close,volume\n2025-01-02,,,,5,,\n")
        Store.lock_timeout = 0.5
        try:
            assert main(["import", str(csv_dir), "--data-dir", str(tmp_path)]) == 2
        finally:
            Store.lock_timeout = 60.0
        assert "error: Another refresh is writing to the store; try again in a minute" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait(10)
    assert store.read().prices["symbol"].tolist() == ["A"]


# --- a store that cannot be written: one clear error, not retried on every run --------------------------

def test_failed_write_is_not_retried_within_the_backoff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    calls = []

    def no_space(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_space)
    for _ in range(3):
        with pytest.raises(atomic.StoreError, match=r"store\.disk_full"):
            store.upsert(_prices("A", [1.0]), {"A": {}})
    assert len(calls) == 1
    with pytest.raises(atomic.StoreError):
        store.record_refresh("ok")
    last = store.last_refresh()  # remembered in memory: the app does not try again on the next run
    assert last["outcome"] == "error" and [p.code for p in last["problems"]] == ["store.disk_full"]
    monkeypatch.setattr(atomic, "WRITE_RETRY_S", 0.0)
    monkeypatch.setattr(atomic.tempfile, "mkstemp", _MKSTEMP)
    store.upsert(_prices("A", [1.0]), {"A": {}})  # after the backoff, a write is tried (and works) again
    assert store.read().prices["symbol"].tolist() == ["A"]



def test_an_emptied_table_of_text_columns_is_written_and_read_back(tmp_path) -> None:
    """Deleting the last reader note leaves a zero-row table whose text columns have no type (pyarrow null)."""
    from data_sources.store.atomic import read_table, write_table

    empty = pd.DataFrame({"id": pd.Series([], dtype=object), "flag": pd.Series([], dtype=bool),
                          "date": pd.Series([], dtype="datetime64[ns]")})
    write_table(tmp_path / "t.parquet", empty, {"table": "t"})
    frame, meta, warning = read_table(tmp_path / "t.parquet")
    assert warning is None and len(frame) == 0 and list(frame.columns) == ["id", "flag", "date"]
    assert meta.get("table") == "t"
