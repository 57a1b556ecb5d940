"""What the extractor returns: draft claims (proposals) as typed, immutable records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from data_sources.errors import DashboardError, Problem

RuleName = Literal["outperform", "direction", "level", "stays_below", "stays_above", "touches", "no_move"]
SpanKind = Literal["symbol", "direction", "level", "horizon", "negation", "comparison", "no_move", "hedge"]
Kind = Literal["forecast", "reported"]


class ExtractError(DashboardError, ValueError):
    """The text cannot be analysed (too long, not text, too slow …).

    ``problem`` names it for a page (a code such as ``extract.too_long`` and its parameters, worded from the
    catalogs); ``str()`` is the English message for the command line and logs.
    """

    def __init__(self, message: str, code: str = "extract.failed", **params: Any) -> None:
        super().__init__(code, **params)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Span:
    """A stretch of the proposal's sentence to highlight: ``sentence[start:end]``."""

    start: int
    end: int
    kind: SpanKind


@dataclass(frozen=True)
class Horizon:
    """When a claim is judged.

    ``kind`` is ``calendar`` (``value`` ``year-end`` or an ISO date, ``end`` that date), ``fixed``
    (``value`` one of 1W 1M 3M 6M 12M, counted from publication) or ``unresolved`` (a relative phrase
    such as "목요일까지" given without a publication date).  ``stated`` is False for a default.
    """

    kind: Literal["calendar", "fixed", "unresolved"]
    value: str
    end: dt.date | None = None
    phrase: str = ""
    stated: bool = True

    def label(self) -> str:
        """Short text for tables: ``year-end (2025-12-31)``, ``1W``, ``2025-01-30``."""
        if self.kind == "calendar" and self.value == "year-end" and self.end:
            return f"year-end ({self.end.isoformat()})"
        return self.value


@dataclass(frozen=True)
class Proposal:
    """One draft claim, mapped to a claim rule (``commentary.scoring`` rule types) with params.

    ``params`` uses the claim format: ``outperform`` {a, b, margin_pp}, ``direction`` {series,
    direction, threshold_pct}, ``level`` {symbol, level, side} (the print at the horizon's end),
    ``stays_below``/``stays_above`` {symbol, level} (every print on that side), ``touches`` {symbol,
    level, side} (any print at or beyond the level), ``no_move`` {symbol, threshold_pct}; a series is a
    symbol or a list of symbols (an equal-weight basket, named in ``baskets``).  ``kind`` is ``reported``
    for a fact the text states in the past tense (checkable, but not a call); its ``horizon`` is None.
    ``hedge`` is the wording that makes it a possibility ("could", "~ㄹ 수 있다"), or None.
    """

    sentence: str
    sentence_start: int           # offset of the sentence in the cleaned text
    rule: RuleName
    params: dict[str, Any]
    symbols: tuple[str, ...]
    direction: Literal["up", "down"] | None
    level: float | None
    unit: str | None
    horizon: Horizon | None
    kind: Kind
    spans: tuple[Span, ...]
    baskets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negated: bool = False
    notes: tuple[str, ...] = ()
    hedge: str | None = None

    @property
    def confidence(self) -> Literal["high", "medium", "low"]:
        """How much the reader should check it: each note (a default, a guess, a hedge) lowers it."""
        return "high" if not self.notes else "medium" if len(self.notes) == 1 else "low"


@dataclass(frozen=True)
class Extraction:
    """All proposals of one text, plus notes on what was skipped (long sentences, time budget) as codes."""

    proposals: tuple[Proposal, ...]
    notes: tuple[Problem, ...] = ()
    sentences: int = 0
    text: str = ""                # the cleaned text the offsets refer to
