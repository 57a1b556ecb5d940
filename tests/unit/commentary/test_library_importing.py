"""Importing a commentary file (upload limits, loader messages, ids already taken) and what can be published."""

from __future__ import annotations

import dataclasses

import pytest

from commentary.document.column import MAX_FILE_BYTES, list_commentaries, parse_commentary
from commentary.document.model import Commentary, CommentaryError
from commentary.document.upload import clear_cache
from commentary.library.export import export_commentary
from commentary.library.importing import import_file, publish_problem
from tests.support.column_words import said

BUNDLED = {c.id: c for c in list_commentaries() if isinstance(c, Commentary)}


def _file(new_id: str = "my-import-2025") -> bytes:
    item = dataclasses.replace(BUNDLED["example-2025-04-04-semis"], id=new_id, title="Imported <b>semis</b>")
    return export_commentary(item).encode("utf-8")


def test_an_imported_file_is_kept_byte_for_byte_and_round_trips() -> None:
    data = _file()
    got = import_file(data, "semis.md", {c.id: c.title for c in BUNDLED.values()})
    assert got.text.encode("utf-8") == data  # what is stored is what was uploaded
    assert got.item.id == "my-import-2025" and got.item.title == "Imported <b>semis</b>"
    again = parse_commentary(export_commentary(got.item), "semis.md")
    assert again == got.item and export_commentary(again).encode("utf-8") == data


def test_a_broken_file_names_file_line_and_field() -> None:
    clear_cache()
    import re

    text = _file().decode()
    bad, n = re.subn(r"(?m)^date: .*$", "date: '9999-12-31'", text)
    assert n == 1
    line = text[: text.index("\ndate: ")].count("\n") + 2
    with pytest.raises(CommentaryError) as err:
        import_file(bad.encode(), "broken.md", {})
    assert said(err.value) == (f"broken.md, line {line}, field date: the date 9999-12-31 is outside 1900-01-01 to "
                               "2199-12-31")
    assert said(err.value, "ko") == (f"broken.md, {line}번째 줄, date 항목: 날짜 9999년 12월 31일이(가) "
                                     "1900년 1월 1일부터 2199년 12월 31일까지의 범위 밖입니다")


def test_a_file_over_the_limit_is_refused_before_decoding() -> None:
    blob = b"\xff" * (MAX_FILE_BYTES + 1)  # not even UTF-8: the size check comes first
    with pytest.raises(CommentaryError) as err:
        import_file(blob, "big.md", {})
    assert said(err.value) == f"big.md: the file is {MAX_FILE_BYTES + 1:,} bytes (limit {MAX_FILE_BYTES:,})"


def test_an_id_already_in_the_library_is_refused_not_shadowed() -> None:
    data = export_commentary(BUNDLED["baek-2025-01-26"]).encode()
    with pytest.raises(CommentaryError) as err:
        import_file(data, "baek.md", {c.id: c.title for c in BUNDLED.values()})
    title = BUNDLED["baek-2025-01-26"].title
    assert said(err.value).startswith(f"baek.md, field id: the id baek-2025-01-26 is already used by '{title}' in your")
    assert f"내 서재의 '{title}'" in said(err.value, "ko")


def test_what_can_be_published() -> None:
    item = BUNDLED["example-2025-04-04-semis"]
    assert publish_problem(item, {}, set()) is None
    assert said(publish_problem(item, {item.id: item.title}, set())).startswith(
        f"id: the id {item.id} is already in the shared library ('{item.title}')")
    assert publish_problem(item, {item.id: item.title}, {item.id}) is None  # it is mine, already published
    empty = dataclasses.replace(item, claims=())
    assert said(publish_problem(empty, {}, set())).startswith("claims: a column with no scored claim")
    assert said(publish_problem(empty, {}, set()), "ko").startswith("claims: 판정할 주장이 없는 칼럼은")
