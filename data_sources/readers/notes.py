"""The reader's own chart annotations: what a note may hold, notebook and share ids, and the notes file of
earlier versions. They are kept in the readers' database (:mod:`data_sources.readers`: SQLite in the data dir by
default, PostgreSQL with ``DASHBOARD_DB_URL``), so every app replica sees the same notes; pages reach them
through :class:`data_sources.readers.notebooks.Notebooks`.

Text is stored exactly as typed (minus control characters and surrounding whitespace): HTML in a note
is kept as literal characters and must always be rendered as text (the chart code escapes it).
Each add or delete is one short database transaction (no read-modify-write of a whole table).
Notes written by earlier versions to ``annotations.parquet`` in the store folder are read by
:func:`local_notes` and copied into the database once (``Notebooks.import_local_notes``; the file is left as
it was).

Notes are private by default: each belongs to a *notebook* (a random id the reader's browser keeps in its
address, :func:`new_notebook_id`), and a reader sees only the notes of their notebook. A read-only link for
others carries the notebook's *share id* (:func:`share_id`, a one-way hash: it shows the notes but cannot
add or delete). An operator who wants one shared set of notes for every visitor sets
``DASHBOARD_NOTES=shared`` (:func:`notes_mode`); then every note goes to, and is read from, notebook ``""``.

Validation failures raise :class:`AnnotationError` with a ``code`` and ``params``
for translated messages, and a specific English message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.settings import settings
from data_sources.store.atomic import read_table

ANNOTATIONS_FILE = "annotations.parquet"
COLUMNS: tuple[str, ...] = ("id", "date", "label", "note", "created_at", "notebook")
SHARED_NOTEBOOK = ""  # the one notebook of ``DASHBOARD_NOTES=shared`` (and of notes stored before notebooks)
SHARED_NOTES_ID = "shared-notes"  # its id in the database (never a reader's: those are 32 hex digits)
LOCAL_IMPORT_PREFIX = "imported-notes-"  # database marker of one copied annotations.parquet
_NOTEBOOK_RE = re.compile(r"[0-9a-f]{32}")
_SHARE_RE = re.compile(r"[0-9a-f]{20}")
LABEL_MAX = 60
NOTE_MAX = 500

# C0/C1 control characters and the bidi embedding/override/isolate controls (text-spoofing risk).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class AnnotationError(ValueError):
    """A rejected annotation: ``code`` (stable, for i18n), ``params`` and a specific English message."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Annotation:
    """One reader annotation."""

    id: str
    date: dt.date
    label: str
    note: str
    created_at: pd.Timestamp


def clean_text(text: object, *, multiline: bool) -> str:
    """Strip control characters (keeping newlines when ``multiline``; tabs become spaces) and outer spaces."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not multiline:
        value = value.replace("\n", " ")
    return _CONTROL_RE.sub("", value).strip()


def _parse_date(value: object, what: str) -> dt.date:
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise AnnotationError("bad_date", f"{what} {value!r} is not a date (use YYYY-MM-DD)", value=str(value)) from exc
    if pd.isna(stamp):
        raise AnnotationError("bad_date", f"{what} is missing", value=str(value))
    return stamp.date()


def validate_annotation(date: object, label: object, note: object, *, data_start: object,
                        data_end: object) -> tuple[dt.date, str, str]:
    """Clean and check one annotation; returns ``(date, label, note)`` or raises :class:`AnnotationError`."""
    day = _parse_date(date, "date")
    lo, hi = _parse_date(data_start, "data_start"), _parse_date(data_end, "data_end")
    if not lo <= day <= hi:
        raise AnnotationError("date_out_of_range", f"date {day} is outside the data range {lo} .. {hi}",
                              date=day.isoformat(), start=lo.isoformat(), end=hi.isoformat())
    clean_label = clean_text(label, multiline=False)
    if not clean_label:
        raise AnnotationError("empty_label", "label is empty")
    if len(clean_label) > LABEL_MAX:
        raise AnnotationError("label_too_long", f"label has {len(clean_label)} characters; at most {LABEL_MAX}",
                              length=len(clean_label), limit=LABEL_MAX)
    clean_note = clean_text(note, multiline=True)
    if len(clean_note) > NOTE_MAX:
        raise AnnotationError("note_too_long", f"note has {len(clean_note)} characters; at most {NOTE_MAX}",
                              length=len(clean_note), limit=NOTE_MAX)
    return day, clean_label, clean_note


def notes_mode() -> str:
    """"private" (default: one notebook per reader) or "shared" (``DASHBOARD_NOTES=shared``: one for all)."""
    return settings().notes


def new_notebook_id() -> str:
    """A fresh, unguessable notebook id (32 hex characters)."""
    return secrets.token_hex(16)


def valid_notebook(value: object) -> str | None:
    """``value`` when it is a well-formed notebook id (from a URL: anyone's text), else None."""
    text = str(value or "").strip().lower()
    return text if _NOTEBOOK_RE.fullmatch(text) else None


def share_id(notebook: str) -> str:
    """The read-only id of ``notebook`` for a "share these notes" link (cannot be turned back into it)."""
    return hashlib.sha256(("notes-share:" + notebook).encode()).hexdigest()[:20]


def valid_share(value: object) -> str | None:
    """``value`` when it is a well-formed share id, else None."""
    text = str(value or "").strip().lower()
    return text if _SHARE_RE.fullmatch(text) else None


def empty_notes() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ("id", "label", "note", "notebook")})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    frame["created_at"] = pd.Series(dtype="datetime64[ns]")
    return frame.loc[:, list(COLUMNS)]


def local_notes(root: Path | str) -> pd.DataFrame:
    """The notes an earlier version kept in ``root/annotations.parquet`` (empty when there is none)."""
    frame, _meta, warning = read_table(Path(root) / ANNOTATIONS_FILE)
    if frame.empty:
        return empty_notes()
    out = frame.reindex(columns=list(COLUMNS)).copy()
    for col in ("id", "label", "note", "notebook"):
        out[col] = out[col].fillna("").astype(str).astype(object)
    out["date"] = pd.to_datetime(out["date"], errors="coerce").astype("datetime64[ns]")
    out["created_at"] = pd.to_datetime(out["created_at"], errors="coerce").astype("datetime64[ns]")
    if warning:
        out.attrs["warning"] = warning
    return out.reset_index(drop=True)
