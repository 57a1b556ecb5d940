"""How big a move is against the series' own noise: daily volatility, z-score and a strength label.

``z = measured / (σ_daily × √n)`` where ``σ_daily`` is the sample standard deviation (ddof=1) of the
series' daily simple returns over the :data:`VOL_WINDOW` trading days before (and up to) the reference
date, and ``n`` the number of the series' trading days in the window after it.  ``measured`` and
``σ_daily`` are both in percent.  ``σ_daily × √n`` is the window's *usual swing*: the strength of a
verdict (:func:`strength`) is how many usual swings the result sat from the rule's line, except for
``no_move``, where it is how far inside (or outside) the band the move stayed.
"""

from __future__ import annotations

import math

import pandas as pd

VOL_WINDOW = 250
MIN_RETURNS = 60  # fewer daily returns than this before the reference: no z-score
#: How decisively a verdict was reached: "clear" or "narrow" (see :func:`strength`), "n/a" without a margin.
STRENGTHS: tuple[str, ...] = ("clear", "narrow", "n/a")
#: |margin| from which a verdict is "clear": one usual swing of the window (σ × √days) past the rule's line.
CLEAR_SWINGS = 1.0
#: no_move: |margin| from which it is "clear": the move stayed in the inner half of the band (or overshot it by half).
CLEAR_BAND = 0.5


def daily_vol_pct(returns: pd.Series, reference: pd.Timestamp, window: int = VOL_WINDOW) -> float:
    """σ of the last ``window`` daily returns (in %) dated on or before ``reference``; NaN if too few."""
    before = returns.loc[:reference].dropna().tail(window)
    if len(before) < MIN_RETURNS:
        return math.nan
    return float(before.std(ddof=1)) * 100.0


def z_score(measured: float, sigma_pct: float, days: int) -> float:
    """``measured / (sigma_pct × √days)``; NaN when σ is unknown or zero or the window is empty."""
    if not math.isfinite(sigma_pct) or sigma_pct <= 0 or days <= 0 or not math.isfinite(measured):
        return math.nan
    return measured / (sigma_pct * math.sqrt(days))


def strength(margin: float, rule_type: str = "") -> str:
    """"clear" or "narrow" from a rule-aware margin (:func:`commentary.scoring.claims` ``margin``); "n/a" if unknown.

    The margin is signed in the claim's favour: for ``no_move`` it is how far inside the band the move stayed, as
    a share of the band (1 = no move at all, 0 = on the edge, < 0 outside); for the other rules the distance of
    the result from the rule's line in usual swings of the window.
    """
    if not math.isfinite(margin):
        return "n/a"
    limit = CLEAR_BAND if rule_type == "no_move" else CLEAR_SWINGS
    return "clear" if abs(margin) >= limit else "narrow"
