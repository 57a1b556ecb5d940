"""Faults, as a reader meets them: every page still renders with a clear message, stored data intact.

The network is faked only at its boundary (``yf.download``, ``requests.get``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
import requests
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from data_sources import atomic
from data_sources.refresh import ensure_bundled_ecb
from data_sources.store import Store
from tests.conftest import ROOT, app_page, shown
from tests.fakes import yf_frame

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


def _no_ecb(*args, **kwargs):
    raise requests.ConnectionError("Failed to resolve 'www.ecb.europa.eu' (Name or service not known)")


def _dns_down(tickers, **kwargs):
    logging.getLogger("yfinance").error(
        f"{list(tickers)}: DNSError('curl: (6) Could not resolve host: query2.finance.yahoo.com')")
    return yf_frame({t: None for t in tickers}, [])


def _timeout(tickers, **kwargs):
    raise TimeoutError("Read timed out. (read timeout=10)")


def _rate_limited(tickers, **kwargs):
    raise YFRateLimitError()


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch, seeded_store: Path) -> Path:
    monkeypatch.delenv("DASHBOARD_OFFLINE")
    monkeypatch.setattr(requests, "get", _no_ecb)
    return seeded_store


def _all_text(at) -> str:
    return " ".join(shown(str(getattr(e, "value", ""))) for e in (*at.info, *at.warning, *at.error, *at.caption))


@pytest.mark.parametrize("download, reason", [
    (_dns_down, "network unavailable"), (_timeout, "network unavailable"), (_rate_limited, "rate-limiting")])
def test_network_down_every_page_says_offline_and_keeps_data(online, monkeypatch, download, reason) -> None:
    ensure_bundled_ecb(Store(online))  # what the app does on start, offline or not
    before = Store(online).load_prices()
    monkeypatch.setattr(yf, "download", download)
    for page in PAGES:
        at = app_page(page, lang="en")
        assert not at.exception, (page, at.exception)
        text = _all_text(at)
        assert "offline — data as of 2026-10-30" in text and reason in text, (page, text[:500])
    pd.testing.assert_frame_equal(Store(online).load_prices(), before)


def test_one_symbol_empty_the_others_stored(online, monkeypatch) -> None:
    calls = []

    def partial(tickers, **kwargs):
        calls.append(list(tickers))
        return yf_frame({t: (None if t == "NVDA" else [100.0, 101.0]) for t in tickers}, ["2026-11-23", "2026-11-24"])

    monkeypatch.setattr(yf, "download", partial)
    at = app_page("data", lang="en")
    assert not at.exception and len(calls) == 1
    stored = Store(online).load_prices()
    assert stored[stored["symbol"] == "MSFT"]["date"].max() == pd.Timestamp("2026-11-24")
    assert stored[stored["symbol"] == "NVDA"]["date"].max() == pd.Timestamp("2026-03-25")  # untouched
    assert "NVDA: Yahoo returned no prices" in _all_text(at)


def test_damaged_store_file_serves_previous_generation(seeded_store: Path) -> None:
    store = Store(seeded_store)
    ensure_bundled_ecb(store)  # as after the app's first start
    store.note_series({"NVDA": {"checked": "yes"}})  # one more write: .prev is a complete generation
    store.prices_path.write_bytes(b"PAR1\x00\x00 damaged on disk")
    for page in PAGES:
        at = app_page(page, lang="en")
        assert not at.exception, page
        assert any("previous version" in shown(w.value) for w in at.warning), page


def test_read_only_or_full_data_dir_still_renders(monkeypatch, tmp_path) -> None:
    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_space)
    at = app_page("data", lang="en")
    assert not at.exception
    assert any("cannot be written" in shown(e.value) and "No space left on device" in shown(e.value)
               for e in at.error)


def test_fresh_install_with_no_import_every_page_renders_and_says_what_to_do() -> None:
    for page in PAGES:
        at = app_page(page, lang="en")
        assert not at.exception, (page, at.exception)
        text = _all_text(at)
        assert "offline — data as of" in text, page  # the bundled ECB rates are there from the first start
    assert "Import a snapshot on the Data page" in _all_text(app_page("compare", lang="en"))
    assert "showing the USDKRW_ECB series instead" in _all_text(app_page("fx", lang="en"))  # works offline
    assert "No news is stored yet" in _all_text(app_page("news", lang="en"))
