"""What a reader reads beside a verdict and under an author's name, in Korean and English (ui/verdicts.py)."""

from __future__ import annotations

import math

import pytest

import catalog
from commentary.library.track_record import ALPHA, SMALL_SAMPLE
from commentary.scoring import odds
from ui.verdicts import method_parts, odds_cell, record_lines, verdict_phrase, window_count


def _row(**over: object) -> dict:
    row = {"claim_id": "c", "verdict": "held", "measured": 17.4925, "unit": "%", "base_rate": 0.5,
           "independent_windows": 4, "window_days": 341, "as_extreme": 0.25, "call": "toss-up",
           "by_source": {"yahoo": "held"}, "measured_by_source": {"yahoo": 17.4925},
           "base_rate_by_source": {"yahoo": 0.5}}
    return row | over


def test_a_held_call_reads_with_its_odds_in_both_languages() -> None:
    # a held toss-up: how rare its result was
    assert verdict_phrase(_row(), "en", "direction", True) == (
        "held +17.49% (a rise this big or bigger: 1 of 4 past years)")
    assert verdict_phrase(_row(), "ko", "direction", True) == "적중 +17.49% (이만큼 이상 오른 때: 과거 4년 중 1년)"
    # a failed toss-up: how often the same call held
    assert verdict_phrase(_row(verdict="failed"), "en", "direction", True) == (
        "failed +17.49% · toss-up (held in 2 of 4 past years)")
    assert verdict_phrase(_row(verdict="failed"), "ko") == "빗나감 +17.49% · 반반 승부(과거 4년 중 2년 적중)"


def test_easy_strong_and_long_shot_calls() -> None:
    calm = _row(measured=0.54, base_rate=0.6046, independent_windows=43, window_days=9, as_extreme=0.44,
                call="easy")
    assert verdict_phrase(calm, "en", "no_move") == "held +0.54% · but an easy call (held in 60% of 43 past weeks)"
    assert verdict_phrase(calm, "ko", "no_move") == "적중 +0.54% · 다만 쉬운 예측(과거 43주 중 60% 적중)"
    missed = _row(verdict="failed", measured=-4.25, unit="pp", base_rate=0.25, call="long shot")
    assert verdict_phrase(missed, "en", "outperform") == "failed -4.2 pp · long shot (held in only 1 of 4 past years)"
    assert verdict_phrase(_row(base_rate=0.25, call="strong"), "ko", "direction", True) == (
        "적중 +17.49% · 어려운 예측을 맞힘(과거 4년 중 1년만 적중)")
    easy_miss = _row(verdict="failed", base_rate=0.75, call="easy")
    assert verdict_phrase(easy_miss, "en").endswith("· missed an easy call (held in 3 of 4 past years)")


def test_without_odds_the_phrase_says_so_and_never_says_noise() -> None:
    bare = _row(base_rate=math.nan, independent_windows=2, call="")
    assert verdict_phrase(bare, "en") == "held +17.49% · too little history to give odds"
    assert verdict_phrase(bare, "ko") == "적중 +17.49% · 비교할 과거 구간이 부족해 확률을 내지 않음"
    assert verdict_phrase(_row(verdict="too early"), "en") == "too early"
    for lang in ("ko", "en"):
        words = " ".join(catalog.catalog(lang).values())
        assert "noise" not in words and "잡음" not in words


def test_a_source_dependent_call_names_each_source_and_its_odds() -> None:
    split = _row(verdict="source-dependent", by_source={"yahoo": "held", "ecb": "failed"},
                 measured_by_source={"yahoo": 0.54, "ecb": 1.1}, base_rate_by_source={"yahoo": 0.6046, "ecb": 0.556})
    assert verdict_phrase(split, "en") == (
        "source-dependent (Yahoo held +0.54%, ECB failed +1.10%) · past hit rate Yahoo 60%, ECB 56%")
    assert verdict_phrase(split, "ko") == (
        "출처에 따라 다름 (야후 적중 +0.54%, ECB 빗나감 +1.10%) · 과거 적중률 야후 60%, ECB 56%")
    unknown = split | {"base_rate_by_source": {"yahoo": math.nan, "ecb": math.nan}}
    assert verdict_phrase(unknown, "en").endswith("· past hit rate —")


@pytest.mark.parametrize(("days", "en"), [(7, "3 of 8 past weeks"), (33, "3 of 8 past months"),
                                          (92, "3 of 8 past three-month stretches"),
                                          (60, "3 of 8 past 60-day stretches")])
def test_window_lengths_are_named(days: int, en: str) -> None:
    assert window_count(3 / 8, 8, days, "en") == en
    assert window_count(0.5, 205, 9, "en") == "50% of 205 past weeks"  # many windows: a percentage


def test_odds_cell() -> None:
    assert odds_cell(_row(), "en") == "toss-up · 50% of 4" and odds_cell(_row(), "ko") == "반반 승부 · 4개 중 50%"
    assert odds_cell(_row(base_rate=math.nan, call=""), "en") == "—"


def _record(**over: object) -> dict:
    rec = {"columns": 1, "claims": 5, "n": 5, "held": 1.5, "expected": 2.18, "p_value": 0.70, "p_as_bad": 0.41,
           "groups": 2, "pending": 0, "unrated": 0, "finding": "none"}
    return rec | over


def test_the_record_quotes_the_tail_on_the_authors_side() -> None:
    below = record_lines(_record(), "백석현", "en")
    assert below[0] == "**백석현** — 1 column(s), 5 claim(s)."
    assert below[1] == ("No evidence of skill yet: 1.5 of 5 held (chance alone: about 2.2); 41% of random "
                        "forecasters would do as badly or worse.")  # below chance: the left tail
    above = record_lines(_record(held=3.0, p_value=0.33, p_as_bad=0.85), "A", "en")
    assert above[1].endswith("33% of random forecasters would do as well or better.")  # above: the right tail
    better = record_lines(_record(held=5.0, p_value=ALPHA / 2, p_as_bad=1.0, finding="better"), "A", "ko")
    assert better[1].startswith("운보다 낫습니다: 5개 중 5개 적중") and "2%뿐" in better[1]
    worse = record_lines(_record(held=0.0, p_value=1.0, p_as_bad=0.01, finding="worse"), "A", "en")
    assert worse[1].startswith("Worse than chance") and "only 1% of random forecasters would do as badly" in worse[1]


def test_the_record_says_what_the_calls_rest_on() -> None:
    lines = record_lines(_record(), "A", "ko")
    assert "독립된 묶음 2개" in lines[2]  # 5 calls, 2 independent groups
    assert f"{SMALL_SAMPLE}개 미만" in lines[3]
    assert record_lines(_record(n=0, groups=0, finding="unrated", pending=1, unrated=2), "A", "en")[1:] == [
        "No call can be rated against chance yet.",
        "Not rated: 1 waiting for their horizon, 2 with too little past data."]
    many = record_lines(_record(n=12, groups=12, held=6.0, expected=6.0, p_value=0.6), "A", "en")
    assert len(many) == 2  # independent calls, enough of them: no caveat lines


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_method_states_the_code_s_thresholds(lang: str) -> None:
    title, body = method_parts(lang)
    assert title and "{" not in body
    for number in (f"{odds.EASY * 100:.0f}%", f"{odds.HARD * 100:.0f}%", f"{ALPHA * 100:.0f}%",
                   f"{1 / odds.EASY:.1f}", f"{1 / odds.HARD:.1f}", str(odds.MIN_WINDOWS)):
        assert number in body
    assert ("non-overlapping" in body) if lang == "en" else ("겹치지 않는" in body)
    assert ("Poisson-binomial" in body) if lang == "en" else ("포아송-이항" in body)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_verdict_and_source_has_words_in_both_languages(lang: str) -> None:
    """One vocabulary (the domain's keys, worded by the catalogs) for the pages and the claim path chart."""
    from commentary.scoring.claims import VERDICTS
    from commentary.scoring.summary import SOURCE_KEYS, VERDICT_KEYS
    from ui.verdicts import source_name, verdict_label

    assert set(VERDICT_KEYS) == set(VERDICTS)
    assert all(verdict_label(v, lang) == catalog.catalog(lang)[VERDICT_KEYS[v]] for v in VERDICTS)
    assert {source_name(s, lang) for s in ("yahoo", "ecb", "data")} == {
        catalog.catalog(lang)[SOURCE_KEYS[s]] for s in ("yahoo", "ecb", "data")}
