"""AppTest: the library's table leads with its key columns (title, then the verdict tally) for a phone."""

from __future__ import annotations

import pytest

from tests.conftest import app_page


@pytest.mark.parametrize(("lang", "tally"), [("ko", "적중 1 · 빗나감 3 · 출처에 따라 다름 1"),
                                             ("en", "held 1 · failed 3 · source-dependent 1")])
def test_title_and_tally_come_first(seeded_store, lang: str, tally: str) -> None:
    at = app_page("library", lang)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["title", "tally"]
    baek = table[table["author"] == "백석현"].iloc[0]
    assert baek["tally"] == tally
    assert ("5 claims" if lang == "en" else "주장 5개") in baek["verdicts"]  # the full line stays, further right
