"""The extractor over the Baek column's original text (read from ../shared/seed, never copied here).

Only counts, symbols, rules and horizons are asserted; no sentence of the column appears in this file.
"""

from __future__ import annotations

import datetime as dt

import pytest

from commentary.extract import extract
from data_sources.market.universe import UNIVERSE
from tests.conftest import SHARED

US = ("NVDA", "MSFT", "AAPL", "GOOGL", "AMZN", "META", "TSLA", "AVGO")
CN = ("0700.HK", "3690.HK", "1810.HK", "BABA", "BIDU", "JD", "PDD")


@pytest.fixture(scope="module")
def seed_extraction():
    files = sorted((SHARED / "seed").glob("*.txt"))
    if not files:
        pytest.skip(f"the seed column is not at {SHARED / 'seed'}")
    return extract(files[0].read_text(encoding="utf-8"), dt.date(2025, 1, 26), instruments=UNIVERSE)


def test_the_columns_real_calls_are_proposed(seed_extraction) -> None:
    got = {(p.rule, p.symbols, p.direction, p.kind, p.horizon.label() if p.horizon else None)
           for p in seed_extraction.proposals}
    # US big tech loses steam in 2025, Chinese tech turns up in 2025, and so beats it; judged at year-end
    assert ("direction", US, "down", "forecast", "year-end (2025-12-31)") in got
    assert ("direction", CN, "up", "forecast", "year-end (2025-12-31)") in got
    assert ("outperform", CN + US, None, "forecast", "year-end (2025-12-31)") in got
    # the won's gains run on during the Seoul holiday closure (to the Thursday after publication)
    assert ("direction", ("KRW=X",), "down", "forecast", "2025-01-30") in got
    # the indictment does not move the rate
    assert ("no_move", ("KRW=X",), None, "forecast", "1W") in got


def test_the_facts_it_reports_are_marked_reported(seed_extraction) -> None:
    reported = [p for p in seed_extraction.proposals if p.kind == "reported"]
    assert {p.rule for p in reported} == {"direction", "level"}
    assert all(p.symbols == ("KRW=X",) and p.horizon is None for p in reported)
    (level,) = [p for p in reported if p.rule == "level"]
    assert level.params == {"symbol": "KRW=X", "level": 1430.0, "side": "below"}


def test_no_proposal_on_the_ai_model_paragraphs_nor_on_the_saying_about_markets(seed_extraction) -> None:
    # the column's remark that one market cannot always do well (and the other not always badly) is not a call:
    # nothing on the S&P 500 or on Chinese stocks as a whole is proposed
    symbols = {s for p in seed_extraction.proposals for s in p.symbols}
    assert symbols <= set(US) | set(CN) | {"KRW=X"}
    assert len(seed_extraction.proposals) == 8 and seed_extraction.notes == ()


def test_the_guesses_are_marked_hedged(seed_extraction) -> None:
    # the turn in Chinese tech and the won's run are put as guesses ("…지 않을까"): hedged, confidence lowered
    hedged = {(p.rule, p.symbols) for p in seed_extraction.proposals if p.hedge}
    assert {("direction", CN), ("outperform", CN + US), ("direction", ("KRW=X",))} <= hedged
    assert all(p.confidence != "high" for p in seed_extraction.proposals if p.hedge)
