"""One import-root rule for every folder import a browser can ask for (the Data page's CSV snapshots and the AI
news page's saved feed files): off by default, only folders under ``DASHBOARD_IMPORT_ROOT``, and one refusal
that says nothing about the server's other folders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from data_sources.news import store as news_store
from data_sources.store import import_root
from data_sources.store.prices import Store
from tests.conftest import app_page, opened_page, shown

PRIVATE_TITLE = "Private memo: quarterly numbers"
PRIVATE_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Private feed</title><link>https://private.example/</link>
<item><title>{PRIVATE_TITLE}</title><link>https://private.example/1</link>
<pubDate>Mon, 27 Jan 2025 10:00:00 +0000</pubDate><guid>private-1</guid></item>
</channel></rss>
"""


def _feed_file(news_dir: Path) -> Path:
    return sorted(p for p in news_dir.iterdir() if p.suffix.lower() in news_store.FEED_SUFFIXES)[0]


@pytest.fixture
def layout(tmp_path: Path, news_dir: Path) -> dict[str, Path]:
    """An import root with one folder of real feed files and one CSV folder; a private folder outside it, reachable
    through a folder symlink and a file symlink planted inside the root."""
    root, private = tmp_path / "imports", tmp_path / "private"
    (root / "feeds").mkdir(parents=True)
    (root / "snap").mkdir()
    private.mkdir()
    shutil.copy(_feed_file(news_dir), root / "feeds")
    (root / "snap" / "NVDA.csv").write_text("date,close\n2025-01-24,142.57\n", encoding="utf-8")
    (private / "private.xml").write_text(PRIVATE_FEED, encoding="utf-8")
    (private / "SECRET.csv").write_text("date,close\n2025-01-24,1\n", encoding="utf-8")
    (root / "link-out").symlink_to(private, target_is_directory=True)
    (root / "feeds" / "leak.xml").symlink_to(private / "private.xml")
    return {"root": root, "private": private}


# ------------------------------------------------------------------------------------------------ the rule


def test_every_refusal_is_the_same_answer(layout: dict[str, Path]) -> None:
    root, private = layout["root"], layout["private"]
    (root / "a-file").write_text("x", encoding="utf-8")
    asks = ["..", "../private", str(private), "link-out", "feeds/../../private", "/etc", "/nonexistent", "~",
            "no-such-folder", "feeds/no-such", "a-file", "feeds/\x00", "x" * 5000]
    answers = set()
    for ask in asks:
        with pytest.raises(import_root.ImportRootError) as caught:
            import_root.folder_inside(root, ask)
        answers.add((caught.value.problem.code, tuple(caught.value.problem.params.items()), str(caught.value)))
    with pytest.raises(import_root.ImportRootError) as caught:
        import_root.folder_inside(None, "feeds")  # browser imports off
    answers.add((caught.value.problem.code, tuple(caught.value.problem.params.items()), str(caught.value)))
    assert answers == {("import.refused", (), "import.refused()")}  # an existing folder and a missing one alike
    assert import_root.folder_inside(root, "feeds") == (root / "feeds").resolve()


def test_folders_and_files_are_listed_only_inside_the_root(layout: dict[str, Path]) -> None:
    root = layout["root"]
    assert import_root.import_folders(root, news_store.FEED_SUFFIXES) == ["feeds"]  # never link-out
    assert import_root.import_folders(root, (".csv",)) == ["snap"]
    names = [p.name for p in import_root.files_inside(root / "feeds", root, news_store.FEED_SUFFIXES)]
    assert "leak.xml" not in names and len(names) == 1


def test_import_root_is_off_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DASHBOARD_IMPORT_ROOT", raising=False)
    assert import_root.import_root() is None
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(tmp_path))
    assert import_root.import_root() == tmp_path.resolve()


# ------------------------------------------------------------------------------------------------ AI news page

REFUSED = {"en": "That folder cannot be imported. Choose one of the folders listed.",
           "ko": "그 폴더는 가져올 수 없습니다. 목록에 있는 폴더 중에서 고르세요."}


def _news(lang: str = "en"):
    return opened_page("news", ("news_feeds",), lang=lang)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_news_import_is_off_without_a_root(seeded_store: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.delenv("DASHBOARD_IMPORT_ROOT", raising=False)
    at = _news(lang)
    assert not at.exception
    assert not [w for w in [*at.text_input, *at.selectbox] if w.key == "news_import_dir"]  # nothing to type a path in
    assert not [b for b in at.button if b.key == "news_import"]
    assert any("DASHBOARD_IMPORT_ROOT" in shown(i.value) and "import-feeds" in shown(i.value) for i in at.info)


def test_news_import_offers_only_folders_under_the_root_and_skips_files_leading_out(
        seeded_store: Path, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(layout["root"]))
    before = len(news_store.load_news(seeded_store))
    at = _news()
    assert at.selectbox(key="news_import_dir").options == ["feeds"]
    at.button(key="news_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = [shown(s.value) for s in [*at.success, *at.warning]]
    assert any(re.search(r"\d+ read", s) for s in said), said
    titles = set(news_store.load_news(seeded_store)["title"])
    assert PRIVATE_TITLE not in titles  # the planted symlink to a private feed was not read
    assert len(titles) >= 1 and len(news_store.load_news(seeded_store)) >= before


def _listing_with_bad_entries(monkeypatch: pytest.MonkeyPatch, good: str, private: Path) -> list[str]:
    """Make the folder listing also offer what a race could leave in it (a folder that vanished, one that now
    leads outside the root, an absolute path): the page must refuse each at the click, all with one message."""
    bad = ["vanished", "../private", str(private), "/nonexistent-folder"]
    monkeypatch.setattr(import_root, "import_folders", lambda root, suffixes, max_depth=2: [good, *bad])
    return bad


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_news_import_refuses_anything_else_with_one_message(
        seeded_store: Path, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(layout["root"]))
    bad = _listing_with_bad_entries(monkeypatch, "feeds", layout["private"])
    at = _news(lang)
    for choice in bad:
        at.selectbox(key="news_import_dir").set_value(choice).run()
        at.button(key="news_import").click().run()
        assert not at.exception
        assert [shown(e.value) for e in at.error] == [REFUSED[lang]], choice  # exists or not: the same words
        assert not at.success and not [w for w in at.warning if "private" in w.value]
    assert PRIVATE_TITLE not in set(news_store.load_news(seeded_store)["title"])


# ------------------------------------------------------------------------------------------------ Data page


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_data_import_refuses_anything_else_with_one_message(
        seeded_store: Path, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("DASHBOARD_IMPORT_ROOT", str(layout["root"]))
    bad = _listing_with_bad_entries(monkeypatch, "snap", layout["private"])
    at = app_page("data", lang)
    for choice in bad:
        at.selectbox(key="import_dir").set_value(choice).run()
        at.button(key="import_go").click().run()
        assert not at.exception
        assert [shown(e.value) for e in at.error] == [REFUSED[lang]], choice
    assert "SECRET" not in set(Store(seeded_store).read().prices["symbol"])


def test_data_import_is_off_without_a_root(seeded_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHBOARD_IMPORT_ROOT", raising=False)
    at = app_page("data", "ko")
    assert not [s for s in at.selectbox if s.key == "import_dir"]
    assert any("DASHBOARD_IMPORT_ROOT" in shown(i.value) for i in at.info)
