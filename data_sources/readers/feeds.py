"""Feeds a notebook follows (mixed into :class:`~data_sources.readers.repository.Repository`)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_sources.readers.models import Feed
from data_sources.readers.notes import clean_text
from data_sources.readers.rows import (
    FEED_TITLE_MAX,
    FEEDS_PER_NOTEBOOK_MAX,
    RepositoryError,
    Retry,
    SavedFeed,
    check_notebook_id,
    check_url,
    first_import,
    now,
    utc,
)


class FeedRows:
    """Repository methods about followed feeds (each one short transaction, scoped by notebook id)."""

    def add_feed(self, notebook_id: str, url: object, title: object = "") -> str:
        """Follow a feed (http/https URL; the fetcher checks the address is public). Same URL: same id."""
        notebook_id = check_notebook_id(notebook_id)
        clean_url = check_url(url, "feed url", allow_empty=False)
        clean_title = clean_text(title, multiline=False)[:FEED_TITLE_MAX]

        def room(session: Session) -> None:
            count = session.scalar(select(func.count()).select_from(Feed).where(Feed.notebook_id == notebook_id))
            if count >= FEEDS_PER_NOTEBOOK_MAX:
                raise RepositoryError("too_many_feeds", f"notebook follows {count} feeds; at most "
                                      f"{FEEDS_PER_NOTEBOOK_MAX}", limit=FEEDS_PER_NOTEBOOK_MAX)

        return self._add_once(
            notebook_id, select(Feed.id).where(Feed.notebook_id == notebook_id, Feed.url == clean_url),
            lambda new_id: Feed(id=new_id, notebook_id=notebook_id, url=clean_url, title=clean_title, added_at=now()),
            room)

    def list_feeds(self, notebook_id: str) -> list[SavedFeed]:
        notebook_id = check_notebook_id(notebook_id)
        with self._read() as session:
            rows = session.scalars(select(Feed).where(Feed.notebook_id == notebook_id)
                                   .order_by(Feed.added_at, Feed.id)).all()
            return [SavedFeed(r.id, r.url, r.title, utc(r.added_at)) for r in rows]

    def import_feeds(self, rows: list[dict], marker: str) -> int:
        """Copy feeds from elsewhere once (like :meth:`import_notes`): rows are ``{notebook_id, url, title}``;
        a feed already followed in that notebook is kept. Returns how many were added."""
        marker = check_notebook_id(marker)

        def work() -> int:
            with self._write() as session:
                if not first_import(session, marker):
                    return 0
                added = 0
                for row in rows:
                    notebook_id = check_notebook_id(row["notebook_id"])
                    url = check_url(row["url"], "feed url", allow_empty=False)
                    self._ensure_notebook(session, notebook_id)
                    if session.scalar(select(Feed.id).where(Feed.notebook_id == notebook_id, Feed.url == url)):
                        continue
                    session.add(Feed(id=uuid.uuid4().hex, notebook_id=notebook_id, url=url,
                                     title=clean_text(row.get("title", ""), multiline=False)[:FEED_TITLE_MAX],
                                     added_at=now()))
                    session.flush()
                    added += 1
                try:
                    session.flush()
                except IntegrityError:
                    raise Retry() from None
                return added

        return self._retrying(work)

    def feeds_under(self, prefix: str) -> list[tuple[str, SavedFeed]]:
        """``(notebook id, feed)`` for every feed in the notebooks whose id starts with ``prefix``, oldest first."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._read() as session:
            rows = session.scalars(select(Feed).where(Feed.notebook_id.like(pattern, escape="\\"))
                                   .order_by(Feed.added_at, Feed.id)).all()
            return [(r.notebook_id, SavedFeed(r.id, r.url, r.title, utc(r.added_at))) for r in rows]

    def remove_feed(self, notebook_id: str, feed_id: str) -> bool:
        notebook_id = check_notebook_id(notebook_id)
        with self._write() as session:
            return session.execute(delete(Feed).where(Feed.notebook_id == notebook_id,
                                                      Feed.id == str(feed_id))).rowcount > 0
