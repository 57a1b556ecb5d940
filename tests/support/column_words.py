"""What a reader is told of a column file's problem (``ui.column_errors``), for tests that check the wording."""

from __future__ import annotations

from commentary.document.model import CommentaryError
from ui.column_errors import plain


def said(err: CommentaryError, lang: str = "en") -> str:
    """``err`` as the page words it in ``lang`` (plain text, before Markdown escaping)."""
    assert isinstance(err, CommentaryError), err
    return plain(err, lang)
