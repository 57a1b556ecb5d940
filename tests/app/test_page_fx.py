"""The USD/KRW page, offline in AppTest on the store seeded from the real market snapshot."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import catalog
from data_sources.market.universe import instrument
from data_sources.store.prices import Store
from tests.conftest import notebook_of, opened_page, shown

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def app_page(page: str, lang: str = "en", panels: bool = True, **params: str):
    """The page with its folded panels (view settings, the note form, the events' table) opened, unless
    ``panels`` is False."""
    return opened_page(page, ("fx_settings", "fx_note_open", "fx_moves_open") if panels else (), lang=lang,
                       **params)


def _fig(at) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no chart rendered"
    return json.loads(charts[0].proto.spec)


def _array(value: object) -> list:
    """A trace array from the chart JSON (Plotly packs number arrays as base64 ``bdata``)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)  # type: ignore[call-overload]


def _plain_json(at) -> str:
    """The chart's JSON with ``<``, ``>``, ``&`` as the characters Plotly will see (the raw spec escapes them)."""
    return json.dumps(_fig(at), ensure_ascii=False)


def _annotations(fig: dict) -> dict[str, dict]:
    return {a["name"]: a for a in fig["layout"].get("annotations", []) if a.get("name")}


def _shapes(fig: dict) -> dict[str, dict]:
    return {s["name"]: s for s in fig["layout"].get("shapes", []) if s.get("name")}


def _nodes(node) -> Iterator:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


def _table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "rate_date" in d.value.columns)


def _add_note(at, day: dt.date, label: str, note: str = ""):
    at.date_input(key="fx_note_date").set_value(day)
    at.text_input(key="fx_note_label").input(label)
    at.text_area(key="fx_note_text").input(note)
    submit = next(b for b in at.button if b.label in ("Add note", "메모 추가"))
    return submit.click().run()


def _user_labels(fig: dict) -> list[str]:
    return [a["text"] for name, a in _annotations(fig).items() if name.startswith("label:user:")]


@pytest.mark.parametrize(("lang", "title", "source"), [
    ("en", "USD/KRW", "Source: Yahoo Finance KRW=X (round-the-clock quote, not Seoul's 15:30 close)"),
    ("ko", "원/달러 환율", "출처: 야후 파이낸스 KRW=X (24시간 호가 기준, 서울 외환시장 15:30 종가와 다름)"),
])
def test_renders_with_pins_band_reference_line_and_source(seeded_store: Path, lang: str, title: str,
                                                          source: str) -> None:
    at = app_page("fx", lang=lang)
    assert not at.exception
    assert at.title[0].value == title
    assert not at.warning  # the default view has nothing to complain about
    fig = _fig(at)
    notes = _annotations(fig)
    # the column's key events keep labels (the BoJ hike may collapse to a marker in this long window)
    for ident in ("trump_fox_interview", "nvidia_selloff", "yoon_indictment"):
        assert f"label:event:{ident}" in notes
    pins = next(t for t in fig["data"] if t.get("meta") == "event-pins")
    assert any("0.5%" in h for h in pins["hovertext"])  # the BoJ hike is pinned all the same
    assert pd.Timestamp(notes["label:event:trump_fox_interview"]["x"]) == pd.Timestamp("2025-01-24")
    assert pd.Timestamp(notes["label:event:nvidia_selloff"]["x"]) == pd.Timestamp("2025-01-27")
    # numbered badges on the chart (readable on a phone), their key under it
    key = next(c.value for c in at.caption if c.value.startswith(("Numbers on the chart", "그래프의 번호")))
    for ident, label_en, label_ko in (("trump_fox_interview", "Trump on Fox: rather not tariff China", ""),
                                      ("yoon_indictment", "", "윤 대통령 기소")):
        number = notes[f"label:event:{ident}"]["text"]
        assert number.isdigit() and f"**{number}**] " in key
        assert shown(label_en if lang == "en" else label_ko) in shown(key)
    band = _shapes(fig)["band:event:seollal_closure"]
    assert pd.Timestamp(band["x0"]) == pd.Timestamp("2025-01-27") and pd.Timestamp(band["x1"]) == pd.Timestamp(
        "2025-01-31")
    ref = _shapes(fig)["refline:1430.0"]
    assert ref["y0"] == ref["y1"] == 1430.0
    assert notes["refline:1430.0"]["text"] == ("₩1,430.0" if lang == "en" else "1,430.0원")
    assert notes["source"]["text"].replace("<br>", " ") == source  # wrapped to fit a phone
    main = fig["data"][0]
    assert main["type"] == "scatter" and main["name"] == ("USD/KRW (Yahoo)" if lang == "en" else "원/달러 (야후)")
    # it opens on the column's window, with range buttons and a slider over the whole history
    assert at.query_params["start"] == "2024-12-01" and at.query_params["end"] == "2025-03-31"
    assert at.query_params["src"] == "yahoo" and at.query_params["ref"] == "1430"
    assert fig["layout"]["xaxis"]["rangeslider"]["visible"] is True
    assert len(fig["layout"]["updatemenus"][0]["buttons"]) == 6  # range buttons (charts.fx._range_menu)
    assert fig["layout"]["xaxis"]["range"][1].startswith("2025-03-31")
    # the explanation of the series
    body = " ".join(m.value for m in at.markdown)
    expected = [catalog.text(lang, "timeline.fx_sources_yahoo"), catalog.text(lang, "timeline.fx_sources_ecb")]
    assert all(text in body for text in expected)
    assert ("midnight London time" if lang == "en" else "런던 자정") in body  # when Yahoo's value is taken


def test_switching_to_ecb_changes_the_trace_and_the_url(seeded_store: Path) -> None:
    at = app_page("fx", lang="en")
    yahoo = _fig(at)["data"][0]
    at.radio(key="fx_src").set_value("ecb").run()
    assert not at.exception
    ecb = _fig(at)["data"][0]
    title = _fig(at)["layout"]["title"]["text"]
    assert ecb["name"] == "USD/KRW (ECB reference)" and title.startswith("USD/KRW (ECB reference) · ")
    assert "USDKRW_ECB" not in title and "won per dollar" in title  # readers' words: what, when, in what unit
    rates = {src: dict(zip(pd.to_datetime(t["x"]), _array(t["y"]), strict=True)) for src, t in
             (("yahoo", yahoo), ("ecb", ecb))}
    day = pd.Timestamp("2025-01-24")
    assert rates["yahoo"][day] == pytest.approx(1433.9300537) and rates["ecb"][day] == pytest.approx(1433.919, abs=1e-3)
    assert rates["ecb"].keys() != rates["yahoo"].keys()  # the two providers quote on different days
    source = _annotations(_fig(at))["source"]["text"].replace("<br>", " ")  # wrapped to fit a phone
    assert source.startswith("Source: ECB euro reference rates (fixed 14:15 CET)")
    assert at.query_params["src"] == "ecb"
    row = _table(at).query("event == 'Trump on Fox: rather not tariff China'").iloc[0]
    assert row["close"] == "₩1,433.9"  # ECB cross for 2025-01-24 (1433.9190); one decimal, as FX is quoted
    # the ECB series runs later (to the installed ECB file's last day) than Yahoo's (2026-10-08)
    ecb_end = Store().load_prices(["USDKRW_ECB"])["date"].max().date()
    assert at.date_input(key="fx_end").value == dt.date(2025, 3, 31)  # still the column's window
    at.date_input(key="fx_end").set_value(ecb_end).run()
    assert at.query_params["end"] == ecb_end.isoformat()
    at.radio(key="fx_src").set_value("yahoo").run()
    assert not at.exception and at.date_input(key="fx_end").value == dt.date(2026, 10, 8)
    assert at.query_params["src"] == "yahoo" and at.query_params["end"] == "2026-10-08"


def test_url_params_reproduce_the_view(seeded_store: Path) -> None:
    params = {"start": "2025-01-02", "end": "2025-02-28", "ref": "1445", "src": "yahoo", "cny": "1",
              "kind": "candles", "kinds": "politics,holiday"}
    at = app_page("fx", lang="en", **params)
    assert not at.exception and not at.warning
    assert at.date_input(key="fx_start").value == dt.date(2025, 1, 2)
    assert at.date_input(key="fx_end").value == dt.date(2025, 2, 28)
    assert at.number_input(key="fx_ref").value == 1445.0 and at.checkbox(key="fx_cny").value
    assert at.radio(key="fx_kind").value == "candles"
    assert at.multiselect(key="fx_kinds").value == ["politics", "holiday"]
    fig = _fig(at)
    main, cny = fig["data"][0], fig["data"][1]
    assert main["x"][0].startswith("2024-01-01")  # the whole history, for the range slider
    assert fig["layout"]["xaxis"]["range"][0].startswith("2025-01-01T12")  # the view: half a day either side
    assert fig["layout"]["xaxis"]["range"][1].startswith("2025-02-28T12")
    assert cny["name"] == "USD/CNY (Yahoo)" and cny["yaxis"] == "y2"
    assert "refline:1445.0" in _shapes(fig) and "refline:1430.0" not in _shapes(fig)
    # KRW=X is close-only: candles fall back to a line, and both the chart and the page say so
    assert main["type"] == "scatter" and "instead of candles" in fig["layout"]["title"]["subtitle"]["text"]
    assert any("closes only" in c.value for c in at.caption)
    labels = {n for n in _annotations(fig) if n.startswith("label:event:")}
    assert labels == {"label:event:yoon_indictment", "label:event:seollal_closure"}
    assert set(_table(at)["event"]) == {"President Yoon indicted", "Seoul closed for Seollal"}
    for key, value in params.items():
        assert at.query_params[key] == value


def test_candles_when_the_store_has_ohlc() -> None:
    from data_sources.store.frames import normalise
    from data_sources.store.prices import Store

    days = pd.bdate_range("2025-01-20", periods=6)
    closes = [1457.4, 1435.5, 1425.8, 1434.3, 1433.9, 1427.6]
    frame = normalise(pd.DataFrame({"date": days, "symbol": "KRW=X", "open": [c - 1 for c in closes],
                                    "high": [c + 3 for c in closes], "low": [c - 3 for c in closes],
                                    "close": closes, "adj_close": float("nan"), "volume": float("nan")}))
    Store().upsert(frame, {"KRW=X": {"source": "test"}})
    at = app_page("fx", lang="en", kind="candles")
    assert not at.exception and not at.warning
    main = _fig(at)["data"][0]
    assert main["type"] == "candlestick" and _array(main["high"]) == pytest.approx([c + 3 for c in closes])
    assert at.date_input(key="fx_start").value == dt.date(2025, 1, 20)  # 2024-12-01 is before the data


def test_invalid_url_params_warn_and_fall_back(seeded_store: Path) -> None:
    at = app_page("fx", lang="en", panels=False, start=SCRIPT, end="2031-01-01", ref="lots", src="bing",
                  kind="bars")
    assert not at.exception
    raw = [w.value for w in at.warning]
    warnings = [shown(w) for w in raw]
    assert len(warnings) == 5
    assert any(w.startswith("URL parameter start=") and "using the default 2024-12-01" in w for w in warnings)
    assert any("end=2031-01-01 is outside the stored data (2024-01-01 to 2026-10-08)" in w for w in warnings)
    assert any("ref=lots is not a number" in w for w in warnings)
    assert any("src=bing is not one of yahoo, ecb" in w for w in warnings)
    assert any("kind=bars is not one of line, candles" in w for w in warnings)
    start_warning = next(w for w in warnings if w.startswith("URL parameter start="))
    assert "<script>alert(1)</script>" in start_warning  # shown as literal text, not markup
    assert not any("<script" in w for w in raw)
    at.session_state["fx_settings"] = True  # the reader opens the settings: the fallback values are in them
    at.run()
    assert at.date_input(key="fx_start").value == dt.date(2024, 12, 1)
    assert at.date_input(key="fx_end").value == dt.date(2026, 10, 8)  # clamped to the data (as the warning says)
    assert at.number_input(key="fx_ref").value == 1430.0 and at.radio(key="fx_src").value == "yahoo"
    assert at.query_params["start"] == "2024-12-01" and at.query_params["ref"] == "1430"
    ko = app_page("fx", lang="ko", panels=False, ref="lots")
    assert any("주소의 ref=lots 는" in w.value for w in ko.warning)


def test_events_table_rows(seeded_store: Path) -> None:
    folded = app_page("fx", lang="en", panels=False, start="2025-01-02", end="2025-02-28")
    assert not folded.dataframe  # folded and not built: its grid delayed the chart
    box = next(e for e in folded.expander if "trading days after" in e.label)
    assert box.label.startswith("The rate on the day of ") and "events" in box.label
    at = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28")
    table = _table(at)
    assert f"of {len(table)} events" in box.label  # the fold says how many rows it holds
    row = table[table["event"] == "Trump on Fox: rather not tariff China"].iloc[0]
    assert row["date"] == "Jan 24, 2025" and row["rate_date"] == "Jan 24, 2025"
    assert row["close"] == "₩1,433.9"
    # Yahoo KRW=X: 1434.34 on Jan 23 -> 1433.93 on Jan 24; five quotes later (Jan 31) 1441.66
    assert (row["change"], row["change_pct"], row["fwd_change"], row["fwd_change_pct"]) == (
        "-0.4", "-0.03%", "+7.7", "+0.54%")
    assert row["source_url"].startswith("https://")
    sunday = table[table["event"] == "President Yoon indicted"].iloc[0]
    assert sunday["rate_date"] == "Jan 27, 2025 (first print after)"  # the reaction: Monday's print (issue 11)
    assert table["date"].iloc[0] == "Jan 17, 2025" and table["date"].iloc[-1] == "Feb 7, 2025"  # HSTECH day
    ko = app_page("fx", lang="ko", start="2025-01-02", end="2025-02-28")
    row_ko = _table(ko).set_index("event").loc["윤 대통령 기소"]
    assert row_ko["date"] == "2025년 1월 26일" and row_ko["kind"] == "정치"
    # Korean FX format (thousands separator, one decimal, 원); a Sunday event's print is Monday's: 1427.63
    assert row_ko["close"] == "1,427.6원"
    # Under the table: when the series' value is taken, so the reader knows which print shows an event.
    for page, lang, symbol, taken in ((at, "en", "KRW=X", "timeline.taken_yahoo"),
                                      (app_page("fx", lang="ko", start="2025-01-02", end="2025-02-28", src="ecb"), "ko",
                                       "USDKRW_ECB", "timeline.taken_ecb")):
        name = instrument(symbol).name(lang)  # the series in readers' words, not its id
        caption = catalog.text(lang, "timeline.moves_caption", symbol=name, taken=catalog.text(lang, taken), days=5)
        assert caption in [c.value for c in page.caption], lang


def test_reader_note_is_saved_shown_survives_restart_and_deletes(seeded_store: Path) -> None:
    at = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28")
    _add_note(at, dt.date(2025, 1, 24), "Below 1,430 after the interview", "Seoul was shut; offshore quote.")
    assert not at.exception
    assert any(s.value == "Note saved; it is marked with a ★ on the chart." for s in at.success)
    assert _user_labels(_fig(at)) == ["(my note) Below 1,430 after the interview"]
    assert "★ 2025-01-24 · Below 1,430 after the interview\nSeoul was shut; offshore quote." in _texts(at)
    assert at.text_input(key="fx_note_label").value == ""  # the form is cleared after a save
    # the note does not stretch the axis past the window's data (it ended in Jan 2027 before)
    assert _fig(at)["layout"]["xaxis"]["range"][1] <= "2025-02-28T12:00:00"
    notebook = notebook_of(at)  # the reader's notebook, kept in this browser (never in the address)
    assert len(notebook) == 32

    stranger = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28")  # another reader: nothing
    assert _user_labels(_fig(stranger)) == [] and not any(t.startswith("★") for t in _texts(stranger))
    at.session_state["nbk_open"] = True  # "My notebook on other devices": the read-only link, one click to copy
    at.run()
    share = next(c.value for c in at.code if "?notes=" in c.value).split("?notes=")[1].split("&")[0]
    assert notebook not in share
    viewer = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28", notes=share)  # read-only link
    assert _user_labels(_fig(viewer)) == ["(my note) Below 1,430 after the interview"]
    assert not any(b.key and b.key.startswith("fx_del_") for b in viewer.button)

    restarted = app_page("fx", lang="ko", start="2025-01-02", end="2025-02-28", notebook=notebook)  # new session
    assert _user_labels(_fig(restarted)) == ["(내 메모) Below 1,430 after the interview"]
    delete = next(b for b in restarted.button if b.key and b.key.startswith("fx_del_"))
    delete.click().run()
    assert not restarted.exception
    assert any(s.value == "메모를 지웠습니다." for s in restarted.success)
    assert _user_labels(_fig(restarted)) == []
    assert not any(t.startswith("★") for t in _texts(restarted))
    assert not any(b.key and b.key.startswith("fx_del_") for b in restarted.button)
    again = app_page("fx", lang="en", notebook=notebook)
    assert _user_labels(_fig(again)) == []


def test_operator_can_share_notes_between_visitors(seeded_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_NOTES", "shared")
    at = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28")
    _add_note(at, dt.date(2025, 1, 24), "Shared note", "")
    assert "nb" not in at.query_params
    other = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28")
    assert _user_labels(_fig(other)) == ["(my note) Shared note"]


@pytest.mark.parametrize(("day", "label", "note", "lang", "expected"), [
    (dt.date(2025, 1, 24), "   ", "", "en", "The note's label is empty: type at least one word."),
    (dt.date(2025, 1, 24), "", "", "ko", "메모 제목이 비어 있습니다. 한 단어라도 적어 주세요."),
    (dt.date(2019, 1, 2), "too early", "", "en",
     "The note's date 2019-01-02 is outside the data (2024-01-01 to 2026-10-08)."),
    (dt.date(2027, 1, 4), "too late", "", "ko",
     "메모 날짜 2027-01-04은(는) 데이터 범위(2024-01-01 ~ 2026-10-08) 밖입니다."),
    (dt.date(2025, 1, 24), "x" * 61, "", "en", "The note's label has 61 characters; keep it to 60 or fewer."),
    (dt.date(2025, 1, 24), "ok", "y" * 501, "en", "The note's text has 501 characters; keep it to 500 or fewer."),
])
def test_bad_note_input_gets_a_clear_message(seeded_store: Path, day: dt.date, label: str, note: str, lang: str,
                                             expected: str) -> None:
    at = app_page("fx", lang=lang)
    _add_note(at, day, label, note)
    assert not at.exception
    assert [e.value for e in at.error] == [expected]
    assert _user_labels(_fig(at)) == []
    assert at.text_input(key="fx_note_label").value == label  # what the reader typed is kept for fixing


def test_html_in_a_note_is_only_ever_text(seeded_store: Path) -> None:
    at = app_page("fx", lang="en", start="2025-01-02", end="2025-02-28")
    _add_note(at, dt.date(2025, 1, 27), SCRIPT, "<b>bold?</b> <img src=x onerror=alert(2)>")
    assert not at.exception and not at.error
    spec = _plain_json(at)
    assert "<script" not in spec and "<img" not in spec and "<b>bold" not in spec
    assert _user_labels(_fig(at)) == [f"(my note) {ESCAPED}"]
    assert ESCAPED in spec and "&lt;img src=x onerror=alert(2)&gt;" in spec  # hover text, escaped
    assert f"★ 2025-01-27 · {SCRIPT}\n<b>bold?</b> <img src=x onerror=alert(2)>" in _texts(at)
    # Across every element the page sent, the reader's raw tag appears only in plain-text elements (the page's own
    # notebook-cookie script is an html element, and carries none of it).
    carriers = {node.type for node in _nodes(at._tree) if hasattr(node, "proto") and SCRIPT in str(node.proto)}
    assert carriers == {"text"}
    for node in _nodes(at._tree):
        if getattr(node, "type", None) == "markdown" and SCRIPT in node.proto.body:
            pytest.fail(f"reader HTML in a markdown element: {node.proto.body!r}")


def test_folded_panels_build_no_widgets_and_keep_the_view(seeded_store: Path) -> None:
    """The settings panel and the note form are folded on opening (a light first screen): none of their widgets
    is built until the reader opens them, and the view from the URL survives runs with the panel folded."""
    at = app_page("fx", lang="en", panels=False, start="2025-01-02", end="2025-02-28", ref="1445")
    keys = {w.key for kind in ("radio", "date_input", "number_input", "text_input", "text_area", "multiselect")
            for w in at.get(kind)}
    assert not keys & {"fx_src", "fx_start", "fx_end", "fx_ref", "fx_kinds", "fx_note_label", "fx_note_text"}
    assert at.get("plotly_chart"), "the chart is drawn with the panel folded"
    at.run()  # a rerun with the panel still folded: the widget values must not be dropped
    assert not at.exception
    assert (at.query_params["start"], at.query_params["end"], at.query_params["ref"]) == (
        "2025-01-02", "2025-02-28", "1445")
    at.session_state["fx_settings"] = True
    at.run()
    assert at.date_input(key="fx_start").value == dt.date(2025, 1, 2)
    assert at.number_input(key="fx_ref").value == 1445.0
    at.session_state["fx_settings"] = False  # folded again: Streamlit drops the state of widgets not drawn
    at.run()
    at.run()
    assert not at.exception and at.get("plotly_chart")
    assert (at.query_params["start"], at.query_params["end"], at.query_params["ref"]) == (
        "2025-01-02", "2025-02-28", "1445")
