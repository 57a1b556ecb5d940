"""One adapter shape (``transform_query → extract → transform_data``) for Yahoo, the ECB and news feeds: each
adapter implements the protocol, and each of its three steps is tested alone (extract against the loopback
fakes, the two transforms on inputs the test builds itself)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from data_sources.fetcher import Fetcher, run
from data_sources.market import ecb, yahoo
from data_sources.market.yahoo_session import Seen
from data_sources.news.errors import FeedURLError
from data_sources.news.fetch import FeedFetch, FeedFetcher
from data_sources.news.frame import NEWS_COLUMNS
from data_sources.store.frames import PRICE_COLUMNS
from tests.fakes import fake_ecb, fake_feeds, fake_yahoo
from tests.fakes.fake_feeds import SNAPSHOT

feed_server = fake_feeds.feed_server  # the fixture
NOW = datetime(2025, 1, 31, 23, 0, tzinfo=UTC)


@pytest.fixture
def yahoo_server(market_dir, monkeypatch, tmp_path_factory):
    yield from fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory)


def test_every_adapter_has_the_three_steps() -> None:
    for adapter in (yahoo.YahooFetcher(), ecb.EcbFetcher(), FeedFetcher()):
        assert isinstance(adapter, Fetcher), type(adapter).__name__


# -- Yahoo ----------------------------------------------------------------------------------------------------------

def test_yahoo_transform_query_keeps_each_symbols_own_start() -> None:
    starts = {"NVDA": date(2025, 1, 20), "MSFT": date(2025, 1, 10), "NEW": date(2020, 1, 1)}
    first, second = yahoo.YahooFetcher(NOW).transform_query(starts)
    assert (first.symbols, first.start, dict(first.starts)) == (("NEW",), date(2020, 1, 1), {"NEW": date(2020, 1, 1)})
    assert second.symbols == ("MSFT", "NVDA") and second.start == date(2025, 1, 10)
    assert dict(second.starts) == {"MSFT": date(2025, 1, 10), "NVDA": date(2025, 1, 20)}


def test_yahoo_extract_brings_yfinances_frame_and_what_the_transport_saw(yahoo_server, market_dir) -> None:
    yahoo_server.asof = date(2025, 1, 31)
    fetcher = yahoo.YahooFetcher(NOW, deadline_s=60)
    try:
        [query] = fetcher.transform_query({"NVDA": date(2025, 1, 21)})
        raw = fetcher.extract(query)
    finally:
        fetcher.close()
    assert {s.symbol for s in raw.seen if s.symbol} == {"NVDA"} and all(s.kind == "ok" for s in raw.seen)
    closes = raw.frame[("Close", "NVDA")].dropna()
    snapshot = pd.read_csv(market_dir / "NVDA.csv", parse_dates=["date"]).set_index("date")
    days = [d for d in snapshot.index if date(2025, 1, 21) <= d.date() <= date(2025, 1, 31)]
    assert [pd.Timestamp(d).date() for d in closes.index.tz_localize(None)] == [d.date() for d in days]


def _yfinance_frame(days: list[str], closes: dict[str, list[float]]) -> pd.DataFrame:
    """A frame in yfinance's ``(Price, Ticker)`` shape, built by hand."""
    columns = pd.MultiIndex.from_product([["Adj Close", "Close", "Dividends", "Stock Splits", "Volume"], closes],
                                         names=["Price", "Ticker"])
    frame = pd.DataFrame(index=pd.DatetimeIndex(pd.to_datetime(days), name="Date"), columns=columns, dtype=float)
    for symbol, values in closes.items():
        frame[("Close", symbol)] = values
        frame[("Adj Close", symbol)] = values
        frame[("Volume", symbol)] = 1000.0
        frame[("Dividends", symbol)] = 0.0
        frame[("Stock Splits", symbol)] = 0.0
    return frame


def test_yahoo_transform_data_trims_to_each_start_and_names_the_empty_symbol() -> None:
    days = ["2025-01-27", "2025-01-28", "2025-01-29"]
    raw = yahoo.Extracted(_yfinance_frame(days, {"NVDA": [118.4, 128.9, 123.7], "GONE": [float("nan")] * 3}),
                          seen=[Seen("NVDA", "ok", "HTTP 200"), Seen("GONE", "not_found", "No data found")])
    query = yahoo.Query(("GONE", "NVDA"), date(2025, 1, 27), NOW, (("GONE", date(2025, 1, 27)),
                                                                   ("NVDA", date(2025, 1, 28))))
    rows = yahoo.YahooFetcher(NOW).transform_data(raw, query)
    assert list(rows.prices.columns) == list(PRICE_COLUMNS)
    assert rows.prices["date"].dt.strftime("%Y-%m-%d").tolist() == days[1:]  # NVDA's own start
    assert rows.prices["close"].tolist() == [128.9, 123.7]
    assert set(rows.failures) == {"GONE"} and rows.failures["GONE"].kind == "not_found"
    live = yahoo.YahooFetcher(datetime(2025, 1, 29, 15, 0, tzinfo=UTC)).transform_data(raw, query)
    assert live.prices["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-28"]  # 29th: session still open


# -- ECB ------------------------------------------------------------------------------------------------------------

def test_ecb_transform_query_asks_only_for_ecb_crosses() -> None:
    [query] = ecb.EcbFetcher().transform_query(["USDKRW_ECB", "NVDA"])
    assert query == ecb.Query(("USDKRW_ECB",), "bundled")
    [online] = ecb.EcbFetcher(online=True).transform_query()
    assert online.symbols == tuple(ecb.CROSSES) and online.origin == "online"


def test_ecb_extract_reads_the_fake_ecbs_file(market_dir, monkeypatch) -> None:
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)
    with fake_ecb.serve(market_dir / "raw") as fake:
        fetcher = ecb.EcbFetcher(online=True, url=fake.url)
        payload = fetcher.extract(fetcher.transform_query()[0])
    assert fake.requests == [fake_ecb.PATH]
    served = zipfile.ZipFile(io.BytesIO(payload))  # the archive's files (its header holds the time it was zipped)
    expected = zipfile.ZipFile(io.BytesIO(fake_ecb.eurofxref_zip(market_dir / "raw")))
    assert {n: served.read(n) for n in served.namelist()} == {n: expected.read(n) for n in expected.namelist()}


def test_ecb_transform_data_divides_by_the_dollar_rate() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "Date,USD,KRW,CNY,\n2025-01-24,1.0472,1501.62,N/A,\n"
                                               "2025-01-23,1.0411,1495.02,7.5889,\n")
    fetcher = ecb.EcbFetcher()
    frame = fetcher.transform_data(buffer.getvalue(), ecb.Query(("USDKRW_ECB", "USDCNY_ECB"), "bundled"))
    krw = frame[frame["symbol"] == "USDKRW_ECB"].set_index("date")["close"]
    assert krw.loc["2025-01-24"] == round(1501.62 / 1.0472, 4) and krw.loc["2025-01-23"] == round(1495.02 / 1.0411, 4)
    assert frame[frame["symbol"] == "USDCNY_ECB"]["close"].tolist() == [round(7.5889 / 1.0411, 4)]  # N/A dropped
    assert list(frame.columns) == list(PRICE_COLUMNS)


def test_ecb_bundled_run_is_the_three_steps() -> None:
    [frame] = run(ecb.EcbFetcher(), ["USDHKD_ECB"])
    assert set(frame["symbol"]) == {"USDHKD_ECB"} and len(frame) > 1000


# -- news feeds ------------------------------------------------------------------------------------------------------

def test_feed_transform_query_carries_why_a_feed_cannot_be_asked() -> None:
    good, bad = FeedFetcher().transform_query([{"name": "Good", "url": "https://example.com/rss"},
                                                {"name": "Local", "url": "file:///etc/passwd"}])
    assert good.error is None and good.url == "https://example.com/rss"
    assert isinstance(bad.error, FeedURLError) and bad.url == ""
    with pytest.raises(FeedURLError):
        FeedFetcher().extract(bad)  # nothing is fetched for it


def test_feed_extract_sends_stored_validators(feed_server) -> None:
    [request] = FeedFetcher().transform_query([{"name": "r/LocalLLaMA", "url": feed_server.url(f"/feed/{SNAPSHOT}")}])
    first = FeedFetcher().extract(request)
    assert first.status == 200 and first.data == (feed_server.news_dir / SNAPSHOT).read_bytes()
    known = {request.url: {"etag": first.etag, "last_modified": first.last_modified}}
    again = FeedFetcher(validators=known).extract(request)
    assert again.not_modified and again.data == b""


def test_feed_transform_data_turns_bytes_into_the_news_frame(news_dir) -> None:
    data = (news_dir / SNAPSHOT).read_bytes()
    items = len(re.findall(rb"<entry[ >]", data)) or len(re.findall(rb"<item[ >]", data))
    fetcher = FeedFetcher(now=NOW)
    [request] = fetcher.transform_query([{"name": "r/LocalLLaMA", "url": "https://example.com/rss"}])
    frame, warnings = fetcher.transform_data(FeedFetch(data, "application/atom+xml"), request)
    assert list(frame.columns) == list(NEWS_COLUMNS) and len(frame) == items and warnings == []
    assert set(frame["source"]) == {"r/LocalLLaMA"}
    unchanged, _ = fetcher.transform_data(FeedFetch(b"", status=304), request)
    assert unchanged.empty  # a 304: the stored items stay, nothing new
