"""Korean/English number, money, percent and date formatting for the column's text and tables.

Every function takes ``lang`` ("ko" or "en"; anything else is treated as "en") and returns a plain
string; a missing value (None or NaN) gives :data:`MISSING`.  Negative numbers use an ASCII minus.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

MISSING = "–"

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | None, decimals: int = 1, lang: str = "en", sign: bool = False) -> str:
    """``1431.3`` → ``"1,431.3"`` (thousands separators; ``sign=True`` adds ``+`` to positives)."""
    if _missing(value):
        return MISSING
    value = float(value)
    text = f"{value:+,.{decimals}f}" if sign else f"{value:,.{decimals}f}"
    if text.lstrip("+-").strip("0.,") == "":  # -0.0 and +0.0 both print as 0.0
        text = f"{0.0:,.{decimals}f}"
    return text


def fmt_krw(value: float | None, lang: str = "ko", decimals: int = 1) -> str:
    """Won amount: ``"1,431.3원"`` (ko) or ``"₩1,431.3"`` (en)."""
    if _missing(value):
        return MISSING
    number = fmt_number(abs(float(value)), decimals)
    minus = "-" if float(value) < 0 and number.strip("0.,") else ""
    return f"{minus}{number}원" if lang == "ko" else f"{minus}₩{number}"


def fmt_pct(value: float | None, decimals: int = 1, lang: str = "en") -> str:
    """Signed percent: ``12.4`` → ``"+12.4%"``, ``-3.07`` → ``"-3.1%"``, ``0`` → ``"0.0%"``."""
    if _missing(value):
        return MISSING
    return f"{fmt_number(value, decimals, lang, sign=True)}%"


def fmt_pp(value: float | None, decimals: int = 1, lang: str = "en") -> str:
    """Signed percentage points: ``"+25.5%p"`` (ko, the Korean convention) or ``"+25.5 pp"`` (en)."""
    if _missing(value):
        return MISSING
    number = fmt_number(value, decimals, lang, sign=True)
    return f"{number}%p" if lang == "ko" else f"{number} pp"


def fmt_date(value: dt.date | dt.datetime | pd.Timestamp | str | None, lang: str = "en") -> str:
    """``2025-01-24`` → ``"2025년 1월 24일"`` (ko) or ``"Jan 24, 2025"`` (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return MISSING
    if lang == "ko":
        return f"{ts.year}년 {ts.month}월 {ts.day}일"
    return f"{_MONTHS_EN[ts.month - 1]} {ts.day}, {ts.year}"
