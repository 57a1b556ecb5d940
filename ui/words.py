"""The reader's words for the domain's builders: ``words(lang)`` (:class:`commentary.words.Words`)."""

from __future__ import annotations

from catalog.words import CatalogWords, words

__all__ = ["CatalogWords", "words"]
