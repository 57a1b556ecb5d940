"""Korean/English number and date formatting."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from commentary.text.formatting import MISSING, fmt_date, fmt_krw, fmt_number, fmt_pct, fmt_pp


def test_fmt_krw_both_languages() -> None:
    assert fmt_krw(1431.3, "ko") == "1,431.3원"
    assert fmt_krw(1431.3, "en") == "₩1,431.3"
    assert fmt_krw(1486.66, "ko") == "1,486.7원"
    assert fmt_krw(1430, "en", decimals=0) == "₩1,430"
    assert fmt_krw(-6.0, "ko") == "-6.0원"
    assert fmt_krw(-6.0, "en") == "-₩6.0"


def test_fmt_pct_signs_and_rounding() -> None:
    assert fmt_pct(12.4) == "+12.4%"
    assert fmt_pct(-16.97) == "-17.0%"
    assert fmt_pct(-3.07, 2) == "-3.07%"
    assert fmt_pct(0) == "0.0%"
    assert fmt_pct(-0.04) == "0.0%"  # no "-0.0%"
    assert fmt_pct(1234.5) == "+1,234.5%"


def test_fmt_pp_both_languages() -> None:
    assert fmt_pp(25.52, lang="ko") == "+25.5%p"
    assert fmt_pp(25.52, lang="en") == "+25.5 pp"
    assert fmt_pp(-4.65, lang="en") == "-4.7 pp"


def test_fmt_date_both_languages_and_types() -> None:
    assert fmt_date(dt.date(2025, 1, 24), "ko") == "2025년 1월 24일"
    assert fmt_date(dt.date(2025, 1, 24), "en") == "Jan 24, 2025"
    assert fmt_date(pd.Timestamp("2025-12-05"), "en") == "Dec 5, 2025"
    assert fmt_date("2026-01-23", "ko") == "2026년 1월 23일"


def test_fmt_number() -> None:
    assert fmt_number(19341.83, 2) == "19,341.83"
    assert fmt_number(118.381, 1) == "118.4"
    assert fmt_number(5.0, 1, sign=True) == "+5.0"


@pytest.mark.parametrize("func", [fmt_krw, fmt_pct, fmt_pp, fmt_number, fmt_date])
def test_missing_values_give_a_dash(func) -> None:
    assert func(None) == MISSING
    if func is not fmt_date:
        assert func(math.nan) == MISSING
    assert fmt_date(pd.NaT) == MISSING
