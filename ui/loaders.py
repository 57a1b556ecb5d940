"""Cached loaders the pages use: one per data need, keyed on the store file's version.

``data_sources`` never imports streamlit; caching lives here. Loaders raise on failure
(so a failure is never cached) and the page shows the message.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from commentary.timeline.events import EVENTS_PATH, Event, load_events
from data_sources.market import refresh
from data_sources.settings import settings
from data_sources.shared.object_store import LocalStore, S3Store, open_store
from data_sources.store.prices import PriceSnapshot, Store


def store() -> LocalStore | S3Store:
    """The market-data store: ``$DASHBOARD_STORE_URL`` (an ``s3://`` bucket shared by replicas) or, by default,
    the folder ``$DASHBOARD_DATA_DIR`` (read each run, so tests can point it elsewhere)."""
    return open_store()


def local_root() -> Path:
    """The local folder for what this process keeps itself (news, notes): the store's folder, or the data dir
    when market data comes from a shared bucket."""
    current = store()
    return Path(current.root) if isinstance(current, Store) else settings().store_folder


def store_version() -> str:
    """A cheap key that changes whenever the stored prices change (file version, or the shared version)."""
    current = store()
    return current.cache_key() if isinstance(current, S3Store) else file_version(current.prices_path)


def news_version() -> str:
    """A cheap key that changes whenever the stored news change (the news file's version; on a shared store,
    the version the news were published with)."""
    current = store()
    if isinstance(current, S3Store):
        return current.cache_key()
    from data_sources.news.store import NEWS_FILE

    return file_version(local_root() / NEWS_FILE)


def may_refresh() -> bool:
    """False on app replicas started with ``DASHBOARD_REFRESH=off``: only the refresher talks to Yahoo/ECB/feeds."""
    return settings().refresh


def file_version(path: Path) -> str:
    """A cheap cache key that changes whenever the file is replaced."""
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"


@st.cache_resource(ttl=600, max_entries=4, show_spinner=False)
def _snapshot(root: str, version: str) -> PriceSnapshot:
    """One shared snapshot per store file version (as the shared store does): callers never mutate it, and no
    run pays for a copy of 48k rows."""
    del version  # part of the cache key only
    return Store(Path(root)).read()


def snapshot() -> PriceSnapshot:
    """All stored prices with provenance (cached until the store file changes)."""
    current = store()
    if isinstance(current, S3Store):
        return current.read()  # cached by version inside the store; the pointer is checked every poll interval
    return _snapshot(str(current.root), file_version(current.prices_path))


def prices(symbols: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Stored tidy prices, optionally for some symbols only."""
    frame = snapshot().prices
    return frame if symbols is None else frame[frame["symbol"].isin(list(symbols))]


@st.cache_data(ttl=3600, max_entries=2, show_spinner=False)
def _events(version: str) -> list[Event]:
    del version  # part of the cache key only
    return load_events(EVENTS_PATH)


def events_version() -> str:
    """A cheap key that changes whenever ``commentary/events.toml`` is replaced (part of figure cache keys)."""
    return file_version(EVENTS_PATH)


def events() -> list[Event]:
    """The checked events of ``commentary/events.toml`` (cached until the file changes).

    Raises ``EventsError`` (never cached) naming the file, entry and field when the file is bad.
    """
    return _events(file_version(EVENTS_PATH))


@st.cache_resource(show_spinner=False)
def _startup_state() -> dict:
    return {"ecb_checked": set()}


def ensure_ready() -> None:
    """Once per process and store: make sure the bundled ECB crosses are stored (works offline)."""
    state = _startup_state()
    current = store()
    if not isinstance(current, Store):
        return  # a shared bucket is written by the refresher only (it stores the bundled ECB rates too)
    root = str(current.root)
    if root not in state["ecb_checked"]:
        refresh.ensure_bundled_ecb(store())
        state["ecb_checked"].add(root)
