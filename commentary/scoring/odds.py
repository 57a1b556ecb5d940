"""Odds beside a verdict: how often the same call held in its own series' past, before publication.

**Windows.**  Non-overlapping windows as long as the claim's (from its reference print to its horizon's
end, in calendar days), laid end to end backwards from the reference print: window 1 ends on the
reference date, window 2 ends where window 1 starts, and so on while every series the rule needs has
prints.  Each series is read at its last print on or before a window's start and end, as the claim is
read.  Windows end on the reference date at the latest, so only prints dated on or before it are
read: every window ends before the publication (no look-ahead).  Neighbouring windows share only an
end point: each is an independent draw, and their count is the sample size shown beside the odds.

**The same rule.**  A window is judged by the claim's own rule on its own statistic
(:func:`statistic`): the return or return difference for ``direction``/``outperform``, the size of
the move for ``no_move``, and, for the level rules (``level``, ``stays``, ``touches``), the level taken
as the same distance from the window's start as it stood from the claim's reference print.

**Odds.**  ``base_rate`` is the share of windows in which the rule held; ``percentile`` the claim's
statistic's mid-rank among the windows' (0–100: the share below it, ties counted half);
``as_extreme`` the share of windows at least as favourable to the claim as its outcome.  The call is
"easy" when the base rate is at least :data:`EASY`, "strong" when it is at most :data:`HARD` and the
call held ("long shot" when it failed), "toss-up" in between; no odds with fewer than
:data:`MIN_WINDOWS` windows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from commentary.scoring.rules import Rule, SeriesRef

#: Base rate at or above which a call is "easy": a hit on it is at most 1/0.6 ≈ 1.7 times likelier with skill.
EASY = 0.60
#: Base rate at or below which a held call is "strong" (a hit is at least 1/0.3 ≈ 3.3 times likelier).
HARD = 0.30
#: Fewer windows than this: no odds (one window would move the share by more than a quarter).
MIN_WINDOWS = 4
#: A print older than this many days at a window's start or end does not stand for it (a gap in the data).
STALE_DAYS = 10
LEVEL_RULES: tuple[str, ...] = ("level", "stays", "touches")
CALLS: tuple[str, ...] = ("easy", "strong", "long shot", "toss-up")


@dataclass(frozen=True)
class Target:
    """A rule as a window is judged by it; ``reference`` is the claim's reference print (level rules)."""

    rule: Rule
    reference: float = math.nan

    @property
    def rel_pct(self) -> float:
        """Level rules: the level as a % move from the reference print (NaN for the others)."""
        if self.rule.type not in LEVEL_RULES or not (self.reference > 0):
            return math.nan
        return (float(self.rule.params["level"]) / self.reference - 1.0) * 100.0


@dataclass(frozen=True)
class Odds:
    """A reading's odds against its own series' past (see the module's docstring)."""

    base_rate: float = math.nan
    windows: int = 0
    percentile: float = math.nan
    as_extreme: float = math.nan
    window_days: int = 0
    call: str = ""


def target(rule: Rule, reference_values: Mapping[str, float]) -> Target:
    """The :class:`Target` of a reading: level rules keep the reference print of their symbol."""
    if rule.type in LEVEL_RULES:
        ref = rule.params["symbol"]
        return Target(rule, float(reference_values.get(ref.label, math.nan)))
    return Target(rule)


def statistic(t: Target, measured: float | None) -> float:
    """The claim's own statistic from its reading's ``measured`` value (same units as :func:`window_stats`)."""
    if measured is None or not math.isfinite(measured):
        return math.nan
    if t.rule.type == "no_move":
        return abs(measured)
    if t.rule.type in ("level", "touches"):
        return (measured / t.reference - 1.0) * 100.0 if t.reference > 0 else math.nan
    return float(measured)  # outperform (pp), direction (%), stays (% of prints)


def held(t: Target, stat: np.ndarray | float) -> np.ndarray:
    """Whether the rule holds for each statistic (False where the statistic is NaN)."""
    x = np.asarray(stat, dtype=float)
    p = t.rule.params
    kind = t.rule.type
    with np.errstate(invalid="ignore"):
        if kind == "outperform":
            return x > p["margin_pp"]
        if kind == "direction":
            return x < -p["threshold_pct"] if p["direction"] == "down" else x > p["threshold_pct"]
        if kind == "no_move":
            return x < p["threshold_pct"]
        if kind == "stays":
            return x >= p["share_pct"]
        below = p["side"] == "below"
        if kind == "level":
            return x < t.rel_pct if below else x > t.rel_pct
        return x <= t.rel_pct if below else x >= t.rel_pct  # touches


def favours_higher(t: Target) -> bool:
    """Whether a higher statistic is better for the claim."""
    p = t.rule.params
    if t.rule.type == "no_move":
        return False
    if t.rule.type == "direction":
        return p["direction"] == "up"
    if t.rule.type in ("level", "touches"):
        return p["side"] == "above"
    return True


def _values(column: pd.Series, days: pd.DatetimeIndex) -> np.ndarray:
    """Each date's last print on or before it (NaN before the first or when older than :data:`STALE_DAYS`)."""
    dates = column.index.to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(dates, days.to_numpy(dtype="datetime64[ns]"), side="right") - 1
    safe = np.clip(pos, 0, max(len(dates) - 1, 0))
    out = column.to_numpy(dtype=float)[safe] if len(dates) else np.full(len(days), np.nan)
    age = (days.to_numpy(dtype="datetime64[ns]") - dates[safe]) if len(dates) else None
    bad = (pos < 0) | (age > np.timedelta64(STALE_DAYS, "D")) if age is not None else np.ones(len(days), bool)
    return np.where(bad, np.nan, out)


def _change_pct(ref: SeriesRef, columns: Mapping[str, pd.Series], starts: pd.DatetimeIndex,
                ends: pd.DatetimeIndex) -> np.ndarray:
    """Equal-weight buy-and-hold return (%) of ``ref`` over each window (NaN where a member has no print)."""
    rets = [_values(columns[s], ends) / _values(columns[s], starts) - 1.0 for s in ref.symbols]
    return np.mean(rets, axis=0) * 100.0


def _path_stat(t: Target, column: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> float:
    first = _values(column, pd.DatetimeIndex([start]))[0]
    path = column[(column.index > start) & (column.index <= end)].to_numpy(dtype=float)
    if not math.isfinite(first) or len(path) == 0:
        return math.nan
    moves = (path / first - 1.0) * 100.0
    below = t.rule.params["side"] == "below"
    if t.rule.type == "stays":
        right = moves < t.rel_pct if below else moves > t.rel_pct
        return float(right.mean() * 100.0)
    return float(moves.min() if below else moves.max())  # touches: how far the path reached


def window_stats(t: Target, columns: Mapping[str, pd.Series], starts: pd.DatetimeIndex,
                 ends: pd.DatetimeIndex) -> np.ndarray:
    """The rule's statistic over each window ``(starts[i], ends[i]]`` (NaN where it cannot be read)."""
    p = t.rule.params
    if not len(starts):
        return np.array([], dtype=float)
    if t.rule.type == "outperform":
        return _change_pct(p["a"], columns, starts, ends) - _change_pct(p["b"], columns, starts, ends)
    if t.rule.type in ("direction", "no_move"):
        move = _change_pct(p["series" if t.rule.type == "direction" else "symbol"], columns, starts, ends)
        return np.abs(move) if t.rule.type == "no_move" else move
    if t.rule.type == "level":
        return _change_pct(p["symbol"], columns, starts, ends)
    column = columns[p["symbol"].symbols[0]]
    return np.array([_path_stat(t, column, s, e) for s, e in zip(starts, ends, strict=True)])


def tiles(reference: pd.Timestamp, days: int, first: pd.Timestamp) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """``(starts, ends)`` of the non-overlapping ``days``-long windows ending on ``reference``, back to ``first``."""
    if days <= 0:
        return pd.DatetimeIndex([]), pd.DatetimeIndex([])
    count = max(int((reference - first).days // days), 0)
    ends = pd.DatetimeIndex(reference - pd.to_timedelta(np.arange(count) * days, unit="D"))
    return ends - pd.Timedelta(days=days), ends


def prints(columns: Mapping[str, pd.Series]) -> dict[str, pd.Series]:
    """Each column's prints (NaNs dropped).  Windows from :func:`tiles` end on the reference date, so no print
    dated after it is ever read."""
    return {s: c.dropna() for s, c in columns.items()}


def call(base_rate: float, verdict: str) -> str:
    """"easy", "strong", "long shot" or "toss-up" from the base rate and verdict ("" without odds or a verdict)."""
    if not math.isfinite(base_rate) or verdict not in ("held", "failed"):
        return ""
    if base_rate >= EASY:
        return "easy"
    if base_rate <= HARD:
        return "strong" if verdict == "held" else "long shot"
    return "toss-up"


def reading_odds(t: Target, columns: Mapping[str, pd.Series], reference: pd.Timestamp, days: int,
                 stat: float, verdict: str) -> Odds:
    """The odds of one reading: ``columns`` are the rule's symbols' prints, ``reference`` the claim's reference
    date, ``days`` its window's length and ``stat`` its own :func:`statistic`."""
    past = prints(columns)
    if any(c.empty for c in past.values()):
        return Odds(window_days=days)
    first = max(c.index[0] for c in past.values())
    stats = window_stats(t, past, *tiles(reference, days, first))
    stats = stats[np.isfinite(stats)]
    n = len(stats)
    if n < MIN_WINDOWS:
        return Odds(windows=n, window_days=days)
    rate = float(held(t, stats).mean())
    if math.isfinite(stat):
        below, ties = float((stats < stat).sum()), float((stats == stat).sum())
        percentile = (below + ties / 2.0) / n * 100.0
        as_extreme = float((stats >= stat).mean() if favours_higher(t) else (stats <= stat).mean())
    else:
        percentile = as_extreme = math.nan
    return Odds(rate, n, percentile, as_extreme, days, call(rate, verdict))
