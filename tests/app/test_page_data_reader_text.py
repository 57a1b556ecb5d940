"""The Data page in reader's words: the server's folder only inside the folded technical details, and no
symbol codes such as USDHKD_ECB in what the FX section says when a rate is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import app_page, shown


def _outside_expanders(at) -> list[str]:
    inside = {id(e) for box in at.expander for e in [*box.caption, *box.markdown, *box.info]}
    return [shown(e.value) for e in [*at.caption, *at.markdown, *at.info, *at.warning]
            if id(e) not in inside]


@pytest.mark.parametrize(("lang", "details"), [("ko", "기술 정보"), ("en", "Technical details")])
def test_the_store_folder_is_an_operator_detail(seeded_store: Path, lang: str, details: str) -> None:
    at = app_page("data", lang)
    assert not at.exception
    folder = str(seeded_store)
    assert not [text for text in _outside_expanders(at) if folder in text]
    box = next(e for e in at.expander if details in e.label)
    assert any(folder in shown(c.value) for c in box.caption)


def test_a_missing_rate_is_named_not_coded(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))  # an empty store: no rate from either provider
    at = app_page("data", "ko")
    assert not at.exception
    at.selectbox(key="fx_pair").set_value("HKD").run()
    said = " ".join(shown(i.value) for i in at.info)
    assert "홍콩달러 환율" in said and "_ECB" not in said and "HKD=X" not in said
