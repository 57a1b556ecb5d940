"""Track record: the exact tails against brute-force enumeration, Baek's record recomputed from the CSVs with
numpy, grouping, half points for source-dependent calls, and the guards (smoothing, too few stretches, gaps)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commentary.cli.score import prices_from
from commentary.document.column import COLUMNS_DIR, load_commentary
from commentary.document.model import Claim, Commentary
from commentary.library import track_record as tr
from commentary.scoring import odds
from commentary.scoring.claims import readings, wide_prices
from commentary.scoring.horizons import parse_horizon
from commentary.scoring.rules import validate_rule
from data_sources.store.frames import normalise
from tests.support.market_csv import basket_move, series

BAEK = COLUMNS_DIR / "baek-2025-01-26.md"


# --------------------------------------------------------------------------- the tails, by enumeration


def _brute(pmfs: list[np.ndarray], observed: int) -> tuple[float, float, float]:
    """P(total ≥ observed), P(total ≤ observed), E[total]/2 by listing every combination of outcomes."""
    right = left = mean = 0.0
    for combo in itertools.product(*[range(len(p)) for p in pmfs]):
        chance = math.prod(p[k] for p, k in zip(pmfs, combo, strict=True))
        total = sum(combo)
        right += chance if total >= observed else 0.0
        left += chance if total <= observed else 0.0
        mean += chance * total / 2
    return right, left, mean


def test_tails_match_a_brute_force_enumeration() -> None:
    rng = np.random.default_rng(11)
    for sizes in ((3, 3, 3, 3), (5, 3, 7), (3,), (9, 5)):
        pmfs = [rng.dirichlet(np.ones(n)) for n in sizes]
        for observed in range(sum(n - 1 for n in sizes) + 1):
            assert tr.tails(pmfs, observed) == pytest.approx(_brute(pmfs, observed))


def test_single_calls_give_the_poisson_binomial() -> None:
    base = [0.25, 0.5, 0.25, 0.47, 0.58, 0.9]
    for held in range(len(base) + 1):
        right = sum(math.prod(p if hit else 1 - p for p, hit in zip(base, hits, strict=True))
                    for hits in itertools.product((0, 1), repeat=len(base)) if sum(hits) >= held)
        left = sum(math.prod(p if hit else 1 - p for p, hit in zip(base, hits, strict=True))
                   for hits in itertools.product((0, 1), repeat=len(base)) if sum(hits) <= held)
        got = tr.tails([np.array([1 - p, 0.0, p]) for p in base], 2 * held)
        assert got == pytest.approx((right, left, sum(base)))


# --------------------------------------------------------------------------- Baek's record from the CSVs


def _null(outcomes: list[float], calls: int) -> np.ndarray:
    """A group's chance distribution in half points: its stretches, plus one stretch of fair coins."""
    halves = np.bincount(np.rint(np.array(outcomes) * 2).astype(int), minlength=2 * calls + 1) / len(outcomes)
    coins = np.zeros(2 * calls + 1)
    coins[::2] = [math.comb(calls, k) / 2 ** calls for k in range(calls + 1)]
    return (len(outcomes) * halves + coins) / (len(outcomes) + 1)


def test_baek_record_recomputed_from_the_csvs(market_dir: Path) -> None:
    column = load_commentary(BAEK)
    prices, _ = prices_from(market_dir)
    primary = {(r.claim_id, r.source): r for r in readings(column.claims, prices, column.published) if r.primary}
    cn, us = list(column.baskets["cn_tech"]), list(column.baskets["us_bigtech"])
    anchor = np.datetime64(primary[("cn-tech-rebounds", "yahoo")].reference_date)

    # The three equity calls share their data and year: one group, replayed on whole past years together.
    year = primary[("cn-tech-rebounds", "yahoo")].chances.window_days
    first = max(series(market_dir, s)[0][0] for s in cn + us)
    equity = []
    for k in range(1, 50):
        start, end = anchor - np.timedelta64(k * year, "D"), anchor - np.timedelta64((k - 1) * year, "D")
        if start < first:
            break
        c, u = basket_move(market_dir, cn, start, end), basket_move(market_dir, us, start, end)
        equity.append(float(c - u > 0) + float(c > 0) + float(u < 0))

    # The two FX calls: same rate, same week (both sources each): one group, replayed on stretches that keep each
    # source's own reference and window (offsets from the group's first reference).
    legs = {(c, s): primary[(c, s)] for c in ("usdkrw-keeps-falling", "indictment-no-fx-move")
            for s in ("yahoo", "ecb")}
    start0 = min(np.datetime64(r.reference_date) for r in legs.values())
    offset = {k: (np.datetime64(r.reference_date) - start0).astype(int) for k, r in legs.items()}
    span = max(offset[k] + r.chances.window_days for k, r in legs.items())
    first = max(series(market_dir, s)[0][0] for s in ("KRW=X", "USDKRW_ECB"))
    symbol = {"yahoo": "KRW=X", "ecb": "USDKRW_ECB"}
    fx = []
    for k in range(1, 1000):
        tile = start0 - np.timedelta64(k * span, "D")
        if tile < first:
            break
        hits = {}
        for (claim, source), r in legs.items():
            start = tile + np.timedelta64(offset[(claim, source)], "D")
            move = basket_move(market_dir, [symbol[source]], start, start + np.timedelta64(r.chances.window_days, "D"))
            hits[(claim, source)] = move < 0 if claim == "usdkrw-keeps-falling" else abs(move) < 1.0
        fx.append(sum(np.mean([hits[(c, s)] for s in ("yahoo", "ecb")]) for c in
                      ("usdkrw-keeps-falling", "indictment-no-fx-move")))

    pmfs = [_null(equity, 3), _null(fx, 2)]
    observed = sum(np.mean([primary[(c.id, s)].verdict == "held" for s in ("yahoo", "ecb") if (c.id, s) in primary])
                   for c in column.claims)
    right, left, expected = _brute(pmfs, round(observed * 2))

    rows, record = tr.records_for([column], prices)
    mine = record.set_index("author").loc[column.author]
    assert (mine["n"], mine["groups"], mine["held"]) == (5, 2, observed)
    assert (mine["p_value"], mine["p_as_bad"], mine["expected"]) == pytest.approx((right, left, expected))
    assert mine["finding"] == tr.finding(5, right, left)
    assert list(rows["group"]) == [1, 1, 1, 2, 2]  # the equity calls together, the FX calls together


# --------------------------------------------------------------------------- hand-built calls


PUB = pd.Timestamp("2025-01-26 00:00", tz="Asia/Seoul").tz_convert("UTC")


def _claim(cid: str, rule_type: str, params: dict, horizon: str = "1W") -> Claim:
    rule, problems = validate_rule(rule_type, params)
    assert not problems
    h = parse_horizon(horizon, dt.date(2025, 1, 26))
    return Claim(cid, cid, cid, rule, (h,), h.id)


def _item(*claims: Claim, author: str = "A", cid: str = "a-2025-01-26") -> Commentary:
    return replace(load_commentary(BAEK), id=cid, author=author, claims=tuple(claims))


def _prices(closes: dict[str, dict[pd.Timestamp, float]]) -> pd.DataFrame:
    rows = [{"date": d, "symbol": s, "open": None, "high": None, "low": None, "close": v, "adj_close": None,
             "volume": None} for s, points in closes.items() for d, v in points.items()]
    return normalise(pd.DataFrame(rows))


def _falling_then_up(days: int = 150) -> dict[pd.Timestamp, float]:
    before = pd.bdate_range(end="2025-01-24", periods=days)
    out = {d: 1000.0 - i for i, d in enumerate(before)}
    return out | {d: 2000.0 for d in pd.bdate_range("2025-01-27", "2025-02-07")}


def test_a_call_that_never_held_before_but_held_now_is_not_certain_skill() -> None:
    prices = _prices({"NVDA": _falling_then_up()})
    _rows, record = tr.records_for([_item(_claim("up", "direction", {"series": "NVDA", "direction": "up"}))], prices)
    rec = record.iloc[0]
    n = (pd.Timestamp("2025-01-24") - pd.bdate_range(end="2025-01-24", periods=150)[0]).days // 9
    # every past 9-day stretch fell: chance = one imaginary coin-toss stretch among n + 1
    assert (rec["n"], rec["held"]) == (1, 1.0)
    assert rec["p_value"] == pytest.approx(0.5 / (n + 1)) and rec["p_as_bad"] == 1.0
    assert rec["finding"] == "better"


def test_too_little_history_leaves_a_call_unrated_and_pending_ones_wait() -> None:
    short = {d: 100.0 + i for i, d in enumerate(pd.bdate_range("2025-01-06", "2025-02-07"))}  # 2 past 9-day stretches
    prices = _prices({"NVDA": short, "AAPL": _falling_then_up()})
    item = _item(_claim("nvda", "direction", {"series": "NVDA", "direction": "up"}),
                 _claim("aapl", "direction", {"series": "AAPL", "direction": "up"}),
                 _claim("later", "direction", {"series": "AAPL", "direction": "up"}, "2026-06-30"))
    rows, record = tr.records_for([item], prices)
    rec = record.iloc[0]
    assert (rec["claims"], rec["n"], rec["unrated"], rec["pending"]) == (3, 1, 1, 1)
    long = (pd.Timestamp("2025-01-24") - min(_falling_then_up())).days // 9
    assert list(rows["verdict"]) == ["held", "held", "too early"] and list(rows["windows"]) == [2, long, 0]


def test_a_stretch_with_a_gap_in_one_source_is_left_out() -> None:
    ecb = {d: 1400.0 for d in pd.bdate_range("2024-06-03", "2025-01-31")}
    yahoo = {d: v for d, v in ecb.items() if not pd.Timestamp("2024-09-02") <= d <= pd.Timestamp("2024-09-30")}
    prices = _prices({"KRW=X": yahoo, "USDKRW_ECB": ecb})
    call = tr.calls_for(_item(claim := _claim("calm", "no_move", {"symbol": "KRW=X", "threshold_pct": 1.0})),
                        readings([claim], prices, PUB))[0]
    assert [leg.source for leg in call.legs] == ["yahoo", "ecb"] and call.score == 1.0
    pmf, n = tr.group_null([call], wide_prices(prices))
    stored = pd.DatetimeIndex(sorted(yahoo))
    ref, expected = pd.Timestamp("2025-01-24"), 0
    for k in range(1, 100):
        start, end = ref - pd.Timedelta(days=9 * k), ref - pd.Timedelta(days=9 * (k - 1))
        if start < stored[0]:
            break
        fresh = [(day - stored[stored <= day][-1]).days <= odds.STALE_DAYS for day in (start, end)]
        expected += all(fresh)
    assert n == expected < k - 1
    assert pmf == pytest.approx((n * np.array([0, 0, 1.0]) + [0.5, 0, 0.5]) / (n + 1))  # flat: always calm


def _call(cid: str, start: str, days: int, *series: str | list[str], held: tuple[bool, ...] = ()) -> tr.Call:
    """A call with one leg per ``series`` (a symbol, or a list of symbols: a basket), all held unless told."""
    legs = []
    for i, one in enumerate(series):
        rule, _ = validate_rule("direction", {"series": one, "direction": "up"})
        legs.append(tr.Leg("data", odds.Target(rule), pd.Timestamp(start), days, held[i] if held else True, 0.5, 10))
    return tr.Call("A", "x", cid, "direction", "held", tuple(legs))


def test_calls_on_the_same_series_over_overlapping_windows_are_grouped() -> None:
    a = _call("a", "2025-01-24", 30, "NVDA")
    b = _call("b", "2025-02-10", 30, "NVDA")  # overlaps a
    c = _call("c", "2025-03-20", 30, "NVDA")  # after a and b: independent of them
    d = _call("d", "2025-01-24", 30, "AAPL")  # another series
    e = _call("e", "2025-01-24", 9, "USDKRW_ECB")
    f = _call("f", "2025-01-28", 9, "KRW=X")  # the same rate from its other source
    g = _call("g", "2025-02-20", 30, "AAPL")  # overlaps d only ...
    h = _call("h", "2025-03-15", 10, ["AAPL", "NVDA"])  # ... and this basket bridges g and c
    groups = [[x.claim_id for x in grp] for grp in tr.groups([a, b, c, d, e, f, g])]
    assert groups == [["a", "b"], ["c"], ["d", "g"], ["e", "f"]]
    assert [[x.claim_id for x in grp] for grp in tr.groups([c, g, h])] == [["c", "g", "h"]]  # transitively


def test_a_source_dependent_call_scores_half() -> None:
    split = _call("split", "2025-01-24", 9, "KRW=X", "USDKRW_ECB", held=(True, False))
    assert split.score == 0.5 and math.isnan(tr.Call("A", "x", "p", "direction", "too early").score)


def test_a_group_on_a_series_the_prices_lack_has_no_chance_distribution() -> None:
    frame = pd.DataFrame({"AAPL": [1.0, 2.0]}, index=pd.to_datetime(["2025-01-02", "2025-01-03"]))
    assert tr.group_null([_call("gone", "2025-01-24", 9, "NVDA")], frame) == (None, 0)
    assert tr.group_null([_call("blank", "2025-01-24", 9, "NVDA")], frame.assign(NVDA=math.nan)) == (None, 0)
