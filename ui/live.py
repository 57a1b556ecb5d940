"""Open tabs follow the store: a small fragment checks the data version every few seconds and, when it changed,
reruns the page (so every part of it shows the new data) and tells the reader.

The check is cheap: a file's ``stat`` for the local store; for a shared ``s3://`` store, the replica's own copy
of the pointer, which it refreshes at most every ``DASHBOARD_STORE_POLL`` seconds (one ``304`` answer). So an
open tab shows a new version within the store's poll interval plus :func:`check_seconds`.

``DASHBOARD_TAB_CHECK``: seconds between two checks by an open tab (default 5, at least 1; read at start).
"""

from __future__ import annotations

import contextlib

import streamlit as st

from data_sources.settings import settings
from data_sources.store.atomic import StoreError
from ui import loaders
from ui.i18n import t

SEEN = "_live_data_version"  # the data version this session's page last showed
CHANGED = "_live_data_changed"  # set by the fragment for the full run it starts


def check_seconds() -> float:
    """``DASHBOARD_TAB_CHECK`` seconds (:attr:`~data_sources.settings.Settings.tab_check`: at least 1, default 5)."""
    return settings().tab_check


def _version() -> str | None:
    try:
        return loaders.store_version()
    except StoreError:  # unreachable: the page says so on its next run; the tab keeps what it shows
        return None


def page_shows_current_data() -> None:
    """Call on every full run, before the page: remember the version it shows, and tell the reader when this run
    was started because the data changed. (The store is readied first — on a fresh local store that writes the
    bundled ECB rates once — so the page's own first write is not taken for new data.)"""
    with contextlib.suppress(StoreError):  # the page's header says so
        loaders.ensure_ready()
    version = _version()
    if version is not None:
        st.session_state[SEEN] = version
    if st.session_state.pop(CHANGED, False):
        st.toast(t("cache.data_changed"), icon=":material/update:", duration="long")


@st.fragment(run_every=check_seconds())
def follow_store() -> None:
    """The open tab's check (draws nothing): a new data version reruns the whole page."""
    version = _version()
    if version is None:
        return
    seen = st.session_state.get(SEEN)
    if seen is None:
        st.session_state[SEEN] = version
    elif version != seen:
        st.session_state[CHANGED] = True
        st.rerun(scope="app")
