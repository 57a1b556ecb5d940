"""What the language analysers find in a sentence: predicates (cues) and numbers, with their spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CueKind = Literal["dir", "reversal", "continuation", "compare", "no_move", "level", "stay", "prior"]


@dataclass
class Cue:
    """A word or phrase that says something moves (or not), at ``sentence[start:end]``.

    ``kind``: ``dir`` (a move, ``direction`` up/down), ``reversal`` (a turn from the earlier trend),
    ``continuation`` (the earlier trend goes on), ``compare`` (beats/lags: ``direction`` up/down for
    A against B), ``no_move``, ``level`` (a number with a side word), ``stay`` (stays/remains),
    ``prior`` (the earlier state: "고전하던", "after falling"; not a call itself).  ``weak``: good/bad wording
    on a move ("좋을", "do well"), or "stays" on a level.  ``hedge``: where the text says it only *could* happen.
    """

    kind: CueKind
    start: int
    end: int
    direction: str | None = None
    weak: bool = False
    reported: bool = False
    negated: bool = False
    negation: tuple[int, int] | None = None
    level: float | None = None
    unit: str | None = None
    side: str | None = None           # below | above (level)
    number: tuple[int, int] | None = None
    hedge: tuple[int, int] | None = None  # "could", "may", "~ㄹ 수 있", "가능성", "~듯": possible, not expected


@dataclass(frozen=True)
class NumberHit:
    """A number with its unit (KRW, USD, CNY, HKD, pt, %, pp or None) and where it is."""

    value: float
    unit: str | None
    start: int
    end: int
    side: str | None                  # below | above | target | None
    side_span: tuple[int, int] | None
