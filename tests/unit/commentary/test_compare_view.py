"""Tests for the compare page's view-model (ui.compare_view) and its lines (commentary.analysis.compare_lines) on small
hand-built frames: URL state, weights, lines, tables, reader notes."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest

from commentary.analysis import compare_lines as cl
from data_sources.errors import InputError, Problem
from data_sources.store.frames import PRICE_COLUMNS, normalise
from ui import compare_view as cv

D = dt.date


def tidy(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """A tidy price frame from ``(date, symbol, close)`` rows (adj_close unknown)."""
    records = [{"date": d, "symbol": s, "open": c, "high": c, "low": c, "close": c, "adj_close": math.nan,
                "volume": math.nan} for d, s, c in rows]
    return normalise(pd.DataFrame(records, columns=list(PRICE_COLUMNS)))


@pytest.fixture
def prices() -> pd.DataFrame:
    """NVDA and MSFT (USD), Tencent (HKD), ^NDX; KRW=X and USDHKD_ECB convert. Base 2025-01-24."""
    rows = []
    for day, nvda, msft, tencent, ndx, krw, hkd in [
        ("2025-01-23", 150.0, 400.0, 380.0, 22000.0, 1430.0, 7.8),
        ("2025-01-24", 100.0, 400.0, 400.0, 20000.0, 1000.0, 8.0),
        ("2025-01-27", 80.0, 420.0, 440.0, 19000.0, 1100.0, 8.0),
        ("2025-01-28", 90.0, 440.0, 460.0, 19500.0, 1200.0, 8.0),
    ]:
        rows += [(day, "NVDA", nvda), (day, "MSFT", msft), (day, "0700.HK", tencent), (day, "^NDX", ndx),
                 (day, "KRW=X", krw), (day, "USDHKD_ECB", hkd)]
    rows.append(("2025-01-29", "^NDX", 19600.0))  # ^NDX runs one day longer
    return tidy(rows)


def view(**changes: object) -> cv.CompareView:
    base = cv.CompareView(base=D(2025, 1, 24), start=D(2025, 1, 23), end=D(2025, 1, 28), us=("NVDA", "MSFT"),
                          cn=("0700.HK",), bench=("^NDX",), ccy="local")
    return cv.CompareView(**{**base.__dict__, **changes})


# ----------------------------------------------------------------------------- defaults and windows


def test_default_view_from_what_is_stored(prices: pd.DataFrame) -> None:
    default = cv.default_view(prices)
    assert default is not None
    assert default.base == D(2025, 1, 24)
    assert default.start == D(2025, 1, 23)  # three months before the base, clipped to the first date
    assert default.end == D(2025, 1, 28)  # the last date every default line has (^NDX alone runs to 01-29)
    assert default.us == ("NVDA", "MSFT") and default.cn == ("0700.HK",) and default.bench == ("^NDX",)
    assert (default.ccy, default.fx, default.weights, default.day) == ("KRW", "yahoo", "", D(2025, 1, 27))
    assert cl.data_span(prices) == (D(2025, 1, 23), D(2025, 1, 29))


def test_default_base_is_the_last_date_on_or_before_the_friday(prices: pd.DataFrame) -> None:
    without_friday = prices[prices["date"] != pd.Timestamp("2025-01-24")]
    assert cv.default_view(without_friday).base == D(2025, 1, 23)
    assert cv.default_view(prices[prices["symbol"] == "KRW=X"]) is None  # no line symbol stored


def test_preset_windows_are_measured_from_the_base() -> None:
    first, last = D(2020, 1, 2), D(2026, 3, 25)
    assert cv.preset_window("1M", D(2025, 1, 24), first, last) == (D(2025, 1, 10), D(2025, 2, 24))
    # YTD runs from the previous year's last close: 31 Dec without trading days, else the last one before 1 Jan
    assert cv.preset_window("YTD", D(2025, 1, 24), first, last) == (D(2024, 12, 31), D(2025, 12, 31))
    days = [D(2023, 12, 28), D(2023, 12, 29), D(2024, 1, 2)]  # 2023-12-31 was a Sunday
    assert cv.preset_window("YTD", D(2024, 3, 1), D(2023, 1, 1), last, days) == (D(2023, 12, 29), D(2024, 12, 31))
    assert cv.preset_window("All", D(2025, 1, 24), first, last) == (first, last)
    assert cv.preset_window("1Y", D(2025, 6, 2), first, D(2025, 7, 1)) == (D(2025, 5, 19), D(2025, 7, 1))


# ----------------------------------------------------------------------------- URL state


def test_query_round_trip() -> None:
    wanted = view(ccy="KRW", fx="ecb", weights="NVDA=3,MSFT=1", pins=True, day=D(2025, 1, 28))
    query = cv.to_query(wanted)
    assert query["base"] == "2025-01-24" and query["us"] == "NVDA,MSFT" and query["w"] == "NVDA=3,MSFT=1"
    assert query["pins"] == "1"
    parsed, problems = cv.parse_query(query, view(), D(2025, 1, 1), D(2025, 12, 31))
    assert parsed == wanted and problems == []
    assert "w" not in cv.to_query(view()) and "pins" not in cv.to_query(view())


def test_bad_query_values_fall_back_to_defaults_with_messages() -> None:
    default = view()
    query = {"base": "2025-13-45", "start": "2019-01-01", "ccy": "EUR", "fx": "Yahoo", "us": "nvda,XYZ",
             "cn": "AAPL", "bench": ""}
    parsed, problems = cv.parse_query(query, default, D(2025, 1, 1), D(2025, 12, 31))
    assert parsed.base == default.base and parsed.start == default.start and parsed.ccy == default.ccy
    assert parsed.fx == "yahoo"  # case-insensitive match is fine
    assert parsed.us == ("NVDA",)  # XYZ dropped, named
    assert parsed.cn == default.cn  # nothing usable: the default members
    assert parsed.bench == ()  # an empty benchmark list is a valid choice
    assert [(p.code, p.params.get("param")) for p in problems] == [
        ("compare.url_date", "base"), ("compare.url_range", "start"), ("compare.url_symbols", "us"),
        ("compare.url_empty", "cn"), ("compare.url_choice", "ccy")]
    english = [cv.say_problem(p, "en") for p in problems]
    for fragment in ("base=2025-13-45", "start=2019-01-01", "ccy=EUR", "left out: XYZ",
                     "cn names no usable symbol (AAPL)"):
        assert any(fragment in line for line in english), fragment
    korean = [cv.say_problem(p, "ko") for p in problems]
    assert all("주소의" in line for line in korean)


def test_query_window_in_the_wrong_order_uses_the_default_window() -> None:
    parsed, problems = cv.parse_query({"start": "2025-03-01", "end": "2025-02-01"}, view(), D(2025, 1, 1),
                                      D(2025, 12, 31))
    assert (parsed.start, parsed.end) == (view().start, view().end)
    assert problems and "늦습니다" in cv.say_problem(problems[0], "ko")


# ----------------------------------------------------------------------------- weights


def test_parse_weights() -> None:
    assert cl.parse_weights("NVDA=30, msft: 20;0700.hk=50%") == {"NVDA": 30.0, "MSFT": 20.0, "0700.HK": 50.0}
    assert cl.parse_weights("  ") == {}
    for text, problem in (("NVDA=1, MSFT20", Problem("compare.weights_item", {"number": 2, "item": "MSFT20"})),
                          ("NVDA=abc", Problem("compare.weights_number", {"symbol": "NVDA", "value": "abc"})),
                          ("NVDA=1,nvda=2", Problem("compare.weights_twice", {"symbol": "NVDA"}))):
        with pytest.raises(InputError) as caught:
            cl.parse_weights(text)
        assert caught.value.problem == problem
    assert cv.say_problem(Problem("compare.weights_item", {"number": 2, "item": "MSFT20"}), "en") == (
        "item 2 'MSFT20' is not SYMBOL=NUMBER (e.g. NVDA=30)")


def test_split_weights_per_basket() -> None:
    w_us, w_cn = cl.split_weights({"NVDA": 3.0, "MSFT": 1.0}, ["NVDA", "MSFT"], ["0700.HK"])
    assert w_us == {"NVDA": 3.0, "MSFT": 1.0} and w_cn is None
    with pytest.raises(InputError) as caught:
        cl.split_weights({"TSLA": 1.0}, ["NVDA"], ["0700.HK"])
    assert cv.say_problem(caught.value.problem, "en") == "Tesla (TSLA) is not a member of either basket"


# ----------------------------------------------------------------------------- lines


def test_lines_in_local_currency(prices: pd.DataFrame) -> None:
    lines = cl.compare_lines(prices, view())
    levels = lines.levels
    assert list(levels.columns) == [cl.US_KEY, cl.CN_KEY, "^NDX"]
    # NVDA 100 -> 80 (80), MSFT 400 -> 420 (105): equal-weight basket 92.5 on 01-27
    assert levels.loc["2025-01-24"].tolist() == [100.0, 100.0, 100.0]
    assert levels.at[pd.Timestamp("2025-01-27"), cl.US_KEY] == pytest.approx(92.5)
    assert levels.at[pd.Timestamp("2025-01-27"), cl.CN_KEY] == pytest.approx(110.0)
    assert levels.at[pd.Timestamp("2025-01-27"), "^NDX"] == pytest.approx(95.0)
    assert lines.notes == [] and lines.left_out == []


def test_lines_in_krw_and_fixed_weights(prices: pd.DataFrame) -> None:
    lines = cl.compare_lines(prices, view(ccy="KRW"), w_us={"NVDA": 3.0, "MSFT": 1.0})
    day = pd.Timestamp("2025-01-27")
    # in KRW: NVDA 100*1000 -> 80*1100 = 88; MSFT 105*1.1 = 115.5; weights 3:1 -> 0.75*88 + 0.25*115.5
    assert lines.levels.at[day, cl.US_KEY] == pytest.approx(0.75 * 88.0 + 0.25 * 115.5)
    # Tencent in KRW: HKD 400 -> 440 at 8 HKD/USD both days, KRW 1000 -> 1100: 110 * 1.1
    assert lines.levels.at[day, cl.CN_KEY] == pytest.approx(121.0)
    assert cv.word_notes(lines.notes, "en") == [
        "HKD per USD: USD/HKD (ECB reference), as the chosen Yahoo series (USD/HKD (Yahoo)) is not available",
        "KRW per USD: USD/KRW (Yahoo)"]


def test_member_without_data_is_left_out_and_the_rest_still_draws(prices: pd.DataFrame) -> None:
    lines = cl.compare_lines(prices, view(cn=("9988.HK", "0700.HK"), bench=("^NDX", "KWEB")))
    assert lines.left_out == ["9988.HK", "KWEB"]
    assert lines.levels.at[pd.Timestamp("2025-01-27"), cl.CN_KEY] == pytest.approx(110.0)
    assert "KWEB" not in lines.levels.columns and "^NDX" in lines.levels.columns


def test_bad_weights_raise_the_basket_message(prices: pd.DataFrame) -> None:
    with pytest.raises(InputError) as caught:
        cl.compare_lines(prices, view(), w_us={"NVDA": 1.0})
    assert caught.value.problem == Problem("compare.weights_missing", {"symbols": "MSFT"})
    assert "비중이 없는 종목: 마이크로소프트 (MSFT)" in cv.say_problem(caught.value.problem, "ko")


def test_in_window_drops_rows_without_any_value(prices: pd.DataFrame) -> None:
    levels = cl.compare_lines(prices, view(bench=())).levels
    window = cl.in_window(levels, D(2025, 1, 24), D(2025, 1, 31))
    assert [d.date() for d in window.index] == [D(2025, 1, 24), D(2025, 1, 27), D(2025, 1, 28)]


# ----------------------------------------------------------------------------- names and tables


def test_names_and_prices_in_the_readers_words() -> None:
    from data_sources.market.universe import instrument
    from ui.words import words

    ko, en = words("ko"), words("en")
    assert cl.price_text(218272.4, "KRW", ko) == "218,272원"  # won: no decimals, the unit where a reader puts it
    assert cl.price_text(218272.4, "KRW", en) == "₩218,272"
    assert cl.price_text(19341.826, "USD", ko) == cl.price_text(19341.826, "USD", en) == "19,341.83"
    assert cl.price_text(None, "KRW", ko) == cl.price_text(float("nan"), "USD", en) == "–"
    samsung = instrument("005930.KS")
    assert cl.symbol_name("005930.KS", ko) == f"{samsung.name_ko} (005930.KS)" != cl.symbol_name("005930.KS", en)
    assert cl.symbol_name("005930.KS", en) == f"{samsung.name_en} (005930.KS)"
    assert cl.symbol_name("XYZ", ko) == "XYZ"  # outside the universe: the symbol as it was typed
    moves = pd.DataFrame({"symbol": ["005930.KS", "NVDA"], "currency": ["KRW", "USD"],
                          "prev_close": [53400.0, 142.62], "close": [52100.0, 118.42], "change_pct": [-2.4, -17.0]})
    table = cl.moves_frame(moves, ko)
    assert table.columns.tolist()[:2] == ["symbol", "name"]  # codes stay; ui names the columns
    assert table["close_text"].tolist() == ["52,100원", "118.42"]
    assert table["prev_close_text"].tolist() == ["53,400원", "142.62"]


def test_names_and_tables(prices: pd.DataFrame) -> None:
    names = cv.line_names([cl.US_KEY, "NVDA", "XYZ"], "ko")
    assert names == {cl.US_KEY: "미국 빅테크 바스켓", "NVDA": "엔비디아 (NVDA)", "XYZ": "XYZ"}
    stats = cv.stats_frame(cl.compare_lines(prices, view()).levels, "en")
    assert stats["series"].tolist() == [cl.US_KEY, cl.CN_KEY, "^NDX"]
    assert stats["name"].tolist() == ["US big-tech basket", "China tech basket", "Nasdaq-100 (^NDX)"]
    # ^NDX from 110 (01-23) to 97.5 (01-28)
    assert stats.at[2, "total_return_pct"] == pytest.approx((97.5 / 110.0 - 1) * 100)


def test_notes_that_differ_only_in_their_symbol_read_as_one() -> None:
    notes = [Problem("compare.fx_rate", {"currency": "KRW", "symbol": "KRW=X", "source": "yahoo"}),
             Problem("compare.starts_late", {"symbol": "AAPL", "first": "2025-01-22"}),
             Problem("compare.starts_late", {"symbol": "MSFT", "first": "2025-01-22"}),
             Problem("compare.starts_late", {"symbol": "NVDA", "first": "2025-01-23"})]
    assert cv.word_notes(notes, "en") == ["KRW per USD: USD/KRW (Yahoo)",
                                          "Apple (AAPL), Microsoft (MSFT): no data before 2025-01-22",
                                          "NVIDIA (NVDA): no data before 2025-01-23"]


def test_event_time_is_the_us_open() -> None:
    assert cl.event_time(D(2025, 1, 27)) == "2025-01-27 09:30 America/New_York"


def test_notes_from_the_analyses_read_in_korean_with_readers_names() -> None:
    from commentary.analysis.analytics import coverage_problems
    from commentary.analysis.currency import to_currency

    dates = pd.to_datetime(["2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27"])
    prices = pd.DataFrame({"date": dates, "symbol": "NVDA", "open": None, "high": None, "low": None,
                           "close": [1.0, 2.0, 3.0, 4.0], "adj_close": None, "volume": None})
    fx = pd.DataFrame({"date": dates[:2], "symbol": "USDKRW_ECB", "close": [1450.0, 1440.0]})
    _, notes = to_currency(prices, "KRW", fx, fx_source="yahoo", max_fill_days=1)
    problems = coverage_problems(prices, ["NVDA", "9988.HK"], dt.date(2025, 1, 1), dt.date(2025, 1, 27))
    korean = cv.word_notes([*notes, *problems], "ko")
    assert korean == [
        "달러당 KRW: 원/달러 (ECB 기준율) — 고른 야후 자료(원/달러 (야후))가 없어 대신 씀",
        "엔비디아 (NVDA): 4일 중 1일 제외 — 1일 안에 환율 없음 (2025년 1월 27일)",
        "엔비디아 (NVDA): 2025년 1월 22일 이전 데이터 없음",
        "알리바바(홍콩) (9988.HK): 저장된 데이터 없음",
    ]
    assert not any(re.search(r"[A-Z]+_ECB|=X", line) for line in korean)  # no series ids


def test_typed_base_dates() -> None:
    first, last = D(2023, 1, 3), D(2026, 3, 25)
    assert cv.parse_base_text(" 2025-01-10 ", first, last) == (D(2025, 1, 10), "")
    assert cv.parse_base_text("2025.01.10", first, last) == (D(2025, 1, 10), "")
    assert cv.parse_base_text("2025-13-01", first, last) == (None, "format")
    assert cv.parse_base_text("2020-01-02", first, last) == (None, "range")


def test_stats_window_runs_from_the_first_to_the_last_observation() -> None:
    view = cv.CompareView(base=D(2025, 1, 24), start=D(2024, 10, 24), end=D(2025, 3, 1), us=("NVDA",),
                          cn=("0700.HK",), bench=())
    stats = pd.DataFrame({"first": pd.to_datetime(["2024-10-24", "2024-10-25"]),
                          "last": pd.to_datetime(["2025-02-28", "2025-02-27"])})
    assert cv.stats_window(stats, view) == (D(2024, 10, 24), D(2025, 2, 28))
    assert cv.stats_window(pd.DataFrame(), view) == (view.start, view.end)


def test_a_huge_address_value_is_quoted_short() -> None:
    """A link is anyone's text: a bad value is quoted in the warning at most 40 characters long, a symbol list
    at most 50 items of 20 characters."""
    huge = "EUR" * 2000
    _, problems = cv.parse_query({"ccy": huge, "us": ",".join(f"X{i}" * 30 for i in range(500))}, view(),
                                 D(2025, 1, 1), D(2025, 12, 31))
    by_code = {p.code: p.params for p in problems}
    assert len(by_code["compare.url_choice"]["value"]) == 40
    bad = by_code["compare.url_empty"]["bad"].split(", ")
    assert len(bad) == 50 and max(len(b) for b in bad) == 20
