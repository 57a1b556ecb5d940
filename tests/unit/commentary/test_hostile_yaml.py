"""Hostile commentary files: every one ends as "FILE line N: field: problem", fast, never as a traceback."""

from __future__ import annotations

import time

import pytest

from commentary.document import safe_yaml, upload
from commentary.document.column import MAX_CLAIMS, MAX_FILE_BYTES, MAX_SECTIONS, parse_commentary
from commentary.document.model import CommentaryError
from tests.fakes.hostile import COMMENTARY, alias_bomb, commentary_with, front_matter_with
from tests.support.column_words import said


def _refused(text: str, budget_s: float, name: str = "evil.md") -> CommentaryError:
    """The CommentaryError ``text`` gives, asserting it came within ``budget_s`` seconds of CPU time (not wall time,
    so a loaded CI machine does not fail it; a parser that blows up still does)."""
    start = time.process_time()
    with pytest.raises(CommentaryError) as info:
        parse_commentary(text, name)
    elapsed = time.process_time() - start
    assert elapsed < budget_s, f"took {elapsed:.2f} s"
    assert str(info.value).startswith(name)
    return info.value


def test_the_base_file_is_valid() -> None:
    item = parse_commentary(COMMENTARY, "ok.md")
    assert item.id == "hostile-upload" and len(item.sections) == 1 and len(item.claims) == 1


# ------------------------------------------------------------------ 1. anchors, aliases, depth, node count


def test_alias_bomb_is_refused_in_under_a_second() -> None:
    bomb = alias_bomb(10, 9)  # 9**10 = 3.5e9 nodes once expanded
    assert len(bomb) < 1300
    err = _refused(front_matter_with(bomb), budget_s=1.0)
    assert err.line == 2 and err.field == "front matter"
    assert "anchors and aliases are refused" in said(err) and "앵커와 별칭은 받지 않습니다" in said(err, "ko")


def test_a_lone_alias_and_merge_key_are_refused_too() -> None:
    err = _refused(front_matter_with("base: &b {x: 1}\nother:\n  <<: *b"), budget_s=1.0)
    assert err.line == 2 and "anchor '&b'" in said(err)
    with pytest.raises(safe_yaml.YamlLimitError, match=r"alias '\*b'"):
        safe_yaml.check_events("a: *b")


@pytest.mark.parametrize("nested", [
    "deep: " + "[" * 100_000 + "]" * 100_000,  # flow sequences: RecursionError in the composer before
    "deep: " + "{a: " * 20_000 + "1" + "}" * 20_000,
    "deep:\n" + "".join("  " * i + "- \n" for i in range(1, 60)),  # block style
], ids=["flow-sequences", "flow-mappings", "block-sequences"])
def test_deep_nesting_is_refused_without_recursion_error(nested: str) -> None:
    err = _refused(front_matter_with(nested), budget_s=1.0)
    assert err.field == "front matter" and f"nested more than {safe_yaml.MAX_DEPTH} levels deep" in said(err)
    assert err.line is not None and err.line >= 2


def test_nesting_at_the_limit_is_accepted() -> None:
    ok = "deep: " + "[" * (safe_yaml.MAX_DEPTH - 1) + "]" * (safe_yaml.MAX_DEPTH - 1)
    assert parse_commentary(front_matter_with(ok), "ok.md").id == "hostile-upload"


def test_too_many_values_are_refused_before_they_are_built() -> None:
    many = "junk: [" + ", ".join(["N"] * 60_000) + "]"  # 180 kB, under the byte caps
    err = _refused(front_matter_with(many), budget_s=1.0)
    assert err.line == 2 and f"more than {safe_yaml.MAX_NODES:,} values" in said(err)


# ------------------------------------------------------------------ 3. size caps, parse once per hash


def test_a_4_7_mb_upload_is_refused_before_parsing() -> None:
    huge = COMMENTARY + ("- filler line of the narrative\n" * 160_000)
    assert len(huge) > 4_700_000
    err = _refused(huge, budget_s=1.0)
    assert err.line is None and f"(limit {MAX_FILE_BYTES:,})" in said(err)
    data = huge.encode()
    start = time.process_time()
    with pytest.raises(CommentaryError) as info:
        upload.parse_upload(data, "big.md")
    assert said(info.value) == f"big.md: the file is {len(data):,} bytes (limit {MAX_FILE_BYTES:,})"
    assert time.process_time() - start < 1.0


def test_a_huge_upload_is_refused_before_it_is_decoded() -> None:
    start = time.process_time()
    with pytest.raises(CommentaryError) as info:
        upload.parse_upload(b"\xff" * 5_000_000, "junk.md")  # not even UTF-8: the size is what is reported
    assert said(info.value).startswith("junk.md: the file is 5,000,000 bytes (limit")
    assert said(info.value, "ko").startswith("junk.md: 파일이 5,000,000바이트입니다 (한도")
    assert time.process_time() - start < 1.0


def test_a_big_front_matter_is_refused_by_the_yaml_cap() -> None:
    padding = "\n".join(f"# {'x' * 70}" for _ in range(4000))  # 290 kB of YAML comments
    err = _refused(front_matter_with(padding), budget_s=1.0)
    assert err.field == "front matter" and f"(limit {safe_yaml.MAX_YAML_BYTES:,})" in said(err)


_CLAIM = """  - id: c{i}
    text_ko: 하나
    text_en: one
    rule: {{type: direction, params: {{series: NVDA, direction: down}}}}
    horizons: [1W]
"""


def test_thousands_of_claims_are_refused_fast() -> None:
    many = "".join(_CLAIM.format(i=i) for i in range(5000))  # ~600 kB before: 11 s per rerun
    text = commentary_with("claims:\n", "claims:\n" + many)
    err = _refused(text, budget_s=1.0)
    assert "limit" in said(err)
    few_too_many = commentary_with("claims:\n", "claims:\n" + "".join(_CLAIM.format(i=i) for i in range(MAX_CLAIMS)))
    err = _refused(few_too_many, budget_s=2.0)
    line = COMMENTARY.splitlines().index("claims:") + 1
    assert (err.line, err.field) == (line, "claims") and f"(limit {MAX_CLAIMS})" in said(err)


def test_too_many_sections_are_refused() -> None:
    section = COMMENTARY.split("sections:\n")[1].split("claims:")[0]
    extra = "".join(section.replace("id: one", f"id: s{i}") for i in range(MAX_SECTIONS))
    err = _refused(commentary_with("claims:", extra + "claims:"), budget_s=2.0)
    assert err.field == "sections" and f"(limit {MAX_SECTIONS})" in said(err)


def test_a_file_at_the_limits_parses_within_budget() -> None:
    claims = "".join(_CLAIM.format(i=i) for i in range(MAX_CLAIMS - 1))
    start = time.process_time()
    item = parse_commentary(commentary_with("claims:\n", "claims:\n" + claims), "max.md")
    assert len(item.claims) == MAX_CLAIMS
    assert time.process_time() - start < 5.0


def test_an_upload_is_parsed_once_per_content_hash() -> None:
    upload.clear_cache()
    data = COMMENTARY.encode()
    first = upload.parse_upload(data, "mine.md")
    assert upload.parse_upload(data, "mine.md") is first  # the cached object, not a second parse
    other = upload.parse_upload(data.replace(b"Summary", b"Other summary"), "mine.md")
    assert other is not first and other.summary_en == "Other summary"
    bad = front_matter_with(alias_bomb()).encode()
    with pytest.raises(CommentaryError) as one:
        upload.parse_upload(bad, "bomb.md")
    with pytest.raises(CommentaryError) as two:
        upload.parse_upload(bad, "bomb.md")
    assert "anchors and aliases are refused" in said(one.value)
    assert one.value is not two.value and said(one.value) == said(two.value)
    assert upload.content_key(data, "mine.md") != upload.content_key(data, "other.md")


def test_an_upload_that_is_not_utf8_names_the_file() -> None:
    data = "---\ntitle: caf\xe9\n---\n".encode("latin-1")
    with pytest.raises(CommentaryError) as info:
        upload.parse_upload(data, "latin.md")
    at = data.index(b"\xe9")  # the first byte UTF-8 cannot read
    assert said(info.value) == f"latin.md: this is not a UTF-8 text file (byte {at})"
    assert said(info.value, "ko") == f"latin.md: UTF-8 텍스트 파일이 아닙니다 ({at}번째 바이트)"


# ------------------------------------------------------------------ 6. types and dates: field errors, no traceback


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(("where", "value"), [
    ('date: "2025-01-26"', 'date: "9999-12-31"'),
    ('date: "2025-01-26"', 'date: "0001-01-01"'),
    ('news: {start: "2024-06-01"', 'news: {start: "9999-06-01"'),
    ('end: "2025-02-28"', 'end: "9999-02-28"'),
])
def test_dates_outside_the_supported_range_are_field_errors(where: str, value: str) -> None:
    text = commentary_with(where, value)
    err = _refused(text, budget_s=1.0)
    assert "is outside 1900-01-01 to 2199-12-31" in said(err)
    assert err.line == _line_of(text, value.strip())


CHART_LINE = 'base_date: "2025-01-24"}'


@pytest.mark.parametrize(("extra", "field", "problem"), [
    ("level: [1430]", "level", "expected a number, got [1430]"),
    ("level: abc", "level", "expected a number, got 'abc'"),
    ("level: true", "level", "expected a number, got True"),
    ("level: .nan", "level", "expected a number, got nan"),
    ("level: .inf", "level", "expected a number, got inf"),
    ("threshold_pct: x", "threshold_pct", "expected a number, got 'x'"),
    ("threshold_pct: -1", "threshold_pct", "expected a number above 0, got -1"),
    ("threshold_pct: {a: 1}", "threshold_pct", "expected a number"),
    ("events: 5", "events", "expected a list"),
    ("events: deepseek_r1", "events", "expected a list"),
    ("events: [1]", "events[0]", "expected non-empty text, got 1"),
    ("events: [{a: 1}]", "events[0]", "expected non-empty text"),
])
def test_chart_fields_of_the_wrong_type_are_field_errors(extra: str, field: str, problem: str) -> None:
    text = commentary_with(CHART_LINE, CHART_LINE[:-1] + ", " + extra + "}")
    err = _refused(text, budget_s=1.0)
    assert err.field == f"sections[0].chart.{field}" and problem in said(err)
    assert err.line == _line_of(text, "chart:")


def test_chart_fields_of_the_right_type_are_kept() -> None:
    text = commentary_with(CHART_LINE, CHART_LINE[:-1] + ", level: 1430, threshold_pct: 1, events: [deepseek_r1]}")
    chart = parse_commentary(text, "ok.md").sections[0].chart
    assert chart["level"] == 1430.0 and chart["threshold_pct"] == 1.0 and chart["events"] == ["deepseek_r1"]


def test_a_null_chart_date_counts_as_absent() -> None:
    text = commentary_with('base_date: "2025-01-24"', "base_date: null")
    assert "base_date" not in parse_commentary(text, "ok.md").sections[0].chart


@pytest.mark.parametrize("rule_type", ["[1, 2]", "{a: 1}", "[]"])
def test_unexpected_failures_become_a_commentary_error_naming_the_file(rule_type: str) -> None:
    # an unhashable rule type used to raise TypeError from deep inside the rule checks
    err = _refused(commentary_with("type: direction", f"type: {rule_type}"), budget_s=1.0, name="odd.md")
    assert err.file == "odd.md"
    assert "Traceback" not in str(err) and "/" not in str(err).removeprefix("odd.md")


def test_long_values_are_cut_in_messages() -> None:
    err = _refused(commentary_with("language: en", "language: " + "x" * 5000), budget_s=1.0)
    assert len(str(err)) < 200


def test_unknown_yaml_tags_are_refused() -> None:
    err = _refused(front_matter_with("x: !!python/object/apply:os.system [echo hi]"), budget_s=1.0)
    assert err.field == "front matter" and "this is not valid YAML" in said(err)
