"""The column page in AppTest, offline, against the store seeded from the real snapshots."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import app_page, shown

BAEK_HEADINGS = {
    "en": ["The DeepSeek shock and US big tech", "Chinese tech stocks vs US big tech", "USD/KRW dips under 1,430",
           "The indictment and the exchange rate"],
    "ko": ["딥시크 충격과 미국 빅테크", "중국 기술주 대 미국 빅테크", "원/달러 1,430원 아래로", "대통령 기소와 환율"],
}


def _charts(at):
    return at.get("plotly_chart")


def _figure_json(chart) -> str:
    return chart.proto.spec


def _texts(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_renders_sections_charts_and_scorecard(seeded_store, lang):
    at = app_page(None, lang)
    assert not at.exception, [e.value for e in at.exception]
    subheaders = [s.value for s in at.subheader]
    for heading in BAEK_HEADINGS[lang]:
        assert any(heading in s for s in subheaders), (heading, subheaders)
    assert len(_charts(at)) >= 3
    assert any("1,430" in _figure_json(c) and "refline:1430" in _figure_json(c) for c in _charts(at))
    assert any("event:trump_fox_interview" in _figure_json(c) for c in _charts(at))
    card = at.dataframe[-1].value
    assert len(card) == 5 + 5 + 3 + 3 + 1  # every claim × horizon
    held = "적중" if lang == "ko" else "held"
    first = card.iloc[1]  # outperform, 1M
    assert first.iloc[1] == "1M" and first.iloc[2] == held
    assert "pp" in first.iloc[3] if lang == "en" else "%p" in first.iloc[3]
    assert any("retelling" in c.value or "다시 정리" in c.value for c in at.caption)
    assert any("not recorded" in c.value or "기록되어 있지 않습니다" in c.value for c in at.caption)


def test_news_beside_deepseek_section(seeded_store):
    at = app_page(None, "en")
    texts = _texts(at)
    bodies = [i for i, t in enumerate(texts) if "Nvidia pre-market down 12% due Deepseek" in t]
    assert bodies
    block = texts[bodies[0]]
    assert block.count("\n- ") <= 8
    assert "](https://old.reddit.com/" in block


def test_switch_to_qwq_example(seeded_store):
    at = app_page(None, "en", c="example-2025-03-06-qwq")
    assert not at.exception
    assert any("QwQ-32B is out: Alibaba vs NVIDIA" in s.value for s in at.subheader)
    assert at.selectbox[0].value == "example-2025-03-06-qwq"
    card = at.dataframe[-1].value
    assert len(card) == 6


def test_selectbox_switch(seeded_store):
    at = app_page(None, "en")
    at.selectbox[0].set_value("example-2025-03-06-qwq").run()
    assert any("QwQ-32B is out" in s.value for s in at.subheader)
    assert at.query_params["c"] == ["example-2025-03-06-qwq"] or at.query_params["c"] == "example-2025-03-06-qwq"


def test_malformed_upload_names_file_and_line(seeded_store):
    at = app_page(None, "en")
    bad = b"---\nid: broken\ntitle: [unclosed\n---\n"
    at.file_uploader[0].set_value(("broken.md", bad, "text/markdown")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("broken.md line" in shown(e) for e in errors), errors


def test_valid_upload_is_shown_escaped(seeded_store):
    from commentary.document.column import COLUMNS_DIR

    text = (COLUMNS_DIR / "example-2025-03-06-qwq.md").read_text(encoding="utf-8")
    text = text.replace("id: example-2025-03-06-qwq", "id: my-upload").replace(
        "QwQ-32B는 매개변수가", "<script>alert(1)</script> QwQ-32B는 매개변수가")
    at = app_page(None, "ko")
    at.file_uploader[0].set_value(("mine.md", text.encode(), "text/markdown")).run()
    at.selectbox[0].set_value("my-upload").run()
    assert not at.exception
    bodies = [m.value for m in at.markdown if "alert(1)" in m.value]
    assert bodies and all("<script>" not in b and "&lt;script&gt;" in b for b in bodies)
    assert len(_charts(at)) == 1


def _compare_last_x(at) -> pd.Timestamp:
    import json

    for chart in _charts(at):
        spec = json.loads(_figure_json(chart))
        if "base" in json.dumps(spec.get("layout", {}).get("title", {})).lower() or "Rebased" in chart.proto.spec:
            xs = [x for t in spec["data"] if t.get("name") != "Events" for x in (t.get("x") or [])]
            return pd.to_datetime(xs).max()
    raise AssertionError("no compare figure")


def test_as_of_switch_changes_compare_window(seeded_store):
    at = app_page(None, "en")
    assert at.radio[0].value == "all"  # evidence first: everything since the column
    assert _compare_last_x(at) > pd.Timestamp("2025-04-01")
    at.radio[0].set_value("column").run()
    assert not at.exception
    assert _compare_last_x(at) <= pd.Timestamp("2025-01-26")
    assert at.query_params["asof"] in ("column", ["column"])
    at2 = app_page(None, "en", asof="column")
    assert at2.radio[0].value == "column"
