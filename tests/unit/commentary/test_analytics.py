"""Tests for commentary.analysis.analytics on small hand-built frames, plus the real market snapshot."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from commentary.analysis import analytics as an
from commentary.analysis import baskets, currency, event_day
from data_sources.errors import InputError, Problem
from data_sources.store.frames import PRICE_COLUMNS, normalise, wide
from ui.words import words

D = pd.Timestamp


def tidy(rows: list[tuple], adj: dict[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """A tidy price frame from ``(date, symbol, close)`` rows; open/high/low = close ± 1, volume 1000."""
    adj = adj or {}
    records = []
    for date, symbol, close in rows:
        records.append({"date": date, "symbol": symbol, "open": close, "high": close + 1, "low": close - 1,
                        "close": close, "adj_close": adj.get((date, symbol), math.nan), "volume": 1000.0})
    return normalise(pd.DataFrame(records, columns=list(PRICE_COLUMNS)))


def series_of(frame: pd.DataFrame, symbol: str, column: str = "close") -> dict[str, float]:
    rows = frame[frame["symbol"] == symbol]
    return {d.strftime("%Y-%m-%d"): v for d, v in zip(rows["date"], rows[column], strict=True)}


DATES = pd.DatetimeIndex(["2025-01-22", "2025-01-23", "2025-01-24", "2025-01-27"])


@pytest.fixture
def two_by_four() -> pd.DataFrame:
    return pd.DataFrame({"A": [10.0, 20.0, 25.0, 50.0], "B": [4.0, 5.0, math.nan, 6.0]}, index=DATES)


# ----------------------------------------------------------------------------- rebase and baskets


def test_rebase_divides_by_last_value_on_or_before_base(two_by_four: pd.DataFrame) -> None:
    out = baskets.rebase(two_by_four, "2025-01-24")
    assert out["A"].tolist() == [40.0, 80.0, 100.0, 200.0]
    # B has no value on the base date: its last earlier value (5, on 01-23) is the base.
    assert out["B"].iloc[[0, 1, 3]].tolist() == [80.0, 100.0, 120.0]
    assert math.isnan(out["B"].iloc[2])


def test_rebase_column_without_value_before_base_is_all_nan() -> None:
    frame = pd.DataFrame({"late": [math.nan, math.nan, 7.0, 8.0]}, index=DATES)
    out = baskets.rebase(frame, "2025-01-23")
    assert out["late"].isna().all()


def test_basket_equal_weight_is_nan_where_a_member_is_missing(two_by_four: pd.DataFrame) -> None:
    basket = baskets.basket_index(two_by_four, ["A", "B"], "2025-01-24")
    assert basket.iloc[[0, 1, 3]].tolist() == [60.0, 90.0, 160.0]
    assert math.isnan(basket.iloc[2])


def test_basket_fixed_weights_are_normalised(two_by_four: pd.DataFrame) -> None:
    basket = baskets.basket_index(two_by_four, ["A", "B"], "2025-01-24", weights={"A": 3, "B": 1})
    # 0.75 * [40, 80, 200] + 0.25 * [80, 100, 120]
    assert basket.iloc[[0, 1, 3]].tolist() == [50.0, 85.0, 180.0]


def test_basket_zero_weight_member_is_ignored(two_by_four: pd.DataFrame) -> None:
    basket = baskets.basket_index(two_by_four, ["A", "B"], "2025-01-24", weights={"A": 1, "B": 0})
    assert basket.tolist() == [40.0, 80.0, 100.0, 200.0]


def test_basket_carry_forward_is_limited_in_calendar_days(two_by_four: pd.DataFrame) -> None:
    # B's 01-23 value may stand in for 01-24 (1 day old) when carrying is allowed.
    basket = baskets.basket_index(two_by_four, ["A", "B"], "2025-01-24", max_carry_days=1)
    assert basket.iloc[2] == 100.0
    gap = pd.DataFrame({"A": [1.0, 1.0, 1.0, 1.0], "B": [2.0, math.nan, math.nan, math.nan]},
                       index=pd.DatetimeIndex(["2025-01-20", "2025-01-21", "2025-01-24", "2025-01-27"]))
    carried = baskets.basket_index(gap, ["A", "B"], "2025-01-20", max_carry_days=3)
    assert carried.iloc[:2].tolist() == [100.0, 100.0]
    assert carried.iloc[2:].isna().all()  # 4 and 7 days after B's last value: never filled


@pytest.mark.parametrize(
    ("members", "weights", "problem"),
    [
        (["A", "B"], {"A": 1, "B": 1, "C": 1}, Problem("compare.weights_stray", {"symbols": "C"})),
        (["A", "B"], {"A": 1, "B": -0.5}, Problem("compare.weights_negative", {"symbol": "B", "value": "-0.5"})),
        (["A", "B"], {"A": 0, "B": 0}, Problem("compare.weights_zero")),
        (["A", "B"], {"A": 1}, Problem("compare.weights_missing", {"symbols": "B"})),
        (["A", "B"], {"A": 1, "B": "x"}, Problem("compare.weights_number", {"symbol": "B", "value": "x"})),
        (["A", "B"], {"A": 1, "B": math.nan}, Problem("compare.weights_number", {"symbol": "B", "value": "nan"})),
    ],
)
def test_basket_rejects_bad_weights_with_a_coded_problem(two_by_four: pd.DataFrame, members: list[str],
                                                         weights: dict, problem: Problem) -> None:
    with pytest.raises(InputError) as caught:
        baskets.basket_index(two_by_four, members, "2025-01-24", weights=weights)
    assert caught.value.problem == problem


@pytest.mark.parametrize(
    ("members", "message"),
    [(["A", "Z"], "no price column for member(s) Z"), (["A", "A"], "listed twice: A"), ([], "no members chosen")],
)
def test_basket_rejects_bad_members(two_by_four: pd.DataFrame, members: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        baskets.basket_index(two_by_four, members, "2025-01-24")


# ----------------------------------------------------------------------------- drawdown, spread, stats


def test_drawdown_from_running_peak() -> None:
    series = pd.Series([100.0, 120.0, 90.0, 130.0, 117.0, math.nan])
    out = an.drawdown(series)
    assert out.iloc[:5].tolist() == pytest.approx([0.0, 0.0, -25.0, 0.0, -10.0])
    assert math.isnan(out.iloc[5])


def test_spread_pp_on_common_dates_only() -> None:
    china = pd.Series([105.0, 110.0, 90.0], index=DATES[:3])
    us = pd.Series([95.0, 100.0, 80.0], index=DATES[1:])
    out = an.spread_pp(china, us)
    assert list(out.index) == list(DATES[1:3])
    assert out.tolist() == pytest.approx([15.0, -10.0])  # (10% − −5%), (−10% − 0%)


def test_summary_stats_hand_numbers() -> None:
    levels = pd.DataFrame({"X": [100.0, 110.0, math.nan, 99.0, 108.9], "E": [math.nan] * 5},
                          index=pd.date_range("2025-01-20", periods=5))
    stats = an.summary_stats(levels)
    x = stats.loc["X"]
    assert x["total_return_pct"] == pytest.approx(8.9)
    # simple returns +10%, −10%, +10% → sample std 0.115470 → × sqrt(252)
    assert x["volatility_pct"] == pytest.approx(0.1154700538 * math.sqrt(252) * 100)
    assert x["max_drawdown_pct"] == pytest.approx(-10.0)
    assert (x["first"], x["last"], x["observations"]) == (D("2025-01-20"), D("2025-01-24"), 4)
    assert stats.loc["E", "observations"] == 0
    assert math.isnan(stats.loc["E", "total_return_pct"])


# ----------------------------------------------------------------------------- currency


@pytest.fixture
def hk_us_prices() -> pd.DataFrame:
    return tidy([
        ("2025-01-24", "0700.HK", 78.0), ("2025-01-27", "0700.HK", 77.5), ("2025-01-28", "0700.HK", 62.0),
        ("2025-01-24", "NVDA", 100.0), ("2025-01-27", "NVDA", 83.0),
    ])


@pytest.fixture
def fx_frame() -> pd.DataFrame:
    return tidy([
        ("2025-01-24", "USDHKD_ECB", 7.8), ("2025-01-27", "USDHKD_ECB", 7.75),
        ("2025-01-24", "KRW=X", 1400.0), ("2025-01-27", "KRW=X", 1500.0),
        ("2025-01-24", "USDKRW_ECB", 1300.0), ("2025-01-27", "USDKRW_ECB", 1300.0),
        ("2025-01-28", "USDKRW_ECB", 1250.0),
    ])


def test_to_usd_aligns_hk_calendar_and_falls_back_to_ecb(hk_us_prices: pd.DataFrame, fx_frame: pd.DataFrame) -> None:
    out, notes = currency.to_currency(hk_us_prices, "USD", fx_frame)
    # 78 / 7.8 and 77.5 / 7.75 on the same dates; 01-28 has no ECB rate, so 01-27's (1 day old) is used.
    assert series_of(out, "0700.HK") == pytest.approx({"2025-01-24": 10.0, "2025-01-27": 10.0, "2025-01-28": 8.0})
    assert series_of(out, "0700.HK", "high")["2025-01-24"] == pytest.approx(79.0 / 7.8)
    assert series_of(out, "0700.HK", "volume")["2025-01-24"] == 1000.0
    assert series_of(out, "NVDA") == {"2025-01-24": 100.0, "2025-01-27": 83.0}
    assert Problem("compare.fx_fallback", {"currency": "HKD", "symbol": "USDHKD_ECB", "source": "ecb",
                                           "wanted": "HKD=X", "wanted_source": "yahoo"}) in notes


def test_to_krw_multiplies_usd_value_by_krw_per_usd(hk_us_prices: pd.DataFrame, fx_frame: pd.DataFrame) -> None:
    out, notes = currency.to_currency(hk_us_prices, "KRW", fx_frame)
    assert series_of(out, "NVDA") == pytest.approx({"2025-01-24": 140_000.0, "2025-01-27": 124_500.0})
    assert series_of(out, "0700.HK") == pytest.approx(
        {"2025-01-24": 14_000.0, "2025-01-27": 15_000.0, "2025-01-28": 12_000.0})
    assert Problem("compare.fx_rate", {"currency": "KRW", "symbol": "KRW=X", "source": "yahoo"}) in notes


def test_to_currency_prefers_ecb_when_asked(hk_us_prices: pd.DataFrame, fx_frame: pd.DataFrame) -> None:
    out, notes = currency.to_currency(hk_us_prices, "KRW", fx_frame, fx_source="ecb")
    assert series_of(out, "NVDA") == pytest.approx({"2025-01-24": 130_000.0, "2025-01-27": 107_900.0})
    # ECB's own 01-28 rate is used for the HK half day
    assert series_of(out, "0700.HK")["2025-01-28"] == pytest.approx(62.0 / 7.75 * 1250.0)
    assert Problem("compare.fx_rate", {"currency": "KRW", "symbol": "USDKRW_ECB", "source": "ecb"}) in notes


def test_to_currency_never_fills_fx_across_long_gaps() -> None:
    prices = tidy([("2025-01-23", "NVDA", 10.0), ("2025-01-24", "NVDA", 10.0), ("2025-01-27", "NVDA", 10.0)])
    fx = tidy([("2025-01-20", "KRW=X", 1000.0), ("2025-01-27", "KRW=X", 2000.0)])
    out, notes = currency.to_currency(prices, "KRW", fx, max_fill_days=3)
    # 01-23 is 3 days after the 01-20 rate (filled); 01-24 is 4 days after (dropped).
    assert series_of(out, "NVDA") == {"2025-01-23": 10_000.0, "2025-01-27": 20_000.0}
    assert Problem("compare.dates_dropped", {"symbol": "NVDA", "dropped": 1, "total": 3, "days": 3,
                                             "dates": "2025-01-24"}) in notes
    wider, _ = currency.to_currency(prices, "KRW", fx, max_fill_days=4)
    assert series_of(wider, "NVDA")["2025-01-24"] == 10_000.0
    same_day, _ = currency.to_currency(prices, "KRW", fx, max_fill_days=0)
    assert list(series_of(same_day, "NVDA")) == ["2025-01-27"]


def test_to_currency_local_unknown_and_fx_symbols(hk_us_prices: pd.DataFrame, fx_frame: pd.DataFrame) -> None:
    local, notes = currency.to_currency(hk_us_prices, "local", fx_frame)
    assert series_of(local, "0700.HK") == {"2025-01-24": 78.0, "2025-01-27": 77.5, "2025-01-28": 62.0}
    assert notes == []
    odd = pd.concat([hk_us_prices, tidy([("2025-01-24", "ZZZZ", 1.0), ("2025-01-24", "KRW=X", 1400.0)])])
    out, notes = currency.to_currency(odd, "USD", fx_frame)
    assert set(out["symbol"]) == {"0700.HK", "NVDA"}
    assert Problem("compare.not_in_universe", {"symbol": "ZZZZ"}) in notes
    assert Problem("compare.not_a_price", {"symbol": "KRW=X"}) in notes
    no_fx, notes = currency.to_currency(hk_us_prices, "USD", fx_frame[fx_frame["symbol"] != "USDHKD_ECB"])
    assert set(no_fx["symbol"]) == {"NVDA"}
    assert Problem("compare.no_rate", {"symbol": "0700.HK", "currency": "HKD"}) in notes


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"target": "EUR"}, "target currency 'EUR'"), ({"target": "USD", "fx_source": "boe"}, "fx_source 'boe'"),
     ({"target": "USD", "max_fill_days": -1}, "max_fill_days must be")],
)
def test_to_currency_rejects_bad_arguments(hk_us_prices: pd.DataFrame, fx_frame: pd.DataFrame, kwargs: dict,
                                           message: str) -> None:
    with pytest.raises(ValueError, match=message):
        currency.to_currency(hk_us_prices, fx=fx_frame, **kwargs)


def test_to_currency_names_missing_columns(fx_frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="prices: missing column"):
        currency.to_currency(pd.DataFrame({"date": [], "symbol": []}), "USD", fx_frame)


# ----------------------------------------------------------------------------- event day


@pytest.fixture
def event_prices() -> pd.DataFrame:
    rows = [
        ("2025-01-24", "NVDA", 101.0), ("2025-01-27", "NVDA", 84.0),
        ("2025-01-24", "0700.HK", 400.0), ("2025-01-27", "0700.HK", 404.0), ("2025-01-28", "0700.HK", 410.06),
        ("2025-01-24", "005930.KS", 50_000.0), ("2025-01-31", "005930.KS", 49_000.0),
        ("2024-06-03", "EWH", 15.0),
    ]
    # NVDA's adjusted closes differ from the quoted ones: the move must use them.
    adj = {("2025-01-24", "NVDA"): 100.0, ("2025-01-27", "NVDA"): 83.0}
    return tidy(rows, adj)


def test_event_day_moves_closed_market_uses_next_session(event_prices: pd.DataFrame) -> None:
    out = event_day.event_day_moves(event_prices, "2025-01-27", words("en"))
    assert out["symbol"].tolist() == ["NVDA", "005930.KS", "0700.HK", "EWH"]
    rows = out.set_index("symbol")
    assert rows.loc["NVDA", "change_pct"] == pytest.approx(-17.0)
    assert (rows.loc["NVDA", "prev_close"], rows.loc["NVDA", "close"]) == (100.0, 83.0)
    assert rows.loc["NVDA", "note"] == ""
    kr = rows.loc["005930.KS"]
    assert (kr["prev_date"], kr["session"]) == (D("2025-01-24"), D("2025-01-31"))
    assert kr["change_pct"] == pytest.approx(-2.0)
    assert kr["note"] == "market closed on 2025-01-27; next session 2025-01-31"
    assert rows.loc["0700.HK", "session"] == D("2025-01-27")  # HK traded that Monday
    assert rows.loc["0700.HK", "change_pct"] == pytest.approx(1.0)
    assert rows.loc["0700.HK", "currency"] == "HKD"
    # flagged, not omitted: no data within 10 days of the day, sorted last
    assert math.isnan(rows.loc["EWH", "change_pct"])
    assert rows.loc["EWH", "note"] == "no data within 10 days of 2025-01-27"


def test_event_day_moves_after_us_event_uses_first_reacting_session(event_prices: pd.DataFrame) -> None:
    out = event_day.event_day_moves(event_prices, "2025-01-27", words("en"),
                                    event_time="2025-01-27 09:30 America/New_York")
    rows = out.set_index("symbol")
    hk = rows.loc["0700.HK"]
    assert (hk["prev_date"], hk["session"]) == (D("2025-01-27"), D("2025-01-28"))
    assert hk["change_pct"] == pytest.approx(1.5)
    assert hk["note"] == "session on 2025-01-27 closed before the event; first session after it 2025-01-28"
    assert rows.loc["NVDA", "session"] == D("2025-01-27")  # closes after the US open
    assert rows.loc["005930.KS", "note"].startswith("market closed on 2025-01-27")


def test_event_day_moves_korean_notes_and_bad_event_time(event_prices: pd.DataFrame) -> None:
    out = event_day.event_day_moves(event_prices, "2025-01-27", words("ko")).set_index("symbol")
    assert out.loc["005930.KS", "note"] == "2025-01-27 휴장; 다음 거래일 2025-01-31"
    with pytest.raises(ValueError, match="needs a time zone"):
        event_day.event_day_moves(event_prices, "2025-01-27", words("en"), event_time="2025-01-27 09:30")
    with pytest.raises(ValueError, match="event day"):
        event_day.event_day_moves(event_prices, "not a day", words("en"))


# ----------------------------------------------------------------------------- coverage and windows


def test_coverage_problems_names_symbol_and_missing_part() -> None:
    rows = [(d, "005930.KS", 1.0) for d in ["2025-01-22", "2025-01-24", "2025-01-31", "2025-02-28"]]
    rows += [(d, "NVDA", 1.0) for d in pd.bdate_range("2025-01-02", "2025-02-28").strftime("%Y-%m-%d")]
    rows += [("2025-01-02", "KWEB", 1.0), ("2025-01-20", "KWEB", 1.0)]
    problems = an.coverage_problems(tidy(rows), ["NVDA", "005930.KS", "KWEB", "^SOX"], "2025-01-02", "2025-02-28",
                                    base_date="2025-01-10")
    assert problems == [
        Problem("compare.starts_late", {"symbol": "005930.KS", "first": "2025-01-22"}),
        Problem("compare.gap", {"symbol": "005930.KS", "start": "2025-01-31", "end": "2025-02-28"}),
        Problem("compare.no_base", {"symbol": "005930.KS", "base": "2025-01-10"}),
        Problem("compare.ends_early", {"symbol": "KWEB", "last": "2025-01-20"}),
        Problem("compare.gap", {"symbol": "KWEB", "start": "2025-01-02", "end": "2025-01-20"}),
        Problem("compare.no_data", {"symbol": "^SOX"}),
    ]
    assert an.coverage_problems(tidy(rows), ["NVDA"], None, None) == []
    assert an.coverage_problems(tidy(rows), ["KWEB"], "2025-03-01", None) == [
        Problem("compare.outside_window", {"symbol": "KWEB", "start": "2025-03-01", "end": "…",
                                           "first": "2025-01-02", "last": "2025-01-20"})]


@pytest.mark.parametrize(
    ("preset", "column", "latest"),
    [
        ("1M", ("2025-01-12", "2025-02-26"), ("2026-02-25", "2026-03-25")),
        ("3M", ("2025-01-12", "2025-04-26"), ("2025-12-25", "2026-03-25")),
        ("6M", ("2025-01-12", "2025-07-26"), ("2025-09-25", "2026-03-25")),
        ("1Y", ("2025-01-12", "2026-01-26"), ("2025-03-25", "2026-03-25")),
        ("YTD", ("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-03-25")),
        ("All", (None, "2026-03-25"), (None, "2026-03-25")),
    ],
)
def test_window_bounds(preset: str, column: tuple, latest: tuple) -> None:
    def stamps(pair: tuple) -> tuple:
        return tuple(None if v is None else D(v) for v in pair)

    assert an.window_bounds(preset, "2026-03-25") == stamps(column)
    assert an.window_bounds(preset, "2026-03-25", anchor="latest") == stamps(latest)


def test_window_bounds_caps_at_last_date_and_rejects_unknown_preset() -> None:
    assert an.window_bounds("6M", "2025-03-10") == (D("2025-01-12"), D("2025-03-10"))
    with pytest.raises(ValueError, match="window preset '2W'"):
        an.window_bounds("2W", "2025-03-10")


# ----------------------------------------------------------------------------- real snapshot


def _load_snapshot(market_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(path).assign(symbol=path.stem) for path in sorted(market_dir.glob("*.csv"))]
    return normalise(pd.concat(frames, ignore_index=True))


def test_real_snapshot_deepseek_day(market_dir: Path) -> None:
    prices = _load_snapshot(market_dir)
    plain = event_day.event_day_moves(prices, "2025-01-27", words("en")).set_index("symbol")
    assert plain.loc["NVDA", "change_pct"] == pytest.approx(-16.97, abs=0.01)
    assert plain.loc["000660.KS", "session"] == D("2025-01-31")
    assert plain.loc["000660.KS", "note"] == "market closed on 2025-01-27; next session 2025-01-31"
    # Hong Kong did trade on Monday 2025-01-27, before the US selloff: by the plain rule its row is that day …
    assert plain.loc["0700.HK", "session"] == D("2025-01-27")
    # … and counting from the US open, its first reacting session is the 2025-01-28 half day.
    after = event_day.event_day_moves(prices, "2025-01-27", words("en"),
                                      event_time="2025-01-27 09:30 America/New_York")
    hk = after.set_index("symbol").loc["0700.HK"]
    assert hk["session"] == D("2025-01-28")
    assert hk["note"] == "session on 2025-01-27 closed before the event; first session after it 2025-01-28"
    assert after["symbol"].iloc[0] == "AVGO"  # biggest fall first (−17.4%)


def test_real_snapshot_hk_in_usd_and_rebased_basket(market_dir: Path) -> None:
    prices = _load_snapshot(market_dir)
    prices = prices[prices["date"].between("2024-10-01", "2025-04-30")]
    fx = prices[prices["symbol"].isin(["KRW=X", "USDKRW_ECB", "USDHKD_ECB", "CNY=X", "USDCNY_ECB"])]
    chosen = prices[prices["symbol"].isin(["0700.HK", "NVDA", "MSFT"])]
    usd, notes = currency.to_currency(chosen, "USD", fx)
    assert [(n.code, n.params["symbol"]) for n in notes] == [("compare.fx_fallback", "USDHKD_ECB")]  # no HKD=X
    hk = usd[usd["symbol"] == "0700.HK"].set_index("date")["close"]
    assert hk[D("2025-01-24")] == pytest.approx(387.2198181 / 7.7883)
    levels = baskets.rebase(wide(usd), "2025-01-24")
    us = baskets.basket_index(wide(usd), ["NVDA", "MSFT"], "2025-01-24")
    assert levels.loc[D("2025-01-24")].tolist() == pytest.approx([100.0, 100.0, 100.0])
    assert us[D("2025-01-27")] == pytest.approx((118.3812103 / 142.5733 + 430.3954 / 439.8044) * 50, rel=1e-5)
    assert an.coverage_problems(prices, ["0700.HK", "NVDA", "MSFT", "005930.KS"], "2024-10-01", "2025-04-30") == [
        Problem("compare.starts_late", {"symbol": "005930.KS", "first": "2025-01-22"})]
