"""Symbols a reader adds (``python -m data_sources add``): checked against the fake Yahoo with the real
yfinance and curl_cffi, fetched by the next refresh, and listed by ``status`` with their state."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_sources import cli
from data_sources.market import added_symbols, refresh
from data_sources.market.added_symbols import SymbolError
from data_sources.market.universe import yahoo_symbols
from data_sources.store.prices import Store
from tests.conftest import en
from tests.fakes import fake_yahoo
from tests.fakes.fake_yahoo import FakeYahoo, utc

ADR = "TCEHY"  # Tencent's US ADR: a real ticker outside the universe
ADR_NAME = "Tencent Holdings Limited"


@pytest.fixture
def yahoo_server(market_dir, monkeypatch, tmp_path_factory):
    for fake in fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory):
        fake.add_listing(ADR, "MSFT", ADR_NAME, "Tencent Holdings Ltd")  # MSFT's real rows under the ADR's ticker
        yield fake


def chart_calls(server: FakeYahoo, symbol: str) -> int:
    return sum(1 for r in server.requests if r["symbol"] == symbol)


def universe_fresh(store: Store) -> None:
    """One stored row per universe symbol, checked after the 2025-01-31 closes: a refresh asks none of them."""
    symbols = yahoo_symbols()
    rows = pd.DataFrame({"date": pd.Timestamp("2025-01-31"), "symbol": symbols, "open": None, "high": None,
                         "low": None, "close": 1.0, "adj_close": 1.0, "volume": None})
    checked = utc(2025, 2, 1, 6, 0).isoformat()
    store.upsert(rows, {s: {"source": "test seed", "yahoo_checked_at": checked} for s in symbols})


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- validation against Yahoo ------------------------------------------------------------------

def test_online_add_fills_name_and_currency_from_yahoo_with_provenance(yahoo_server: FakeYahoo, tmp_path,
                                                                       capsys) -> None:
    code, out, err = run_cli(capsys, "--data-dir", str(tmp_path), "add", "tcehy", "--name-ko", "텐센트 ADR")
    assert code == 0, err
    assert f"added {ADR} (텐센트 ADR / {ADR_NAME}, USD" in out
    assert f"checked against Yahoo Finance: {ADR_NAME}" in out and "not fetched yet" in out
    row = added_symbols.read(tmp_path).iloc[0]
    assert (row.name_ko, row.name_en, row.currency, row.validated) == ("텐센트 ADR", ADR_NAME, "USD", "yahoo")
    assert row.name_source == "name-en: yahoo longName" and row.yahoo_name == ADR_NAME
    assert row.yahoo_exchange == "NasdaqGS" and row.timezone == "America/New_York"
    assert row.added_by == "cli" and row.checked_at and row.added_at
    assert chart_calls(yahoo_server, ADR) >= 1  # really asked, through yfinance


def test_a_name_the_reader_gives_wins_and_a_wrong_currency_is_refused(yahoo_server: FakeYahoo, tmp_path) -> None:
    with pytest.raises(SymbolError) as info:
        added_symbols.add_symbol(ADR, None, "Tencent ADR", "hkd", tmp_path, lookup=added_symbols.yahoo_lookup)
    assert en(info.value) == f"currency: HKD given, but Yahoo quotes {ADR} in USD"
    assert added_symbols.read(tmp_path).empty
    row = added_symbols.add_symbol(ADR, None, "Tencent ADR", "USD", tmp_path, lookup=added_symbols.yahoo_lookup)
    assert (row["name_en"], row["name_source"], row["yahoo_name"]) == ("Tencent ADR", "reader", ADR_NAME)


def test_unknown_symbol_is_refused_with_a_message_naming_it(yahoo_server: FakeYahoo, tmp_path, capsys) -> None:
    code, _out, err = run_cli(capsys, "--data-dir", str(tmp_path), "add", "ZZZZ.HK", "--name-en", "Nothing",
                              "--currency", "HKD")
    assert code == 2
    assert "error: 'ZZZZ.HK': symbol: Yahoo Finance does not know ZZZZ.HK" in err, err
    assert "may be delisted" in err and "Traceback" not in err
    assert not (tmp_path / added_symbols.TABLE_NAME).exists()


def test_a_second_add_is_refused_before_asking_yahoo(yahoo_server: FakeYahoo, tmp_path) -> None:
    added_symbols.add_symbol(ADR, None, None, None, tmp_path, lookup=added_symbols.yahoo_lookup)
    asked = len(yahoo_server.requests)
    with pytest.raises(SymbolError) as info:
        added_symbols.add_symbol(ADR, None, None, None, tmp_path, lookup=added_symbols.yahoo_lookup)
    assert info.value.code == "symbol.already_added" and f"{ADR} was already added" in en(info.value)
    assert len(yahoo_server.requests) == asked


@pytest.mark.parametrize("kind, says", [("429", "rate-limiting us"), ("reset", "connection broke off")])
def test_yahoo_unreachable_stores_it_unchecked_and_says_why(yahoo_server: FakeYahoo, tmp_path, capsys,
                                                            kind: str, says: str) -> None:
    yahoo_server.fail("*", kind)
    code, out, err = run_cli(capsys, "--data-dir", str(tmp_path), "add", ADR, "--name-en", "Tencent ADR",
                             "--currency", "USD")
    assert code == 0, err
    assert "offline: not checked against Yahoo (" in out and says in out, out
    assert "not fetched yet — the next refresh fetches it" in out
    row = added_symbols.read(tmp_path).iloc[0]
    assert row.validated == "offline: not checked against Yahoo" and not row.checked_at
    assert says in en(added_symbols.check_note(row))


def test_forced_offline_never_asks_yahoo_and_says_so(yahoo_server: FakeYahoo, tmp_path, capsys,
                                                     monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    code, out, err = run_cli(capsys, "--data-dir", str(tmp_path), "add", ADR, "--name-en", "Tencent ADR")
    assert code == 2 and "currency: missing (offline, it cannot be looked up)" in err  # nothing to fill it from
    code, out, _err = run_cli(capsys, "--data-dir", str(tmp_path), "add", ADR, "--name-en", "Tencent ADR",
                              "--currency", "USD")
    assert code == 0
    assert "offline: not checked against Yahoo (DASHBOARD_OFFLINE is set); not fetched yet" in out
    assert yahoo_server.requests == []


# -- the next refresh, and status --------------------------------------------------------------

def test_refresh_fetches_an_added_symbol_and_status_lists_each_state(yahoo_server: FakeYahoo, tmp_path, market_dir,
                                                                     capsys) -> None:
    store = Store(tmp_path)
    universe_fresh(store)
    added_symbols.add_symbol(ADR, "텐센트 ADR", None, None, tmp_path, lookup=added_symbols.yahoo_lookup)
    added_symbols.add_symbol("ZZZZ.HK", None, "Gone Ltd", "HKD", tmp_path)  # added offline; Yahoo knows it not
    yahoo_server.asof = date(2025, 1, 31)
    report = refresh.refresh_prices(store, now=utc(2025, 2, 1, 6, 30))  # no symbol list: the store's universe
    assert sorted(report.fetched) == [ADR] and report.download_calls == 1, report
    assert en(report.errors["ZZZZ.HK"]).startswith("ZZZZ.HK: Yahoo Finance has no such symbol")
    served = pd.read_csv(market_dir / "MSFT.csv", parse_dates=["date"])
    served = served[(served["date"] >= "2020-01-01") & (served["date"] <= "2025-01-31")]
    got = store.load_prices([ADR])
    assert got["date"].tolist() == served["date"].tolist()
    assert got["close"].tolist() == pytest.approx(served["close"].tolist())
    added_symbols.add_symbol("9961.HK", "트립닷컴", "Trip.com", "HKD", tmp_path)  # after the refresh
    code, out, _err = run_cli(capsys, "--data-dir", str(tmp_path), "status")
    assert code == 0
    added = out.split("added symbols (python -m data_sources add):", 1)[1].splitlines()
    line = {s: next(x for x in added if x.lstrip().startswith(s)) for s in (ADR, "ZZZZ.HK", "9961.HK")}
    assert f"fetched ({len(served)} rows, to 2025-01-31)" in line[ADR] and "Yahoo Finance" in line[ADR]
    assert f"{ADR_NAME} [name: name-en: yahoo longName]" in line[ADR]
    assert "failed: ZZZZ.HK: Yahoo Finance has no such symbol" in line["ZZZZ.HK"]
    assert "offline: not checked against Yahoo" in line["ZZZZ.HK"]
    assert line["9961.HK"].rstrip().endswith("not fetched yet")
    again = refresh.refresh_prices(store, now=utc(2025, 2, 1, 7, 0))  # the ADR is now fresh like the rest
    assert ADR in again.fresh and ADR not in again.fetched
