"""Numbers and percents (the same in every language)."""

from __future__ import annotations

import math

import pytest

from commentary.text.formatting import MISSING, fmt_number, fmt_pct


def test_fmt_pct_signs_and_rounding() -> None:
    assert fmt_pct(12.4) == "+12.4%"
    assert fmt_pct(-16.97) == "-17.0%"
    assert fmt_pct(-3.07, 2) == "-3.07%"
    assert fmt_pct(0) == "0.0%"
    assert fmt_pct(-0.04) == "0.0%"  # no "-0.0%"
    assert fmt_pct(1234.5) == "+1,234.5%"


def test_fmt_number() -> None:
    assert fmt_number(19341.83, 2) == "19,341.83"
    assert fmt_number(118.381, 1) == "118.4"
    assert fmt_number(5.0, 1, sign=True) == "+5.0"
    assert fmt_number(-0.04, 1, sign=True) == "0.0"


@pytest.mark.parametrize("func", [fmt_pct, fmt_number])
def test_missing_values_give_a_dash(func) -> None:
    assert func(None) == MISSING
    assert func(math.nan) == MISSING
