"""One claim's window judged: the measured series, the rule's verdict and details, its margin and noise inputs.

Pure functions over :class:`Measured` windows (built by :mod:`commentary.scoring.claims`); see that
module for the reference prints and horizons, :mod:`commentary.scoring.rules` for the rules and
:mod:`commentary.scoring.noise` for what the margin means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from commentary.scoring import noise
from commentary.scoring.rules import Rule, SeriesRef
from commentary.text.formatting import fmt_number, fmt_pct
from data_sources.errors import Problem
from data_sources.market.universe import instrument


@dataclass(frozen=True)
class Measured:
    """One series over one window: its level path, reference and end."""

    ref_date: pd.Timestamp
    end_date: pd.Timestamp
    ref_value: float
    end_value: float
    level: pd.Series  # the whole level history (price, or basket index = 100 at the reference)

    @property
    def change_pct(self) -> float:
        return (self.end_value / self.ref_value - 1.0) * 100.0

    @property
    def path(self) -> pd.Series:
        """Levels after the reference, up to and including the end."""
        lvl = self.level
        return lvl[(lvl.index > self.ref_date) & (lvl.index <= self.end_date)]

    @property
    def returns(self) -> pd.Series:
        return self.level.pct_change(fill_method=None)


def strength_inputs(rule: Rule, m: dict[str, Measured]) -> tuple[float, float, int]:
    """(the % move gauged, σ daily in %, trading days) for a rule's measured windows."""
    if rule.type == "outperform":
        a, b = m["a"], m["b"]
        both = pd.concat([a.returns.rename("a"), b.returns.rename("b")], axis=1, join="inner").dropna()
        rel = both["a"] - both["b"]
        ref_date = max(a.ref_date, b.ref_date)
        sigma = noise.daily_vol_pct(rel, ref_date)
        days = int(((rel.index > ref_date) & (rel.index <= max(a.end_date, b.end_date))).sum())
        return a.change_pct - b.change_pct, sigma, days
    w = m["series"] if "series" in m else m["symbol"]
    return w.change_pct, noise.daily_vol_pct(w.returns, w.ref_date), len(w.path)


def judge(rule: Rule, m: dict[str, Measured], refs: dict[str, SeriesRef]) -> tuple[float, str, bool, Problem]:
    """(measured, unit, held, detail): the detail is a catalog code (``scoring_words.detail.*``) with its numbers
    formatted and its series as :class:`SeriesRef` (:func:`commentary.scoring.summary.detail_text` words it)."""
    p = rule.params
    if rule.type == "outperform":
        a, b = m["a"], m["b"]
        measured = a.change_pct - b.change_pct
        held = measured > p["margin_pp"]
        code = "scoring_words.detail.outperform_above" if held else "scoring_words.detail.outperform_below"
        return measured, "pp", held, Problem(code, {
            "a": refs["a"], "a_change": fmt_pct(a.change_pct), "b": refs["b"], "b_change": fmt_pct(b.change_pct),
            "gap": fmt_number(measured, 1, sign=True), "margin": fmt_number(p["margin_pp"], 1, sign=True)})
    if rule.type in ("direction", "no_move"):
        key = "series" if rule.type == "direction" else "symbol"
        w = m[key]
        measured = w.change_pct
        threshold = p["threshold_pct"]
        said = {"name": refs[key], "threshold": fmt_number(threshold, 2),
                "move": f"{fmt_number(w.ref_value, 2)} → {fmt_number(w.end_value, 2)} ({fmt_pct(measured, 2)})"}
        if rule.type == "direction":
            down = p["direction"] == "down"
            held = measured < -threshold if down else measured > threshold
            code = "scoring_words.detail.direction_down" if down else "scoring_words.detail.direction_up"
            return measured, "%", held, Problem(code, said)
        return measured, "%", abs(measured) < threshold, Problem("scoring_words.detail.no_move", said)
    w = m["symbol"]
    level, below = p["level"], p["side"] == "below"
    if rule.type == "level":
        measured = w.end_value
        held = measured < level if below else measured > level
        inst = instrument(refs["symbol"].symbols[0])
        unit = inst.currency if inst is not None else "level"
        code = "scoring_words.detail.level_below" if below else "scoring_words.detail.level_above"
        return measured, unit, held, Problem(code, {"name": refs["symbol"], "value": fmt_number(measured, 2),
                                                    "day": str(w.end_date.date()), "level": fmt_number(level, 2)})
    path = w.path
    if rule.type == "touches":
        return touches(w, level, below, refs["symbol"])
    right = (path < level) if below else (path > level)
    share = float(right.mean() * 100.0) if len(path) else math.nan
    held = len(path) > 0 and share >= p["share_pct"]
    worst = float(path.max() if below else path.min()) if len(path) else math.nan
    code = "scoring_words.detail.stays_below" if below else "scoring_words.detail.stays_above"
    return share, "% of prints", held, Problem(code, {
        "hits": int(right.sum()), "prints": len(path), "level": fmt_number(level, 2), "share": fmt_number(share, 1),
        "needed": fmt_number(p["share_pct"], 0), "worst": fmt_number(worst, 2)})


def touches(w: Measured, level: float, below: bool, ref: SeriesRef) -> tuple[float, str, bool, Problem | None]:
    """touches: held when any print after the reference, up to the end, is at or beyond the level."""
    path = w.path
    inst = instrument(ref.symbols[0])
    unit = inst.currency if inst is not None else "level"
    if path.empty:
        return math.nan, unit, False, None
    when = path.idxmin() if below else path.idxmax()
    extreme = float(path.loc[when])
    held = extreme <= level if below else extreme >= level
    code = "scoring_words.detail.touches_below" if below else "scoring_words.detail.touches_above"
    return extreme, unit, held, Problem(code, {"name": ref, "value": fmt_number(extreme, 2),
                                               "day": when.date().isoformat(), "level": fmt_number(level, 2)})


def margin(rule: Rule, measured: float, m: dict[str, Measured], swing_pct: float) -> float:
    """How far the result sat from the rule's line, in the claim's favour (see :func:`noise.strength`).

    ``swing_pct`` is the window's usual swing (σ × √days, in %); ``no_move`` uses the band instead.
    """
    p = rule.params
    if not math.isfinite(measured):
        return math.nan
    if rule.type == "no_move":
        return (p["threshold_pct"] - abs(measured)) / p["threshold_pct"]
    if rule.type == "outperform":
        distance = measured - p["margin_pp"]
    elif rule.type == "direction":
        distance = measured - p["threshold_pct"] if p["direction"] == "up" else -p["threshold_pct"] - measured
    else:
        w, level, below = m["symbol"], p["level"], p["side"] == "below"
        if rule.type == "stays":
            share = p["share_pct"] / 100.0
            value = float(w.path.quantile(share if below else 1.0 - share))  # the print the share turns on (NaN: none)
        else:
            value = measured  # level: the end print; touches: the extreme print
        distance = ((level - value) if below else (value - level)) / w.ref_value * 100.0
    if not math.isfinite(swing_pct) or swing_pct <= 0:
        return math.nan
    return distance / swing_pct
