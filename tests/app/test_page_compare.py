"""The "US vs China" page in AppTest, offline, on a store seeded from the real market snapshot."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import catalog
from tests.conftest import opened_page, shown

NVDA_0124, NVDA_0127 = 142.5733, 118.3812  # adjusted closes (SOURCES.md)
KRW_0124, KRW_0127 = 1433.93, 1427.63  # KRW=X


def app_page(page: str, lang: str = "en", settings: bool = True, analyses: bool = False, **params: str):
    """The page with its folded settings panel opened (as a reader would, to use its widgets), and its folded
    analyses (statistics, spread and drawdown, the event day) when ``analyses``."""
    panels = (("cmp_settings",) if settings else ()) + (("cmp_analyses",) if analyses else ())
    return opened_page(page, panels, lang=lang, **params)


def traces(at) -> dict[str, pd.Series]:
    """The main chart's line traces as name -> Series of y over dates (plotly's base64 arrays decoded)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    out = {}
    for trace in spec["data"]:
        if trace.get("meta") == "event-pins":
            continue
        y = trace["y"]
        if isinstance(y, dict):
            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
        out[trace["name"].rsplit("  ", 1)[0]] = pd.Series(list(y), index=pd.to_datetime(trace["x"]), dtype="float64")
    return out


def chart_spec(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def warnings(at) -> str:
    """The warnings as the reader sees them (escaped Markdown undone)."""
    return "\n".join(shown(w.value) for w in at.warning)


@pytest.mark.parametrize(("lang", "title", "basket"), [("ko", "미국 vs 중국", "미국 빅테크 바스켓"),
                                                       ("en", "US vs China", "US big-tech basket")])
def test_page_renders_in_both_languages(seeded_store: Path, lang: str, title: str, basket: str) -> None:
    at = app_page("compare", lang=lang)
    assert not at.exception
    assert at.title[0].value == title
    assert basket in traces(at)
    assert not at.error


def test_default_chart_has_both_baskets_and_benchmarks_rebased_at_the_base(seeded_store: Path) -> None:
    at = app_page("compare", lang="en")
    lines = traces(at)
    assert list(lines) == ["US big-tech basket", "China tech basket", "Nasdaq-100 (^NDX)",
                           "Hang Seng Index (^HSI)", "KraneShares China Internet ETF (KWEB)"]
    base = pd.Timestamp("2025-01-24")
    for name, series in lines.items():
        assert series[base] == pytest.approx(100.0), name
    assert lines["US big-tech basket"].index[0] == pd.Timestamp("2024-10-24")  # three months before the base
    spec = chart_spec(at)
    first, last = lines["US big-tech basket"].index[0], max(s.index[-1] for s in lines.values())
    # the title says what is measured: currency, from–to, price basis and the base
    assert spec["layout"]["title"]["text"] == (f"In KRW · {first:%Y-%m-%d} to {last:%Y-%m-%d}<br>adjusted closes, "
                                               "close of 2025-01-24 = 100")
    assert all("%{meta}" in t["hovertemplate"] for t in spec["data"])  # names are data, not template text
    names = [t["name"] for t in spec["data"]]
    assert all(n.rsplit("  ", 1)[1].endswith("%") for n in names)  # each legend entry: % change since the base
    query = at.query_params
    assert (query["base"], query["start"], query["ccy"]) == ("2025-01-24", "2024-10-24", "KRW")
    assert query["bench"] == "^NDX,^HSI,KWEB"
    assert any(c.value.startswith("Conversion: ") and "USD/KRW (Yahoo)" in shown(c.value) for c in at.caption)
    assert not any("KRW=X" in shown(c.value) for c in at.caption)  # readers' names, not series ids


def test_widgets_change_base_members_and_currency(seeded_store: Path) -> None:
    at = app_page("compare", lang="en")
    at.multiselect(key="cmp_us").set_value(["NVDA"]).run()
    at.text_input(key="cmp_base_text").input("2025-01-24").run()
    krw = traces(at)["US big-tech basket"][pd.Timestamp("2025-01-27")]
    assert krw == pytest.approx(NVDA_0127 / NVDA_0124 * KRW_0127 / KRW_0124 * 100, abs=1e-3)
    at.radio(key="cmp_ccy").set_value("local").run()
    local = traces(at)["US big-tech basket"][pd.Timestamp("2025-01-27")]
    assert local == pytest.approx(NVDA_0127 / NVDA_0124 * 100, abs=1e-3)  # 83.03: NVDA's -16.97%
    assert local != pytest.approx(krw, abs=0.1)
    at.text_input(key="cmp_base_text").input("2025-01-27").run()
    assert not at.exception
    for name, series in traces(at).items():
        assert series[pd.Timestamp("2025-01-27")] == pytest.approx(100.0), name
    assert at.query_params["base"] == "2025-01-27" and at.query_params["us"] == "NVDA"
    assert at.query_params["ccy"] == "local"


def test_range_button_sets_the_window_from_the_base(seeded_store: Path) -> None:
    at = app_page("compare", lang="en")
    next(b for b in at.get("button_group") if b.key == "cmp_preset").set_value("1M").run()
    assert (at.date_input(key="cmp_start").value, at.date_input(key="cmp_end").value) == (
        dt.date(2025, 1, 10), dt.date(2025, 2, 24))
    dates = traces(at)["US big-tech basket"].index
    assert dates[0] == pd.Timestamp("2025-01-10") and dates[-1] == pd.Timestamp("2025-02-24")
    assert at.query_params["start"] == "2025-01-10"


def test_url_reproduces_a_view(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", base="2025-01-27", start="2025-01-02", end="2025-02-28", us="NVDA",
                  cn="BABA", bench="^NDX", ccy="local")
    assert not at.exception and not at.warning
    lines = traces(at)
    assert list(lines) == ["US big-tech basket", "China tech basket", "Nasdaq-100 (^NDX)"]
    us = lines["US big-tech basket"]
    assert us[pd.Timestamp("2025-01-27")] == pytest.approx(100.0)
    assert us[pd.Timestamp("2025-01-24")] == pytest.approx(NVDA_0124 / NVDA_0127 * 100, abs=1e-3)
    assert us.index[0] == pd.Timestamp("2025-01-02") and us.index[-1] == pd.Timestamp("2025-02-28")
    assert at.multiselect(key="cmp_cn").value == ["BABA"]


def test_bad_url_values_warn_and_use_defaults(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", base="2025-02-30", ccy="EUR", us="NVDA,NOPE")
    assert not at.exception
    text = warnings(at)
    assert "base=2025-02-30 is not a date" in text and "ccy=EUR" in text and "left out: NOPE" in text
    assert at.text_input(key="cmp_base_text").value == "2025-01-24"
    assert at.radio(key="cmp_ccy").value == "KRW" and at.multiselect(key="cmp_us").value == ["NVDA"]
    assert at.query_params["ccy"] == "KRW"  # the URL is rewritten with what is shown


def test_url_text_is_not_rendered_as_markdown(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", fx="[click](https://example.com)")
    assert not at.exception
    raw = "\n".join(w.value for w in at.warning)
    assert "[click](https://example.com)" in warnings(at) and "[click](" not in raw  # literal, not a link


def test_invalid_weights_show_the_message_not_a_traceback(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", us="NVDA,MSFT", ccy="local")
    at.radio(key="cmp_weighting").set_value("fixed").run()
    at.text_input(key="cmp_weights").input("NVDA=abc").run()
    assert not at.exception
    assert any("the weight of NVIDIA (NVDA) is not a number: 'abc'" in shown(e.value) for e in at.error)
    at.text_input(key="cmp_weights").input("NVDA=30").run()
    assert not at.exception
    assert any("no weight given for Microsoft (MSFT)" in shown(e.value) for e in at.error)
    assert "US big-tech basket" in traces(at)  # drawn with equal weights meanwhile
    at.text_input(key="cmp_weights").input("NVDA=3, MSFT=1").run()
    assert not at.error and at.query_params["w"] == "NVDA=3, MSFT=1"
    us = traces(at)["US big-tech basket"]
    msft = 430.395477 / 439.804413 * 100  # MSFT 2025-01-24 -> 01-27, adjusted
    assert us[pd.Timestamp("2025-01-27")] == pytest.approx(0.75 * NVDA_0127 / NVDA_0124 * 100 + 0.25 * msft, abs=1e-3)


def test_weights_from_the_url(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", us="NVDA,MSFT", w="NVDA=1,TSLA=1")
    assert not at.exception
    assert at.radio(key="cmp_weighting").value == "fixed"
    assert any("Tesla (TSLA) is not a member of either basket" in shown(e.value) for e in at.error)


def test_stats_table_and_csv_download(seeded_store: Path) -> None:
    folded = app_page("compare", lang="en", start="2025-01-02", end="2025-02-28", ccy="local")
    assert not folded.dataframe and not folded.tabs  # the analyses are folded and not built: the chart comes first
    assert len(folded.get("plotly_chart")) == 1 and not folded.get("download_button")
    at = app_page("compare", lang="en", analyses=True, start="2025-01-02", end="2025-02-28", ccy="local")
    stats = at.dataframe[0].value
    assert stats["series"].tolist() == ["US_BASKET", "CN_BASKET", "^NDX", "^HSI", "KWEB"]
    assert stats["name"].tolist()[:2] == ["US big-tech basket", "China tech basket"]
    assert (stats["observations"] > 30).all()
    assert stats.set_index("series").at["US_BASKET", "max_drawdown_pct"] < 0
    assert at.get("download_button")[0].label == "Download statistics (CSV)"
    assert len(at.get("plotly_chart")) == 1  # the main chart; spread and drawdown wait in their tab
    assert len(at.dataframe) == 1  # the event-day table is not built while its tab is closed


def test_analysis_tabs_build_only_the_open_one(seeded_store: Path) -> None:
    """Below the chart, statistics / spread and drawdown / the event day are tabs: only the open one is built
    (a lighter page), and opening another builds it."""
    at = app_page("compare", lang="en", analyses=True, start="2025-01-02", end="2025-02-28")
    assert [t.label for t in at.tabs] == ["Window statistics", "Spread and drawdown", "Moves on the event day"]
    at.session_state["cmp_more"] = "Spread and drawdown"
    at.run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 3 and not at.dataframe, titles  # main chart, spread, drawdown; no table built
    at.session_state["cmp_more"] = "Moves on the event day"
    at.run()
    assert len(at.get("plotly_chart")) == 1 and len(at.dataframe) == 1
    assert "NVDA" in at.dataframe[0].value["symbol"].tolist()
    # a label of the other language (a switch of language) opens the first tab
    ko = app_page("compare", lang="ko", analyses=True)
    ko.session_state["cmp_more"] = "Moves on the event day"
    ko.run()
    assert not ko.exception and ko.dataframe[0].value.columns[0] == "series"


def test_event_day_table(seeded_store: Path) -> None:
    at = app_page("compare", lang="ko", analyses=True)
    at.session_state["cmp_more"] = "사건 당일의 움직임"
    at.run()
    moves = at.dataframe[0].value.set_index("symbol")
    assert moves.at["NVDA", "change_pct"] == pytest.approx(-16.97, abs=0.005)
    assert moves.at["NVDA", "name"] == "엔비디아 (NVDA)"
    assert moves.at["NVDA", "prev_close"] == pytest.approx(NVDA_0124, abs=1e-3)
    # Hong Kong closed before the US open on 01-27: its next session (01-28) is the one that reacts
    assert moves.at["0700.HK", "session"] == pd.Timestamp("2025-01-28")
    assert "2025-01-28" in moves.at["0700.HK", "note"] and "사건 전에 마감" in moves.at["0700.HK", "note"]
    assert moves.at["000660.KS", "session"] == pd.Timestamp("2025-01-31")  # Seoul shut for Lunar New Year
    assert len(moves) == 37  # every stored symbol
    at.date_input(key="cmp_day").set_value(dt.date(2025, 1, 28)).run()
    moves = at.dataframe[0].value.set_index("symbol")
    assert moves.at["NVDA", "session"] == pd.Timestamp("2025-01-28")
    assert at.query_params["day"] == "2025-01-28"


def test_member_without_data_is_named_and_other_lines_draw(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", cn="9988.HK,0700.HK,BABA")
    assert not at.exception
    text = warnings(at)
    assert "(9988.HK): no data stored" in text
    lines = traces(at)
    assert {"US big-tech basket", "China tech basket", "Nasdaq-100 (^NDX)"} <= set(lines)
    assert lines["China tech basket"][pd.Timestamp("2025-01-24")] == pytest.approx(100.0)


def test_event_pins_toggle(seeded_store: Path) -> None:
    at = app_page("compare", lang="en")
    at.checkbox(key="cmp_pins").check().run()
    assert not at.exception
    spec = chart_spec(at)
    assert any(t.get("meta") == "event-pins" for t in spec["data"])
    assert at.query_params["pins"] == "1"


def test_typed_base_date_applies_and_a_bad_one_says_why(seeded_store: Path) -> None:
    at = app_page("compare", lang="en")
    at.text_input(key="cmp_base_text").input("2025.01.10").run()
    assert at.query_params["base"] == "2025-01-10"
    at.text_input(key="cmp_base_text").input("2025-01-99").run()
    assert any("Base date '2025-01-99' cannot be used: type it as year-month-day" in shown(e.value) for e in at.error)
    assert at.query_params["base"] == "2025-01-10"  # the last good base stays


def test_ytd_preset_runs_from_the_previous_years_last_close(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", analyses=True)
    next(b for b in at.get("button_group") if b.key == "cmp_preset").set_value("YTD").run()
    assert at.date_input(key="cmp_start").value == dt.date(2024, 12, 31)  # 2024's last close, not 2025-01-02
    stats = at.dataframe[0].value.set_index("series")
    assert stats.at["US_BASKET", "first"] == pd.Timestamp("2024-12-31")
    basis = next(c.value for c in at.caption if c.value.startswith("Returns in KRW run from"))
    assert "from the close of 2024-12-31" in basis and "base date 2025-01-24 with equal weights" in basis


def test_chart_comes_before_the_controls(seeded_store: Path) -> None:
    at = app_page("compare", lang="ko")
    nodes = list(at.main.children.values())
    kinds = [getattr(node, "type", "") for node in nodes]
    chart = kinds.index("plotly_chart")
    # above the chart only the title, the one-line freshness banner and the column's calls on these series (one box)
    assert kinds[:chart] == ["title", "caption", "flex_container"], kinds
    answer = [m.value for m in nodes[2].markdown]
    assert answer and answer[0].startswith(f"**{catalog.text('ko', 'answer.title')}**")
    assert {"button_group", "expander"} <= set(kinds[chart:]), kinds  # the period bar and the settings panel after it


def test_settings_panel_is_built_only_when_open_and_keeps_the_view_when_folded(seeded_store: Path) -> None:
    at = app_page("compare", lang="en", settings=False)
    assert not at.exception
    assert not at.multiselect and not at.text_input  # folded: none of its widgets is built
    assert "US big-tech basket" in traces(at) and at.query_params["us"].startswith("NVDA,")
    at.session_state["cmp_settings"] = True
    at.run()
    at.multiselect(key="cmp_us").set_value(["NVDA"]).run()
    at.text_input(key="cmp_base_text").input("2025-01-10").run()
    at.session_state["cmp_settings"] = False
    at.run()
    at.run()  # runs without the panel's widgets: Streamlit drops a widget's state after such a run
    assert not at.exception and not at.multiselect
    assert at.query_params["us"] == "NVDA" and at.query_params["base"] == "2025-01-10"
    assert traces(at)["US big-tech basket"][pd.Timestamp("2025-01-10")] == pytest.approx(100.0)
    at.session_state["cmp_settings"] = True
    at.run()
    assert at.multiselect(key="cmp_us").value == ["NVDA"]


def test_coming_back_from_another_page_draws_the_page(seeded_store: Path) -> None:
    """Widget keys Streamlit dropped while the reader was on another page are seeded again, so a second visit
    draws the chart (a session whose widget keys were gone used to stop on KeyError 'cmp_weighting')."""
    at = app_page("compare", lang="en")
    at.multiselect(key="cmp_us").set_value(["NVDA", "MSFT"]).run()
    at.switch_page("pages/fx.py").run()
    for key in ("cmp_weighting", "cmp_us"):  # as Streamlit drops a widget's key off its page
        del at.session_state[key]
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert "US big-tech basket" in traces(at) and at.session_state["cmp_weighting"] == "equal"
