"""Drafts: proposals → claims (rule names mapped), the real parser's field-level messages, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from commentary.extract import propose
from commentary.extract.model import Horizon, Proposal
from commentary.library.draft import (
    MAX_TEXT_CHARS,
    Draft,
    check_draft,
    claim_ids,
    draft_markdown,
    field_problems,
    proposal_claim,
)
from commentary.scoring.rules import SeriesRef
from tests.support.column_words import said

DAY = dt.date(2025, 4, 3)
TEXT_KO = "원/달러 환율은 다음 주 1,430원 아래에 머물 것이다. 엔비디아 주가는 연말까지 하락할 것이다."


def _proposal(rule: str, params: dict, horizon: Horizon | None, kind: str = "forecast") -> Proposal:
    return Proposal("s.", 0, rule, params, ("KRW=X",), None, None, None, horizon, kind, ())  # type: ignore[arg-type]


def _draft(**kw) -> Draft:
    base = dict(title="테스트 칼럼", author="홍길동", date=DAY, text=TEXT_KO, time="09:00", timezone="Asia/Seoul")
    base.update(kw)
    return Draft(**base)


def test_stays_below_maps_to_stays_with_side() -> None:
    claim, why = proposal_claim(_proposal("stays_below", {"symbol": "KRW=X", "level": 1430.0},
                                          Horizon("fixed", "1W")), "claim-1")
    assert why is None and claim is not None
    assert claim["rule"] == {"type": "stays", "params": {"symbol": "KRW=X", "level": 1430.0, "side": "below"}}
    assert claim["horizons"] == ["1W"] and claim["primary"] == "1W"
    above, _ = proposal_claim(_proposal("stays_above", {"symbol": "KRW=X", "level": 1500.0},
                                        Horizon("calendar", "year-end", DAY)), "claim-2")
    assert above is not None and above["rule"]["params"]["side"] == "above" and above["horizons"] == ["year-end"]


def test_other_rules_pass_through() -> None:
    claim, _ = proposal_claim(_proposal("outperform", {"a": ("0700.HK", "BABA"), "b": "NVDA", "margin_pp": 0.0},
                                        Horizon("calendar", "2025-09-30", dt.date(2025, 9, 30))), "c")
    assert claim is not None and claim["rule"]["type"] == "outperform"
    assert claim["rule"]["params"]["a"] == ["0700.HK", "BABA"]  # a tuple becomes a YAML list
    assert claim["horizons"] == ["2025-09-30"]


def test_reported_and_unresolved_are_refused_with_a_reason() -> None:
    claim, why = proposal_claim(_proposal("level", {}, None, kind="reported"), "c")
    assert claim is None and why is not None and why.code == "extract.reported"
    later = Horizon("unresolved", "목요일까지", phrase="목요일까지")
    claim, why = proposal_claim(_proposal("direction", {"series": "NVDA", "direction": "up"}, later), "c")
    assert why is not None and (why.code, dict(why.params)) == ("extract.unresolved_horizon", {"phrase": "목요일까지"})
    # the claim comes without horizons, for the reader to give one in the editor
    assert claim is not None and claim["horizons"] == [] and claim["rule"]["params"]["series"] == "NVDA"


def test_a_rule_scoring_does_not_know_yet_is_not_scorable(monkeypatch) -> None:
    from commentary.scoring import rules

    touches = _proposal("touches", {"symbol": "KRW=X", "level": 1520.0, "side": "above"}, Horizon("fixed", "3M"))
    monkeypatch.setattr(rules, "RULE_TYPES", tuple(r for r in rules.RULE_TYPES if r != "touches"))
    claim, why = proposal_claim(touches, "c")
    assert claim is None and why is not None and (why.code, dict(why.params)) == (
        "extract.not_scorable_yet", {"rule": "touches"})
    monkeypatch.setattr(rules, "RULE_TYPES", (*rules.RULE_TYPES, "touches"))
    claim, why = proposal_claim(touches, "c")  # once scoring knows the rule, it passes through as emitted
    assert why is None and claim is not None
    assert claim["rule"] == {"type": "touches", "params": {"symbol": "KRW=X", "level": 1520.0, "side": "above"}}


def test_a_draft_without_its_publication_date_is_not_checked() -> None:
    problems = {p.field: p for p in field_problems(_draft(date=None))}
    assert said(problems["date"]) == "publication date: is empty"
    assert said(problems["date"], "ko") == "발행일: 비어 있습니다"
    item, messages = check_draft(_draft(date=None))
    assert item is None and [said(m) for m in messages if m.field == "date"] == ["publication date: is empty"]


def test_accepted_proposals_parse_and_resolve() -> None:
    props = propose(TEXT_KO, DAY)
    ids = claim_ids(len(props))
    claims = [c for p, i in zip(props, ids, strict=True) if (c := proposal_claim(p, i)[0])]
    assert len(claims) == 2
    item, problems = check_draft(_draft(claims=claims))
    assert problems == [] and item is not None
    assert [c.rule.type for c in item.claims] == ["stays", "direction"]
    assert item.claims[0].rule.params["symbol"] == SeriesRef("KRW=X", ("KRW=X",), False)
    assert item.claims[1].horizons[0].end == dt.date(2025, 12, 31)
    assert item.sections[0].body_ko == TEXT_KO  # stored as written
    assert item.published.isoformat() == "2025-04-03T00:00:00+00:00"


def test_claim_ids_skip_taken() -> None:
    assert claim_ids(2, {"claim-1", "claim-3"}) == ["claim-2", "claim-4"]


def _claim(cid: str, **kw) -> dict:
    base = {"id": cid, "section": "text", "text_ko": "x", "text_en": "x",
            "rule": {"type": "direction", "params": {"series": "NVDA", "direction": "up"}},
            "horizons": ["3M"], "primary": "3M"}
    base.update(kw)
    return base


def test_duplicate_claim_id_gets_the_parsers_message() -> None:
    item, problems = check_draft(_draft(claims=[_claim("a"), _claim("a")]))
    assert item is None
    assert len(problems) == 1 and said(problems[0]) == "claims[1].id: the claim id a is used twice"
    assert said(problems[0], "ko") == "claims[1].id: 주장 이름 a이(가) 두 번 쓰였습니다"


def test_horizon_before_publication_is_a_claim_error() -> None:
    item, problems = check_draft(_draft(claims=[_claim("a"), _claim("b", horizons=["2025-01-02"],
                                                                     primary="2025-01-02")]))
    assert item is not None and [c.id for c in item.claims] == ["a"]
    assert len(problems) == 1 and said(problems[0]).startswith("claims[1].horizons[0]: this horizon cannot be used: ")
    assert "before the reference" in said(problems[0])


def test_unknown_series_and_bad_rule_are_named() -> None:
    item, problems = check_draft(_draft(claims=[_claim("a", rule={"type": "direction",
                                                                   "params": {"series": "NOPE", "direction": "up"}}),
                                                _claim("b", rule={"type": "stays_below", "params": {}})]))
    assert item is not None and item.claims == ()
    assert said(problems[0]) == ("claims[0].rule.params.series: unknown series NOPE (neither a basket of this column "
                                 "nor a symbol of the list)")
    assert said(problems[0], "ko").startswith("claims[0].rule.params.series: 알 수 없는 시리즈 NOPE입니다")
    assert said(problems[1]).startswith("claims[1].rule.type: the rule cannot be used: unknown rule 'stays_below'")


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "text", "200,001 characters (limit 200,000)"),
    ({"date": dt.date(9999, 1, 1)}, "date", "outside"),
    ({"title": "a\u202eb"}, "title", "text-direction control character (U+202E)"),
    ({"text": "line one\nline\x07two"}, "text", "control character (U+0007)"),
    ({"author": " "}, "author", "is empty"),
    ({"text": "ok\n<!-- section: x lang: ko -->\nmore"}, "text", "line 2"),
    ({"url": "javascript:alert(1)"}, "url", "http:// or https://"),
    ({"time": "25:00"}, "time", "HH:MM"),
])
def test_bad_fields_get_field_messages(kw: dict, field: str, words: str) -> None:
    problems = {p.field: p for p in field_problems(_draft(**kw))}
    assert field in problems and words in said(problems[field])
    label = said(problems[field], "ko").split(":")[0]  # the page's own name for the field, in Korean
    assert label and label != field and not label.isascii()
    item, messages = check_draft(_draft(**kw))
    assert item is None and any(m.field == field for m in messages)


def test_html_text_is_stored_as_written_not_refused() -> None:
    text = "<script>alert(1)</script> <b>엔비디아</b> 주가는 연말까지 하락할 것이다."
    item, problems = check_draft(_draft(text=text))
    assert problems == [] and item is not None and item.sections[0].body_en == text


def test_markdown_is_stable() -> None:
    draft = _draft(claims=[_claim("a")])
    assert draft_markdown(draft) == draft_markdown(draft)
    assert draft_markdown(draft).startswith("---\nid: nb-2025-04-03-")
