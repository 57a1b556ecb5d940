"""Extractor rules from issue 27 item 6, on sentences written for these tests (Korean and English).

Paths and touches ("won't exceed X by D" never crosses X; "could exceed X within D" crosses it once), durations
written as words ("three months", "석 달", "반년"), hedges that lower the confidence, sayings that are not calls,
and relative horizons that need the publication date. Expectations are written by hand from each sentence.
"""

from __future__ import annotations

import datetime as dt

import pytest

from commentary.extract import propose
from commentary.extract.horizons import find_horizons
from commentary.extract.rules import load_rules
from data_sources.market.universe import UNIVERSE

PUB = dt.date(2025, 3, 3)  # a Monday


def one(text: str, published: dt.date | None = PUB):
    found = propose(text, published, instruments=UNIVERSE)
    assert len(found) == 1, [(p.rule, p.params) for p in found]
    return found[0]


def marked(p, kind: str) -> list[str]:
    return [p.sentence[s.start:s.end] for s in p.spans if s.kind == kind]


# --------------------------------------------------------------------------- paths and touches

PATHS = [
    # a negated crossing: no print beyond the level before the horizon
    ("The won-dollar rate won't exceed 1,480 by the end of June.",
     "stays_below", {"symbol": "KRW=X", "level": 1480.0}, "2025-06-30"),
    ("원/달러 환율은 6월 말까지 1,480원을 넘지 않을 것이다.",
     "stays_below", {"symbol": "KRW=X", "level": 1480.0}, "2025-06-30"),
    ("Tesla will not fall below $150 this year.",
     "stays_above", {"symbol": "TSLA", "level": 150.0}, "year-end"),
    # a possible crossing, or one asked for "within" the period: any print at or beyond the level
    ("USD/KRW could exceed 1,520 within the year.",
     "touches", {"symbol": "KRW=X", "level": 1520.0, "side": "above"}, "year-end"),
    ("원/달러 환율이 연내 1,520원을 돌파할 수도 있다.",
     "touches", {"symbol": "KRW=X", "level": 1520.0, "side": "above"}, "year-end"),
    ("USD/KRW will break above 1,520 within the year.",
     "touches", {"symbol": "KRW=X", "level": 1520.0, "side": "above"}, "year-end"),
    ("원/달러 환율은 올해 안에 1,520원을 넘을 것이다.",
     "touches", {"symbol": "KRW=X", "level": 1520.0, "side": "above"}, "year-end"),
    ("The S&P 500 might slip below 5,000 points over the next three months.",
     "touches", {"symbol": "^GSPC", "level": 5000.0, "side": "below"}, "3M"),
    # "won't stay above X" crosses X at least once
    ("Tesla won't stay above $300 this year.",
     "touches", {"symbol": "TSLA", "level": 300.0, "side": "below"}, "year-end"),
    # a plain level call stays an end-point: the print at the horizon's end
    ("엔비디아 주가는 연말까지 200달러를 넘어설 것이다.",
     "level", {"symbol": "NVDA", "level": 200.0, "side": "above"}, "year-end"),
]


@pytest.mark.parametrize(("text", "rule", "params", "horizon"), PATHS, ids=[p[0][:32] for p in PATHS])
def test_paths_and_touches(text: str, rule: str, params: dict, horizon: str) -> None:
    p = one(text)
    assert (p.rule, p.params, p.kind, p.horizon.value) == (rule, params, "forecast", horizon)


def test_touches_has_the_shape_scoring_reads() -> None:
    p = one("USD/KRW could exceed 1,520 within the year.")
    assert set(p.params) == {"symbol", "level", "side"} and p.params["side"] in ("above", "below")
    assert isinstance(p.params["level"], float) and p.params["level"] > 0


# --------------------------------------------------------------------------- durations written as words

DURATIONS = [
    ("Nvidia will rise over the next three months.", "fixed", "3M"),
    ("텐센트는 석 달 안에 반등할 것이다.", "fixed", "3M"),
    ("엔비디아는 세 달 동안 오를 것이다.", "fixed", "3M"),
    ("삼성전자는 삼 개월 내 상승할 것이다.", "fixed", "3M"),
    ("나스닥은 반년 동안 오를 것이다.", "fixed", "6M"),
    ("Apple will fall within six months.", "fixed", "6M"),
    ("애플은 두 달 동안 하락할 것이다.", "calendar", "2025-05-03"),
    ("Tencent will climb in six weeks.", "calendar", "2025-04-14"),
    ("테슬라는 열두 달 안에 하락할 것이다.", "fixed", "12M"),
]


@pytest.mark.parametrize(("text", "kind", "value"), DURATIONS, ids=[d[0][:28] for d in DURATIONS])
def test_durations_written_as_words(text: str, kind: str, value: str) -> None:
    p = one(text)
    assert (p.horizon.kind, p.horizon.value, p.horizon.stated) == (kind, value, True)
    assert not any(n.startswith("no horizon") for n in p.notes)
    assert marked(p, "horizon")


def test_a_number_word_before_dollars_is_not_a_duration() -> None:
    rules = load_rules()
    assert find_horizons("강세 달러가 이어진다", PUB, rules) == []
    assert find_horizons("세 달러 오른다", PUB, rules) == []


# --------------------------------------------------------------------------- hedges


@pytest.mark.parametrize(("sure", "hedged", "word"), [
    ("Nvidia will rise this year.", "Nvidia may rise this year.", "may"),
    ("Nvidia will rise this year.", "Nvidia could rise this year.", "could"),
    ("엔비디아는 올해 오를 것이다.", "엔비디아는 올해 오를 수 있다.", "수 있"),
    ("엔비디아는 올해 오를 것이다.", "엔비디아는 올해 오를 가능성이 있다.", "가능성"),
    ("엔비디아는 올해 오를 것이다.", "엔비디아는 올해 오를 듯하다.", "듯"),
])
def test_a_hedge_lowers_the_confidence_and_says_so(sure: str, hedged: str, word: str) -> None:
    a, b = one(sure), one(hedged)
    assert (a.rule, a.params, a.horizon) == (b.rule, b.params, b.horizon)  # the same call …
    order = ["low", "medium", "high"]
    assert order.index(b.confidence) < order.index(a.confidence)  # … held with less confidence
    assert a.hedge is None and b.hedge == word and marked(b, "hedge") == [word]
    assert any(n.startswith("hedged") for n in b.notes)


def test_the_month_may_is_not_a_hedge() -> None:
    p = one("In May Nvidia will rise.")
    assert p.hedge is None and p.horizon.value == "2025-05-31"


# --------------------------------------------------------------------------- sayings and vague words

@pytest.mark.parametrize("text", [
    "US stocks cannot always do well.",
    "미국 증시가 언제나 좋을 수는 없다.",
    "The Nasdaq always recovers.",
    "코스피는 늘 오른다.",
    "나스닥은 항상 결국 반등한다.",
    "Tesla will do well.",                      # good/bad wording with no period of its own
    "The market will rise this year.",          # no market subject the data has
    "시장은 올해 오를 것이다.",
])
def test_no_proposal_without_a_market_subject_and_a_checkable_outcome(text: str) -> None:
    assert propose(text, PUB, instruments=UNIVERSE) == []


def test_good_wording_with_a_period_of_its_own_is_kept_with_a_note() -> None:
    p = one("Tesla will do well this year.")
    assert (p.rule, p.params["direction"], p.horizon.value) == ("direction", "up", "year-end")
    assert any(n.startswith("weak wording") for n in p.notes)


# --------------------------------------------------------------------------- the publication date


@pytest.mark.parametrize("text", ["Nvidia will rise this year.", "엔비디아는 올해 오를 것이다.",
                                  "애플은 두 달 동안 하락할 것이다.", "Tencent should rebound by Q3."])
def test_relative_horizons_wait_for_the_publication_date(text: str) -> None:
    p = one(text, None)
    assert p.horizon.kind == "unresolved" and p.horizon.end is None and p.horizon.phrase
    q = one(text, PUB)
    assert q.horizon.kind in ("calendar", "fixed") and q.horizon.kind != "unresolved"


def test_an_explicit_year_needs_no_publication_date() -> None:
    p = one("엔비디아는 2026년에 오를 것이다.", None)
    assert (p.horizon.kind, p.horizon.end) == ("calendar", dt.date(2026, 12, 31))
