"""The reader's words, lent to the domain: ``commentary`` names a thing by a catalog key, ``ui`` says it.

Chart builders and text helpers here take a :class:`Words` instead of a language, so the domain never knows
which language the reader reads: ``ui.words.words(lang)`` makes one from the catalogs
(``catalog/<lang>/*.toml``). A key a builder asks for must be in both catalogs
(``tests/unit/project/test_catalogs.py``). Content written in two languages by its author (a column's section,
an event's label) is picked with ``words.language``; that is data, not wording.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

#: How a date is said: ``long`` (2025년 1월 24일 / Jan 24, 2025), ``short`` (1월 24일 / Jan 24), ``month``
#: (2025년 1월 / Jan 2025), ``year``, ``minute`` (1월 24일 14:30 / Jan 24 14:30).
DateForm = Literal["long", "short", "month", "year", "minute"]


@runtime_checkable
class Words(Protocol):
    """The reader's words for catalog keys, dates and the charts' date axes."""

    #: The reader's language code, ONLY to pick which of a bilingual text's versions to show (a column's
    #: section, an event's label and note are written in Korean and English by their authors); never to word.
    language: str

    def __call__(self, key: str, /, **params: object) -> str:
        """The catalog string ``key`` with ``params`` filled in (a value is never parsed as a template)."""
        ...

    def date(self, day: object, form: DateForm = "long") -> str:
        """``day`` (a date, timestamp or ISO text) said in ``form``; a missing day reads ``–``."""
        ...

    @property
    def date_format(self) -> dict[str, str]:
        """Each :data:`DateForm` as a strftime/d3 format (the same strings Plotly's axes and hovers use)."""
        ...

