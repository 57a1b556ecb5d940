"""The Korean walk over error states (AppTest, offline but for loopback fakes): a series whose history Yahoo
re-adjusted (one re-base done, one failed), a news fetch where feeds fail, are refused or did not change, and a
damaged news store. Every text a Korean page shows must be free of the project's English strings and of the data
layer's English messages — except inside the folded "기술 정보(원문)", which keeps the originals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import Block, Dataframe, Expander

from data_sources.market import refresh
from data_sources.news import feedlist
from data_sources.news import store as news_store
from data_sources.news.feeds import default_feeds
from data_sources.store.prices import Store
from tests.conftest import app_page, shown
from tests.e2e.test_e2e_reader import _english_ui_strings
from tests.fakes import fake_feeds, fake_yahoo
from ui.details import DETAIL_TITLE

feed_server = fake_feeds.feed_server  # the fixture
DATA_LAYER_ENGLISH = [re.compile(p) for p in (  # the English the data layer's problems read (not feed content)
    r"History fetched again", r"re-adjusted the history", r"fetching the full history again failed",
    r"stored series was kept", r"split on \d", r"the (adjusted )?close on \d{4}-\d\d-\d\d was",
    r"could not fetch a feed",
    r"answered HTTP", r"not a news feed", r"web page \(HTML\)", r"MB limit", r"broke off before",
    r"is not an http", r"not a public internet address", r"did not send the whole feed", r"feeds failed: \d",
    r"feeds unchanged", r"[\d,]+ read, [\d,]+ new", r"is damaged", r"showing its previous version",
    r"not a folder", r"is not a web address starting with",
    r"not valid TOML", r"Invalid value", r"have no \[\[tag\]\] entries", r"must be a non-empty", r"same tag id",
    r"cannot be read", r"must be lower-case letters", r"needs a name and a url")]


def _texts(node, detail: list[str]) -> Iterator[str]:
    """Every text of the AppTest tree under ``node``; the folded technical detail goes to ``detail`` instead."""
    if isinstance(node, Expander) and node.label == DETAIL_TITLE:
        detail.extend(t for child in node.children.values() for t in _texts(child, []))
        return
    if isinstance(node, Expander):
        yield node.label
    if isinstance(node, Block):
        for child in node.children.values():
            yield from _texts(child, detail)
        return
    if isinstance(node, Dataframe):
        yield from (str(v) for v in node.value.astype(str).to_numpy().ravel())
        return
    for attr in ("value", "label", "body"):
        value = getattr(node, attr, None)
        if isinstance(value, str):
            yield shown(value)


def _walk(at) -> tuple[str, list[str]]:
    assert not at.exception, at.exception
    detail: list[str] = []
    text = "\n".join(_texts(at.main, detail))
    return text, detail


def _assert_korean(text: str, where: str) -> None:
    english = sorted(s for s in _english_ui_strings() if s in text)
    assert not english, f"{where} in Korean shows the project's English: {english[:5]}"
    leaked = sorted(p.pattern for p in DATA_LAYER_ENGLISH if p.search(text))
    assert not leaked, f"{where} in Korean shows the data layer's English: {leaked[:5]}\n{text[:3000]}"


# -- a re-adjusted series on the Data page ---------------------------------------------------------------------

@pytest.fixture
def yahoo_server(market_dir, monkeypatch, tmp_path_factory):
    yield from fake_yahoo.running(market_dir, monkeypatch, tmp_path_factory)


def test_data_page_shows_rebase_notes_in_korean(seeded_store: Path, yahoo_server, monkeypatch) -> None:
    store = Store(seeded_store)
    last = store.read().prices.query("symbol == 'NVDA'")["date"].max().date()
    yahoo_server.asof = last
    yahoo_server.split("NVDA", last - pd.Timedelta(days=2), 10)  # Yahoo re-adjusts the stored days
    report = refresh.refresh_prices(store, ["NVDA", "MSFT"], now=fake_yahoo.utc(last.year, last.month, last.day, 23))
    assert "NVDA" in report.rebased, report
    yahoo_server.split("NVDA", last - pd.Timedelta(days=1), 2)
    yahoo_server.fail("NVDA", "404", history_before=last - pd.Timedelta(days=30))  # the full re-fetch fails
    later = last + pd.Timedelta(days=7)
    yahoo_server.asof = later
    report = refresh.refresh_prices(store, ["NVDA"], now=fake_yahoo.utc(later.year, later.month, later.day, 23))
    assert "NVDA" in report.rebase_failed, report
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    text, detail = _walk(app_page("data", lang="ko"))
    _assert_korean(text, "the Data page")
    assert "전체 이력을 다시 받음" in text and "받지 못해 저장된 시리즈를 유지함" in text
    assert "야후 파이낸스 (yfinance, 조정 전 종가와 수정 종가)" in text  # refresh.SOURCE, as a Korean page names it
    assert refresh.SOURCE not in text
    assert any("re-adjusted the history" in d for d in detail)  # the originals, folded
    en_text, _ = _walk(app_page("data", lang="en"))
    assert "re-adjusted the history" in en_text  # English pages: the same note in English


# -- a news fetch with failing feeds ----------------------------------------------------------------------------

def test_news_fetch_problems_in_korean(seeded_store: Path, feed_server: fake_feeds.FeedServer, monkeypatch) -> None:
    for feed in default_feeds():  # no default feed may be fetched for real: only the fake server's
        feedlist.remove_feed(seeded_store, feed.name)
    url = feed_server.url
    for name, address in [("r/LocalLLaMA", url(f"/feed/{fake_feeds.SNAPSHOT}")), ("Gone", url("/status/404")),
                          ("Huge", url("/big")), ("Web page", url("/html")), ("Cut", url("/cutoff"))]:
        feedlist.add_feed(seeded_store, name, address, "en")
    news_store.refresh_news(seeded_store)  # the first fetch stores validators: the next one gets a 304
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    at = app_page("news", lang="ko")  # the first run (and its price auto-refresh check) offline: no real network
    at.session_state["news_feeds"] = True  # open the folded feed management
    at.run()
    monkeypatch.setenv("DASHBOARD_OFFLINE", "0")
    at.button(key="news_fetch").click().run()
    text, detail = _walk(at)
    _assert_korean(text, "the news page after a fetch")
    assert "Gone: 127.0.0.1이(가) 오류로 응답함(HTTP 404)" in text
    assert "Web page: 웹 페이지(HTML)이지 뉴스 피드가 아님" in text
    assert "4개 피드 실패; 1개 피드는 바뀐 내용 없음" in text, [t for t in text.splitlines() if "읽음" in t]
    assert any("answered HTTP 404" in d for d in detail)
    at.text_input(key="news_feed_url").set_value("ftp://example.com/rss")
    at.text_input(key="news_feed_name").set_value("Ftp")
    at.button(key="news_feed_add").click().run()
    text, _ = _walk(at)
    _assert_korean(text, "the news page after a refused feed")
    assert "추가하지 못했습니다: http:// 또는 https://로 시작하는 주소가 아닙니다" in text


# -- a damaged news store ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("backup", [True, False])
def test_damaged_news_store_in_korean(seeded_store: Path, backup: bool) -> None:
    news_file = seeded_store / news_store.NEWS_FILE
    if backup:
        news_file.with_name(news_file.name + ".prev").write_bytes(news_file.read_bytes())
    news_file.write_bytes(b"not a parquet file")
    news_text, detail = _walk(app_page("news", lang="ko"))
    _assert_korean(news_text, "the news page")
    assert ("직전 버전(news.parquet.prev)을 보여 줍니다" if backup else "손상되어 읽을 수 없습니다") in news_text
    assert any("is damaged" in d for d in detail)
    fx_text, _ = _walk(app_page("fx", lang="ko"))  # the news strip beside the chart
    _assert_korean(fx_text, "the USD/KRW page")
    column_text, _ = _walk(app_page("column", lang="ko"))  # the column's per-section news
    _assert_korean(column_text, "the column page")
    if not backup:
        unreadable = "뉴스를 읽을 수 없습니다: 저장된 파일 news.parquet이(가) 손상되어 읽을 수 없습니다"
        assert unreadable in fx_text and unreadable in column_text


def test_the_walk_catches_english(seeded_store: Path) -> None:
    """The walk fails on the English pages of the same states (so a missing translation cannot pass)."""
    (seeded_store / news_store.NEWS_FILE).write_bytes(b"not a parquet file")
    text, _ = _walk(app_page("news", lang="en"))
    with pytest.raises(AssertionError, match="English"):
        _assert_korean(text, "the English news page")
