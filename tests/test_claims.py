"""Claim rules, horizons and verdicts: small hand-checkable frames, then the real snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from commentary.document.column import COLUMNS_DIR, Claim, load_commentary
from commentary.scoring.claims import (
    HORIZONS,
    RULE_TYPES,
    SCORECARD_COLUMNS,
    SeriesRef,
    describe_verdict,
    evaluate_claim,
    rule_symbols,
    scorecard,
    validate_rule,
)
from data_sources.frames import empty_prices, normalise


def _prices(series: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A tidy price frame from {symbol: {date: close}} (adj_close NaN, so returns use close)."""
    rows = [
        {"date": d, "symbol": sym, "open": None, "high": None, "low": None, "close": v, "adj_close": None,
         "volume": None}
        for sym, points in series.items() for d, v in points.items()
    ]
    return normalise(pd.DataFrame(rows))


def _claim(rule_type: str, params: dict, start: str = "2025-01-03", horizons=("1W",), baskets=None) -> Claim:
    rule, problems = validate_rule(rule_type, params, baskets or {})
    assert not problems, problems
    return Claim("c1", "한국어", "English", rule, dt.date.fromisoformat(start), tuple(horizons))


# Fri 2025-01-03 start; weekly points so horizons are easy to follow.
WEEKLY = {
    "X": {"2025-01-02": 90.0, "2025-01-03": 100.0, "2025-01-10": 110.0, "2025-02-03": 120.0, "2025-02-10": 80.0},
    "Y": {"2025-01-03": 200.0, "2025-01-10": 260.0, "2025-02-03": 200.0, "2025-02-10": 200.0},
    "Z": {"2025-01-03": 50.0, "2025-01-10": 52.5, "2025-02-03": 45.0, "2025-02-10": 60.0},
}


def test_outperform_baskets_1w_and_1m() -> None:
    prices = _prices(WEEKLY)
    claim = _claim("outperform", {"a": "ab", "b": ["Z"]}, horizons=("1W", "1M"), baskets={"ab": ["X", "Y"]})
    week, month = evaluate_claim(claim, prices)
    # 1W: basket (X 110/100, Y 260/200) = (110 + 130) / 2 = 120 → +20%; Z 52.5/50 → +5%; 15 pp.
    assert week.horizon == "1W" and week.verdict == "held"
    assert week.measured == pytest.approx(15.0)
    assert week.unit == "pp"
    assert week.start_date == dt.date(2025, 1, 3) and week.end_date == dt.date(2025, 1, 10)
    assert week.target_date == dt.date(2025, 1, 10)
    assert week.start_values == {"ab": pytest.approx(100.0), "Z": pytest.approx(100.0)}
    assert week.end_values == {"ab": pytest.approx(120.0), "Z": pytest.approx(105.0)}
    # 1M: target 2025-02-03 → (120 + 100) / 2 = 110 → +10%; Z 45/50 → -10%; +20 pp.
    assert month.verdict == "held" and month.measured == pytest.approx(20.0)
    assert month.end_date == dt.date(2025, 2, 3)


def test_outperform_margin_and_failure() -> None:
    prices = _prices(WEEKLY)
    with_margin = _claim("outperform", {"a": ["X", "Y"], "b": "Z", "margin_pp": 15}, horizons=("1W",))
    assert evaluate_claim(with_margin, prices)[0].verdict == "failed"  # 15 pp is not > 15 pp
    reverse = _claim("outperform", {"a": "Z", "b": "X"})
    (v,) = evaluate_claim(reverse, prices)
    assert v.verdict == "failed" and v.measured == pytest.approx(5.0 - 10.0)


def test_start_on_a_weekend_uses_last_close_before() -> None:
    prices = _prices(WEEKLY)
    # Sun 2025-01-05: start value is Fri 01-03 (100); 1W target Sun 01-12 → last on/before is Fri 01-10 (110).
    (v,) = evaluate_claim(_claim("direction", {"series": "X", "direction": "up"}, start="2025-01-05"), prices)
    assert v.start_date == dt.date(2025, 1, 3) and v.end_date == dt.date(2025, 1, 10)
    assert v.target_date == dt.date(2025, 1, 12)
    assert v.measured == pytest.approx(10.0) and v.verdict == "held" and v.unit == "%"


def test_direction_down_and_threshold() -> None:
    prices = _prices(WEEKLY)
    down = _claim("direction", {"series": "Z", "direction": "down"}, horizons=("1W", "1M"))
    week, month = evaluate_claim(down, prices)
    assert week.verdict == "failed" and week.measured == pytest.approx(5.0)
    assert month.verdict == "held" and month.measured == pytest.approx(-10.0)
    strict = _claim("direction", {"series": "Z", "direction": "down", "threshold_pct": 10}, horizons=("1M",))
    assert evaluate_claim(strict, prices)[0].verdict == "failed"  # -10% is not beyond -10%


def test_level_below_and_above() -> None:
    prices = _prices({"KRW=X": {"2025-01-24": 1433.93, "2025-01-31": 1441.66, "2025-02-24": 1426.45}})
    below = _claim("level", {"symbol": "KRW=X", "level": 1430, "side": "below"}, start="2025-01-24",
                   horizons=("1W", "1M"))
    week, month = evaluate_claim(below, prices)
    assert week.verdict == "failed" and week.measured == pytest.approx(1441.66) and week.unit == "level"
    assert month.verdict == "held" and month.measured == pytest.approx(1426.45)
    above = _claim("level", {"symbol": "KRW=X", "level": 1430, "side": "above"}, start="2025-01-24")
    assert evaluate_claim(above, prices)[0].verdict == "held"


def test_no_move_uses_absolute_change() -> None:
    prices = _prices({"K": {"2025-01-24": 1000.0, "2025-01-31": 1009.0}, "L": {"2025-01-24": 1000.0,
                                                                               "2025-01-31": 985.0}})
    (held,) = evaluate_claim(_claim("no_move", {"symbol": "K"}, start="2025-01-24"), prices)
    assert held.verdict == "held" and held.measured == pytest.approx(0.9)
    (failed,) = evaluate_claim(_claim("no_move", {"symbol": "L"}, start="2025-01-24"), prices)
    assert failed.verdict == "failed" and failed.measured == pytest.approx(-1.5)
    (loose,) = evaluate_claim(_claim("no_move", {"symbol": "L", "threshold_pct": 2}, start="2025-01-24"), prices)
    assert loose.verdict == "held"


def test_details_are_written_in_both_languages() -> None:
    prices = _prices({"KRW=X": {"2025-01-24": 1000.0, "2025-01-31": 1009.0}})
    (v,) = evaluate_claim(_claim("no_move", {"symbol": "KRW=X"}, start="2025-01-24"), prices)
    assert v.detail == "USD/KRW (Yahoo) (KRW=X) 1,000.00 → 1,009.00 (+0.90%); claim: |change| < 1.00%"
    assert v.detail_ko == "원/달러 (야후) (KRW=X) 1,000.00 → 1,009.00 (+0.90%); 주장: 변동폭 1.00% 미만"
    week = evaluate_claim(_claim("outperform", {"a": "ab", "b": ["Z"]}, baskets={"ab": ["X", "Y"]}),
                          _prices(WEEKLY))[0]
    assert week.detail_ko.startswith("ab +20.0% 대 Z +5.0%: +15.0%p (기준 0.0%p 초과)")
    (early,) = evaluate_claim(_claim("direction", {"series": "X", "direction": "up"}, horizons=("3M",)),
                              _prices(WEEKLY))
    assert early.detail_ko == "기간 끝 2025-04-03이 저장된 마지막 날짜 2025-02-10(X) 이후"


def test_too_early_when_any_needed_series_ends_before_the_horizon() -> None:
    prices = _prices(WEEKLY)
    claim = _claim("outperform", {"a": "X", "b": "Z"}, horizons=("1W", "1M", "3M"))
    week, month, quarter = evaluate_claim(claim, prices)
    assert (week.verdict, month.verdict) == ("held", "held")
    assert quarter.verdict == "too early" and quarter.measured is None
    assert quarter.target_date == dt.date(2025, 4, 3)
    assert "2025-04-03" in quarter.detail and "2025-02-10" in quarter.detail
    # Y ends earlier than X: one short member is enough.
    short = _prices({**WEEKLY, "Y": {"2025-01-03": 200.0, "2025-01-10": 260.0}})
    v = evaluate_claim(_claim("outperform", {"a": ["X", "Y"], "b": "Z"}, horizons=("1M",)), short)[0]
    assert v.verdict == "too early" and "(Y)" in v.detail


def test_no_data_when_missing_or_starting_after_the_start() -> None:
    prices = _prices(WEEKLY)
    (missing,) = evaluate_claim(_claim("direction", {"series": ["X", "NOPE"], "direction": "up"}), prices)
    assert missing.verdict == "no data" and "NOPE" in missing.detail and missing.measured is None
    late = _prices({"X": {"2025-01-10": 1.0, "2025-03-10": 2.0}})
    (v,) = evaluate_claim(_claim("direction", {"series": "X", "direction": "up"}), late)
    assert v.verdict == "no data" and "on or before 2025-01-03" in v.detail
    (empty,) = evaluate_claim(_claim("level", {"symbol": "X", "level": 1, "side": "below"}), empty_prices())
    assert empty.verdict == "no data"


def test_basket_carries_a_member_over_its_holiday() -> None:
    # H (a Hong Kong line) has no close on 01-31; its 01-28 close is carried for the basket.
    prices = _prices({
        "H": {"2025-01-24": 10.0, "2025-01-28": 11.0, "2025-02-03": 12.0},
        "U": {"2025-01-24": 20.0, "2025-01-27": 18.0, "2025-01-31": 22.0, "2025-02-03": 22.0},
    })
    (v,) = evaluate_claim(_claim("direction", {"series": ["H", "U"], "direction": "up"}, start="2025-01-24"),
                          prices)
    # 2025-01-31: (110 + 110) / 2 = 110 → +10%
    assert v.end_date == dt.date(2025, 1, 31) and v.measured == pytest.approx(10.0)


def test_scorecard_has_one_row_per_claim_and_horizon() -> None:
    prices = _prices(WEEKLY)
    a = _claim("direction", {"series": "X", "direction": "up"}, horizons=("1W", "1M", "3M"))
    b = Claim("c2", "k", "e", validate_rule("no_move", {"symbol": "Z"})[0], dt.date(2025, 1, 3), ("1W",))
    table = scorecard([a, b], prices)
    assert list(table.columns) == list(SCORECARD_COLUMNS)
    assert list(zip(table["claim_id"], table["horizon"], table["verdict"], strict=True)) == [
        ("c1", "1W", "held"), ("c1", "1M", "held"), ("c1", "3M", "too early"), ("c2", "1W", "failed"),
    ]
    assert scorecard([], prices).empty


def test_validate_rule_messages() -> None:
    assert set(RULE_TYPES) == {"outperform", "direction", "level", "no_move"}
    assert list(HORIZONS) == ["1W", "1M", "3M", "6M", "12M"]
    _, problems = validate_rule("foo", {})
    assert problems == [(("type",), "unknown rule 'foo' (known: outperform, direction, level, no_move)")]
    _, problems = validate_rule("outperform", {"a": "X"})
    assert problems == [(("params", "b"), "missing (required by outperform)")]
    _, problems = validate_rule("direction", {"series": "X", "direction": "sideways"})
    assert problems == [(("params", "direction"), "expected one of up, down, got 'sideways'")]
    _, problems = validate_rule("no_move", {"symbol": "X", "threshold_pct": 0})
    assert problems == [(("params", "threshold_pct"), "must be > 0, got 0")]
    _, problems = validate_rule("level", {"symbol": ["X", "Y"], "level": "high", "side": "below", "extra": 1})
    assert [p[0] for p in problems] == [("params", "extra"), ("params", "symbol"), ("params", "level")]
    rule, problems = validate_rule("outperform", {"a": "cn", "b": "SPY"}, {"cn": ["A", "B"]})
    assert not problems
    assert rule.params["a"] == SeriesRef("cn", ("A", "B"), True)
    assert rule.params["b"] == SeriesRef("SPY", ("SPY",), False)
    assert rule_symbols(rule) == ["A", "B", "SPY"]


def test_describe_verdict_in_both_languages() -> None:
    (v,) = evaluate_claim(_claim("outperform", {"a": ["X", "Y"], "b": "Z"}), _prices(WEEKLY))
    assert describe_verdict(v, "en") == "1W: held (+15.0 pp, Jan 3, 2025 → Jan 10, 2025)"
    assert describe_verdict(v, "ko") == "1W: 적중 (+15.0%p, 2025년 1월 3일 → 2025년 1월 10일)"
    (early,) = evaluate_claim(_claim("direction", {"series": "X", "direction": "up"}, horizons=("12M",)),
                              _prices(WEEKLY))
    assert describe_verdict(early, "ko") == "12M: 시기상조"


# --------------------------------------------------------------------------- real snapshot


def _read_market(market_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p).assign(symbol=p.stem) for p in sorted(market_dir.glob("*.csv"))]
    return normalise(pd.concat(frames, ignore_index=True))


def test_baek_scorecard_on_the_real_snapshot(market_dir: Path) -> None:
    column = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md")
    table = scorecard(column.claims, _read_market(market_dir)).set_index(["claim_id", "horizon"])
    expected_rows = [(c.id, h) for c in column.claims for h in c.horizons]
    assert list(table.index) == expected_rows and len(expected_rows) == 17
    assert set(table["verdict"]) <= {"held", "failed"}  # the snapshot covers every horizon up to 12M

    def row(claim_id: str, horizon: str) -> pd.Series:
        return table.loc[(claim_id, horizon)]

    # Chinese tech basket vs US big tech from 2025-01-24 (checked by hand from the CSVs):
    # 1M (to 2025-02-24): cn +18.4%, us -7.1% → +25.5 pp; 12M (to 2026-01-23): +24.6% vs +20.0%.
    one_month = row("cn-tech-beats-us-bigtech", "1M")
    assert one_month["verdict"] == "held" and one_month["measured"] == pytest.approx(25.52, abs=0.05)
    assert one_month["end_date"] == dt.date(2025, 2, 24)
    assert row("cn-tech-beats-us-bigtech", "12M")["measured"] == pytest.approx(4.65, abs=0.05)
    assert (table.loc["cn-tech-beats-us-bigtech", "verdict"] == "held").all()
    # US big tech: down at 1W/1M/3M (-20.2% at 3M), up again by 6M and 12M.
    us = table.loc["us-bigtech-loses-steam"]
    assert list(us["verdict"]) == ["held", "held", "held", "failed", "failed"]
    assert us.loc["3M", "measured"] == pytest.approx(-20.24, abs=0.05)
    # USD/KRW (KRW=X) from 1,433.93: 1,441.66 (01-31), 1,434.29 (02-24), 1,426.45 (04-24).
    krw = table.loc["usdkrw-keeps-falling"]
    assert list(krw["verdict"]) == ["failed", "failed", "held"]
    assert krw.loc["1M", "measured"] == pytest.approx(0.025, abs=0.01)
    level = table.loc["usdkrw-below-1430"]
    assert list(level["verdict"]) == ["failed", "failed", "held"]
    assert level.loc["3M", "measured"] == pytest.approx(1426.45, abs=0.01)
    # The indictment: +0.54% from 01-24 to 01-31, inside the 1% band.
    no_move = row("indictment-no-fx-move", "1W")
    assert no_move["verdict"] == "held" and no_move["measured"] == pytest.approx(0.539, abs=0.01)
    assert no_move["start_date"] == dt.date(2025, 1, 24) and no_move["end_date"] == dt.date(2025, 1, 31)


def test_qwq_example_scorecard_on_the_real_snapshot(market_dir: Path) -> None:
    column = load_commentary(COLUMNS_DIR / "example-2025-03-06-qwq.md")
    table = scorecard(column.claims, _read_market(market_dir)).set_index(["claim_id", "horizon"])
    # From the 2025-03-06 close: BABA -1.1% vs NVDA +4.5% (1W), -16.7% vs -14.7% (1M), -14.7% vs +28.2% (3M).
    assert list(table.loc["baba-beats-nvda", "verdict"]) == ["failed", "failed", "failed"]
    assert table.loc[("baba-beats-nvda", "1W"), "measured"] == pytest.approx(-1.14 - 4.54, abs=0.05)
    # KWEB: -15.2% (1M), -7.3% (3M), +4.1% (6M).
    assert list(table.loc["kweb-rises", "verdict"]) == ["failed", "failed", "held"]
