"""The live refresh against a fake Yahoo on loopback, with the real yfinance and curl_cffi.

Nothing here fakes ``yf.download``: the fake is an HTTP server (tests/fakes/fake_yahoo.py) serving the
shared market CSVs in Yahoo's chart-API shape; only the session's base URL is rerouted.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from data_sources.errors import Problem
from data_sources.market import calendars, refresh, yahoo
from data_sources.market.status import status_table
from data_sources.store.prices import Store
from tests.conftest import en
from tests.fakes import fake_yahoo
from tests.fakes.fake_yahoo import FakeYahoo, Live, utc

US, HK, KR = "NVDA", "0700.HK", "005930.KS"


@pytest.fixture
def yahoo_server(market_dir, monkeypatch, tmp_path_factory):
    yield from fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory)


def csv_rows(market_dir, symbol: str, first: str, last: str) -> pd.DataFrame:
    rows = pd.read_csv(market_dir / f"{symbol}.csv", parse_dates=["date"])
    return rows[(rows["date"] >= first) & (rows["date"] <= last)].reset_index(drop=True)


def stored(store: Store, symbol: str) -> pd.DataFrame:
    return store.load_prices([symbol]).reset_index(drop=True)


# -- request windows ----------------------------------------------------------------------------

def test_transform_query_groups_by_start_so_a_new_symbol_does_not_pin_the_batch() -> None:
    starts = {"NVDA": date(2026, 3, 20), "MSFT": date(2026, 3, 18), "NEW": date(2020, 1, 1), "OLD": date(2020, 2, 1)}
    queries = yahoo.YahooFetcher().transform_query(starts)
    assert [(q.symbols, q.start) for q in queries] == [(("NEW", "OLD"), date(2020, 1, 1)),
                                                        (("MSFT", "NVDA"), date(2026, 3, 18))]
    assert all(q.end > datetime.now(UTC) for q in queries)  # always in the future: yfinance cannot cache it


def test_refresh_end_to_end_stores_yahoos_rows_then_asks_nothing(yahoo_server: FakeYahoo, tmp_path,
                                                                   market_dir) -> None:
    yahoo_server.asof = date(2025, 1, 31)
    store = Store(tmp_path)
    now = utc(2025, 1, 31, 23, 0)  # after the US close: every bar of 01-31 is final
    report = refresh.refresh_prices(store, [US, "MSFT"], now=now)
    assert report.outcome == "ok" and report.download_calls == 1, report.errors
    expected = csv_rows(market_dir, US, "2020-01-01", "2025-01-31")
    got = stored(store, US)
    assert got["date"].tolist() == expected["date"].tolist()
    assert got["close"].tolist() == pytest.approx(expected["close"].tolist(), rel=1e-12)
    asked = len(yahoo_server.chart_requests())
    again = refresh.refresh_prices(store, [US, "MSFT"], now=utc(2025, 2, 1, 9, 0))
    assert again.download_calls == 0 and sorted(again.fresh) == ["MSFT", US]
    assert len(yahoo_server.chart_requests()) == asked


def test_new_symbol_gets_its_own_batch_and_the_others_ask_only_a_few_days(yahoo_server: FakeYahoo, tmp_path) -> None:
    store = Store(tmp_path)
    yahoo_server.asof = date(2025, 1, 24)
    refresh.refresh_prices(store, [US], now=utc(2025, 1, 24, 23, 0))
    yahoo_server.asof = date(2025, 1, 31)
    yahoo_server.requests.clear()
    report = refresh.refresh_prices(store, [US, "MSFT"], now=utc(2025, 1, 31, 23, 0))
    assert report.download_calls == 2 and report.outcome == "ok"
    nvda = yahoo_server.chart_requests(US)[-1]["query"]
    msft = yahoo_server.chart_requests("MSFT")[-1]["query"]
    assert pd.Timestamp(int(nvda["period1"]), unit="s").date() == date(2025, 1, 19)  # 01-24 minus 5 days
    assert pd.Timestamp(int(msft["period1"]), unit="s").date() <= date(2020, 1, 1)
    assert stored(store, US)["date"].max() == pd.Timestamp("2025-01-31")


def test_hk_refresh_after_1630_utc_still_asks_yahoo(yahoo_server: FakeYahoo, tmp_path) -> None:
    """A bare end date is midnight in Hong Kong: after ~16:30 UTC it lies in the past and yfinance
    would answer the second refresh from its in-process cache. The end must always ask Yahoo."""
    store = Store(tmp_path)
    yahoo_server.asof = date(2025, 1, 23)
    refresh.refresh_prices(store, [HK], now=utc(2025, 1, 23, 17, 0))
    yahoo_server.asof = date(2025, 1, 24)  # Yahoo now has the next close
    report = refresh.refresh_prices(store, [HK], now=utc(2025, 1, 24, 17, 0))
    assert report.outcome == "ok"
    assert len(yahoo_server.chart_requests(HK)) == 2
    assert all(int(r["query"]["period2"]) > time.time() for r in yahoo_server.chart_requests(HK))
    assert stored(store, HK)["date"].max() == pd.Timestamp("2025-01-24")


def test_live_bar_is_not_stored_until_its_session_closed(yahoo_server: FakeYahoo, tmp_path, market_dir) -> None:
    store = Store(tmp_path)
    yahoo_server.asof = date(2025, 1, 31)
    yahoo_server.live[US] = Live(date(2025, 2, 3), 99.0)  # Monday, mid-session
    refresh.refresh_prices(store, [US], now=utc(2025, 2, 3, 16, 0))  # 11:00 in New York
    assert stored(store, US)["date"].max() == pd.Timestamp("2025-01-31")
    assert 99.0 not in stored(store, US)["close"].tolist()
    later = refresh.refresh_prices(store, [US], now=utc(2025, 2, 3, 18, 0))  # still open: nothing new possible
    assert later.download_calls == 0 and later.fresh == [US]
    del yahoo_server.live[US]
    yahoo_server.asof = date(2025, 2, 3)
    closed = refresh.refresh_prices(store, [US], now=utc(2025, 2, 3, 21, 30))  # closed and settled
    assert closed.download_calls == 1
    final = csv_rows(market_dir, US, "2025-02-03", "2025-02-03")["close"].item()
    assert stored(store, US)["close"].iloc[-1] == pytest.approx(final)


def test_bar_is_final_per_exchange_close() -> None:
    day = date(2025, 1, 24)  # a Friday
    assert not calendars.bar_is_final(HK, day, utc(2025, 1, 24, 8, 0))  # 16:00 HKT close, not settled
    assert calendars.bar_is_final(HK, day, utc(2025, 1, 24, 8, 30))
    assert not calendars.bar_is_final(KR, day, utc(2025, 1, 24, 6, 40))  # 15:30 KST + 20 min = 06:50 UTC
    assert calendars.bar_is_final(KR, day, utc(2025, 1, 24, 6, 50))
    assert not calendars.bar_is_final(US, day, utc(2025, 1, 24, 21, 10))
    assert calendars.bar_is_final("KRW=X", day, utc(2025, 1, 25, 0, 0))  # London day over
    assert not calendars.bar_is_final("KRW=X", day, utc(2025, 1, 24, 23, 59))
    assert calendars.last_close(US, utc(2025, 1, 27, 12, 0)) == utc(2025, 1, 24, 21, 20)  # over the weekend


# -- one basis --------------------------------------------------------------------------------

def _seed_then_change(server: FakeYahoo, store: Store, change) -> refresh.RefreshReport:
    server.asof = date(2025, 1, 24)
    refresh.refresh_prices(store, [US], now=utc(2025, 1, 24, 23, 0))
    change()
    server.asof = date(2025, 1, 31)
    return refresh.refresh_prices(store, [US], now=utc(2025, 1, 31, 23, 0))


def test_split_refetches_the_full_history_on_the_new_basis(yahoo_server: FakeYahoo, tmp_path, market_dir) -> None:
    store = Store(tmp_path)
    old_basis = pd.DataFrame({"date": [pd.Timestamp("2020-12-31")], "symbol": [US], "open": [None], "high": [None],
                              "low": [None], "close": [13.1], "adj_close": [13.1], "volume": [None]})
    store.upsert(old_basis, {US: {"source": "import: an older snapshot"}})  # a row Yahoo will not send again
    report = _seed_then_change(yahoo_server, store, lambda: yahoo_server.split(US, date(2025, 1, 27), 10))
    assert US in report.rebased and "a 10:1 split on 2025-01-27" in en(report.rebased[US]), report
    got = stored(store, US).set_index("date")["close"]
    assert got.pct_change().abs().max() < 0.5  # no -90% "return" at the seam
    before = csv_rows(market_dir, US, "2021-01-04", "2021-01-04")["close"].item()
    assert got.iloc[0] == pytest.approx(before / 10)
    info = store.read().series[US]
    assert info["rebased_at"].startswith("2025-01-31") and "split" in en(Problem.from_dict(info["rebase_reason"]))
    row = status_table(store.read()).set_index("symbol").loc[US]
    assert "a 10:1 split" in en(row["note"])


def test_dividend_refetches_so_older_adjusted_returns_stay_right(yahoo_server: FakeYahoo, tmp_path) -> None:
    store = Store(tmp_path)
    report = _seed_then_change(yahoo_server, store, lambda: yahoo_server.dividend(US, date(2025, 1, 28), 3.0))
    assert "a dividend of 3 on 2025-01-28" in en(report.rebased[US])
    adj = stored(store, US).set_index("date")["adj_close"]
    served = yahoo_server.frame(US)["adj_close"]
    assert adj.loc["2021-01-04"] == pytest.approx(served.loc["2021-01-04"])


def test_corrected_close_beyond_tolerance_rebases_and_within_does_not(yahoo_server: FakeYahoo, tmp_path,
                                                                      market_dir) -> None:
    original = csv_rows(market_dir, US, "2025-01-22", "2025-01-22")["close"].item()
    store = Store(tmp_path)
    report = _seed_then_change(yahoo_server, store, lambda: yahoo_server.correct(US, date(2025, 1, 22),
                                                                                 original * 1.01))
    assert "a corrected close" in en(report.rebased[US]) and "2025-01-22" in en(report.rebased[US])
    assert stored(store, US).set_index("date").loc["2025-01-22", "close"] == pytest.approx(original * 1.01)
    old = pd.DataFrame({"date": pd.to_datetime(["2025-01-22"]), "close": [100.0], "adj_close": [100.0]})
    new = old.assign(close=[100.0 * (1 + refresh.REBASE_TOLERANCE / 2)])
    assert refresh.rebase_reason(old, new, []) is None


@pytest.mark.parametrize("kind", ["404", "429", "stall"])
def test_failed_full_refetch_keeps_the_stored_series_and_says_the_rebase_failed(yahoo_server: FakeYahoo, tmp_path,
                                                                                  kind: str) -> None:
    """The overlap shows a 10:1 split, then the full-history request fails: nothing of the symbol changes."""
    store = Store(tmp_path)
    yahoo_server.asof = date(2025, 1, 24)
    refresh.refresh_prices(store, [US, "MSFT"], now=utc(2025, 1, 24, 23, 0))
    before = stored(store, US)
    before_info = dict(store.read().series[US])
    yahoo_server.split(US, date(2025, 1, 27), 10)
    yahoo_server.fail(US, kind, history_before=date(2025, 1, 1))  # the last days come back, the history not
    yahoo_server.asof = date(2025, 1, 31)
    yahoo_server.stall_s = 30
    report = refresh.refresh_prices(store, [US, "MSFT"], now=utc(2025, 1, 31, 23, 0),
                                    deadline_s=8 if kind == "stall" else None)
    assert [r["query"]["period1"] for r in yahoo_server.chart_requests(US) if r["fault"]], "no full re-fetch asked"
    assert US not in report.rebased and US not in report.fetched
    assert "a 10:1 split on 2025-01-27" in en(report.rebase_failed[US]), report
    assert report.errors[US].code == "yahoo.rebase_kept" and "kept unchanged" in en(report.errors[US])
    pd.testing.assert_frame_equal(stored(store, US), before)  # not one row replaced, dropped or added
    assert stored(store, "MSFT")["date"].max() == pd.Timestamp("2025-01-31")  # the others are stored
    info = store.read().series[US]
    assert info["fetched_at"] == before_info["fetched_at"] and not info.get("rebased_at")
    assert info["yahoo_checked_at"] == before_info["yahoo_checked_at"]  # so the next refresh asks again
    note = en(status_table(store.read()).set_index("symbol").loc[US, "note"])
    assert note.startswith("On 2025-01-31 the full history had to be fetched again but could not be, so the stored "
                           "series was kept") and "a 10:1 split" in note, note
    yahoo_server.faults.clear()  # Yahoo answers again: the re-base goes through and the note is replaced
    again = refresh.refresh_prices(store, [US], now=utc(2025, 2, 1, 1, 0))
    assert US in again.rebased, again
    notes = status_table(store.read()).set_index("symbol").loc[US, "note"]
    assert [n.code for n in notes] == ["status.rebased"] and en(notes).startswith("History fetched again on 2025-02-01")


# -- mixed calendars ---------------------------------------------------------------------------

def test_us_hk_and_krx_in_one_batch_keep_their_own_holidays(yahoo_server: FakeYahoo, tmp_path, market_dir) -> None:
    """Lunar New Year 2025: Seoul shut 01-27..01-30, Hong Kong 01-29..01-31, New York open."""
    store = Store(tmp_path)
    yahoo_server.asof = date(2025, 2, 7)
    report = refresh.refresh_prices(store, [US, HK, KR], now=utc(2025, 2, 7, 23, 0))
    assert report.outcome == "ok" and report.download_calls == 1, report.errors
    for symbol in (US, HK, KR):
        expected = csv_rows(market_dir, symbol, "2025-01-20", "2025-02-07")
        got = stored(store, symbol)
        got = got[got["date"] >= "2025-01-20"].reset_index(drop=True)
        assert got["date"].tolist() == expected["date"].tolist(), symbol
        assert got["close"].tolist() == pytest.approx(expected["close"].tolist()), symbol


# -- honest failures ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind, says", [
    ("stall", "did not answer"), ("reset", "connection broke off"), ("garbage", "connection broke off"),
    # 429: "(HTTP 429 for all N symbols)", or, when one request of a loaded machine ran out of time instead,
    # "(HTTP 429) ×20, did not answer in time ×1": both name the cause
    ("tls", "secure connection (TLS)"), ("429", "rate-limiting us (HTTP 429")])
def test_every_endpoint_failing_is_offline_with_the_reason(yahoo_server: FakeYahoo, tmp_path, monkeypatch,
                                                           kind: str, says: str) -> None:
    store = Store(tmp_path)
    yahoo_server.asof = date(2025, 1, 24)
    refresh.refresh_prices(store, [US, "MSFT"], now=utc(2025, 1, 24, 23, 0))
    refresh.ensure_bundled_ecb(store)  # as the app does on start
    before = store.load_prices()
    yahoo_server.fail("*", kind)
    monkeypatch.setenv("DASHBOARD_PRICE_DEADLINE_S", "3")
    began = time.monotonic()
    report = refresh.refresh_all(store, now=utc(2025, 1, 31, 23, 0))
    elapsed = time.monotonic() - began
    assert report.outcome == "offline" and says in en(report.offline_reason), report.offline_reason
    assert "delisted" not in en(report.offline_reason)
    assert elapsed < 3 + 4, elapsed  # the deadline holds, cookie/crumb calls included (generous margin)
    pd.testing.assert_frame_equal(store.load_prices(), before)
    assert store.last_refresh()["outcome"] == "offline"


def test_cold_start_with_everything_stalling_says_offline_within_the_deadline(yahoo_server: FakeYahoo,
                                                                             tmp_path) -> None:
    yahoo_server.fail("*", "stall")
    began = time.monotonic()
    report = refresh.refresh_prices(Store(tmp_path), [US, HK, KR, "MSFT"], now=utc(2025, 1, 31, 23, 0),
                                    deadline_s=2.0)
    assert time.monotonic() - began < 2.0 + 3
    assert report.outcome == "offline" and "Network unavailable" in en(report.offline_reason)
    assert any(r["path"] == "/_fc/" for r in yahoo_server.requests)  # the cookie call was cut too


def test_one_symbol_stalling_is_named_as_a_timeout_not_delisted(yahoo_server: FakeYahoo, tmp_path) -> None:
    yahoo_server.asof = date(2025, 1, 31)
    yahoo_server.fail("MSFT", "stall")
    report = refresh.refresh_prices(Store(tmp_path), [US, "MSFT"], now=utc(2025, 1, 31, 23, 0), deadline_s=3)
    assert report.outcome == "partial" and US in report.fetched
    assert report.errors["MSFT"].params["cause"].code in {"yahoo.timeout", "yahoo.deadline"}
    assert "delisted" not in en(report.errors["MSFT"])


def test_partial_rate_limit_is_retried_with_backoff(yahoo_server: FakeYahoo, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(yahoo, "fetch", _fast_backoff(yahoo.fetch))
    yahoo_server.asof = date(2025, 1, 31)
    yahoo_server.fail("MSFT", "429", times=2)  # the probe and its retry: yfinance gives up on this symbol once
    report = refresh.refresh_prices(Store(tmp_path), [US, "MSFT"], now=utc(2025, 1, 31, 23, 0), deadline_s=10)
    assert report.outcome == "ok" and report.retried == {"MSFT": 1} and "MSFT" in report.fetched


def test_persistent_partial_rate_limit_is_named_and_bounded(yahoo_server: FakeYahoo, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(yahoo, "fetch", _fast_backoff(yahoo.fetch))
    yahoo_server.asof = date(2025, 1, 31)
    yahoo_server.fail("MSFT", "429")
    report = refresh.refresh_prices(Store(tmp_path), [US, "MSFT"], now=utc(2025, 1, 31, 23, 0), deadline_s=10)
    assert report.outcome == "partial" and US in report.fetched
    assert en(report.errors["MSFT"]) == "MSFT: Yahoo Finance is still rate-limiting us after 2 retries"
    assert report.download_calls == 3


def test_possibly_delisted_only_when_yahoo_says_so_for_that_symbol(yahoo_server: FakeYahoo, tmp_path) -> None:
    yahoo_server.asof = date(2025, 1, 31)
    report = refresh.refresh_prices(Store(tmp_path), [US, "ZZZZ.HK"], now=utc(2025, 1, 31, 23, 0))
    assert report.outcome == "partial" and US in report.fetched
    assert en(report.errors["ZZZZ.HK"]).startswith("ZZZZ.HK: Yahoo Finance has no such symbol")
    assert "symbol may be delisted" in report.errors["ZZZZ.HK"].params["detail"]  # Yahoo's own words, kept


def test_forced_offline_never_contacts_yahoo(yahoo_server: FakeYahoo, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    report = refresh.refresh_prices(Store(tmp_path), [US])
    assert report.offline_reason.code == "refresh.offline_forced" and yahoo_server.requests == []


def _fast_backoff(fetch):
    def fast(*args, **kwargs):
        return fetch(*args, **{**kwargs, "backoff_s": 0.05})
    return fast
