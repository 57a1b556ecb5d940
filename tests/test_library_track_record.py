"""Track record: base rates on hand-built price paths, per-author aggregation with hand-computed figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from commentary.document.column import Claim
from commentary.library.track_record import (
    SMALL_SAMPLE,
    WARMUP_DAYS,
    base_rate,
    rule_held,
    sample_warning,
    track_record,
)
from commentary.scoring.claims import validate_rule
from commentary.scoring.horizons import parse_horizon

PUB = pd.Timestamp("2025-01-02 09:00", tz="Asia/Seoul")


def _claim(rule_type: str, params: dict, horizon: str = "1M") -> Claim:
    rule, problems = validate_rule(rule_type, params)
    assert not problems and rule is not None
    h = parse_horizon(horizon, PUB.tz_convert(None).date())
    assert not isinstance(h, str)
    return Claim("c", "x", "x", rule, (h,), h.id)


def _frame(**series: np.ndarray) -> pd.DataFrame:
    n = len(next(iter(series.values())))
    index = pd.date_range("2020-01-01", periods=n, freq="D")
    return pd.DataFrame(series, index=index)


def test_always_rising_series_holds_up_calls_every_time() -> None:
    frame = _frame(NVDA=np.linspace(100, 500, 600))
    assert base_rate(_claim("direction", {"series": "NVDA", "direction": "up"}), frame, PUB) == (1.0, 200)
    assert base_rate(_claim("direction", {"series": "NVDA", "direction": "down"}), frame, PUB) == (0.0, 200)


def test_alternating_regimes_give_the_share_of_up_starts() -> None:
    # 1,000 days: up for the first 500, down after; a 1W horizon (7 days) from day d holds "up" when d+7 < 500.
    values = np.concatenate([np.linspace(100, 200, 500), np.linspace(199, 100, 500)])
    frame = _frame(NVDA=values)
    claim = _claim("direction", {"series": "NVDA", "direction": "up"}, "1W")
    rate, n = base_rate(claim, frame, PUB, draws=10_000)  # every possible start
    # starts: index 250 .. 992 (last start = last date − 7 days) → 743 starts; up when start index + 7 <= 499
    starts = list(range(WARMUP_DAYS, 993))
    expected = sum(1 for i in starts if values[i + 7] > values[i]) / len(starts)
    assert n == len(starts) == 743
    assert rate == pytest.approx(expected)
    # by hand: starts 250..493 rise over the week (493 → 500 still gains: 199 > 198.6), later ones fall
    assert rate == pytest.approx(244 / 743)


def test_seeded_draws_are_reproducible_and_seed_dependent() -> None:
    rng = np.random.default_rng(1)
    frame = _frame(NVDA=100 * np.cumprod(1 + rng.normal(0, 0.02, 900)))
    claim = _claim("direction", {"series": "NVDA", "direction": "up"})
    assert base_rate(claim, frame, PUB, seed=5) == base_rate(claim, frame, PUB, seed=5)
    assert base_rate(claim, frame, PUB, seed=5)[1] == 200
    assert base_rate(claim, frame, PUB, seed=5) != base_rate(claim, frame, PUB, seed=6)


def test_no_room_for_a_start_gives_nan() -> None:
    frame = _frame(NVDA=np.linspace(100, 110, WARMUP_DAYS + 5))
    rate, n = base_rate(_claim("direction", {"series": "NVDA", "direction": "up"}, "1M"), frame, PUB)
    assert math.isnan(rate) and n == 0
    rate, n = base_rate(_claim("direction", {"series": "AAPL", "direction": "up"}), frame, PUB)
    assert math.isnan(rate) and n == 0


def test_rule_held_for_each_rule_type() -> None:
    frame = _frame(NVDA=np.array([100.0, 104, 108, 112]), BABA=np.array([100.0, 101, 102, 103]),
                   **{"KRW=X": np.array([1440.0, 1420, 1425, 1435])})
    t0, t3 = frame.index[0], frame.index[3]
    assert rule_held(_claim("outperform", {"a": "NVDA", "b": "BABA", "margin_pp": 8.9}).rule, frame, t0, t3)
    assert not rule_held(_claim("outperform", {"a": "NVDA", "b": "BABA", "margin_pp": 9.01}).rule, frame, t0, t3)
    assert rule_held(_claim("outperform", {"a": ["NVDA", "BABA"], "b": "BABA"}).rule, frame, t0, t3)  # 7.5% vs 3%
    assert rule_held(_claim("no_move", {"symbol": "BABA", "threshold_pct": 3.1}).rule, frame, t0, t3)
    assert not rule_held(_claim("no_move", {"symbol": "BABA", "threshold_pct": 3.0}).rule, frame, t0, t3)
    assert rule_held(_claim("level", {"symbol": "KRW=X", "level": 1430, "side": "above"}).rule, frame, t0, t3)
    stays = {"symbol": "KRW=X", "level": 1430, "side": "below"}
    assert not rule_held(_claim("stays", stays).rule, frame, t0, t3)  # 2 of 3 prints after the start
    assert rule_held(_claim("stays", {**stays, "share_pct": 66}).rule, frame, t0, t3)
    assert rule_held(_claim("direction", {"series": "NVDA", "direction": "up", "threshold_pct": 11.9}).rule,
                     frame, t0, t3)
    assert rule_held(_claim("direction", {"series": "AAPL", "direction": "up"}).rule, frame, t0, t3) is None


def _rows() -> pd.DataFrame:
    return pd.DataFrame([
        # author A: 3 scored (2 held), 1 pending; base rates 0.5, 0.7, 0.3 on the scored ones
        ("A", "a1", "c1", "direction", "held", "strong", 2.5, 0.5, 200),
        ("A", "a1", "c2", "outperform", "failed", "within noise", -0.4, 0.7, 200),
        ("A", "a2", "c3", "no_move", "held", "weak", 1.2, 0.3, 200),
        ("A", "a2", "c4", "direction", "too early", "n/a", math.nan, 0.6, 200),
        ("B", "b1", "c1", "direction", "no data", "n/a", math.nan, math.nan, 0),
    ], columns=["author", "commentary_id", "claim_id", "rule", "verdict", "strength", "z", "base_rate", "base_n"])


def test_track_record_by_hand() -> None:
    record = track_record(_rows()).set_index("author")
    a = record.loc["A"]
    assert (a["columns"], a["claims"], a["scored"], a["held"], a["pending"]) == (2, 4, 3, 2, 1)
    assert a["hit_rate"] == pytest.approx(2 / 3)
    assert a["base_rate"] == pytest.approx(0.5)  # (0.5 + 0.7 + 0.3) / 3: the pending call's 0.6 is left out
    assert a["excess_pp"] == pytest.approx((2 / 3 - 0.5) * 100)
    assert a["mean_z"] == pytest.approx((2.5 - 0.4 + 1.2) / 3)  # held counts +|z|, failed −|z|
    assert (a["strong"], a["weak"], a["within_noise"]) == (1, 1, 1)
    assert bool(a["small_sample"])
    b = record.loc["B"]
    assert b["scored"] == 0 and math.isnan(b["hit_rate"]) and math.isnan(b["excess_pp"])


def test_sample_warning() -> None:
    record = track_record(_rows()).set_index("author")
    assert "3 scored calls" in sample_warning(record.loc["A"], "en")
    assert "3개뿐" in sample_warning(record.loc["A"], "ko")
    many = pd.concat([_rows().iloc[[0]]] * SMALL_SAMPLE, ignore_index=True)
    full = track_record(many).iloc[0]
    assert full["scored"] == SMALL_SAMPLE and not full["small_sample"] and sample_warning(full, "en") == ""
