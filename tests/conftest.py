"""Shared fixtures: where the real test data lives, and an offline, isolated store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from data_sources import settings as app_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = app_settings.settings().shared_dir or ROOT.parent / "shared"
MARKET_DIR = SHARED / "data" / "market"
NEWS_DIR = SHARED / "data" / "feeds" / "news"
CORPUS_DIR = SHARED / "data" / "feeds" / "feedparser-corpus"
EVENTS_MD = SHARED / "reference" / "events.md"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real test data not found at {path} (set DASHBOARD_SHARED_DIR to the shared/ folder)")
    return path


@pytest.fixture
def market_dir() -> Path:
    """The real market snapshot (``shared/data/market``); skips when absent."""
    return _need(MARKET_DIR)


@pytest.fixture
def news_dir() -> Path:
    """The real news feed snapshots (``shared/data/feeds/news``); skips when absent."""
    return _need(NEWS_DIR)


@pytest.fixture
def corpus_dir() -> Path:
    """feedparser's own test corpus (``shared/data/feeds/feedparser-corpus``); skips when absent."""
    return _need(CORPUS_DIR)


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings object is read once per process: each test starts from its environment, and a variable the
    test sets or removes with ``monkeypatch`` is read again at once."""
    for name in ("setenv", "delenv"):
        method = getattr(monkeypatch, name)

        def and_reload(*args, _method=method, **kwargs) -> None:
            _method(*args, **kwargs)
            app_settings.reload()

        setattr(monkeypatch, name, and_reload)  # this test's own MonkeyPatch instance only
    app_settings.reload()
    yield
    app_settings.settings.cache_clear()


@pytest.fixture(autouse=True)
def _offline_isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                      _fresh_settings: None) -> Path:
    """Every test runs offline against its own empty data dir unless it sets another."""
    data_dir = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    return data_dir


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store seeded once per session from the real market snapshot (and news, when present)."""
    from data_sources.store.csv_io import import_folder
    from data_sources.store.prices import Store

    root = tmp_path_factory.mktemp("seeded")
    if MARKET_DIR.exists():
        import_folder(Store(root), MARKET_DIR)
    if NEWS_DIR.exists():
        try:
            from data_sources.news import store as news_store
        except ImportError:
            pass
        else:
            news_store.import_feed_dir(root, NEWS_DIR)
    return root


@pytest.fixture
def seeded_store(_seeded_template: Path, _offline_isolated: Path, market_dir: Path) -> Path:
    """This test's own copy of the seeded store, already set as ``DASHBOARD_DATA_DIR``."""
    import shutil

    shutil.copytree(_seeded_template, _offline_isolated, dirs_exist_ok=True)
    return _offline_isolated


def app_page(page: str | None = None, lang: str = "en", notebook: str | None = None, **params: str):
    """Run app.py in AppTest (offline), switch to ``pages/<page>.py`` and return the AppTest. ``notebook``: the
    reader's notebook this browser keeps (what its cookie gives a real session; AppTest has no cookies)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if notebook:
        at.session_state["fx_notebook"] = notebook
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


def opened_page(page: str, panels: tuple[str, ...], lang: str = "en", **params: str):
    """``app_page`` with the page's folded panels (expanders built only when open) opened by their keys, as a
    reader would to use their widgets."""
    at = app_page(page, lang=lang, **params)
    if panels:
        for key in panels:
            at.session_state[key] = True
        at.run()
    return at


def shown(markdown_source: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes and the three HTML entities undone, and the
    invisible word joiners (they stop icons and auto-links) left out."""
    import re

    text = re.sub(r"\\(.)", r"\1", markdown_source).replace("\u2060", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def fill_new_column(at, text: str, title: str, author: str, published: str | None = "2025-04-03") -> None:
    """Type a column's text, title, author and publication date into the New column page (AppTest) and run it."""
    import datetime as dt

    if published is not None:
        at.date_input(key="new_date").set_value(dt.date.fromisoformat(published))
    at.text_area(key="new_text").set_value(text)
    at.text_input(key="new_title").set_value(title)
    at.text_input(key="new_author").set_value(author)
    at.run()


def notebook_of(at) -> str:
    """The reader's notebook id this browser keeps (never in the address)."""
    assert "nb" not in at.query_params
    return at.session_state["fx_notebook"]


def en(found) -> str:
    """What an English page says for a problem, an error carrying one, or several problems."""
    from ui.problems import say

    return say(found, "en")


@contextmanager
def raises_saying(kind: type[BaseException], pattern: str) -> Iterator[pytest.ExceptionInfo]:
    """``pytest.raises(kind)``, and what an English page says for the error matches ``pattern``."""
    with pytest.raises(kind) as info:
        yield info
    assert re.search(pattern, en(info.value)), en(info.value)
