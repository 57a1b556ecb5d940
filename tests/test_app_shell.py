"""The app shell and the Data page, offline, in AppTest."""

from __future__ import annotations

from pathlib import Path

from data_sources.store import Store
from tests.conftest import ROOT, app_page


def test_every_page_file_is_registered() -> None:
    import re

    registered = set(re.findall(r'\("(\w+\.py)"', (ROOT / "app.py").read_text(encoding="utf-8")))
    assert {p.name for p in (ROOT / "pages").glob("*.py")} <= registered


def test_data_page_offline_shows_status_and_banner(seeded_store: Path) -> None:
    at = app_page("data", lang="en")
    assert not at.exception
    as_of = Store().read().prices["date"].max().date().isoformat()  # not the installed ECB file's last day
    assert any(f"offline — data as of {as_of}" in m.value for m in at.info)
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
    assert any("오프라인" in m.value for m in at.info)


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
    as_of = Store().read().prices["date"].max().date().isoformat()
    assert any(f"오프라인 — {as_of} 기준 데이터" in m.value for m in at.info)
