"""Our own English-titled example columns carry a Korean title (``title_ko`` in the file) shown on Korean pages;
English pages show ``title``; a column without ``title_ko`` shows its title as written, in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commentary.document.column import TITLE_KO_MAX, list_commentaries, parse_commentary
from commentary.document.model import Commentary, CommentaryError
from commentary.library.export import export_commentary
from tests.conftest import app_page, shown
from tests.support.column_words import said

HANGUL = re.compile(r"[가-힣]")


def _bundled() -> list[Commentary]:
    return [c for c in list_commentaries() if isinstance(c, Commentary)]


def _examples() -> list[Commentary]:
    return [c for c in _bundled() if c.title_ko]


def _with_title_ko(value: str) -> str:
    """A bundled example's exported text with its ``title_ko`` line replaced by ``title_ko: <value>``."""
    text = export_commentary(_examples()[0])
    lines = text.splitlines(keepends=True)
    (i,) = [n for n, line in enumerate(lines) if line.startswith("title_ko:")]
    lines[i] = f"title_ko: {value}\n"
    return "".join(lines)


def test_every_english_titled_example_has_a_korean_title() -> None:
    english = [c for c in _bundled() if not HANGUL.search(c.title)]
    assert len(english) >= 3
    for item in english:
        assert item.title_ko and HANGUL.search(item.title_ko), item.id
        assert item.title_in("ko") == item.title_ko != item.title
        assert item.title_in("en") == item.title  # English pages keep the English title
    seed = next(c for c in _bundled() if c.id == "baek-2025-01-26")  # already Korean: no title_ko
    assert not seed.title_ko and seed.title_in("ko") == seed.title_in("en") == seed.title


def test_title_ko_survives_export_and_is_optional() -> None:
    example = _examples()[0]
    again = parse_commentary(export_commentary(example), example.source)
    assert again == example and again.title_ko == example.title_ko
    seed = next(c for c in _bundled() if not c.title_ko)
    assert "title_ko" not in export_commentary(seed)


def test_title_ko_at_the_limit_parses() -> None:
    item = parse_commentary(_with_title_ko("가" * TITLE_KO_MAX), "x.md")
    assert item.title_ko == "가" * TITLE_KO_MAX


@pytest.mark.parametrize(("value", "problem"), [
    ("가" * (TITLE_KO_MAX + 1), f"{TITLE_KO_MAX + 1} characters (limit {TITLE_KO_MAX})"),
    ("[제목, 둘]", "expected non-empty text"),
    ("{ko: 제목}", "expected non-empty text"),
    ("true", "expected non-empty text"),
    ('""', "expected non-empty text"),
])
def test_a_bad_title_ko_is_an_error_naming_file_line_and_field(value: str, problem: str) -> None:
    text = _with_title_ko(value)
    with pytest.raises(CommentaryError) as info:
        parse_commentary(text, "x.md")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("title_ko:"))
    assert (info.value.file, info.value.line, info.value.field) == ("x.md", line, "title_ko")
    assert said(info.value) == f"x.md, line {line}, field title_ko: {problem}"
    assert said(info.value, "ko").startswith(f"x.md, {line}번째 줄, title_ko 항목: ")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_library_shows_the_title_in_the_page_language(seeded_store: Path, lang: str) -> None:
    at = app_page("library", lang=lang)
    assert not at.exception
    titles = set(at.dataframe[0].value["title"])
    for item in _examples():
        assert item.title_in(lang) in titles
        assert (item.title if lang == "ko" else item.title_ko) not in titles


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_column_page_shows_the_title_in_the_page_language(seeded_store: Path, lang: str) -> None:
    example = _examples()[0]
    at = app_page("column", lang=lang, c=example.id)
    assert not at.exception
    wanted, other = (example.title_ko, example.title) if lang == "ko" else (example.title, example.title_ko)
    markdown = [shown(m.value) for m in at.markdown]
    assert any(m.startswith(f"**{wanted}** · ") for m in markdown)  # the citation line under the page title
    assert not any(other in m for m in markdown)
    captions = " ".join(shown(c.value) for c in at.caption)
    assert wanted in captions and other not in captions  # the "Original: ..." line in the summary popover
    options = at.selectbox(key="col_choice").options
    assert any(o.startswith(wanted) for o in options) and not any(other in o for o in options)
