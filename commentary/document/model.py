"""A column's parsed parts: the commentary, its sections, claims and reported facts (immutable), and the error a
bad file raises.  Parsing and validation: :mod:`commentary.document.column`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from commentary.scoring.horizons import Horizon
from commentary.scoring.rules import Rule
from data_sources.errors import DashboardError, Problem

LANGS: tuple[str, ...] = ("ko", "en")
#: A line in a section's narrative after which the text tells what happened after the column was published
#: (hidden in the "at the column's date" view).
AFTER_MARKER = re.compile(r"^[ \t]*<!--\s*after the column\s*-->[ \t]*$", re.MULTILINE)


#: The code that says where a problem is, by (a file named, a line, a field): a draft's fields have no file.
_WHERE = {(True, True, True): "column_file.at_line_field", (True, True, False): "column_file.at_line",
          (True, False, True): "column_file.at_field", (True, False, False): "column_file.at",
          (False, True, True): "column_file.field_only", (False, False, True): "column_file.field_only",
          (False, True, False): "column_file.bare", (False, False, False): "column_file.bare"}


class CommentaryError(DashboardError, ValueError):
    """A problem in a commentary file (or a draft's field): where (``file``, ``line``, ``field``; each may be
    empty) and what, as a code and parameters (``code``/``params``, codes ``column_file.*`` and
    ``column_draft.*``; worded only by ``ui.column_errors``, or the CLI from the catalogs).

    ``str(exc)`` is an English developer line for logs: ``"x.md line 3: horizons[1]: column_file.horizon_twice
    (id='1W')"``. Parameters are the file's own values (untrusted), and a library's message (YAML's) as ``detail``.
    """

    def __init__(self, file: str, line: int | None, field: str | None, code: str, **params: Any) -> None:
        super().__init__(code, **params)
        self.file, self.line, self.field = file, line, field

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line else "")
        parts = [p for p in (where, self.field, str(self.problem)) if p]
        return ": ".join(parts)

    @property
    def located(self) -> Problem:
        """The problem with where it is, as one :class:`Problem` (codes ``column_file.at*``; the problem itself is
        the ``problem`` parameter): what a reader is told, whole."""
        where = {"file": self.file, "line": self.line, "field": self.field}
        code = _WHERE[(bool(self.file), bool(self.line), bool(self.field))]
        return Problem(code, {**{k: v for k, v in where.items() if v}, "problem": self.problem})


@dataclass(frozen=True)
class Section:
    """One part of the narrative, with the chart and news window that test it."""

    id: str
    heading_ko: str
    heading_en: str
    chart: dict[str, Any]
    news: dict[str, Any] | None
    body_ko: str
    body_en: str

    def heading(self, lang: str) -> str:
        """Heading in ``lang`` ("ko" or "en")."""
        return self.heading_ko if lang == "ko" else self.heading_en

    def body(self, lang: str) -> str:
        """Narrative (Markdown, untrusted: render without raw HTML) in ``lang``."""
        text = self.body_ko if lang == "ko" else self.body_en
        return AFTER_MARKER.sub("", text).strip() if AFTER_MARKER.search(text) else text

    def known_body(self, lang: str) -> tuple[str, bool]:
        """The narrative up to its ``<!-- after the column -->`` line (what was known at publication), and whether
        anything was left out."""
        text = self.body_ko if lang == "ko" else self.body_en
        found = AFTER_MARKER.search(text)
        return (text[:found.start()].strip(), True) if found else (text, False)


@dataclass(frozen=True)
class Claim:
    """A checkable statement: a rule evaluated from the column's publication at each horizon.

    ``primary`` is the id of the horizon the claim is judged on (the others are context).
    """

    id: str
    text_ko: str
    text_en: str
    rule: Rule
    horizons: tuple[Horizon, ...]
    primary: str
    section: str | None = None

    def horizon(self, horizon_id: str) -> Horizon | None:
        """The horizon with ``horizon_id``, or None."""
        return next((h for h in self.horizons if h.id == horizon_id), None)

    def text(self, lang: str) -> str:
        """Statement in ``lang``."""
        return self.text_ko if lang == "ko" else self.text_en


@dataclass(frozen=True)
class Fact:
    """A fact the column reports (not a forecast), checked against the closes we hold.

    ``check``: ``symbols`` (each source), ``level``, ``side`` (below|above), ``start``/``end`` dates.
    """

    id: str
    text_ko: str
    text_en: str
    check: dict[str, Any]
    reported_ko: str = ""
    reported_en: str = ""
    section: str | None = None

    def text(self, lang: str) -> str:
        """Statement in ``lang``."""
        return self.text_ko if lang == "ko" else self.text_en

    def reported(self, lang: str) -> str:
        """What the sources reported, in ``lang``."""
        return self.reported_ko if lang == "ko" else self.reported_en


@dataclass(frozen=True)
class Commentary:
    """A parsed, validated commentary file."""

    id: str
    title: str
    author: str
    date: dt.date
    language: str
    url: str | None
    summary_ko: str
    summary_en: str
    symbols: tuple[str, ...]
    events: tuple[str, ...]
    baskets: dict[str, tuple[str, ...]]
    sections: tuple[Section, ...]
    claims: tuple[Claim, ...]
    source: str
    warnings: tuple[CommentaryError, ...] = field(default=())
    time: str = "00:00"
    timezone: str = "Asia/Seoul"
    claim_errors: tuple[CommentaryError, ...] = field(default=())
    facts: tuple[Fact, ...] = field(default=())
    author_ko: str = ""  # the author's name as a Korean page shows it (optional; e.g. our own examples')
    title_ko: str = ""  # the title as a Korean page shows it (optional; e.g. our own English-titled examples')
    title_en: str = ""  # an English rendering of a title in another language, shown beside it on English pages
    author_en: str = ""  # the author's name romanised, shown beside it on English pages (optional)

    @property
    def published(self) -> pd.Timestamp:
        """The publication moment (tz-aware, UTC): ``date`` at ``time`` in ``timezone``."""
        return pd.Timestamp(f"{self.date.isoformat()} {self.time}").tz_localize(self.timezone).tz_convert("UTC")

    def summary(self, lang: str) -> str:
        """Summary in ``lang``."""
        return self.summary_ko if lang == "ko" else self.summary_en

    def author_name(self, lang: str) -> str:
        """The author as a ``lang`` page shows it: ``author_ko`` on a Korean page when given, else ``author``."""
        return self.author_ko if lang == "ko" and self.author_ko else self.author

    def title_in(self, lang: str) -> str:
        """The title as a ``lang`` page shows it: ``title_ko`` on a Korean page when given, else ``title``."""
        return self.title_ko if lang == "ko" and self.title_ko else self.title

    def rendering(self, lang: str) -> tuple[str, str]:
        """``(title, author)`` rendered for a ``lang`` reader beside the originals ("" each when there is none:
        a Korean page, or a title already in English)."""
        if lang != "en":
            return "", ""
        title = self.title_en if self.title_en and self.title_en != self.title else ""
        author = self.author_en if self.author_en and self.author_en != self.author else ""
        return title, author

    def section(self, section_id: str) -> Section | None:
        """The section with ``section_id``, or None."""
        return next((s for s in self.sections if s.id == section_id), None)

    def claim(self, claim_id: str) -> Claim | None:
        """The claim with ``claim_id``, or None."""
        return next((c for c in self.claims if c.id == claim_id), None)
