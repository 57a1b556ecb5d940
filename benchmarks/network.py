"""How many download calls a refresh makes (through a fake ``yf.download``): all stale, then nothing stale."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from data_sources import refresh
from data_sources.store import Store
from data_sources.universe import yahoo_symbols
from tests.fakes import FakeDownload, yf_frame


def run() -> list[tuple[str, str, str]]:
    """(figure, value, target) rows."""
    saved = os.environ.pop("DASHBOARD_OFFLINE", None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp))
            symbols = yahoo_symbols()
            fake = FakeDownload(yf_frame({s: [100.0, 101.0] for s in symbols}, ["2026-11-23", "2026-11-24"]))
            stale = refresh.refresh_prices(store, symbols, download=fake)
            first = len(fake.calls)
            fresh = refresh.refresh_prices(store, symbols, download=fake)
            second = len(fake.calls) - first
    finally:
        if saved is not None:
            os.environ["DASHBOARD_OFFLINE"] = saved
    return [
        (f"download calls, refresh with all {len(symbols)} symbols stale", f"{first} ({len(stale.fetched)} stored)",
         "1"),
        ("download calls, second refresh the same day", f"{second} ({len(fresh.fresh)} already fresh)", "0"),
    ]
