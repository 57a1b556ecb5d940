"""Store figures: snapshot import, loading all prices, size on disk, and a 40-symbol × 10-year store."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from data_sources.store.csv_io import import_folder
from data_sources.store.prices import Store


def _median_ms(fn, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.parquet"))


def synthetic_store(source: Store, root: Path, symbols: int = 40, years: int = 10) -> Store:
    """A store of ``symbols`` × ``years`` of business days, built by repeating real series (labelled SYN*)."""
    real = source.load_prices()
    series = [g.reset_index(drop=True) for _, g in real.groupby("symbol")]
    dates = pd.bdate_range(end="2026-10-30", periods=years * 261)
    frames = []
    for n in range(symbols):
        base = series[n % len(series)]
        reps = -(-len(dates) // len(base))
        block = pd.concat([base] * reps, ignore_index=True).iloc[: len(dates)].copy()
        block["date"] = dates
        block["symbol"] = f"SYN{n:02d}({base['symbol'].iat[0]})"
        frames.append(block)
    store = Store(root)
    store.upsert(pd.concat(frames, ignore_index=True), {})
    return store


def run(market_dir: Path) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "real")
        start = time.perf_counter()
        report = import_folder(store, market_dir)
        rows.append(("import of the shared snapshot", f"{(time.perf_counter() - start) * 1000:.0f} ms "
                     f"({sum(report.imported.values()):,} rows, {len(report.imported)} files)", "—"))
        frame = store.load_prices()
        rows.append(("load all stored prices into one frame", f"{_median_ms(store.load_prices):.1f} ms "
                     f"({len(frame):,} rows; median of 20)", "≤ 50 ms"))
        rows.append(("store size on disk", f"{_size(store.root) / 1e6:.2f} MB (prices.parquet + .prev)", "—"))
        big = synthetic_store(store, Path(tmp) / "synthetic")
        rows.append(("load 40 symbols × 10 years (synthesised by repeating real series)",
                     f"{_median_ms(big.load_prices):.1f} ms ({len(big.load_prices()):,} rows)", "≤ 50 ms"))
        rows.append(("synthetic store size on disk", f"{_size(big.root) / 1e6:.2f} MB", "—"))
    return rows
