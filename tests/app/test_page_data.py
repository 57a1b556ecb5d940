"""The Data page in AppTest: the table first and translated, imports only under the import root, the whole
page reflecting an import, a confirmation before stored values change, one message for an unwritable store."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from data_sources.store import atomic
from data_sources.store.prices import Store
from tests.conftest import app_page, shown

HANGUL = re.compile(r"[가-힣]")


def _column_labels(at) -> dict[str, str]:
    """The header each column of the page's first table shows (Streamlit's column config)."""
    config = json.loads(at.dataframe[0].proto.columns or "{}")
    return {name: spec.get("label", name) for name, spec in config.items() if name != "_index"}


def test_korean_page_table_first_with_korean_headers_and_kst_times(seeded_store: Path) -> None:
    at = app_page("data", lang="ko")
    assert not at.exception
    assert at.subheader[0].value == "종목별 현황"  # the table is the page's first section
    labels = _column_labels(at)
    assert labels["symbol"] == "종목" and labels["rows"] == "행 수" and labels["fetched_at"] == "가져온 시각 (KST)"
    assert all(HANGUL.search(label) for label in labels.values()), labels
    table = at.dataframe[0].value.set_index("symbol")
    assert table.at["KRW=X", "source"] == "가져오기: KRW=X.csv"
    assert re.fullmatch(r"\d{4}년 \d{1,2}월 \d{1,2}일 \d\d:\d\d", table.at["KRW=X", "fetched_at"])
    assert "ECB 기준환율" in table.at["USDKRW_ECB", "source"]
    assert "T" not in table.at["USDKRW_ECB", "fetched_at"] and "+00:00" not in table.at["USDKRW_ECB", "fetched_at"]
    stored = Store(seeded_store).read().series["KRW=X"]["fetched_at"]
    assert stored.endswith("+00:00")  # the store keeps UTC; only the page shows Seoul time


def test_english_page_fetched_at_is_kst(seeded_store: Path) -> None:
    at = app_page("data", lang="en")
    table = at.dataframe[0].value.set_index("symbol")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d KST", table.at["KRW=X", "fetched_at"])
    assert _column_labels(at)["fetched_at"] == "fetched at (KST)"


def test_without_an_import_root_the_browser_cannot_import_server_folders(monkeypatch, market_dir) -> None:
    monkeypatch.delenv("DASHBOARD_IMPORT_ROOT", raising=False)
    at = app_page("data", lang="en")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "import_dir"]
    assert not [b for b in at.button if b.label == "Import"]
    assert any("DASHBOARD_IMPORT_ROOT" in shown(i.value) for i in at.info)


def test_the_folder_list_never_shows_anything_outside_the_root(tmp_path: Path, monkeypatch) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "snap").mkdir(parents=True)
    outside.mkdir()
    (root / "snap" / "A.csv").write_text("date,close\n2025-01-02,1\n")
    (outside / "B.csv").write_text("date,close\n2025-01-02,1\n")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(root))
    at = app_page("data", lang="en")
    assert at.selectbox(key="import_dir").options == ["snap"]


def _root_with(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "imports"
    (root / "snap").mkdir(parents=True)
    for name, body in files.items():
        (root / "snap" / name).write_text(body, encoding="utf-8")
    return root


def test_after_an_import_the_whole_page_reflects_the_new_store(tmp_path: Path, monkeypatch, market_dir) -> None:
    root = tmp_path / "imports"
    (root / "fx").mkdir(parents=True)
    shutil.copy(market_dir / "KRW=X.csv", root / "fx" / "KRW=X.csv")
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(root))
    at = app_page("data", lang="ko")
    assert any("원화 환율 날짜가 없습니다" in i.value for i in at.info)  # before: nothing to compare
    at.selectbox(key="import_dir").set_value("fx").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert any("1개 종목, 719행 가져옴" in s.value for s in at.success)
    assert not any("원화 환율 날짜가 없습니다" in i.value for i in at.info)  # the FX section below updated
    assert any("야후 − ECB" in str(c.proto.spec) for c in at.get("plotly_chart"))
    table = at.dataframe[0].value.set_index("symbol")
    assert table.at["KRW=X", "rows"] == 719  # and so did the table above


def test_an_import_that_changes_stored_values_asks_first(tmp_path: Path, monkeypatch, _offline_isolated) -> None:
    store = Store(_offline_isolated)
    header = "date,open,high,low,close,adj_close,volume\n"
    root = _root_with(tmp_path, {"NVDA.csv": header + "2025-01-24,,,,0.01,,\n2025-01-27,,,,118.38,,\n"})
    first = root.parent / "first"
    first.mkdir()
    (first / "NVDA.csv").write_text(header + "2025-01-24,,,,142.57,,\n", encoding="utf-8")
    from data_sources.store.csv_io import import_folder

    import_folder(store, first)
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(root))
    at = app_page("data", lang="en")
    at.button(key="import_go").click().run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "would change 1 stored values" in shown(w.value))
    assert "Nothing was stored" in shown(warning)
    assert any("NVDA 2025-01-24 close: 142.57 → 0.01" in t.value for t in at.text)
    assert store.load_prices(["NVDA"])["close"].tolist() == [142.57]
    at.button(key="import_replace").click().run()
    assert not at.exception
    assert any("Imported 2 rows for 1 symbols" in s.value for s in at.success)
    assert store.load_prices(["NVDA"])["close"].tolist() == [0.01, 118.38]


def test_an_unwritable_store_is_reported_once_and_not_retried_every_run(monkeypatch) -> None:
    calls = []

    def no_space(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_space)
    at = app_page("data", lang="en")
    assert not at.exception
    errors = [e for e in at.error if "cannot be written" in shown(e.value)]
    assert len(errors) == 1 and "no space left on the disk" in shown(errors[0].value)
    tried = len(calls)
    at.run()
    at.run()
    assert len(calls) == tried == 1  # two more runs: no new attempt within the backoff
    assert len([e for e in at.error if "cannot be written" in shown(e.value)]) == 1


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_data_page_renders_in_both_languages(seeded_store: Path, lang: str) -> None:
    at = app_page("data", lang=lang)
    assert not at.exception
    if lang == "ko":
        visible = [s.value for s in at.subheader] + [c.value for c in at.caption]
        assert all(HANGUL.search(v) for v in visible), visible
