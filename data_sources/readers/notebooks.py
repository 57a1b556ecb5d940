"""What the pages do with the readers' database, in one service: notes on the USD/KRW chart, and the columns a
reader saved in a notebook or published to the server's library.

Pages call :class:`Notebooks` (``ui.notebook.repository()`` gives the process's one), never the repository.
Notes are validated here (:func:`data_sources.readers.notes.validate_annotation`), scoped to a notebook, and the
operator's one shared notebook (``DASHBOARD_NOTES=shared``, notebook ``""``) has a reserved database id.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from data_sources.readers.notes import (
    ANNOTATIONS_FILE,
    LABEL_MAX,
    LOCAL_IMPORT_PREFIX,
    NOTE_MAX,
    SHARED_NOTEBOOK,
    SHARED_NOTES_ID,
    Annotation,
    AnnotationError,
    clean_text,
    empty_notes,
    local_notes,
    share_id,
    valid_notebook,
    validate_annotation,
)
from data_sources.readers.repository import Repository, SavedCommentary, open_repository


def _db_id(notebook: str) -> str:
    """The database id of a notebook (the shared notebook ``""`` has a reserved one)."""
    return SHARED_NOTES_ID if notebook == SHARED_NOTEBOOK else notebook


def _from_db(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["notebook"] = out["notebook"].map(lambda b: SHARED_NOTEBOOK if b == SHARED_NOTES_ID else b).astype(object)
    return out


class Notebooks:
    """The readers' notebooks: notes, saved and published columns (one short transaction per call)."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    @property
    def key(self) -> str:
        """Which database this is (for cache keys; never shown: it may hold a password)."""
        return str(self.repo.engine.url)

    # -- notes ----------------------------------------------------------------------------------------------------
    def notes(self, notebook: str | None = None, *, share: str | None = None) -> pd.DataFrame:
        """Annotations (``id, date, label, note, created_at, notebook``), oldest date first; empty when none.

        ``notebook``: only that notebook's notes; ``share``: only the notes of the notebook with that
        :func:`~data_sources.readers.notes.share_id` (a reader's notebook, never the operator's shared one);
        neither: every note (for the operator and tests).
        """
        repo = self.repo
        if notebook is not None:
            if notebook != SHARED_NOTEBOOK and valid_notebook(notebook) is None:
                return empty_notes()
            return _from_db(repo.list_notes(_db_id(notebook)))
        if share is not None:
            books = [b for b in repo.notebooks_with_notes() if valid_notebook(b) and share_id(b) == share]
            return _from_db(repo.list_notes(books[0])) if books else empty_notes()
        frames = [f for f in (repo.list_notes(b) for b in repo.notebooks_with_notes()) if len(f)]
        if not frames:
            return empty_notes()
        out = pd.concat(frames, ignore_index=True).sort_values(["date", "created_at"], kind="stable")
        return _from_db(out.reset_index(drop=True))

    def add_note(self, date: object, label: object, note: object = "", *, data_start: object, data_end: object,
                 notebook: str = SHARED_NOTEBOOK) -> Annotation:
        """Validate and store a new annotation in ``notebook`` (its date within ``data_start .. data_end``)."""
        if notebook != SHARED_NOTEBOOK and valid_notebook(notebook) is None:
            raise AnnotationError("bad_notebook", "the notebook id is not valid")
        day, clean_label, clean_note = validate_annotation(date, label, note, data_start=data_start,
                                                           data_end=data_end)
        ann_id = self.repo.add_note(_db_id(notebook), day, clean_label, clean_note, data_start=data_start,
                                    data_end=data_end)
        stored = self.repo.list_notes(_db_id(notebook))
        created = stored.loc[stored["id"] == ann_id, "created_at"]
        return Annotation(id=ann_id, date=day, label=clean_label, note=clean_note,
                          created_at=pd.Timestamp(created.iloc[0]) if len(created) else pd.Timestamp.now())

    def delete_note(self, ann_id: str, notebook: str) -> bool:
        """Remove the annotation ``ann_id`` of ``notebook``; False when that notebook has no such note."""
        if notebook != SHARED_NOTEBOOK and valid_notebook(notebook) is None:
            return False
        return self.repo.delete_note(_db_id(notebook), str(ann_id))

    def import_local_notes(self, root: Path | str) -> int:
        """Copy ``root/annotations.parquet`` (notes of earlier versions) into the database once; returns how many
        notes were added.

        Ids, dates, times and notebooks are kept (notes from before notebooks go to the shared one). The
        database records the file's content hash, so running it again (or on another replica, or after a
        reader deleted a copied note) adds nothing; a note whose id is already stored is never duplicated.
        Rows without a usable id, date or label, or with a malformed notebook id, are skipped. The file is
        left untouched.
        """
        path = Path(root) / ANNOTATIONS_FILE
        if not path.exists():
            return 0
        frame = local_notes(root)
        if frame.empty:
            return 0
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:40]
        rows = []
        for row in frame.itertuples(index=False):
            book = row.notebook if valid_notebook(row.notebook) else (SHARED_NOTEBOOK if row.notebook == "" else None)
            label = clean_text(row.label, multiline=False)
            if book is None or not re.fullmatch(r"[0-9a-f]{32}", row.id) or pd.isna(row.date) or not label:
                continue
            created = row.created_at if not pd.isna(row.created_at) else pd.Timestamp("1970-01-01")
            rows.append({"id": row.id, "notebook_id": _db_id(book), "date": pd.Timestamp(row.date).date(),
                         "label": label[:LABEL_MAX], "note": clean_text(row.note, multiline=True)[:NOTE_MAX],
                         "created_at": pd.Timestamp(created).to_pydatetime()})
        return self.repo.import_notes(rows, LOCAL_IMPORT_PREFIX + digest)

    # -- keys -----------------------------------------------------------------------------------------------------
    def notebook_exists(self, notebook_id: str) -> bool:
        """Whether a notebook with this key exists (a key typed on another device)."""
        return self.repo.notebook_exists(notebook_id)

    def claim_old_link(self, notebook_id: str) -> bool:
        """True the first time an old address naming ``notebook_id`` is used (:mod:`data_sources.readers.keys`)."""
        return self.repo.claim_old_link(notebook_id)

    # -- saved and published columns ------------------------------------------------------------------------------
    def create_notebook(self, title: str = "") -> str:
        """A new notebook with a random id (the reader's key to it)."""
        return self.repo.create_notebook(title)

    def save_commentary(self, notebook_id: str, title: object, body: object, **details: object) -> str:
        """Save a column's text in a notebook (the same text twice: the same id); see ``Repository``."""
        return self.repo.save_commentary(notebook_id, title, body, **details)

    def list_commentaries(self, notebook_id: str) -> list[SavedCommentary]:
        """This notebook's saved columns, newest first."""
        return self.repo.list_commentaries(notebook_id)

    def delete_commentary(self, notebook_id: str, commentary_id: str) -> bool:
        """Delete one of this notebook's saved columns."""
        return self.repo.delete_commentary(notebook_id, commentary_id)

    def publish_commentary(self, notebook_id: str, commentary_id: str, *, published: bool = True) -> bool:
        """Put one of this notebook's columns in the server's library (``published=False``: take it out)."""
        return self.repo.publish_commentary(notebook_id, commentary_id, published=published)

    def list_published(self) -> list[SavedCommentary]:
        """The server's library: every notebook's published columns, newest publication first."""
        return self.repo.list_published()


def open_notebooks(url: str | None = None) -> Notebooks:
    """The service over the database at ``url`` (default ``$DASHBOARD_DB_URL`` or SQLite in the data dir)."""
    return Notebooks(open_repository(url))
