"""Claim rules, horizons, z-scores and verdicts: small hand-checkable frames, then the real snapshot."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from pathlib import Path

import pandas as pd
import pytest

import catalog
from commentary.document.column import COLUMNS_DIR, load_commentary
from commentary.document.model import Claim
from commentary.scoring import noise
from commentary.scoring.claims import SCORECARD_COLUMNS, evaluate_claim, scorecard, source_variants
from commentary.scoring.combine import combine_sources, combined_verdict
from commentary.scoring.horizons import parse_horizon
from commentary.scoring.rules import RULE_TYPES, SeriesRef, rule_symbols, validate_rule
from commentary.scoring.summary import detail_text
from data_sources.store.frames import normalise
from ui.words import words

SEOUL_MIDNIGHT_SUN = pd.Timestamp("2025-01-26 00:00", tz="Asia/Seoul").tz_convert("UTC")


def _prices(series: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A tidy price frame from {symbol: {date: close}} (adj_close NaN, so returns use close)."""
    rows = [
        {"date": d, "symbol": sym, "open": None, "high": None, "low": None, "close": v, "adj_close": None,
         "volume": None}
        for sym, points in series.items() for d, v in points.items()
    ]
    return normalise(pd.DataFrame(rows))


def _claim(rule_type: str, params: dict, horizons=("1W",), baskets=None, published=dt.date(2025, 1, 26),
           primary=None) -> Claim:
    rule, problems = validate_rule(rule_type, params, baskets or {})
    assert not problems, problems
    parsed = tuple(parse_horizon(h, published) for h in horizons)
    assert all(not isinstance(h, str) for h in parsed), parsed
    return Claim("c1", "한국어", "English", rule, parsed, primary or parsed[0].id)


def _by(readings, horizon, source="yahoo"):
    return next(r for r in readings if r.horizon == horizon and r.source == source)


# Weekday closes (US listings) around the column: Fri 01-24 is the last print before Sun 01-26 00:00 KST.
US = {
    "NVDA": {"2025-01-23": 147.0, "2025-01-24": 142.0, "2025-01-27": 118.0, "2025-01-31": 120.0,
             "2025-02-26": 131.0, "2025-12-31": 186.0},
    "AAPL": {"2025-01-23": 223.0, "2025-01-24": 222.0, "2025-01-27": 229.0, "2025-01-31": 236.0,
             "2025-02-26": 240.0, "2025-12-31": 272.0},
    "BABA": {"2025-01-23": 88.0, "2025-01-24": 90.0, "2025-01-27": 92.0, "2025-01-31": 99.0,
             "2025-02-26": 135.0, "2025-12-31": 144.0},
}


def test_reference_is_the_last_print_before_publication_and_actionable_the_first_after() -> None:
    claim = _claim("direction", {"series": "NVDA", "direction": "down"}, horizons=("1W",))
    (r,) = evaluate_claim(claim, _prices(US), SEOUL_MIDNIGHT_SUN)
    # 1W from Sun 01-26 ends Sun 02-02 → last print Fri 01-31; from Fri 01-24's 142: 120/142 − 1.
    assert r.reference_date == dt.date(2025, 1, 24) and r.end_date == dt.date(2025, 1, 31)
    assert r.horizon_end == dt.date(2025, 2, 2)
    assert r.measured == pytest.approx((120 / 142 - 1) * 100) and r.verdict == "held"
    # First close a reader could act on: Monday 01-27 (118) → 120/118 − 1 > 0: failed.
    assert r.actionable_reference_date == dt.date(2025, 1, 27)
    assert r.actionable_measured == pytest.approx((120 / 118 - 1) * 100) and r.actionable_verdict == "failed"
    # Published after Thursday's US close (20:00 New York): Thursday 01-23 is the reference.
    evening = pd.Timestamp("2025-01-23 20:00", tz="America/New_York").tz_convert("UTC")
    (late,) = evaluate_claim(claim, _prices(US), evening)
    assert late.reference_date == dt.date(2025, 1, 23) and late.actionable_reference_date == dt.date(2025, 1, 24)


def test_outperform_basket_against_symbol_with_calendar_horizons() -> None:
    claim = _claim("outperform", {"a": "us", "b": "BABA"}, horizons=("year-end", "2025-02-26"),
                   baskets={"us": ["NVDA", "AAPL"]})
    year, explicit = evaluate_claim(claim, _prices(US), SEOUL_MIDNIGHT_SUN)
    us_year = ((186 / 142 + 272 / 222) / 2 - 1) * 100
    assert year.horizon == "year-end" and year.end_date == dt.date(2025, 12, 31) and year.primary
    assert year.measured == pytest.approx(us_year - (144 / 90 - 1) * 100) and year.unit == "pp"
    assert year.verdict == "failed" and not year.overlapping  # +26.8% vs +60.0%
    us_feb = ((131 / 142 + 240 / 222) / 2 - 1) * 100
    assert explicit.measured == pytest.approx(us_feb - (135 / 90 - 1) * 100) and explicit.verdict == "failed"
    assert explicit.reference_values == {"us": pytest.approx(100.0), "BABA": pytest.approx(90.0)}


def test_ytd_runs_from_the_previous_year_end() -> None:
    prices = _prices({"NVDA": {"2024-12-31": 134.0, **US["NVDA"]}})
    (r,) = evaluate_claim(_claim("direction", {"series": "NVDA", "direction": "up"}, horizons=("YTD",)), prices,
                          SEOUL_MIDNIGHT_SUN)
    assert r.reference_date == dt.date(2024, 12, 31) and r.measured == pytest.approx((186 / 134 - 1) * 100)
    assert r.actionable_verdict == ""  # a calendar-year reading has no "first actionable close"


def test_horizon_parsing_and_its_problems() -> None:
    sun = dt.date(2025, 1, 26)
    assert parse_horizon("1M", sun).end == dt.date(2025, 2, 26) and parse_horizon("1M", sun).overlapping
    assert parse_horizon("year-end", sun).end == dt.date(2025, 12, 31)
    named = parse_horizon({"id": "holiday-week", "end": "2025-01-31", "label_en": "holiday week"}, sun)
    assert named.end == dt.date(2025, 1, 31) and named.label(words("en")) == "holiday week" and not named.overlapping
    en, ko = words("en"), words("ko")

    def said(raw: object, lang_words) -> str:
        return catalog.describe(parse_horizon(raw, sun), lang_words.language)

    assert "before the reference" in said("2025-01-20", en) and "2025년 1월 26일" in said("2025-01-20", ko)
    assert "more than 30 years" in said("9999-12-31", en) and "30년" in said("9999-12-31", ko)
    assert "unknown horizon '2W'" in said("2W", en) and "2W" in said("2W", ko)
    assert "bad date '2025-02-30'" in said({"id": "x", "end": "2025-02-30"}, en)


def test_direction_down_threshold_and_no_move() -> None:
    prices = _prices({"KRW=X": {"2025-01-24": 1000.0, "2025-01-31": 1009.0, "2025-02-26": 986.0}})
    down = _claim("direction", {"series": "KRW=X", "direction": "down", "threshold_pct": 1.5}, horizons=("1M",))
    assert evaluate_claim(down, prices, SEOUL_MIDNIGHT_SUN)[0].verdict == "failed"  # -1.4% is not beyond -1.5%
    down = _claim("direction", {"series": "KRW=X", "direction": "down", "threshold_pct": 1.0}, horizons=("1M",))
    assert evaluate_claim(down, prices, SEOUL_MIDNIGHT_SUN)[0].verdict == "held"
    no_move = _claim("no_move", {"symbol": "KRW=X"}, horizons=("1W", "1M"))
    week, month = (r for r in evaluate_claim(no_move, prices, SEOUL_MIDNIGHT_SUN) if r.source == "yahoo")
    assert week.verdict == "held" and week.measured == pytest.approx(0.9)
    assert month.verdict == "failed" and month.measured == pytest.approx(-1.4)


def test_end_point_level_rule_differs_from_the_path_rule() -> None:
    # Above 1,430 on most prints, below only at the end: end-point held, path failed.
    closes = {"2025-01-24": 1433.9, "2025-01-27": 1427.6, "2025-01-28": 1445.0, "2025-01-29": 1450.0,
              "2025-01-30": 1448.0, "2025-01-31": 1425.0}
    prices = _prices({"KRW=X": closes})
    end_point = _claim("level", {"symbol": "KRW=X", "level": 1430, "side": "below"})
    (r,) = [x for x in evaluate_claim(end_point, prices, SEOUL_MIDNIGHT_SUN) if x.source == "yahoo"]
    assert r.verdict == "held" and r.measured == pytest.approx(1425.0) and r.unit == "KRW"
    assert detail_text(r.detail, words("en")).startswith("end-point:")
    assert detail_text(r.detail, words("ko")).startswith("기간 끝 기준:")
    assert detail_text(None, words("ko")) == ""  # a reading without a detail (touches on no prints) shows none
    path = _claim("stays", {"symbol": "KRW=X", "level": 1430, "side": "below"})
    (p,) = [x for x in evaluate_claim(path, prices, SEOUL_MIDNIGHT_SUN) if x.source == "yahoo"]
    # Prints after the reference: 1427.6, 1445, 1450, 1448, 1425 → 2 of 5 below.
    assert p.verdict == "failed" and p.measured == pytest.approx(40.0) and p.unit == "% of prints"
    loose = _claim("stays", {"symbol": "KRW=X", "level": 1430, "side": "below", "share_pct": 40})
    assert next(x for x in evaluate_claim(loose, prices, SEOUL_MIDNIGHT_SUN) if x.source == "yahoo").verdict == "held"
    # no print between the reference (Fri) and an end on the publication's Sunday: nothing to judge the path on
    same_day = _claim("stays", {"symbol": "KRW=X", "level": 1430, "side": "below"}, horizons=("2025-01-26",))
    empty = next(x for x in evaluate_claim(same_day, prices, SEOUL_MIDNIGHT_SUN) if x.source == "yahoo")
    assert empty.verdict == "failed" and math.isnan(empty.margin) and empty.strength == "n/a"


def test_z_score_against_the_series_own_daily_volatility() -> None:
    # 300 weekday closes alternating +1% / −1% up to 01-24, then +3% over the 5 prints to 01-31.
    days = pd.bdate_range(end="2025-01-24", periods=300)
    values, v = [], 100.0
    for i in range(len(days)):
        v *= 1.01 if i % 2 else 0.99
        values.append(v)
    closes = dict(zip(days.strftime("%Y-%m-%d"), values, strict=True))
    after = pd.bdate_range("2025-01-27", "2025-01-31")
    closes.update({d: values[-1] * (1 + 0.006 * (i + 1)) for i, d in enumerate(after.strftime("%Y-%m-%d"))})
    (r,) = evaluate_claim(_claim("direction", {"series": "NVDA", "direction": "up"}), _prices({"NVDA": closes}),
                          SEOUL_MIDNIGHT_SUN)
    returns = [values[i] / values[i - 1] - 1 for i in range(len(values) - 250, len(values))]
    sigma = statistics.stdev(returns) * 100
    assert r.sigma_daily_pct == pytest.approx(sigma) and r.days == 5
    assert r.measured == pytest.approx(3.0)
    assert r.z == pytest.approx(3.0 / (sigma * math.sqrt(5)))
    assert r.z == pytest.approx(1.34, abs=0.01)  # 3% over 5 days of ±1% noise
    # "up" with no threshold: the rule's line is no change, so the margin is the z-score: over one usual swing
    assert r.margin == pytest.approx(r.z) and r.strength == "clear"
    (t,) = evaluate_claim(_claim("direction", {"series": "NVDA", "direction": "up", "threshold_pct": 2.5}),
                          _prices({"NVDA": closes}), SEOUL_MIDNIGHT_SUN)
    assert t.margin == pytest.approx(0.5 / (sigma * math.sqrt(5))) and t.strength == "narrow"  # 0.5% past the line


def test_no_move_strength_is_how_far_inside_the_band() -> None:
    days = pd.bdate_range(end="2025-01-24", periods=120)
    flat = {d: 1400.0 * (1.001 if i % 2 else 0.999) for i, d in enumerate(days.strftime("%Y-%m-%d"))}
    ref = flat["2025-01-24"]
    calm, edge, wild = ({**flat, "2025-01-31": ref * (1 + move / 100)} for move in (0.1, -0.9, 1.6))
    claim = _claim("no_move", {"symbol": "NVDA", "threshold_pct": 1.0})
    readings = [evaluate_claim(claim, _prices({"NVDA": c}), SEOUL_MIDNIGHT_SUN)[0] for c in (calm, edge, wild)]
    # a smaller move is a *stronger* no-move call: 0.1% stays deep inside a 1% band, 0.9% grazes its edge
    assert [r.verdict for r in readings] == ["held", "held", "failed"]
    assert [r.margin for r in readings] == pytest.approx([0.9, 0.1, -0.6])
    assert [r.strength for r in readings] == ["clear", "narrow", "clear"]


def test_strength_labels_and_missing_history() -> None:
    assert [noise.strength(m) for m in (2.0, -2.5, 1.0, -1.0, 0.99, -0.5, math.nan)] == [
        "clear", "clear", "clear", "clear", "narrow", "narrow", "n/a"]
    assert [noise.strength(m, "no_move") for m in (0.5, -0.5, 0.49, -0.2)] == ["clear", "clear", "narrow", "narrow"]
    days = pd.bdate_range(end="2025-01-24", periods=30)  # 29 daily returns: fewer than noise.MIN_RETURNS
    short = {d: 100.0 + (i % 3) for i, d in enumerate(days.strftime("%Y-%m-%d"))} | {"2025-01-31": 104.0}
    (r,) = evaluate_claim(_claim("direction", {"series": "NVDA", "direction": "up"}), _prices({"NVDA": short}),
                          SEOUL_MIDNIGHT_SUN)
    assert r.verdict == "held" and math.isnan(r.sigma_daily_pct) and math.isnan(r.z) and r.strength == "n/a"
    assert math.isnan(r.margin)  # no usual swing to measure the margin in
    flat = {d: 100.0 for d in pd.bdate_range(end="2025-01-24", periods=120).strftime("%Y-%m-%d")}
    (still,) = evaluate_claim(_claim("direction", {"series": "NVDA", "direction": "up"}),
                              _prices({"NVDA": flat | {"2025-01-31": 101.0}}), SEOUL_MIDNIGHT_SUN)
    assert still.sigma_daily_pct == 0 and math.isnan(still.margin) and still.strength == "n/a"  # no swing at all


def test_as_of_hides_prints_observed_after_the_moment() -> None:
    claim = _claim("direction", {"series": "NVDA", "direction": "down"}, horizons=("2025-01-31",))
    (full,) = evaluate_claim(claim, _prices(US), SEOUL_MIDNIGHT_SUN)
    assert full.verdict == "held" and full.end_date == dt.date(2025, 1, 31)
    # At 10:00 New York on 01-31 that day's close (16:00) is not known yet: the horizon cannot be judged.
    morning = pd.Timestamp("2025-01-31 10:00", tz="America/New_York").tz_convert("UTC")
    (then,) = evaluate_claim(claim, _prices(US), SEOUL_MIDNIGHT_SUN, as_of=morning)
    assert then.verdict == "too early" and then.measured is None


def test_fx_claims_are_scored_on_both_sources() -> None:
    prices = _prices({"KRW=X": {"2025-01-24": 1433.93, "2025-01-31": 1441.66},
                      "USDKRW_ECB": {"2025-01-24": 1433.919, "2025-01-31": 1449.6488}})
    claim = _claim("no_move", {"symbol": "KRW=X", "threshold_pct": 1.0})
    assert [s for s, _ in source_variants(claim.rule)] == ["yahoo", "ecb"]
    yahoo, ecb = evaluate_claim(claim, prices, SEOUL_MIDNIGHT_SUN)
    assert (yahoo.source, yahoo.verdict) == ("yahoo", "held") and yahoo.measured == pytest.approx(0.539, abs=1e-3)
    assert (ecb.source, ecb.verdict, ecb.series) == ("ecb", "failed", "USDKRW_ECB")
    assert ecb.measured == pytest.approx(1.0967, abs=1e-3)
    combined = combine_sources(scorecard([claim], prices, SEOUL_MIDNIGHT_SUN))
    assert list(combined["verdict"]) == ["source-dependent"]
    assert combined_verdict(["held", "held"]) == "held" and combined_verdict(["held", "too early"]) == "too early"


def test_too_early_judged_later_and_no_data() -> None:
    claim = _claim("direction", {"series": "NVDA", "direction": "up"}, horizons=("1W", "2026-06-30"))
    week, later = evaluate_claim(claim, _prices(US), SEOUL_MIDNIGHT_SUN)
    assert week.verdict == "failed" and later.verdict == "too early" and later.measured is None
    said = detail_text(later.detail, words("en"))
    assert "2026-06-30" in said and "2025-12-31" in said
    # As of publication, nothing after it is known: every horizon is judged later.
    (w,) = evaluate_claim(_claim("direction", {"series": "NVDA", "direction": "up"}), _prices(US),
                          SEOUL_MIDNIGHT_SUN, as_of=SEOUL_MIDNIGHT_SUN)
    assert w.verdict == "judged later" and w.measured is None
    missing = _claim("direction", {"series": ["NVDA", "NOPE"], "direction": "up"})
    (m,) = evaluate_claim(missing, _prices(US), SEOUL_MIDNIGHT_SUN)
    assert m.verdict == "no data" and "NOPE" in detail_text(m.detail, words("en"))


def test_validate_rule_messages() -> None:
    assert set(RULE_TYPES) == {"outperform", "direction", "level", "stays", "touches", "no_move"}
    def said(rule_type: str, params: dict, lang: str = "en") -> list[tuple[tuple[str, ...], str]]:
        return [(path, catalog.describe(problem, lang)) for path, problem in validate_rule(rule_type, params)[1]]

    assert said("foo", {}) == [(("type",), "unknown rule 'foo' (known: outperform, direction, level, stays, touches, "
                                           "no_move)")]
    assert said("touches", {"symbol": "KRW=X", "level": 0, "side": "above"}) == [(("params", "level"),
                                                                                  "must be > 0, got 0")]
    assert said("touches", {"symbol": "KRW=X", "level": 1500, "side": "over"}) == [
        (("params", "side"), "expected one of below, above, got 'over'")]
    assert said("level", {"symbol": "KRW=X", "level": -5, "side": "below"}) == [(("params", "level"),
                                                                                 "must be > 0, got -5")]
    assert said("level", {"symbol": "KRW=X", "level": -5, "side": "below"}, "ko") == [
        (("params", "level"), "0보다 커야 합니다 (적힌 값: -5)")]
    _, problems = validate_rule("stays", {"symbol": "KRW=X", "level": 1430, "side": "below", "share_pct": 120})
    assert problems[0][0] == ("params", "share_pct")
    rule, problems = validate_rule("outperform", {"a": "cn", "b": "SPY"}, {"cn": ["A", "B"]})
    assert not problems and rule.params["a"] == SeriesRef("cn", ("A", "B"), True)
    assert rule_symbols(rule) == ["A", "B", "SPY"]


# --------------------------------------------------------------------------- real snapshot


def _read_market(market_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p).assign(symbol=p.stem) for p in sorted(market_dir.glob("*.csv"))]
    return normalise(pd.concat(frames, ignore_index=True))


def _close(market_dir: Path, symbol: str) -> pd.Series:
    frame = pd.read_csv(market_dir / f"{symbol}.csv", parse_dates=["date"]).set_index("date")
    return frame["adj_close"].fillna(frame["close"]).dropna()


def _last_on_or_before(series: pd.Series, day: str) -> float:
    return float(series.loc[:pd.Timestamp(day)].iloc[-1])


def test_baek_scorecard_on_the_real_snapshot(market_dir: Path) -> None:
    column = load_commentary(COLUMNS_DIR / "baek-2025-01-26.md")
    card = scorecard(column.claims, _read_market(market_dir), column.published)
    assert list(card.columns) == list(SCORECARD_COLUMNS)
    assert len(card) == 5 + 5 + 5 + 3 * 2 + 1 * 2  # FX claims on both sources
    assert set(card["reference_date"]) == {dt.date(2025, 1, 24)}
    table = card.set_index(["claim_id", "horizon", "source"])

    # Independent: equal-weight buy-and-hold from each member's 2025-01-24 close to its last close of 2025.
    def basket_return(members: tuple[str, ...]) -> float:
        ratios = [_last_on_or_before(_close(market_dir, s), "2025-12-31") / _last_on_or_before(
            _close(market_dir, s), "2025-01-24") for s in members]
        return (sum(ratios) / len(ratios) - 1) * 100

    cn, us = basket_return(column.baskets["cn_tech"]), basket_return(column.baskets["us_bigtech"])
    beats = table.loc[("cn-tech-beats-us-bigtech", "year-end", "yahoo")]
    assert beats["primary"] and beats["measured"] == pytest.approx(cn - us, abs=1e-6)
    assert beats["verdict"] == "failed" and beats["margin"] < 0
    rebounds = table.loc[("cn-tech-rebounds", "year-end", "yahoo")]
    assert rebounds["measured"] == pytest.approx(cn, abs=1e-6) and rebounds["verdict"] == "held"
    steam = table.loc[("us-bigtech-loses-steam", "year-end", "yahoo")]
    assert steam["measured"] == pytest.approx(us, abs=1e-6) and steam["verdict"] == "failed"

    # The indictment: KRW=X and the ECB from 01-24 to 01-31 (the 1W horizon ends Sun 02-02).
    krw, ecb = _close(market_dir, "KRW=X"), _close(market_dir, "USDKRW_ECB")
    for source, series in (("yahoo", krw), ("ecb", ecb)):
        row = table.loc[("indictment-no-fx-move", "1W", source)]
        move = (_last_on_or_before(series, "2025-02-02") / series.loc["2025-01-24"] - 1) * 100
        assert row["measured"] == pytest.approx(move, abs=1e-9)
        before = series.loc[:"2025-01-24"].tail(251)
        sigma = statistics.stdev((before / before.shift(1) - 1).dropna()) * 100
        days = int(((series.index > "2025-01-24") & (series.index <= "2025-01-31")).sum())
        assert row["z"] == pytest.approx(move / (sigma * math.sqrt(days)), rel=1e-9)
    assert table.loc[("indictment-no-fx-move", "1W", "yahoo"), "verdict"] == "held"
    assert table.loc[("indictment-no-fx-move", "1W", "ecb"), "verdict"] == "failed"
    combined = combine_sources(card).set_index(["claim_id", "horizon"])
    assert combined.loc[("indictment-no-fx-move", "1W"), "verdict"] == "source-dependent"
    # The drift call's primary horizon is the holiday week: both sources rose, so it failed.
    week = combined.loc[("usdkrw-keeps-falling", "holiday-week")]
    assert week["primary"] and week["verdict"] == "failed"
    assert "usdkrw-below-1430" not in set(card["claim_id"])  # the invented claim is gone


def test_qwq_example_scorecard_on_the_real_snapshot(market_dir: Path) -> None:
    column = load_commentary(COLUMNS_DIR / "example-2025-03-06-qwq.md")
    card = scorecard(column.claims, _read_market(market_dir), column.published).set_index(["claim_id", "horizon"])
    baba, nvda = _close(market_dir, "BABA"), _close(market_dir, "NVDA")
    # Published after the 2025-03-06 US close; 1W ends 03-13.
    expected = ((_last_on_or_before(baba, "2025-03-13") / baba.loc["2025-03-06"])
                - (_last_on_or_before(nvda, "2025-03-13") / nvda.loc["2025-03-06"])) * 100
    assert card.loc[("baba-beats-nvda", "1W"), "measured"] == pytest.approx(expected, abs=1e-9)
    assert card.loc[("kweb-rises", "6M"), "primary"]
