"""The USD/KRW page's pure parts: URL view parsing, messages and escaping, the event-move table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from commentary.timeline.events import KINDS, Event, event_moves
from tests.conftest import shown
from ui.fx_view import (
    DEFAULT_REF,
    FxView,
    default_view,
    filter_kinds,
    in_window,
    kind_name,
    message,
    moves_table,
    parse_view,
    series_bounds,
)
from ui.words import words

D = dt.date
BOUNDS = {"yahoo": (D(2024, 1, 1), D(2026, 10, 8)), "ecb": (D(2020, 1, 2), D(2026, 10, 30))}


def test_no_params_gives_the_default_view() -> None:
    view, problems = parse_view({}, BOUNDS)
    assert problems == []
    assert view == FxView(start=D(2024, 12, 1), end=D(2025, 3, 31), ref=1430.0, src="yahoo", cny=False,
                          kind="line", kinds=KINDS)
    assert view.symbol == "KRW=X" and view.cny_symbol == "CNY=X"
    assert view.to_params() == {"start": "2024-12-01", "end": "2025-03-31", "ref": "1430", "src": "yahoo",
                                "cny": "0", "kind": "line"}


def test_default_start_is_clamped_into_the_data() -> None:
    assert default_view(D(2025, 1, 2), D(2025, 3, 1)).start == D(2025, 1, 2)
    # data that ends before the column's window: the whole data rather than an empty window
    assert (default_view(D(2023, 1, 2), D(2024, 3, 1)).start, default_view(D(2023, 1, 2), D(2024, 3, 1)).end) == (
        D(2023, 1, 2), D(2024, 3, 1))
    assert default_view(D(2024, 1, 1), D(2026, 10, 8)).end == D(2025, 3, 31)  # the column's window


def test_params_round_trip() -> None:
    params = {"start": "2024-12-02", "end": "2025-04-30", "ref": "1432.5", "src": "ecb", "cny": "1",
              "kind": "candles", "kinds": "politics,holiday"}
    view, problems = parse_view(params, BOUNDS)
    assert problems == []
    assert (view.start, view.end, view.ref, view.src, view.cny, view.kind) == (
        D(2024, 12, 2), D(2025, 4, 30), 1432.5, "ecb", True, "candles")
    assert view.kinds == ("politics", "holiday") and view.symbol == "USDKRW_ECB"
    assert view.to_params() == params


def test_ref_none_and_empty_kinds() -> None:
    view, problems = parse_view({"ref": "none", "kinds": "none", "cny": "yes", "src": " ECB "}, BOUNDS)
    assert problems == [] and view.ref is None and view.kinds == () and view.cny and view.src == "ecb"
    assert view.to_params()["ref"] == "none" and view.to_params()["kinds"] == "none"
    assert parse_view({"ref": "1,440"}, BOUNDS)[0].ref == 1440.0


@pytest.mark.parametrize(("params", "code", "field", "expected"), [
    ({"start": "2025-13-01"}, "bad_date_param", "start", D(2024, 12, 1)),
    ({"end": "yesterday"}, "bad_date_param", "end", D(2025, 3, 31)),
    ({"end": "2030-01-01"}, "date_clamped", "end", D(2026, 10, 8)),
    ({"start": "2019-05-01"}, "date_clamped", "start", D(2024, 1, 1)),
    ({"ref": "abc"}, "bad_number", "ref", DEFAULT_REF),
    ({"ref": "-5"}, "bad_number", "ref", DEFAULT_REF),
    ({"ref": "inf"}, "bad_number", "ref", DEFAULT_REF),
    ({"src": "bing"}, "bad_choice", "src", "yahoo"),
    ({"kind": "bars"}, "bad_choice", "kind", "line"),
    ({"cny": "maybe"}, "bad_choice", "cny", False),
    ({"kinds": "ai,ufo"}, "bad_choice", "kinds", ("ai",)),
    ({"kinds": ","}, "bad_choice", "kinds", KINDS),
])
def test_a_bad_param_falls_back_and_is_reported(params: dict, code: str, field: str, expected: object) -> None:
    view, problems = parse_view(params, BOUNDS)
    assert [p[0] for p in problems] == [code]
    assert problems[0][1].get("param", field) == field
    assert getattr(view, field) == expected


def test_start_after_end_restores_the_default_window() -> None:
    view, problems = parse_view({"start": "2025-04-30", "end": "2025-01-01"}, BOUNDS)
    assert [p[0] for p in problems] == ["start_after_end"]
    assert (view.start, view.end) == (D(2024, 12, 1), D(2025, 3, 31))


def test_a_source_without_data_falls_back() -> None:
    view, problems = parse_view({"src": "yahoo"}, {"yahoo": None, "ecb": BOUNDS["ecb"]})
    assert view.src == "ecb" and view.end == D(2025, 3, 31)
    assert problems == [("source_empty", {"symbol": "KRW=X", "fallback": "USDKRW_ECB"})]
    with pytest.raises(ValueError, match="no USD/KRW data"):
        parse_view({}, {"yahoo": None, "ecb": None})


def test_messages_are_bilingual_and_escape_the_readers_value() -> None:
    params = {"param": "start", "value": "<script>alert(1)</script>", "default": "2024-11-01"}
    en = message("bad_date_param", params, "en")
    ko = message("bad_date_param", params, "ko")
    assert en.startswith("URL parameter start=") and "2024-11-01" in en
    assert "주소의 start=" in ko and "기본값 2024-11-01" in ko
    for text in (en, ko):
        assert "<" not in text and "(1\\)" in text  # no raw markup; Markdown punctuation escaped
        assert "<script>alert(1)</script>" in shown(text)  # what the reader sees: the value, literally
    assert message("empty_label", {}, "en") == "The note's label is empty: type at least one word."
    too_long = message("label_too_long", {"length": 61, "limit": 60}, "ko")
    assert too_long == "메모 제목이 61자입니다. 60자 이하로 줄여 주세요."
    assert message("date_out_of_range", {"date": "2019-01-01", "start": "2024-01-01", "end": "2026-10-08"},
                   "en") == "The note's date 2019-01-01 is outside the data (2024-01-01 to 2026-10-08)."
    assert message("no_such_code", {}, "en", fallback="raw [text]") == r"raw \[text\]"


def _prices() -> pd.DataFrame:
    days = pd.to_datetime(["2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27", "2025-01-28"])
    krw = pd.DataFrame({"date": days, "symbol": "KRW=X", "close": [1430.0, 1440.0, 1434.0, 1428.0, 1418.0]})
    cny = pd.DataFrame({"date": days[:2], "symbol": "CNY=X", "close": [7.28, 7.29]})
    return pd.concat([krw, cny], ignore_index=True)


def test_bounds_and_window() -> None:
    prices = _prices()
    assert series_bounds(prices, "KRW=X") == (D(2025, 1, 22), D(2025, 1, 28))
    assert series_bounds(prices, "USDKRW_ECB") is None
    window = in_window(prices, "KRW=X", D(2025, 1, 23), D(2025, 1, 27))
    assert window["close"].tolist() == [1440.0, 1434.0, 1428.0]


def _event(ident: str, kind: str, date: dt.date | None = None, **kw) -> Event:
    return Event(id=ident, kind=kind, label_ko=f"{ident} 한", label_en=f"{ident} en", note_ko="", note_en="",
                 source_name="Pub", source_url=f"https://e.com/{ident}", date=date, **kw)


def test_filter_kinds_and_names() -> None:
    events = [_event("a", "fx", D(2025, 1, 24)), _event("b", "ai", D(2025, 1, 24))]
    assert [e.id for e in filter_kinds(events, ["ai"])] == ["b"]
    assert filter_kinds(events, []) == []
    assert kind_name("central_bank", "ko") == "중앙은행" and kind_name("trade", "en") == "Trade & tariffs"
    assert kind_name("other", "en") == "other"


def test_moves_table_formats_the_moves() -> None:
    events = [_event("fri", "fx", D(2025, 1, 24)), _event("sun", "politics", D(2025, 1, 26)),
              _event("holiday", "holiday", start=D(2025, 1, 27), end=D(2025, 1, 30)),
              _event("us", "market", D(2025, 1, 27), date_basis="US")]
    series = _prices().query("symbol == 'KRW=X'").set_index("date")["close"]
    moves = event_moves(events, series, horizon=2, words=words("en"), symbol="KRW=X")
    table = moves_table(moves, events, "en").set_index("event")
    fri = table.loc["fri en"]
    # 1434 - 1440 = -6 (-0.42%); two rows later 1418: -16 (-1.12%)
    assert (fri["date"], fri["rate_date"], fri["close"], fri["change"], fri["change_pct"]) == (
        "Jan 24, 2025", "Jan 24, 2025", "₩1,434.0", "-6.0", "-0.42%")
    assert (fri["fwd_change"], fri["fwd_change_pct"], fri["kind"]) == ("-16.0", "-1.12%", "FX")
    assert (fri["source"], fri["source_url"]) == ("Pub", "https://e.com/fri")
    sun = table.loc["sun en"]
    # Sunday: the first KRW=X print after it is Monday's (the reaction), not Friday's.
    assert sun["rate_date"] == "Jan 27, 2025 (first print after)" and sun["change_pct"] != "–"
    assert table.loc["holiday en", "date"] == "Jan 27, 2025 ~ Jan 30, 2025"
    assert table.loc["us en", "date"] == "Jan 27, 2025 (US date)"
    assert table.loc["us en", "fwd_change"] == "–"  # no row two trading days after Jan 27
    ko = moves_table(event_moves(events[1:2], series, words=words("ko"), symbol="KRW=X"), events[1:2], "ko")
    assert ko.loc[0, "event"] == "sun 한" and ko.loc[0, "rate_date"] == "2025년 1월 27일 (사건 뒤 첫 값)"
    assert ko.loc[0, "kind"] == "정치"
