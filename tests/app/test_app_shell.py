"""The app shell and the Data page, offline, in AppTest."""

from __future__ import annotations

from pathlib import Path

from data_sources.store.prices import Store
from tests.conftest import app_page, shown


def test_data_page_offline_shows_status_and_banner(seeded_store: Path) -> None:
    at = app_page("data", lang="en")
    assert not at.exception
    # per kind of data: stock prices end earlier than the FX series (whose end is the installed ECB file's
    # last day, so it is read from the store), and news earlier still
    prices = Store().read().prices
    fx_end = prices.loc[prices["symbol"].str.contains("KRW|CNY|HKD"), "date"].max().date().isoformat()
    banner = next(c for c in at.caption if "offline —" in c.value)
    assert f"prices as of 2026-08-20 · FX as of {fx_end} · news as of 2026-05-29" in shown(banner.value)
    assert shown(banner.value).endswith("(offline mode)")
    table = at.dataframe[0].value.set_index("symbol")
    assert table.at["KRW=X", "rows"] == 719 and table.at["KRW=X", "source"] == "import: KRW=X.csv"
    assert table.at["^SOX", "source"] == "no data yet"
    assert any("Yahoo − ECB" in str(c.proto.spec) for c in at.get("plotly_chart"))
    assert any("common dates" in c.value for c in at.caption)


def test_fresh_install_has_ecb_fx_without_any_import() -> None:
    at = app_page("data", lang="ko")
    assert not at.exception
    table = at.dataframe[0].value.set_index("symbol")
    assert table.at["USDKRW_ECB", "rows"] > 1700 and "ECB" in table.at["USDKRW_ECB", "source"]
    assert table.at["NVDA", "source"] == "데이터 없음"
    # no prices, only the bundled ECB FX: the banner says so and links to the Data page
    assert any("아직 가격이 없습니다 — 스냅샷을 가져오거나 온라인으로 전환하세요." in m.value for m in at.markdown)
    assert any("환율 " in m.value and "가격 없음" in m.value for m in at.markdown)
    assert [link.proto.page for link in at.get("page_link")][:1] == ["data"]


def test_data_page_import_from_folder(market_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(market_dir.parent))  # the browser imports only under it
    at = app_page("data", lang="en")
    at.selectbox(key="import_dir").set_value(market_dir.name).run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    assert any("Imported 48,169 rows for 37 symbols" in s.value for s in at.success)


def test_language_switch_persists_across_pages_and_in_url(seeded_store: Path) -> None:
    at = app_page(None, lang="en")
    switch = next(b for b in at.get("button_group") if b.key == "lang_switch")
    assert switch.value == "en"
    switch.set_value("ko").run()
    assert at.session_state["lang"] == "ko" and at.query_params["lang"] == "ko"
    at.switch_page("pages/data.py").run()
    assert at.title[0].value == "데이터"
    prices = Store().read().prices
    fx_end = prices.loc[prices["symbol"].str.contains("KRW|CNY|HKD"), "date"].max().date().isoformat()
    banner = next(c for c in at.caption if "오프라인 —" in c.value)
    assert f"오프라인 — 가격 2026-08-20 · 환율 {fx_end}" in shown(banner.value)
    assert shown(banner.value).endswith("기준 (오프라인 설정)")  # the reason in a few Korean words
    assert "DASHBOARD_OFFLINE is set" in shown(banner.proto.help)  # the raw detail folded in the tooltip


def test_freshness_line_per_kind() -> None:
    import datetime as dt

    import pandas as pd

    from ui.chrome import freshness_line, kind_dates

    prices = pd.DataFrame({"symbol": ["NVDA", "NVDA", "KRW=X", "USDKRW_ECB"],
                           "date": pd.to_datetime(["2025-03-24", "2025-03-25", "2025-03-28", "2025-03-31"])})
    dates = kind_dates(prices, dt.date(2025, 2, 9))
    assert dates == {"prices": dt.date(2025, 3, 25), "fx": dt.date(2025, 3, 31), "news": dt.date(2025, 2, 9)}
    assert freshness_line(dates, "en") == "prices as of 2025-03-25 · FX as of 2025-03-31 · news as of 2025-02-09"
    assert freshness_line(kind_dates(prices[prices["symbol"] != "NVDA"], None), "ko") == (
        "가격 없음 · 환율 2025-03-31 · 뉴스 없음 기준")
