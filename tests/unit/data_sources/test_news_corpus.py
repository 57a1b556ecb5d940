"""feedparser's own test corpus through the adapter: nothing raises, no markup or unsafe link survives.

The corpus files carry ``Expect:`` lines meant for ``eval``; they are never evaluated here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data_sources.news.fetch import load_feed_file
from data_sources.news.frame import NEWS_COLUMNS
from tests.conftest import en

NOW = datetime(2026, 11, 25, tzinfo=UTC)
TAG_START = re.compile(r"<\s*/?\s*[A-Za-z!?]")
EVENT_HANDLER = re.compile(r"<[^>]*\bon\w+\s*=", re.IGNORECASE)
BAD_SCHEME = re.compile(r"^\s*(javascript|data|vbscript|file):", re.IGNORECASE)


def _corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted(p for p in (corpus_dir / "tests").rglob("*") if p.is_file())
    assert len(files) > 300, "the corpus copy looks incomplete"
    return files


def test_every_corpus_file_goes_through_without_raising(corpus_dir: Path) -> None:
    items = 0
    for path in _corpus_files(corpus_dir):
        frame, problems = load_feed_file(path, now=NOW)  # must not raise
        assert list(frame.columns) == list(NEWS_COLUMNS), path
        for problem in problems:
            assert en(problem.problem).startswith(f"{problem.feed}: "), problem
            assert problem.severity in ("error", "warning")
        if problems and problems[0].severity == "error":
            assert frame.empty, path
        items += len(frame)
    assert items > 100  # many corpus files only test channel-level elements


def test_no_markup_or_unsafe_link_survives(corpus_dir: Path) -> None:
    offenders = []
    for path in _corpus_files(corpus_dir):
        frame, _ = load_feed_file(path, now=NOW)
        for col in ("title", "summary_text", "source"):
            for text in frame[col]:
                if TAG_START.search(text) or EVENT_HANDLER.search(text) or "<script" in text.lower():
                    offenders.append((path.name, col, text))
        for link in frame["link"]:
            if link and (not link.lower().startswith(("http://", "https://")) or BAD_SCHEME.search(link)):
                offenders.append((path.name, "link", link))
        for uid in frame["uid"]:
            if TAG_START.search(uid):
                offenders.append((path.name, "uid", uid))
    assert offenders == []


@pytest.mark.parametrize(
    "name",
    [
        "wellformed/sanitize/entry_content_script.xml",
        "wellformed/sanitize/item_description_iframe.xml",
        "wellformed/sanitize/entry_title_script.xml",
        "wellformed/sanitize/item_content_encoded_crazy.xml",
    ],
)
def test_script_cases_keep_only_the_safe_text(corpus_dir: Path, name: str) -> None:
    frame, problems = load_feed_file(corpus_dir / "tests" / name, now=NOW)
    assert problems == [] and len(frame) == 1
    text = frame["title"].iloc[0] + " " + frame["summary_text"].iloc[0]
    assert "alert(" not in text.lower() or "crazy" in name  # crazy markup keeps inert text only
    assert "<" not in text


def test_json_feed_script_is_removed_by_our_sanitiser(corpus_dir: Path) -> None:
    # feedparser 6.0 does not read JSON Feed; this path runs through nh3 alone
    frame, problems = load_feed_file(corpus_dir / "tests" / "json" / "example.json", now=NOW)
    assert problems == []
    assert frame["source"].tolist() == ["My Example Feed", "My Example Feed"]
    assert frame["summary_text"].tolist() == ["This is a second item.", "Hello, world!"]
    assert frame["link"].tolist() == ["https://example.org/second-item", "https://example.org/initial-post"]


def test_illformed_feeds_give_named_problems(corpus_dir: Path) -> None:
    frame, problems = load_feed_file(corpus_dir / "tests" / "illformed" / "rss_empty_document.xml", now=NOW)
    assert frame.empty
    assert [p.code for p in problems] == ["feed.not_rss"]
    assert en(problems[0].problem).startswith("rss_empty_document.xml: ")
