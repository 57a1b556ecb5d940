"""The reader's notebook (``?nb=`` in the URL, shared with the USD/KRW page's notes) and the commentaries
saved in it (parsed with the real parser; a damaged one is reported, never shown half-read)."""

from __future__ import annotations

import streamlit as st

from commentary.document.column import Commentary, CommentaryError, parse_commentary
from data_sources.readers.notebooks import Notebooks, open_notebooks
from data_sources.readers.notes import new_notebook_id, notes_mode, valid_notebook
from data_sources.readers.repository import RepositoryError, SavedCommentary
from data_sources.settings import settings

STATE_KEY = "fx_notebook"  # the same key as the USD/KRW page's notes: one notebook per reader
SHARED_LIBRARY = "shared-library"  # DASHBOARD_NOTES=shared: every reader's columns go to this one notebook


@st.cache_resource(show_spinner=False)
def _repository(url_key: str) -> Notebooks:
    del url_key
    return open_notebooks()


def repository() -> Notebooks:
    """The readers' notebooks service for this process's database settings (pages never reach the repository)."""
    current = settings()
    return _repository(f"{current.db_url}|{current.store_folder}")


def reader_notebook() -> str | None:
    """The reader's notebook id (URL ``nb`` or this session), None until they save something."""
    if notes_mode() == "shared":
        return SHARED_LIBRARY
    from_url = valid_notebook(st.query_params.get("nb"))
    if from_url:
        st.session_state[STATE_KEY] = from_url
    notebook = st.session_state.get(STATE_KEY)
    if notebook and st.query_params.get("nb") != notebook:
        st.query_params["nb"] = notebook  # reload and bookmarks keep the reader's columns
    return notebook


def ensure_notebook() -> str:
    """The reader's notebook, made (and put in the URL) on first use."""
    notebook = reader_notebook() or new_notebook_id()
    st.session_state[STATE_KEY] = notebook
    if notes_mode() != "shared":
        st.query_params["nb"] = notebook
    return notebook


def _parsed(rows, label: str) -> tuple[list[tuple[SavedCommentary, Commentary]], list[str]]:
    out: list[tuple[SavedCommentary, Commentary]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for row in rows:
        try:
            item = parse_commentary(row.body, f"{label}:{row.id[:8]}")
        except CommentaryError as exc:
            problems.append(str(exc))
            continue
        if item.id not in seen:  # newest first: an older save of the same column is shadowed
            seen.add(item.id)
            out.append((row, item))
    return out, problems


def saved_entries(notebook: str | None) -> tuple[list[tuple[SavedCommentary, Commentary]], list[str]]:
    """``([(stored row, parsed commentary)], problems)`` saved in ``notebook`` (none without a notebook)."""
    if not notebook:
        return [], []
    try:
        saved = repository().list_commentaries(notebook)
    except (RepositoryError, OSError) as exc:
        return [], [f"saved columns cannot be read: {exc}"]
    return _parsed(saved, "saved")


def saved_commentaries(notebook: str | None) -> tuple[list[Commentary], list[str]]:
    """``(parsed commentaries, problems)`` saved in ``notebook`` (none without a notebook)."""
    entries, problems = saved_entries(notebook)
    return [item for _row, item in entries], problems


def published_entries() -> tuple[list[tuple[SavedCommentary, Commentary]], list[str]]:
    """The server library: every reader's published columns, parsed (newest publication first)."""
    try:
        rows = repository().list_published()
    except (RepositoryError, OSError) as exc:
        return [], [f"the server library cannot be read: {exc}"]
    return _parsed(rows, "published")


def published_commentaries() -> list[Commentary]:
    """The parsed columns of the server library."""
    return [item for _row, item in published_entries()[0]]
