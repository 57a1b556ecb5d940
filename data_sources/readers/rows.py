"""The readers' database rows as the app sees them, the checks every write makes, and the repository's error."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlparse

from data_sources.readers.models import Notebook
from data_sources.readers.notes import clean_text

NOTEBOOK_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TITLE_MAX = 300
AUTHOR_MAX = 200
BODY_MAX_BYTES = 256 * 1024
URL_MAX = 2000
FEED_TITLE_MAX = 200
NOTES_PER_NOTEBOOK_MAX = 2000
FEEDS_PER_NOTEBOOK_MAX = 100
PUBLISHED_LIST_MAX = 500  # the server library's page size (newest first)


class RepositoryError(ValueError):
    """A rejected write: ``code`` (stable, for translated messages) and a specific English message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True)
class SavedCommentary:
    """One saved column."""

    id: str
    title: str
    author: str
    published: dt.date | None
    source_url: str
    body: str
    created_at: dt.datetime
    published_at: dt.datetime | None = None  # in the server's library since then; None = this notebook only


@dataclass(frozen=True)
class SavedFeed:
    """One followed feed."""

    id: str
    url: str
    title: str
    added_at: dt.datetime


def now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # what every backend keeps


def utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def check_notebook_id(notebook_id: object) -> str:
    """The id if it is 8–64 letters, digits, ``_`` or ``-``; RepositoryError otherwise."""
    value = str(notebook_id or "")
    if not NOTEBOOK_ID_RE.match(value):
        raise RepositoryError("bad_notebook", f"notebook id {value[:80]!r} is not 8-64 letters, digits, _ or -")
    return value


class Retry(Exception):
    """Internal: the notebook row appeared concurrently; run the transaction again."""


def check_url(value: object, what: str, *, allow_empty: bool) -> str:
    text = clean_text(value, multiline=False)
    if not text and allow_empty:
        return ""
    if len(text) > URL_MAX:
        raise RepositoryError("url_too_long", f"{what} has {len(text)} characters; at most {URL_MAX}", limit=URL_MAX)
    parsed = urlparse(text)
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.hostname:
        raise RepositoryError("bad_url", f"{what} {text[:100]!r} is not an http(s) address")
    return text



def first_import(session, marker: str) -> bool:
    """Record the one-time import named ``marker`` (a notebook row); False when it was already recorded."""
    if session.get(Notebook, marker) is not None:
        return False
    session.add(Notebook(id=marker, title="imported", created_at=now()))
    return True
