"""The column page in AppTest, offline, against the store seeded from the real snapshots."""

from __future__ import annotations

import json
import re

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


def _open(at, key: str):
    """Open a folded part of the page that is built only when open (an expander with ``on_change="rerun"``)."""
    at.session_state[key] = True
    return at.run()


def _each_section(at, cid: str = "baek-2025-01-26") -> list[tuple[str, list, list[str]]]:
    """(tab label, evidence charts, texts) of each section, choosing its tab in turn (built only when chosen)."""
    out = []
    for label in [tab.label for tab in at.tabs]:
        at.session_state[f"col_section_{cid}"] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        out.append((shown(label), [c for c in _charts(at) if '"end:' not in _figure_json(c)], _texts(at)))
    return out


def _section_charts(at) -> list:
    return [chart for _, charts, _ in _each_section(at) for chart in charts]


def _texts(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown]


SUMMARY = {
    "en": ("Chinese tech beats US big tech in 2025. — **failed -4.2 pp · ",
           "5 claims, each judged on its primary horizon: 1 held, 3 failed, 1 source-dependent."),
    "ko": ("2025년에 중국 기술주 바스켓이 미국 빅테크 바스켓보다 더 오른다. — **빗나감 -4.2%p · ",
           "주장 5개, 각 주장의 기준 기간으로 판정: 적중 1, 빗나감 3, 출처에 따라 다름 1."),
}
# each verdict beside its odds: how often the same call held in the past (a count of past years for a year's call)
ODDS = {"en": r"held in (only )?\d of \d past years", "ko": r"과거 \d년 중 \d년만? 적중"}
BY_SOURCE = {"en": r"past hit rate Yahoo \d+%, ECB \d+%", "ko": r"과거 적중률 야후 \d+%, ECB \d+%"}


def _summary(at) -> str:
    return next(shown(m.value) for m in at.markdown if "Verdicts" in m.value or "판정 요약" in m.value)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_renders_summary_sections_and_scorecard(seeded_store, lang):
    at = app_page(None, lang)
    assert not at.exception, [e.value for e in at.exception]
    summary = _summary(at)
    line, overall = SUMMARY[lang]
    assert shown(line) in summary and overall in summary
    assert ("source-dependent (Yahoo held +0.54%, ECB failed +1.10%)" in summary if lang == "en"
            else "출처에 따라 다름 (야후 적중 +0.54%, ECB 빗나감 +1.10%)" in summary)
    assert re.search(ODDS[lang], summary) and re.search(BY_SOURCE[lang], summary)
    assert "within noise" not in summary and "잡음" not in summary
    # The summary comes before the first section's evidence.
    kinds = [el.type for el in at.main]
    assert any("Verdicts" in m.value or "판정 요약" in m.value for m in at.markdown)
    subheaders = [s.value for s in at.subheader]
    labels = [shown(tab.label) for tab in at.tabs]  # one tab per section, numbered
    assert len(labels) == 4 and all(label.startswith(f"{n}. ") for n, label in enumerate(labels, 1)), labels
    assert all(len(label) <= 44 for label in labels), labels  # "n. " and at most 40 characters of the heading
    assert len(_charts(at)) == 1  # only the chosen (first) section is built; the claim path is folded until opened
    moves = json.loads(_figure_json(_charts(at)[0]))  # the DeepSeek Monday: a bar per symbol, not a grid
    assert moves["data"][0]["type"] == "bar" and len(moves["data"][0]["y"]) >= 5
    assert any("(NVDA)" in y for y in moves["data"][0]["y"]) and min(moves["data"][0]["x"]) < -10
    sections = _each_section(at)
    for heading, (label, _, texts) in zip(BAEK_HEADINGS[lang], sections, strict=True):
        # the heading on its tab, or (cut short there) whole in bold at the top of the tab
        assert heading in label or any(heading in t for t in texts if t.startswith("**")), (heading, label)
    charts = [chart for _, section_charts, _ in sections for chart in section_charts]
    assert len(charts) == 4  # each tab, once chosen, draws its section's evidence
    assert any("1,430" in _figure_json(c) and "refline:1430" in _figure_json(c) for c in charts)
    assert any("divergence:2025-01-28" in _figure_json(c) for c in charts)  # Yahoo vs ECB on 01-28
    grid = next(d.value for d in at.dataframe if len(d.value) == 5)
    primary = "판정 (기준 기간)" if lang == "ko" else "Verdict (primary)"
    assert primary in grid.columns and grid[primary].iloc[0].startswith("🔴")
    assert any(c.startswith(("1 week", "1주")) and ("overlapping" in c or "겹침" in c) for c in grid.columns)
    assert not any(re.search(r"\b\d+[WM]\b", c) for c in grid.columns)  # no "1W"/"3M" codes as headers
    assert any("retelling" in c.value or "다시 정리" in c.value for c in at.caption)  # in the summary popover
    cite = next(m.value for m in at.markdown if m.value.startswith("**") and "백석현" in m.value)
    assert "2025" in cite  # title, author and date, on the page itself
    assert any("not recorded" in c.value or "기록되어 있지 않습니다" in c.value for c in at.caption)
    assert any("How verdicts are computed" in s or "판정은 이렇게 계산합니다" in s for s in subheaders)
    assert "(#method)" in summary  # the summary links to the method
    del kinds


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_choosing_a_claim_shows_its_path(seeded_store, lang):
    at = app_page(None, lang)
    assert not any("end:" in _figure_json(c) for c in _charts(at)) and len(at.dataframe) == 1  # folded: not built
    _open(at, "col_paths")
    assert any("end:" in _figure_json(c) for c in _charts(at)) and len(at.dataframe) == 2
    at.selectbox(key="col_claim").set_value("indictment-no-fx-move").run()
    assert not at.exception
    path = next(c for c in _charts(at) if "end:1W" in _figure_json(c))
    assert "event:yoon_indictment" in _figure_json(path) and "no-move band" in _figure_json(path)
    # the path's numbered badges are named under the chart, each number in the figure's own key
    keys = [c.value for c in at.caption if c.value.startswith(("그래프의 번호: ", "Numbers on the chart: "))]
    assert len(keys) == 1 and ("윤 대통령 기소" if lang == "ko" else "President Yoon indicted") in keys[0]
    detail = at.dataframe[-1].value  # the chosen claim's readings, under its path
    assert list(detail.iloc[:, 1]) == (["야후", "ECB"] if lang == "ko" else ["Yahoo", "ECB"])  # readers' names
    verdicts = list(detail.iloc[:, 2])
    assert verdicts == (["적중", "빗나감"] if lang == "ko" else ["held", "failed"])


def test_as_of_the_column_date_shows_only_what_was_known(seeded_store):
    at = app_page(None, "en", asof="column")
    assert not at.exception
    summary = _summary(at)
    assert "5 claims, each judged on its primary horizon: 5 judged later." in summary
    for key in ("col_paths", "col_facts", "col_table_deepseek-shock"):  # the folded parts too
        _open(at, key)
    assert not at.exception and len(at.dataframe) >= 2
    for frame in at.dataframe:
        assert "None" not in frame.value.astype(str).to_string() and "nan" not in frame.value.astype(str).to_string()
    assert any("after the column" in i.value for i in at.info)  # the DeepSeek Monday table (the first tab)
    for chart in _charts(at) + _section_charts(at):  # the claim path, then every section's tab
        spec = json.loads(_figure_json(chart))
        xs = [x for t in spec["data"] if t.get("mode") == "lines" for x in (t.get("x") or [])]
        assert xs and pd.to_datetime(xs).max() <= pd.Timestamp("2025-01-26")


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
    assert any("QwQ-32B is out: Alibaba vs NVIDIA" in shown(tab.label) for tab in at.tabs)
    assert at.selectbox[0].value == "example-2025-03-06-qwq"
    grid = next(d.value for d in at.dataframe if "Verdict (primary)" in d.value.columns)
    assert len(grid) == 2


def test_selectbox_switch(seeded_store):
    at = app_page(None, "en")
    at.selectbox[0].set_value("example-2025-03-06-qwq").run()
    assert any("QwQ-32B is out" in shown(tab.label) for tab in at.tabs)
    assert at.query_params["c"] == ["example-2025-03-06-qwq"] or at.query_params["c"] == "example-2025-03-06-qwq"


def test_malformed_upload_names_file_and_line(seeded_store):
    at = _open(app_page(None, "en"), "col_upload_open")
    bad = b"---\nid: broken\ntitle: [unclosed\n---\n"
    at.file_uploader[0].set_value(("broken.md", bad, "text/markdown")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(re.match(r"The uploaded file cannot be used — broken\.md, line \d, field front matter: this is not "
                        r"valid YAML \(", shown(e)) for e in errors), errors
    ko = _open(app_page(None, "ko"), "col_upload_open")
    ko.file_uploader[0].set_value(("broken.md", bad, "text/markdown")).run()
    errors = [shown(e.value) for e in ko.error]
    korean = re.compile(r"broken\.md, \d번째 줄, 머리말 항목: 올바른 YAML이 아닙니다 \(")
    assert any(korean.search(e) for e in errors), errors


def test_valid_upload_is_shown_escaped(seeded_store):
    from commentary.document.column import COLUMNS_DIR

    text = (COLUMNS_DIR / "example-2025-03-06-qwq.md").read_text(encoding="utf-8")
    text = text.replace("id: example-2025-03-06-qwq", "id: my-upload").replace(
        "QwQ-32B는 매개변수가", "<script>alert(1)</script> QwQ-32B는 매개변수가")
    at = _open(app_page(None, "ko"), "col_upload_open")
    at.file_uploader[0].set_value(("mine.md", text.encode(), "text/markdown")).run()
    at.selectbox[0].set_value("my-upload").run()
    assert not at.exception
    bodies = [m.value for m in at.markdown if "alert(1)" in m.value]
    assert bodies and all("<script>" not in b and "&lt;script&gt;" in b for b in bodies)
    assert len(_charts(at)) == 1  # the section chart (the claim's path is folded)
    _open(at, "col_paths")
    assert len(_charts(at)) == 2 and not at.exception  # and the chosen claim's path


def _compare_last_x(at) -> pd.Timestamp:
    import json

    for chart in _charts(at) + _section_charts(at):
        spec = json.loads(_figure_json(chart))
        title = json.dumps(spec.get("layout", {}).get("title", {}), ensure_ascii=False)
        if "= 100" in title or "100 =" in title:  # a rebased chart
            xs = [x for t in spec["data"] if t.get("name") != "Events" for x in (t.get("x") or [])]
            return pd.to_datetime(xs).max()
    raise AssertionError("no compare figure")


def test_as_of_switch_changes_compare_window(seeded_store):
    at = app_page(None, "en")
    assert at.selectbox(key="col_asof").value == "all"  # evidence first: everything since the column
    assert _compare_last_x(at) > pd.Timestamp("2025-04-01")
    at.selectbox(key="col_asof").set_value("column").run()
    assert not at.exception
    assert _compare_last_x(at) <= pd.Timestamp("2025-01-26")
    assert at.query_params["asof"] in ("column", ["column"])
    at2 = app_page(None, "en", asof="column")
    assert at2.selectbox(key="col_asof").value == "column"


def test_folded_parts_are_built_only_when_opened(seeded_store):
    at = app_page(None, "en")
    texts = "\n".join(_texts(at))
    assert "Facts the column reports" not in texts and not at.file_uploader
    assert not any("primary horizon" in t and "z-score" in t for t in _texts(at))
    assert [d.value.shape[0] for d in at.dataframe] == [5]  # only the scorecard grid
    _open(at, "col_method")
    assert any("z" in t and len(t) > 400 for t in _texts(at))  # the method text
    _open(at, "col_facts")
    facts = [t for t in _texts(at) if t.startswith("**After Trump")]
    assert facts and "1,430" in facts[0]
    _open(at, "col_table_deepseek-shock")
    table = next(d.value for d in at.dataframe if "change_pct" in d.value.columns)
    assert "NVDA" in set(table["symbol"])
    _open(at, "col_upload_open")
    assert at.file_uploader and not at.exception


def test_event_day_bars_match_the_table(seeded_store):
    at = app_page(None, "en")
    _open(at, "col_table_deepseek-shock")
    table = next(d.value for d in at.dataframe if "change_pct" in d.value.columns)
    bars = json.loads(_figure_json(_charts(at)[0]))["data"][0]
    moved = table.dropna(subset=["change_pct"])
    assert sorted(bars["x"]) == pytest.approx(sorted(moved["change_pct"]))
    assert set(bars["y"]) == set(moved["name"])


@pytest.mark.parametrize(("text", "short"), [
    ("US big tech loses steam in 2025 (read strictly, the basket ends lower).", "US big tech loses steam in 2025."),
    ("중국 기술주가 2025년에 반등한다(연말에 더 높다).", "중국 기술주가 2025년에 반등한다."),
    ("NVIDIA (NVDA) falls by year-end.", "NVIDIA (NVDA) falls by year-end."),  # an aside inside stays
    ("(only an aside)", "(only an aside)"),
    ("환율은 크게 움직이지 않는다. 판정 규칙: 1,430.5원 기준.", "환율은 크게 움직이지 않는다."),  # the first sentence
    ("USD/KRW stays near 1,430.5 (both sources).", "USD/KRW stays near 1,430.5."),
])
def test_short_claim_drops_the_closing_aside_only(text, short):
    from commentary.text.short_claim import short_claim

    assert short_claim(text) == short


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_method_box_says_when_each_value_is_observed_with_the_measured_figures(seeded_store, lang):
    """The method box carries the observation paragraph, its figures measured on the store's own KRW=X and ECB
    fixings (computed here independently); the facts name their sources in readers' words, not codes."""
    import catalog
    from commentary.timeline.evidence import store_lead_lag
    from ui import loaders

    at = _open(app_page(None, lang), "col_method")
    assert not at.exception, [e.value for e in at.exception]
    found = store_lead_lag(loaders.prices())
    assert found is not None and found.previous_day
    para = next(t for t in _texts(at) if t.startswith(catalog.text(lang, "timeline.method_observation")[:20]))
    for figure in (found.gap_prev, found.gap_same, found.corr_prev, found.corr_same):
        assert f"{figure:.2f}" in para, figure
    facts = "\n".join(_texts(_open(at, "col_facts")))
    assert "USDKRW_ECB" not in facts and "KRW=X" not in facts.replace("(KRW=X)", "")


def test_english_page_shows_the_korean_title_with_its_english_rendering(seeded_store):
    """An English reader sees the original (Korean) title and author with the English rendering beside them; a
    Korean reader sees the original alone. The reference moment names its zone in readers' words."""
    from commentary.document.column import COLUMNS_DIR, load_commentary

    item = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md")
    assert item.title_en and item.author_en and item.title != item.title_en
    en, ko = app_page(None, "en"), app_page(None, "ko")
    line_en = next(shown(t) for t in _texts(en) if item.title in shown(t))
    assert item.title_en in line_en and item.author_en in line_en and item.author in line_en
    line_ko = next(shown(t) for t in _texts(ko) if item.title in shown(t))
    assert item.title_en not in line_ko and item.author_en not in line_ko
    assert not any("Asia/Seoul" in c.value for page in (en, ko) for c in page.caption)


def test_claim_detail_names_sources_in_the_readers_language(seeded_store):
    at = _open(app_page(None, "ko"), "col_paths")
    assert not at.exception, [e.value for e in at.exception]
    detail = next(d.value for d in at.dataframe if "출처" in d.value.columns)
    assert set(detail["출처"]) <= {"야후", "ECB", "자료"} and "야후" in set(detail["출처"])


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_as_of_the_column_the_narrative_stops_at_what_was_known(seeded_store, lang):
    """At the column's date the first section's text does not tell of the January 27 sell-off (the part after the
    column's marker is left out, and the page says so); everything-since tells the whole story."""
    import catalog
    from commentary.document.column import COLUMNS_DIR, load_commentary

    section = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md").sections[0]
    known, cut = section.known_body(lang)
    later = section.body(lang)[len(known):].strip()
    assert cut and later and "<!--" not in section.body(lang)
    at = app_page(None, lang, asof="column")
    assert not at.exception, [e.value for e in at.exception]
    texts = "\n".join(_texts(at))
    assert later[:40] not in texts and known[:40] in texts
    assert any(c.value == catalog.text(lang, "column.after_hidden") for c in at.caption)
    texts_all = "\n".join(_texts(app_page(None, lang)))
    assert later[:40] in texts_all


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_event_day_table_shows_closes_with_separators_and_their_currency(seeded_store, lang):
    """"As a table" shows each close as a reader writes it (19,341.83, won without decimals), with its currency."""
    at = _open(app_page(None, lang), "col_table_deepseek-shock")
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "close_text" in d.value.columns)
    assert {"currency", "close_text", "prev_close_text", "name"} <= set(table.columns)
    from ui import loaders

    prices = loaders.prices()
    checked = 0
    for row in table.itertuples():
        hit = prices[(prices["symbol"] == row.symbol) & (prices["date"] == pd.Timestamp(row.session))]["close"]
        if hit.empty or float(hit.iloc[0]) < 1000:
            continue
        value = float(hit.iloc[0])  # the store's close, read here: four- and five-digit ones need separators
        if row.currency == "KRW":
            expected = f"{value:,.0f}원" if lang == "ko" else f"₩{value:,.0f}"
        else:
            expected = f"{value:,.2f}"
        assert row.close_text == expected and "," in row.close_text
        checked += 1
    assert checked
