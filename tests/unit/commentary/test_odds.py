"""Odds beside every verdict: each recomputed here from the CSVs with plain numpy (not the scoring code), the
guards (too few windows, stale prints, no look-ahead), the touches rule, and baskets on their own calendars."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commentary.analysis.baskets import basket_dates, session_basket
from commentary.cli.score import prices_from, to_csv
from commentary.document.column import COLUMNS_DIR, load_commentary
from commentary.document.model import Claim
from commentary.scoring import odds
from commentary.scoring.claims import evaluate_claim, readings, scorecard
from commentary.scoring.horizons import parse_horizon
from commentary.scoring.rules import validate_rule
from commentary.scoring.summary import detail_text
from data_sources.store.frames import normalise
from tests.support.market_csv import basket_move, series, value_at
from ui.words import words

SEOUL_SUNDAY = pd.Timestamp("2025-01-26 00:00", tz="Asia/Seoul").tz_convert("UTC")
BAEK = COLUMNS_DIR / "baek-2025-01-26.md"


# --------------------------------------------------------------------------- independent helpers (numpy + csv)


def _windows(market_dir: Path, symbols: list[str], reference: dt.date, days: int) -> list[tuple]:
    """Non-overlapping (start, end) windows of ``days`` ending on ``reference``, while every symbol has data."""
    first = max(series(market_dir, s)[0][0] for s in symbols)
    ref = np.datetime64(reference, "D")
    out, k = [], 1
    while ref - np.timedelta64(k * days, "D") >= first:
        out.append((ref - np.timedelta64(k * days, "D"), ref - np.timedelta64((k - 1) * days, "D")))
        k += 1
    return out


def _midrank(values: np.ndarray, x: float) -> float:
    return ((values < x).sum() + (values == x).sum() / 2) / len(values) * 100


@cache
def _baek_readings(market_dir: Path) -> dict[tuple[str, str, str], object]:
    column = load_commentary(BAEK)
    prices, _ = prices_from(market_dir)
    return {(r.claim_id, r.horizon, r.source): r for r in readings(column.claims, prices, column.published)}


# --------------------------------------------------------------------------- the real snapshot


def test_rebound_call_odds_recomputed_from_the_csvs(market_dir: Path) -> None:
    column = load_commentary(BAEK)
    members = list(column.baskets["cn_tech"])
    r = _baek_readings(market_dir)[("cn-tech-rebounds", "year-end", "yahoo")]
    days = (r.horizon_end - r.reference_date).days
    windows = _windows(market_dir, members, r.reference_date, days)
    moves = np.array([basket_move(market_dir, members, s, e) for s, e in windows])
    assert r.chances.window_days == days and r.chances.windows == len(windows) >= odds.MIN_WINDOWS
    assert r.chances.base_rate == pytest.approx((moves > 0).mean())  # "up": the same rule in every past window
    assert r.chances.as_extreme == pytest.approx((moves >= r.measured).mean())  # a rise this big or bigger
    assert r.chances.percentile == pytest.approx(_midrank(moves, r.measured))
    assert all(e <= np.datetime64(r.reference_date) for _, e in windows)  # every window ends before publication


def test_outperform_and_no_move_odds_recomputed_from_the_csvs(market_dir: Path) -> None:
    column = load_commentary(BAEK)
    cn, us = list(column.baskets["cn_tech"]), list(column.baskets["us_bigtech"])
    r = _baek_readings(market_dir)[("cn-tech-beats-us-bigtech", "6M", "yahoo")]
    windows = _windows(market_dir, cn + us, r.reference_date, r.chances.window_days)
    lead = np.array([basket_move(market_dir, cn, s, e) - basket_move(market_dir, us, s, e) for s, e in windows])
    assert r.chances.windows == len(lead) and r.chances.base_rate == pytest.approx((lead > 0).mean())
    assert r.chances.percentile == pytest.approx(_midrank(lead, r.measured))
    ecb = _baek_readings(market_dir)[("indictment-no-fx-move", "1W", "ecb")]
    # 1W from Sunday 01-26 ends 02-02, read from Friday's print
    assert ecb.chances.window_days == (dt.date(2025, 2, 2) - ecb.reference_date).days
    moves = np.array([abs(basket_move(market_dir, ["USDKRW_ECB"], s, e))
                      for s, e in _windows(market_dir, ["USDKRW_ECB"], ecb.reference_date, ecb.chances.window_days)])
    assert ecb.chances.windows == len(moves) and ecb.chances.base_rate == pytest.approx((moves < 1.0).mean())
    assert ecb.chances.as_extreme == pytest.approx((moves <= abs(ecb.measured)).mean())  # a move this small or smaller
    assert ecb.chances.call == odds.call(ecb.chances.base_rate, ecb.verdict)


def test_odds_never_read_a_print_after_the_reference(market_dir: Path) -> None:
    column = load_commentary(BAEK)
    prices, _ = prices_from(market_dir)
    later = prices["date"] > pd.Timestamp("2025-01-24")
    garbled = prices.copy()
    rng = np.random.default_rng(7)
    for field in ("close", "adj_close"):
        garbled.loc[later, field] = garbled.loc[later, field] * rng.uniform(0.5, 1.5, later.sum())
    honest = scorecard(column.claims, prices, column.published)
    future = scorecard(column.claims, normalise(garbled), column.published)
    cols = ["base_rate", "independent_windows", "window_days"]
    pd.testing.assert_frame_equal(honest[cols], future[cols])
    assert not honest["measured"].equals(future["measured"])  # the verdicts did read the garbled prints


def test_the_scorecard_is_the_same_whatever_else_is_stored(market_dir: Path, tmp_path: Path) -> None:
    column = load_commentary(BAEK)
    needed = {s for c in column.claims for s in
              (*column.baskets["cn_tech"], *column.baskets["us_bigtech"], "KRW=X", "USDKRW_ECB")}
    alone = tmp_path / "only-what-the-claims-need"
    alone.mkdir()
    for path in market_dir.glob("*.csv"):
        if path.stem in needed:
            shutil.copy(path, alone / path.name)
    assert "005930.KS" not in {p.stem for p in alone.glob("*.csv")}  # KRX trades on Good Friday 2025-04-18
    full, _ = prices_from(market_dir)
    few, _ = prices_from(alone)
    assert to_csv(scorecard(column.claims, full, column.published)) == to_csv(
        scorecard(column.claims, few, column.published))


def test_a_basket_lives_on_its_members_sessions(market_dir: Path) -> None:
    prices, _ = prices_from(market_dir)
    frame = prices.pivot(index="date", columns="symbol", values="close")
    us = {s: frame[s].dropna() for s in ("NVDA", "AAPL")}
    mixed = {s: frame[s].dropna() for s in ("NVDA", "0700.HK")}
    assert pd.Timestamp("2025-04-18") in frame["005930.KS"].dropna().index  # a KRX session...
    assert pd.Timestamp("2025-04-18") not in basket_dates(us)  # ...but Good Friday: no NYSE session
    base = {s: pd.Timestamp("2025-01-24") for s in mixed}
    level = session_basket(mixed, base)
    hk = frame["0700.HK"]
    # 2025-01-29: HKEX shut for the Lunar New Year, NYSE open: the basket has a value, Tencent carried over
    assert pd.Timestamp("2025-01-29") in level.index and pd.isna(hk.get(pd.Timestamp("2025-01-29")))
    nvda = frame["NVDA"]
    expected = (nvda["2025-01-29"] / nvda["2025-01-24"] + hk["2025-01-28"] / hk["2025-01-24"]) / 2 * 100
    assert level["2025-01-29"] == pytest.approx(expected)
    assert pd.Timestamp("2025-04-18") not in level.index  # both shut


def test_touches_rule_and_its_odds_on_the_snapshot(market_dir: Path) -> None:
    rule, problems = validate_rule("touches", {"symbol": "KRW=X", "level": 1480, "side": "above"})
    assert not problems
    horizon = parse_horizon("3M", dt.date(2025, 1, 26))
    claim = Claim("krw-reaches-1480", "1,480원 도달", "reaches 1,480", rule, (horizon,), "3M")
    prices, _ = prices_from(market_dir)
    yahoo, ecb = evaluate_claim(claim, prices, SEOUL_SUNDAY)
    assert (yahoo.source, ecb.source) == ("yahoo", "ecb")
    for r, symbol in ((yahoo, "KRW=X"), (ecb, "USDKRW_ECB")):
        dates, values = series(market_dir, symbol)
        ref = np.datetime64(r.reference_date)
        path = values[(dates > ref) & (dates <= np.datetime64(horizon.end))]
        assert r.measured == pytest.approx(path.max()) and r.verdict == ("held" if path.max() >= 1480 else "failed")
        start = value_at(market_dir, symbol, ref)
        line = (1480 / start - 1) * 100
        reach = []
        for s, e in _windows(market_dir, [symbol], r.reference_date, r.chances.window_days):
            inside = values[(dates > s) & (dates <= e)]
            reach.append((inside.max() / value_at(market_dir, symbol, s) - 1) * 100)
        reach = np.array(reach)
        assert r.chances.windows == len(reach) and r.chances.base_rate == pytest.approx((reach >= line).mean())
        assert r.chances.percentile == pytest.approx(_midrank(reach, (path.max() / start - 1) * 100))


# --------------------------------------------------------------------------- small hand-built series


def _prices(closes: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = [{"date": d, "symbol": s, "open": None, "high": None, "low": None, "close": v, "adj_close": None,
             "volume": None} for s, points in closes.items() for d, v in points.items()]
    return normalise(pd.DataFrame(rows))


def _claim(rule_type: str, params: dict, horizon: str = "1W") -> Claim:
    rule, problems = validate_rule(rule_type, params)
    assert not problems
    h = parse_horizon(horizon, dt.date(2025, 1, 26))
    return Claim("c", "x", "x", rule, (h,), h.id)


def _rising(start: str, end: str = "2025-01-31") -> dict[str, float]:
    days = pd.bdate_range(start, end)
    return {d.strftime("%Y-%m-%d"): 100.0 + i for i, d in enumerate(days)}


def test_fewer_windows_than_the_minimum_give_no_odds() -> None:
    claim = _claim("direction", {"series": "NVDA", "direction": "up"})  # 9-day windows back from Fri 01-24
    ref = pd.Timestamp("2025-01-24")
    three = _rising((ref - pd.Timedelta(days=9 * 3 + 3)).strftime("%Y-%m-%d"))  # a print on or before each start
    four = _rising((ref - pd.Timedelta(days=9 * 4 + 3)).strftime("%Y-%m-%d"))
    (short,) = evaluate_claim(claim, _prices({"NVDA": three}), SEOUL_SUNDAY)
    (enough,) = evaluate_claim(claim, _prices({"NVDA": four}), SEOUL_SUNDAY)
    assert short.chances.windows == 3 and math.isnan(short.chances.base_rate) and short.chances.call == ""
    assert enough.chances.windows == 4 and enough.chances.base_rate == 1.0 and enough.chances.call == "easy"


def test_a_window_read_across_a_gap_in_the_data_is_left_out() -> None:
    closes = _rising("2024-06-03")
    hole = [d for d in closes if "2024-09-02" <= d <= "2024-09-30"]  # four weeks without a print
    for d in hole:
        del closes[d]
    claim = _claim("direction", {"series": "NVDA", "direction": "up"})
    (r,) = evaluate_claim(claim, _prices({"NVDA": closes}), SEOUL_SUNDAY)
    stored = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in closes if d <= "2025-01-24"))
    ref, n = pd.Timestamp("2025-01-24"), 0
    for k in range(1, 100):
        start, end = ref - pd.Timedelta(days=9 * k), ref - pd.Timedelta(days=9 * (k - 1))
        if start < stored[0]:
            break
        last_s, last_e = stored[stored <= start][-1], stored[stored <= end][-1]
        n += (start - last_s).days <= odds.STALE_DAYS and (end - last_e).days <= odds.STALE_DAYS
    assert r.chances.windows == n and n < k - 1  # the windows in the hole are not read from stale prints


def test_window_stats_before_a_series_starts_are_missing() -> None:
    rule, _ = validate_rule("direction", {"series": "NVDA", "direction": "up"})
    column = pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-01-02", "2025-01-03"]))
    starts = pd.to_datetime(["2024-12-31", "2025-01-02"])
    stats = odds.window_stats(odds.Target(rule), {"NVDA": column}, starts, starts + pd.Timedelta(days=1))
    assert math.isnan(stats[0]) and stats[1] == pytest.approx(100.0)
    touches, _ = validate_rule("touches", {"symbol": "NVDA", "level": 3, "side": "above"})
    starts, ends = pd.to_datetime(["2025-01-02", "2025-01-03"]), pd.to_datetime(["2025-01-03", "2025-01-08"])
    stats = odds.window_stats(odds.Target(touches, 1.0), {"NVDA": column}, starts, ends)  # 2nd: no print inside
    assert stats[0] == pytest.approx(100.0) and math.isnan(stats[1])


def test_a_window_of_no_length_gives_no_windows() -> None:
    ref = pd.Timestamp("2025-01-24")
    starts, ends = odds.tiles(ref, 0, ref - pd.Timedelta(days=400))
    assert len(starts) == len(ends) == 0
    rule, _ = validate_rule("direction", {"series": "NVDA", "direction": "up"})
    column = pd.Series(1.0, index=pd.bdate_range(end=ref, periods=300))
    got = odds.reading_odds(odds.Target(rule), {"NVDA": column}, ref, 0, 1.0, "held")
    assert got.windows == 0 and math.isnan(got.base_rate)
    none = odds.reading_odds(odds.Target(rule), {"NVDA": column.iloc[:0]}, ref, 9, 1.0, "held")  # no prints
    assert none.windows == 0 and math.isnan(none.base_rate) and none.window_days == 9


def test_call_labels_at_their_thresholds() -> None:
    assert [odds.call(b, v) for b, v in ((0.60, "failed"), (0.599, "held"), (0.30, "held"), (0.30, "failed"),
                                         (0.301, "held"), (math.nan, "held"), (0.9, "too early"))] == [
        "easy", "toss-up", "strong", "long shot", "toss-up", "", ""]


def test_touches_is_a_path_rule_not_an_end_point() -> None:
    days = pd.bdate_range(end="2025-01-24", periods=120).strftime("%Y-%m-%d")
    flat = {d: 1400.0 for d in days}
    spike = {**flat, "2025-01-28": 1510.0, "2025-01-31": 1450.0}
    above = _claim("touches", {"symbol": "KRW=X", "level": 1500, "side": "above"})
    end_point = _claim("level", {"symbol": "KRW=X", "level": 1500, "side": "above"})
    touched = next(r for r in evaluate_claim(above, _prices({"KRW=X": spike}), SEOUL_SUNDAY) if r.source == "yahoo")
    ended = next(r for r in evaluate_claim(end_point, _prices({"KRW=X": spike}), SEOUL_SUNDAY) if r.source == "yahoo")
    assert (touched.verdict, touched.measured, ended.verdict) == ("held", 1510.0, "failed")
    en, ko = detail_text(touched.detail, words("en")), detail_text(touched.detail, words("ko"))
    assert "2025-01-28" in en and "2025-01-28" in ko and "1,510.00" in en and "최고 1,510.00" in ko
    at_level = {**flat, "2025-01-29": 1500.0, "2025-01-31": 1450.0}  # at the level counts
    assert next(r for r in evaluate_claim(above, _prices({"KRW=X": at_level}), SEOUL_SUNDAY)).verdict == "held"
    below = _claim("touches", {"symbol": "KRW=X", "level": 1390, "side": "below"})
    r = next(r for r in evaluate_claim(below, _prices({"KRW=X": spike}), SEOUL_SUNDAY) if r.source == "yahoo")
    assert (r.verdict, r.measured) == ("failed", 1450.0)  # the lowest print after the reference
    # flat history: a 1W window never rose 7% (1500 from 1400), so the odds are 0 of every past week
    chances = touched.chances
    assert chances.base_rate == 0.0 and chances.call == "strong" and chances.windows >= odds.MIN_WINDOWS


def test_touches_with_no_print_in_the_window_is_not_a_hit() -> None:
    days = pd.bdate_range(end="2025-01-24", periods=80).strftime("%Y-%m-%d")
    closes = {d: 1400.0 for d in days} | {"2025-02-10": 1600.0}  # nothing between the reference and the 1W end
    r = next(r for r in evaluate_claim(_claim("touches", {"symbol": "KRW=X", "level": 1500, "side": "above"}),
                                        _prices({"KRW=X": closes}), SEOUL_SUNDAY) if r.source == "yahoo")
    assert r.verdict == "failed" and math.isnan(r.measured)
