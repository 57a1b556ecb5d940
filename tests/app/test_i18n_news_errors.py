"""A broken tag rules file and a broken feed list in Korean: every problem is the one the data layer raises for a
really broken file (not retyped here); Korean pages say which file (and line, tag or field) is wrong, and keep the
English folded under "기술 정보(원문)". English pages say the same in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data_sources.news import feedlist, tagging
from data_sources.news import store as news_store
from data_sources.news.feeds import default_feeds
from data_sources.news.tagging import TagRulesError
from data_sources.store.atomic import StoreError
from tests.app.test_i18n_errors import _assert_korean, _walk
from tests.conftest import app_page
from ui.problems import words

GOOD_TAG = '[[tag]]\nid = "deepseek"\nlabel_ko = "딥시크"\nlabel_en = "DeepSeek"\npatterns = ["DeepSeek", "딥시크"]\n'
RULES_FILE = "news_tags.toml"
CODES = {"TOML", "id", "label_ko", "label_en", "patterns", "tag", "name", "url", "toml", "parquet", "prev",
         "news_tags", "feeds", "deepseek", "Deep", "Seek"}  # the file's own names and keys, as a reader must fix them

BROKEN_RULES: list[tuple[str, str]] = [  # (the file's text, what the Korean reason must say)
    ('[[tag]]\nid = "deepseek"\nlabel_ko = \n',
     f"태그 규칙 파일({RULES_FILE})의 TOML 문법이 잘못됨(3번째 줄, 12번째 칸)"),
    ('[[tag]\nid = "x"\n', "TOML 문법이 잘못됨(1번째 줄"),
    ("title = 'no tags here'\n", f"태그 규칙 파일({RULES_FILE})에 [[tag]] 항목이 하나도 없음"),
    ("tag = [1]\n", f"태그 규칙 파일({RULES_FILE}): 1번째 태그가 [[tag]] 표 형식이 아님"),
    (GOOD_TAG + GOOD_TAG.replace('"deepseek"', '"Deep Seek"'), "2번째 태그의 id는 영문 소문자로 시작하고"),
    (GOOD_TAG.replace('label_ko = "딥시크"', 'label_ko = ""'), "태그 'deepseek'의 label_ko: 비어 있지 않은 문자열"),
    (GOOD_TAG.replace('patterns = ["DeepSeek", "딥시크"]', "patterns = []"), "태그 'deepseek'의 patterns: 비어 있지"),
    (GOOD_TAG + GOOD_TAG, f"태그 규칙 파일({RULES_FILE}): 같은 태그 id가 두 번 이상 있음: deepseek"),
]


def _english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]*", text) if w not in CODES]


def _rules_error(tmp_path: Path, text: str | None) -> TagRulesError:
    """What ``load_rules`` raises for a rules file holding ``text`` (None: no file at all)."""
    path = tmp_path / RULES_FILE
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(TagRulesError) as info:
        tagging.load_rules(path)
    return info.value


@pytest.mark.parametrize(("text", "korean"), [*BROKEN_RULES, (None, f"태그 규칙 파일({RULES_FILE})을 읽을 수 없음")])
def test_a_broken_tag_rules_file_is_explained_in_korean(tmp_path: Path, text: str | None, korean: str) -> None:
    error = _rules_error(tmp_path, text)
    reason = words(error, "ko")
    assert korean in reason.text, (str(error), reason.text)
    assert not _english_words(reason.text), (str(error), reason.text)
    english = words(error, "en").text
    assert reason.detail.startswith(english) and RULES_FILE in english  # the English, for the folded detail


def test_a_damaged_feed_list_is_named_in_korean(tmp_path: Path) -> None:
    feeds_file = tmp_path / feedlist.FEEDS_FILE
    feeds_file.write_bytes(b"not a parquet file")
    with pytest.raises(StoreError) as info:
        feedlist.list_feeds(tmp_path)
    reason = words(info.value, "ko")
    assert reason.text == "저장된 파일 feeds.parquet이(가) 손상되어 읽을 수 없습니다"
    assert reason.detail == "The stored file feeds.parquet is damaged and cannot be read (" \
        + info.value.params["detail"] + ")"
    feeds_file.with_name(feeds_file.name + ".prev").write_bytes(b"no backup either")
    with pytest.raises(StoreError) as info:
        feedlist.list_feeds(tmp_path)
    reason = words(info.value, "ko")
    assert reason.text == "저장된 파일 feeds.parquet과(와) 백업 feeds.parquet.prev이(가) 모두 손상되어 읽을 수 없습니다"
    assert "are both damaged" in reason.detail
    news_file = tmp_path / news_store.NEWS_FILE  # the news file keeps its own words
    news_file.write_bytes(b"not parquet")
    with pytest.raises(StoreError) as info:
        news_store.load_news(tmp_path)
    assert words(info.value, "ko").text == "저장된 파일 news.parquet이(가) 손상되어 읽을 수 없습니다"


def test_a_broken_default_feed_list_names_the_line_or_the_feed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nname = "A"\nurl = \n', encoding="utf-8")
    with pytest.raises(ValueError) as info:
        default_feeds(path)
    reason = words(info.value, "ko")
    assert reason.text == "기본 피드 목록 파일(feeds.toml): TOML 문법이 잘못됨(3번째 줄, 7번째 칸)", str(info.value)
    path.write_text('[[feed]]\nname = "A"\nurl = "https://a.example/rss"\n[[feed]]\nname = "B"\n', encoding="utf-8")
    with pytest.raises(ValueError) as info:
        default_feeds(path)
    reason = words(info.value, "ko")
    assert reason.text == "기본 피드 목록 파일(feeds.toml): 2번째 피드에 이름(name)과 주소(url)가 필요함"
    assert not _english_words(reason.text) and reason.detail == words(info.value, "en").text


# -- the pages ------------------------------------------------------------------------------------------------

@pytest.fixture
def broken_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's tag rules file replaced by one with a TOML syntax error on line 3."""
    path = tmp_path / RULES_FILE
    path.write_text(BROKEN_RULES[0][0], encoding="utf-8")
    monkeypatch.setattr(tagging, "RULES_PATH", path)
    return path


def test_news_page_explains_broken_tag_rules_in_korean(seeded_store: Path, broken_rules: Path) -> None:
    text, detail = _walk(app_page("news", lang="ko"))
    _assert_korean(text, "the news page with broken tag rules")
    assert BROKEN_RULES[0][1] in text
    assert any("not valid TOML" in d and "line 3" in d for d in detail)  # the English, folded
    en_text, _ = _walk(app_page("news", lang="en"))
    assert f"The tag rules ({RULES_FILE}) are not valid TOML" in en_text


@pytest.mark.parametrize("page", ["fx", "compare"])
def test_news_strip_explains_broken_tag_rules_instead_of_crashing(seeded_store: Path, broken_rules: Path,
                                                                  page: str) -> None:
    text, detail = _walk(app_page(page, lang="ko"))  # _walk asserts the page ran without an exception
    _assert_korean(text, f"the {page} page with broken tag rules")
    assert f"뉴스를 읽을 수 없습니다: {BROKEN_RULES[0][1]}" in text
    assert any("not valid TOML" in d for d in detail)


def test_news_page_explains_a_damaged_feed_list_in_korean(seeded_store: Path) -> None:
    (seeded_store / feedlist.FEEDS_FILE).write_bytes(b"not a parquet file")
    at = app_page("news", lang="ko")
    at.session_state["news_feeds"] = True  # open the folded feed management
    at.run()
    text, detail = _walk(at)
    _assert_korean(text, "the news page with a damaged feed list")
    assert "저장된 파일 feeds.parquet이(가) 손상되어 읽을 수 없습니다" in text
    assert any("feeds.parquet is damaged" in d for d in detail)
    at.text_input(key="news_feed_name").set_value("Mine")
    at.text_input(key="news_feed_url").set_value("https://a.example/rss")
    at.button(key="news_feed_add").click().run()  # adding reads the list too: the same reason, not a raw error
    text, _ = _walk(at)
    _assert_korean(text, "the news page after adding to a damaged feed list")
    assert text.count("저장된 파일 feeds.parquet이(가) 손상되어 읽을 수 없습니다") >= 2
