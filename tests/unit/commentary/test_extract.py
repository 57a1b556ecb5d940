"""The draft-claim extractor on sentences written for these tests (Korean and English).

Every expected proposal below was written by hand from the sentence, not copied from the output.
Publication date for all cases: Monday 2025-03-03.
"""

from __future__ import annotations

import datetime as dt

import pytest

from commentary.extract import ExtractError, extract, propose
from commentary.extract.rules import RulesError, parse_rules
from data_sources.errors import Problem
from data_sources.market.universe import UNIVERSE

PUB = dt.date(2025, 3, 3)
US = ["NVDA", "MSFT", "AAPL", "GOOGL", "AMZN", "META", "TSLA", "AVGO"]
CN = ["0700.HK", "3690.HK", "1810.HK", "BABA", "BIDU", "JD", "PDD"]


def claims(text: str, published: dt.date | None = PUB) -> list[tuple]:
    """(rule, params, kind, horizon value) of each proposal."""
    return [(p.rule, p.params, p.kind, p.horizon.value if p.horizon else None)
            for p in propose(text, published, instruments=UNIVERSE)]


def d(series, direction, threshold=0.0):
    return {"series": series, "direction": direction, "threshold_pct": threshold}


CASES = [
    # --- Korean: names, directions, horizons
    ("엔비디아 주가는 올해 상승할 것으로 본다.", [("direction", d("NVDA", "up"), "forecast", "year-end")]),
    ("텐센트는 다음 주 반등할 전망이다.", [("direction", d("0700.HK", "up"), "forecast", "1W")]),
    ("나스닥은 연말까지 하락할 것이다.", [("direction", d("^IXIC", "down"), "forecast", "year-end")]),
    ("항셍지수가 내년에는 하락하지 않을까 싶다.",  # "…지 않을까" is a guess that it will, not a denial
     [("direction", d("^HSI", "down"), "forecast", "2026-12-31")]),
    ("고전하던 알리바바가 하반기에 반전을 이뤄낼 것", [("direction", d("9988.HK", "up"), "forecast", "year-end")]),
    ("코스피는 2분기에 5% 이상 상승할 것", [("direction", d("^KS11", "up", 5.0), "forecast", "2025-06-30")]),
    # --- Korean: levels
    ("원/달러 환율은 6월 말까지 1,500원을 넘어설 것이다.",
     [("level", {"symbol": "KRW=X", "level": 1500.0, "side": "above"}, "forecast", "2025-06-30")]),
    ("환율은 3개월 동안 1,400원 아래에 머물 것이다.",
     [("stays_below", {"symbol": "KRW=X", "level": 1400.0}, "forecast", "3M")]),
    # --- Korean: negation, aliases that name the other side of the quote, reported facts
    ("테슬라는 오르지 않을 것이다.", [("direction", d("TSLA", "down"), "forecast", "3M")]),
    ("원화 강세가 다음 달까지 이어질 것이다.", [("direction", d("KRW=X", "down"), "forecast", "1M")]),
    ("삼성전자 주가가 어제 3% 하락했다.", [("direction", d("005930.KS", "down", 3.0), "reported", None)]),
    ("대통령 기소 소식은 환율에 별다른 영향이 없을 것이다.",
     [("no_move", {"symbol": "KRW=X", "threshold_pct": 1.0}, "forecast", "1W")]),
    # --- Korean: comparison
    ("중국 기술주가 올해 미국 빅테크보다 더 오를 것이다.",
     [("outperform", {"a": CN, "b": US, "margin_pp": 0.0}, "forecast", "year-end")]),
    ("엔비디아가 텐센트보다 더 떨어질 것",
     [("outperform", {"a": "0700.HK", "b": "NVDA", "margin_pp": 0.0}, "forecast", "3M")]),
    ("텐센트가 올해 엔비디아를 앞설 것이다.",
     [("outperform", {"a": "0700.HK", "b": "NVDA", "margin_pp": 0.0}, "forecast", "year-end")]),
    # --- Korean: no claim
    ("애플리케이션 시장이 커지고 메타버스 관련 투자도 늘어날 것이다.", []),
    ("메타버스 관련주가 올해 상승할 것이다.", []),  # 메타버스 is not 메타 (Meta)
    ("오늘 날씨가 좋아서 기분이 상승했다.", []),
    ("엔비디아 실적 발표가 다음 주에 있다.", []),
    # --- English
    ("NVIDIA will rise this year.", [("direction", d("NVDA", "up"), "forecast", "year-end")]),
    ("Tencent should rebound by Q3.", [("direction", d("0700.HK", "up"), "forecast", "2025-09-30")]),
    ("Chinese tech will outperform US big tech in 2025.",
     [("outperform", {"a": CN, "b": US, "margin_pp": 0.0}, "forecast", "year-end")]),
    ("Apple will lag Microsoft over the next 6 months.",
     [("outperform", {"a": "MSFT", "b": "AAPL", "margin_pp": 0.0}, "forecast", "6M")]),
    ("USD/KRW will stay below 1,430 through March.",
     [("stays_below", {"symbol": "KRW=X", "level": 1430.0}, "forecast", "2025-03-31")]),
    ("The won will weaken next week.", [("direction", d("KRW=X", "up"), "forecast", "1W")]),
    ("Tesla won't fall by year-end.", [("direction", d("TSLA", "up"), "forecast", "year-end")]),
    ("Samsung Electronics is not expected to rise.", [("direction", d("005930.KS", "down"), "forecast", "3M")]),
    ("The Nasdaq fell 2% on Friday.", [("direction", d("^IXIC", "down", 2.0), "reported", None)]),
    ("The S&P 500 will top 6,000 points by June.",
     [("level", {"symbol": "^GSPC", "level": 6000.0, "side": "above"}, "forecast", "2025-06-30")]),
    ("After falling 10%, Apple should rally next month.", [("direction", d("AAPL", "up"), "forecast", "1M")]),
    ("Hang Seng will be little changed this week.",
     [("no_move", {"symbol": "^HSI", "threshold_pct": 1.0}, "forecast", "1W")]),
    ("Big Tech will lose steam this year, while Chinese tech rebounds.",
     [("direction", d(US, "down"), "forecast", "year-end"), ("direction", d(CN, "up"), "forecast", "year-end"),
      ("outperform", {"a": CN, "b": US, "margin_pp": 0.0}, "forecast", "year-end")]),
    ("Meta's new model impressed researchers.", []),
    ("The Metaverse will rise in popularity.", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_hand_written_cases(text: str, expected: list[tuple]) -> None:
    assert claims(text) == expected


def test_case_count() -> None:
    assert len(CASES) >= 25


def test_subject_carries_to_the_next_sentence_and_a_past_level_is_a_fact() -> None:
    found = propose("원달러가 크게 하락했다. 한때 1,430원을 하회했다.", PUB, instruments=UNIVERSE)
    assert [(p.rule, p.params, p.kind) for p in found] == [
        ("direction", d("KRW=X", "down"), "reported"),
        ("level", {"symbol": "KRW=X", "level": 1430.0, "side": "below"}, "reported")]
    assert "subject taken from the previous sentence" in found[1].notes


def test_horizon_from_an_earlier_sentence_of_the_paragraph() -> None:
    found = propose("올해는 분위기가 다를 것이다. 테슬라는 하락할 것이다.", PUB, instruments=UNIVERSE)
    assert [(p.params, p.horizon.value) for p in found] == [(d("TSLA", "down"), "year-end")]
    assert found[0].horizon.end == dt.date(2025, 12, 31)
    # a blank line starts a new paragraph: the horizon does not carry over it
    found = propose("올해는 분위기가 다를 것이다.\n\n테슬라는 하락할 것이다.", PUB, instruments=UNIVERSE)
    assert found[0].horizon.value == "3M" and not found[0].horizon.stated


def test_weekday_horizon_is_the_next_such_day_after_publication() -> None:
    sunday = dt.date(2025, 3, 9)
    found = propose("환율은 목요일까지 하락할 것이다.", sunday, instruments=UNIVERSE)
    assert found[0].horizon.value == "2025-03-13" and found[0].horizon.kind == "calendar"


def test_relative_horizon_without_a_publication_date_is_unresolved() -> None:
    found = propose("Tencent should rebound by Q3.", None, instruments=UNIVERSE)
    assert found[0].horizon.kind == "unresolved" and found[0].horizon.end is None


def test_spans_point_at_the_words_to_highlight() -> None:
    text = "중국 기술주가 올해 미국 빅테크보다 더 오를 것이다."
    (p,) = propose(text, PUB, instruments=UNIVERSE)
    marked = {(s.kind, p.sentence[s.start:s.end]) for s in p.spans}
    assert marked == {("symbol", "중국 기술주"), ("symbol", "미국 빅테크"), ("horizon", "올해"), ("direction", "오를")}
    (q,) = propose("Tesla won't fall by year-end.", PUB, instruments=UNIVERSE)
    assert ("negation", "won't") in {(s.kind, q.sentence[s.start:s.end]) for s in q.spans}
    assert q.negated and q.confidence == "medium"


def test_sentence_start_is_the_offset_in_the_cleaned_text() -> None:
    ex = extract("Intro line.\nNVIDIA will rise this year.", PUB, instruments=UNIVERSE)
    (p,) = ex.proposals
    assert ex.text[p.sentence_start:p.sentence_start + len(p.sentence)] == p.sentence


def test_reader_added_symbols_are_names_too(tmp_path) -> None:
    from data_sources.market import added_symbols
    from data_sources.market.universe import all_instruments

    added_symbols.add_symbol("9961.HK", "트립닷컴", "Trip.com", "HKD", tmp_path)
    found = propose("트립닷컴은 올해 오를 것이다.", PUB, instruments=all_instruments(tmp_path))
    assert [(p.rule, p.params) for p in found] == [("direction", d("9961.HK", "up"))]
    assert propose("트립닷컴은 올해 오를 것이다.", PUB, instruments=UNIVERSE) == []


# --------------------------------------------------------------------------- limits and hostile input


def test_text_over_the_limit_is_refused_before_any_work() -> None:
    with pytest.raises(ExtractError, match="200,001 characters long; the limit is 200,000"):
        extract("가" * 200_001, PUB, instruments=UNIVERSE)


def test_a_200000_character_paste_is_analysed_within_a_generous_budget() -> None:
    import time

    unit = "엔비디아는 올해 상승할 것이다. 날씨가 맑다. The Nasdaq will fall next week.\n"
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    started = time.monotonic()
    ex = extract(text, PUB, instruments=UNIVERSE)
    assert time.monotonic() - started < 120
    assert len(ex.proposals) == 1000 and Problem("extract.too_many_proposals", {"limit": 1000}) in ex.notes


def test_time_budget_stops_the_analysis_with_a_note() -> None:
    ex = extract("NVIDIA will rise this year. Tesla will fall this year.", PUB, instruments=UNIVERSE,
                 time_budget_s=0)
    assert ex.proposals == ()
    assert ex.notes == (Problem("extract.budget_ran_out", {"read": 0, "total": 2, "seconds": 0}),)


def test_an_overlong_sentence_is_skipped_with_a_note() -> None:
    text = "NVIDIA will rise this year " + "and more " * 300 + ". Tesla will fall this year."
    ex = extract(text, PUB, instruments=UNIVERSE)
    assert [p.params["series"] for p in ex.proposals] == ["TSLA"]
    assert ex.notes == (Problem("extract.long_sentences_skipped", {"count": 1, "limit": 1500, "first_at": 1}),)


def test_html_and_script_are_text_not_markup() -> None:
    text = ("<p>엔비디아는 올해 <b>상승</b>할 것이다.</p><script>테슬라는 하락할 것이다.</script>"
            "<style>p { color: red }</style><p>A &amp; B</p>")
    ex = extract(text, PUB, instruments=UNIVERSE)
    assert [p.params for p in ex.proposals] == [d("NVDA", "up")]
    assert "<" not in ex.text and "테슬라" not in ex.text and "A & B" in ex.text


def test_prose_with_a_less_than_sign_is_not_treated_as_html() -> None:
    ex = extract("USD/KRW < 1,450 now. NVIDIA will rise this year.", PUB, instruments=UNIVERSE)
    assert "USD/KRW < 1,450" in ex.text


def test_control_and_bidi_characters_are_stripped() -> None:
    text = "엔\u202e비디아는\u200b 올해\x00 상승\u2066할 것이다.\x1b[31m"
    ex = extract(text, PUB, instruments=UNIVERSE)
    assert [p.params for p in ex.proposals] == [d("NVDA", "up")]
    assert not any(ch in ex.text for ch in "\u202e\u200b\x00\u2066\x1b")


def test_rules_file_problems_name_the_field() -> None:
    import tomllib

    from commentary.extract.rules import RULES_PATH

    raw = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    raw["horizon"][0]["pattern"] = "(unclosed"
    with pytest.raises(RulesError, match=r"\[\[horizon\]\] #1.pattern: bad regular expression"):
        parse_rules(raw)
    raw = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    raw["limits"]["max_text_chars"] = -1
    with pytest.raises(RulesError, match=r"\[limits\].max_text_chars"):
        parse_rules(raw)
