"""The Yahoo adapter's three steps and the refresh rules, with yf.download faked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from yfinance.exceptions import YFRateLimitError

from data_sources import refresh, yahoo
from data_sources import store as store_mod
from data_sources.store import Store
from tests.fakes import FakeDownload, yf_frame

DATES = ["2025-01-23", "2025-01-24", "2025-01-27"]


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)
    set_clock(monkeypatch, datetime(2025, 1, 28, 9, 0, tzinfo=UTC))


def set_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    for module in (store_mod, refresh):
        monkeypatch.setattr(module, "now_utc", lambda: when)


def test_build_query_batches_from_earliest_start() -> None:
    query = yahoo.build_query({"NVDA": date(2025, 1, 20), "BABA": date(2020, 1, 1)}, date(2025, 1, 28))
    assert query.symbols == ("BABA", "NVDA") and query.start == date(2020, 1, 1) and query.end == date(2025, 1, 29)


def test_transform_multiindex_to_tidy_and_per_symbol_errors() -> None:
    raw = yahoo.Extracted(yf_frame({"NVDA": [147.2, 142.6, 118.4], "^SOX": None}, DATES))
    query = yahoo.build_query({"NVDA": date(2025, 1, 1), "^SOX": date(2025, 1, 1)}, date(2025, 1, 28))
    tidy, errors = yahoo.transform(raw, query)
    assert list(tidy.columns) == ["date", "symbol", "open", "high", "low", "close", "adj_close", "volume"]
    assert tidy["close"].tolist() == [147.2, 142.6, 118.4]
    assert tidy["adj_close"].round(3).tolist() == [145.728, 141.174, 117.216]
    assert str(tidy["date"].dtype) == "datetime64[ns]" and tidy["date"].dt.tz is None
    assert set(errors) == {"^SOX"} and "^SOX: Yahoo returned no prices" in errors["^SOX"]


def test_transform_drops_rows_before_each_symbols_own_start() -> None:
    raw = yahoo.Extracted(yf_frame({"A": [1.0, 2.0, 3.0], "B": [4.0, 5.0, 6.0]}, DATES))
    starts = {"A": date(2025, 1, 24), "B": date(2025, 1, 1)}
    tidy, _ = yahoo.transform(raw, yahoo.build_query(starts, date(2025, 1, 28)), starts)
    assert tidy.groupby("symbol").size().to_dict() == {"A": 2, "B": 3}


def test_extract_passes_auto_adjust_explicitly_in_one_call() -> None:
    fake = FakeDownload(yf_frame({"NVDA": [1.0, 2.0, 3.0]}, DATES))
    yahoo.extract(yahoo.build_query({"NVDA": date(2025, 1, 1)}, date(2025, 1, 28)), fake)
    assert len(fake.calls) == 1 and fake.calls[0]["auto_adjust"] is False and fake.calls[0]["progress"] is False


@pytest.mark.parametrize("fake, kind", [
    (FakeDownload(raises=YFRateLimitError()), "rate_limit"),
    (FakeDownload(log="['NVDA']: DNSError('curl: (6) Could not resolve host: query2.finance.yahoo.com')"), "network"),
    (FakeDownload(log="['NVDA']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"),
     "rate_limit"),
    (FakeDownload(raises=TimeoutError("read timed out")), "network"),
])
def test_extract_unreachable_yahoo_raises_unavailable(fake: FakeDownload, kind: str) -> None:
    with pytest.raises(yahoo.YahooUnavailable) as info:
        yahoo.extract(yahoo.build_query({"NVDA": date(2025, 1, 1)}, date(2025, 1, 28)), fake)
    assert info.value.kind == kind


def test_refresh_fetches_missing_then_nothing_the_same_day(tmp_path, online) -> None:
    store = Store(tmp_path)
    fake = FakeDownload(yf_frame({"NVDA": [147.2, 142.6, 118.4], "BABA": [90.0, 91.0, 92.0]}, DATES))
    report = refresh.refresh_prices(store, ["NVDA", "BABA"], download=fake)
    assert report.download_calls == 1 and report.fetched == {"BABA": 3, "NVDA": 3}
    assert fake.calls[0]["start"] == "2020-01-01"
    again = refresh.refresh_prices(store, ["NVDA", "BABA"], download=fake)
    assert again.download_calls == 0 and len(fake.calls) == 1 and sorted(again.fresh) == ["BABA", "NVDA"]


def test_later_refresh_starts_at_last_date_minus_overlap(tmp_path, online, monkeypatch) -> None:
    store = Store(tmp_path)
    refresh.refresh_prices(store, ["NVDA"], download=FakeDownload(yf_frame({"NVDA": [1.0, 2.0, 3.0]}, DATES)))
    set_clock(monkeypatch, datetime(2025, 2, 3, 9, 0, tzinfo=UTC))
    revised = FakeDownload(yf_frame({"NVDA": [33.0, 4.0]}, ["2025-01-27", "2025-01-28"]))
    refresh.refresh_prices(store, ["NVDA"], download=revised)
    assert revised.calls[0]["start"] == "2025-01-22"  # 2025-01-27 minus 5 days
    assert store.load_prices(["NVDA"])["close"].tolist() == [1.0, 2.0, 33.0, 4.0]


def test_failed_refresh_keeps_stored_data_and_reports_offline(tmp_path, online) -> None:
    store = Store(tmp_path)
    refresh.refresh_prices(store, ["NVDA"], download=FakeDownload(yf_frame({"NVDA": [1.0, 2.0, 3.0]}, DATES)))
    before = store.load_prices()
    report = refresh.refresh_all(store, download=FakeDownload(raises=YFRateLimitError()),
                                 get=lambda *a, **k: pytest.fail("ECB must not be asked when Yahoo is down"))
    assert report.outcome == "offline" and "rate-limiting" in report.offline_reason
    pd.testing.assert_frame_equal(store.load_prices(["NVDA"]), before)
    assert store.last_refresh()["outcome"] == "offline"


def test_one_empty_symbol_does_not_stop_the_others(tmp_path, online) -> None:
    store = Store(tmp_path)
    fake = FakeDownload(yf_frame({"NVDA": [1.0, 2.0, 3.0], "9988.HK": None}, DATES))
    report = refresh.refresh_prices(store, ["NVDA", "9988.HK"], download=fake)
    assert report.fetched == {"NVDA": 3} and "9988.HK" in report.errors and report.outcome == "partial"
    assert set(store.load_prices()["symbol"]) == {"NVDA"}


def test_forced_offline_never_calls_download(tmp_path) -> None:
    fake = FakeDownload()
    report = refresh.refresh_prices(Store(tmp_path), ["NVDA"], download=fake)
    assert report.offline_reason == "DASHBOARD_OFFLINE is set" and fake.calls == []
