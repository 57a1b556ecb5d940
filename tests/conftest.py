"""Shared fixtures: where the real test data lives, and an offline, isolated store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DASHBOARD_SHARED_DIR", ROOT.parent / "shared"))
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
def _offline_isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs offline against its own empty data dir unless it sets another."""
    data_dir = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    return data_dir
