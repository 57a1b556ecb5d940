"""The reader's own chart annotations, kept on disk in the store root as ``annotations.parquet``.

Text is stored exactly as typed (minus control characters and surrounding whitespace): HTML in a note
is kept as literal characters and must always be rendered as text (the chart code escapes it).
Writes go through :mod:`data_sources.atomic` under the store's write lock, so they survive restarts and
concurrent refreshes.

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
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.atomic import read_table, write_lock, write_table

ANNOTATIONS_FILE = "annotations.parquet"
COLUMNS: tuple[str, ...] = ("id", "date", "label", "note", "created_at", "notebook")
SHARED_NOTEBOOK = ""  # the one notebook of ``DASHBOARD_NOTES=shared`` (and of notes stored before notebooks)
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
    return "shared" if os.environ.get("DASHBOARD_NOTES", "").strip().lower() == "shared" else "private"


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


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ("id", "label", "note", "notebook")})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    frame["created_at"] = pd.Series(dtype="datetime64[ns]")
    return frame.loc[:, list(COLUMNS)]


def _path(root: Path | str) -> Path:
    return Path(root) / ANNOTATIONS_FILE


def list_annotations(root: Path | str, notebook: str | None = None, *, share: str | None = None) -> pd.DataFrame:
    """Annotations (``id, date, label, note, created_at, notebook``), oldest date first; empty when none.

    ``notebook``: only that notebook's notes; ``share``: only the notes of the notebook with that
    :func:`share_id`; neither: every note (for the operator and tests). If the table was damaged and its
    previous version was served, ``frame.attrs["warning"]`` says so.
    """
    frame, _meta, warning = read_table(_path(root))
    if frame.empty:
        out = _empty()
    else:
        out = frame.reindex(columns=list(COLUMNS)).copy()
        for col in ("id", "label", "note", "notebook"):
            out[col] = out[col].fillna("").astype(str).astype(object)
        out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
        out["created_at"] = pd.to_datetime(out["created_at"]).astype("datetime64[ns]")
        out = out.sort_values(["date", "created_at"], kind="stable").reset_index(drop=True)
    if notebook is not None:
        out = out[out["notebook"] == notebook].reset_index(drop=True)
    elif share is not None:
        books = {b: share_id(b) for b in out["notebook"].unique() if b}
        out = out[out["notebook"].map(books).eq(share)].reset_index(drop=True)
    if warning:
        out.attrs["warning"] = warning
    return out


def add_annotation(root: Path | str, date: object, label: object, note: object = "", *,
                   data_start: object, data_end: object, notebook: str = SHARED_NOTEBOOK) -> Annotation:
    """Validate and store a new annotation in ``notebook`` (date must lie in ``data_start .. data_end``)."""
    if notebook != SHARED_NOTEBOOK and valid_notebook(notebook) is None:
        raise AnnotationError("bad_notebook", "the notebook id is not valid")
    day, clean_label, clean_note = validate_annotation(date, label, note, data_start=data_start, data_end=data_end)
    ann = Annotation(id=uuid.uuid4().hex, date=day, label=clean_label, note=clean_note,
                     created_at=pd.Timestamp.now(tz="UTC").tz_localize(None).floor("us"))
    root = Path(root)
    with write_lock(root):
        current = list_annotations(root)
        row = pd.DataFrame({"id": [ann.id], "date": [pd.Timestamp(day)], "label": [ann.label],
                            "note": [ann.note], "created_at": [ann.created_at], "notebook": [notebook]})
        frame = pd.concat([current, row], ignore_index=True) if len(current) else row
        _write(root, frame)
    return ann


def delete_annotation(root: Path | str, ann_id: str, notebook: str | None = None) -> bool:
    """Remove the annotation ``ann_id`` (only from ``notebook`` when given); False when there was none."""
    root = Path(root)
    with write_lock(root):
        current = list_annotations(root)
        victim = current["id"] == str(ann_id)
        if notebook is not None:
            victim &= current["notebook"] == notebook
        keep = current[~victim]
        if len(keep) == len(current):
            return False
        _write(root, keep)
    return True


def _write(root: Path, frame: pd.DataFrame) -> None:
    out = frame.loc[:, list(COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["created_at"] = pd.to_datetime(out["created_at"]).astype("datetime64[ns]")
    out["notebook"] = out["notebook"].fillna("")
    for col in ("id", "label", "note", "notebook"):
        out[col] = out[col].astype(str).astype(object)
    write_table(_path(root), out.reset_index(drop=True), {"table": "annotations", "version": 1})
