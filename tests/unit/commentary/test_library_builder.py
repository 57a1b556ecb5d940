"""The claim builder's data: fields to front-matter claims and back, checked by the real column loader."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from commentary.document.model import CommentaryError
from commentary.library.builder import (
    ClaimFields,
    from_claim,
    no_data_problems,
    problems_by_claim,
    search_universe,
    to_claim,
)
from commentary.library.draft import Draft, check_draft
from commentary.scoring.rules import RULE_TYPES
from tests.support.column_words import said

DAY = dt.date(2025, 4, 3)


def _check(*fields: ClaimFields):
    text = "엔비디아 주가는 연말까지 하락할 것이다."
    return check_draft(Draft("T", "A", DAY, text, claims=[to_claim(f) for f in fields]))


EVERY_RULE = {
    "outperform": ClaimFields("a-beats-b", "Tencent beats NVIDIA", "outperform", ["0700.HK"], ["NVDA"], margin_pp=2.0,
                              horizons=["year-end"]),
    "direction": ClaimFields("nvda-down", "", "direction", ["NVDA"], direction="down", threshold_pct=5.0,
                             horizons=["1M", "3M"], primary="3M"),
    "level": ClaimFields("krw-below", "", "level", ["KRW=X"], side="below", level=1430.0, horizons=["YTD"]),
    "stays": ClaimFields("krw-stays", "", "stays", ["KRW=X"], side="above", level=1400.0, share_pct=80.0,
                         end_date="2025-06-30"),
    "touches": ClaimFields("krw-reaches", "", "touches", ["KRW=X"], side="above", level=1500.0, horizons=["year-end"]),
    "no_move": ClaimFields("qqq-flat", "", "no_move", ["QQQ"], threshold_pct=2.0, end_date="2025-04-30",
                           end_name="april"),
}


def test_every_rule_type_of_the_verdicts_chapter_is_built_and_accepted() -> None:
    assert set(EVERY_RULE) == set(RULE_TYPES)
    item, problems = _check(*EVERY_RULE.values())
    assert problems == [] and item is not None
    got = {c.id: c for c in item.claims}
    assert got["a-beats-b"].rule.params["margin_pp"] == 2.0 and got["a-beats-b"].primary == "year-end"
    assert [h.id for h in got["nvda-down"].horizons] == ["1M", "3M"] and got["nvda-down"].primary == "3M"
    assert got["krw-below"].horizons[0].from_year_start  # YTD counts from the previous year-end
    assert got["krw-stays"].horizons[0].end == dt.date(2025, 6, 30) and got["krw-stays"].rule.params["share_pct"] == 80
    assert (got["qqq-flat"].primary, got["qqq-flat"].horizons[0].end) == ("april", dt.date(2025, 4, 30))
    assert got["krw-reaches"].rule.params["level"] == 1500 and got["krw-reaches"].rule.params["side"] == "above"


@pytest.mark.parametrize("rule", RULE_TYPES)
def test_fields_round_trip_through_the_claim_mapping(rule: str) -> None:
    fields = EVERY_RULE[rule]
    back = from_claim(to_claim(fields))
    assert to_claim(back) == to_claim(fields)


def test_picked_members_make_an_equal_weight_basket() -> None:
    fields = ClaimFields("bigtech-down", "", "direction", ["NVDA", "MSFT", "AAPL"], direction="down",
                         horizons=["year-end"])
    item, problems = _check(fields)
    assert problems == []
    ref = item.claims[0].rule.params["series"]
    assert ref.is_basket and ref.symbols == ("NVDA", "MSFT", "AAPL")
    assert from_claim(to_claim(fields)).series == ["NVDA", "MSFT", "AAPL"]
    # a proposal's named basket opens into its members for editing
    named = from_claim({"id": "x", "rule": {"type": "direction", "params": {"series": "bt", "direction": "up"}}},
                       {"bt": ("NVDA", "MSFT")})
    assert named.series == ["NVDA", "MSFT"]


@pytest.mark.parametrize(("fields", "expected"), [
    (ClaimFields("two-levels", "", "level", ["NVDA", "MSFT"], horizons=["1M"]),
     "claims[0].rule.params.symbol: the rule cannot be used: expected a symbol"),
    (ClaimFields("no-series", "", "direction", [], horizons=["1M"]),
     "claims[0].rule.params.series: the rule cannot be used: missing (required by direction)"),
    (ClaimFields("no-horizon", "", "direction", ["NVDA"]),
     "claims[0].horizons: a claim needs at least one horizon"),
    (ClaimFields("early", "", "direction", ["NVDA"], end_date="2025-01-02"),
     "claims[0].horizons[0]: this horizon cannot be used: ends 2025-01-02, before the reference (the column was "
     "published 2025-04-03)"),
    (ClaimFields("far", "", "direction", ["NVDA"], end_date="9999-12-31"),
     "claims[0].horizons[0]: this horizon cannot be used: ends 9999-12-31, more than 30 years after publication"),
    (ClaimFields("Bad Id!", "", "direction", ["NVDA"], horizons=["1M"]),
     "claims[0].id: expected an id of a-z, 0-9 and '-'"),
    (ClaimFields("two-primaries", "", "direction", ["NVDA"], horizons=["1M", "3M"], primary="6M"),
     "claims[0].primary: '6M' is not one of the claim's horizons (1M, 3M)"),
])
def test_an_invalid_field_gets_the_loaders_line_and_field(fields: ClaimFields, expected: str) -> None:
    good = EVERY_RULE["direction"]
    item, problems = _check(fields, good)
    assert item is not None and [c.id for c in item.claims] == ["nvda-down"]  # the other claim still scores
    per, other = problems_by_claim(problems)
    assert other == [] and list(per) == [0]
    [message] = per[0]
    assert said(message).startswith(expected), said(message)
    assert said(message, "ko").startswith(expected.split(":")[0] + ": ")


def test_problems_are_sorted_to_the_claim_they_name() -> None:
    two = CommentaryError("f", 3, "claims[2].rule", "column_file.rule", detail="x")
    ten = CommentaryError("f", 9, "claims[10].id", "column_file.not_slug", value="y")
    title = CommentaryError("f", None, "title", "column_draft.empty")
    per, other = problems_by_claim([two, ten, title])
    assert per == {2: [two], 10: [ten]} and other == [title]


@pytest.mark.parametrize(("query", "expected"), [
    ("엔비디아", "NVDA"), ("nvidia", "NVDA"), ("텐센트", "0700.HK"), ("Tencent", "0700.HK"), ("나스닥", "^IXIC"),
    ("원/달러", "KRW=X"), ("삼성 전자", "005930.KS"), ("hang seng", "^HSI"),
])
def test_the_universe_is_searchable_in_korean_and_english(query: str, expected: str) -> None:
    assert expected in search_universe(query)


def test_search_narrows_and_an_empty_query_lists_everything() -> None:
    assert search_universe("zz-no-such") == []
    assert len(search_universe("")) == len(set(search_universe(""))) >= 40


def test_a_series_without_stored_prices_is_named() -> None:
    prices = pd.DataFrame({"symbol": ["NVDA", "MSFT"], "date": pd.to_datetime(["2025-04-01"] * 2)})
    claims = [to_claim(EVERY_RULE["direction"]),
              to_claim(ClaimFields("sox", "", "direction", ["^SOX", "NVDA"], horizons=["1M"]))]
    out = no_data_problems(claims, prices)
    assert list(out) == [1]
    assert [said(p) for p in out[1]] == ["claims[1].rule.params.series: ^SOX has no stored prices yet: this claim "
                                         "reads 'no data' until they are fetched"]
    assert said(out[1][0], "ko").startswith("claims[1].rule.params.series: ^SOX의 저장된 가격이 아직 없습니다")
