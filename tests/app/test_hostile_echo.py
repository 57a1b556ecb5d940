"""Reader input quoted back on a page (the Library search box, a claim's error, a column id from the address)
reads as typed: no image, link, math, icon or tag forms from it."""

from __future__ import annotations

import re

import pytest

from commentary.document.column import parse_commentary
from tests.conftest import app_page, shown
from tests.fakes.hostile import COMMENTARY, commentary_with

PAYLOAD = "![x](https://evil.example/p.png) [y](javascript:alert(1)) <img src=x> $e^x$ :material/bug_report: **b**"


def _live_syntax(markdown: str) -> set[str]:
    """Markdown/HTML marks left once every backslash escape is taken out (what could still form a link, image,
    math, tag or emphasis); the icon directive is checked separately."""
    return set(re.sub(r"\\.", "", markdown)) & set("[]()!<>$*")


@pytest.mark.parametrize(("lang", "words"), [("en", "No column matches '{}'."), ("ko", "'{}'에 맞는 칼럼이 없습니다.")])
def test_library_search_text_is_shown_as_typed(seeded_store, lang: str, words: str) -> None:
    at = app_page("library", lang)
    at.text_input(key="lib_q").set_value(PAYLOAD).run()
    assert not at.exception
    [info] = [i.value for i in at.info]
    assert shown(info) == words.format(PAYLOAD)  # the reader sees exactly what they typed ...
    assert _live_syntax(info) == set()  # ... and none of it is Markdown
    assert ":material/" not in info and "<img" not in info


def test_claim_errors_quote_the_file_inert(seeded_store) -> None:
    """A claim whose id and rule values carry Markdown: the page's warning quotes them, escaped."""
    text = commentary_with("  - id: first", f'  - id: "{PAYLOAD[:32]}"')
    text = commentary_with("series: NVDA", 'series: "![s](https://evil.example/s.png) $x$"', text)
    item = parse_commentary(text, "hostile.md")
    assert item.claim_errors  # the parser kept the claim out and said why, quoting the file
    at = app_page("column", "en")
    at.session_state["col_upload_open"] = True  # the upload box is built only when opened
    at.run()
    at.file_uploader[0].set_value(("hostile.md", text.encode(), "text/markdown")).run()
    at.selectbox[0].set_value("hostile-upload").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning if w.value.startswith("A claim could not be scored")]
    assert len(warnings) == 1
    assert "evil.example/p.png" in shown(warnings[0])  # quoted ...
    assert _live_syntax(warnings[0]) == set() and ":material/" not in warnings[0]  # ... inert


def test_a_column_id_from_the_address_is_quoted_inert(seeded_store) -> None:
    at = app_page(None, "en", c=PAYLOAD)  # the first page, opened from an address
    assert not at.exception
    [warning] = [w.value for w in at.warning if "in the address was not found" in w.value]
    assert _live_syntax(warning) == set()  # the address's value is not echoed at all: nothing of it can be live


@pytest.mark.parametrize("page", ["compare", "column"])
def test_a_store_error_quoting_a_file_is_shown_inert(seeded_store, monkeypatch, page: str) -> None:
    from data_sources.store.atomic import StoreError
    from ui import loaders

    def broken() -> str:
        raise StoreError(f"prices.parquet: damaged near {PAYLOAD}")

    monkeypatch.setattr(loaders, "store_version", broken)
    at = app_page(page, "en")
    assert not at.exception, [e.value for e in at.exception]
    [error] = [e.value for e in at.error if "store cannot be read" in e.value]
    assert PAYLOAD in shown(error) and _live_syntax(error) == set()


def test_an_evidence_error_quoting_the_file_is_shown_inert(seeded_store, monkeypatch) -> None:
    from commentary.charts import sections

    def failing(*_args, **_kwargs):
        raise ValueError(f"chart.symbols: cannot draw {PAYLOAD}")

    monkeypatch.setattr(sections, "section_figure", failing)
    at = app_page("column", "en")
    at.session_state["col_upload_open"] = True
    at.run()
    at.file_uploader[0].set_value(("mine.md", COMMENTARY.encode(), "text/markdown"))
    at.run()
    at.selectbox[0].set_value("hostile-upload").run()
    assert not at.exception, [e.value for e in at.exception]
    [warning] = [w.value for w in at.warning if w.value.startswith("The evidence cannot be drawn")]
    assert PAYLOAD in shown(warning) and _live_syntax(warning) == set()
