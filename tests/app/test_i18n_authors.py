"""Our own example columns' authors in Korean on Korean pages (``author_ko`` in the file), English on English
pages; a column without ``author_ko`` shows its author as written, in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commentary.document.column import list_commentaries, parse_commentary
from commentary.document.model import Commentary
from commentary.library.export import export_commentary
from tests.conftest import app_page, shown

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")  # "vs" in the app's own Korean name 칼럼 vs 데이터 is allowed


def _bundled() -> list[Commentary]:
    return [c for c in list_commentaries() if isinstance(c, Commentary)]


def test_every_example_has_a_korean_author_name() -> None:
    examples = [c for c in _bundled() if "(example)" in c.author]
    assert len(examples) >= 3
    for item in examples:
        korean = item.author_name("ko")
        assert korean == item.author_ko and re.search(r"[가-힣]", korean) and "예시" in korean, item.id
        assert not LATIN_WORD.search(korean), (item.id, korean)
        assert item.author_name("en") == item.author  # English pages keep the English name


def test_author_ko_survives_export_and_is_optional() -> None:
    example = next(c for c in _bundled() if c.author_ko)
    again = parse_commentary(export_commentary(example), example.source)
    assert again == example and again.author_ko == example.author_ko
    seed = next(c for c in _bundled() if not c.author_ko)  # the published column: its author's own name
    assert seed.author_name("ko") == seed.author_name("en") == seed.author
    assert "author_ko" not in export_commentary(seed)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_library_shows_the_author_in_the_page_language(seeded_store: Path, lang: str) -> None:
    at = app_page("library", lang=lang)
    assert not at.exception
    authors = set(at.dataframe[0].value["author"])
    examples = [c for c in _bundled() if c.author_ko]
    for item in examples:
        assert item.author_name(lang) in authors
    if lang == "ko":
        assert not any("(example)" in a for a in authors), authors
        records = " ".join(shown(m.value) for m in at.markdown)
        assert "Column vs Data (example)" not in records and "Dashboard team" not in records
    else:
        assert not any("예시" in a for a in authors), authors


def test_column_page_credits_the_example_author_in_korean(seeded_store: Path) -> None:
    example = next(c for c in _bundled() if c.author_ko)
    at = app_page("column", lang="ko", c=example.id)
    assert not at.exception
    captions = " ".join(shown(c.value) for c in at.caption)
    assert example.author_ko in captions and example.author not in captions
