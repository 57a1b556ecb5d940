"""The reader's notebook (saved columns, shared with the USD/KRW page's notes) and the columns saved in it.

A notebook is not its address. Its key (the notebook id, 32 hex digits) is a secret kept in this browser's
cookie :data:`COOKIE` (``SameSite=Strict``, a year, written by a small script since Streamlit only reads
cookies): a reload or a browser restart on the same device finds it, and no address ever carries it, so
copying the address bar gives nobody write access. Another device gets the notebook only when the reader
types its key there (:func:`notebook_panel`: shown on request). An address of an earlier version that carries
the key (``?nb=…``) is honoured once: the key moves into this browser's cookie, leaves the address, and the
page says so (:func:`restore_notebook`). The read-only way to show one's notes is the share link (``notes=``,
a one-way hash of the key). Saved columns are parsed with the real parser; a damaged one is reported, never
shown half-read. A database that cannot answer reads as "notes and saved columns are unavailable" (once per
run) and the rest of the page works.
"""

from __future__ import annotations

import streamlit as st

from commentary.document.model import Commentary, CommentaryError
from data_sources.errors import DashboardError
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.notebooks import Notebooks, open_notebooks
from data_sources.readers.notes import new_notebook_id, notes_mode, share_id, valid_notebook
from data_sources.readers.repository import RepositoryError, SavedCommentary
from data_sources.settings import settings
from ui import column_errors
from ui.column_cache import parsed
from ui.i18n import lang, t
from ui.problems import say

STATE_KEY = "fx_notebook"  # the same key as the USD/KRW page's notes: one notebook per reader
SHARED_LIBRARY = "shared-library"  # DASHBOARD_NOTES=shared: every reader's columns go to this one notebook
COOKIE = "cvd_notebook"
COOKIE_SECONDS = 400 * 24 * 3600  # the longest lifetime browsers keep a cookie
_NOTICE_SHOWN = "_nb_notice_shown"  # "notes and saved columns are unavailable" said in this run
_MESSAGE = "_nb_message"  # what became of an old address, shown once at the top of the page
K = "nbk_"
_FORGOTTEN = K + "forgotten"  # the reader made this browser forget its notebook (the cookie is not read again)
_PANEL_MESSAGE = K + "msg"  # what became of a typed key or a "forget", shown in the panel


@st.cache_resource(show_spinner=False)
def _repository(url_key: str) -> Notebooks:
    del url_key
    return open_notebooks()


def repository() -> Notebooks:
    """The readers' notebooks service for this process's database settings (pages never reach the repository;
    raises DatabaseUnavailable when the database cannot be opened)."""
    current = settings()
    return _repository(f"{current.db_url}|{current.store_folder}")


def problem_text(exc: DashboardError) -> str:
    """A coded data-layer error in the reader's words (the catalog's ``problem.<code>``)."""
    return say(exc, lang())


def unavailable_notice() -> None:
    """Say once per run that notes and saved columns are unavailable (the database does not answer)."""
    if not st.session_state.get(_NOTICE_SHOWN):
        st.session_state[_NOTICE_SHOWN] = True
        st.warning(t("safety.db_unavailable"), icon=":material/cloud_off:")


# --------------------------------------------------------------------------- the notebook of this browser


def _cookie_notebook() -> str | None:
    try:
        return valid_notebook(st.context.cookies.get(COOKIE))
    except Exception:  # no browser session (a bare script run)
        return None


def _cookie_script(notebook: str | None) -> None:
    """Write (or, with None, delete) this browser's notebook cookie. The value is a checked id (32 hex digits)
    or empty: nothing from a reader reaches the script."""
    value = valid_notebook(notebook) or ""
    age = COOKIE_SECONDS if value else 0
    st.html(f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; SameSite=Strict' + "
            "(location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)


def restore_notebook() -> None:
    """At the top of every page (``ui.chrome.page_header``): this browser's notebook from its cookie; an old
    address's ``nb=`` moved out of the address (honoured once); the cookie written while it lags behind."""
    state = st.session_state
    state[_NOTICE_SHOWN] = False
    old = st.query_params.get("nb")
    if old is not None:
        del st.query_params["nb"]  # the address never keeps a key
    if notes_mode() == "shared":
        return
    cookie = _cookie_notebook()
    if STATE_KEY not in state and cookie and not state.get(_FORGOTTEN):
        state[STATE_KEY] = cookie
    if old is not None:
        _take_old_address(old)
    message = state.pop(_MESSAGE, None)
    if message:
        getattr(st, message[0])(t(message[1]), icon=":material/key:")
    notebook = state.get(STATE_KEY)
    just_forgotten = state.pop(K + "delete_cookie", False)
    if (notebook != cookie and (notebook or state.get(_FORGOTTEN))) or just_forgotten:
        with st.sidebar:
            _cookie_script(notebook)


def _take_old_address(value: str) -> None:
    """An old address's key: this browser's own (just drop it), a notebook used for the first time from an old
    address (moved into this browser), or one whose old address was used before (refused)."""
    state = st.session_state
    key = valid_notebook(value)
    if key is not None and key == state.get(STATE_KEY):
        state[_MESSAGE] = ("info", "safety.nb_address_cleared")
        return
    if key is None:
        state[_MESSAGE] = ("warning", "safety.nb_address_refused")
        return
    if state.get(STATE_KEY):
        state[_MESSAGE] = ("warning", "safety.nb_address_other")
        return
    try:
        claimed = repository().claim_old_link(key)
    except DatabaseUnavailable:
        unavailable_notice()
        return
    if claimed:
        state[STATE_KEY] = key
        state[_MESSAGE] = ("info", "safety.nb_address_moved")
    else:
        state[_MESSAGE] = ("warning", "safety.nb_address_refused")


def reader_notebook() -> str | None:
    """The reader's notebook id (from this browser), None until they save something."""
    if notes_mode() == "shared":
        return SHARED_LIBRARY
    return st.session_state.get(STATE_KEY)


def ensure_notebook() -> str:
    """The reader's notebook, made (and kept in this browser) on first use."""
    notebook = reader_notebook() or new_notebook_id()
    if notes_mode() != "shared" and notebook != st.session_state.get(STATE_KEY):
        st.session_state[STATE_KEY] = notebook
        st.session_state[_FORGOTTEN] = False
        _cookie_script(notebook)
    return notebook


def _adopt_typed_key() -> None:
    """Button callback: use the key the reader typed (a notebook made on another device) in this browser."""
    state = st.session_state
    key = valid_notebook(state.get(K + "typed"))
    state[K + "typed"] = ""
    try:
        found = key is not None and repository().notebook_exists(key)
    except DatabaseUnavailable:
        state[_PANEL_MESSAGE] = ("warning", "problem.db.unavailable")
        return
    if not found:
        state[_PANEL_MESSAGE] = ("error", "safety.nb_key_unknown")
        return
    state[K + "before"] = state.get(STATE_KEY) if state.get(STATE_KEY) != key else None
    state[STATE_KEY] = key
    state[_FORGOTTEN] = False
    state[_PANEL_MESSAGE] = ("success", "safety.nb_key_taken")


def _forget() -> None:
    """Button callback: this browser forgets the notebook (it stays in the database, for its key)."""
    st.session_state.pop(STATE_KEY, None)
    st.session_state[_FORGOTTEN] = True
    st.session_state[K + "delete_cookie"] = True
    st.session_state[_PANEL_MESSAGE] = ("info", "safety.nb_forgotten")


def notebook_panel(share_path: str | None = None) -> None:
    """The folded "my notebook on other devices" box: show the key on request, type a key from another device,
    forget it here; and, with ``share_path`` (a page's path), the one-click read-only share link."""
    if notes_mode() == "shared":
        return
    box = st.expander(t("safety.nb_panel"), icon=":material/key:", key=K + "open", on_change="rerun")
    if not box.open:
        return
    notebook = reader_notebook()
    with box:
        st.caption(t("safety.nb_panel_help"))
        message = st.session_state.pop(_PANEL_MESSAGE, None)
        if message:
            getattr(st, message[0])(t(message[1]))
        if notebook:
            if share_path:
                st.markdown(t("safety.nb_share_label"))
                base = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
                st.code(f"{base}/{share_path}?notes={share_id(notebook)}&lang={lang()}", language=None,
                        wrap_lines=True)
            if st.toggle(t("safety.nb_show_key"), key=K + "show"):
                st.code(notebook, language=None)
                st.caption(t("safety.nb_key_warning"))
            before = st.session_state.pop(K + "before", None)
            if before:
                st.caption(t("safety.nb_key_before"))
                st.code(before, language=None)
        st.text_input(t("safety.nb_type_key"), key=K + "typed", type="password", max_chars=64)
        left, right = st.columns(2)
        left.button(t("safety.nb_use_key"), key=K + "use", on_click=_adopt_typed_key)
        if notebook:
            right.button(t("safety.nb_forget"), key=K + "forget", on_click=_forget)


# --------------------------------------------------------------------------- saved and published columns


def _parsed(rows, label: str) -> tuple[list[tuple[SavedCommentary, Commentary]], list[str]]:
    out: list[tuple[SavedCommentary, Commentary]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for row in rows:
        try:
            item = parsed(row.body, f"{label}:{row.id[:8]}")  # cached by content: read on every run
        except CommentaryError as exc:
            problems.append(column_errors.plain(exc, lang(), file=row.title))  # plain text: the page escapes it
            continue
        if item.id not in seen:  # newest first: an older save of the same column is shadowed
            seen.add(item.id)
            out.append((row, item))
    return out, problems


def saved_entries(notebook: str | None) -> tuple[list[tuple[SavedCommentary, Commentary]], list[str]]:
    """``([(stored row, parsed commentary)], problems)`` saved in ``notebook`` (none without a notebook, or
    while the database does not answer: then the page says so once)."""
    if not notebook:
        return [], []
    try:
        saved = repository().list_commentaries(notebook)
    except DatabaseUnavailable:
        unavailable_notice()
        return [], []
    except RepositoryError as exc:
        return [], [str(exc)]
    return _parsed(saved, "saved")


def saved_commentaries(notebook: str | None) -> tuple[list[Commentary], list[str]]:
    """``(parsed commentaries, problems)`` saved in ``notebook`` (none without a notebook)."""
    entries, problems = saved_entries(notebook)
    return [item for _row, item in entries], problems


def published_entries() -> tuple[list[tuple[SavedCommentary, Commentary]], list[str]]:
    """The server library: every reader's published columns, parsed (newest publication first)."""
    try:
        rows = repository().list_published()
    except DatabaseUnavailable:
        unavailable_notice()
        return [], []
    return _parsed(rows, "published")


def published_commentaries() -> list[Commentary]:
    """The parsed columns of the server library."""
    return [item for _row, item in published_entries()[0]]
