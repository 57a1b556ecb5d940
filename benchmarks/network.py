"""Refresh timings against the fake Yahoo on loopback (real yfinance + curl_cffi): empty store, all stale,
all fresh, and every endpoint stalling (a cold start with the production 30 s deadline).

``python -m benchmarks network``; or ``python -m benchmarks.network [--deadline S]`` on its own.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from data_sources.market import refresh, yahoo
from data_sources.market.universe import yahoo_symbols
from data_sources.settings import reload, settings
from data_sources.store.prices import Store
from tests.fakes import fake_yahoo

ROOT = Path(__file__).resolve().parents[1]


def _market_dir() -> Path:
    return (settings().shared_dir or ROOT.parent / "shared") / "data" / "market"


def run(deadline_s: float | None = None) -> list[tuple[str, str, str]]:
    """(figure, value, target) rows."""
    deadline_s = settings().price_deadline_s if deadline_s is None else deadline_s
    saved_env = os.environ.pop("DASHBOARD_OFFLINE", None)
    reload()
    saved_factory = yahoo.session_factory
    symbols = [s for s in yahoo_symbols() if (_market_dir() / f"{s}.csv").exists()]  # ones the fake can serve
    rows: list[tuple[str, str, str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, fake_yahoo.serve(_market_dir()) as fake:
            import yfinance as yf

            yf.set_tz_cache_location(str(Path(tmp) / "yf-cache"))
            yahoo.session_factory = lambda deadline: fake_yahoo.RoutedSession(fake, deadline)
            store = Store(Path(tmp) / "store")

            fake.asof = date(2025, 1, 24)
            first = _timed(lambda: refresh.refresh_prices(store, symbols, now=fake_yahoo.utc(2025, 1, 24, 23, 0),
                                                          deadline_s=deadline_s))
            rows.append(_row(f"refresh, empty store ({len(symbols)} symbols from 2020)", first, "≤ 30 s"))

            fake.asof = date(2025, 1, 31)
            stale = _timed(lambda: refresh.refresh_prices(store, symbols, now=fake_yahoo.utc(2025, 1, 31, 23, 0),
                                                          deadline_s=deadline_s))
            rows.append(_row("refresh, all stale (a week behind)", stale, "≤ 30 s"))

            fresh = _timed(lambda: refresh.refresh_prices(store, symbols, now=fake_yahoo.utc(2025, 1, 31, 23, 40),
                                                          deadline_s=deadline_s))
            rows.append(_row("refresh, all fresh", fresh, "0 calls"))

            fake_yahoo.reset_yfinance_state()
            fake.fail("*", "stall")
            stalled = _timed(lambda: refresh.refresh_prices(Store(Path(tmp) / "cold"), symbols,
                                                            now=fake_yahoo.utc(2025, 2, 3, 23, 0),
                                                            deadline_s=deadline_s))
            rows.append(_row(f"refresh, cold start, every endpoint stalling (deadline {deadline_s:g} s)", stalled,
                             f"offline ≤ {deadline_s + 5:g} s"))
    finally:
        yahoo.session_factory = saved_factory
        if saved_env is not None:
            os.environ["DASHBOARD_OFFLINE"] = saved_env
        reload()
    return rows


def _timed(call) -> tuple[float, refresh.RefreshReport]:
    began = time.perf_counter()
    report = call()
    return time.perf_counter() - began, report


def _row(name: str, timed: tuple[float, refresh.RefreshReport], target: str) -> tuple[str, str, str]:
    seconds, report = timed
    rows = sum(report.fetched.values())
    detail = (f"{seconds:.1f} s, {report.outcome}, {report.download_calls} download call(s), "
              f"{len(report.fetched)} symbols / {rows} rows stored, {len(report.fresh)} fresh")
    return name, detail, target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadline", type=float, default=None, help="seconds (default: DASHBOARD_PRICE_DEADLINE_S)")
    args = parser.parse_args()
    for figure, value, target in run(args.deadline):
        print(f"{figure:<70}  {value:<80}  target {target}")
