"""The column page's upload path in AppTest with hostile files: field-level errors, no exception, nothing live."""

from __future__ import annotations

import re
import time

import pytest

from commentary.document import upload
from tests.conftest import app_page, shown
from tests.fakes.hostile import (
    BREAKOUT_URL,
    COMMENTARY,
    alias_bomb,
    commentary_with,
    front_matter_with,
    hostile_news_rss,
)

#: Markdown that would load an image or render an icon, once Streamlit has undone the escapes.
LIVE_IMAGE = re.compile(r"(?<!\\)!\[")


@pytest.fixture(autouse=True)
def _fresh_upload_cache():
    upload.clear_cache()
    yield
    upload.clear_cache()


def _upload(at, name: str, data: bytes):
    if not at.file_uploader:  # the column page builds its upload box only when it is opened
        at.session_state["col_upload_open"] = True
        at.run()
    start = time.process_time()
    at.file_uploader[0].set_value((name, data, "text/markdown")).run()
    return time.process_time() - start


def _everything(at) -> list[str]:
    """The Markdown source of every text element on the page."""
    kinds = ("markdown", "caption", "error", "warning", "success", "info", "header", "subheader")
    return [el.value for kind in kinds for el in getattr(at, kind)] + [tab.label for tab in at.tabs]


@pytest.mark.parametrize(("name", "text", "lang", "expected"), [
    ("bomb.md", front_matter_with(alias_bomb(10, 9)), "en",
     "bomb.md, line 2, field front matter: the anchor '&a0' is not allowed (anchors and aliases are refused)"),
    ("bomb.md", front_matter_with(alias_bomb(10, 9)), "ko",
     "bomb.md, 2번째 줄, 머리말 항목: 앵커 '&a0'은(는) 쓸 수 없습니다 (앵커와 별칭은 받지 않습니다)"),
    ("deep.md", front_matter_with("deep: " + "[" * 50_000 + "]" * 50_000), "en",
     "deep.md, line 2, field front matter: nested more than 20 levels deep"),
    ("level.md", commentary_with('base_date: "2025-01-24"}', 'base_date: "2025-01-24", level: [1430]}'), "en",
     "level.md, line 14, field sections[0].chart.level: expected a number, got [1430]"),
    ("level.md", commentary_with('base_date: "2025-01-24"}', 'base_date: "2025-01-24", level: [1430]}'), "ko",
     "level.md, 14번째 줄, sections[0].chart.level 항목: 숫자가 필요한데 [1430]입니다"),
    ("future.md", commentary_with('date: "2025-01-26"', 'date: "9999-01-26"'), "en",
     "future.md, line 5, field date: the date 9999-01-26 is outside 1900-01-01 to 2199-12-31"),
    ("future.md", commentary_with('date: "2025-01-26"', 'date: "9999-01-26"'), "ko",
     "future.md, 5번째 줄, date 항목: 날짜 9999년 1월 26일이(가) 1900년 1월 1일부터 2199년 12월 31일까지의 "
     "범위 밖입니다"),
])
def test_hostile_upload_gives_a_field_error_and_no_exception(seeded_store, name: str, text: str, lang: str,
                                                             expected: str) -> None:
    at = app_page(None, lang)
    elapsed = _upload(at, name, text.encode())
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(e.value) for e in at.error]
    assert any(expected in e for e in errors), errors
    assert elapsed < 30, f"the page took {elapsed:.1f} s"
    assert not any("Traceback" in t or "site-packages" in t for t in _everything(at))


def test_a_4_7_mb_upload_is_refused_fast(seeded_store) -> None:
    at = app_page(None, "en")
    huge = (COMMENTARY + "- filler line of the narrative\n" * 160_000).encode()
    elapsed = _upload(at, "huge.md", huge)
    assert not at.exception
    assert len(huge) > 4_700_000
    assert any(f"huge.md: the file is {len(huge):,} bytes (limit 524,288)" in shown(e.value) for e in at.error)
    assert elapsed < 30


def test_error_messages_of_an_upload_are_shown_escaped(seeded_store) -> None:
    at = app_page(None, "en")
    text = commentary_with("language: en", 'language: "![x](https://evil.example/p.png) :material/warning:"')
    _upload(at, "![n](https://evil.example/n.png).md", text.encode())
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and any("expected a two-letter language code" in shown(e) for e in errors)
    assert any(shown(e).startswith("The uploaded file cannot be used — ![n](https://evil.example/n.png).md, line ")
               for e in errors), errors  # the file's name, shown as text
    for value in _everything(at):
        assert not LIVE_IMAGE.search(value), value
        assert ":material/warning" not in value, value


def test_hostile_but_valid_upload_renders_inert(seeded_store) -> None:
    from data_sources.news import store as news_store

    feeds = seeded_store / "hostile-feeds"
    feeds.mkdir()
    (feeds / "hostile.xml").write_text(hostile_news_rss(), encoding="utf-8")
    report = news_store.import_feed_dir(seeded_store, feeds)
    assert not report.errors, report.summary()

    text = commentary_with("url: null", f'url: "{BREAKOUT_URL}"')
    text = commentary_with("heading_en: One", 'heading_en: "One ![h](https://evil.example/h.png) :material/home:"',
                           text)
    text = commentary_with("summary_en: Summary",
                           'summary_en: "Sum :material/warning: ![s](https://evil.example/s.png)"', text)
    text = commentary_with("English body.",
                           "English body ![b](https://evil.example/b.png) <img src=x onerror=alert(1)>", text)
    at = app_page(None, "en")
    _upload(at, "mine.md", text.encode())
    assert not at.error, [e.value for e in at.error]
    at.selectbox[0].set_value("hostile-upload").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(tab.label.startswith("1. One") for tab in at.tabs)  # the section's tab, its heading inert

    values = _everything(at)
    for value in values:
        assert not LIVE_IMAGE.search(value), value  # no image from any field loads
        # no icon directive from the file survives (Streamlit rewrites this form); the banner's own icon is ours
        assert ":material/home:" not in value and ":material/warning:" not in value, value
        assert "<img" not in value, value
        if value.startswith("English body"):  # the narrative keeps its Markdown, but the image is text
            assert "English body !\\[b\\](https\u2060://evil.example/b.png) &lt;img" in value  # (no auto-link)
        else:
            assert "](https://evil.example" not in value, value  # no link was broken out of
    original = next(v for v in values if v.startswith("[Read the original]"))
    assert original == "[Read the original](https://ok.example/a%29!%5Bpixel%5D%28https://evil.example/pixel.png" \
                       "%29%5Bclick%5D%28https://evil.example/x)"
    news = next(v for v in values if "AI news in this window" in v)
    assert "DeepSeek" in news and "%29!%5Bpixel%5D%28https://evil.example/pixel.png%29" in news
    assert "Deep\u200bSeek" not in news and "DeepSeek \\:\u2060material/warning" in news


def test_a_huge_value_in_a_problem_is_shown_cut_short_and_escaped(seeded_store) -> None:
    from ui.column_errors import MAX_PARAM_CHARS

    value = "**" + "x" * 20_000 + "** <b>bold</b>"
    at = app_page(None, "ko")
    _upload(at, "long.md", commentary_with("language: en", f'language: "{value}"').encode())
    assert not at.exception
    (error,) = [e.value for e in at.error]
    told = shown(error)
    assert "long.md, " in told and "language 항목: 두 글자 언어 코드가 필요한데 " in told  # Korean, with where
    assert "x" * 50 in told and "x" * MAX_PARAM_CHARS not in told and "…" in told  # the value, cut short
    assert len(error) < 1000 and "**" not in error.replace("\\*", "")  # its stars escaped: no bold
    assert "<b>" not in error
