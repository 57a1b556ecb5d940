"""A problem in a column file or a New column draft (:class:`commentary.document.model.CommentaryError`) in the
reader's words: "<file>, line N, field F: <problem>" from the catalogs (``catalog/<lang>/column_errors.toml``,
keys ``problem.column_file.*`` and ``problem.column_draft.*``).

The file's name and its values are untrusted: each text parameter is cut to :data:`MAX_PARAM_CHARS` before it is
worded, and :func:`markdown` escapes the whole line (``md_escape``), cut to :data:`MAX_CHARS`, so markup in a
file shows as text. A draft's own fields (no file) are named as the New column page labels them.
"""

from __future__ import annotations

from typing import Any

from catalog import describe, text
from commentary.document.model import CommentaryError
from commentary.text.safe_text import md_escape
from data_sources.errors import Problem

#: Longest text parameter (a file name, a value quoted from the file, a library's message), in characters.
MAX_PARAM_CHARS = 120
#: Longest worded problem shown.
MAX_CHARS = 600
#: A draft's fields, as the New column page names them.
FIELD_KEYS = {"text": "column_errors.field.text", "title": "column_errors.field.title",
              "author": "column_errors.field.author", "date": "column_errors.field.date",
              "time": "column_errors.field.time", "url": "column_errors.field.url"}

#: The two parts of a column file, when a problem is in one as a whole (not in a field).
PART_KEYS = {"front matter": "column_errors.part.front_matter", "body": "column_errors.part.body"}


def _bounded(value: Any) -> Any:
    if isinstance(value, Problem):
        return Problem(value.code, {k: _bounded(v) for k, v in value.params.items()})
    if isinstance(value, str):
        plain = " ".join(value.split())
        return plain if len(plain) <= MAX_PARAM_CHARS else plain[: MAX_PARAM_CHARS - 1] + "…"
    return value


def plain(err: CommentaryError, lang: str, file: str | None = None) -> str:
    """``err`` worded in ``lang``, where it is first (plain text: escape it before Markdown, or use
    :func:`markdown`). ``file`` names the file as the reader knows it (e.g. a saved column's title) instead of
    ``err.file``."""
    located = err.located
    params = dict(located.params)
    if file and "file" in params:
        params["file"] = f"'{file}'"
    if not err.file and err.field in FIELD_KEYS:
        params["field"] = text(lang, FIELD_KEYS[err.field])
    elif err.field in PART_KEYS:
        params["field"] = text(lang, PART_KEYS[err.field])
    return describe(_bounded(Problem(located.code, params)), lang)


def what(err: CommentaryError, lang: str) -> str:
    """The problem alone (no file, line or field) in ``lang``, plain text, its parameters cut."""
    return describe(_bounded(err.problem), lang)


def markdown(err: CommentaryError, lang: str, file: str | None = None) -> str:
    """``err`` worded in ``lang`` and made inert for ``st.markdown`` (escaped, one line, at most :data:`MAX_CHARS`);
    ``file`` as in :func:`plain`."""
    return md_escape(plain(err, lang, file), MAX_CHARS)

