"""Every problem a column file or a New column draft can raise is worded in Korean and English.

The codes are collected by feeding real bad files and drafts to the real parser and builders (never by reading
the source), so a new raise site without catalog words fails here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import catalog
from commentary.document.column import MAX_FILE_BYTES, list_commentaries, load_commentary, parse_commentary
from commentary.document.model import Commentary, CommentaryError
from commentary.document.upload import clear_cache, parse_upload
from commentary.library.builder import no_data_problems
from commentary.library.draft import MAX_TEXT_CHARS, Draft, draft_markdown, field_problems
from commentary.library.importing import import_file, publish_problem
from commentary.library.sections import SectionFields, chart_spec, split_problems
from data_sources.errors import Problem
from tests.support.column_words import GOOD as COLUMN
from ui.column_errors import MAX_CHARS, MAX_PARAM_CHARS, markdown, plain

FACTS = """\
facts:
  - id: fact
    text_ko: 사실
    text_en: fact
    check: {symbols: [NVDA], level: 100, side: below, start: "2025-01-02", end: "2025-01-10"}
"""
GOOD = COLUMN.replace("---\n<!-- section: one lang: ko", FACTS + "---\n<!-- section: one lang: ko", 1)
BODY = "---\n<!-- section: one lang: ko -->"
CHART_END = 'base_date: "2025-01-24"}'
FIRST_HORIZON = "    horizons: [1W]\n"
RULE = "rule: {type: direction, params: {series: NVDA, direction: down}}"
SECTION = ('  - {id: one, heading_ko: a, heading_en: b, chart: {kind: compare, symbols: [NVDA], start: "2025-01-02", '
           'end: "2025-02-28"}}\n')

#: (old, new) edits of GOOD, each a different bad file.
EDITS = [
    ("author: Tester\n", "author: Tester\nauthor: Other\n"), ("author: Tester", "author:"), ("author: Tester\n", ""),
    ("author: Tester", "author: [a]"), ("id: tiny", "id: Tiny X"), ("url: null\n", "url: null\nevents: 5\n"),
    ('date: "2025-01-26"', 'date: "9999-01-26"'), ('date: "2025-01-26"', "date: 26/01/2025"),
    (CHART_END, 'base_date: "2025-01-24", level: abc}'), (CHART_END, 'base_date: "2025-01-24", threshold_pct: -1}'),
    ("url: null\n", "url: null\nevents: [1]\n"), ("symbols: [NVDA]", "symbols: [NVDA, XYZ]"),
    ("<!-- section: one lang: en -->", "<!-- section: one -->"), ("lang: en -->", "lang: fr -->"),
    (BODY, "---\nHello\n<!-- section: one lang: ko -->"), ("  cn: [BABA, JD]", "  CN!: [BABA, JD]"),
    ("cn: [BABA, JD]", "cn: []"), ("kind: compare", "kind: pie"), ('start: "2025-01-02", ', ""),
    ('end: "2025-02-28"', 'end: "2024-12-31"'), ("kind: compare", "kind: event_day"),
    ('base_date: "2025-01-24"', 'base_date: "2024-01-24"'), ("baskets: [cn]", "baskets: [us]"),
    ("compare, baskets: [cn], symbols: [NVDA],", "compare,"), ("type: direction", "type: foo"),
    ("series: NVDA", "series: NOPE"), (FIRST_HORIZON, FIRST_HORIZON + '    start: "2025-01-01"\n'),
    ("horizons: [1W]", "horizons: []"), ("horizons: [1W]", "horizons: [2W]"), ("horizons: [1W]", "horizons: [1W, 1W]"),
    ("    primary: 12M\n", ""), ("primary: 12M", "primary: 5Y"), (FIRST_HORIZON, FIRST_HORIZON + "    section: nope\n"),
    ("side: below", "side: sideways"), ("url: null\n", 'url: null\ntime: "25:00"\n'), ("language: ko", "language: xx"),
    ("url: null\n", "url: null\ntimezone: Mars/Olympus\n"), ("tags: [deepseek]}", "tags: [deepseek}"),
    ("url: null\n", ""), ("url: null", "url: www.example.com"), ("language: ko", "language: korean"),
    ("sections:\n", "sections: []\nold_sections:\n"),
    ("sections:\n", "sections: [" + "{}, " * 51 + "]\nold_sections:\n"),
    ("claims:\n", "claims: [" + "{}, " * 201 + "]\nold_claims:\n"), ("sections:\n", "sections:\n" + SECTION),
    ("<!-- section: one lang: en -->\nEnglish body.\n", ""), ("English body.\n", "English body.\n"
                                                             "<!-- section: two lang: ko -->\n본문\n"),
    ("English body.\n", "English body.\n<!-- section: one lang: ko -->\nmore\n"),
    ("- id: second", "- id: first"), ("url: null\n", "url: null\ntitle_ko: " + "가" * 301 + "\n"),
    ("author: Tester", "author: &a Tester"), ("author: Tester", "author: *a"),
    ("url: null\n", "url: null\nmany: [" + "1, " * 10_001 + "]\n"),
    ("url: null\n", "url: null\ndeep: " + "[" * 30 + "]" * 30 + "\n"),
    ("url: null\n", "url: null\n" + f"# {'x' * 70}\n" * 4000),
    ("facts:\n", "facts:\n  - 5\n"),
    *((RULE, f"rule: {{type: {new}}}") for new in (
        "direction, params: [1]", "direction, params: {series: NVDA, direction: down, x: 1}",
        "direction, params: {series: NVDA}", "level, params: {symbol: [NVDA], level: 1, side: below}",
        "direction, params: {series: 5, direction: down}", "direction, params: {series: NVDA, direction: sideways}",
        "direction, params: {series: NVDA, direction: down, threshold_pct: abc}",
        "direction, params: {series: NVDA, direction: down, threshold_pct: -1}",
        "level, params: {symbol: NVDA, level: 0, side: below}",
        "stays, params: {symbol: NVDA, level: 1, side: below, share_pct: 200}")),
    *(("horizons: [1W]", f"horizons: [{new}]") for new in (
        '"2025-13-01"', '"2024-01-01"', '"9999-01-31"', '{id: x1, end: "2025-06-30", colour: red}',
        '{id: 1W, end: "2025-06-30"}', "{id: x1, end: 5}")),
]
#: Safety nets a file cannot reach: a RecursionError past the depth cap, any other unexpected exception, and the
#: wording of a problem with neither a file nor a field (no raise site makes one today).
UNREACHABLE = {"column_file.too_deep", "column_file.unreadable", "column_file.bare"}


def _draft(**kw) -> Draft:
    base = {"title": "T", "author": "A", "date": dt.date(2025, 4, 3), "text": "Nvidia will fall by year-end."}
    return Draft(**{**base, **kw})


def _raised(call) -> list[CommentaryError]:
    try:
        result = call()
    except CommentaryError as exc:
        return [exc]
    if isinstance(result, Commentary):
        return [*result.warnings, *result.claim_errors]
    if isinstance(result, CommentaryError):
        return [result]
    if isinstance(result, dict):
        return [e for errors in result.values() for e in errors]
    return [e for e in result or () if isinstance(e, CommentaryError)]


@pytest.fixture(scope="module")
def raised(tmp_path_factory) -> list[CommentaryError]:
    tmp: Path = tmp_path_factory.mktemp("columns")
    out: list[CommentaryError] = []
    for old, new in EDITS:
        assert old in GOOD, old
        found = _raised(lambda old=old, new=new: parse_commentary(GOOD.replace(old, new, 1), "x.md"))
        assert found, (old, new)  # each edit is a problem
        out += found
    out += _raised(lambda: parse_commentary(GOOD.lstrip("-\n"), "x.md"))
    out += _raised(lambda: parse_commentary(GOOD.replace("---\n<!--", "<!--"), "x.md"))
    out += _raised(lambda: parse_commentary("---\n- a\n---\n", "x.md"))
    out += _raised(lambda: parse_commentary("x" * (MAX_FILE_BYTES + 1), "x.md"))
    (tmp / "bin.md").write_bytes(b"\xff\xfe\x00bad")
    out += _raised(lambda: load_commentary(tmp / "bin.md"))
    out += [e for e in list_commentaries(tmp / "nope") if isinstance(e, CommentaryError)]
    twins = tmp / "twins"
    twins.mkdir()
    for name in ("a.md", "b.md"):
        (twins / name).write_text(GOOD, encoding="utf-8")
    out += [e for e in list_commentaries(twins) if isinstance(e, CommentaryError) and e.file == "b.md"]
    clear_cache()
    out += _raised(lambda: parse_upload(b"---\n\xff", "latin.md"))
    out += _raised(lambda: import_file(GOOD.encode(), "mine.md", {"tiny": "Taken"}))
    item = parse_commentary(GOOD, "x.md")
    out += _raised(lambda: publish_problem(item, {"tiny": "Theirs"}, set()))
    out += _raised(lambda: publish_problem(parse_commentary(GOOD.replace("claims:\n", "claims: []\nold:\n"), "x.md"),
                                           {}, set()))
    out += _raised(lambda: chart_spec(SectionFields(0, kind="pie")))
    for kw in ({"text": "x" * (MAX_TEXT_CHARS + 1)}, {"text": " ", "title": "a\u202eb", "author": "x" * 121},
               {"text": "one\x07", "date": None, "time": "25:00", "url": "javascript:alert(1)"},
               {"text": "ok\n<!-- section: x lang: ko -->"}, {"date": dt.date(9999, 1, 1)}):
        out += field_problems(_draft(**kw))
    out += _raised(lambda: draft_markdown(_draft(date=None)))
    text = "one\n\ntwo\n\nthree"
    for starts in ([1], [0, 2, 1], [0, 9], list(range(60))):
        out += split_problems(text, starts)
    claims = [{"id": "c", "rule": {"type": "direction", "params": {"series": "^SOX", "direction": "up"}}}]
    out += _raised(lambda: no_data_problems(claims, pd.DataFrame({"symbol": ["NVDA"]})))
    return out


def _catalog_codes() -> set[str]:
    return {key.removeprefix("problem.") for key in catalog.catalog("en")
            if key.startswith(("problem.column_file.", "problem.column_draft."))}


def test_every_problem_raised_is_worded_in_both_languages(raised) -> None:
    codes = {e.code for e in raised} | {e.located.code for e in raised}
    missing = {lang: sorted(c for c in codes if f"problem.{c}" not in catalog.catalog(lang)) for lang in catalog.LANGS}
    assert missing == {"ko": [], "en": []}
    for err in raised:
        ko, en = plain(err, "ko"), plain(err, "en")
        assert ko != en and err.code not in ko and err.code not in en, (str(err), ko, en)


def test_every_worded_problem_can_be_raised(raised) -> None:
    causes = [e.params.get("detail") for e in raised]  # a rule's or a horizon's own problem, worded inside
    codes = {e.code for e in raised} | {e.located.code for e in raised} | {c.code for c in causes
                                                                            if isinstance(c, Problem)}
    assert sorted(_catalog_codes() - codes - UNREACHABLE) == []


def test_a_hostile_value_is_cut_and_escaped() -> None:
    value = "![x](https://evil.example/p.png) <b>" + "y" * 10_000
    err = CommentaryError("**f**.md" + "z" * 500, 3, "language", "column_file.language", value=value)
    for lang in catalog.LANGS:
        told = plain(err, lang)
        assert "z" * MAX_PARAM_CHARS not in told and "y" * MAX_PARAM_CHARS not in told and told.count("…") == 2
        shown = markdown(err, lang)
        assert len(shown) <= 2 * MAX_CHARS and "![" not in shown and "<b>" not in shown and "**" not in shown
        assert "\\!\\[x\\]" in shown and "&lt;b&gt;" in shown
