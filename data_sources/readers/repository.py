"""The repository the app calls for what readers write: notebooks, notes, saved commentaries, feeds.

Every call is one short transaction, and every add is a plain INSERT (no read-modify-write of a
whole table), so many replicas and processes can write at once without losing rows. Everything is
scoped by notebook id: a notebook only ever sees and deletes its own rows. Text is stored as typed
(minus control characters) and must be rendered as text.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from sqlalchemy import Engine, Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_sources.readers.engine import shared_engine
from data_sources.readers.feeds import FeedRows
from data_sources.readers.guard import guard_methods, unavailable_as_problem
from data_sources.readers.keys import NotebookKeys
from data_sources.readers.models import Commentary, Feed, Note, Notebook
from data_sources.readers.notes import COLUMNS as NOTE_COLUMNS
from data_sources.readers.notes import clean_text, validate_annotation
from data_sources.readers.rows import (
    AUTHOR_MAX,
    BODY_MAX_BYTES,
    NOTES_PER_NOTEBOOK_MAX,
    PUBLISHED_LIST_MAX,
    TITLE_MAX,
    RepositoryError,
    Retry,
    SavedCommentary,
    SavedFeed,
    check_notebook_id,
    check_url,
    first_import,
    now,
    utc,
)
from data_sources.settings import settings

__all__ = ["Repository", "RepositoryError", "SavedCommentary", "SavedFeed", "check_notebook_id", "open_repository"]

@guard_methods  # a database that cannot answer: DatabaseUnavailable (code db.unavailable), never SQLAlchemy's error
class Repository(NotebookKeys, FeedRows):
    """Reader-written data in one database (see :func:`open_repository`)."""

    _checked_id = staticmethod(check_notebook_id)  # for the mixins (no import back into this module)
    _clock = staticmethod(now)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(write=True)
            with conn.begin(), Session(bind=conn, expire_on_commit=False) as session:
                yield session
                session.flush()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    def _ensure_notebook(self, session: Session, notebook_id: str, title: str = "") -> None:
        if session.get(Notebook, notebook_id) is None:
            session.add(Notebook(id=notebook_id, title=title, created_at=now()))
            try:
                session.flush()
            except IntegrityError:  # created by another process meanwhile (PostgreSQL): run again
                raise Retry() from None

    def _retrying(self, work):
        for _attempt in range(3):
            try:
                return work()
            except Retry:
                continue
        return work()

    def _add_once(self, notebook_id: str, existing: Select, row: Callable[[str], object],
                  room: Callable[[Session], None] | None = None) -> str:
        """Insert ``row(new id)`` in ``notebook_id`` unless ``existing`` (a select of an id) finds one: then that
        id. ``room`` may refuse the insert (a limit) before it is made. One transaction, retried on a race."""

        def work() -> str:
            with self._write() as session:
                self._ensure_notebook(session, notebook_id)
                found = session.scalar(existing)
                if found:
                    return found
                if room is not None:
                    room(session)
                new_id = uuid.uuid4().hex
                session.add(row(new_id))
                return new_id

        return self._retrying(work)

    # -- notebooks ----------------------------------------------------------------------------------------------
    def create_notebook(self, title: str = "") -> str:
        """A new notebook with a random id (the reader's key to it); returns the id."""
        notebook_id = uuid.uuid4().hex
        with self._write() as session:
            session.add(Notebook(id=notebook_id, title=clean_text(title, multiline=False)[:120], created_at=now()))
        return notebook_id

    def notebook_exists(self, notebook_id: str) -> bool:
        with self._read() as session:
            return session.get(Notebook, check_notebook_id(notebook_id)) is not None

    def delete_notebook(self, notebook_id: str) -> bool:
        """Delete a notebook and everything in it."""
        notebook_id = check_notebook_id(notebook_id)
        with self._write() as session:
            for model in (Note, Commentary, Feed):
                session.execute(delete(model).where(model.notebook_id == notebook_id))
            return session.execute(delete(Notebook).where(Notebook.id == notebook_id)).rowcount > 0

    # -- notes --------------------------------------------------------------------------------------------------
    def add_note(self, notebook_id: str, date: object, label: object, note: object = "", *,
                 data_start: object, data_end: object) -> str:
        """Validate (as :func:`data_sources.readers.notes.validate_annotation`) and store a note; returns its id."""
        notebook_id = check_notebook_id(notebook_id)
        day, clean_label, clean_note = validate_annotation(date, label, note, data_start=data_start,
                                                           data_end=data_end)
        note_id = uuid.uuid4().hex

        def work() -> str:
            with self._write() as session:
                self._ensure_notebook(session, notebook_id)
                count = session.scalar(select(func.count()).select_from(Note).where(Note.notebook_id == notebook_id))
                if count >= NOTES_PER_NOTEBOOK_MAX:
                    raise RepositoryError("too_many_notes", f"notebook has {count} notes; at most "
                                          f"{NOTES_PER_NOTEBOOK_MAX}", limit=NOTES_PER_NOTEBOOK_MAX)
                session.add(Note(id=note_id, notebook_id=notebook_id, date=day, label=clean_label, note=clean_note,
                                 created_at=now()))
            return note_id

        return self._retrying(work)

    def list_notes(self, notebook_id: str) -> pd.DataFrame:
        """This notebook's notes as the annotations frame (``id, date, label, note, created_at, notebook``), by date."""
        notebook_id = check_notebook_id(notebook_id)
        with self._read() as session:
            rows = session.execute(select(Note.id, Note.date, Note.label, Note.note, Note.created_at, Note.notebook_id)
                                   .where(Note.notebook_id == notebook_id)
                                   .order_by(Note.date, Note.created_at, Note.id)).all()
        frame = pd.DataFrame(rows, columns=list(NOTE_COLUMNS)).astype({"id": object, "label": object, "note": object})
        frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
        frame["created_at"] = pd.to_datetime([utc(v).replace(tzinfo=None) for v in frame["created_at"]]
                                             ).astype("datetime64[ns]")
        return frame.reset_index(drop=True)

    def notebooks_with_notes(self) -> list[str]:
        """The ids of every notebook holding at least one note (to find the one a share id names)."""
        with self._read() as session:
            return list(session.scalars(select(Note.notebook_id).distinct()).all())

    def import_notes(self, rows: list[dict], marker: str) -> int:
        """Copy notes from elsewhere (ids, dates and times kept) once: a second call with the same ``marker``
        (a notebook-style id that records the import) adds nothing, and a note already present by id is kept.
        Rows are ``{id, notebook_id, date, label, note, created_at}``; returns how many were added."""
        marker = check_notebook_id(marker)

        def work() -> int:
            with self._write() as session:
                if not first_import(session, marker):
                    return 0
                have = set(session.scalars(select(Note.id).where(Note.id.in_([r["id"] for r in rows]))).all()) \
                    if rows else set()
                added = 0
                for row in rows:
                    if row["id"] in have:
                        continue
                    self._ensure_notebook(session, check_notebook_id(row["notebook_id"]))
                    session.add(Note(id=row["id"], notebook_id=row["notebook_id"], date=row["date"],
                                     label=clean_text(row["label"], multiline=False)[:60],
                                     note=clean_text(row["note"], multiline=True), created_at=utc(row["created_at"])))
                    have.add(row["id"])
                    added += 1
                try:
                    session.flush()
                except IntegrityError:  # another process imported the same file meanwhile: run again
                    raise Retry() from None
                return added

        return self._retrying(work)

    def delete_note(self, notebook_id: str, note_id: str) -> bool:
        """Delete one of this notebook's notes; False when it has no such note (another notebook's id too)."""
        notebook_id = check_notebook_id(notebook_id)
        with self._write() as session:
            result = session.execute(delete(Note).where(Note.notebook_id == notebook_id, Note.id == str(note_id)))
            return result.rowcount > 0

    # -- saved commentaries -------------------------------------------------------------------------------------
    def save_commentary(self, notebook_id: str, title: object, body: object, *, author: object = "",
                        published: object = None, source_url: object = "") -> str:
        """Save a column's Markdown source; saving the same text twice returns the first id."""
        notebook_id = check_notebook_id(notebook_id)
        clean_title = clean_text(title, multiline=False)
        if not clean_title:
            raise RepositoryError("empty_title", "commentary title is empty")
        if len(clean_title) > TITLE_MAX:
            raise RepositoryError("title_too_long", f"commentary title has {len(clean_title)} characters; at most "
                                  f"{TITLE_MAX}", limit=TITLE_MAX)
        clean_author = clean_text(author, multiline=False)
        if len(clean_author) > AUTHOR_MAX:
            raise RepositoryError("author_too_long", f"author has {len(clean_author)} characters; at most "
                                  f"{AUTHOR_MAX}", limit=AUTHOR_MAX)
        text = "" if body is None else str(body)
        size = len(text.encode("utf-8"))
        if size > BODY_MAX_BYTES:
            raise RepositoryError("body_too_large", f"commentary is {size} bytes; at most {BODY_MAX_BYTES}",
                                  limit=BODY_MAX_BYTES)
        day = None
        if published not in (None, ""):
            try:
                day = pd.Timestamp(published).date()  # type: ignore[arg-type]
            except (ValueError, TypeError) as exc:
                raise RepositoryError("bad_date", f"published {published!r} is not a date (use YYYY-MM-DD)") from exc
        url = check_url(source_url, "source_url", allow_empty=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self._add_once(
            notebook_id,
            select(Commentary.id).where(Commentary.notebook_id == notebook_id, Commentary.sha256 == digest),
            lambda new_id: Commentary(id=new_id, notebook_id=notebook_id, title=clean_title, author=clean_author,
                                      published=day, source_url=url, body=text, sha256=digest, created_at=now()))

    def list_commentaries(self, notebook_id: str) -> list[SavedCommentary]:
        """This notebook's saved columns, newest first."""
        notebook_id = check_notebook_id(notebook_id)
        with self._read() as session:
            rows = session.scalars(select(Commentary).where(Commentary.notebook_id == notebook_id)
                                   .order_by(Commentary.created_at.desc(), Commentary.id)).all()
            return [_saved(r) for r in rows]

    def delete_commentary(self, notebook_id: str, commentary_id: str) -> bool:
        notebook_id = check_notebook_id(notebook_id)
        with self._write() as session:
            return session.execute(delete(Commentary).where(Commentary.notebook_id == notebook_id,
                                                            Commentary.id == str(commentary_id))).rowcount > 0

    def publish_commentary(self, notebook_id: str, commentary_id: str, *, published: bool = True) -> bool:
        """Put one of this notebook's columns in the server's library (``published=False`` takes it back out).

        False when the notebook has no such column (another notebook's id too). Publishing twice keeps the
        first moment.
        """
        notebook_id = check_notebook_id(notebook_id)
        mine = (Commentary.notebook_id == notebook_id, Commentary.id == str(commentary_id))
        with self._write() as session:
            if session.scalar(select(func.count()).select_from(Commentary).where(*mine)) == 0:
                return False
            if published:
                session.execute(update(Commentary).where(*mine, Commentary.published_at.is_(None))
                                .values(published_at=now()))
            else:
                session.execute(update(Commentary).where(*mine).values(published_at=None))
            return True

    def list_published(self, limit: int = PUBLISHED_LIST_MAX) -> list[SavedCommentary]:
        """The server's library: every notebook's published columns, newest publication first (at most
        ``limit``). The notebook ids are not part of the result: they are each reader's private key."""
        with self._read() as session:
            rows = session.scalars(select(Commentary).where(Commentary.published_at.is_not(None))
                                   .order_by(Commentary.published_at.desc(), Commentary.id).limit(limit)).all()
            return [_saved(r) for r in rows]


def _saved(row: Commentary) -> SavedCommentary:
    return SavedCommentary(row.id, row.title, row.author, row.published, row.source_url, row.body,
                           utc(row.created_at), utc(row.published_at) if row.published_at else None)


def open_repository(url: str | None = None) -> Repository:
    """The repository for ``url`` (default ``$DASHBOARD_DB_URL`` or SQLite in the data dir), migrated on first open.
    A database that cannot be opened raises :class:`~data_sources.readers.guard.DatabaseUnavailable`."""
    key = url or f"configured:{settings().db_url}|{settings().store_folder}"
    with unavailable_as_problem(key, also=(ValueError,)):  # ValueError: an address that cannot be parsed
        return Repository(shared_engine(url))
