"""The reader's words handed to the domain (ui.words): dates and the won in each language, from the catalogs."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from commentary.text.formatting import fmt_number
from commentary.words import Words
from ui.words import words


def test_dates_in_each_form_and_language() -> None:
    ko, en = words("ko"), words("en")
    assert isinstance(ko, Words) and isinstance(en, Words)
    assert ko.date(dt.date(2025, 1, 24)) == "2025년 1월 24일"
    assert en.date(dt.date(2025, 1, 24)) == "Jan 24, 2025"
    assert en.date(pd.Timestamp("2025-12-05")) == "Dec 5, 2025"
    assert ko.date("2026-01-23") == "2026년 1월 23일"
    assert ko.date("2025-01-27", "short") == "1월 27일" and en.date("2025-01-27", "short") == "Jan 27"
    assert ko.date("2025-02-03", "month") == "2025년 2월" and en.date("2025-02-03", "month") == "Feb 2025"
    assert en.date(pd.Timestamp("2025-01-27 09:05"), "minute") == "Jan 27 09:05"


@pytest.mark.parametrize("missing", [None, math.nan, pd.NaT])
def test_a_missing_day_reads_a_dash(missing) -> None:
    assert words("ko").date(missing) == words("en").date(missing) == "–"


def test_the_won_sits_where_each_language_puts_it() -> None:
    value = fmt_number(1431.3, 1)
    assert words("ko")("unit.won", value=value) == "1,431.3원"
    assert words("en")("unit.won", value=value) == "₩1,431.3"


def test_an_unknown_language_reads_english() -> None:
    assert words("fr").language == "en" and words("fr").date("2025-01-24") == "Jan 24, 2025"
