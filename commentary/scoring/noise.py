"""How big a move is against the series' own noise: daily volatility, z-score and a strength label.

``z = measured / (σ_daily × √n)`` where ``σ_daily`` is the sample standard deviation (ddof=1) of the
series' daily simple returns over the :data:`VOL_WINDOW` trading days before (and up to) the reference
date, and ``n`` the number of the series' trading days in the window after it.  ``measured`` and
``σ_daily`` are both in percent.  Labels: strong (|z| ≥ 2), weak (1 ≤ |z| < 2), within noise (|z| < 1).
"""

from __future__ import annotations

import math

import pandas as pd

VOL_WINDOW = 250
MIN_RETURNS = 60  # fewer daily returns than this before the reference: no z-score
STRENGTHS: tuple[str, ...] = ("strong", "weak", "within noise", "n/a")
STRENGTH_LABELS: dict[str, dict[str, str]] = {
    "strong": {"ko": "뚜렷함", "en": "strong"},
    "weak": {"ko": "약함", "en": "weak"},
    "within noise": {"ko": "잡음 수준", "en": "within noise"},
    "n/a": {"ko": "판단 불가", "en": "n/a"},
}


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


def strength(z: float) -> str:
    """strong / weak / within noise from |z|; "n/a" when z is unknown."""
    if not math.isfinite(z):
        return "n/a"
    size = abs(z)
    if size >= 2:
        return "strong"
    if size >= 1:
        return "weak"
    return "within noise"
