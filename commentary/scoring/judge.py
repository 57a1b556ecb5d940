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
from commentary.scoring.rules import Rule, SeriesRef, ref_name
from commentary.text.formatting import fmt_number, fmt_pct, fmt_pp
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


def judge(rule: Rule, m: dict[str, Measured], refs: dict[str, SeriesRef]) -> tuple[float, str, bool, str, str]:
    """(measured, unit, held, detail in English, detail in Korean)."""
    p = rule.params
    en = {k: ref_name(r, "en") for k, r in refs.items()}
    ko = {k: ref_name(r, "ko") for k, r in refs.items()}
    if rule.type == "outperform":
        a, b = m["a"], m["b"]
        measured = a.change_pct - b.change_pct
        held = measured > p["margin_pp"]
        detail = (f"{en['a']} {fmt_pct(a.change_pct)} vs {en['b']} {fmt_pct(b.change_pct)}: "
                  f"{fmt_pp(measured)} ({'>' if held else '<='} margin {fmt_pp(p['margin_pp'])})")
        detail_ko = (f"{ko['a']} {fmt_pct(a.change_pct)} 대 {ko['b']} {fmt_pct(b.change_pct)}: "
                     f"{fmt_pp(measured, lang='ko')} (기준 {fmt_pp(p['margin_pp'], lang='ko')} "
                     f"{'초과' if held else '이하'})")
        return measured, "pp", held, detail, detail_ko
    if rule.type in ("direction", "no_move"):
        key = "series" if rule.type == "direction" else "symbol"
        w = m[key]
        measured = w.change_pct
        threshold = p["threshold_pct"]
        move = f"{fmt_number(w.ref_value, 2)} → {fmt_number(w.end_value, 2)} ({fmt_pct(measured, 2)})"
        if rule.type == "direction":
            held = measured < -threshold if p["direction"] == "down" else measured > threshold
            word = "하락" if p["direction"] == "down" else "상승"
            return (measured, "%", held,
                    f"{en[key]} {move}; claim: {p['direction']} by more than {fmt_number(threshold, 2)}%",
                    f"{ko[key]} {move}; 주장: {fmt_number(threshold, 2)}% 넘게 {word}")
        held = abs(measured) < threshold
        return (measured, "%", held, f"{en[key]} {move}; claim: |change| < {fmt_number(threshold, 2)}%",
                f"{ko[key]} {move}; 주장: 변동폭 {fmt_number(threshold, 2)}% 미만")
    w = m["symbol"]
    level, below = p["level"], p["side"] == "below"
    side_ko = "아래" if below else "위"
    if rule.type == "level":
        measured = w.end_value
        held = measured < level if below else measured > level
        inst = instrument(refs["symbol"].symbols[0])
        unit = inst.currency if inst is not None else "level"
        return (measured, unit, held,
                f"end-point: {en['symbol']} at {fmt_number(measured, 2)} on {w.end_date.date()}; "
                f"claim: {p['side']} {fmt_number(level, 2)} at the horizon's end",
                f"기간 끝 기준: {ko['symbol']} {w.end_date.date()} {fmt_number(measured, 2)}; "
                f"주장: 기간 끝에 {fmt_number(level, 2)} {side_ko}")
    path = w.path
    if rule.type == "touches":
        return touches(w, level, below, refs["symbol"].symbols[0], en["symbol"], ko["symbol"])
    right = (path < level) if below else (path > level)
    share = float(right.mean() * 100.0) if len(path) else math.nan
    held = len(path) > 0 and share >= p["share_pct"]
    worst = float(path.max() if below else path.min()) if len(path) else math.nan
    return (share, "% of prints", held,
            f"path: {int(right.sum())} of {len(path)} prints {p['side']} {fmt_number(level, 2)} "
            f"({fmt_number(share, 1)}%, needed {fmt_number(p['share_pct'], 0)}%); "
            f"{'highest' if below else 'lowest'} {fmt_number(worst, 2)}",
            f"경로 기준: {len(path)}개 중 {int(right.sum())}개가 {fmt_number(level, 2)} {side_ko} "
            f"({fmt_number(share, 1)}%, 필요 {fmt_number(p['share_pct'], 0)}%); "
            f"{'최고' if below else '최저'} {fmt_number(worst, 2)}")


def touches(w: Measured, level: float, below: bool, symbol: str, name_en: str, name_ko: str,
             ) -> tuple[float, str, bool, str, str]:
    """touches: held when any print after the reference, up to the end, is at or beyond the level."""
    path = w.path
    inst = instrument(symbol)
    unit = inst.currency if inst is not None else "level"
    if path.empty:
        return math.nan, unit, False, "", ""
    when = path.idxmin() if below else path.idxmax()
    extreme = float(path.loc[when])
    held = extreme <= level if below else extreme >= level
    day, shown, line = when.date().isoformat(), fmt_number(extreme, 2), fmt_number(level, 2)
    en = (f"path: {'lowest' if below else 'highest'} print of {name_en} {shown} on {day}; "
          f"claim: reaches {line} or {'lower' if below else 'higher'} before the horizon's end")
    ko = (f"경로 기준: {name_ko} {'최저' if below else '최고'} {shown} ({day}); "
          f"주장: 기간 끝 전에 {line} {'이하' if below else '이상'} 도달")
    return extreme, unit, held, en, ko


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
