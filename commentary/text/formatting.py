"""Numbers and percents for the column's text and tables, the same in every language.

A missing value (None or NaN) gives :data:`MISSING`; negative numbers use an ASCII minus. Words that depend on the
reader's language (a date, the won sign, percentage points) come from :class:`commentary.words.Words`.
"""

from __future__ import annotations

import math

MISSING = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    """``1431.3`` → ``"1,431.3"`` (thousands separators; ``sign=True`` adds ``+`` to positives)."""
    if _missing(value):
        return MISSING
    value = float(value)
    text = f"{value:+,.{decimals}f}" if sign else f"{value:,.{decimals}f}"
    if text.lstrip("+-").strip("0.,") == "":  # -0.0 and +0.0 both print as 0.0
        text = f"{0.0:,.{decimals}f}"
    return text


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """Signed percent: ``12.4`` → ``"+12.4%"``, ``-3.07`` → ``"-3.1%"``, ``0`` → ``"0.0%"``."""
    if _missing(value):
        return MISSING
    return f"{fmt_number(value, decimals, sign=True)}%"
