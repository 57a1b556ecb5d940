"""Importing a commentary file into the reader's notebook, and publishing a saved one to the server library.

An import goes through :func:`commentary.document.upload.parse_upload` (512 kB before decoding, parsed
once per content hash, a :class:`CommentaryError` naming file, line and field for a broken file) and keeps the
file's text exactly as uploaded, so its export (the stored text) is the same bytes.  An id already taken by a column the
reader can see is refused rather than shadowing it: nothing that is already in the library disappears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from commentary.document.model import Commentary, CommentaryError
from commentary.document.upload import parse_upload


@dataclass(frozen=True)
class Imported:
    """A file that parsed: the commentary and the exact text to store."""

    item: Commentary
    text: str


def import_file(data: bytes, name: str, taken: Mapping[str, str]) -> Imported:
    """The commentary in an uploaded ``data``; :class:`CommentaryError` on any problem.

    ``taken`` maps the ids of the columns the reader already sees to their titles.
    """
    item = parse_upload(data, name)
    if item.id in taken:
        raise CommentaryError(item.source, None, "id", "column_file.id_in_library", id=item.id, title=taken[item.id])
    return Imported(item, data.decode("utf-8"))


def publish_problem(item: Commentary, library: Mapping[str, str], published_ids: set[str]) -> CommentaryError | None:
    """Why ``item`` cannot go into the server library, or None.

    ``library`` maps ids of the bundled columns and of what other readers published to their titles;
    ``published_ids`` are the reader's own columns already published.
    """
    if item.id in published_ids:
        return None
    if item.id in library:
        return CommentaryError("", None, "id", "column_file.id_published", id=item.id, title=library[item.id])
    if not item.claims:
        return CommentaryError("", None, "claims", "column_file.no_scored_claim")
    return None
