"""The commentary file format: the shipped files parse, malformed files give file/line/field messages."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from commentary.document.column import CHART_KINDS, COLUMNS_DIR, list_commentaries, load_commentary, parse_commentary
from commentary.document.model import Commentary, CommentaryError
from tests.support.column_words import GOOD, said

ROOT = Path(__file__).resolve().parents[3]
SEED_DIR = Path(os.environ.get("DASHBOARD_SHARED_DIR", ROOT.parent / "shared")) / "seed"
BAEK = COLUMNS_DIR / "baek-2025-01-26.md"
QWQ = COLUMNS_DIR / "example-2025-03-06-qwq.md"

def _line(text: str, needle: str) -> int:
    """1-based number of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _error(text: str) -> CommentaryError:
    with pytest.raises(CommentaryError) as info:
        parse_commentary(text, "x.md")
    return info.value


def test_minimal_file_parses() -> None:
    c = parse_commentary(GOOD, "x.md")
    assert (c.id, c.title, c.date, c.language, c.url, c.source) == ("tiny", "작은 칼럼", dt.date(2025, 1, 26),
                                                                    "ko", None, "x.md")
    (section,) = c.sections
    assert section.body("ko") == "한국어 본문." and section.body("en") == "English body."
    assert section.chart["start"] == dt.date(2025, 1, 2) and section.chart["baskets"] == ["cn"]
    assert section.news == {"start": dt.date(2025, 1, 20), "end": dt.date(2025, 1, 28), "tags": ["deepseek"]}
    first, second = c.claims
    assert [h.id for h in first.horizons] == ["1W"] and first.primary == "1W"
    assert [h.id for h in second.horizons] == ["1W", "1M", "3M", "6M", "12M"]  # default: every offset
    assert second.primary == "12M" and c.claim_errors == ()
    assert c.published == pd.Timestamp("2025-01-26 00:00", tz="Asia/Seoul")  # default: 00:00 in the ko zone
    assert second.rule.params["a"].symbols == ("BABA", "JD")
    assert c.warnings == ()


def test_baek_column_parses() -> None:
    c = load_commentary(BAEK)
    assert c.id == "baek-2025-01-26" and c.author == "백석현" and c.date == dt.date(2025, 1, 26)
    assert c.title == "올해 미국 증시, 심상치 않다? 범인은 OO AI" and c.language == "ko"
    assert c.url is None  # the column's Brunch address is not in our sources
    assert [s.id for s in c.sections] == ["deepseek-shock", "china-catching-up", "won-below-1430", "indictment-fx"]
    assert [s.chart["kind"] for s in c.sections] == ["event_day", "compare", "fx", "fx_window"]
    for s in c.sections:
        assert s.heading_ko and s.heading_en and len(s.body_ko) > 100 and len(s.body_en) > 100
        assert re.search("[가-힣]", s.body_ko) and not re.search("[가-힣]", s.body_en)
    assert c.section("china-catching-up").chart["base_date"] == dt.date(2025, 1, 24)
    assert c.baskets["cn_tech"] == ("0700.HK", "3690.HK", "1810.HK", "BABA", "BIDU", "JD", "PDD")
    assert [(cl.id, cl.rule.type, cl.primary) for cl in c.claims] == [
        ("cn-tech-beats-us-bigtech", "outperform", "year-end"), ("cn-tech-rebounds", "direction", "year-end"),
        ("us-bigtech-loses-steam", "direction", "year-end"), ("usdkrw-keeps-falling", "direction", "holiday-week"),
        ("indictment-no-fx-move", "no_move", "1W"),
    ]
    assert c.claim("usdkrw-keeps-falling").horizon("holiday-week").end == dt.date(2025, 1, 31)
    assert c.claim("cn-tech-beats-us-bigtech").horizon("year-end").end == dt.date(2025, 12, 31)
    assert [f.id for f in c.facts] == ["usdkrw-dipped-below-1430"]
    no_move = c.claim("indictment-no-fx-move")
    assert no_move.rule.params["threshold_pct"] == 1.0 and [h.id for h in no_move.horizons] == ["1W"]
    assert "1%" in no_move.text_en and "1%" in no_move.text_ko  # the rule is stated
    assert c.warnings == ()


def test_qwq_example_parses() -> None:
    c = load_commentary(QWQ)
    assert c.date == dt.date(2025, 3, 6) and c.url is None
    assert 1 <= len(c.sections) <= 2 and 1 <= len(c.claims) <= 2
    assert {s.chart["kind"] for s in c.sections} <= set(CHART_KINDS)
    assert c.warnings == ()


def test_list_commentaries_bundled_and_extra_folder(tmp_path: Path) -> None:
    bundled = list_commentaries()
    assert [c.id for c in bundled if isinstance(c, Commentary)] == [
        "baek-2025-01-26", "example-2025-03-06-qwq", "example-2025-04-04-semis", "example-2025-04-08-tariff-shock"]
    assert not [c for c in bundled if isinstance(c, CommentaryError)]
    (tmp_path / "a-good.md").write_text(GOOD, encoding="utf-8")
    broken = GOOD.replace("id: tiny", "id: broken").replace("kind: compare", "kind: pie")
    (tmp_path / "b-broken.md").write_text(broken, encoding="utf-8")
    (tmp_path / "c-dupe.md").write_text(GOOD, encoding="utf-8")
    items = list_commentaries(tmp_path)
    assert [type(i).__name__ for i in items] == ["Commentary"] * (len(bundled) + 1) + ["CommentaryError"] * 2
    assert said(items[-2]).startswith("b-broken.md, line ")
    assert said(items[-1]) == "c-dupe.md, field id: the id tiny is already used by a-good.md"
    assert said(items[-1], "ko") == "c-dupe.md, id 항목: 이름 tiny은(는) 이미 a-good.md에서 쓰고 있습니다"
    missing = list_commentaries(tmp_path / "nope")[-1]
    assert isinstance(missing, CommentaryError) and said(missing).endswith(": the folder of columns is not there")


# --------------------------------------------------------------------------- malformed files


def test_unknown_rule_names_file_line_field_and_claim_and_the_rest_still_load() -> None:
    text = GOOD.replace("      type: outperform", "      type: foo")
    c = parse_commentary(text, "x.md")
    line = _line(text, "type: foo")
    (error,) = c.claim_errors
    assert said(error) == (f"x.md, line {line}, field claims[1].rule.type: the rule cannot be used: unknown rule "
                           "'foo' (known: outperform, direction, level, stays, touches, no_move)")
    assert said(error, "ko").startswith(f"x.md, {line}번째 줄, claims[1].rule.type 항목: 판정 규칙을 쓸 수 없습니다: ")
    assert error.params["claim"] == "second"
    assert [cl.id for cl in c.claims] == ["first"]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("series: NVDA, direction: down", "series: NOPE, direction: down", "claims[0].rule.params.series",
         "unknown series NOPE"),
        ("horizons: [1W]", 'horizons: ["2025-01-20"]', "claims[0].horizons[0]", "before the reference"),
        ("horizons: [1W]", 'horizons: ["9999-12-31"]', "claims[0].horizons[0]", "more than 30 years"),
        ("horizons: [1W]", "horizons: [2W]", "claims[0].horizons[0]", "unknown horizon '2W'"),
        ("direction: down", "direction: sideways", "claims[0].rule.params.direction", "expected one of up, down"),
        ("{series: NVDA, direction: down}", "{symbol: KRW=X, level: -5, side: below}",
         "claims[0].rule.params.level", "must be > 0"),
        ("    primary: 12M\n", "", "claims[1].primary", "name the horizon"),
        ("    text_en: two\n", "", "claims[1].text_en", "missing"),
    ],
)
def test_bad_claims_name_file_claim_and_field(old: str, new: str, field: str, message: str) -> None:
    text = GOOD.replace(old, new, 1).replace("type: direction", "type: level") if "level: -5" in new else \
        GOOD.replace(old, new, 1)
    c = parse_commentary(text, "x.md")
    (error,) = c.claim_errors
    told = said(error)
    assert told.startswith("x.md, line ") and f", field {field}: " in told and message in told, told
    assert said(error, "ko").startswith("x.md, ") and f"번째 줄, {field} 항목: " in said(error, "ko")
    assert len(c.claims) == 1  # the other claim is still there to be scored


def test_bad_yaml_names_the_line() -> None:
    text = GOOD.replace("tags: [deepseek]}", "tags: [deepseek}")
    err = _error(text)
    assert err.file == "x.md" and err.field == "front matter" and "this is not valid YAML (" in said(err)
    assert "올바른 YAML이 아닙니다 (" in said(err, "ko")
    assert err.line == _line(text, "tags: [deepseek}")


def test_missing_field_names_the_field() -> None:
    err = _error(GOOD.replace("author: Tester\n", ""))
    assert said(err) == "x.md, line 2, field author: is missing (required)"
    assert said(err, "ko") == "x.md, 2번째 줄, author 항목: 빠져 있습니다 (꼭 필요합니다)"
    assert str(err) == "x.md line 2: author: column_file.missing()"  # the developer's line, for logs


def test_bad_dates() -> None:
    text = GOOD.replace('date: "2025-01-26"', "date: 26/01/2025")
    assert said(_error(text)) == "x.md, line 5, field date: '26/01/2025' is not a date (expected YYYY-MM-DD)"
    text = GOOD.replace('end: "2025-02-28"', 'end: "2024-12-31"')
    assert "field sections[0].chart.end: the end 2024-12-31 is before the start 2025-01-02" in said(_error(text))
    assert "끝 2024년 12월 31일이(가) 시작 2025년 1월 2일보다 앞입니다" in said(_error(text), "ko")


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("kind: compare", "kind: pie", "sections[0].chart.kind", "unknown chart kind 'pie'"),
        ("baskets: [cn]", "baskets: [us]", "sections[0].chart.baskets[0]",
         "unknown basket us (this column defines: cn)"),
        ("- id: second", "- id: first", "claims[1].id", "the claim id first is used twice"),
        ('date: "2025-01-26"', 'date: "2025-01-26"\ntime: "25:00"', "time", "expected a time HH:MM"),
        ('date: "2025-01-26"', 'date: "2025-01-26"\ntimezone: Mars/Olympus', "timezone", "unknown time zone"),
        ("url: null", "url: www.example.com", "url", "expected a web address (http or https) or null"),
        ("url: null\n", "", "url", "write 'url: null'"),
        ("language: ko", "language: korean", "language", "two-letter language code"),
        ("id: tiny", "id: Tiny Column", "id", "expected an id of a-z"),
    ],
)
def test_field_errors(old: str, new: str, field: str, message: str) -> None:
    text = GOOD.replace(old, new, 1)
    err = _error(text)
    assert err.field == field and message in said(err)
    assert said(err, "ko").startswith(f"x.md, {err.line}번째 줄, {field} 항목: ")
    assert err.file == "x.md" and isinstance(err.line, int) and 2 <= err.line <= _line(text, "<!-- section: one")


def test_body_problems() -> None:
    no_en = GOOD.split("<!-- section: one lang: en -->")[0]
    err = _error(no_en)
    assert err.field == "sections[0]" and "the body has no en text for this section" in said(err)
    assert err.line == _line(no_en, "- id: one")
    bad_marker = GOOD.replace("<!-- section: one lang: en -->", "<!-- section: one -->")
    err = _error(bad_marker)
    assert err.field == "body" and err.line == _line(bad_marker, "<!-- section: one -->")
    assert "this section marker is malformed" in said(err)
    stray = GOOD.replace("---\n<!-- section: one lang: ko -->", "---\nHello\n<!-- section: one lang: ko -->")
    assert _error(stray).line == _line(stray, "Hello")
    unknown = GOOD + "<!-- section: two lang: ko -->\n본문\n"
    err = _error(unknown)
    assert "a section the front matter does not list: two (listed: one)" in said(err)
    assert err.line == _line(unknown, "section: two")


def test_front_matter_fences_and_duplicate_keys() -> None:
    assert "must start with a '---' line" in said(_error(GOOD.lstrip("-\n")))
    assert "no closing '---'" in said(_error(GOOD.replace("---\n<!--", "<!--")))
    dup = GOOD.replace("author: Tester\n", "author: Tester\nauthor: Other\n")
    err = _error(dup)
    assert (err.line, err.field, said(err)) == (5, "author", "x.md, line 5, field author: this key appears twice")


def test_unknown_symbols_warn_but_load() -> None:
    text = GOOD.replace("symbols: [NVDA]", "symbols: [NVDA, XYZ]")
    c = parse_commentary(text, "x.md")
    (warning,) = c.warnings
    assert said(warning) == (f"x.md, line {_line(text, 'XYZ')}, field sections[0].chart.symbols[1]: the symbol XYZ "
                             "is not in the list of series (it will show as no data)")


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "bin.md"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommentaryError) as info:
        load_commentary(path)
    assert said(info.value).startswith("bin.md: the file cannot be read (")


# --------------------------------------------------------------------------- own words


def _seed_sentences() -> list[str]:
    if not SEED_DIR.is_dir():
        pytest.skip(f"seed text not found at {SEED_DIR} (set DASHBOARD_SHARED_DIR to the shared/ folder)")
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt")))
    parts = (re.sub(r"\s+", " ", s).strip(" \"'“”") for s in re.split(r"[.!?。\n]+", text))
    return [s for s in parts if len(s) >= 20]


@pytest.mark.parametrize("path", [BAEK, QWQ], ids=lambda p: p.name)
def test_no_seed_sentence_is_copied(path: Path) -> None:
    sentences = _seed_sentences()
    assert len(sentences) > 20
    column = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
    copied = [s for s in sentences if s in column]
    assert copied == []
