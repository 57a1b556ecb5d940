"""The feeds the server fetches: the default list minus the ones readers hid, plus the ones readers added.

The list lives in the readers' database (one list for the whole server, like the news it fetches; every
replica and the refresher read it): feeds readers added are in the notebooks ``feeds-added-<language>``, hidden
defaults in ``feeds-hidden``. An earlier version kept the reader's changes in ``feeds.parquet`` in the store
folder; :func:`migrate_local_feeds` copies them into the database once.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from data_sources.errors import InputError
from data_sources.news.feeds import FeedConfig, default_feeds
from data_sources.news.sanitize import plain_text, safe_url
from data_sources.readers.repository import Repository, RepositoryError, SavedFeed, open_repository
from data_sources.store.atomic import read_table

FEEDS_FILE = "feeds.parquet"
NAME_MAX = 80
ADDED_PREFIX = "feeds-added-"  # + language: the database notebooks of the feeds readers added
HIDDEN_BOOK = "feeds-hidden"  # the database notebook of the default feeds readers hid
_LANG_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


class FeedConfigError(InputError):
    """A feed the reader tried to add or remove is refused (codes ``feedconfig.*``, naming what is wrong)."""


def _repo(repo: Repository | None) -> Repository:
    return repo if repo is not None else open_repository()


def _feed_changes(root: Path) -> pd.DataFrame:
    """The reader's changes an earlier version kept in ``root/feeds.parquet`` (see :func:`migrate_local_feeds`)."""
    frame, _meta, _warning = read_table(Path(root) / FEEDS_FILE)
    cols = ["name", "url", "language", "status"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    for col in cols:
        if col not in frame.columns:
            frame[col] = ""
    return frame.loc[:, cols].fillna("").astype(str)


def migrate_local_feeds(root: Path, repo: Repository | None = None) -> int:
    """Copy ``root/feeds.parquet`` (added feeds and hidden defaults) into the database once; returns how many
    rows were added. The database records the file's content hash, so a second run, another replica, or a
    feed the reader removed since never brings anything back. Rows with a bad URL or language are skipped."""
    path = Path(root) / FEEDS_FILE
    if not path.exists():
        return 0
    repo = _repo(repo)
    rows = []
    for row in _feed_changes(root).itertuples(index=False):
        lang = str(row.language or "en").strip().lower()
        link = safe_url(row.url)
        if not link or not _LANG_RE.fullmatch(lang) or not plain_text(row.name):
            continue
        book = HIDDEN_BOOK if row.status == "removed" else ADDED_PREFIX + lang if row.status == "added" else None
        if book:
            rows.append({"notebook_id": book, "url": link, "title": plain_text(row.name)[:NAME_MAX]})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:40]
    return repo.import_feeds(rows, "imported-feeds-" + digest)


def _reader_feeds(repo: Repository) -> list[tuple[str, SavedFeed]]:
    return repo.feeds_under(ADDED_PREFIX)


def list_feeds(root: Path, repo: Repository | None = None) -> list[FeedConfig]:
    """The feeds to fetch: defaults from ``feeds.toml`` minus those hidden, plus the readers' own (in the
    readers' database, shared by every replica and read by the refresher)."""
    repo = _repo(repo)
    migrate_local_feeds(root, repo)
    removed = {f.title.casefold() for f in repo.list_feeds(HIDDEN_BOOK)}
    feeds = [f for f in default_feeds() if f.name.casefold() not in removed]
    for book, feed in _reader_feeds(repo):
        feeds.append(FeedConfig(feed.title, feed.url, book.removeprefix(ADDED_PREFIX) or "en", "reader"))
    return feeds


def add_feed(root: Path, name: str, url: str, language: str = "en", repo: Repository | None = None) -> FeedConfig:
    """Add a feed to the readers' list. Raises :class:`FeedConfigError` with the reason when invalid."""
    raw_name = " ".join(str(name or "").split())
    clean = plain_text(raw_name)
    if not clean:
        raise FeedConfigError("feedconfig.no_name")
    if clean != raw_name:
        raise FeedConfigError("feedconfig.markup")
    if len(clean) > NAME_MAX:
        raise FeedConfigError("feedconfig.name_too_long", length=len(clean), limit=NAME_MAX)
    link = safe_url(url)
    if not link:
        shown = plain_text(str(url or ""), 80) or "(empty)"
        raise FeedConfigError("feedconfig.bad_url", url=shown)
    lang = str(language or "en").strip().lower()
    if not _LANG_RE.fullmatch(lang):
        raise FeedConfigError("feedconfig.bad_language", language=plain_text(lang, 20))
    repo = _repo(repo)
    for feed in list_feeds(root, repo):
        if feed.name.casefold() == clean.casefold():
            raise FeedConfigError("feedconfig.same_name", name=feed.name)
        if feed.url.rstrip("/").lower() == link.rstrip("/").lower():
            raise FeedConfigError("feedconfig.same_url", name=feed.name)
    is_default = any(f.name.casefold() == clean.casefold() and f.url == link for f in default_feeds())
    try:
        if is_default:  # bring back a default the reader had hidden
            for hidden in repo.list_feeds(HIDDEN_BOOK):
                if hidden.title.casefold() == clean.casefold():
                    repo.remove_feed(HIDDEN_BOOK, hidden.id)
        else:
            repo.add_feed(ADDED_PREFIX + lang, link, clean)
    except RepositoryError as exc:
        raise FeedConfigError("feedconfig.not_saved", detail=str(exc)[:200]) from exc
    return FeedConfig(clean, link, lang, "default" if is_default else "reader")


def remove_feed(root: Path, name: str, repo: Repository | None = None) -> None:
    """Remove a feed (a default one is hidden). Raises :class:`FeedConfigError` when there is no such feed."""
    wanted = " ".join(str(name or "").split()).casefold()
    repo = _repo(repo)
    match = next((f for f in list_feeds(root, repo) if f.name.casefold() == wanted), None)
    if match is None:
        raise FeedConfigError("feedconfig.unknown", name=plain_text(str(name or ""), 80))
    if match.origin == "reader":
        for book, feed in _reader_feeds(repo):
            if feed.title.casefold() == wanted:
                repo.remove_feed(book, feed.id)
    else:
        repo.add_feed(HIDDEN_BOOK, match.url, match.name)


